package escpos

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/label/labeltest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenPage is a 72 mm wide, 45 mm long receipt holding every element kind
// ESC/POS takes: rules, a filled box, a QR-like bitmap whose width is not a
// multiple of eight, a bitmap hanging off the right edge, and a cut. It is
// taller than one band, so the raster goes out in several.
func goldenPage(dpi int) *label.Page {
	mm := func(v float64) int { return int(math.Round(v * float64(dpi) / 25.4)) }
	return &label.Page{
		Width: mm(72), Height: mm(45), DPI: dpi, Cut: true,
		Elements: []label.Element{
			&label.Rect{X: 0, Y: mm(2), W: mm(72), H: mm(0.5)},
			&label.Rect{X: mm(4), Y: mm(8), W: mm(20), H: mm(10)},
			&label.Bitmap{X: mm(30), Y: mm(6), Img: qrLike(mm(25)+3, 25)},
			&label.Bitmap{X: mm(50), Y: mm(28), Img: stripes(mm(40), mm(12))},
			&label.Rect{X: 0, Y: mm(42), W: mm(72), H: mm(0.5)},
		},
	}
}

// qrLike draws a size x size picture of modules x modules squares chosen by a
// fixed pseudo-random sequence.
func qrLike(size, modules int) *label.Mono {
	m := label.NewMono(size, size)
	rng := rand.New(rand.NewPCG(1, 2))
	dark := make([]bool, modules*modules)
	for i := range dark {
		dark[i] = rng.IntN(2) == 0
	}
	for y := range size {
		for x := range size {
			if dark[(y*modules/size)*modules+x*modules/size] {
				m.SetBlack(x, y, true)
			}
		}
	}
	return m
}

// stripes draws bars of growing width over a w x h picture.
func stripes(w, h int) *label.Mono {
	m := label.NewMono(w, h)
	x, bar := 0, 1
	for x < w {
		for y := range h {
			for i := x; i < min(x+bar, w); i++ {
				m.SetBlack(i, y, true)
			}
		}
		x += 2 * bar
		bar = bar%6 + 1
	}
	return m
}

// paint draws p's rectangles and bitmaps black on white, clipped to the page.
func paint(p *label.Page) *label.Mono {
	m := label.NewMono(p.Width, p.Height)
	for _, el := range p.Elements {
		switch el := el.(type) {
		case *label.Rect:
			for y := el.Y; y < el.Y+el.H; y++ {
				for x := el.X; x < el.X+el.W; x++ {
					m.SetBlack(x, y, true)
				}
			}
		case *label.Bitmap:
			for y := range el.Img.H {
				for x := range el.Img.W {
					if el.Img.Black(x, y) {
						m.SetBlack(el.X+x, el.Y+y, true)
					}
				}
			}
		}
	}
	return m
}

// checkRoundTrip decodes out and compares it with p: ESC @, one GS v 0 per
// band of at most 256 rows, the cut if asked for, and the same raster,
// padding bits past the page's right edge included.
func checkRoundTrip(t *testing.T, p *label.Page, out []byte) {
	t.Helper()
	d, err := decode(out)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := []string{"ESC @"}
	for range (p.Height + bandRows - 1) / bandRows {
		want = append(want, "GS v 0")
	}
	if p.Cut {
		want = append(want, "GS V 66 0")
	}
	if got := strings.Join(d.commands, ", "); got != strings.Join(want, ", ") {
		t.Errorf("commands:\n got %s\nwant %s", got, strings.Join(want, ", "))
	}
	for i, rows := range d.bands {
		if rows > bandRows {
			t.Errorf("band %d has %d rows, more than %d", i, rows, bandRows)
		}
	}
	if d.img == nil || d.img.Stride != (p.Width+7)/8 || d.img.H != p.Height {
		t.Fatalf("decoded raster %+v, want %d bytes x %d rows", d.img, (p.Width+7)/8, p.Height)
	}
	w := paint(p)
	diff, first := 0, ""
	for y := range d.img.H {
		for x := range d.img.W {
			if d.img.Black(x, y) != w.Black(x, y) {
				if diff == 0 {
					first = fmt.Sprintf("(%d,%d)", x, y)
				}
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("raster differs in %d dots, first at %s", diff, first)
	}
}

func TestEncodeGolden(t *testing.T) {
	for _, dpi := range []int{203, 300} {
		t.Run(fmt.Sprint(dpi), func(t *testing.T) {
			p := goldenPage(dpi)
			var buf bytes.Buffer
			if err := Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			path := filepath.Join("testdata", fmt.Sprintf("receipt-%d.bin", dpi))
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file (run with -update to create it): %v", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("Encode output differs from %s (run with -update after checking the change)", path)
			}
			checkRoundTrip(t, p, buf.Bytes())
		})
	}
}

func TestEncodeRoundTripRandomPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	for i := range 40 {
		p := randomPage(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			checkRoundTrip(t, p, buf.Bytes())
		})
	}
}

