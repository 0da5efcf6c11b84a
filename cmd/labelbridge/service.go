package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kardianos/service"
	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge/auth"
	"github.com/labelbridge/labelbridge/config"
)

// serviceName is the service's name in systemd and in the Windows service
// manager.
const serviceName = "labelbridge"

// Exit codes of install, uninstall, start, stop, restart and status, beyond
// 0 (done; for status: running and answering), 1 (failed) and 2 (usage).
// Deployment scripts act on them.
const (
	exitNotRunning       = 3 // status: installed, but not running
	exitNeedsAdmin       = 4 // the command needs root or an administrator
	exitNotInstalled     = 5 // the service is not installed
	exitAlreadyInstalled = 6 // install: the service is installed already
	exitNoServiceManager = 7 // this system has no service manager labelbridge supports
)

const serviceUsage = `usage:
  labelbridge install [--config PATH]   register the service, started at boot
  labelbridge uninstall                 remove the service (config and data stay)
  labelbridge start | stop | restart
  labelbridge status [--config PATH]    is it installed, running, answering?

  labelbridge service policy [--config PATH] [--remove]
      write (or remove) the browsers' policy for the config's allowed_origins
  labelbridge service configure [flags]   used by the Windows installer
  labelbridge service unconfigure [flags] used by the Windows installer

Exit codes: 0 done (status: running), 1 failed, 2 usage, 3 not running,
4 needs administrator rights, 5 not installed, 6 already installed,
7 no supported service manager (systemd on Linux, Windows).
`

// cmdService runs a service command: install, uninstall, start, stop,
// restart, status, or "service" followed by policy, configure or
// unconfigure. It returns the process exit code.
func cmdService(ctx context.Context, action string, args []string, stdout, stderr io.Writer) int {
	switch action {
	case "service":
		if len(args) == 0 {
			fmt.Fprint(stderr, serviceUsage)
			return 2
		}
		switch args[0] {
		case "policy":
			return cmdPolicy(args[1:], stdout, stderr)
		case "configure":
			return cmdConfigure(ctx, args[1:], stdout, stderr)
		case "unconfigure":
			return cmdUnconfigure(args[1:], stdout, stderr)
		case "help", "-h", "--help":
			fmt.Fprint(stdout, serviceUsage)
			return 0
		}
		fmt.Fprintf(stderr, "labelbridge service: unknown command %q\n\n%s", args[0], serviceUsage)
		return 2
	case "install", "uninstall", "start", "stop", "restart", "status":
	default:
		fmt.Fprintf(stderr, "labelbridge: unknown service command %q\n\n%s", action, serviceUsage)
		return 2
	}

	fs := flag.NewFlagSet(action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := defaultConfigPath()
	if action == "install" || action == "status" || action == "start" || action == "restart" {
		fs.StringVar(&configPath, "config", configPath, "the service's config file")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "labelbridge %s: unexpected argument %q\n\n%s", action, fs.Arg(0), serviceUsage)
		return 2
	}
	abs, err := filepath.Abs(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge %s: config path: %v\n", action, err)
		return 2
	}
	configPath = abs

	// Rights first: they are what most people running these commands lack.
	if action != "status" && !isAdmin() {
		fmt.Fprintf(stderr, "labelbridge %s: needs administrator rights: %s\n", action, adminHint(action))
		return exitNeedsAdmin
	}
	if err := serviceManagerCheck(); err != nil {
		fmt.Fprintf(stderr, "labelbridge %s: %v\n", action, err)
		return exitNoServiceManager
	}
	sc, err := serviceConfig(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge %s: %v\n", action, err)
		return 1
	}
	s, err := service.New(&serviceProgram{}, sc)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge %s: %v\n", action, err)
		return exitNoServiceManager
	}
	c := &serviceControl{
		svc:        s,
		configPath: configPath,
		stdout:     stdout,
		stderr:     stderr,
		prepare:    prepareInstall,
		packaged:   installedByPackage,
		health:     checkHealth,
		wait:       10 * time.Second,
	}
	return c.run(ctx, action)
}

