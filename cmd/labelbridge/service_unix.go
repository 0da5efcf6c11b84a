//go:build !windows

package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge/config"
)

// defaultConfigPath is the config file a system install uses, the one
// `labelbridge run` reads when given no --config.
func defaultConfigPath() string { return "/etc/labelbridge/labelbridge.yaml" }

// runUnderServiceManager runs the daemon the way the system's service
// manager needs, reporting handled=false when the caller should run it as
// usual. systemd (and launchd) stop a daemon with SIGTERM, which `run`
// already handles, and take its log from stderr into the journal, so on
// these systems `run` is the same under the service manager as in a
// terminal.
func runUnderServiceManager(*config.Config, zerolog.Logger) (handled bool, code int) {
	return false, 0
}

// logStartFailure reports a failure to start where the administrator
// looks. stderr already goes to the journal here.
func logStartFailure(error) {}

// systemLogError records an installer's failure in the system's log; the
// packages' scripts show their output to the administrator instead.
func systemLogError(string) {}

func isAdmin() bool { return os.Geteuid() == 0 }

func adminHint(action string) string { return "run it as root: sudo labelbridge " + action }

func logHint() string { return "journalctl -u labelbridge" }

// defaultInstallDataDir is the data folder of a config file made by
// `labelbridge service configure`.
func defaultInstallDataDir(string) string { return "/var/lib/labelbridge" }

// defaultInstallLog is where configure and unconfigure note what they did
// when given no --log: nowhere more than stdout here.
func defaultInstallLog(string) string { return "" }

// secureFolder is the place to restrict a folder to the service; the
// packages set its permissions here.
func secureFolder(string) error { return nil }

// configureSystem applies a config to the system beyond the browsers'
// policy: nothing here, systemd reads the rest from the unit.
func configureSystem(*config.Config, io.Writer) error { return nil }

// browserPolicyDirs are the folders Chrome, Chromium and Edge read managed
// policy files from on Linux.
var browserPolicyDirs = []string{
	"/etc/opt/chrome/policies/managed",
	"/etc/chromium/policies/managed",
	"/etc/opt/edge/policies/managed",
}

const browserPolicyFile = "labelbridge.json"

// writeBrowserPolicy writes the managed policy file allowing urls for each
// browser, under root ("" for /), and returns the files written. With no
// urls it removes the files instead.
func writeBrowserPolicy(root string, urls []string) ([]string, error) {
	if len(urls) == 0 {
		return nil, removeBrowserPolicy(root)
	}
	var written []string
	for _, dir := range browserPolicyDirs {
		dir = filepath.Join(root, dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return written, err
		}
		path := filepath.Join(dir, browserPolicyFile)
		if err := writeFileAtomic(path, browserPolicyJSON(urls), 0o644); err != nil {
			return written, err
		}
		written = append(written, path)
	}
	return written, nil
}

// removeBrowserPolicy removes the policy files, and the policy folders
// when that leaves them empty.
func removeBrowserPolicy(root string) error {
	var errs []error
	for _, dir := range browserPolicyDirs {
		dir = filepath.Join(root, dir)
		if err := os.Remove(filepath.Join(dir, browserPolicyFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		// Folders this leaves empty go too, up to the browser's own
		// (/etc/opt/chrome), never /etc/opt or /etc.
		for d := dir; d != filepath.Join(root, "/etc") && d != filepath.Join(root, "/etc/opt"); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
	}
	return errors.Join(errs...)
}
