package daemon

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/queue"
)

// conn is one WebSocket client. Three goroutines serve it: the reader
// (handling requests in order), the pump (turning queue events into frames)
// and the writer (the only one writing data frames). Replies and events
// meet in out, in the order they must reach the client.
type conn struct {
	s      *Server
	ws     *websocket.Conn
	log    zerolog.Logger
	out    chan outFrame
	ctx    context.Context
	cancel context.CancelFunc
	sub    *queue.Subscription
	origin string
	limit  bucket

	// sendMu is held while the pump sends an event and while a subscribe
	// moves the subscription. mu guards the delivery state below; it is
	// never held while waiting for room in out, since the queue's commit
	// hook takes it.
	sendMu        sync.Mutex
	mu            sync.Mutex
	owned         map[string]bool // jobs this connection submitted
	subscribed    bool
	subSince      uint64
	lastDelivered uint64
	authed        bool

	closed    atomic.Bool
	closeOnce sync.Once
}

// outFrame is a data frame, or (with closeCode set) the close frame that
// ends the connection once everything before it was written.
type outFrame struct {
	data      []byte
	closeCode int
	reason    string
}

// bucket is a token bucket: rate requests a second, bursts up to burst.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func (b *bucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	// A hijacked connection is not waited for by http.Server.Shutdown:
	// Close waits for it through s.wg instead.
	s.mu.Lock()
	full, closed := len(s.conns) >= s.cfg.MaxConnections, s.closed
	if !full && !closed {
		s.wg.Add(1)
	}
	s.mu.Unlock()
	if closed {
		writeHTTPError(w, http.StatusServiceUnavailable, labelbridge.Errorf(labelbridge.CodeInternal, "shutting down"))
		return
	}
	if full {
		writeHTTPError(w, http.StatusServiceUnavailable, labelbridge.Errorf(labelbridge.CodeRateLimited, "too many connections (%d)", s.cfg.MaxConnections))
		return
	}
	defer s.wg.Done()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		// The upgrader has answered the client already.
		s.log.Debug().Err(err).Msg("websocket upgrade")
		return
	}
	if tc, ok := ws.NetConn().(*net.TCPConn); ok {
		// A fixed, modest socket buffer: a client that stops reading fills
		// it soon, so its backlog shows in out and it is cut off, instead
		// of megabytes piling up in the kernel.
		tc.SetWriteBuffer(64 << 10)
	}
	latest, _ := s.q.Latest()
	c := &conn{
		s: s, ws: ws,
		log:           s.log.With().Str("remote", r.RemoteAddr).Logger(),
		out:           make(chan outFrame, s.cfg.Backlog),
		origin:        r.Header.Get("Origin"),
		limit:         bucket{rate: s.cfg.RequestsPerSecond, burst: 2 * s.cfg.RequestsPerSecond},
		owned:         map[string]bool{},
		lastDelivered: latest,
		sub:           s.q.Subscribe(latest),
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close(websocket.CloseGoingAway, "server shutting down")
		return
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.wg.Add(2)
	go func() { defer s.wg.Done(); c.pump() }()
	go func() { defer s.wg.Done(); c.write() }()
	c.read()
	c.cancel()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// close sends a close frame with a reason and ends the connection. It takes
// no lock, so it works while a reply waits for room.
func (c *conn) close(code int, reason string) {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		c.cancel()
		c.ws.Close()
	})
}

// sendLocked queues a frame that must not wait: the accepted reply, sent
// from inside the queue's commit, and a last error before closing. A client too slow to take its frames
// is cut off with the reason, never waited for: status must not hold up
// printing. The caller holds c.mu.
func (c *conn) sendLocked(v any) {
	if c.closed.Load() {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		c.log.Error().Err(err).Msg("encode frame")
		return
	}
	select {
	case c.out <- outFrame{data: data}:
	default:
		c.log.Warn().Int("backlog", cap(c.out)).Msg("client too slow; disconnecting")
		go c.close(websocket.ClosePolicyViolation, fmt.Sprintf("rate_limited: more than %d frames unread; reconnect and subscribe since your last seq", cap(c.out)))
	}
}