// serviceControl carries out one service command on a service manager.
type serviceControl struct {
	svc        service.Service
	configPath string
	stdout     io.Writer
	stderr     io.Writer
	// prepare readies the system for the service before it is registered:
	// the config file, and on Linux the user it runs as.
	prepare func(configPath string, stdout io.Writer) error
	// packaged names the package that installed the service ("" when
	// none did): that package, not labelbridge uninstall, removes it.
	packaged func() string
	// health asks the running daemon at listen whether it can take jobs.
	health func(ctx context.Context, listen string) error
	// wait bounds how long start and restart wait for the daemon to answer.
	wait time.Duration
}

func (c *serviceControl) run(ctx context.Context, action string) int {
	status, statusErr := c.svc.Status()
	installed := !errors.Is(statusErr, service.ErrNotInstalled)
	if action == "install" {
		if installed {
			fmt.Fprintf(c.stderr, "labelbridge install: the service is installed already (%s); to change its config file, run labelbridge uninstall first\n", c.where())
			return exitAlreadyInstalled
		}
		return c.install()
	}
	if !installed {
		fmt.Fprintf(c.stderr, "labelbridge %s: the service is not installed (install it with: labelbridge install)\n", action)
		return exitNotInstalled
	}
	switch action {
	case "status":
		return c.status(ctx, status, statusErr)
	case "uninstall":
		return c.uninstall(status)
	case "start":
		if err := c.svc.Start(); err != nil {
			return c.fail(action, err)
		}
		return c.waitHealthy(ctx, "started")
	case "restart":
		if err := c.svc.Restart(); err != nil {
			return c.fail(action, err)
		}
		return c.waitHealthy(ctx, "restarted")
	case "stop":
		if err := c.svc.Stop(); err != nil {
			return c.fail(action, err)
		}
		fmt.Fprintln(c.stdout, "labelbridge: stopped; jobs not finished resume at the next start")
		return 0
	}
	return 2
}

func (c *serviceControl) install() int {
	if err := c.prepare(c.configPath, c.stdout); err != nil {
		return c.fail("install", err)
	}
	if err := c.svc.Install(); err != nil {
		return c.fail("install", err)
	}
	fmt.Fprintf(c.stdout, "labelbridge: service installed (%s); it starts at boot with %s\nStart it now with: labelbridge start\n", c.svc.Platform(), c.configPath)
	return 0
}

func (c *serviceControl) uninstall(status service.Status) int {
	if pkg := c.packaged(); pkg != "" {
		fmt.Fprintf(c.stderr, "labelbridge uninstall: the service was installed by %s; remove it the same way\n", pkg)
		return 1
	}
	if status == service.StatusRunning {
		if err := c.svc.Stop(); err != nil {
			return c.fail("uninstall", err)
		}
	}
	if err := c.svc.Uninstall(); err != nil {
		return c.fail("uninstall", err)
	}
	fmt.Fprintf(c.stdout, "labelbridge: service removed; the config %s and the data folder are kept\n", c.configPath)
	return 0
}

func (c *serviceControl) status(ctx context.Context, status service.Status, statusErr error) int {
	if statusErr != nil || status != service.StatusRunning {
		state := "stopped"
		if statusErr != nil {
			state = statusErr.Error()
		}
		fmt.Fprintf(c.stdout, "labelbridge: installed, not running (%s); logs: %s\n", state, logHint())
		return exitNotRunning
	}
	listen, err := c.listenAddr()
	if err != nil {
		fmt.Fprintf(c.stdout, "labelbridge: running; cannot ask it whether it takes jobs: %v\n", err)
		return 0
	}
	if err := c.health(ctx, listen); err != nil {
		fmt.Fprintf(c.stdout, "labelbridge: running, but http://%s/healthz: %v; logs: %s\n", listen, err, logHint())
		return 1
	}
	fmt.Fprintf(c.stdout, "labelbridge: running, taking jobs at http://%s/\n", listen)
	return 0
}

