package printer

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"
	"syscall"
)

// Error is a transport failure. Op is what was being done ("dial", "open",
// "write", "close"), Addr the connection string, and Written how many bytes
// of the document went out before a write failed.
type Error struct {
	Op      string
	Addr    string
	Written int
	Err     error
}

func (e *Error) Error() string {
	op := e.Op
	if e.Written > 0 {
		op += " (" + strconv.Itoa(e.Written) + " bytes sent)"
	}
	if e.Err == nil {
		return e.Addr + ": " + op + " failed"
	}
	return e.Addr + ": " + op + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying again later may succeed: the printer
// refused, could not be reached, timed out, reset or closed the connection,
// was busy, or its device is missing (unplugged or switched off). It is
// false for failures that waiting will not mend, such as permission denied,
// a bad serial setting or an unsupported transport.
//
// A cancelled context is temporary too: the document was not refused by the
// printer, the caller gave up, and sending it again later may well succeed.
func (e *Error) Temporary() bool { return temporary(e.Err) }

// transientError marks an error from a library whose own error kinds say
// "retry" (a serial port that is busy or gone) but that wraps no errno the
// rest of temporary could recognise.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

// temporary is the one place that decides whether a transport error is worth
// retrying.
func temporary(err error) bool {
	if err == nil {
		return false
	}
	var transient transientError
	if errors.As(err, &transient) {
		return true
	}
	for _, target := range []error{
		io.EOF, io.ErrUnexpectedEOF,
		os.ErrDeadlineExceeded, context.DeadlineExceeded, context.Canceled,
		fs.ErrNotExist,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		// A printer's name that does not resolve now may resolve once
		// the DHCP lease or the DNS server is back.
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return temporaryErrno(errno)
	}
	return false
}
