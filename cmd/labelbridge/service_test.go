//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kardianos/service"
	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/auth"
	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// runBinary runs the built labelbridge with args, as the user uid when uid
// is not the test's own, and returns its exit code and output.
func runBinary(t *testing.T, bin string, uid int, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	if uid != os.Geteuid() {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid)}}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errb.String()
}

// publicCopy copies the binary where any user may run it: test folders are
// private to the user running the tests.
func publicCopy(t *testing.T, bin string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "labelbridge-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "labelbridge")
	if err := os.WriteFile(pub, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return pub
}

func TestServiceCommandsSayWhatIsMissing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := publicCopy(t, buildBinary(t))
	const nobody = 65534
	t.Run("NeedsAdministratorRights", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Log("not root: running as this user, who is not root either")
		}
		for _, action := range []string{"install", "uninstall", "start", "stop", "restart"} {
			uid := os.Geteuid()
			if uid == 0 {
				uid = nobody
			}
			code, _, stderr := runBinary(t, bin, uid, action)
			if code != exitNeedsAdmin || !strings.Contains(stderr, "needs administrator rights") || !strings.Contains(stderr, "sudo labelbridge "+action) {
				t.Errorf("labelbridge %s as a user: exit %d, stderr %q; want exit %d saying it needs administrator rights and how to get them", action, code, stderr, exitNeedsAdmin)
			}
		}
	})
	t.Run("NoSystemd", func(t *testing.T) {
		if _, err := os.Stat("/run/systemd/system"); err == nil {
			t.Skip("systemd is running on this machine")
		}
		if os.Geteuid() != 0 {
			t.Skip("needs root to get past the rights check")
		}
		for _, action := range []string{"install", "status", "start"} {
			code, _, stderr := runBinary(t, bin, 0, action)
			if code != exitNoServiceManager || !strings.Contains(stderr, "not running systemd") || !strings.Contains(stderr, "labelbridge run --config") {
				t.Errorf("labelbridge %s without systemd: exit %d, stderr %q; want exit %d saying systemd is missing and what to do instead", action, code, stderr, exitNoServiceManager)
			}
		}
	})
}

func TestServiceCommandUsage(t *testing.T) {
	tests := []struct {
		name   string
		action string
		args   []string
	}{
		{"ExtraArgument", "install", []string{"now"}},
		{"UnknownFlag", "stop", []string{"--force"}},
		{"ConfigOnStop", "stop", []string{"--config", "x.yaml"}},
		{"ServiceWithoutCommand", "service", nil},
		{"UnknownServiceCommand", "service", []string{"bogus"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := cmdService(context.Background(), tt.action, tt.args, &out, &errb); code != 2 {
				t.Errorf("exit %d, want 2 (usage); stderr %q", code, errb.String())
			}
		})
	}
}

// fakeService stands in for the system's service manager, with kardianos's
// interface: it is installed or not, running or not, and fails the calls
// it is told to.
type fakeService struct {
	installed, running bool
	fail               map[string]error
	calls              []string
}

func (f *fakeService) do(name string) error {
	f.calls = append(f.calls, name)
	return f.fail[name]
}

func (f *fakeService) Run() error { return f.do("Run") }
func (f *fakeService) Start() error {
	if err := f.do("Start"); err != nil {
		return err
	}
	f.running = true
	return nil
}
func (f *fakeService) Stop() error {
	if err := f.do("Stop"); err != nil {
		return err
	}
	f.running = false
	return nil
}
func (f *fakeService) Restart() error { f.running = true; return f.do("Restart") }
func (f *fakeService) Install() error {
	if err := f.do("Install"); err != nil {
		return err
	}
	f.installed = true
	return nil
}
func (f *fakeService) Uninstall() error {
	if err := f.do("Uninstall"); err != nil {
		return err
	}
	f.installed = false
	return nil
}
func (f *fakeService) Logger(chan<- error) (service.Logger, error) { return service.ConsoleLogger, nil }
func (f *fakeService) SystemLogger(chan<- error) (service.Logger, error) {
	return service.ConsoleLogger, nil
}
func (f *fakeService) String() string   { return "labelbridge" }
func (f *fakeService) Platform() string { return "fake" }
func (f *fakeService) Status() (service.Status, error) {
	switch {
	case !f.installed:
		return service.StatusUnknown, service.ErrNotInstalled
	case f.fail["Status"] != nil:
		return service.StatusUnknown, f.fail["Status"]
	case f.running:
		return service.StatusRunning, nil
	}
	return service.StatusStopped, nil
}

