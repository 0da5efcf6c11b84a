package daemon_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/daemon"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/queue"
	"github.com/labelbridge/labelbridge/render"
)

// testPrinter names a printer and where it is.
type testPrinter struct {
	name, url string
	lang      labelbridge.Language
}

var (
	layoutOnce sync.Once
	layout     *label.Layout
	layoutErr  error
)

// sharedLayout loads the fonts once for all tests.
func sharedLayout(t testing.TB) *label.Layout {
	t.Helper()
	layoutOnce.Do(func() { layout, layoutErr = label.New() })
	if layoutErr != nil {
		t.Fatal(layoutErr)
	}
	return layout
}

// harness is a real daemon on 127.0.0.1:0 with its store in a temp folder.
type harness struct {
	t      testing.TB
	dir    string
	q      *queue.Queue
	s      *daemon.Server
	config daemon.Config
	ps     []testPrinter
}

func start(t testing.TB, ps ...testPrinter) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), ps: ps}
	h.open()
	t.Cleanup(h.close)
	return h
}

func (h *harness) open() {
	h.t.Helper()
	var qps []queue.Printer
	renderers := map[string]*render.Renderer{}
	for _, p := range h.ps {
		addr, err := printer.ParseAddress(p.url)
		if err != nil {
			h.t.Fatal(err)
		}
		lang := p.lang
		qps = append(qps, queue.Printer{
			Name: p.name, Language: lang, Connection: p.url,
			Dial: func(ctx context.Context) (queue.Conn, error) {
				c, err := printer.Open(ctx, addr, printer.Options{DataDir: h.dir, Language: lang, DialTimeout: time.Second, WriteTimeout: 5 * time.Second})
				if err != nil {
					return nil, err
				}
				return c, nil
			},
		})
		r := &render.Renderer{Layout: sharedLayout(h.t), Printer: render.Printer{Name: p.name, Language: lang}}
		renderers[p.name] = r
		qps[len(qps)-1].Render = r.Render
	}
	q, err := queue.Open(queue.Config{Path: filepath.Join(h.dir, "store.db"), Printers: qps, Log: zerolog.Nop(),
		RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, IdleClose: 50 * time.Millisecond})
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := h.config
	cfg.Listen = "127.0.0.1:0"
	cfg.Queue = q
	cfg.Log = zerolog.Nop()
	cfg.Version = "test"
	cfg.Preview = func(name string, d *labelbridge.Document) ([][]byte, error) { return renderers[name].Preview(d) }
	s, err := daemon.Open(cfg)
	if err != nil {
		q.Close()
		h.t.Fatal(err)
	}
	h.q, h.s = q, s
}

func (h *harness) close() {
	if h.s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.s.Close(ctx); err != nil {
		h.t.Errorf("close server: %v", err)
	}
	if err := h.q.Close(); err != nil {
		h.t.Errorf("close queue: %v", err)
	}
	h.s, h.q = nil, nil
}

// client is a protocol client over a real WebSocket.
type client struct {
	t  testing.TB
	ws *websocket.Conn
}

func (h *harness) dial() *client {
	h.t.Helper()
	return h.dialWith(nil)
}

func (h *harness) dialWith(header http.Header) *client {
	h.t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial("ws://"+h.s.Addr()+"/v1/ws", header)
	if err != nil {
		h.t.Fatalf("dial: %v (%v)", err, resp)
	}
	h.t.Cleanup(func() { ws.Close() })
	return &client{t: h.t, ws: ws}
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) sendRaw(data []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, data); err != nil {
		c.t.Fatal(err)
	}
}

// frame is any frame the daemon sends, decoded loosely.
type frame map[string]any

func (f frame) str(k string) string { s, _ := f[k].(string); return s }
func (f frame) num(k string) int    { n, _ := f[k].(float64); return int(n) }
func (f frame) errCode() string {
	e, _ := f["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}
func (f frame) errPath() string {
	e, _ := f["error"].(map[string]any)
	s, _ := e["path"].(string)
	return s
}

func (c *client) read(d time.Duration) frame {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(d))
	var f frame
	if err := c.ws.ReadJSON(&f); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return f
}

// until reads frames until stop says so, returning all of them.
func (c *client) until(d time.Duration, stop func(frame) bool) []frame {
	c.t.Helper()
	deadline := time.Now().Add(d)
	var out []frame
	for {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %d frames; last %v", len(out), last(out))
		}
		f := c.read(time.Until(deadline))
		out = append(out, f)
		if stop(f) {
			return out
		}
	}
}

func last(fs []frame) frame {
	if len(fs) == 0 {
		return nil
	}
	return fs[len(fs)-1]
}

func jobFinal(id string) func(frame) bool {
	return func(f frame) bool {
		return f.str("type") == "job" && f.str("job_id") == id && labelbridge.JobState(f.str("state")).Final()
	}
}

func rawDocs(lang string, n int) []map[string]any {
	docs := make([]map[string]any, n)
	for i := range docs {
		docs[i] = map[string]any{"ref": fmt.Sprintf("order-%04d", i), "kind": "raw", "language": lang,
			"content": fmt.Sprintf("^XA^FO20,20^A0N,30,30^FDlabel %04d^FS^XZ\n", i)}
	}
	return docs
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