// waitHealthy waits until the daemon answers /healthz, or c.wait passes.
func (c *serviceControl) waitHealthy(ctx context.Context, done string) int {
	listen, err := c.listenAddr()
	if err != nil {
		fmt.Fprintf(c.stdout, "labelbridge: %s; cannot ask it whether it takes jobs: %v\n", done, err)
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, c.wait)
	defer cancel()
	for {
		err = c.health(ctx, listen)
		if err == nil {
			fmt.Fprintf(c.stdout, "labelbridge: %s, taking jobs at http://%s/\n", done, listen)
			return 0
		}
		select {
		case <-ctx.Done():
			fmt.Fprintf(c.stderr, "labelbridge: %s, but it does not answer at http://%s/healthz (%v); logs: %s\n", done, listen, err, logHint())
			return 1
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// listenAddr is where the service's daemon listens, from its config file,
// with an unspecified host replaced by loopback.
func (c *serviceControl) listenAddr() (string, error) {
	cfg, err := loadConfig(c.configPath, "", "")
	if err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return "", fmt.Errorf("listen %q: %w", cfg.Listen, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

func (c *serviceControl) where() string {
	if pkg := c.packaged(); pkg != "" {
		return "by " + pkg
	}
	return c.svc.Platform()
}

func (c *serviceControl) fail(action string, err error) int {
	fmt.Fprintf(c.stderr, "labelbridge %s: %v\n", action, err)
	if errors.Is(err, os.ErrPermission) {
		return exitNeedsAdmin
	}
	return 1
}

// checkHealth asks the daemon listening at listen for /healthz.
func checkHealth(ctx context.Context, listen string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+listen+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// baseServiceConfig is what every system's service definition shares.
func baseServiceConfig(configPath string) *service.Config {
	return &service.Config{
		Name:        serviceName,
		DisplayName: "labelbridge label printer bridge",
		Description: "Sends shipping labels and pick lists from web dashboards to thermal printers.",
		Arguments:   []string{"run", "--config", configPath},
		Option:      service.KeyValue{},
	}
}

// serviceProgram runs the daemon for a service manager that starts and
// stops it by calling Start and Stop (the Windows service manager, through
// kardianos/service). It runs the same Main as `labelbridge run`: Stop
// stops intake, lets each printer finish the document it is sending, and
// closes the store, as SIGTERM does for run.
type serviceProgram struct {
	cfg *config.Config
	log zerolog.Logger
	// stopTimeout bounds the server's shutdown; each printer still
	// finishes its document.
	stopTimeout time.Duration
	// exit ends the process when the daemon fails by itself, so that the
	// service manager sees a failure and restarts it.
	exit func(code int)

	m        *Main
	stop     chan struct{}
	once     sync.Once
	closeErr error
}

// Start opens the daemon; an error fails the service's start, and is
// logged where the service logs.
func (p *serviceProgram) Start(service.Service) error {
	m := &Main{Config: p.cfg, Log: p.log, Version: version}
	if err := m.Open(); err != nil {
		p.log.Error().Err(err).Msg("cannot start")
		return err
	}
	p.m = m
	p.stop = make(chan struct{})
	p.log.Info().Str("version", version).Str("data_dir", p.cfg.DataDir).Int("printers", len(p.cfg.Printers)).
		Str("addr", m.Server.Addr()).Msg("labelbridge running as a service")
	go p.watch()
	return nil
}

// watch ends the process when the server stops by itself.
func (p *serviceProgram) watch() {
	select {
	case <-p.stop:
	case err := <-p.m.Server.Err():
		p.log.Error().Err(err).Msg("server stopped")
		p.shutdown()
		p.exit(1)
	}
}

// Stop shuts the daemon down and returns once it has.
func (p *serviceProgram) Stop(service.Service) error {
	if p.m == nil {
		return nil
	}
	close(p.stop)
	return p.shutdown()
}

func (p *serviceProgram) shutdown() error {
	p.once.Do(func() {
		p.log.Info().Msg("shutting down: finishing the documents in flight")
		ctx, cancel := context.WithTimeout(context.Background(), p.stopTimeout)
		defer cancel()
		p.closeErr = p.m.Close(ctx)
		if p.closeErr != nil {
			p.log.Error().Err(p.closeErr).Msg("shutdown")
			return
		}
		p.log.Info().Msg("stopped")
	})
	return p.closeErr
}

// cmdPolicy writes or removes the browsers' managed policy.
func cmdPolicy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("service policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", defaultConfigPath(), "config file whose allowed_origins the policy allows")
	remove := fs.Bool("remove", false, "remove the policy instead")
	root := fs.String("root", "", "write under this root folder instead of / (packaging; Linux only)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *remove {
		if err := removeBrowserPolicy(*root); err != nil {
			fmt.Fprintf(stderr, "labelbridge service policy: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "labelbridge: browser policy removed")
		return 0
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge service policy: %v\n", err)
		return 1
	}
	return reportPolicy(cfg, *root, stdout, stderr)
}

func reportPolicy(cfg *config.Config, root string, stdout, stderr io.Writer) int {
	urls := browserPolicyURLs(cfg.AllowedOrigins)
	where, err := writeBrowserPolicy(root, urls)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge: browser policy: %v\n", err)
		return 1
	}
	if len(urls) == 0 {
		fmt.Fprintln(stdout, "labelbridge: no allowed_origins, so no browser policy")
		return 0
	}
	fmt.Fprintf(stdout, "labelbridge: browsers may let %s reach this PC's bridge (LocalNetworkAccessAllowedForUrls in %s)\n", strings.Join(urls, ", "), strings.Join(where, ", "))
	return 0
}

// localNetworkPolicy is the Chrome, Chromium and Edge policy that lets the
// listed sites reach addresses on the local network and this PC, such as
// the bridge on 127.0.0.1, without asking the user.
const localNetworkPolicy = "LocalNetworkAccessAllowedForUrls"

// browserPolicyURLs turns the config's allowed origins into the browsers'
// URL patterns: "https://*.example.com" becomes "https://[*.]example.com",
// which the browsers read as example.com and every subdomain.
func browserPolicyURLs(origins []string) []string {
	var urls []string
	for _, o := range origins {
		urls = append(urls, strings.Replace(o, "://*.", "://[*.]", 1))
	}
	return urls
}

// browserPolicyJSON is a managed policy file for Chrome, Chromium or Edge
// on Linux.
func browserPolicyJSON(urls []string) []byte {
	b, _ := json.MarshalIndent(map[string][]string{localNetworkPolicy: urls}, "", "  ")
	return append(b, '\n')
}

// installerSettings are the Windows installer's properties that make a
// config file.
type installerSettings struct {
	Port           string // "" for the default, 9110
	AllowedOrigins string // origins separated by commas, semicolons or spaces
	DataDir        string
}

// safeOrigin is what an origin may be made of before config checks it; it
// keeps an installer property from adding YAML of its own.
var safeOrigin = regexp.MustCompile(`^[A-Za-z0-9.:/*\[\]_-]+$`)

// installerConfig returns the text of a config file made from the
// installer's settings, checked as config.Load would check it.
func installerConfig(s installerSettings) ([]byte, error) {
	listen := config.DefaultListen
	if s.Port != "" {
		p, err := strconv.Atoi(s.Port)
		if err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("PORT %q: want a number from 1 to 65535", s.Port)
		}
		listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	}
	var quoted []string
	for _, o := range strings.FieldsFunc(s.AllowedOrigins, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t'
	}) {
		if !safeOrigin.MatchString(o) {
			return nil, fmt.Errorf("ALLOWED_ORIGINS: %q is not an origin such as https://seller.example.com", o)
		}
		quoted = append(quoted, strconv.Quote(o))
	}
	text := fmt.Sprintf(`# labelbridge configuration, written by the installer.
#
# After editing, check the file and restart the service (as administrator):
#   labelbridge config check --config "THIS FILE"
#   labelbridge restart
# After changing allowed_origins, also refresh the browsers' policy:
#   labelbridge service policy
# Upgrades keep this file as you left it.

# Reachable from this PC only, which is what a dashboard in this PC's
# browser needs.
listen: %s

# The job store (jobs survive restarts) and virtual printers' output.
data_dir: '%s'

# Web dashboards allowed to connect, as full origins.
allowed_origins: [%s]

# The printers, for example:
#   - name: label-1
#     connection: tcp://192.168.1.50:9100    # network printer, raw port 9100
#     language: zpl                           # zpl | escpos | tspl
#   - name: usb-label
#     connection: spooler://ZDesigner GK420d  # a printer installed in Windows
#     language: zpl
#   - name: receipt-1
#     connection: serial://COM3?baud=115200
#     language: escpos
printers: []
`, listen, strings.ReplaceAll(s.DataDir, "'", "''"), strings.Join(quoted, ", "))
	if _, err := config.Parse("labelbridge.yaml", []byte(text)); err != nil {
		return nil, err
	}
	return []byte(text), nil
}

// maxConfigBytes bounds a config file fetched by the installer.
const maxConfigBytes = 1 << 20

// fetchConfig reads a config file from a path (CONFIG) or an http(s) URL
// (CONFIG_URL) and checks it. Only YAML is taken: the service's config file
// is a .yaml file.
func fetchConfig(ctx context.Context, fromFile, fromURL string) ([]byte, error) {
	var (
		data []byte
		name string
		err  error
	)
	switch {
	case fromFile != "" && fromURL != "":
		return nil, errors.New("give CONFIG or CONFIG_URL, not both")
	case fromFile != "":
		name = fromFile
		data, err = readLimited(fromFile)
		if err != nil {
			return nil, fmt.Errorf("CONFIG: %w", err)
		}
	default:
		u, err := url.Parse(fromURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("CONFIG_URL %q: want an https:// or http:// address", fromURL)
		}
		name = u.Path
		data, err = download(ctx, fromURL)
		if err != nil {
			return nil, fmt.Errorf("CONFIG_URL: %w", err)
		}
	}
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".toml" {
		return nil, fmt.Errorf("%s: the service's config is YAML; convert this TOML file to YAML", name)
	}
	if _, err := config.Parse("labelbridge.yaml", data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxConfigBytes)
	}
	return data, nil
}

func download(ctx context.Context, rawURL string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s", rawURL, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rawURL, err)
	}
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", rawURL, maxConfigBytes)
	}
	return data, nil
}

// writeFileAtomic replaces path with data: a temporary file beside it,
// synced, then renamed over it, so that a crash leaves the old file or the
// new one, never half of one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), perm); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// cmdConfigure makes the service's config file and applies it to the
// system. The Windows installer runs it after registering the service; on
// Linux the packages ship the config file instead.
//
// A missing config file is written from --port and --allowed-origins. An
// existing one is kept as it is, whatever those say, so that upgrading with
// the same command line never undoes an administrator's edits; --from-file
// or --from-url replace it (the old one is kept as .bak), since asking for
// a given file is asking for exactly that.
func cmdConfigure(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("service configure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", defaultConfigPath(), "the service's config file")
	logPath := fs.String("log", "", "also append what is done to this file (default: logs/install.log beside the config on Windows)")
	port := fs.String("port", "", "PORT: the port to listen on, on 127.0.0.1")
	origins := fs.String("allowed-origins", "", "ALLOWED_ORIGINS: dashboards' origins, separated by commas")
	fromFile := fs.String("from-file", "", "CONFIG: use this config file")
	fromURL := fs.String("from-url", "", "CONFIG_URL: download the config file from this address")
	token := fs.String("token", "", "TOKEN: an admin access token (at least 16 characters) every client must then present")
	dataDir := fs.String("data-dir", "", "data folder of a new config (default: data beside the config on Windows, /var/lib/labelbridge elsewhere)")
	root := fs.String("root", "", "write the browsers' policy under this root folder instead of / (Linux only)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	out, closeLog := installLog(*logPath, *configPath, stdout)
	defer closeLog()
	fail := func(err error) int {
		msg := fmt.Sprintf("labelbridge service configure: %v", err)
		fmt.Fprintln(out, msg)
		fmt.Fprintln(stderr, msg)
		systemLogError(msg)
		return 1
	}
	path := *configPath
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fail(err)
	}
	if err := secureFolder(filepath.Dir(path)); err != nil {
		return fail(err)
	}
	_, statErr := os.Stat(path)
	exists := statErr == nil
	switch {
	case *fromFile != "" || *fromURL != "":
		data, err := fetchConfig(ctx, *fromFile, *fromURL)
		if err != nil {
			return fail(err)
		}
		if exists {
			old, err := os.ReadFile(path)
			if err != nil {
				return fail(err)
			}
			if err := writeFileAtomic(path+".bak", old, 0o644); err != nil {
				return fail(err)
			}
		}
		if err := writeFileAtomic(path, data, 0o644); err != nil {
			return fail(err)
		}
		fmt.Fprintf(out, "labelbridge: %s written from %s%s\n", path, *fromFile, *fromURL)
	case exists:
		if *port != "" || *origins != "" {
			fmt.Fprintf(out, "labelbridge: %s exists and is kept as it is; PORT and ALLOWED_ORIGINS apply only to a new config file\n", path)
		} else {
			fmt.Fprintf(out, "labelbridge: %s exists and is kept as it is\n", path)
		}
	case !errors.Is(statErr, os.ErrNotExist):
		return fail(statErr)
	default:
		dir := *dataDir
		if dir == "" {
			dir = defaultInstallDataDir(path)
		}
		data, err := installerConfig(installerSettings{Port: *port, AllowedOrigins: *origins, DataDir: dir})
		if err != nil {
			return fail(err)
		}
		if err := writeFileAtomic(path, data, 0o644); err != nil {
			return fail(err)
		}
		fmt.Fprintf(out, "labelbridge: %s written\n", path)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return fail(err)
	}
	if *token != "" {
		store, err := auth.Open(filepath.Join(cfg.DataDir, "tokens.json"))
		if err == nil {
			err = store.Set("installer", *token, "", true)
		}
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(out, "labelbridge: the installer's TOKEN is set (an admin token named \"installer\"); clients must now present a token")
	}
	if err := configureSystem(cfg, out); err != nil {
		return fail(err)
	}
	if code := reportPolicy(cfg, *root, out, out); code != 0 {
		return fail(errors.New("browser policy not written"))
	}
	return 0
}

// cmdUnconfigure undoes what configure did to the system: the browsers'
// policy. With --purge (a true value: 1, yes, true) and no --upgrading (the
// installer's UPGRADINGPRODUCTCODE, set when an upgrade removes the old
// version), it also deletes the folder holding the config, the data and the
// logs.
func cmdUnconfigure(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("service unconfigure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", defaultConfigPath(), "the service's config file")
	logPath := fs.String("log", "", "also append what is done to this file")
	purge := fs.String("purge", "", "PURGE: 1 deletes the config, the data and the logs")
	upgrading := fs.String("upgrading", "", "UPGRADINGPRODUCTCODE: set during an upgrade, which never purges")
	root := fs.String("root", "", "remove the browsers' policy under this root folder instead of / (Linux only)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	out, closeLog := installLog(*logPath, *configPath, stdout)
	code := 0
	if err := removeBrowserPolicy(*root); err != nil {
		fmt.Fprintf(out, "labelbridge service unconfigure: browser policy: %v\n", err)
		code = 1
	} else {
		fmt.Fprintln(out, "labelbridge: browser policy removed")
	}
	if !truthy(*purge) || *upgrading != "" {
		closeLog()
		return code
	}
	dir := filepath.Dir(*configPath)
	closeLog()
	if filepath.Base(dir) != serviceName {
		// Deleting a whole folder is only safe when it is labelbridge's own.
		fmt.Fprintf(stderr, "labelbridge service unconfigure: not purging %s: not a folder called %s\n", dir, serviceName)
		return 1
	}
	if err := os.RemoveAll(dir); err != nil {
		msg := fmt.Sprintf("labelbridge service unconfigure: purge: %v", err)
		fmt.Fprintln(stderr, msg)
		systemLogError(msg)
		return 1
	}
	fmt.Fprintf(stdout, "labelbridge: %s deleted\n", dir)
	return code
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "yes", "true", "y", "on":
		return true
	}
	return false
}

// installLog returns a writer to stdout and, when one is named or the
// system has a default, to an install log file appended to.
func installLog(logPath, configPath string, stdout io.Writer) (io.Writer, func()) {
	if logPath == "" {
		logPath = defaultInstallLog(configPath)
	}
	if logPath == "" {
		return stdout, func() {}
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return stdout, func() {}
	}
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return stdout, func() {}
	}
	fmt.Fprintf(f, "-- %s labelbridge %s %s\n", time.Now().Format(time.RFC3339), version, strings.Join(os.Args[1:], " "))
	return io.MultiWriter(stdout, f), func() { f.Close() }
}
