package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
)

// mustAddress parses a connection string the test knows is good.
func mustAddress(tb testing.TB, s string) printer.Address {
	tb.Helper()
	a, err := printer.ParseAddress(s)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// labelPrinter is a zpl or tspl printer with the defaults a file leaves out.
func labelPrinter(tb testing.TB, name, conn string, lang labelbridge.Language) Printer {
	tb.Helper()
	return Printer{Name: name, Connection: conn, Address: mustAddress(tb, conn), Language: lang,
		DPI: 203, Media: "100x150mm", Text: "auto"}
}

// receiptPrinter is an escpos printer with the defaults a file leaves out.
func receiptPrinter(tb testing.TB, name, conn string) Printer {
	tb.Helper()
	return Printer{Name: name, Connection: conn, Address: mustAddress(tb, conn), Language: labelbridge.ESCPOS,
		DPI: 203, Width: "80mm", Text: "auto"}
}

// wantExample is what testdata/example.yaml and example.toml say.
func wantExample(tb testing.TB) *Config {
	tb.Helper()
	c := Default()
	c.Listen = "127.0.0.1:9110"
	c.DataDir = "/var/lib/labelbridge"
	c.AllowedOrigins = []string{"https://seller.example.com"}
	c.Printers = []Printer{
		labelPrinter(tb, "label-1", "tcp://192.168.1.50:9100", labelbridge.ZPL),
		receiptPrinter(tb, "receipt-1", "serial:///dev/ttyUSB0?baud=115200"),
		labelPrinter(tb, "usb-label", "usb:///dev/usb/lp0", labelbridge.TSPL),
	}
	c.Retention = 7 * 24 * time.Hour
	c.Limits = Limits{
		MaxFrameBytes:     64 << 20,
		MaxJobBytes:       256 << 20,
		MaxDocuments:      1000,
		MaxConnections:    256,
		RequestsPerSecond: 200,
		IdleTimeout:       10 * time.Minute,
		WriteTimeout:      10 * time.Second,
	}
	c.Log = Log{Level: "info", Format: "auto"}
	return c
}

func TestExample(t *testing.T) {
	for _, name := range []string{"example.yaml", "example.toml"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			got, err := Load(path)
			if err != nil {
				t.Fatalf("Load(%s): %v", path, err)
			}
			want := wantExample(t)
			want.Source = path
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load(%s) =\n%s\nwant\n%s", path, dump(got), dump(want))
			}
		})
	}
}

func TestExampleMirrorsDesign(t *testing.T) {
	// The design's own example, keys and values, must stay valid.
	const design = `listen: 127.0.0.1:9110
data_dir: /var/lib/labelbridge
allowed_origins: ["https://seller.example.com"]
printers:
  - name: label-1
    connection: tcp://192.168.1.50:9100        # raw TCP (JetDirect)
    language: zpl                               # zpl | escpos | tspl
    dpi: 203
    media: 100x150mm
  - name: receipt-1
    connection: serial:///dev/ttyUSB0?baud=115200   # COM3 on Windows
    language: escpos
    width: 80mm
  - name: usb-label
    connection: usb:///dev/usb/lp0              # Linux; spooler://ZDesigner GK420d on Windows
    language: tspl
`
	got, err := Parse("design.yaml", []byte(design))
	if err != nil {
		t.Fatal(err)
	}
	want := wantExample(t)
	want.Source = "design.yaml"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", dump(got), dump(want))
	}
}

