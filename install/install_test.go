package install_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/install"
)

func TestSystemdUnit(t *testing.T) {
	unit := install.SystemdUnit(install.PackageBinary, install.PackageConfig)
	raw, err := os.ReadFile("labelbridge.service")
	if err != nil {
		t.Fatal(err)
	}
	if unit != string(raw) {
		t.Fatal("SystemdUnit with the package's paths differs from labelbridge.service")
	}
	// The hardening the unit promises; a line lost in an edit fails here.
	for _, line := range []string{
		"ExecStart=/usr/bin/labelbridge run --config /etc/labelbridge/labelbridge.yaml",
		"User=labelbridge",
		"SupplementaryGroups=lp dialout",
		"NoNewPrivileges=yes",
		"ProtectSystem=strict",
		"ReadWritePaths=/var/lib/labelbridge",
		"StateDirectory=labelbridge",
		"PrivateTmp=yes",
		"ProtectHome=yes",
		"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
		"Restart=on-failure",
		"KillSignal=SIGTERM",
		"WantedBy=multi-user.target",
	} {
		if !containsLine(unit, line) {
			t.Errorf("unit lacks %q", line)
		}
	}
	// PrivateDevices would hide /dev/usb/lp* and the serial ports.
	if strings.Contains(unit, "PrivateDevices=yes") || strings.Contains(unit, "DevicePolicy=closed") {
		t.Error("unit hides devices the printers are on")
	}
}

func TestSystemdUnitPaths(t *testing.T) {
	tests := []struct {
		name, exe, config, want string
	}{
		{"Plain", "/usr/local/bin/labelbridge", "/etc/labelbridge/lb.yaml",
			"ExecStart=/usr/local/bin/labelbridge run --config /etc/labelbridge/lb.yaml"},
		{"Spaces", "/opt/label bridge/labelbridge", "/etc/label bridge.yaml",
			`ExecStart="/opt/label bridge/labelbridge" run --config "/etc/label bridge.yaml"`},
		{"Specifiers", "/opt/50%/labelbridge", "/etc/$HOME.yaml",
			`ExecStart="/opt/50%%/labelbridge" run --config "/etc/$$HOME.yaml"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unit := install.SystemdUnit(tt.exe, tt.config)
			if !containsLine(unit, tt.want) {
				t.Errorf("unit has no line %q:\n%s", tt.want, unit)
			}
			if strings.Count(unit, "ExecStart=") != 1 {
				t.Errorf("unit has %d ExecStart lines, want 1", strings.Count(unit, "ExecStart="))
			}
		})
	}
}

// TestSystemdUnitVerifies has systemd check the unit: every key known,
// every value valid. systemd-analyze reports problems as warnings and
// still exits 0, so any output is a failure.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	exe, err := os.Executable() // any executable file will do for ExecStart
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/labelbridge.service"
	if err := os.WriteFile(path, []byte(install.SystemdUnit(exe, install.PackageConfig)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestDefaultConfig(t *testing.T) {
	text := install.DefaultConfig()
	if _, err := config.Parse("labelbridge.yaml", []byte(text)); err != nil {
		t.Fatalf("the packages' config does not load: %v", err)
	}
	for _, line := range []string{"listen: 127.0.0.1:9110", "data_dir: /var/lib/labelbridge", "allowed_origins: []", "printers: []"} {
		if !containsLine(text, line) {
			t.Errorf("default config lacks %q", line)
		}
	}
}

func containsLine(text, line string) bool {
	for l := range strings.Lines(text) {
		if strings.TrimRight(l, "\n") == line {
			return true
		}
	}
	return false
}