// reply queues the answer to a request, waiting for room: a client that
// sends requests faster than it reads answers is slowed down, not cut off.
func (c *conn) reply(v any) {
	if !c.closed.Load() {
		c.enqueue(v)
	}
}

// sendAndClose queues a last frame, then the close frame.
func (c *conn) sendAndClose(v any, code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sendLocked(v)
	select {
	case c.out <- outFrame{closeCode: code, reason: reason}:
	default:
	}
}

func (c *conn) send(v any) { c.reply(v) }

func (c *conn) write() {
	defer c.ws.Close()
	pingEvery := min(c.s.cfg.IdleTimeout/3, 30*time.Second)
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case f := <-c.out:
			if f.closeCode != 0 {
				c.close(f.closeCode, f.reason)
				return
			}
			c.ws.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
				// Mostly a client that stopped reading: nothing moved for
				// WriteTimeout. Its events wait in the store; it may
				// reconnect and subscribe since its last seq.
				c.log.Warn().Err(err).Msg("client not reading; disconnecting")
				c.close(websocket.ClosePolicyViolation, "rate_limited: not reading; reconnect and subscribe since your last seq")
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.s.cfg.WriteTimeout)); err != nil {
				c.cancel()
				return
			}
		}
	}
}

// pump delivers queue events: this connection's own jobs always, every job
// once it has subscribed. Each event reaches the client once.
func (c *conn) pump() {
	for {
		ev, gen, err := c.sub.Next(c.ctx)
		if err != nil {
			if c.ctx.Err() == nil {
				c.log.Error().Err(err).Msg("read events")
				c.close(websocket.CloseInternalServerErr, "internal: event store unreadable")
			}
			return
		}
		// sendMu keeps a subscribe from slipping between deciding to send
		// an event and sending it. The wait for room in out holds no lock
		// the queue needs: a slow client slows only itself, and one that
		// stops reading is dropped when a write times out (write()).
		c.sendMu.Lock()
		c.mu.Lock()
		want := gen == c.sub.Generation() && c.wants(ev)
		c.mu.Unlock()
		if want {
			if !c.enqueue(eventFrame(ev)) {
				c.sendMu.Unlock()
				return
			}
			c.mu.Lock()
			c.lastDelivered = max(c.lastDelivered, ev.Seq)
			c.mu.Unlock()
		}
		c.sendMu.Unlock()
	}
}

// enqueue waits for room in out; it reports false when the connection ended.
func (c *conn) enqueue(v any) bool {
	data, err := json.Marshal(v)
	if err != nil {
		c.log.Error().Err(err).Msg("encode frame")
		return true
	}
	select {
	case c.out <- outFrame{data: data}:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// wants decides delivery; the caller holds c.mu. After a subscribe replays
// from an earlier seq, own-job events already delivered are skipped.
func (c *conn) wants(ev labelbridge.Event) bool {
	own := ev.JobID != "" && c.owned[ev.JobID]
	if own && ev.Seq <= c.lastDelivered {
		return false
	}
	if c.subscribed && ev.Seq > c.subSince {
		return true
	}
	return own && ev.Seq > c.lastDelivered
}

var idInFrame = regexp.MustCompile(`^\s*\{[^{]*?"id"\s*:\s*("(?:[^"\\]|\\.){0,256}"|-?[0-9]{1,20})`)

func (c *conn) read() {
	lim := c.s.cfg.Limits.MaxFrameBytes
	c.ws.SetReadDeadline(time.Now().Add(c.s.cfg.IdleTimeout))
	c.ws.SetPongHandler(func(string) error {
		c.ws.SetReadDeadline(time.Now().Add(c.s.cfg.IdleTimeout))
		return nil
	})
	for {
		kind, r, err := c.ws.NextReader()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) && c.ctx.Err() == nil {
				c.log.Debug().Err(err).Msg("read from client")
			}
			return
		}
		c.ws.SetReadDeadline(time.Now().Add(c.s.cfg.IdleTimeout))
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(r, lim+1))
		if err != nil {
			return
		}
		if n > lim {
			// Read the rest and throw it away, so this connection and the
			// frames after this one carry on.
			if _, err := io.Copy(io.Discard, r); err != nil {
				return
			}
			var id json.RawMessage
			if m := idInFrame.FindSubmatch(buf.Bytes()[:min(buf.Len(), 4096)]); m != nil {
				id = m[1]
			}
			c.send(errorFrame{Type: "error", ID: id, Error: errorBody{Code: labelbridge.CodeTooLarge,
				Message: fmt.Sprintf("frame is over %d bytes", lim)}})
			continue
		}
		if !c.limit.allow(time.Now()) {
			var id json.RawMessage
			if m := idInFrame.FindSubmatch(buf.Bytes()[:min(buf.Len(), 4096)]); m != nil {
				id = m[1]
			}
			c.send(errorFrame{Type: "error", ID: id, Error: errorBody{Code: labelbridge.CodeRateLimited,
				Message: fmt.Sprintf("more than %g requests a second; slow down", c.s.cfg.RequestsPerSecond)}})
			continue
		}
		if kind != websocket.TextMessage {
			c.send(errorFrame{Type: "error", Error: errorBody{Code: labelbridge.CodeBadJSON, Message: "send JSON in text frames"}})
			continue
		}
		c.handle(buf.Bytes())
	}
}

