package printer

import (
	"slices"
	"testing"

	"github.com/labelbridge/labelbridge"
)

func TestSubnetHosts(t *testing.T) {
	tests := []struct {
		subnet string
		want   []string
	}{
		{"127.0.0.1/32", []string{"127.0.0.1"}},
		{"127.0.0.0/31", []string{"127.0.0.0", "127.0.0.1"}},
		{"127.0.0.0/30", []string{"127.0.0.1", "127.0.0.2"}},
		{"127.0.0.5/30", []string{"127.0.0.5", "127.0.0.6"}},
		{"::1/128", []string{"::1"}},
	}
	for _, tt := range tests {
		t.Run(tt.subnet, func(t *testing.T) {
			got, err := subnetHosts(tt.subnet)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("subnetHosts(%s) = %v, %v; want %v", tt.subnet, got, err, tt.want)
			}
		})
	}
	t.Run("/22", func(t *testing.T) {
		got, err := subnetHosts("192.168.4.0/22")
		if err != nil || len(got) != 1022 || got[0] != "192.168.4.1" || got[len(got)-1] != "192.168.7.254" {
			t.Errorf("subnetHosts(/22) = %d hosts %v … %v, %v", len(got), got[:1], got[len(got)-1:], err)
		}
	})
	for _, bad := range []string{"192.168.0.0/21", "0.0.0.0/0", "2001:db8::/64", "192.168.1.1", "", "host/24", "192.168.1.0/33"} {
		t.Run("Err"+bad, func(t *testing.T) {
			if got, err := subnetHosts(bad); err == nil {
				t.Errorf("subnetHosts(%q) = %d hosts, want an error", bad, len(got))
			}
		})
	}
}

func TestGuessLanguage(t *testing.T) {
	tests := []struct {
		cmd   []string
		names []string
		want  labelbridge.Language
	}{
		{[]string{"ZPL"}, nil, labelbridge.ZPL},
		{[]string{"EPL", "ZPL2"}, nil, labelbridge.ZPL},
		{[]string{"TSPL2", "ZPL2"}, nil, labelbridge.TSPL},
		{[]string{" ESC/POS"}, nil, labelbridge.ESCPOS},
		{[]string{"ESCPOS"}, nil, labelbridge.ESCPOS},
		{[]string{"EPL"}, nil, ""},
		{nil, []string{"ZDesigner GK420d"}, labelbridge.ZPL},
		{nil, []string{"Zebra Technologies", "ZTC ZD421"}, labelbridge.ZPL},
		{nil, []string{"EPSON TM-T88V Receipt"}, labelbridge.ESCPOS},
		{nil, []string{"TSC TTP-244 Pro"}, labelbridge.TSPL},
		{nil, []string{"Microsoft Print to PDF"}, ""},
		{nil, []string{"ETSCAN 3000"}, ""},
	}
	for _, tt := range tests {
		if got := guessLanguage(tt.cmd, tt.names...); got != tt.want {
			t.Errorf("guessLanguage(%q, %q) = %q, want %q", tt.cmd, tt.names, got, tt.want)
		}
	}
}

func TestSuggestName(t *testing.T) {
	tests := []struct {
		names []string
		want  string
	}{
		{[]string{"ZD421-300dpi"}, "zd421-300dpi"},
		{[]string{"", "serial-ttyUSB0"}, "serial-ttyusb0"},
		{[]string{"ZDesigner GK420d (EPL)"}, "zdesigner-gk420d-epl"},
		{[]string{"printer-127.0.0.1"}, "printer-127.0.0.1"},
		{[]string{"printer-::1"}, "printer-1"},
		{[]string{"เครื่องพิมพ์", "usb-lp0"}, "usb-lp0"},
		{[]string{"--", ""}, "printer"},
		{[]string{"A very long printer model name that goes on and on"}, "a-very-long-printer-model-name-that-goes"},
	}
	for _, tt := range tests {
		if got := suggestName(tt.names...); got != tt.want {
			t.Errorf("suggestName(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}
