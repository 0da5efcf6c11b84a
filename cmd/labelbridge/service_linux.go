package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/kardianos/service"

	"github.com/labelbridge/labelbridge/install"
)

// serviceManagerCheck reports why labelbridge cannot be a service here:
// only systemd is supported, since the unit is what confines it.
func serviceManagerCheck() error {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		pid1 := "unknown"
		if b, err := os.ReadFile("/proc/1/comm"); err == nil {
			pid1 = strings.TrimSpace(string(b))
		}
		return fmt.Errorf("this system is not running systemd (process 1 is %q); labelbridge installs itself as a systemd service only: run `labelbridge run --config %s` from your init system instead", pid1, defaultConfigPath())
	}
	if p := service.Platform(); p != "linux-systemd" {
		return fmt.Errorf("systemd is running but the service library chose %q", p)
	}
	return nil
}

// serviceConfig is the service's definition: the packages' hardened unit,
// running this binary with configPath.
func serviceConfig(configPath string) (*service.Config, error) {
	exe, err := executable()
	if err != nil {
		return nil, err
	}
	c := baseServiceConfig(configPath)
	c.Executable = exe
	c.Option["SystemdScript"] = install.SystemdUnit(exe, configPath)
	return c, nil
}

func executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find this program's path: %w", err)
	}
	return filepath.EvalSymlinks(exe)
}

// hiddenFromService are folders the unit hides from the service
// (ProtectHome, PrivateTmp): neither the binary nor its config may be there.
var hiddenFromService = []string{"/home/", "/root/", "/run/user/", "/tmp/", "/var/tmp/"}

// prepareInstall readies the system for the unit: the binary and config
// where the service can see them, a config file (a new one at the default
// path), the groups it needs, and the labelbridge user.
func prepareInstall(configPath string, stdout io.Writer) error {
	exe, err := executable()
	if err != nil {
		return err
	}
	for _, p := range []struct{ what, path, fix string }{
		{"this program", exe, "copy it to /usr/local/bin/labelbridge and run that"},
		{"the config file", configPath, "use " + defaultConfigPath()},
	} {
		for _, dir := range hiddenFromService {
			if strings.HasPrefix(p.path, dir) {
				return fmt.Errorf("%s is in %s, which the service cannot see (the unit hides it): %s", p.what, dir, p.fix)
			}
		}
	}
	if _, err := os.Stat(configPath); errors.Is(err, fs.ErrNotExist) {
		if configPath != defaultConfigPath() {
			return fmt.Errorf("no config file at %s", configPath)
		}
		if err := os.MkdirAll(filepath.Dir(configPath), 0o755); err != nil {
			return err
		}
		if err := writeFileAtomic(configPath, []byte(install.DefaultConfig()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "labelbridge: wrote a config file without printers to %s\n", configPath)
	}
	cfg, err := loadConfig(configPath, "", "")
	if err != nil {
		return err
	}
	if cfg.DataDir != "/var/lib/labelbridge" {
		return fmt.Errorf("%s: data_dir is %s, but the service may write only to /var/lib/labelbridge: set data_dir: /var/lib/labelbridge, or add ReadWritePaths=%s with systemctl edit labelbridge after installing", configPath, cfg.DataDir, cfg.DataDir)
	}
	for _, g := range []string{"lp", "dialout"} {
		if _, err := user.LookupGroup(g); err != nil {
			return fmt.Errorf("group %s: %w (the service joins it to reach printers)", g, err)
		}
	}
	if _, err := user.Lookup(serviceName); err != nil {
		var unknown user.UnknownUserError
		if !errors.As(err, &unknown) {
			return err
		}
		// The same user the packages create.
		cmd := exec.Command("useradd", "--system", "--user-group", "--home-dir", "/var/lib/labelbridge",
			"--no-create-home", "--shell", "/usr/sbin/nologin", "--comment", "labelbridge label printer bridge", serviceName)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("create the user %s: %v: %s", serviceName, err, strings.TrimSpace(string(out)))
		}
		fmt.Fprintf(stdout, "labelbridge: created the system user %s\n", serviceName)
	}
	return nil
}

// installedByPackage names the package that installed the unit, if one did.
func installedByPackage() string {
	for _, dir := range []string{"/usr/lib/systemd/system", "/lib/systemd/system"} {
		if _, err := os.Stat(filepath.Join(dir, serviceName+".service")); err == nil {
			return "the labelbridge package (apt remove labelbridge, or dnf remove labelbridge)"
		}
	}
	return ""
}