func TestServiceControl(t *testing.T) {
	healthy := func(context.Context, string) error { return nil }
	down := func(context.Context, string) error { return errors.New("connection refused") }
	tests := []struct {
		name     string
		action   string
		svc      fakeService
		packaged string
		health   func(context.Context, string) error
		code     int
		calls    []string
		say      string // in stdout or stderr
	}{
		{name: "InstallOK", action: "install", health: healthy, code: 0, calls: []string{"prepare", "Install"}, say: "labelbridge start"},
		{name: "InstallTwice", action: "install", svc: fakeService{installed: true}, code: exitAlreadyInstalled, say: "installed already"},
		{name: "InstallByPackageTwice", action: "install", svc: fakeService{installed: true}, packaged: "the labelbridge package", code: exitAlreadyInstalled, say: "by the labelbridge package"},
		{name: "InstallPermissionDenied", action: "install", svc: fakeService{fail: map[string]error{"Install": os.ErrPermission}}, code: exitNeedsAdmin, calls: []string{"prepare", "Install"}},
		{name: "StartNotInstalled", action: "start", code: exitNotInstalled, say: "not installed"},
		{name: "StartOK", action: "start", svc: fakeService{installed: true}, health: healthy, code: 0, calls: []string{"Start"}, say: "taking jobs at http://127.0.0.1:"},
		{name: "StartButNeverAnswers", action: "start", svc: fakeService{installed: true}, health: down, code: 1, calls: []string{"Start"}, say: "does not answer"},
		{name: "StartFails", action: "start", svc: fakeService{installed: true, fail: map[string]error{"Start": errors.New("unit failed")}}, code: 1, calls: []string{"Start"}, say: "unit failed"},
		{name: "RestartOK", action: "restart", svc: fakeService{installed: true, running: true}, health: healthy, code: 0, calls: []string{"Restart"}},
		{name: "StopOK", action: "stop", svc: fakeService{installed: true, running: true}, code: 0, calls: []string{"Stop"}, say: "resume at the next start"},
		{name: "StopNotInstalled", action: "stop", code: exitNotInstalled},
		{name: "StatusRunningAndAnswering", action: "status", svc: fakeService{installed: true, running: true}, health: healthy, code: 0, say: "running, taking jobs"},
		{name: "StatusRunningNotAnswering", action: "status", svc: fakeService{installed: true, running: true}, health: down, code: 1, say: "connection refused"},
		{name: "StatusStopped", action: "status", svc: fakeService{installed: true}, code: exitNotRunning, say: "not running"},
		{name: "StatusFailedUnit", action: "status", svc: fakeService{installed: true, fail: map[string]error{"Status": errors.New("service in failed state")}}, code: exitNotRunning, say: "failed state"},
		{name: "StatusNotInstalled", action: "status", code: exitNotInstalled},
		{name: "UninstallRunning", action: "uninstall", svc: fakeService{installed: true, running: true}, code: 0, calls: []string{"Stop", "Uninstall"}, say: "kept"},
		{name: "UninstallStopped", action: "uninstall", svc: fakeService{installed: true}, code: 0, calls: []string{"Uninstall"}},
		{name: "UninstallPackaged", action: "uninstall", svc: fakeService{installed: true, running: true}, packaged: "the labelbridge package (apt remove labelbridge)", code: 1, say: "apt remove labelbridge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			configPath := filepath.Join(dir, "labelbridge.yaml")
			os.WriteFile(configPath, []byte("listen: 0.0.0.0:9555\nprinters: []\n"), 0o600)
			f := &tt.svc
			var out, errb bytes.Buffer
			c := &serviceControl{
				svc: f, configPath: configPath, stdout: &out, stderr: &errb,
				prepare:  func(string, io.Writer) error { f.calls = append(f.calls, "prepare"); return nil },
				packaged: func() string { return tt.packaged },
				health:   tt.health,
				wait:     300 * time.Millisecond,
			}
			code := c.run(context.Background(), tt.action)
			said := out.String() + errb.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d; output %q", code, tt.code, said)
			}
			if !slices.Equal(f.calls, tt.calls) {
				t.Errorf("service manager calls %v, want %v", f.calls, tt.calls)
			}
			if !strings.Contains(said, tt.say) {
				t.Errorf("output %q does not say %q", said, tt.say)
			}
			if strings.Contains(said, "0.0.0.0") {
				t.Errorf("output %q asks the unspecified address; want loopback", said)
			}
		})
	}
}

