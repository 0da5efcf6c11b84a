package printer_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/discover/name, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "discover", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestDiscoverUSB(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the sysfs fixture is made of symbolic links")
	}
	found, err := printer.Discover(context.Background(), printer.DiscoverOptions{SkipSystem: true, SysRoot: filepath.Join("testdata", "sysfs")})
	if err != nil {
		t.Fatal(err)
	}
	want := []printer.Found{
		{Connection: "usb:///dev/usb/lp0", Language: labelbridge.ZPL, Name: "ztc-zd421-300dpi-zpl", Manufacturer: "Zebra Technologies", Model: "ZTC ZD421-300dpi ZPL", VID: "0A5F", PID: "0164"},
		{Connection: "usb:///dev/usb/lp1", Language: labelbridge.TSPL, Name: "ttp-244-pro", Manufacturer: "TSC", Model: "TTP-244 Pro", VID: "1203", PID: "0230"},
		{Connection: "usb:///dev/usb/lp2", Language: labelbridge.ESCPOS, Name: "tm-t20ii", Manufacturer: "EPSON", Model: "TM-T20II", VID: "04B8", PID: "0202"},
		{Connection: "usb:///dev/usb/lp10", Language: "", Name: "lp-2844", Manufacturer: "Acme", Model: "LP 2844", VID: "1D6B", PID: "0104"},
	}
	if len(found) != len(want) {
		t.Fatalf("found %d printers, want %d: %+v", len(found), len(want), found)
	}
	for i := range want {
		got := found[i]
		got.Detail = ""
		if got != want[i] {
			t.Errorf("found[%d] = %+v\nwant     %+v", i, got, want[i])
		}
	}
	if !strings.Contains(found[3].Detail, "EPL") {
		t.Errorf("Detail of an EPL-only printer = %q, want it to say EPL", found[3].Detail)
	}
	yaml := printer.ConfigYAML(found)
	golden(t, "usb.yaml", []byte(yaml))

	// Three have a language and make a valid config; the fourth makes
	// config check name the key to fill in.
	c, err := config.Parse("discovered.yaml", []byte(printer.ConfigYAML(found[:3])))
	if err != nil {
		t.Fatalf("config.Parse(suggested config): %v", err)
	}
	for i, p := range c.Printers {
		if p.Connection != want[i].Connection || p.Language != want[i].Language || p.Name != want[i].Name {
			t.Errorf("printers[%d] = %s %s %s, want %s %s %s", i, p.Name, p.Connection, p.Language, want[i].Name, want[i].Connection, want[i].Language)
		}
	}
	if _, err := config.Parse("discovered.yaml", []byte(yaml)); err == nil || !strings.Contains(err.Error(), "printers[3].language") {
		t.Errorf("config.Parse with an undetected language = %v, want an error about printers[3].language", err)
	}
}

