//go:build unix

package printer_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// The check before each document is made on unix only; see TCP.Write.
func TestTCPPrinterClosedBetweenDocuments(t *testing.T) {
	sim := printertest.NewTCP(t)
	c := openTCP(t, sim, printer.Options{})
	if err := c.Write(context.Background(), []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitCtx(t), hasLen(5)); err != nil {
		t.Fatal(err)
	}
	sim.DropAfter(0) // the printer restarts between two documents
	err := c.Write(context.Background(), []byte("second"))
	pe := asError(t, err)
	if pe.Written != 0 || !pe.Temporary() {
		t.Errorf("Write after the printer hung up = %v (Written %d, Temporary %v), want a temporary error before any byte",
			err, pe.Written, pe.Temporary())
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, errReset) {
		t.Errorf("Write after the printer hung up = %v, want EOF or connection reset", err)
	}
}