func randomPage(rng *rand.Rand) *label.Page {
	widths := []int{384, 576, 100, 7}
	p := &label.Page{Width: widths[rng.IntN(len(widths))], Height: 1 + rng.IntN(900), Cut: rng.IntN(2) == 0}
	for range rng.IntN(8) {
		if rng.IntN(2) == 0 {
			p.Elements = append(p.Elements, &label.Rect{
				X: rng.IntN(p.Width+40) - 20, Y: rng.IntN(p.Height+40) - 20,
				W: 1 + rng.IntN(300), H: 1 + rng.IntN(300),
			})
			continue
		}
		m := label.NewMono(1+rng.IntN(200), 1+rng.IntN(300))
		for i := range m.Pix {
			m.Pix[i] = byte(rng.IntN(256)) // padding bits too: Encode must not print them
		}
		p.Elements = append(p.Elements, &label.Bitmap{
			X: rng.IntN(p.Width+40) - 20, Y: rng.IntN(p.Height+40) - 20, Img: m,
		})
	}
	return p
}

func TestEncodeWithoutCut(t *testing.T) {
	p := &label.Page{Width: 384, Height: 10, Elements: []label.Element{&label.Rect{X: 0, Y: 0, W: 384, H: 2}}}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if bytes.Contains(buf.Bytes(), []byte{gs, 'V'}) {
		t.Errorf("a page without Cut was cut: % X", buf.Bytes())
	}
	checkRoundTrip(t, p, buf.Bytes())
}

func TestEncodeRefusesText(t *testing.T) {
	p := &label.Page{Width: 576, Height: 100, Elements: []label.Element{
		&label.Rect{X: 0, Y: 0, W: 10, H: 10},
		&label.Text{X: 0, Y: 20, Height: 24, Text: "TOTAL 120.00"},
	}}
	var buf bytes.Buffer
	err := Encode(&buf, p)
	if !errors.Is(err, ErrText) || !errors.Is(err, ErrInvalidPage) {
		t.Errorf("Encode error %v, want one wrapping ErrText and ErrInvalidPage", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a refused page wrote %d bytes", buf.Len())
	}
}

func TestEncodeRejectsInvalidPages(t *testing.T) {
	tests := []struct {
		name string
		page *label.Page
	}{
		{"NilPage", nil},
		{"ZeroWidth", &label.Page{Width: 0, Height: 10}},
		{"ZeroHeight", &label.Page{Width: 576, Height: 0}},
		{"TooWide", &label.Page{Width: 8 * 70000, Height: 1}},
		{"NilElement", &label.Page{Width: 8, Height: 8, Elements: []label.Element{nil}}},
		{"NilRect", &label.Page{Width: 8, Height: 8, Elements: []label.Element{(*label.Rect)(nil)}}},
		{"EmptyRect", &label.Page{Width: 8, Height: 8, Elements: []label.Element{&label.Rect{W: 3, H: 0}}}},
		{"NilBitmap", &label.Page{Width: 8, Height: 8, Elements: []label.Element{(*label.Bitmap)(nil)}}},
		{"BitmapWithoutImage", &label.Page{Width: 8, Height: 8, Elements: []label.Element{&label.Bitmap{}}}},
		{"MalformedImage", &label.Page{Width: 8, Height: 8, Elements: []label.Element{&label.Bitmap{Img: &label.Mono{W: 16, H: 2, Stride: 1, Pix: make([]byte, 2)}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tt.page)
			if !errors.Is(err, ErrInvalidPage) {
				t.Errorf("Encode error %v, want one wrapping ErrInvalidPage", err)
			}
			if buf.Len() != 0 {
				t.Errorf("an invalid page wrote %d bytes", buf.Len())
			}
		})
	}
}

var errBroken = errors.New("broken pipe")

// failingWriter accepts n bytes, then fails every write.
type failingWriter struct{ n int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) <= w.n {
		w.n -= len(b)
		return len(b), nil
	}
	n := w.n
	w.n = 0
	return n, errBroken
}

func TestEncodeReportsWriteErrors(t *testing.T) {
	for _, n := range []int{0, 100, 5000, 20000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			err := Encode(&failingWriter{n: n}, goldenPage(203))
			if !errors.Is(err, errBroken) {
				t.Errorf("Encode error %v, want one wrapping %v", err, errBroken)
			}
			if errors.Is(err, ErrInvalidPage) {
				t.Errorf("a write error reads as an invalid page: %v", err)
			}
		})
	}
}

