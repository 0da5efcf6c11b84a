//go:build linux || darwin

package daemon_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

func TestSerialPrinterByteExact(t *testing.T) {
	for _, baud := range []int{9600, 115200} {
		t.Run(fmt.Sprint(baud), func(t *testing.T) {
			link := printertest.NewSerial(t)
			h := start(t, testPrinter{"receipt", fmt.Sprintf("serial://%s?baud=%d", link.Path(), baud), labelbridge.ESCPOS})
			// Newlines, CRs and every other byte must cross unchanged: the
			// line is raw.
			doc := []byte{0x1B, 0x40, 'A', '\n', 'B', '\r', '\n', 0x00, 0x11, 0x13, 0x1D, 0x56, 0x42, 0x00}
			for i := range 256 {
				doc = append(doc, byte(i))
			}
			c := h.dial()
			c.send(map[string]any{"type": "print", "id": "s", "job": map[string]any{"printer": "receipt", "documents": []any{
				map[string]any{"kind": "raw", "language": "escpos", "content_base64": base64.StdEncoding.EncodeToString(doc)},
				map[string]any{"kind": "raw", "language": "escpos", "content": "second\n"},
			}}})
			id := c.read(5 * time.Second).str("job_id")
			if st := last(c.until(20*time.Second, jobFinal(id))).str("state"); st != "done" {
				t.Fatalf("job ended %s", st)
			}
			want := append(doc, "second\n"...)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := link.Wait(ctx, func(b []byte) bool { return len(b) >= len(want) }); err != nil {
				t.Fatalf("received %d of %d bytes: %v", len(link.Bytes()), len(want), err)
			}
			if got := link.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("serial printer received %q\nwant %q", got, want)
			}
		})
	}
}
