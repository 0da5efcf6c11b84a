package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kardianos/service"
	"github.com/rs/zerolog"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/printer"
)

// programDataDir is %ProgramData%, normally C:\ProgramData.
func programDataDir() string {
	if dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, windows.KF_FLAG_DEFAULT); err == nil {
		return dir
	}
	if dir := os.Getenv("ProgramData"); dir != "" {
		return dir
	}
	return `C:\ProgramData`
}

// defaultConfigPath is the config file a system install uses, the one
// `labelbridge run` reads when given no --config:
// %ProgramData%\labelbridge\labelbridge.yaml.
func defaultConfigPath() string {
	return filepath.Join(programDataDir(), serviceName, "labelbridge.yaml")
}

// logDir is where the service's log files rotate.
func logDir() string { return filepath.Join(programDataDir(), serviceName, "logs") }

// runUnderServiceManager runs the daemon as a Windows service when the
// service manager started this process, and reports handled=false
// otherwise. The service logs to rotated files in
// %ProgramData%\labelbridge\logs, its warnings and errors also to the
// Application event log, at the level the config sets.
func runUnderServiceManager(cfg *config.Config, log zerolog.Logger) (handled bool, code int) {
	if service.Interactive() {
		return false, 0
	}
	files := &lumberjack.Logger{
		Filename:   filepath.Join(logDir(), "labelbridge.log"),
		MaxSize:    10, // megabytes
		MaxBackups: 10,
		MaxAge:     90, // days
	}
	defer files.Close()
	writers := []io.Writer{files}
	if el, err := eventlog.Open(serviceName); err == nil {
		defer el.Close()
		writers = append(writers, eventLogWriter{el})
	}
	slog := zerolog.New(zerolog.MultiLevelWriter(writers...)).Level(log.GetLevel()).With().Timestamp().Logger()
	logSpoolerPrinters(cfg, slog)
	p := &serviceProgram{cfg: cfg, log: slog, stopTimeout: 10 * time.Second, exit: os.Exit}
	s, err := service.New(p, baseServiceConfig(cfg.Source))
	if err != nil {
		slog.Error().Err(err).Msg("service")
		return true, 1
	}
	if err := s.Run(); err != nil {
		slog.Error().Err(err).Msg("service")
		return true, 1
	}
	return true, 0
}

// eventLogWriter passes warnings and errors to the event log.
type eventLogWriter struct{ l *eventlog.Log }

func (w eventLogWriter) Write(p []byte) (int, error) { return len(p), nil }

func (w eventLogWriter) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	switch {
	case level >= zerolog.ErrorLevel:
		w.l.Error(1, msg)
	case level == zerolog.WarnLevel:
		w.l.Warning(2, msg)
	}
	return len(p), nil
}

// logSpoolerPrinters logs the spooler printers this account sees, and
// warns about configured ones it does not: a printer installed for one user
// is invisible to LocalSystem.
func logSpoolerPrinters(cfg *config.Config, log zerolog.Logger) {
	var wanted []string
	for _, p := range cfg.Printers {
		if p.Address.Scheme == printer.SchemeSpooler {
			wanted = append(wanted, p.Address.Target)
		}
	}
	if len(wanted) == 0 {
		return
	}
	seen, err := printer.ListSpoolerPrinters()
	if err != nil {
		log.Warn().Err(err).Msg("cannot list the print spooler's printers")
		return
	}
	log.Info().Strs("spooler_printers", seen).Msg("printers the Windows print spooler shows this service")
	for _, name := range wanted {
		if !slices.ContainsFunc(seen, func(s string) bool { return strings.EqualFold(s, name) }) {
			log.Warn().Str("printer", name).Strs("spooler_printers", seen).
				Msg("a configured spooler printer is not visible to this service: install it for all users, or run the service as the user who installed it")
		}
	}
}

// logStartFailure reports a failure to start to the event log when the
// service manager started this process: its stderr goes nowhere.
func logStartFailure(err error) {
	if service.Interactive() {
		return
	}
	systemLogError("labelbridge cannot start: " + err.Error())
}

// systemLogError records msg in the Application event log, where an
// administrator looks when a service or an installer fails.
func systemLogError(msg string) {
	el, err := eventlog.Open(serviceName)
	if err != nil {
		return
	}
	defer el.Close()
	el.Error(1, msg)
}

func serviceManagerCheck() error { return nil }

func isAdmin() bool { return windows.GetCurrentProcessToken().IsElevated() }

func adminHint(action string) string {
	return `run it from a command prompt opened with "Run as administrator": labelbridge ` + action
}

