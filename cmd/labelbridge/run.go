package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
	"golang.org/x/term"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/auth"
	"github.com/labelbridge/labelbridge/certs"
	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/daemon"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/pdf"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/queue"
	"github.com/labelbridge/labelbridge/render"
)

// Main is the whole daemon built from a Config: the queue with its printer
// workers and the server in front. Tests drive it directly on port 0 with a
// store in a temporary folder.
type Main struct {
	Config  *config.Config
	Log     zerolog.Logger
	Version string

	Queue  *queue.Queue
	Server *daemon.Server

	pdf *pdf.Rasterizer
}

// Open starts the queue, then the server.
func (m *Main) Open() error {
	cfg := m.Config
	if cfg.DataDir == "" {
		return errors.New("no data folder: set data_dir in the config or pass --data-dir")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	if err := checkExposure(cfg.Listen); err != nil {
		return err
	}
	layout, err := label.New()
	if err != nil {
		return err
	}
	// One PDFium for every printer, started on the first PDF and let go
	// when idle; its compiled code is cached in the data folder.
	m.pdf = &pdf.Rasterizer{CacheDir: filepath.Join(cfg.DataDir, "cache", "pdfium")}
	renderers := map[string]*render.Renderer{}
	printers := make([]queue.Printer, 0, len(cfg.Printers))
	for _, p := range cfg.Printers {
		r := &render.Renderer{Layout: layout, PDF: m.pdf, Printer: render.Printer{Name: p.Name, Language: p.Language, DPI: p.DPI, Media: p.Media, Width: p.Width, Text: p.Text}}
		renderers[p.Name] = r
		printers = append(printers, m.queuePrinter(p, r))
	}
	tokens, err := auth.Open(filepath.Join(cfg.DataDir, "tokens.json"))
	if err != nil {
		return err
	}
	var tlsCert *tls.Certificate
	if cfg.TLS.Listen != "" {
		if err := checkTLSExposure(cfg.TLS.Listen, tokens.Required()); err != nil {
			return err
		}
		cert, files, err := certs.Ensure(filepath.Join(cfg.DataDir, "tls"), cfg.TLS.Hosts, time.Now())
		if err != nil {
			return err
		}
		tlsCert = &cert
		m.Log.Info().Str("ca", files.CA).Msg("TLS: trust this local CA on the PCs whose browsers connect (labelbridge cert trust)")
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	q, err := queue.Open(queue.Config{
		Metrics:   reg,
		Path:      filepath.Join(cfg.DataDir, "labelbridge.db"),
		Printers:  printers,
		Log:       m.Log,
		Retention: cfg.Retention,
	})
	if err != nil {
		return err
	}
	s, err := daemon.Open(daemon.Config{
		Listen:         cfg.Listen,
		TLSListen:      cfg.TLS.Listen,
		TLSCert:        tlsCert,
		Hosts:          cfg.TLS.Hosts,
		Queue:          q,
		Log:            m.Log,
		Version:        m.Version,
		AllowedOrigins: cfg.AllowedOrigins,
		Limits: daemon.Limits{
			MaxFrameBytes: cfg.Limits.MaxFrameBytes,
			MaxJobBytes:   cfg.Limits.MaxJobBytes,
			MaxDocuments:  cfg.Limits.MaxDocuments,
		},
		MaxConnections:    cfg.Limits.MaxConnections,
		WriteTimeout:      cfg.Limits.WriteTimeout,
		IdleTimeout:       cfg.Limits.IdleTimeout,
		RequestsPerSecond: cfg.Limits.RequestsPerSecond,
		Tokens:            tokens,
		Metrics:           promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		Discover:          printer.Discover,
		PDFPages: func(content []byte) (int, error) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			return m.pdf.PageCount(ctx, content)
		},
		OriginsFile: filepath.Join(cfg.DataDir, "origins.json"),
		Preview: func(name string, doc *labelbridge.Document) ([][]byte, error) {
			return renderers[name].Preview(doc)
		},
	})
	if err != nil {
		q.Close()
		return err
	}
	m.Queue, m.Server = q, s
	return nil
}

// queuePrinter wires one configured printer to its transport and renderer.
// A virtual printer also keeps a PNG of each document beside its bytes.
func (m *Main) queuePrinter(p config.Printer, r *render.Renderer) queue.Printer {
	opts := printer.Options{DataDir: m.Config.DataDir, Language: p.Language}
	addr := p.Address
	// Dial and Sent run on the printer's one worker goroutine, so the
	// virtual link they share needs no lock.
	var virtual *printer.Virtual
	qp := queue.Printer{
		Name: p.Name, Language: p.Language, Connection: p.Connection,
		Dial: func(ctx context.Context) (queue.Conn, error) {
			c, err := printer.Open(ctx, addr, opts)
			if err != nil {
				return nil, err
			}
			virtual, _ = c.(*printer.Virtual)
			return c, nil
		},
		Render: r.Render,
	}
	switch addr.Scheme {
	case printer.SchemeTCP, printer.SchemeSerial, printer.SchemeUSB:
		// Links that can read answers: ask the printer how it is.
		lang := p.Language
		qp.Probe = func(ctx context.Context, c queue.Conn) (queue.Health, error) {
			st, err := printer.QueryStatus(ctx, c.(printer.Conn), lang)
			if err != nil {
				return queue.Health{State: string(printer.StateUnknown)}, err
			}
			return healthOf(st), nil
		}
		qp.Confirm = func(ctx context.Context, c queue.Conn, pending int) (bool, error) {
			// A thermal printer does a label in one to three seconds.
			return printer.ConfirmPrinted(ctx, c.(printer.Conn), lang, 10*time.Second+time.Duration(pending)*3*time.Second)
		}
	}
	if addr.Scheme == printer.SchemeVirtual {
		qp.Sent = func(doc *labelbridge.Document, _ []byte) {
			if virtual == nil || doc.Kind == labelbridge.KindRaw {
				return
			}
			if err := writePreviews(virtual.LastPath(), r, doc); err != nil {
				m.Log.Warn().Err(err).Str("printer", p.Name).Msg("virtual printer: no PNG for this document")
			}
		}
	}
	return qp
}

// healthOf turns a printer's status answer into the queue's view: the first
// fault reported holds jobs.
func healthOf(st printer.Status) queue.Health {
	h := queue.Health{State: string(st.State)}
	if len(st.Faults) > 0 {
		msg := st.Detail
		if msg == "" {
			msg = string(st.Faults[0])
		}
		h.Fault = &labelbridge.Problem{Code: st.Faults[0], Message: msg}
	}
	return h
}

// writePreviews puts doc's pages beside the document file: 000007.png, or
// 000007-1.png, 000007-2.png… for several pages.
func writePreviews(docPath string, r *render.Renderer, doc *labelbridge.Document) error {
	pngs, err := r.Preview(doc)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(docPath, filepath.Ext(docPath))
	for i, data := range pngs {
		name := base + ".png"
		if len(pngs) > 1 {
			name = fmt.Sprintf("%s-%d.png", base, i+1)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Close stops intake first, lets each printer finish the document it is
// writing, and closes the store last.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.Server != nil {
		errs = append(errs, m.Server.Close(ctx))
	}
	if m.Queue != nil {
		errs = append(errs, m.Queue.Close())
	}
	if m.pdf != nil {
		errs = append(errs, m.pdf.Close())
	}
	return errors.Join(errs...)
}

// checkExposure keeps the plain listener on this machine: from the LAN it
// would carry tokens and order data unencrypted. Serving the LAN is the TLS
// listener's job (checkTLSExposure).
func checkExposure(listen string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen %q: %w", listen, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("listen %s: refusing to listen beyond this machine (%q is not a loopback address) without TLS: "+
		"keep listen on 127.0.0.1 and set tls.listen (with tokens) to serve the LAN", listen, host)
}

// checkTLSExposure lets the TLS listener reach beyond this machine only when
// access tokens are configured: otherwise any device on the LAN could print.
func checkTLSExposure(listen string, tokens bool) error {
	if checkExposure(listen) == nil || tokens {
		return nil
	}
	return fmt.Errorf("tls.listen %s: refusing to serve the LAN without access tokens; create one first: labelbridge token new NAME", listen)
}

// defaultDataDir is where a system install keeps its store.
func defaultDataDir() string {
	if runtime.GOOS == "windows" {
		if pd := os.Getenv("ProgramData"); pd != "" {
			return filepath.Join(pd, "labelbridge", "data")
		}
	}
	return "/var/lib/labelbridge"
}

// loadConfig applies defaults, then the file, then flags.
func loadConfig(path, listen, dataDir string) (*config.Config, error) {
	cfg := config.Default()
	if path != "" {
		c, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	if listen != "" {
		cfg.Listen = listen
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	if cfg.DataDir == "" {
		cfg.DataDir = defaultDataDir()
	}
	return cfg, nil
}

// newLogger writes human-readable lines to a terminal and JSON otherwise.
func newLogger(w io.Writer, level, format string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil || level == "" {
		lvl = zerolog.InfoLevel
	}
	out := w
	console := format == "console"
	if format == "" || format == "auto" {
		f, ok := w.(*os.File)
		console = ok && term.IsTerminal(int(f.Fd()))
	}
	if console {
		out = zerolog.ConsoleWriter{Out: w, TimeFormat: "15:04:05.000"}
	}
	return zerolog.New(out).Level(lvl).With().Timestamp().Logger()
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (.yaml, .yml or .toml)")
	listen := fs.String("listen", "", "listen address, overrides the config (e.g. 127.0.0.1:9110)")
	dataDir := fs.String("data-dir", "", "data folder, overrides the config")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *configPath == "" {
		// An installed service finds its config where the OS keeps them.
		if _, err := os.Stat(defaultConfigPath()); err == nil {
			*configPath = defaultConfigPath()
		}
	}
	cfg, err := loadConfig(*configPath, *listen, *dataDir)
	if err != nil {
		logStartFailure(err)
		fmt.Fprintf(stderr, "labelbridge: %v\n", err)
		return 1
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	if handled, code := runUnderServiceManager(cfg, log); handled {
		return code
	}
	return runDaemon(ctx, cfg, log)
}

// runDaemon runs until ctx ends (SIGINT or SIGTERM), then shuts down. A
// second signal exits at once.
func runDaemon(ctx context.Context, cfg *config.Config, log zerolog.Logger) int {
	m := &Main{Config: cfg, Log: log, Version: version}
	if err := m.Open(); err != nil {
		log.Error().Err(err).Msg("cannot start")
		return 1
	}
	log.Info().Str("version", version).Str("data_dir", cfg.DataDir).Int("printers", len(cfg.Printers)).
		Str("addr", m.Server.Addr()).Msg("labelbridge running")
	code := 0
	select {
	case <-ctx.Done():
		log.Info().Msg("shutting down: finishing the documents in flight")
	case err := <-m.Server.Err():
		log.Error().Err(err).Msg("server stopped")
		code = 1
	}
	go exitOnSecondSignal(log)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.Close(shutdownCtx); err != nil {
		log.Error().Err(err).Msg("shutdown")
		return 1
	}
	log.Info().Msg("stopped")
	return code
}
