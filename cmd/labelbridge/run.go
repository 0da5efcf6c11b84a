package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"github.com/labelbridge/labelbridge/config"
	"github.com/labelbridge/labelbridge/daemon"
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
	printers := make([]queue.Printer, 0, len(cfg.Printers))
	for _, p := range cfg.Printers {
		opts := printer.Options{DataDir: cfg.DataDir, Language: p.Language}
		addr := p.Address
		r := &render.Renderer{Printer: render.Printer{Name: p.Name, Language: p.Language, DPI: p.DPI, Media: p.Media, Width: p.Width, Text: p.Text}}
		printers = append(printers, queue.Printer{
			Name: p.Name, Language: p.Language, Connection: p.Connection,
			Dial: func(ctx context.Context) (queue.Conn, error) {
				c, err := printer.Open(ctx, addr, opts)
				if err != nil {
					return nil, err
				}
				return c, nil
			},
			Render: r.Render,
		})
	}
	q, err := queue.Open(queue.Config{
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
		Queue:          q,
		Log:            m.Log,
		Version:        m.Version,
		AllowedOrigins: cfg.AllowedOrigins,
		Limits: daemon.Limits{
			MaxFrameBytes: cfg.Limits.MaxFrameBytes,
			MaxJobBytes:   cfg.Limits.MaxJobBytes,
			MaxDocuments:  cfg.Limits.MaxDocuments,
		},
		MaxConnections: cfg.Limits.MaxConnections,
		WriteTimeout:   cfg.Limits.WriteTimeout,
		IdleTimeout:    cfg.Limits.IdleTimeout,
	})
	if err != nil {
		q.Close()
		return err
	}
	m.Queue, m.Server = q, s
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
	return errors.Join(errs...)
}

// defaultDataDir is where a system install keeps its store.
func defaultDataDir() string {
	if runtime.GOOS == "windows" {
		if pd := os.Getenv("ProgramData"); pd != "" {
			return filepath.Join(pd, "labelbridge")
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
	cfg, err := loadConfig(*configPath, *listen, *dataDir)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge: %v\n", err)
		return 1
	}
	log := newLogger(stderr, cfg.Log.Level, cfg.Log.Format)
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
