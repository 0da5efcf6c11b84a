package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Reader is a link that can also read what the printer sends back: answers
// to status queries. TCP, Serial and USB (when the device opened for
// reading) are Readers; File, Virtual and Spooler are not.
//
// Read waits until the printer has sent at least one byte and reads what has
// arrived into p, up to len(p). It returns early when ctx is done, with an
// error that wraps ctx's error, and nothing read; reading can start again
// afterwards. Any other error is a *Error for a link that failed (the
// printer hung up, the device vanished): the link is then unusable, as
// after a failed Write. Like Write, Read is not safe for concurrent use with
// the link's other methods.
type Reader interface {
	Read(ctx context.Context, p []byte) (int, error)
}

// deadlineReader is a stream whose reads can be given a deadline:
// *net.TCPConn, and an *os.File on a device Go's poller can wait on.
type deadlineReader interface {
	Read(p []byte) (int, error)
	SetReadDeadline(t time.Time) error
}

// readCtx reads from r once, giving up when ctx is done.
func readCtx(ctx context.Context, r deadlineReader, p []byte) (int, error) {
	// Cancelling ctx moves the deadline to the past, which wakes a read
	// blocked in the poller. The deadline is cleared on the way out, once
	// that move can no longer happen: a deadline left behind would also
	// stop the look TCP's Write takes at the connection.
	moved := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		r.SetReadDeadline(time.Unix(1, 0))
		close(moved)
	})
	defer func() {
		if !stop() {
			<-moved
		}
		r.SetReadDeadline(time.Time{})
	}()
	deadline, hasDeadline := ctx.Deadline()
	if err := r.SetReadDeadline(deadline); err != nil && !errors.Is(err, os.ErrNoDeadline) {
		return 0, err
	}
	// Checked after setting the deadline: a cancel from here on moves it
	// back to the past, one before was seen here.
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return n, fmt.Errorf("%w: %w", ctxErr, err)
		}
		// The deadline taken from ctx can fire a moment before ctx's
		// own timer marks it done.
		if hasDeadline {
			return n, fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
		}
	}
	return n, err
}

// Read reads what the printer sent: see Reader. A printer that closed the
// connection makes the link unusable.
func (t *TCP) Read(ctx context.Context, p []byte) (int, error) {
	if t.err != nil {
		return 0, &Error{Op: "read", Addr: t.addr, Err: fmt.Errorf("connection unusable after an earlier error: %w", t.err)}
	}
	n, err := readCtx(ctx, t.conn, p)
	if err != nil {
		if !isTimeout(err) {
			t.err = err
		}
		return n, &Error{Op: "read", Addr: t.addr, Err: err}
	}
	return n, nil
}

// Read reads what the printer sent: see Reader.
func (s *Serial) Read(ctx context.Context, p []byte) (int, error) {
	if s.err != nil {
		return 0, &Error{Op: "read", Addr: s.addr, Err: fmt.Errorf("port unusable after an earlier error: %w", s.err)}
	}
	n, err := s.port.read(ctx, p)
	if err != nil {
		if !isTimeout(err) {
			s.err = err
		}
		return n, &Error{Op: "read", Addr: s.addr, Err: err}
	}
	return n, nil
}

// Read reads what the printer sent: see Reader. usblp reads back only from
// printers with a way back (a bulk-in endpoint) and refuses to read from
// the others. A device opened write-only (see OpenUSB), or that refused,
// gives an error that wraps ErrNoAnswer, and the link stays usable for
// writing.
func (u *USB) Read(ctx context.Context, p []byte) (int, error) {
	if !u.readable {
		return 0, &Error{Op: "read", Addr: u.addr, Err: fmt.Errorf("device opened write-only: %w", ErrNoAnswer)}
	}
	if u.err != nil {
		return 0, &Error{Op: "read", Addr: u.addr, Err: fmt.Errorf("device unusable after an earlier error: %w", u.err)}
	}
	n, err := readCtx(ctx, u.f, p)
	if err != nil {
		if errors.Is(err, syscall.EINVAL) {
			// usblp refuses reads from a printer without a way
			// back. The device still prints: stop reading, keep
			// writing.
			u.readable = false
			return n, &Error{Op: "read", Addr: u.addr, Err: fmt.Errorf("device does not read back (%w): %w", err, ErrNoAnswer)}
		}
		if !isTimeout(err) {
			u.err = err
		}
		return n, &Error{Op: "read", Addr: u.addr, Err: err}
	}
	return n, nil
}

// canRead reports whether the device was opened for reading.
func (u *USB) canRead() bool { return u.readable }
