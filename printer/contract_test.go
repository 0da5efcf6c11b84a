package printer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// transport is one kind of printer link under the contract: how to get a
// printer and its connection string, and how to read back what the printer
// received.
type transport struct {
	name string
	// start returns the connection string of a fresh printer, the
	// options to open it with, and a function that returns the bytes it
	// received once it has received at least n.
	start func(t testing.TB) (conn string, o printer.Options, received func(t testing.TB, n int) []byte)
	// want is the concrete type Open must return.
	want any
}

// transports lists every link the contract runs against on this system.
func transports() []transport {
	ts := []transport{
		{name: "tcp", want: &printer.TCP{}, start: func(t testing.TB) (string, printer.Options, func(testing.TB, int) []byte) {
			sim := printertest.NewTCP(t)
			return sim.URL(), printer.Options{}, func(t testing.TB, n int) []byte {
				t.Helper()
				if err := sim.Wait(waitCtx(t), hasLen(n)); err != nil {
					t.Fatalf("tcp printer: %v", err)
				}
				return sim.Bytes()
			}
		}},
		{name: "file", want: &printer.File{}, start: func(t testing.TB) (string, printer.Options, func(testing.TB, int) []byte) {
			path := filepath.Join(t.TempDir(), "out.prn")
			return "file://" + path, printer.Options{}, func(t testing.TB, _ int) []byte {
				return mustRead(t, path)
			}
		}},
		{name: "virtual", want: &printer.Virtual{}, start: func(t testing.TB) (string, printer.Options, func(testing.TB, int) []byte) {
			dir := t.TempDir()
			o := printer.Options{DataDir: dir, Language: labelbridge.ZPL}
			return "virtual://label-1", o, func(t testing.TB, _ int) []byte {
				var all []byte
				for _, doc := range virtualDocs(t, filepath.Join(dir, "virtual", "label-1")) {
					all = append(all, doc.data...)
				}
				return all
			}
		}},
	}
	return append(ts, systemTransports()...)
}

// documents are what the contract sends: every byte value, the bytes that
// mean most to printers (NUL, ESC, GS, CR, LF) in awkward places, and one
// document larger than any system buffer on the way.
func documents() [][]byte {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	large := make([]byte, 1<<20)
	for i := range large {
		large[i] = byte(rng.UintN(256))
	}
	return [][]byte{
		all,
		[]byte("^XA\r\n^FO50,50^FDline\nbreak^FS\r^XZ\n"),
		{0x1b, 0x40, 0x00, 0x0a, 0x0d, 0x1d, 0x56, 0x00, 0x0d, 0x0a, 0x1a, 0x04, 0x03, 0x11, 0x13},
		{'\n'},
		large,
	}
}

func TestContract(t *testing.T) {
	for _, tr := range transports() {
		t.Run(tr.name, func(t *testing.T) {
			t.Run("BytesArriveExactly", func(t *testing.T) {
				conn, o, received := tr.start(t)
				c := mustOpen(t, conn, o)
				if fmt.Sprintf("%T", c) != fmt.Sprintf("%T", tr.want) {
					t.Errorf("Open(%q) returned %T, want %T", conn, c, tr.want)
				}
				var want []byte
				for i, doc := range documents() {
					if err := c.Write(context.Background(), doc); err != nil {
						t.Fatalf("Write(document %d): %v", i, err)
					}
					want = append(want, doc...)
				}
				if err := c.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				if err := c.Close(); err != nil {
					t.Errorf("second Close = %v, want nil", err)
				}
				got := received(t, len(want))
				if !bytes.Equal(got, want) {
					t.Errorf("printer received %d bytes, want %d; first difference at byte %d",
						len(got), len(want), firstDiff(got, want))
				}
			})
			t.Run("CancelledWriteSendsNothing", func(t *testing.T) {
				conn, o, received := tr.start(t)
				c := mustOpen(t, conn, o)
				defer c.Close()
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				err := c.Write(ctx, []byte("never"))
				pe := asError(t, err)
				if !errors.Is(err, context.Canceled) || pe.Written != 0 {
					t.Errorf("Write with a cancelled context = %v (Written %d), want context.Canceled and nothing written", err, pe.Written)
				}
				// The link is still whole: nothing of a document went out.
				if err := c.Write(context.Background(), []byte("after")); err != nil {
					t.Fatalf("Write after a cancelled one: %v", err)
				}
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				if got := received(t, 5); string(got) != "after" {
					t.Errorf("printer received %q, want %q", got, "after")
				}
			})
		})
	}
}

func mustOpen(t testing.TB, conn string, o printer.Options) printer.Conn {
	t.Helper()
	a, err := printer.ParseAddress(conn)
	if err != nil {
		t.Fatal(err)
	}
	c, err := printer.Open(context.Background(), a, o)
	if err != nil {
		t.Fatalf("Open(%q): %v", conn, err)
	}
	return c
}

// asError checks that err is a *printer.Error and returns it.
func asError(t testing.TB, err error) *printer.Error {
	t.Helper()
	var pe *printer.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *printer.Error", err, err)
	}
	return pe
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type namedDoc struct {
	name string
	data []byte
}

// virtualDocs returns the files in a virtual printer's folder, in name
// order, which is document order.
func virtualDocs(t testing.TB, dir string) []namedDoc {
	t.Helper()
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		t.Fatal(err)
	}
	var docs []namedDoc
	for _, e := range entries {
		docs = append(docs, namedDoc{e.Name(), mustRead(t, filepath.Join(dir, e.Name()))})
	}
	return docs
}

func waitCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func hasLen(n int) func([]byte) bool { return func(b []byte) bool { return len(b) >= n } }

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