func TestSanitizeText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"TOTAL 1,686.00 THB", "TOTAL 1,686.00 THB"},
		{"name\x1b@\x1d V\x00 with ESC/POS bytes", "name@ V with ESC/POS bytes"},
		{"line1\nline2\r\nline3\ttab", "line1line2line3tab"},
		{"del\x7f\x10\x04\x01", "del"},
		{"ร้านน้ำใจ ~^\\\"", "ร้านน้ำใจ ~^\\\""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := SanitizeText(tt.in); got != tt.want {
				t.Errorf("SanitizeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// checkSanitized checks that out is in with its control bytes removed.
func checkSanitized(t *testing.T, in, out string) {
	t.Helper()
	var want []byte
	for i := 0; i < len(in); i++ {
		if c := in[i]; c >= 0x20 && c != 0x7F {
			want = append(want, c)
		}
	}
	if out != string(want) {
		t.Errorf("SanitizeText(%q) = %q, want %q", in, out, want)
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 || c == 0x7F {
			t.Errorf("SanitizeText(%q) kept control byte %#02x at %d", in, c, i)
		}
	}
}

func TestHostileText(t *testing.T) {
	for _, s := range labeltest.HostileStrings(t) {
		checkSanitized(t, s, SanitizeText(s))
		p := &label.Page{Width: 576, Height: 40, Elements: []label.Element{&label.Text{Height: 24, Text: s}}}
		var buf bytes.Buffer
		if err := Encode(&buf, p); !errors.Is(err, ErrText) || buf.Len() != 0 {
			t.Errorf("Encode of text %q: %v and %d bytes, want ErrText and nothing written", s, err, buf.Len())
		}
	}
}

func FuzzSanitizeText(f *testing.F) {
	for _, s := range labeltest.HostileStrings(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SanitizeText(s)
		checkSanitized(t, s, out)
		if again := SanitizeText(out); again != out {
			t.Errorf("SanitizeText is not idempotent: %q then %q", out, again)
		}
	})
}

func FuzzEncode(f *testing.F) {
	for _, name := range []string{"receipt-203.bin", "receipt-300.bin"} {
		golden, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(golden[:300], uint16(576), uint16(300), int16(-3), int16(5), true)
	}
	f.Fuzz(func(t *testing.T, bits []byte, w, h uint16, x, y int16, cut bool) {
		width, height := 1+int(w)%800, 1+int(h)%800
		imgW := 1 + len(bits)%97
		img := label.NewMono(imgW, len(bits)/((imgW+7)/8))
		copy(img.Pix, bits)
		p := &label.Page{Width: width, Height: height, Cut: cut, Elements: []label.Element{
			&label.Rect{X: int(x), Y: int(y), W: 1 + int(w)%50, H: 1 + int(h)%50},
			&label.Bitmap{X: int(y), Y: int(x), Img: img},
		}}
		var buf bytes.Buffer
		if err := Encode(&buf, p); err != nil {
			t.Fatalf("Encode: %v", err)
		}
		checkRoundTrip(t, p, buf.Bytes())
	})
}
