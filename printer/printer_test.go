package printer_test

import (
	"context"
	"testing"

	"github.com/labelbridge/labelbridge/printer"
)

func TestOpenUnknownScheme(t *testing.T) {
	_, err := printer.Open(context.Background(), printer.Address{Scheme: "lpd", Target: "q", Raw: "lpd://q"}, printer.Options{})
	if pe := asError(t, err); pe.Addr != "lpd://q" || pe.Temporary() {
		t.Errorf("Open(lpd://q) = %v, want a permanent error naming lpd://q", err)
	}
}
