// Package daemon serves protocol v1: the WebSocket endpoint, the HTTP API,
// health and the status page. It is the only package that knows about
// WebSocket and JSON frames; below it the queue speaks in labelbridge types.
package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/auth"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/queue"
	"github.com/labelbridge/labelbridge/web"
)

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	// Listen is the address to bind, "127.0.0.1:9110" by default; port 0
	// picks a free one (see Server.Addr).
	Listen string
	// TLSListen, with TLSCert, also serves https:// and wss:// there.
	TLSListen string
	TLSCert   *tls.Certificate
	Queue     *queue.Queue
	Log       zerolog.Logger
	// Version appears in welcome as "labelbridge/VERSION".
	Version string
	// AllowedOrigins are the browser origins that may connect, e.g.
	// "https://seller.example.com" or "https://*.example.com".
	AllowedOrigins []string
	// Hosts are extra names the Host header may carry besides loopback
	// names (a DNS-rebinding defence).
	Hosts  []string
	Limits Limits
	// MaxConnections bounds concurrent WebSocket connections; 256.
	MaxConnections int
	// WriteTimeout bounds one frame's write to a client; 10s.
	WriteTimeout time.Duration
	// IdleTimeout closes a connection that sends nothing, not even a pong,
	// this long; 10m. Pings go out at a third of it, at most every 30s.
	IdleTimeout time.Duration
	// Backlog is how many frames may wait for a slow client before it is
	// cut off; 1024.
	Backlog int
	// RequestsPerSecond bounds each connection's requests (bursts of twice
	// as many pass); 200.
	RequestsPerSecond float64
	// Tokens, when it holds an active token, makes every client present
	// one: in hello, or as "Authorization: Bearer" over HTTP.
	Tokens *auth.Store
	// OriginsFile keeps origins an admin allowed or denied at run time.
	OriginsFile string
	// Discover finds printers attached to this machine or, with a subnet,
	// on the LAN; nil disables discovery requests.
	Discover func(ctx context.Context, o printer.DiscoverOptions) ([]printer.Found, error)
	// PDFPages counts a PDF's pages (refusing corrupt, encrypted or empty
	// ones); nil refuses pdf documents.
	PDFPages func(content []byte) (int, error)
	// Metrics serves GET /metrics (Prometheus text format) when set.
	Metrics http.Handler
	// Preview renders a document for a printer as PNG pages; nil answers
	// preview requests with unsupported_kind.
	Preview func(printer string, doc *labelbridge.Document) ([][]byte, error)
}

// Server is a running daemon front end.
type Server struct {
	cfg      Config
	q        *queue.Queue
	log      zerolog.Logger
	ln       net.Listener
	tlsLn    net.Listener
	http     *http.Server
	upgrader websocket.Upgrader

	origins *origins

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool

	wg       sync.WaitGroup
	serveErr chan error
}

// Open binds the listener (so "address in use" is reported here, at once)
// and starts serving.
func Open(cfg Config) (*Server, error) {
	if cfg.Queue == nil {
		return nil, errors.New("daemon: no queue")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:9110"
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 256
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = 1024
	}
	if cfg.Limits.MaxFrameBytes <= 0 {
		cfg.Limits.MaxFrameBytes = 64 << 20
	}
	if cfg.Limits.MaxJobBytes <= 0 {
		cfg.Limits.MaxJobBytes = 256 << 20
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.RequestsPerSecond <= 0 {
		cfg.RequestsPerSecond = 200
	}
	origins, err := newOrigins(cfg.AllowedOrigins, cfg.OriginsFile)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	s := &Server{cfg: cfg, q: cfg.Queue, log: cfg.Log, ln: ln, origins: origins, conns: map[*conn]struct{}{}, serveErr: make(chan error, 1)}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:  32 << 10,
		WriteBufferSize: 32 << 10,
		// The origin was checked before the upgrade; see guard.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          nil,
	}
	if cfg.TLSListen != "" {
		if cfg.TLSCert == nil {
			ln.Close()
			return nil, errors.New("daemon: TLS listen address without a certificate")
		}
		tln, err := net.Listen("tcp", cfg.TLSListen)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("listen %s (tls): %w", cfg.TLSListen, err)
		}
		s.tlsLn = tls.NewListener(tln, &tls.Config{Certificates: []tls.Certificate{*cfg.TLSCert}, MinVersion: tls.VersionTLS12})
	}
	for _, l := range []net.Listener{ln, s.tlsLn} {
		if l == nil {
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error().Err(err).Msg("http server stopped")
				select {
				case s.serveErr <- err:
				default:
				}
			}
		}()
		s.log.Info().Str("listen", l.Addr().String()).Msg("listening")
	}
	return s, nil
}

// Addr returns the bound address, e.g. "127.0.0.1:9110".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// TLSAddr returns the bound TLS address, or "" without TLS.
func (s *Server) TLSAddr() string {
	if s.tlsLn == nil {
		return ""
	}
	return s.tlsLn.Addr().String()
}

// Err delivers the error that stopped the server, if it stops by itself.
func (s *Server) Err() <-chan error { return s.serveErr }

