//go:build linux || darwin || freebsd || openbsd

package printertest_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/labelbridge/labelbridge/printer/printertest"
)

// openRaw opens the terminal side the way a program driving a printer does:
// raw, so no byte is translated.
func openRaw(t *testing.T, s *printertest.Serial) *os.File {
	t.Helper()
	f, err := os.OpenFile(s.Path(), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	// Through Control, not Fd: Fd would put the file in blocking mode,
	// where write deadlines no longer work.
	control(t, f, func(fd int) error {
		_, err := term.MakeRaw(fd)
		return err
	})
	return f
}

// control runs fn on f's descriptor.
func control(t *testing.T, f *os.File, fn func(fd int) error) {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fnErr error
	if err := rc.Control(func(fd uintptr) { fnErr = fn(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	if fnErr != nil {
		t.Fatal(fnErr)
	}
}

func TestSerialRecordsBytes(t *testing.T) {
	s := printertest.NewSerial(t)
	f := openRaw(t, s)
	want := make([]byte, 256)
	for i := range want {
		want[i] = byte(i)
	}
	if _, err := f.Write(want); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), hasLen(len(want))); err != nil {
		t.Fatal(err)
	}
	if got := s.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("Bytes() = %q, want %q", got, want)
	}
}

func TestSerialSendAndReply(t *testing.T) {
	s := printertest.NewSerial(t)
	s.Reply(func(chunk []byte) []byte {
		if bytes.Contains(chunk, []byte{0x10, 0x04, 0x01}) { // ESC/POS DLE EOT 1
			return []byte{0x16}
		}
		return nil
	})
	f := openRaw(t, s)
	if err := s.Send([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{0x10, 0x04, 0x01}); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 3)
	f.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(f, got); err != nil {
		t.Fatal(err)
	}
	if want := []byte("hi\x16"); !bytes.Equal(got, want) {
		t.Errorf("computer read %q, want %q", got, want)
	}
}

func TestSerialTermiosShowsLineSettings(t *testing.T) {
	s := printertest.NewSerial(t)
	f := openRaw(t, s)
	var want *unix.Termios
	control(t, f, func(fd int) error {
		var err error
		if want, err = unix.IoctlGetTermios(fd, ioctlGetTermios); err != nil {
			return err
		}
		// Linux pseudo-terminals force 8 data bits and no parity;
		// stop bits and hardware flow control they keep.
		want.Cflag |= unix.CSTOPB | unix.CRTSCTS
		return unix.IoctlSetTermios(fd, ioctlSetTermios, want)
	})
	got, err := s.Termios()
	if err != nil {
		t.Fatal(err)
	}
	if got.Cflag != want.Cflag || got.Lflag != want.Lflag || got.Oflag != want.Oflag {
		t.Errorf("Termios() = cflag %#x lflag %#x oflag %#x, want %#x %#x %#x",
			got.Cflag, got.Lflag, got.Oflag, want.Cflag, want.Lflag, want.Oflag)
	}
}

func TestSerialCloseStopsReader(t *testing.T) {
	s := printertest.NewSerial(t)
	// Nothing was ever sent: Close must not wait for a byte.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), hasLen(1)); err != printertest.ErrClosed {
		t.Errorf("Wait after Close = %v, want ErrClosed", err)
	}
}

func TestSerialStall(t *testing.T) {
	s := printertest.NewSerial(t)
	f := openRaw(t, s)
	s.Stall(true)
	doc := make([]byte, 1<<20)
	f.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	n, err := f.Write(doc)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write to a stalled printer = %d, %v; want a deadline error", n, err)
	}
	s.Stall(false)
	if err := s.Wait(waitCtx(t), hasLen(n)); err != nil {
		t.Fatalf("after Stall(false): %v", err)
	}
	if got := len(s.Bytes()); got != n {
		t.Errorf("recorded %d bytes, want the %d written", got, n)
	}
}
