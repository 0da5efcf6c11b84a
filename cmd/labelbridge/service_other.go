//go:build !linux && !windows

package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/kardianos/service"
)

func serviceManagerCheck() error {
	return fmt.Errorf("labelbridge installs itself as a service with systemd on Linux and on Windows; on %s, run `labelbridge run --config %s` from your own service manager", runtime.GOOS, defaultConfigPath())
}

func serviceConfig(configPath string) (*service.Config, error) {
	return baseServiceConfig(configPath), nil
}

func prepareInstall(string, io.Writer) error { return serviceManagerCheck() }

func installedByPackage() string { return "" }