func TestInstallerConfig(t *testing.T) {
	tests := []struct {
		name    string
		in      installerSettings
		listen  string
		origins []string
		wantErr string
	}{
		{name: "Defaults", in: installerSettings{DataDir: `C:\ProgramData\labelbridge\data`}, listen: "127.0.0.1:9110"},
		{name: "Port", in: installerSettings{Port: "9200", DataDir: "/var/lib/labelbridge"}, listen: "127.0.0.1:9200"},
		{name: "Origins", in: installerSettings{AllowedOrigins: "https://seller.example.com, https://*.shop.example; http://127.0.0.1:8080", DataDir: "/d"},
			listen: "127.0.0.1:9110", origins: []string{"https://seller.example.com", "https://*.shop.example", "http://127.0.0.1:8080"}},
		{name: "DataDirWithQuote", in: installerSettings{DataDir: `D:\Label's data`}, listen: "127.0.0.1:9110"},
		{name: "ErrPortNotANumber", in: installerSettings{Port: "http"}, wantErr: "PORT"},
		{name: "ErrPortTooLarge", in: installerSettings{Port: "70000"}, wantErr: "PORT"},
		{name: "ErrOriginWithPath", in: installerSettings{AllowedOrigins: "https://seller.example.com/orders", DataDir: "/d"}, wantErr: "no path"},
		{name: "ErrOriginInjectsYAML", in: installerSettings{AllowedOrigins: `https://a.example"], listen: "0.0.0.0:1`, DataDir: "/d"}, wantErr: "ALLOWED_ORIGINS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, err := installerConfig(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse("labelbridge.yaml", text)
			if err != nil {
				t.Fatalf("written config does not load: %v\n%s", err, text)
			}
			if cfg.Listen != tt.listen || cfg.DataDir != tt.in.DataDir || !slices.Equal(cfg.AllowedOrigins, tt.origins) || len(cfg.Printers) != 0 {
				t.Errorf("config = listen %q, data_dir %q, origins %q, %d printers; want %q, %q, %q, none",
					cfg.Listen, cfg.DataDir, cfg.AllowedOrigins, len(cfg.Printers), tt.listen, tt.in.DataDir, tt.origins)
			}
		})
	}
}

// FuzzInstallerConfig checks that no installer property can add a setting
// of its own: whatever PORT and ALLOWED_ORIGINS hold, the result is an
// error or a config whose only non-default settings are those two.
func FuzzInstallerConfig(f *testing.F) {
	f.Add("9110", "https://seller.example.com")
	f.Add("", "https://a.example.com,https://*.b.example")
	f.Add("1", `https://a"], printers: [{name: x}]`)
	f.Add("9110\nlisten: 0.0.0.0:1", "")
	f.Fuzz(func(t *testing.T, port, origins string) {
		text, err := installerConfig(installerSettings{Port: port, AllowedOrigins: origins, DataDir: "/var/lib/labelbridge"})
		if err != nil {
			return
		}
		cfg, err := config.Parse("labelbridge.yaml", text)
		if err != nil {
			t.Fatalf("installerConfig returned a config that does not load: %v", err)
		}
		def := config.Default()
		if len(cfg.Printers) != 0 || cfg.DataDir != "/var/lib/labelbridge" || cfg.Limits != def.Limits || cfg.Log != def.Log || cfg.Retention != def.Retention {
			t.Fatalf("PORT %q, ALLOWED_ORIGINS %q changed other settings:\n%s", port, origins, text)
		}
		host, _, _ := net.SplitHostPort(cfg.Listen)
		if host != "127.0.0.1" {
			t.Fatalf("PORT %q made listen %q, off loopback", port, cfg.Listen)
		}
	})
}