type envelope struct {
	Type string
	ID   json.RawMessage
	obj  *object
}

func (c *conn) handle(frame []byte) {
	var raw json.RawMessage = frame
	if !json.Valid(frame) {
		var id json.RawMessage
		if m := idInFrame.FindSubmatch(frame[:min(len(frame), 4096)]); m != nil {
			id = m[1]
		}
		c.send(errorFrame{Type: "error", ID: id, Error: errorBody{Code: labelbridge.CodeBadJSON, Message: jsonSyntaxMessage(frame)}})
		return
	}
	o, err := decodeObject(raw, "")
	if err != nil {
		c.send(errorFrame{Type: "error", Error: errorBody{Code: labelbridge.CodeBadJSON, Message: "a request is a JSON object"}})
		return
	}
	env := envelope{obj: o}
	if id, ok := o.raw("id"); ok {
		var s string
		var n json.Number
		if json.Unmarshal(id, &s) != nil && json.Unmarshal(id, &n) != nil {
			c.send(errorFrame{Type: "error", Error: errorOf(labelbridge.Invalid("id", "want a string or number, got %s", jsonKind(id)))})
			return
		}
		env.ID = id
	}
	if env.Type, err = o.str("type", true, 64); err != nil {
		c.send(errorFrame{Type: "error", ID: env.ID, Error: errorOf(err)})
		return
	}
	if env.Type != "hello" && !c.authed && c.s.tokensRequired() {
		c.sendAndClose(errorFrame{Type: "error", ID: env.ID, Error: errorBody{Code: labelbridge.CodeUnauthorized,
			Message: "send hello with a valid token first"}}, websocket.ClosePolicyViolation, "unauthorized")
		return
	}
	if err := c.dispatch(env); err != nil {
		if labelbridge.ErrorCode(err) == labelbridge.CodeUnauthorized {
			c.sendAndClose(errorFrame{Type: "error", ID: env.ID, Error: errorOf(err)}, websocket.ClosePolicyViolation, "unauthorized")
			return
		}
		if labelbridge.ErrorCode(err) == labelbridge.CodeInternal {
			c.log.Error().Err(err).Str("type", env.Type).Msg("request failed")
		}
		c.send(errorFrame{Type: "error", ID: env.ID, Error: errorOf(err)})
	}
}

