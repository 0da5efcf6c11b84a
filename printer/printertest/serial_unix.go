//go:build linux || darwin || freebsd || openbsd

package printertest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// Serial is a printer on a serial line: a pseudo-terminal pair. The code
// under test opens Path, the terminal side, as it would /dev/ttyUSB0; the
// printer reads the other side and records every byte.
//
// A pseudo-terminal moves bytes at any speed, but it keeps the line
// settings (baud, parity, flow control) the opener chose, which Termios
// shows, and it honours XON/XOFF flow control, which Send can exercise.
// Like TCP, once told its language it answers status queries and can be
// given a fault.
type Serial struct {
	*model
	scan   scanner // used by read only
	rec    *recorder
	master *os.File
	tty    *os.File
	path   string
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	mu    sync.Mutex
	reply func(chunk []byte) []byte
	stall chan struct{} // non-nil while stalled; closed to resume
	done  chan struct{} // closed by Close
}

// NewSerial starts a serial printer. It is closed when the test ends.
func NewSerial(tb testing.TB) *Serial {
	tb.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		tb.Fatalf("printertest: open pseudo-terminal: %v", err)
	}
	master, err := pollable(ptmx)
	if err != nil {
		tty.Close()
		tb.Fatalf("printertest: %v", err)
	}
	s := &Serial{model: newModel(), rec: newRecorder(), master: master, tty: tty, path: tty.Name(), done: make(chan struct{})}
	s.wg.Add(2)
	go s.read()
	go func() {
		defer s.wg.Done()
		s.model.run(s.done)
	}()
	tb.Cleanup(func() { s.Close() })
	return s
}

// pollable returns a copy of f that goes through Go's poller, and closes f.
// pty.Open leaves its master in blocking mode, where a Read cannot be
// interrupted and Close would wait for the next byte forever.
func pollable(f *os.File) (*os.File, error) {
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var fd int
	var dupErr error
	err = rc.Control(func(old uintptr) {
		fd, dupErr = unix.FcntlInt(old, unix.F_DUPFD_CLOEXEC, 0)
		if dupErr == nil {
			dupErr = unix.SetNonblock(fd, true)
		}
	})
	if err == nil {
		err = dupErr
	}
	if err != nil {
		return nil, fmt.Errorf("pseudo-terminal master: %w", err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// read records what the terminal side sends until Close.
func (s *Serial) read() {
	defer s.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		s.mu.Lock()
		stall := s.stall
		s.mu.Unlock()
		if stall != nil {
			select {
			case <-stall:
				continue
			case <-s.done:
				return
			}
		}
		n, err := s.master.Read(buf)
		if n > 0 {
			answers := s.model.feed(&s.scan, buf[:n], s.master)
			s.rec.add(buf[:n])
			write(answers)
			s.mu.Lock()
			reply := s.reply
			s.mu.Unlock()
			if reply != nil {
				if out := reply(buf[:n]); len(out) > 0 {
					s.master.Write(out)
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// Path returns the terminal device to open, such as /dev/pts/5.
func (s *Serial) Path() string { return s.path }

// Bytes returns a copy of everything received.
func (s *Serial) Bytes() []byte { return s.rec.bytes() }

// Wait calls cond with everything received so far, and again each time more
// bytes arrive, until it returns true (Wait returns nil), ctx is done or the
// printer is closed. cond must not keep or change the slice.
func (s *Serial) Wait(ctx context.Context, cond func(received []byte) bool) error {
	return s.rec.wait(ctx, cond)
}

// Send sends p from the printer to the computer: a status answer, or XOFF
// (0x13) and XON (0x11) to hold and release a line with software flow
// control.
func (s *Serial) Send(p []byte) error {
	if _, err := s.master.Write(p); err != nil {
		return fmt.Errorf("printertest: send: %w", err)
	}
	return nil
}

// Reply sets a function that plays the printer's answering side: it sees
// each chunk as it is received and what it returns, if anything, is sent
// back.
func (s *Serial) Reply(f func(chunk []byte) []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = f
}

// Stall makes the printer stop reading (on) or read again (off), like a
// busy printer holding the line with hardware flow control: once the
// terminal's buffers are full, writes to Path block.
func (s *Serial) Stall(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case on && s.stall == nil:
		s.stall = make(chan struct{})
	case !on && s.stall != nil:
		close(s.stall)
		s.stall = nil
	}
}

// Termios returns the line settings the terminal side holds now.
func (s *Serial) Termios() (*unix.Termios, error) {
	rc, err := s.tty.SyscallConn()
	if err != nil {
		return nil, err
	}
	var t *unix.Termios
	var getErr error
	if err := rc.Control(func(fd uintptr) { t, getErr = unix.IoctlGetTermios(int(fd), ioctlGetTermios) }); err != nil {
		return nil, err
	}
	if getErr != nil {
		return nil, fmt.Errorf("printertest: terminal settings: %w", getErr)
	}
	return t, nil
}

// Close stops the printer and waits for its goroutine.
func (s *Serial) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		s.closeErr = s.master.Close()
		s.wg.Wait()
		s.tty.Close()
		s.rec.close()
	})
	return s.closeErr
}
