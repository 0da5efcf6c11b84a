package printer_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/labelbridge/labelbridge/printer"
)

// hangingAddr returns the address of a listener whose accept queue is full
// and never drained: Linux drops further connection attempts silently, so a
// dial to it waits until it is given up.
func hangingAddr(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*unix.SockaddrInet4).Port}).String()
	// Fill the queue until a dial no longer completes.
	for range 16 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatal("the accept queue never filled")
	return ""
}

func TestTCPDialGivesUp(t *testing.T) {
	addr := hangingAddr(t)
	t.Run("Cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := printer.OpenTCP(ctx, addr, printer.Options{DialTimeout: time.Hour})
		if pe := asError(t, err); !errors.Is(err, context.Canceled) || !pe.Temporary() {
			t.Errorf("OpenTCP cancelled mid-dial = %v, want a temporary context.Canceled", err)
		}
	})
	t.Run("DialTimeout", func(t *testing.T) {
		_, err := printer.OpenTCP(context.Background(), addr, printer.Options{DialTimeout: 100 * time.Millisecond})
		var netErr net.Error
		if pe := asError(t, err); !errors.As(err, &netErr) || !netErr.Timeout() || !pe.Temporary() {
			t.Errorf("OpenTCP past DialTimeout = %v, want a temporary timeout", err)
		}
	})
}
