//go:build linux || darwin || freebsd || openbsd

package printer_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/labelbridge/labelbridge/printer"
)

// A FIFO nobody reads from behaves like usblp for a printer that takes no
// data: writes block once the buffer is full.
func TestUSBStalledPrinter(t *testing.T) {
	fifo := newFIFO(t)
	c, err := printer.OpenUSB(context.Background(), fifo.path, printer.Options{WriteTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	doc := make([]byte, 4<<20)
	err = c.Write(context.Background(), doc)
	pe := asError(t, err)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !pe.Temporary() {
		t.Errorf("Write to a stalled printer = %v, want a temporary deadline error", err)
	}
	if pe.Written <= 0 || pe.Written >= len(doc) {
		t.Errorf("Written = %d, want some but not all of %d", pe.Written, len(doc))
	}
}

func TestUSBDeviceProblems(t *testing.T) {
	dir := t.TempDir()
	noReader := filepath.Join(dir, "lp1")
	if err := unix.Mkfifo(noReader, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		temporary  bool
	}{
		{"Unplugged", filepath.Join(dir, "lp0"), true},
		{"SwitchedOff", noReader, true}, // no one at the other end: ENXIO
		{"NotADevice", dir, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := printer.OpenUSB(context.Background(), tt.path, printer.Options{})
			if pe := asError(t, err); pe.Temporary() != tt.temporary || pe.Op != "open" {
				t.Errorf("OpenUSB(%s) = %v, Op %q, Temporary() = %v; want Op open, Temporary %v",
					tt.path, err, pe.Op, pe.Temporary(), tt.temporary)
			}
		})
	}
}
