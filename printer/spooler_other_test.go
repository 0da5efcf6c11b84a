//go:build !windows

package printer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge/printer"
)

func TestSpoolerOnlyOnWindows(t *testing.T) {
	c, err := printer.Open(context.Background(), printer.Address{Scheme: printer.SchemeSpooler, Target: "ZDesigner GK420d"}, printer.Options{})
	if c != nil {
		t.Errorf("Open returned a Conn %T alongside the error", c)
	}
	pe := asError(t, err)
	if !strings.Contains(err.Error(), "only available on Windows") || pe.Temporary() {
		t.Errorf("Open(spooler://…) = %v, want a permanent error saying spooler:// is only available on Windows", err)
	}
}