// TestParseGood reads each pair testdata/good/NAME.yaml and NAME.toml: both
// must give the same, expected Config.
func TestParseGood(t *testing.T) {
	tests := []struct {
		name string
		want func(tb testing.TB, c *Config)
	}{
		{"empty", func(testing.TB, *Config) {}},
		{"comments", func(testing.TB, *Config) {}},
		{"minimal", func(tb testing.TB, c *Config) {
			c.Printers = []Printer{labelPrinter(tb, "label-1", "tcp://192.168.1.50", labelbridge.ZPL)}
		}},
		{"transports", func(tb testing.TB, c *Config) {
			serial := receiptPrinter(tb, "serial-1", "serial://COM3?baud=19200&data_bits=7&parity=even&stop_bits=2&flow=rtscts")
			spooler := labelPrinter(tb, "ZDesigner.GK420d_2", "spooler://ZDesigner GK420d (Copy 1)", labelbridge.ZPL)
			spooler.DPI = 300
			file := labelPrinter(tb, "file-1", "file:///tmp/labels.bin", labelbridge.TSPL)
			file.DPI = 600
			demo := receiptPrinter(tb, "demo", "virtual://demo")
			demo.DPI, demo.Width, demo.Text = 152, "58mm", "raster"
			c.Printers = []Printer{
				labelPrinter(tb, "tcp-1", "tcp://printer.local:6101", labelbridge.ZPL),
				serial,
				labelPrinter(tb, "usb-1", "usb:///dev/usb/lp0", labelbridge.TSPL),
				spooler, file, demo,
			}
		}},
		{"media", func(tb testing.TB, c *Config) {
			a := labelPrinter(tb, "a", "virtual://a", labelbridge.ZPL)
			a.Media = "4x6in"
			b := labelPrinter(tb, "b", "virtual://b", labelbridge.ZPL)
			b.Media = "100x100mm"
			cc := labelPrinter(tb, "c", "virtual://c", labelbridge.TSPL)
			cc.Media = "100x75mm"
			d := labelPrinter(tb, "d", "virtual://d", labelbridge.TSPL)
			d.Media = "2.25x1.25in"
			e := labelPrinter(tb, "e", "virtual://e", labelbridge.ZPL)
			e.Text = "native"
			f := receiptPrinter(tb, "f", "virtual://f")
			f.Width = "58mm"
			c.Printers = []Printer{a, b, cc, d, e, f}
		}},
		{"origins", func(_ testing.TB, c *Config) {
			c.AllowedOrigins = []string{
				"https://seller.example.com",
				"https://*.example.net",
				"http://127.0.0.1:8080",
				"https://dash.example.com",
				"http://localhost",
				"http://[::1]:3000",
			}
		}},
		{"settings", func(_ testing.TB, c *Config) {
			c.Listen = "0.0.0.0:9443"
			c.DataDir = `C:\ProgramData\labelbridge`
			c.Retention = 36 * time.Hour
			c.Limits = Limits{
				MaxFrameBytes:     1 << 20,
				MaxJobBytes:       16 << 20,
				MaxDocuments:      600,
				MaxConnections:    16,
				RequestsPerSecond: 2.5,
				IdleTimeout:       90 * time.Second,
				WriteTimeout:      90 * time.Second,
			}
			c.Log = Log{Level: "debug", Format: "json"}
		}},
		{"dotted", func(_ testing.TB, c *Config) {
			c.Limits.MaxDocuments = 5
			c.Limits.RequestsPerSecond = 10
			c.Log.Format = "console"
			c.Retention = 30 * time.Minute
		}},
		{"nulls", func(tb testing.TB, c *Config) {
			c.Printers = []Printer{labelPrinter(tb, "a", "tcp://10.0.0.9:9100", labelbridge.TSPL)}
		}},
		{"merge", func(tb testing.TB, c *Config) {
			p := labelPrinter(tb, "label-1", "tcp://192.168.1.50:9100", labelbridge.ZPL)
			p.DPI, p.Media = 300, "4x6in"
			p2 := labelPrinter(tb, "label-2", "tcp://192.168.1.51:9100", labelbridge.ZPL)
			p2.DPI, p2.Media = 300, "4x6in"
			p3 := labelPrinter(tb, "label-3", "tcp://192.168.1.52:9100", labelbridge.ZPL)
			p3.Media = "4x6in"
			c.Printers = []Printer{p, p2, p3}
		}},
		{"utf16", func(tb testing.TB, c *Config) {
			c.Listen = "127.0.0.1:9998"
			c.Printers = []Printer{labelPrinter(tb, "label-1", "spooler://ZDesigner GK420d", labelbridge.ZPL)}
		}},
		{"windows", func(tb testing.TB, c *Config) {
			c.Listen = "127.0.0.1:9999"
			c.Printers = []Printer{labelPrinter(tb, "label-1", "virtual://label-1", labelbridge.ZPL)}
		}},
	}
	covered := make(map[string]bool)
	for _, tt := range tests {
		for _, ext := range []string{".yaml", ".toml"} {
			path := filepath.Join("testdata", "good", tt.name+ext)
			covered[path] = true
			t.Run(tt.name+ext, func(t *testing.T) {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Parse(path, data)
				if err != nil {
					t.Fatalf("Parse(%s): %v", path, err)
				}
				want := Default()
				tt.want(t, want)
				want.Source = path
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Parse(%s) =\n%s\nwant\n%s", path, dump(got), dump(want))
				}
			})
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "good", "*"))
	for _, f := range files {
		if !covered[f] {
			t.Errorf("%s has no case in TestParseGood", f)
		}
	}
}