func jsonSyntaxMessage(frame []byte) string {
	var v any
	err := json.Unmarshal(frame, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if err != nil {
		return "invalid JSON: " + err.Error()
	}
	return "invalid JSON"
}

func (c *conn) dispatch(env envelope) error {
	o := env.obj
	switch env.Type {
	case "hello":
		token, err := o.str("token", false, 512)
		if err != nil {
			return err
		}
		if c.s.tokensRequired() {
			if _, err := c.s.checkToken(token, c.origin); err != nil {
				c.log.Warn().Str("origin", c.origin).Msg("hello with a token not valid")
				return err
			}
		}
		c.mu.Lock()
		c.authed = true
		c.mu.Unlock()
		if _, err := o.str("client", false, 256); err != nil {
			return err
		}
		if err := o.unknown(); err != nil {
			return err
		}
		c.send(welcomeFrame{Type: "welcome", ID: env.ID, Protocol: 1, Server: "labelbridge/" + c.s.cfg.Version, Printers: c.s.q.Printers()})
	case "print":
		jobRaw, ok := o.raw("job")
		if !ok {
			return labelbridge.Invalid("job", "required")
		}
		if err := o.unknown(); err != nil {
			return err
		}
		job, err := decodeJob(jobRaw, "job", c.s.cfg.Limits, c.s.printerLanguage, c.s.cfg.PDFPages)
		if err != nil {
			return err
		}
		_, _, err = c.s.q.Submit(c.ctx, job, func(id string, dup bool) {
			c.mu.Lock()
			c.owned[id] = true
			c.sendLocked(acceptedFrame{Type: "accepted", ID: env.ID, JobID: id, Duplicate: dup})
			c.mu.Unlock()
		})
		return err
	case "get_job":
		id, err := o.str("job_id", true, 64)
		if err != nil {
			return err
		}
		if err := o.unknown(); err != nil {
			return err
		}
		st, err := c.s.q.Job(id)
		if err != nil {
			return err
		}
		c.send(jobStatusFrame{Type: "job_status", ID: env.ID, Job: jobStatusJSON(st)})
	case "cancel":
		id, err := o.str("job_id", true, 64)
		if err != nil {
			return err
		}
		if err := o.unknown(); err != nil {
			return err
		}
		if err := c.s.q.Cancel(c.ctx, id); err != nil {
			return err
		}
		c.send(okFrame{Type: "ok", ID: env.ID})
	case "subscribe":
		since, err := o.uint("since")
		if err != nil {
			return err
		}
		if err := o.unknown(); err != nil {
			return err
		}
		latest, oldest := c.s.q.Latest()
		c.sendMu.Lock()
		c.mu.Lock()
		c.subscribed = true
		c.subSince = since
		// Replay from the earlier of the two: what the client asked for,
		// and what it has already had of its own jobs.
		from := min(since, c.lastDelivered)
		c.mu.Unlock()
		c.enqueue(subscribedFrame{Type: "subscribed", ID: env.ID, Seq: latest, Oldest: oldest})
		c.sub.Seek(from)
		c.sendMu.Unlock()
	case "preview":
		pages, _, err := c.s.preview(o, 0)
		if err != nil {
			return err
		}
		frame := previewFrame{Type: "preview", ID: env.ID, Pages: pages}
		for i := range pages {
			frame.Pages[i].PNGBase64 = base64.StdEncoding.EncodeToString(pages[i].png)
		}
		c.send(frame)
	case "discover":
		subnet, err := o.str("subnet", false, 64)
		if err != nil {
			return err
		}
		port, err := o.integer("port", 0, 0, 65535)
		if err != nil {
			return err
		}
		if err := o.unknown(); err != nil {
			return err
		}
		reply, err := c.s.discover(c.ctx, subnet, port, nil)
		if err != nil {
			return err
		}
		reply.Type, reply.ID = "discover", env.ID
		c.send(reply)
	case "printers":
		if err := o.unknown(); err != nil {
			return err
		}
		c.send(printersFrame{Type: "printers", ID: env.ID, Printers: c.s.q.Printers()})
	default:
		return labelbridge.Errorf(labelbridge.CodeUnknownType, "unknown request type %q (want hello, print, get_job, cancel, subscribe, printers, preview, discover)", env.Type)
	}
	return nil
}
