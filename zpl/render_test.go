package zpl

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge/label"
)

// TestIndependentRenderer renders the golden labels with zpl-renderer-js (the
// zebrash ZPL renderer compiled to WebAssembly, pinned in
// testdata/js/package-lock.json) and checks that the boxes and graphic fields
// land on exactly the dots the page asks for, and that every text run
// printed something. It is skipped only where node is not installed; a
// missing node_modules is installed with npm ci first.
func TestIndependentRenderer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir := filepath.Join("testdata", "js")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "zpl-renderer-js")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	for _, dpi := range []int{203, 300} {
		t.Run(fmt.Sprint(dpi), func(t *testing.T) {
			p := goldenPage(dpi)
			var zpl bytes.Buffer
			if err := Encode(&zpl, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			out := filepath.Join(t.TempDir(), "label.png")
			// The renderer takes whole dots per millimetre, as Zebra names
			// its print heads: 8 for 203 dpi, 12 for 300 dpi.
			dpmm := math.Round(float64(dpi) / 25.4)
			cmd := exec.Command(node, "render.cjs",
				fmt.Sprint(float64(p.Width)/dpmm), fmt.Sprint(float64(p.Height)/dpmm), fmt.Sprint(dpmm), out)
			cmd.Dir = dir
			cmd.Stdin = &zpl
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("render.cjs: %v\n%s", err, msg)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("decode rendered PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != p.Width || b.Dy() != p.Height {
				t.Fatalf("rendered %dx%d, want %dx%d", b.Dx(), b.Dy(), p.Width, p.Height)
			}
			compareRendered(t, p, img)
		})
	}
}

// compareRendered checks the rendered picture against the page: inside each
// box and bitmap every dot must match; each text run must have drawn some
// dots (its glyphs are the renderer's own).
func compareRendered(t *testing.T, p *label.Page, img image.Image) {
	t.Helper()
	want := paint(p)
	black := func(x, y int) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		return (r+g+b)/3 < 0x8000
	}
	for i, el := range p.Elements {
		var area image.Rectangle
		switch el := el.(type) {
		case *label.Rect:
			area = image.Rect(el.X, el.Y, el.X+el.W, el.Y+el.H)
		case *label.Bitmap:
			area = image.Rect(el.X, el.Y, el.X+el.Img.W, el.Y+el.Img.H)
		case *label.Text:
			box := image.Rect(el.X, el.Y, el.X+len(el.Text)*el.Height/2, el.Y+el.Height)
			n := 0
			for y := box.Min.Y; y < box.Max.Y; y++ {
				for x := box.Min.X; x < box.Max.X; x++ {
					if black(x, y) {
						n++
					}
				}
			}
			if n == 0 {
				t.Errorf("element %d: text %q drew nothing in %v", i, el.Text, box)
			}
			continue
		}
		area = area.Intersect(image.Rect(0, 0, p.Width, p.Height))
		bad, first := 0, ""
		for y := area.Min.Y; y < area.Max.Y; y++ {
			for x := area.Min.X; x < area.Max.X; x++ {
				if black(x, y) != want.Black(x, y) {
					if bad == 0 {
						first = fmt.Sprintf("(%d,%d)", x, y)
					}
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("element %d (%T at %v): %d dots differ from the page, first at %s", i, el, area, bad, first)
		}
	}
	if t.Failed() {
		var b strings.Builder
		b.WriteString("rendered page (# black):\n")
		for y := 0; y < p.Height; y += 16 {
			for x := 0; x < p.Width; x += 8 {
				if black(x, y) {
					b.WriteByte('#')
				} else {
					b.WriteByte('.')
				}
			}
			b.WriteByte('\n')
		}
		t.Log(b.String())
	}
}