func logHint() string {
	return logDir() + ` and the event log (Windows Logs > Application, source labelbridge)`
}

// serviceConfig is the service's definition: automatic start as
// LocalSystem, restarted 5 seconds after a failure.
func serviceConfig(configPath string) (*service.Config, error) {
	c := baseServiceConfig(configPath)
	c.Option["StartType"] = "automatic"
	c.Option["OnFailure"] = "restart"
	c.Option["OnFailureDelayDuration"] = "5s"
	c.Option["OnFailureResetPeriod"] = 24 * 60 * 60
	return c, nil
}

// prepareInstall makes sure the config file exists (a new one without
// printers at the default path) and is valid, in a folder only SYSTEM and
// administrators may use.
func prepareInstall(configPath string, stdout io.Writer) error {
	dir := filepath.Dir(configPath)
	if _, err := os.Stat(configPath); errors.Is(err, os.ErrNotExist) {
		if configPath != defaultConfigPath() {
			return fmt.Errorf("no config file at %s", configPath)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := secureFolder(dir); err != nil {
			return err
		}
		data, err := installerConfig(installerSettings{DataDir: defaultInstallDataDir(configPath)})
		if err != nil {
			return err
		}
		if err := writeFileAtomic(configPath, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "labelbridge: wrote a config file without printers to %s\n", configPath)
	}
	_, err := loadConfig(configPath, "", "")
	return err
}

// installedByPackage says whether the MSI installed the service, which
// its uninstall must then remove.
func installedByPackage() string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SOFTWARE\labelbridge`, registry.QUERY_VALUE)
	if err != nil {
		return ""
	}
	defer k.Close()
	if v, _, err := k.GetStringValue("InstalledBy"); err == nil && v == "msi" {
		return `the labelbridge installer (Settings > Apps > labelbridge > Uninstall, or msiexec /x labelbridge.msi)`
	}
	return ""
}

func defaultInstallDataDir(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), "data")
}

func defaultInstallLog(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), "logs", "install.log")
}

// secureFolder lets only SYSTEM and administrators use dir and what it
// holds: the job store keeps customers' addresses. A service run as
// another account needs that account added (see install/README.md).
func secureFolder(dir string) error {
	sd, err := windows.SecurityDescriptorFromString("D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)")
	if err != nil {
		return fmt.Errorf("secure %s: %w", dir, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("secure %s: %w", dir, err)
	}
	err = windows.SetNamedSecurityInfo(dir, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return fmt.Errorf("secure %s: %w", dir, err)
	}
	return nil
}

// configureSystem makes the data folder, sets the service to restart after
// any failure, and notes which spooler printers this account (the
// installer runs as LocalSystem, like the service) sees.
func configureSystem(cfg *config.Config, out io.Writer) error {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	switch err := setRecoveryActions(); {
	case errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST):
		fmt.Fprintln(out, "labelbridge: the service is not installed (yet): no recovery actions set")
	case err != nil:
		return err
	}
	seen, err := printer.ListSpoolerPrinters()
	if err != nil {
		fmt.Fprintf(out, "labelbridge: cannot list the print spooler's printers: %v\n", err)
		return nil
	}
	fmt.Fprintf(out, "labelbridge: printers the Windows print spooler shows this account: %s\n", strings.Join(seen, "; "))
	for _, p := range cfg.Printers {
		if p.Address.Scheme == printer.SchemeSpooler && !slices.ContainsFunc(seen, func(s string) bool { return strings.EqualFold(s, p.Address.Target) }) {
			fmt.Fprintf(out, "labelbridge: warning: printer %s (%s) is not among them: install it for all users, or run the service as the user who installed it\n", p.Name, p.Connection)
		}
	}
	return nil
}

// setRecoveryActions has the service manager restart the service 5, 10
// and 30 seconds after it fails, exit code 1 included, counting failures
// afresh each day.
func setRecoveryActions() error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service manager: %w", err)
	}
	defer m.Disconnect()
	s, err := m.OpenService(serviceName)
	if err != nil {
		return fmt.Errorf("service %s: %w", serviceName, err)
	}
	defer s.Close()
	actions := []mgr.RecoveryAction{
		{Type: mgr.ServiceRestart, Delay: 5 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 10 * time.Second},
		{Type: mgr.ServiceRestart, Delay: 30 * time.Second},
	}
	if err := s.SetRecoveryActions(actions, 24*60*60); err != nil {
		return fmt.Errorf("service %s: recovery actions: %w", serviceName, err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return fmt.Errorf("service %s: recovery actions: %w", serviceName, err)
	}
	return nil
}

// browserPolicyKeys are where Chrome, Chromium and Edge read the machine
// policy LocalNetworkAccessAllowedForUrls: a list, one numbered value per
// URL pattern.
var browserPolicyKeys = []string{
	`SOFTWARE\Policies\Google\Chrome\` + localNetworkPolicy,
	`SOFTWARE\Policies\Chromium\` + localNetworkPolicy,
	`SOFTWARE\Policies\Microsoft\Edge\` + localNetworkPolicy,
}

// policyRecordKey and policyRecordValue keep the URL patterns labelbridge
// added, so that it removes those and only those: an administrator's own
// entries in the same list stay.
const (
	policyRecordKey   = `SOFTWARE\labelbridge`
	policyRecordValue = "BrowserPolicyURLs"
)

// writeBrowserPolicy sets the browsers' policy to allow urls, replacing
// what labelbridge added before, and returns the keys written.
func writeBrowserPolicy(root string, urls []string) ([]string, error) {
	if root != "" {
		return nil, errors.New("--root is for Linux packages only")
	}
	if err := removeBrowserPolicy(""); err != nil {
		return nil, err
	}
	if len(urls) == 0 {
		return nil, nil
	}
	var where []string
	for _, path := range browserPolicyKeys {
		if err := addPolicyURLs(path, urls); err != nil {
			return where, err
		}
		where = append(where, `HKLM\`+path)
	}
	rec, _, err := registry.CreateKey(registry.LOCAL_MACHINE, policyRecordKey, registry.SET_VALUE)
	if err != nil {
		return where, fmt.Errorf(`HKLM\%s: %w`, policyRecordKey, err)
	}
	defer rec.Close()
	if err := rec.SetStringsValue(policyRecordValue, urls); err != nil {
		return where, fmt.Errorf(`HKLM\%s: %w`, policyRecordKey, err)
	}
	return where, nil
}

// addPolicyURLs adds each URL missing from the list policy at path, under
// the next free number.
func addPolicyURLs(path string, urls []string) error {
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`HKLM\%s: %w`, path, err)
	}
	defer k.Close()
	present, used, err := policyValues(k)
	if err != nil {
		return fmt.Errorf(`HKLM\%s: %w`, path, err)
	}
	next := 1
	for _, u := range urls {
		if _, ok := present[u]; ok {
			continue
		}
		for used[strconv.Itoa(next)] {
			next++
		}
		name := strconv.Itoa(next)
		if err := k.SetStringValue(name, u); err != nil {
			return fmt.Errorf(`HKLM\%s: %w`, path, err)
		}
		used[name] = true
	}
	return nil
}

// policyValues reads a list policy: each value's data to its name, and
// the names in use.
func policyValues(k registry.Key) (present map[string]string, used map[string]bool, err error) {
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, nil, err
	}
	present, used = map[string]string{}, map[string]bool{}
	for _, name := range names {
		used[name] = true
		if v, _, err := k.GetStringValue(name); err == nil {
			present[v] = name
		}
	}
	return present, used, nil
}

// removeBrowserPolicy removes the URL patterns labelbridge added to the
// browsers' policy, and each policy key that leaves empty.
func removeBrowserPolicy(root string) error {
	if root != "" {
		return errors.New("--root is for Linux packages only")
	}
	rec, err := registry.OpenKey(registry.LOCAL_MACHINE, policyRecordKey, registry.QUERY_VALUE|registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(`HKLM\%s: %w`, policyRecordKey, err)
	}
	defer rec.Close()
	added, _, err := rec.GetStringsValue(policyRecordValue)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(`HKLM\%s: %w`, policyRecordKey, err)
	}
	var errs []error
	for _, path := range browserPolicyKeys {
		if err := removePolicyURLs(path, added); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := rec.DeleteValue(policyRecordValue); err != nil {
		return fmt.Errorf(`HKLM\%s: %w`, policyRecordKey, err)
	}
	return nil
}

func removePolicyURLs(path string, urls []string) error {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf(`HKLM\%s: %w`, path, err)
	}
	present, used, err := policyValues(k)
	if err != nil {
		k.Close()
		return fmt.Errorf(`HKLM\%s: %w`, path, err)
	}
	for _, u := range urls {
		if name, ok := present[u]; ok {
			if err := k.DeleteValue(name); err != nil {
				k.Close()
				return fmt.Errorf(`HKLM\%s: %w`, path, err)
			}
			delete(used, name)
		}
	}
	k.Close()
	if len(used) == 0 {
		// The key is labelbridge's alone now; an error here only leaves
		// an empty key behind.
		registry.DeleteKey(registry.LOCAL_MACHINE, path)
	}
	return nil
}
