//go:build linux || darwin || freebsd || openbsd

package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.bug.st/serial"
	"golang.org/x/sys/unix"
)

// serialPort is an open serial port. The library configures the line and
// holds the port exclusively; the bytes go through a descriptor of our own,
// because the library's Write blocks in the kernel while flow control holds
// the line and nothing can interrupt it, while our non-blocking descriptor
// goes through Go's poller, where write deadlines and cancellation work.
type serialPort struct {
	f   *os.File
	lib serial.Port
}

func openSerialPort(name string, mode *serial.Mode, flow Flow) (*serialPort, error) {
	// Opened before the library, which then takes exclusive access
	// (TIOCEXCL) and would keep this open out. O_NONBLOCK also keeps the
	// open from waiting for a modem's carrier.
	f, err := os.OpenFile(name, os.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	lib, err := serial.Open(name, mode)
	if err != nil {
		f.Close()
		return nil, serialError(err)
	}
	if err := setFlow(f, flow); err != nil {
		f.Close()
		lib.Close()
		return nil, err
	}
	return &serialPort{f: f, lib: lib}, nil
}

// setFlow turns on the flow control the library leaves off: it always
// clears CRTSCTS and IXON/IXOFF when it opens a port.
func setFlow(f *os.File, flow Flow) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var termErr error
	err = rc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
		if err != nil {
			termErr = fmt.Errorf("flow %s: read terminal settings: %w", flow, err)
			return
		}
		t.Cflag &^= unix.CRTSCTS
		t.Iflag &^= unix.IXON | unix.IXOFF | unix.IXANY
		switch flow {
		case FlowRTSCTS:
			t.Cflag |= unix.CRTSCTS
		case FlowXonXoff:
			t.Iflag |= unix.IXON | unix.IXOFF
			t.Cc[unix.VSTART] = 0x11 // DC1, XON
			t.Cc[unix.VSTOP] = 0x13  // DC3, XOFF
		}
		if err := unix.IoctlSetTermios(int(fd), ioctlSetTermios, t); err != nil {
			termErr = fmt.Errorf("flow %s: %w", flow, err)
		}
	})
	if err != nil {
		return err
	}
	return termErr
}

func (p *serialPort) write(ctx context.Context, b []byte, timeout time.Duration) (int, error) {
	return writeAll(ctx, p.f, b, timeout)
}

// read reads what the printer sent through the same descriptor, which goes
// through Go's poller: ctx's deadline and cancellation cut a wait short.
func (p *serialPort) read(ctx context.Context, b []byte) (int, error) {
	return readCtx(ctx, p.f, b)
}

func (p *serialPort) discardOutput() error { return p.lib.ResetOutputBuffer() }

func (p *serialPort) close() error {
	return errors.Join(p.f.Close(), p.lib.Close())
}