// TestParseBad parses every file in testdata/bad. Each expected error is
// written on the line it must be reported on, as a comment
// "# want KEY: MESSAGE" (KEY is empty for a syntax error; MESSAGE need only
// be part of the message). The file must give exactly those errors.
func TestParseBad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := wantErrors(t, path, data)
			if len(want) == 0 {
				t.Fatalf("%s has no # want comments", path)
			}
			c, err := Parse(path, data)
			if err == nil {
				t.Fatalf("Parse(%s) = %s, want errors", path, dump(c))
			}
			if c != nil {
				t.Errorf("Parse(%s) returned a Config with its errors", path)
			}
			var got Errors
			if !errors.As(err, &got) {
				t.Fatalf("Parse(%s) error is %T, want Errors: %v", path, err, err)
			}
			for i := 0; i < len(got) || i < len(want); i++ {
				switch {
				case i >= len(got):
					t.Errorf("missing error: %s:%d: %s: …%s…", path, want[i].Line, want[i].Key, want[i].Msg)
				case i >= len(want):
					t.Errorf("unexpected error: %v", got[i])
				case got[i].File != path || got[i].Line != want[i].Line || got[i].Key != want[i].Key ||
					!strings.Contains(got[i].Msg, want[i].Msg):
					t.Errorf("error %d:\n got %v\nwant %s:%d: %s: …%s…", i, got[i], path, want[i].Line, want[i].Key, want[i].Msg)
				}
			}
		})
	}
}

// wantErrors reads the "# want KEY: MESSAGE" comments of a bad file, in
// line order.
func wantErrors(tb testing.TB, path string, data []byte) Errors {
	tb.Helper()
	var want Errors
	for i, line := range strings.Split(string(data), "\n") {
		parts := strings.Split(line, "# want ")
		for _, p := range parts[1:] {
			key, msg, ok := strings.Cut(strings.TrimSpace(p), ": ")
			if !ok {
				tb.Fatalf("%s:%d: want comment %q is not KEY: MESSAGE", path, i+1, p)
			}
			want = append(want, &Error{File: path, Line: i + 1, Key: key, Msg: msg})
		}
	}
	return want
}

// TestParseBadTwins checks that a broken YAML file and its TOML twin fail on
// the same keys for the same reasons.
func TestParseBadTwins(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	for _, yamlPath := range files {
		tomlPath := strings.TrimSuffix(yamlPath, ".yaml") + ".toml"
		if _, err := os.Stat(tomlPath); err != nil {
			continue
		}
		t.Run(filepath.Base(tomlPath), func(t *testing.T) {
			yamlErrs, tomlErrs := parseErrors(t, yamlPath), parseErrors(t, tomlPath)
			if len(yamlErrs) != len(tomlErrs) {
				t.Fatalf("%s gives %d errors, %s gives %d", yamlPath, len(yamlErrs), tomlPath, len(tomlErrs))
			}
			for i := range yamlErrs {
				y, tm := yamlErrs[i], tomlErrs[i]
				if y.Key == "" || tm.Key == "" {
					continue // syntax errors are each parser's own
				}
				ymsg := strings.ReplaceAll(y.Msg, "a mapping", "a table")
				if y.Key != tm.Key || ymsg != tm.Msg {
					t.Errorf("error %d:\nyaml %s: %s\ntoml %s: %s", i, y.Key, y.Msg, tm.Key, tm.Msg)
				}
			}
		})
	}
}

