package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.bug.st/serial"
)

// Serial is a link to a printer on a serial port: /dev/ttyUSB0 on Linux,
// COM3 on Windows. The port is opened in raw mode, so bytes go out exactly as
// given (no newline translation).
type Serial struct {
	port     *serialPort
	addr     string
	timeout  time.Duration
	quietGap time.Duration // see QuietGap
	err      error         // set when a document was cut off
}

// OpenSerial opens the serial port name with settings p. Zero fields of p
// take the usual defaults: 9600 baud, 8 data bits, no parity, 1 stop bit, no
// flow control.
func OpenSerial(ctx context.Context, name string, p SerialParams, o Options) (*Serial, error) {
	o = o.withDefaults()
	addr := "serial://" + name
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	mode, err := serialMode(p)
	if err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	port, err := openSerialPort(name, mode, p.Flow)
	if err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	bits := 1 + mode.DataBits + 1 // start, data, stop
	if mode.Parity != serial.NoParity {
		bits++
	}
	if mode.StopBits == serial.TwoStopBits {
		bits++
	}
	// Three characters' time on the line, a millisecond at least: a
	// printer still answering sends its next byte well within it.
	gap := max(time.Millisecond, time.Duration(3*bits)*time.Second/time.Duration(mode.BaudRate))
	return &Serial{port: port, addr: addr, timeout: o.WriteTimeout, quietGap: gap}, nil
}

// QuietGap is how long the line stays silent before a printer that was
// talking counts as done: three characters' time, a millisecond at least.
func (s *Serial) QuietGap() time.Duration { return s.quietGap }

// Write sends one document. With flow control the printer may hold the line
// (paper out, buffer full); a document that makes no progress for
// WriteTimeout, or whose ctx is done, fails, and what is still queued in the
// port is thrown away so a half document does not trickle out later. A
// document counts as sent once the system has taken all of it; the port's
// buffer (a few kilobytes) may still be on its way to the printer.
func (s *Serial) Write(ctx context.Context, p []byte) error {
	if s.err != nil {
		return &Error{Op: "write", Addr: s.addr, Err: fmt.Errorf("port unusable after an earlier error: %w", s.err)}
	}
	n, err := s.port.write(ctx, p, s.timeout)
	if err != nil {
		if n > 0 {
			// Part of this document waits in the port's buffer. The
			// tail of the document before it may be there too, but
			// a half label printing when the line frees up would
			// spoil the next one, and this one will be sent again.
			s.port.discardOutput()
		}
		if n > 0 || ctx.Err() == nil {
			s.err = err
		}
		return &Error{Op: "write", Addr: s.addr, Written: n, Err: err}
	}
	return nil
}

// Close closes the port.
func (s *Serial) Close() error {
	if err := s.port.close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return &Error{Op: "close", Addr: s.addr, Err: err}
	}
	return nil
}

// serialMode turns p into the serial library's settings, and checks p.Flow,
// which the system-specific open applies. Errors name the bad setting.
func serialMode(p SerialParams) (*serial.Mode, error) {
	m := &serial.Mode{BaudRate: p.Baud, DataBits: p.DataBits, Parity: serial.NoParity, StopBits: serial.OneStopBit}
	if m.BaudRate == 0 {
		m.BaudRate = 9600
	}
	if m.BaudRate < 0 {
		return nil, fmt.Errorf("baud %d: want a rate such as 9600 or 115200", p.Baud)
	}
	switch p.DataBits {
	case 0:
		m.DataBits = 8
	case 5, 6, 7, 8:
	default:
		return nil, fmt.Errorf("data_bits %d: want 5, 6, 7 or 8", p.DataBits)
	}
	switch p.Parity {
	case ParityNone, "":
	case ParityEven:
		m.Parity = serial.EvenParity
	case ParityOdd:
		m.Parity = serial.OddParity
	default:
		return nil, fmt.Errorf("parity %q: want none, even or odd", p.Parity)
	}
	switch p.StopBits {
	case 0, 1:
	case 2:
		m.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("stop_bits %d: want 1 or 2", p.StopBits)
	}
	switch p.Flow {
	case FlowNone, "", FlowRTSCTS, FlowXonXoff:
	default:
		return nil, fmt.Errorf("flow %q: want none, rtscts or xonxoff", p.Flow)
	}
	return m, nil
}

// serialError makes the serial library's error kinds legible to Temporary:
// a busy, missing or vanished port may come back; the rest (bad settings,
// permission denied, not a serial port) will not by themselves.
func serialError(err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortBusy, serial.PortNotFound, serial.PortClosed:
			return transientError{err}
		}
	}
	return err
}
