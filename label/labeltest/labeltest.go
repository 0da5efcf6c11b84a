// Package labeltest holds fixtures the encoders' tests share: the hostile
// strings of the tricky sample orders and a page that traps escaping text.
// Only tests import it.
package labeltest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/labelbridge/labelbridge/label"
)

// HostileStrings returns every distinct string value of the tricky sample
// orders (label/testdata/samples/orders-60-tricky.json): names with ZPL,
// TSPL and ESC/POS commands in them, quotes, backslashes, CR/LF and control
// bytes, Thai text.
func HostileStrings(tb testing.TB) []string {
	tb.Helper()
	_, here, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(here), "..", "testdata", "samples", "orders-60-tricky.json")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read the sample orders: %v", err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var out []string
	seen := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	if len(out) < 100 {
		tb.Fatalf("%s holds only %d strings", path, len(out))
	}
	return out
}

// TextPage puts s as a text run between a box and a bitmap, so that text
// escaping its field would show in the commands or the raster after it.
func TextPage(s string, img *label.Mono) *label.Page {
	return &label.Page{Width: 200, Height: 140, DPI: 203, Elements: []label.Element{
		&label.Rect{X: 10, Y: 10, W: 100, H: 4},
		&label.Text{X: 10, Y: 20, Height: 30, Text: s},
		&label.Bitmap{X: 10, Y: 60, Img: img},
		&label.Text{X: 10, Y: 115, Height: 20, Text: "after"},
	}}
}
