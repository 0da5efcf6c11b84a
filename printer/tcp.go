package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// closeLinger bounds how long Close waits for a network printer to take the
// end of the last document and hang up.
const closeLinger = 5 * time.Second

// TCP is a raw TCP link to a network printer (JetDirect, port 9100).
type TCP struct {
	conn    *net.TCPConn
	addr    string // tcp://host:port, for errors
	timeout time.Duration
	err     error // set when a document was cut off; the stream is unusable
}

// OpenTCP connects to the printer at host:port. Cancelling ctx or
// o.DialTimeout passing abandons the dial. TCP keepalive is on, so a printer
// that vanishes while the link is idle is noticed.
func OpenTCP(ctx context.Context, hostport string, o Options) (*TCP, error) {
	o = o.withDefaults()
	addr := "tcp://" + hostport
	d := net.Dialer{
		Timeout: o.DialTimeout,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable:   true,
			Idle:     30 * time.Second,
			Interval: 10 * time.Second,
			Count:    3,
		},
	}
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return nil, &Error{Op: "dial", Addr: addr, Err: err}
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		c.Close()
		return nil, &Error{Op: "dial", Addr: addr, Err: fmt.Errorf("dialer returned %T, not a TCP connection", c)}
	}
	return &TCP{conn: tc, addr: addr, timeout: o.WriteTimeout}, nil
}

// Write sends one document. Before sending, it checks that the printer has
// not closed the connection since the last document (a printer restarted
// between two jobs): writing into such a connection would succeed locally
// and the document would be lost. The check is made where the system allows
// it (unix); elsewhere the first write after the close fails instead.
func (t *TCP) Write(ctx context.Context, p []byte) error {
	if t.err != nil {
		return &Error{Op: "write", Addr: t.addr, Err: fmt.Errorf("connection unusable after an earlier error: %w", t.err)}
	}
	if err := peerClosed(t.conn); err != nil {
		t.err = err
		return &Error{Op: "write", Addr: t.addr, Err: err}
	}
	n, err := writeAll(ctx, t.conn, p, t.timeout)
	if err != nil {
		if n > 0 || ctx.Err() == nil {
			t.err = err
		}
		return &Error{Op: "write", Addr: t.addr, Written: n, Err: err}
	}
	return nil
}

// Close closes the connection. When the link is healthy it first shuts down
// the sending side and waits, for at most WriteTimeout or 5s, for the printer
// to hang up, discarding anything it said: closing a socket that still holds
// unread input makes the system reset the connection and drop output still
// queued, which would be the end of the last document.
func (t *TCP) Close() error {
	if t.err == nil && t.conn.CloseWrite() == nil {
		t.conn.SetReadDeadline(time.Now().Add(min(t.timeout, closeLinger)))
		io.Copy(io.Discard, t.conn)
	}
	if err := t.conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return &Error{Op: "close", Addr: t.addr, Err: err}
	}
	return nil
}
