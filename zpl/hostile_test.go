package zpl

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelbridge/labelbridge/label"
)

// hostileStrings returns every distinct string value of the shared tricky
// sample orders: names with ZPL, TSPL and ESC/POS commands in them, quotes,
// backslashes, CR/LF and control bytes, Thai text.
func hostileStrings(tb testing.TB) []string {
	tb.Helper()
	path := filepath.Join("..", "label", "testdata", "samples", "orders-60-tricky.json")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read the shared sample orders: %v", err)
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

// textPage puts s as a text run between a box and a bitmap, so that a text
// escaping its field would show in the commands or the raster after it.
func textPage(s string, img *label.Mono) *label.Page {
	return &label.Page{Width: 200, Height: 140, DPI: 203, Elements: []label.Element{
		&label.Rect{X: 10, Y: 10, W: 100, H: 4},
		&label.Text{X: 10, Y: 20, Height: 30, Text: s},
		&label.Bitmap{X: 10, Y: 60, Img: img},
		&label.Text{X: 10, Y: 115, Height: 20, Text: "after"},
	}}
}

func TestEncodeHostileTextKeepsTheCommandStructure(t *testing.T) {
	img := qrLike(50, 25)
	for _, s := range hostileStrings(t) {
		p := textPage(s, img)
		var buf bytes.Buffer
		if err := Encode(&buf, p); err != nil {
			t.Fatalf("Encode(%q): %v", s, err)
		}
		checkRoundTrip(t, p, buf.Bytes())
		if t.Failed() {
			t.Fatalf("text %q broke the label:\n%s", s, buf.String())
		}
	}
}

func FuzzEncode(f *testing.F) {
	for _, s := range hostileStrings(f) {
		f.Add(s, []byte{0xF0, 0x0F}, uint8(9))
	}
	for _, name := range []string{"label-203.zpl", "label-300.zpl"} {
		golden, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(golden), golden[:64], uint8(200))
	}
	f.Fuzz(func(t *testing.T, text string, bits []byte, w uint8) {
		width := 1 + int(w)%64
		img := label.NewMono(width, len(bits)/((width+7)/8))
		copy(img.Pix, bits)
		p := textPage(text, img)
		var buf bytes.Buffer
		if err := Encode(&buf, p); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		checkRoundTrip(t, p, buf.Bytes())
	})
}