func TestFetchConfig(t *testing.T) {
	good := "listen: 127.0.0.1:9300\nprinters: []\n"
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	goodFile := write("central.yaml", good)
	tomlFile := write("central.toml", "listen = \"127.0.0.1:9300\"\n")
	badFile := write("bad.yaml", "listen: 127.0.0.1:9300\nprinterz: []\n")
	bigFile := write("big.yaml", "# "+strings.Repeat("x", maxConfigBytes)+"\n")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/labelbridge.yaml":
			io.WriteString(w, good)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name, file, url string
		wantErr         string
	}{
		{name: "File", file: goodFile},
		{name: "URL", url: srv.URL + "/labelbridge.yaml"},
		{name: "ErrBoth", file: goodFile, url: srv.URL + "/labelbridge.yaml", wantErr: "not both"},
		{name: "ErrFileMissing", file: filepath.Join(dir, "missing.yaml"), wantErr: "CONFIG"},
		{name: "ErrTOML", file: tomlFile, wantErr: "YAML"},
		{name: "ErrInvalidConfig", file: badFile, wantErr: "printerz"},
		{name: "ErrTooLarge", file: bigFile, wantErr: "larger than"},
		{name: "ErrURLNotFound", url: srv.URL + "/missing.yaml", wantErr: "404"},
		{name: "ErrURLScheme", url: "ftp://it.example.com/labelbridge.yaml", wantErr: "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := fetchConfig(context.Background(), tt.file, tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(data) != good {
				t.Fatalf("fetchConfig = %q, %v; want the file", data, err)
			}
		})
	}
}

// configure runs `labelbridge service configure` in-process, with the
// browsers' policy written under root.
func configure(t *testing.T, root string, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := cmdService(context.Background(), "service", append([]string{"configure", "--root", root}, args...), &out, &out)
	return code, out.String()
}

func TestConfigure(t *testing.T) {
	t.Run("NewConfigFromProperties", func(t *testing.T) {
		dir, root := t.TempDir(), t.TempDir()
		path := filepath.Join(dir, "labelbridge", "labelbridge.yaml")
		code, out := configure(t, root, "--config", path, "--data-dir", filepath.Join(dir, "data"),
			"--port", "9444", "--allowed-origins", "https://seller.example.com,https://*.example.org", "--from-file", "", "--from-url", "", "--token", "")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Listen != "127.0.0.1:9444" || !slices.Equal(cfg.AllowedOrigins, []string{"https://seller.example.com", "https://*.example.org"}) {
			t.Errorf("config: listen %q, origins %q", cfg.Listen, cfg.AllowedOrigins)
		}
		policy := readPolicy(t, filepath.Join(root, "etc/opt/chrome/policies/managed/labelbridge.json"))
		if want := []string{"https://seller.example.com", "https://[*.]example.org"}; !slices.Equal(policy, want) {
			t.Errorf("Chrome policy allows %q, want %q", policy, want)
		}
	})
	t.Run("ExistingConfigKeptOnUpgrade", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "labelbridge.yaml")
		edited := "# edited by hand\nlisten: 127.0.0.1:9333\nprinters: []\n"
		os.WriteFile(path, []byte(edited), 0o644)
		code, out := configure(t, t.TempDir(), "--config", path, "--port", "9444", "--allowed-origins", "https://seller.example.com")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		if got, _ := os.ReadFile(path); string(got) != edited {
			t.Errorf("config changed to %q; an existing config must be kept", got)
		}
		if !strings.Contains(out, "apply only to a new config file") {
			t.Errorf("output %q does not say PORT and ALLOWED_ORIGINS were not applied", out)
		}
	})
	t.Run("ConfigFileReplacesAndKeepsBackup", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "labelbridge.yaml")
		old := "listen: 127.0.0.1:9333\nprinters: []\n"
		os.WriteFile(path, []byte(old), 0o644)
		central := filepath.Join(dir, "central.yaml")
		os.WriteFile(central, []byte("listen: 127.0.0.1:9555\nallowed_origins: [\"https://seller.example.com\"]\nprinters: []\n"), 0o644)
		root := t.TempDir()
		code, out := configure(t, root, "--config", path, "--from-file", central)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out)
		}
		if cfg, err := config.Load(path); err != nil || cfg.Listen != "127.0.0.1:9555" {
			t.Errorf("config after CONFIG: %+v, %v; want the central file", cfg, err)
		}
		if got, _ := os.ReadFile(path + ".bak"); string(got) != old {
			t.Errorf("backup holds %q, want the replaced config", got)
		}
		if policy := readPolicy(t, filepath.Join(root, "etc/chromium/policies/managed/labelbridge.json")); !slices.Equal(policy, []string{"https://seller.example.com"}) {
			t.Errorf("Chromium policy allows %q", policy)
		}
	})
	t.Run("ErrInvalidConfigFileLeavesTheOldOne", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "labelbridge.yaml")
		old := "listen: 127.0.0.1:9333\nprinters: []\n"
		os.WriteFile(path, []byte(old), 0o644)
		central := filepath.Join(dir, "central.yaml")
		os.WriteFile(central, []byte("listen: 127.0.0.1:9555\nprinters:\n  - name: x\n"), 0o644)
		code, out := configure(t, t.TempDir(), "--config", path, "--from-file", central)
		if code != 1 || !strings.Contains(out, "language") {
			t.Errorf("exit %d, output %q; want 1 naming the missing key", code, out)
		}
		if got, _ := os.ReadFile(path); string(got) != old {
			t.Errorf("config is now %q; a bad CONFIG must not replace it", got)
		}
	})
	t.Run("ErrBadPropertyWritesNothing", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "labelbridge.yaml")
		code, out := configure(t, t.TempDir(), "--config", path, "--allowed-origins", "seller.example.com")
		if code != 1 || !strings.Contains(out, "allowed_origins") {
			t.Errorf("exit %d, output %q; want 1 naming allowed_origins", code, out)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a config was written despite the error: %v", err)
		}
	})
	t.Run("Token", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "labelbridge.yaml")
		code, out := configure(t, t.TempDir(), "--config", path, "--data-dir", filepath.Join(dir, "data"), "--token", "an-installer-chosen-token")
		if code != 0 || strings.Contains(out, "an-installer-chosen-token") {
			t.Fatalf("exit %d, output %q; want 0, without echoing the token", code, out)
		}
		store, err := auth.Open(filepath.Join(dir, "data", "tokens.json"))
		if err != nil {
			t.Fatal(err)
		}
		if tok, err := store.Check("an-installer-chosen-token", ""); err != nil || !tok.Admin {
			t.Fatalf("installer token: %+v %v", tok, err)
		}
		if code, out := configure(t, t.TempDir(), "--config", path, "--token", "short"); code != 1 || strings.Contains(out, "short\n") {
			t.Fatalf("a too-short token: exit %d, %q", code, out)
		}
	})
	t.Run("InstallLog", func(t *testing.T) {
		dir := t.TempDir()
		logPath := filepath.Join(dir, "logs", "install.log")
		code, out := configure(t, t.TempDir(), "--config", filepath.Join(dir, "labelbridge.yaml"), "--log", logPath, "--port", "bad")
		if code != 1 {
			t.Fatalf("exit %d: %s", code, out)
		}
		if got, _ := os.ReadFile(logPath); !strings.Contains(string(got), "PORT") {
			t.Errorf("install log %q does not record the failure", got)
		}
	})
}

