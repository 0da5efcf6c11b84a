package printer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// bigDoc is larger than every buffer between the transport and the
// printer, so a printer that stops reading stops the write.
const bigDoc = 64 << 20

func openTCP(t *testing.T, sim *printertest.TCP, o printer.Options) *printer.TCP {
	t.Helper()
	c, err := printer.OpenTCP(context.Background(), sim.Addr(), o)
	if err != nil {
		t.Fatalf("OpenTCP(%s): %v", sim.Addr(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTCPRefused(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.Refuse()
	_, err := printer.OpenTCP(context.Background(), sim.Addr(), printer.Options{})
	pe := asError(t, err)
	if !errors.Is(err, errRefused) {
		t.Errorf("OpenTCP to a refusing printer = %v, want connection refused", err)
	}
	if !pe.Temporary() {
		t.Errorf("Temporary() = false for %v, want true", err)
	}
	if pe.Op != "dial" || pe.Addr != sim.URL() {
		t.Errorf("Op, Addr = %q, %q; want %q, %q", pe.Op, pe.Addr, "dial", sim.URL())
	}
}

func TestTCPPrinterBackAfterRefusing(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.Refuse()
	if _, err := printer.OpenTCP(context.Background(), sim.Addr(), printer.Options{}); err == nil {
		t.Fatal("OpenTCP while refusing succeeded")
	}
	if err := sim.Accept(); err != nil {
		t.Fatal(err)
	}
	c := openTCP(t, sim, printer.Options{})
	if err := c.Write(context.Background(), []byte("^XA^XZ")); err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitCtx(t), func(b []byte) bool { return string(b) == "^XA^XZ" }); err != nil {
		t.Fatal(err)
	}
}

func TestTCPStalledPrinter(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.Stall(true)
	c := openTCP(t, sim, printer.Options{WriteTimeout: 200 * time.Millisecond})
	err := c.Write(context.Background(), make([]byte, bigDoc))
	pe := asError(t, err)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Write to a stalled printer = %v, want a deadline error", err)
	}
	if !pe.Temporary() {
		t.Errorf("Temporary() = false for %v, want true", err)
	}
	if pe.Written <= 0 || pe.Written >= bigDoc {
		t.Errorf("Written = %d, want some but not all of %d", pe.Written, bigDoc)
	}
	// Half a document is on the wire: the next one must not follow it.
	err = c.Write(context.Background(), []byte("next"))
	if pe := asError(t, err); pe.Written != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Write after a cut-off document = %v, want it refused with the first error", err)
	}
}

func TestTCPWriteStopsWithContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"Cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"DeadlinePassed", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := printertest.NewTCP(t)
			sim.Stall(true)
			c := openTCP(t, sim, printer.Options{WriteTimeout: time.Hour})
			doc := make([]byte, bigDoc)
			ctx, cancel := tt.ctx()
			defer cancel()
			err := c.Write(ctx, doc)
			if pe := asError(t, err); !errors.Is(err, tt.want) || pe.Written >= bigDoc {
				t.Errorf("Write = %v (Written %d), want %v part way", err, pe.Written, tt.want)
			}
		})
	}
}

func TestTCPPrinterDropsMidDocument(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.DropAfter(1000)
	c := openTCP(t, sim, printer.Options{})
	err := c.Write(context.Background(), make([]byte, bigDoc))
	pe := asError(t, err)
	if pe.Written >= bigDoc {
		t.Errorf("Written = %d, want less than the document's %d", pe.Written, bigDoc)
	}
	if !pe.Temporary() {
		t.Errorf("Temporary() = false for %v, want true", err)
	}
	if got := len(sim.Bytes()); got != 1000 {
		t.Errorf("printer recorded %d bytes, want 1000", got)
	}
}

// A printer that talks (status bytes nobody reads) must still get the end
// of the last document: closing a socket with unread input resets it and
// drops what is still queued.
func TestTCPCloseDeliversQueuedBytes(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.Reply(func([]byte) []byte { return []byte("status: ok\r\n") })
	c := openTCP(t, sim, printer.Options{})
	doc := bytes.Repeat([]byte("^XA^FDlabel^FS^XZ\n"), (8<<20)/18)
	if err := c.Write(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitCtx(t), hasLen(len(doc))); err != nil {
		t.Fatalf("after Close: %v", err)
	}
	if !bytes.Equal(sim.Bytes(), doc) {
		t.Error("printer received different bytes than sent")
	}
}

func TestTCPConnectionCount(t *testing.T) {
	sim := printertest.NewTCP(t)
	for range 3 {
		c := openTCP(t, sim, printer.Options{})
		if err := c.Write(context.Background(), []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := sim.Wait(waitCtx(t), hasLen(3)); err != nil {
		t.Fatal(err)
	}
	if got := sim.Connections(); got != 3 {
		t.Errorf("Connections() = %d, want one for each Open", got)
	}
}
