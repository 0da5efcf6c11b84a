package printer

import (
	"bufio"
	"net"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	defaults := SerialParams{Baud: 9600, DataBits: 8, Parity: ParityNone, StopBits: 1, Flow: FlowNone}
	tests := []struct {
		in   string
		want Address
	}{
		{"tcp://192.168.1.50:9100", Address{Scheme: SchemeTCP, Target: "192.168.1.50:9100"}},
		{"TCP://printer.local", Address{Scheme: SchemeTCP, Target: "printer.local:9100"}},
		{"tcp://[fe80::1]", Address{Scheme: SchemeTCP, Target: "[fe80::1]:9100"}},
		{"tcp://[::1]:6101", Address{Scheme: SchemeTCP, Target: "[::1]:6101"}},
		{"serial:///dev/ttyUSB0", Address{Scheme: SchemeSerial, Target: "/dev/ttyUSB0", Serial: defaults}},
		{"serial://COM3?baud=115200&data_bits=7&parity=even&stop_bits=2&flow=xonxoff", Address{
			Scheme: SchemeSerial, Target: "COM3",
			Serial: SerialParams{Baud: 115200, DataBits: 7, Parity: ParityEven, StopBits: 2, Flow: FlowXonXoff},
		}},
		{"usb:///dev/usb/lp0", Address{Scheme: SchemeUSB, Target: "/dev/usb/lp0"}},
		{"spooler://ZDesigner GK420d (Copy 1)?", Address{Scheme: SchemeSpooler, Target: "ZDesigner GK420d (Copy 1)?"}},
		{"file:///tmp/out.zpl", Address{Scheme: SchemeFile, Target: "/tmp/out.zpl"}},
		{"virtual://demo label", Address{Scheme: SchemeVirtual, Target: "demo label"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAddress(tt.in)
			if err != nil {
				t.Fatalf("ParseAddress(%q): %v", tt.in, err)
			}
			tt.want.Raw = tt.in
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAddress(%q)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAddressErrors(t *testing.T) {
	// Each error must name the part of the string that is wrong.
	tests := []struct {
		in, mention string
	}{
		{"192.168.1.50:9100", "scheme://"},
		{"ftp://printer", `"ftp"`},
		{"tcp://", "missing target"},
		{"tcp://:9100", "missing host"},
		{"tcp://printer:0", `port "0"`},
		{"tcp://printer:http", `port "http"`},
		{"tcp://[]", `host "[]"`},
		{"tcp://printer:9100?x=1", "no options"},
		{"serial:///dev/ttyS0?baud=fast", `baud "fast"`},
		{"serial:///dev/ttyS0?data_bits=9", `data_bits "9"`},
		{"serial:///dev/ttyS0?parity=mark", `parity "mark"`},
		{"serial:///dev/ttyS0?stop_bits=1.5", `stop_bits "1.5"`},
		{"serial:///dev/ttyS0?flow=dtrdsr", `flow "dtrdsr"`},
		{"serial:///dev/ttyS0?speed=9600", `option "speed"`},
		{"usb:///dev/usb/lp0?x=1", "no options"},
		{"virtual://../../etc", "must not hold"},
		{"virtual://..", "plain name"},
		{"virtual://a\x00b", "control"},
		{"virtual://label.", "end with a dot"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseAddress(tt.in)
			if err == nil {
				t.Fatalf("ParseAddress(%q) = nil error, want one mentioning %s", tt.in, tt.mention)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("ParseAddress(%q) = %q, want it to mention %s", tt.in, err, tt.mention)
			}
		})
	}
}

func FuzzParseAddress(f *testing.F) {
	seeds, err := os.Open("testdata/addresses.txt")
	if err != nil {
		f.Fatal(err)
	}
	defer seeds.Close()
	sc := bufio.NewScanner(seeds)
	for sc.Scan() {
		f.Add(sc.Text())
	}
	if err := sc.Err(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Errorf("String() = %q, want the input %q", a.String(), s)
		}
		if a.Target == "" {
			t.Errorf("ParseAddress(%q) accepted an empty target", s)
		}
		switch a.Scheme {
		case SchemeTCP:
			host, _, err := net.SplitHostPort(a.Target)
			if err != nil || host == "" {
				t.Errorf("ParseAddress(%q) gave tcp target %q, not host:port", s, a.Target)
			}
		case SchemeVirtual:
			if err := checkVirtualName(a.Target); err != nil {
				t.Errorf("ParseAddress(%q) accepted virtual name %q: %v", s, a.Target, err)
			}
		case SchemeSerial:
			if _, err := serialMode(a.Serial); err != nil {
				t.Errorf("ParseAddress(%q) gave serial settings the transport rejects: %v", s, err)
			}
		}
		again, err := ParseAddress(a.Raw)
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Errorf("parsing %q again gave %+v, %v; want %+v", s, again, err, a)
		}
	})
}
