// Package install holds what puts labelbridge on a machine as a service:
// the systemd unit, the udev rule, the package's default config, the .deb
// and .rpm definition (nfpm.yaml) with their maintainer scripts, and the
// Windows installer's WiX source. README.md is the guide for IT.
//
// The Go code here is small on purpose: it hands the unit and the default
// config to `labelbridge install`, so that a machine set up without a
// package runs the same hardened unit, and its tests check the packages
// that scripts/dist builds.
package install

import (
	_ "embed"
	"strings"
)

//go:embed labelbridge.service
var systemdUnit string

//go:embed labelbridge.yaml
var defaultConfig string

// The paths the packages install to.
const (
	PackageBinary = "/usr/bin/labelbridge"
	PackageConfig = "/etc/labelbridge/labelbridge.yaml"
)

// SystemdUnit returns the service's systemd unit, running the binary at exe
// with the config file at configPath. With PackageBinary and PackageConfig
// it is the unit the packages install.
func SystemdUnit(exe, configPath string) string {
	return strings.Replace(systemdUnit,
		"ExecStart="+PackageBinary+" run --config "+PackageConfig,
		"ExecStart="+systemdQuote(exe)+" run --config "+systemdQuote(configPath), 1)
}

// systemdQuote quotes a path for a unit's command line when it needs it.
func systemdQuote(s string) string {
	if !strings.ContainsAny(s, " \t\"'\\$%;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}

// DefaultConfig returns the config file the Linux packages install: it
// listens on 127.0.0.1:9110, keeps its data in /var/lib/labelbridge, and
// has no printers yet.
func DefaultConfig() string { return defaultConfig }