func readPolicy(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("browser policy: %v", err)
	}
	var p map[string][]string
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(p) != 1 {
		t.Errorf("%s sets %d policies, want only %s", path, len(p), localNetworkPolicy)
	}
	return p[localNetworkPolicy]
}

func TestBrowserPolicy(t *testing.T) {
	t.Run("URLPatterns", func(t *testing.T) {
		got := browserPolicyURLs([]string{"https://seller.example.com", "https://*.example.org", "http://127.0.0.1:8080"})
		want := []string{"https://seller.example.com", "https://[*.]example.org", "http://127.0.0.1:8080"}
		if !slices.Equal(got, want) {
			t.Errorf("browserPolicyURLs = %q, want %q", got, want)
		}
	})
	t.Run("WriteThenRemove", func(t *testing.T) {
		root := t.TempDir()
		// A policy file of the administrator's own in Chrome's folder.
		chrome := filepath.Join(root, "etc/opt/chrome/policies/managed")
		os.MkdirAll(chrome, 0o755)
		os.WriteFile(filepath.Join(chrome, "company.json"), []byte(`{"HomepageLocation":"https://intranet"}`), 0o644)
		configPath := filepath.Join(t.TempDir(), "labelbridge.yaml")
		os.WriteFile(configPath, []byte("allowed_origins: [\"https://seller.example.com\"]\nprinters: []\n"), 0o644)
		var out bytes.Buffer
		if code := cmdService(context.Background(), "service", []string{"policy", "--config", configPath, "--root", root}, &out, &out); code != 0 {
			t.Fatalf("policy: exit %d: %s", code, out.String())
		}
		for _, dir := range browserPolicyDirs {
			if got := readPolicy(t, filepath.Join(root, dir, browserPolicyFile)); !slices.Equal(got, []string{"https://seller.example.com"}) {
				t.Errorf("%s allows %q", dir, got)
			}
		}
		if code := cmdService(context.Background(), "service", []string{"policy", "--remove", "--root", root}, &out, &out); code != 0 {
			t.Fatalf("policy --remove: exit %d: %s", code, out.String())
		}
		for _, dir := range browserPolicyDirs {
			if _, err := os.Stat(filepath.Join(root, dir, browserPolicyFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: policy file still there (%v)", dir, err)
			}
		}
		if _, err := os.Stat(filepath.Join(chrome, "company.json")); err != nil {
			t.Errorf("the administrator's own policy file went: %v", err)
		}
		if _, err := os.Stat(filepath.Join(root, "etc/chromium")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("empty policy folders of Chromium stayed behind (%v)", err)
		}
	})
	t.Run("NoOriginsNoPolicy", func(t *testing.T) {
		root := t.TempDir()
		if _, err := writeBrowserPolicy(root, []string{"https://a.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := writeBrowserPolicy(root, nil); err != nil {
			t.Fatal(err)
		}
		for _, dir := range browserPolicyDirs {
			if _, err := os.Stat(filepath.Join(root, dir, browserPolicyFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: a policy without origins stayed (%v)", dir, err)
			}
		}
	})
}

func TestUnconfigurePurge(t *testing.T) {
	tests := []struct {
		name      string
		folder    string
		purge     string
		upgrading string
		gone      bool
		code      int
	}{
		{name: "UninstallKeepsData", folder: "labelbridge", purge: "", gone: false},
		{name: "PurgeDeletesData", folder: "labelbridge", purge: "1", gone: true},
		{name: "UpgradeNeverPurges", folder: "labelbridge", purge: "1", upgrading: "{6F0F4B57-2F3C-4D7E-9A51-7F5B2D3C1A10}", gone: false},
		{name: "ErrPurgeOnlyOwnFolder", folder: "ProgramData", purge: "yes", gone: false, code: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.folder)
			os.MkdirAll(filepath.Join(dir, "data"), 0o755)
			configPath := filepath.Join(dir, "labelbridge.yaml")
			os.WriteFile(configPath, []byte("printers: []\n"), 0o644)
			var out bytes.Buffer
			code := cmdService(context.Background(), "service", []string{"unconfigure", "--config", configPath, "--root", t.TempDir(),
				"--purge", tt.purge, "--upgrading", tt.upgrading}, &out, &out)
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, out.String())
			}
			_, err := os.Stat(dir)
			if gone := errors.Is(err, os.ErrNotExist); gone != tt.gone {
				t.Errorf("folder deleted: %v, want %v", gone, tt.gone)
			}
		})
	}
}

