//go:build linux || darwin || freebsd || openbsd

package printer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// systemTransports are the links that need this system's devices: serial
// on a pseudo-terminal, usb on a regular file and on a FIFO (which, like
// usblp, takes data only as fast as the other side reads it).
func systemTransports() []transport {
	serialAt := func(baud string) transport {
		return transport{name: "serial-" + baud, want: &printer.Serial{}, start: func(t testing.TB) (string, printer.Options, func(testing.TB, int) []byte) {
			sim := printertest.NewSerial(t)
			return "serial://" + sim.Path() + "?baud=" + baud, printer.Options{}, func(t testing.TB, n int) []byte {
				t.Helper()
				if err := sim.Wait(waitCtx(t), hasLen(n)); err != nil {
					t.Fatalf("serial printer: %v", err)
				}
				return sim.Bytes()
			}
		}}
	}
	return []transport{
		serialAt("9600"),
		serialAt("115200"),
		{name: "usb-file", want: &printer.USB{}, start: func(t testing.TB) (string, printer.Options, func(testing.TB, int) []byte) {
			path := filepath.Join(t.TempDir(), "lp0")
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return "usb://" + path, printer.Options{}, func(t testing.TB, _ int) []byte { return mustRead(t, path) }
		}},
		{name: "usb-fifo", want: &printer.USB{}, start: func(t testing.TB) (string, printer.Options, func(testing.TB, int) []byte) {
			fifo := newFIFO(t)
			fifo.drain(t)
			return "usb://" + fifo.path, printer.Options{}, fifo.received
		}},
	}
}

// fifo is a named pipe standing in for a USB printer's device file.
type fifo struct {
	path string
	r    *os.File

	mu   sync.Mutex
	got  bytes.Buffer
	more chan struct{} // closed and replaced when bytes arrive
}

// newFIFO makes a FIFO with its reading end open, so it can be opened for
// writing, but nothing reading from it yet.
func newFIFO(t testing.TB) *fifo {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lp0")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	// Read-write, so the open does not wait for a writer and the reader
	// never sees end of file between two of our opens.
	r, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return &fifo{path: path, r: r, more: make(chan struct{})}
}

// drain starts reading from the FIFO, like a printer taking data.
func (f *fifo) drain(t testing.TB) {
	done := make(chan struct{})
	t.Cleanup(func() {
		f.r.Close() // wakes the reader
		<-done
	})
	go func() {
		defer close(done)
		buf := make([]byte, 32<<10)
		for {
			n, err := f.r.Read(buf)
			f.mu.Lock()
			f.got.Write(buf[:n])
			close(f.more)
			f.more = make(chan struct{})
			f.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
}

// received waits until at least n bytes went through the FIFO.
func (f *fifo) received(t testing.TB, n int) []byte {
	t.Helper()
	ctx := waitCtx(t)
	for {
		f.mu.Lock()
		got, more := bytes.Clone(f.got.Bytes()), f.more
		f.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-more:
		case <-ctx.Done():
			t.Fatalf("usb fifo: %d of %d bytes arrived", len(got), n)
		}
	}
}
