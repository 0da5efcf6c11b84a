package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// USB is a printer's USB printer-class device file: /dev/usb/lp0 on Linux
// (the usblp driver). On Windows USB printers are reached through the
// spooler instead (spooler://NAME).
type USB struct {
	f        *os.File
	addr     string
	timeout  time.Duration
	readable bool  // opened for reading too: status answers can be read
	err      error // set when a document was cut off
}

// OpenUSB opens the device file at path for writing, and for reading too
// when it is a character device (usblp) that allows it, so that status
// queries can be answered. A device whose permissions allow writing only is
// opened write-only: it prints, and its status is unknown.
func OpenUSB(ctx context.Context, path string, o Options) (*USB, error) {
	o = o.withDefaults()
	addr := "usb://" + path
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	f, readable, err := openUSBDevice(path)
	if err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	return &USB{f: f, addr: addr, timeout: o.WriteTimeout, readable: readable}, nil
}

// Write sends one document. usblp takes data only as fast as the printer
// does and holds writes while it is out of paper; a document that makes no
// progress for WriteTimeout fails.
func (u *USB) Write(ctx context.Context, p []byte) error {
	if u.err != nil {
		return &Error{Op: "write", Addr: u.addr, Err: fmt.Errorf("device unusable after an earlier error: %w", u.err)}
	}
	n, err := writeAll(ctx, u.f, p, u.timeout)
	if err != nil {
		if n > 0 || ctx.Err() == nil {
			u.err = err
		}
		return &Error{Op: "write", Addr: u.addr, Written: n, Err: err}
	}
	return nil
}

// Close closes the device file.
func (u *USB) Close() error {
	if err := u.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return &Error{Op: "close", Addr: u.addr, Err: err}
	}
	return nil
}

// QuietGap: the kernel's printer driver hands over what the device sent in
// USB packets, polled about every millisecond.
func (u *USB) QuietGap() time.Duration { return time.Millisecond }