func TestDiscoverTCP(t *testing.T) {
	zebra := printertest.NewTCP(t)
	zebra.SetLanguage(labelbridge.ZPL)
	port := zebra.Addr()[strings.LastIndex(zebra.Addr(), ":")+1:]
	portNum, _ := strconv.Atoi(port)

	t.Run("Host", func(t *testing.T) {
		found, err := printer.Discover(context.Background(), printer.DiscoverOptions{SkipSystem: true, Subnet: "127.0.0.1/32", Port: portNum})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 {
			t.Fatalf("found %+v, want the simulator", found)
		}
		f := found[0]
		if f.Connection != zebra.URL() || f.Language != labelbridge.ZPL || f.Model != "ZD421-300dpi" || f.DPI != 300 || f.Name != "zd421-300dpi" {
			t.Errorf("found %+v, want %s, zpl, ZD421-300dpi, 300 dpi", f, zebra.URL())
		}
		if qs := zebra.Queries(); len(qs) != 1 || string(qs[0]) != "~HI" {
			t.Errorf("the printer was asked %q, want ~HI only", qs)
		}
		printsThroughConfig(t, found, func(c printer.Conn) {
			if err := zebra.Wait(waitCtx(t), func([]byte) bool { return len(zebra.Documents()) == 1 }); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("Subnet", func(t *testing.T) {
		// 127.0.0.1 and 127.0.0.2: the simulator listens on the first
		// only.
		found, err := printer.Discover(context.Background(), printer.DiscoverOptions{SkipSystem: true, Subnet: "127.0.0.0/30", Port: portNum})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].Connection != zebra.URL() {
			t.Errorf("found %+v, want only %s", found, zebra.URL())
		}
	})
	t.Run("NotZPL", func(t *testing.T) {
		receipt := printertest.NewTCP(t)
		receipt.SetLanguage(labelbridge.ESCPOS)
		_, port, _ := strings.Cut(receipt.Addr(), ":")
		portNum, _ := strconv.Atoi(port)
		found, err := printer.Discover(context.Background(), printer.DiscoverOptions{SkipSystem: true, Subnet: "127.0.0.1/32", Port: portNum})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].Language != "" || found[0].Connection != receipt.URL() {
			t.Errorf("found %+v, want %s with no language", found, receipt.URL())
		}
	})
	t.Run("ErrSubnet", func(t *testing.T) {
		for _, subnet := range []string{"10.0.0.0/16", "10.0.0.0/21", "fe80::/64", "192.168.1.0", "printer.local/24"} {
			found, err := printer.Discover(context.Background(), printer.DiscoverOptions{SkipSystem: true, Subnet: subnet})
			if err == nil || len(found) != 0 {
				t.Errorf("Discover(subnet %s) = %v, %v; want an error and no scan", subnet, found, err)
			}
		}
	})
}

// printsThroughConfig checks that the config suggested for found parses,
// and that each of its printers opens and takes a document; wait then
// waits for the printer to have it.
func printsThroughConfig(t *testing.T, found []printer.Found, wait func(printer.Conn)) {
	t.Helper()
	c, err := config.Parse("discovered.yaml", []byte(printer.ConfigYAML(found)))
	if err != nil {
		t.Fatalf("config.Parse(suggested config): %v", err)
	}
	for _, p := range c.Printers {
		conn, err := printer.Open(context.Background(), p.Address, printer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.Write(context.Background(), doc(p.Language, p.Name)); err != nil {
			t.Fatal(err)
		}
		wait(conn)
		if err := conn.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseDeviceID(t *testing.T) {
	id := printer.ParseDeviceID("MANUFACTURER:TSC;COMMAND SET: TSPL2,ZPL2 ;mdl:TTP-244 Pro;MDL:second;junk;:empty;")
	for key, want := range map[string]string{"MANUFACTURER": "TSC", "COMMAND SET": "TSPL2,ZPL2", "MDL": "TTP-244 Pro"} {
		if got := id[key]; got != want {
			t.Errorf("id[%q] = %q, want %q", key, got, want)
		}
	}
	if got := id.Get("MFG", "MANUFACTURER"); got != "TSC" {
		t.Errorf("Get(MFG, MANUFACTURER) = %q, want TSC", got)
	}
	if len(id) != 3 {
		t.Errorf("ParseDeviceID kept %d keys (%v), want 3", len(id), id)
	}
}

// FuzzParseDeviceID checks that no device ID makes the parser panic and
// that keys come out upper-cased and trimmed.
func FuzzParseDeviceID(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "sysfs", "devices", "*", "*", "*", "ieee1284_id"))
	if len(paths) == 0 {
		f.Fatal("no ieee1284_id files under testdata/sysfs")
	}
	for _, p := range paths {
		f.Add(string(mustRead(f, p)))
	}
	f.Fuzz(func(t *testing.T, s string) {
		for k, v := range printer.ParseDeviceID(s) {
			if k == "" || k != strings.ToUpper(strings.TrimSpace(k)) || strings.ContainsAny(k, ";:") || strings.Contains(v, ";") {
				t.Errorf("ParseDeviceID(%q) has %q: %q", s, k, v)
			}
		}
	})
}

// Connection strings that are not plain YAML come out quoted and read back
// the same.
func TestConfigQuotesConnection(t *testing.T) {
	found := []printer.Found{
		{Connection: `spooler://ZDesigner GK420d # "front desk": 2`, Language: labelbridge.ZPL, Name: "front"},
		{Connection: "spooler://EPSON TM-T20II Receipt5", Language: labelbridge.ESCPOS, Name: "front", Detail: "line one\nline two"},
		{Connection: "serial://COM3?baud=115200", Language: labelbridge.ESCPOS},
	}
	c, err := config.Parse("discovered.yaml", []byte(printer.ConfigYAML(found)))
	if err != nil {
		t.Fatalf("config.Parse:\n%s\n%v", printer.ConfigYAML(found), err)
	}
	wantNames := []string{"front", "front-2", "serial-com3-baud-115200"}
	for i, p := range c.Printers {
		if p.Connection != found[i].Connection || p.Name != wantNames[i] {
			t.Errorf("printers[%d] = %q %q, want %q %q", i, p.Name, p.Connection, wantNames[i], found[i].Connection)
		}
	}
}
