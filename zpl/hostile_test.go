package zpl

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/label/labeltest"
)

func TestEncodeHostileTextKeepsTheCommandStructure(t *testing.T) {
	img := qrLike(50, 25)
	for _, s := range labeltest.HostileStrings(t) {
		p := labeltest.TextPage(s, img)
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
	for _, s := range labeltest.HostileStrings(f) {
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
		p := labeltest.TextPage(text, img)
		var buf bytes.Buffer
		if err := Encode(&buf, p); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		checkRoundTrip(t, p, buf.Bytes())
	})
}