// Close stops intake: it closes the listener and every connection, then
// waits for their goroutines. The queue is closed by its owner, after this.
func (s *Server) Close(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.close(websocket.CloseGoingAway, "server shutting down")
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ws", s.serveWS)
	mux.HandleFunc("POST /v1/jobs", s.postJob)
	mux.HandleFunc("GET /v1/jobs/{id}", s.getJob)
	mux.HandleFunc("GET /v1/jobs", s.listJobs)
	mux.HandleFunc("POST /v1/jobs/{id}/reprint", s.reprintJob)
	mux.HandleFunc("POST /v1/jobs/{id}/cancel", s.cancelJob)
	mux.HandleFunc("POST /v1/printers/{name}/test", s.testPrint)
	mux.HandleFunc("GET /v1/printers", s.getPrinters)
	mux.HandleFunc("POST /v1/preview", s.postPreview)
	mux.HandleFunc("GET /v1/discover", s.getDiscover)
	mux.HandleFunc("GET /v1/origins", s.getOrigins)
	mux.HandleFunc("POST /v1/origins", s.postOrigin)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /v1/client.js", s.clientJS)
	if s.cfg.Metrics != nil {
		mux.Handle("GET /metrics", s.cfg.Metrics)
	}
	// The status page (web/): index.html at "/", its files under /ui/.
	ui := web.Handler()
	mux.Handle("GET /{$}", ui)
	mux.Handle("GET "+web.AssetPrefix, ui)
	return s.guard(mux)
}

// guard runs before any handler or upgrade: it refuses requests whose Host
// is not ours (DNS rebinding), browser requests from origins not allowed, and
// API requests without a valid token when tokens are configured.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			writeHTTPError(w, http.StatusForbidden, labelbridge.Errorf(labelbridge.CodeUnauthorized, "host %q is not served here", r.Host))
			return
		}
		if r.URL.Path == "/v1/client.js" && r.Method == http.MethodGet {
			// Public code, no data: any page may load it, so a page from an
			// origin not yet allowed can still say why it cannot print.
			w.Header().Set("Access-Control-Allow-Origin", "*")
			next.ServeHTTP(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		switch {
		case origin == "":
			// Scripts and servers send no Origin: accept them on loopback,
			// where they run on this machine, or with a token.
			if !isLoopback(r.RemoteAddr) && !s.tokensRequired() {
				writeHTTPError(w, http.StatusForbidden, labelbridge.Errorf(labelbridge.CodeUnauthorized, "requests without an Origin are accepted from this machine only"))
				return
			}
		case !s.originAllowed(origin, r.Host):
			s.log.Warn().Str("origin", origin).Msg("refused a request from an origin not allowed; it is listed as pending")
			writeHTTPError(w, http.StatusForbidden, labelbridge.Errorf(labelbridge.CodeUnauthorized, "origin %s is not allowed; add it to allowed_origins", origin))
			return
		default:
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
				w.Header().Set("Access-Control-Max-Age", "600")
				// Chrome asks before a public page may reach a private
				// address; answer yes only for origins allowed above.
				if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
					w.Header().Set("Access-Control-Allow-Private-Network", "true")
				}
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		// The WebSocket checks its token in hello, since browsers cannot
		// set headers on an upgrade; health and the status page are open.
		if strings.HasPrefix(r.URL.Path, "/v1/") && r.URL.Path != "/v1/ws" && s.tokensRequired() {
			if _, err := s.checkToken(bearer(r), origin); err != nil {
				writeHTTPError(w, http.StatusUnauthorized, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

func (s *Server) tokensRequired() bool {
	return s.cfg.Tokens != nil && s.cfg.Tokens.Required()
}

// checkToken returns the token's record, or an unauthorized error that says
// what is wrong without echoing the secret.
func (s *Server) checkToken(secret, origin string) (auth.Token, error) {
	t, err := s.cfg.Tokens.Check(secret, origin)
	if err != nil {
		return t, &labelbridge.Error{Code: labelbridge.CodeUnauthorized, Message: err.Error()}
	}
	return t, nil
}

func (s *Server) hostAllowed(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(strings.ToLower(h), "[]")
	switch h {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, addr := range []string{s.Addr(), s.TLSAddr()} {
		if lh, _, err := net.SplitHostPort(addr); err == nil && strings.EqualFold(lh, h) {
			return true
		}
	}
	for _, allowed := range s.cfg.Hosts {
		if strings.EqualFold(allowed, h) {
			return true
		}
	}
	return false
}

// originAllowed accepts configured and admin-allowed origins, and the
// daemon's own status page.
func (s *Server) originAllowed(origin, host string) bool {
	o := strings.TrimRight(origin, "/")
	if (strings.EqualFold(o, "http://"+host) || strings.EqualFold(o, "https://"+host)) && s.hostAllowed(host) {
		return true
	}
	return s.origins.allow(origin)
}

func isLoopback(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) printerLanguage(name string) (labelbridge.Language, bool) {
	for _, p := range s.q.Printers() {
		if p.Name == name {
			return p.Language, true
		}
	}
	return "", false
}
