// Package printer sends finished documents to printers. It parses connection
// strings (tcp://, serial://, usb://, spooler://, file://, virtual://) and
// opens the transport each names. A transport only moves bytes: it never
// looks inside a document, so what reaches the printer is exactly what the
// encoder produced.
//
// Every transport reports failures as an *Error that says how many bytes of
// the document went out and whether trying again later may succeed.
package printer

import (
	"context"
	"fmt"
	"time"

	"github.com/labelbridge/labelbridge"
)

// Conn is an open link to one printer. It is not safe for concurrent use:
// one worker owns it.
type Conn interface {
	// Write sends one whole document. It returns nil only when every byte
	// was written without error. Otherwise it returns a *Error whose
	// Written field says how many bytes went out before the failure. A
	// stream transport (tcp, serial, usb, file) that failed part way
	// through a document refuses further writes: close it and open again.
	Write(ctx context.Context, p []byte) error
	// Close releases the link. For tcp it first lets the printer take the
	// bytes still queued, for at most a few seconds.
	Close() error
}

// Options tune how transports are opened. The zero value works.
type Options struct {
	// DataDir is the daemon's data folder; virtual printers keep their
	// documents under DataDir/virtual/NAME/.
	DataDir string
	// Language names the extension of a virtual printer's documents
	// (.zpl, .escpos, .tspl); when empty they end in .bin.
	Language labelbridge.Language
	// DialTimeout bounds connecting to a network printer. Default 5s.
	DialTimeout time.Duration
	// WriteTimeout is how long a printer may take no bytes while a
	// document is being sent: a printer that accepts a connection and
	// never reads is a failure, while a slow one that keeps taking data is
	// not. Default 30s.
	WriteTimeout time.Duration
}

// Defaults applied to zero Options fields.
const (
	DefaultDialTimeout  = 5 * time.Second
	DefaultWriteTimeout = 30 * time.Second
)

func (o Options) withDefaults() Options {
	if o.DialTimeout <= 0 {
		o.DialTimeout = DefaultDialTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	return o
}

// Open opens the transport a names. The errors it returns are *Error.
func Open(ctx context.Context, a Address, o Options) (Conn, error) {
	// Each case returns its concrete type; converting a nil *TCP to Conn
	// would give a non-nil interface, so errors are returned explicitly.
	switch a.Scheme {
	case SchemeTCP:
		c, err := OpenTCP(ctx, a.Target, o)
		if err != nil {
			return nil, err
		}
		return c, nil
	case SchemeSerial:
		c, err := OpenSerial(ctx, a.Target, a.Serial, o)
		if err != nil {
			return nil, err
		}
		return c, nil
	case SchemeUSB:
		c, err := OpenUSB(ctx, a.Target, o)
		if err != nil {
			return nil, err
		}
		return c, nil
	case SchemeSpooler:
		return openSpooler(ctx, a.Target, o)
	case SchemeFile:
		c, err := OpenFile(ctx, a.Target, o)
		if err != nil {
			return nil, err
		}
		return c, nil
	case SchemeVirtual:
		c, err := OpenVirtual(ctx, a.Target, o)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, &Error{Op: "open", Addr: a.String(), Err: fmt.Errorf("unknown scheme %q", a.Scheme)}
}