// batch is n raw ZPL documents, each recognisable whole.
func batch(n int) []map[string]any {
	docs := make([]map[string]any, n)
	for i := range docs {
		docs[i] = map[string]any{"ref": fmt.Sprintf("o%04d", i), "kind": "raw", "language": "zpl",
			"content": fmt.Sprintf("^XA^FO10,10^FDdoc-%04d^FS^XZ\n", i)}
	}
	return docs
}

var wholeDoc = regexp.MustCompile(`\^XA\^FO10,10\^FDdoc-(\d{4})\^FS\^XZ\n`)

// countDocs counts each document that reached the printer whole, and
// reports whether anything else (a document cut short) did.
func countDocs(received []byte) (counts map[string]int, rest string) {
	counts = map[string]int{}
	for _, m := range wholeDoc.FindAllSubmatch(received, -1) {
		counts[string(m[1])]++
	}
	return counts, wholeDoc.ReplaceAllString(string(received), "")
}

func postJob(t *testing.T, addr string, job map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(job)
	resp, err := http.Post("http://"+addr+"/v1/jobs", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var acc struct {
		JobID string `json:"job_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&acc); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /v1/jobs: %s, %v", resp.Status, err)
	}
	return acc.JobID
}

func waitJobDone(t *testing.T, addr, id string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/v1/jobs/" + id)
		if err == nil {
			var st struct {
				State string `json:"state"`
			}
			json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			switch st.State {
			case "done":
				return
			case "failed", "cancelled":
				t.Fatalf("job %s ended %s", id, st.State)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s not done after a minute", id)
}

// TestServiceProgramStopFinishesTheDocumentInFlight drives the Start and
// Stop the Windows service manager calls: Stop mid-batch lets the printer
// finish the document it is taking, and the next Start prints the rest,
// each document exactly once.
func TestServiceProgramStopFinishesTheDocumentInFlight(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL) // answers ~HS, so status queries are told apart from documents
	dir := t.TempDir()
	addr := freePort(t)
	cfg, err := config.Parse("labelbridge.yaml", fmt.Appendf(nil, "listen: %s\ndata_dir: %s\nprinters:\n  - name: label-1\n    connection: %s\n    language: zpl\n", addr, dir, sim.URL()))
	if err != nil {
		t.Fatal(err)
	}
	exited := make(chan int, 1)
	start := func() *serviceProgram {
		p := &serviceProgram{cfg: cfg, log: zerolog.Nop(), stopTimeout: 10 * time.Second, exit: func(code int) { exited <- code }}
		if err := p.Start(nil); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := start()
	const n = 300
	id := postJob(t, addr, map[string]any{"printer": "label-1", "idempotency_key": "stop-batch", "documents": batch(n)})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sim.Wait(ctx, func(b []byte) bool { return bytes.Count(b, []byte("^XZ")) >= n/3 }); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(nil); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	counts, rest := countDocs(sim.Data())
	if rest != "" {
		t.Errorf("after Stop the printer holds a document cut short: %q", rest)
	}
	if len(counts) >= n {
		t.Fatalf("the batch finished (%d documents) before Stop; the test proves nothing", len(counts))
	}
	p = start()
	defer p.Stop(nil)
	waitJobDone(t, addr, id)
	counts, rest = countDocs(sim.Data())
	for i := range n {
		if c := counts[fmt.Sprintf("%04d", i)]; c != 1 {
			t.Errorf("document %d printed %d times, want once", i, c)
		}
	}
	if rest != "" {
		t.Errorf("the printer received bytes that are no whole document: %q", rest)
	}
	select {
	case code := <-exited:
		t.Errorf("the program asked to exit with %d", code)
	default:
	}
}

// TestServiceStopDuringBatchLosesNothing stops the daemon the way systemd
// does, with SIGTERM, part way through a batch, then starts it again: the
// batch resumes and every document reaches the printer exactly once.
func TestServiceStopDuringBatchLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL) // answers ~HS, so status queries are told apart from documents
	addr := freePort(t)
	configPath := filepath.Join(dir, "labelbridge.yaml")
	os.WriteFile(configPath, fmt.Appendf(nil, "listen: %s\ndata_dir: %s\nprinters:\n  - name: label-1\n    connection: %s\n    language: zpl\n",
		addr, filepath.Join(dir, "data"), sim.URL()), 0o600)
	logPath := filepath.Join(dir, "daemon.log")

	d := startDaemon(t, bin, configPath, addr, logPath)
	const n = 600
	id := postJob(t, addr, map[string]any{"printer": "label-1", "idempotency_key": "sigterm-batch", "documents": batch(n)})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sim.Wait(ctx, func(b []byte) bool { return bytes.Count(b, []byte("^XZ")) >= n/3 }); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- d.cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("daemon exited with %v after SIGTERM, want 0; log:\n%s", err, log)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("daemon still running 30s after SIGTERM")
	}
	counts, rest := countDocs(sim.Data())
	if rest != "" {
		t.Errorf("after SIGTERM the printer holds a document cut short: %q", rest)
	}
	if len(counts) >= n {
		t.Fatalf("the batch finished (%d documents) before SIGTERM; the test proves nothing", len(counts))
	}
	stoppedAt := len(counts)

	startDaemon(t, bin, configPath, addr, logPath)
	waitJobDone(t, addr, id)
	counts, rest = countDocs(sim.Data())
	for i := range n {
		if c := counts[fmt.Sprintf("%04d", i)]; c != 1 {
			t.Errorf("document %d printed %d times, want exactly once", i, c)
		}
	}
	if rest != "" {
		t.Errorf("the printer received bytes that are no whole document: %q", rest)
	}
	t.Logf("stopped at %d/%d documents", stoppedAt, n)
}