func parseErrors(tb testing.TB, path string) Errors {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = Parse(path, data)
	var errs Errors
	if !errors.As(err, &errs) {
		tb.Fatalf("Parse(%s): %v, want Errors", path, err)
	}
	// The twins' lines differ; compare in key order.
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Key < errs[j].Key })
	return errs
}

func TestErrorText(t *testing.T) {
	data := strings.Repeat("# a comment\n", 5) + `printers:
  - name: label-1
    connection: tcp://192.168.1.50:9100
    language: zpl
  - name: label-2
    connection: tcp://192.168.1.51:9100
    language: zlp
  - name: label-3
    connection: tcp://192.168.1.52:9100
    langauge: zpl
`
	_, err := Parse("labelbridge.yaml", []byte(data))
	want := `labelbridge.yaml:12: printers[1].language: "zlp" is not one of zpl, escpos, tspl
labelbridge.yaml:13: printers[2].language: language is required: zpl, escpos or tspl
labelbridge.yaml:15: printers[2].langauge: unknown key; did you mean "language"?`
	if err == nil || err.Error() != want {
		t.Errorf("Parse error =\n%v\nwant\n%s", err, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Line != 12 || e.Key != "printers[1].language" {
		t.Errorf("errors.As(err, *Error) = %v, want the first error", e)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"Full", &Error{File: "a.toml", Line: 3, Key: "limits.max_documents", Msg: "bad"}, "a.toml:3: limits.max_documents: bad"},
		{"NoKey", &Error{File: "a.toml", Line: 3, Msg: "expected '='"}, "a.toml:3: expected '='"},
		{"NoLine", &Error{File: "a.json", Msg: "unknown format"}, "a.json: unknown format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{"labelbridge.yml", ""},
		{"LABELBRIDGE.YAML", ""},
		{`C:\ProgramData\labelbridge\labelbridge.TOML`, ""},
		{"labelbridge.json", `labelbridge.json: unknown config format ".json": want a .yaml, .yml or .toml file`},
		{"labelbridge", `labelbridge: unknown config format "": want a .yaml, .yml or .toml file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.name, nil)
			if tt.wantErr == "" {
				if err != nil || c.Source != tt.name {
					t.Errorf("Parse(%q, nil) = %v, %v; want defaults", tt.name, c, err)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Parse(%q, nil) error = %v, want %s", tt.name, err, tt.wantErr)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	data := []byte("# " + strings.Repeat("x", maxFileBytes) + "\n")
	_, err := Parse("big.yaml", data)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "larger than") {
		t.Errorf("Parse(%d bytes) error = %v, want too large", len(data), err)
	}
}

func TestParseTooManyErrors(t *testing.T) {
	var b strings.Builder
	for i := range 2 * maxErrors {
		fmt.Fprintf(&b, "unknown_%d: 1\n", i)
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error = %v, want Errors", err)
	}
	if len(errs) != maxErrors+1 || !strings.Contains(errs[maxErrors].Msg, "too many problems") {
		t.Errorf("got %d errors ending %v; want %d and a last one saying there are too many", len(errs), errs[len(errs)-1], maxErrors+1)
	}
}

func TestLoad(t *testing.T) {
	t.Run("Missing", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "labelbridge.yaml"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("ErrorNamesPath", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "labelbridge.toml")
		if err := os.WriteFile(path, []byte("listen = \"x\"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		want := path + `:1: listen: "x": want host:port, such as 127.0.0.1:9110`
		if err == nil || err.Error() != want {
			t.Errorf("Load error = %v, want %s", err, want)
		}
	})
}

func TestDefault(t *testing.T) {
	c := Default()
	if c.Listen != "127.0.0.1:9110" || c.DataDir != "" || c.Retention != 7*24*time.Hour ||
		c.Limits.MaxDocuments > labelbridge.MaxDocuments || c.Source != "" {
		t.Errorf("Default() = %s", dump(c))
	}
	// Each call is fresh: a caller applying flags cannot change another's.
	c.Limits.MaxConnections = 1
	if Default().Limits.MaxConnections == 1 {
		t.Error("Default() shares state between calls")
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"168h", 168 * time.Hour, ""},
		{"7d", 7 * 24 * time.Hour, ""},
		{"30m", 30 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{"36500d", 36500 * 24 * time.Hour, ""},
		{"", 0, "want a duration"},
		{"7", 0, "want a duration"},
		{"7 days", 0, "want a duration"},
		{"1w", 0, "want a duration"},
		{"d", 0, "want a duration"},
		{"1.5d", 0, "want a duration"},
		{"-1d", 0, "want a duration"},
		{"1d-5h", 0, "want a duration"},
		{"1dd", 0, "want a duration"},
		{"0s", 0, "must be more than 0"},
		{"0d", 0, "must be more than 0"},
		{"-5m", 0, "must be more than 0"},
		{"36501d", 0, "at most 100 years"},
		{"99999d", 0, "at most 100 years"},
		{"36500d1h", 0, "at most 100 years"},
		{"2562047h", 0, "at most 100 years"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseDuration(%q) = %v, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseMedia(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"100x150mm", "100x150mm", ""},
		{"4x6in", "4x6in", ""},
		{"100x100mm", "100x100mm", ""},
		{"100x75mm", "100x75mm", ""},
		{"2.25x1.25in", "2.25x1.25in", ""},
		{"4X6IN", "4x6in", ""},
		{"5x1000mm", "5x1000mm", ""},
		{"100x150", "", "want WIDTHxHEIGHT"},
		{"100*150mm", "", "want WIDTHxHEIGHT"},
		{"10x15cm", "", "want WIDTHxHEIGHT"},
		{"x150mm", "", "want WIDTHxHEIGHT"},
		{"100x150x2mm", "", "want WIDTHxHEIGHT"},
		{"1e2x150mm", "", "want WIDTHxHEIGHT"},
		{"-4x6in", "", "want WIDTHxHEIGHT"},
		{"4..5x6in", "", "want WIDTHxHEIGHT"},
		{".x6in", "", "want WIDTHxHEIGHT"},
		{" 4x6in", "", "want WIDTHxHEIGHT"},
		{"0x150mm", "", "width must be from 5 to 250 mm"},
		{"300x150mm", "", "width must be from 5 to 250 mm"},
		{"100x0mm", "", "height must be from 5 to 1000 mm"},
		{"4x60in", "", "height must be from 5 to 1000 mm"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseMedia(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseMedia(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseMedia(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseOrigin(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"https://seller.example.com", "https://seller.example.com", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"https://*.example.com", "https://*.example.com", ""},
		{"HTTPS://Seller.Example.COM", "https://seller.example.com", ""},
		{"https://seller.example.com:443", "https://seller.example.com", ""},
		{"http://seller.example.com:443", "http://seller.example.com:443", ""},
		{"http://localhost:80", "http://localhost", ""},
		{"http://[::1]:3000", "http://[::1]:3000", ""},
		{"https://seller.example.com/", "", `no path, query or fragment; write "https://seller.example.com"`},
		{"https://seller.example.com/orders", "", "no path"},
		{"https://seller.example.com?x=1", "", "no path"},
		{"https://seller.example.com#top", "", "no path"},
		{"https://seller.example.com#", "", "no path"},
		{"seller.example.com", "", "want an origin"},
		{"//seller.example.com", "", `scheme "": want https:// or http://`},
		{"ftp://seller.example.com", "", `scheme "ftp"`},
		{"ws://seller.example.com", "", `scheme "ws"`},
		{"https:seller.example.com", "", "want an origin"},
		{"https://", "", "want an origin"},
		{"https://:8080", "", "missing host"},
		{"https://user@seller.example.com", "", "no user name"},
		{"https://seller.example.com:0", "", `port "0"`},
		{"https://seller.example.com:99999", "", `port "99999"`},
		{"https://*", "", "wildcard"},
		{"https://*.", "", "wildcard"},
		{"https://a.*.example.com", "", "wildcard"},
		{"https://*.*.example.com", "", "wildcard"},
		{"https://*example.com", "", "wildcard"},
		{"https://seller example.com", "", "want an origin"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseOrigin(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("parseOrigin(%q) = %q, %v; want error %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseOrigin(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// dump prints a Config field by field, so a failed comparison shows what
// differs.
func dump(c *Config) string {
	if c == nil {
		return "<nil>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Listen=%q DataDir=%q Source=%q Retention=%v\nAllowedOrigins=%q\nLimits=%+v\nLog=%+v\n",
		c.Listen, c.DataDir, c.Source, c.Retention, c.AllowedOrigins, c.Limits, c.Log)
	for i, p := range c.Printers {
		b.WriteString("Printers[" + strconv.Itoa(i) + "]=")
		fmt.Fprintf(&b, "%+v\n", p)
	}
	return b.String()
}

func TestParseYAMLAliases(t *testing.T) {
	t.Run("StaySmall", func(t *testing.T) {
		// Nine levels of nine aliases would be 9^9 values were aliases
		// copied out; converted once and shared, they stay 81.
		var b strings.Builder
		b.WriteString("allowed_origins:\n  - &a0 [x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < 9; i++ {
			refs := strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9)
			fmt.Fprintf(&b, "  - &a%d [%s]\n", i, strings.TrimSuffix(refs, ", "))
		}
		_, err := Parse("aliases.yaml", []byte(b.String()))
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != 9 {
			t.Fatalf("error = %v, want 9 errors", err)
		}
		for i, e := range errs {
			if e.Line != i+2 || e.Key != fmt.Sprintf("allowed_origins[%d]", i) || e.Msg != "want a string, got a list" {
				t.Errorf("error %d = %v", i, e)
			}
		}
	})
	t.Run("ContainItself", func(t *testing.T) {
		data := "allowed_origins: &o [*o]\nprinters:\n  - &p\n    <<: *p\n    name: a\n    connection: virtual://a\n    language: zpl\n"
		c, err := Parse("cycle.yaml", []byte(data))
		want := "cycle.yaml:1: allowed_origins[0]: want a string, got a list"
		if err == nil || err.Error() != want {
			t.Errorf("Parse = %v, %v; want error %s", c, err, want)
		}
	})
	t.Run("RepeatedPrinter", func(t *testing.T) {
		// One printer listed through an alias many times: the names clash,
		// and the report stops at maxErrors.
		data := "printers:\n  - &p {name: a, connection: virtual://a, language: zpl}\n" +
			strings.Repeat("  - *p\n", 5*maxErrors)
		_, err := Parse("repeat.yaml", []byte(data))
		var errs Errors
		if !errors.As(err, &errs) || len(errs) != maxErrors+1 {
			t.Fatalf("got %d errors, want %d", len(errs), maxErrors+1)
		}
		if e := errs[0]; e.Line != 2 || e.Key != "printers[1].name" {
			t.Errorf("first error %v, want line 2, printers[1].name (where the aliased name is written)", e)
		}
	})
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    string
		wantErr bool
	}{
		{"Plain", []byte("listen: x\n"), "listen: x\n", false},
		{"UTF8BOM", []byte("\xef\xbb\xbflisten: x\n"), "listen: x\n", false},
		{"UTF16LE", []byte("\xff\xfe\x25\x0e:\x00\n\x00"), "ล:\n", false},
		{"UTF16BE", []byte("\xfe\xff\x0e\x25\x00:\x00\n"), "ล:\n", false},
		{"UTF16Odd", []byte("\xff\xfea\x00b"), "", true},
		{"Empty", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeText(tt.in)
			if (err != nil) != tt.wantErr || string(got) != tt.want {
				t.Errorf("decodeText(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestParseUTF16Lines checks that errors in a UTF-16 file (as PowerShell 5
// writes) are placed on the right line.
func TestParseUTF16Lines(t *testing.T) {
	for _, tt := range []struct{ name, text string }{
		{"labelbridge.yaml", "# ฉลาก\r\nprinters:\r\n  - name: label-1\r\n    connection: virtual://label-1\r\n    language: zlp\r\n"},
		{"labelbridge.toml", "# ฉลาก\r\n[[printers]]\r\nname = \"label-1\"\r\nconnection = \"virtual://label-1\"\r\nlanguage = \"zlp\"\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte("\xff\xfe")
			for _, u := range utf16.Encode([]rune(tt.text)) {
				data = append(data, byte(u), byte(u>>8))
			}
			_, err := Parse(tt.name, data)
			want := tt.name + `:5: printers[0].language: "zlp" is not one of zpl, escpos, tspl`
			if err == nil || err.Error() != want {
				t.Errorf("Parse error = %v, want %s", err, want)
			}
		})
	}
}
