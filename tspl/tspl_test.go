package tspl

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

// goldenPage is a 100 x 75 mm label holding every element kind, laid out in
// millimetres so the 203 and 300 dpi versions show the same thing: rules and
// a filled box, a QR-like bitmap whose width is not a multiple of eight, a
// bitmap hanging off the right edge, and text runs, one of them hostile.
func goldenPage(dpi int) *label.Page {
	mm := func(v float64) int { return int(math.Round(v * float64(dpi) / 25.4)) }
	return &label.Page{
		Width: mm(100), Height: mm(75), DPI: dpi,
		Elements: []label.Element{
			&label.Rect{X: mm(3), Y: mm(3), W: mm(94), H: mm(0.5)},
			&label.Rect{X: mm(60), Y: mm(3), W: mm(0.5), H: mm(35)},
			&label.Rect{X: mm(5), Y: mm(55), W: mm(30), H: mm(15)},
			&label.Bitmap{X: mm(65), Y: mm(6), Img: qrLike(mm(28)+5, 25)},
			&label.Bitmap{X: mm(40), Y: mm(42), Img: stripes(mm(70), mm(10))},
			&label.Text{X: mm(5), Y: mm(6), Height: mm(5), Text: "J&T Express  Economy"},
			&label.Text{X: mm(5), Y: mm(14), Height: mm(8), Text: "CNX-15C"},
			&label.Text{X: mm(5), Y: mm(28), Height: mm(3), Text: "SIZE 100 mm,150 mm\r\nCLS\r\nPRINT 99 \"q\" \\b"},
			&label.Text{X: mm(40), Y: mm(58), Height: mm(6), Text: "COD 1,686.00 THB"},
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

// wantText is what a text run should print as: control bytes gone, other
// runes outside printable ASCII as '?', and backslashes that stand before
// '\', '[' or '"' or at the end removed until none does.
func wantText(s string) string {
	var b []byte
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7F:
		case r > 0x7E || r == 0xFFFD:
			b = append(b, '?')
		default:
			b = append(b, byte(r))
		}
	}
	for {
		var out []byte
		for i, c := range b {
			if c == '\\' && (i == len(b)-1 || strings.IndexByte(`\["`, b[i+1]) >= 0) {
				continue
			}
			out = append(out, c)
		}
		if len(out) == len(b) {
			return string(out)
		}
		b = out
	}
}

// checkRoundTrip decodes out and compares it with p: exactly the commands the
// elements call for, the same raster, and the same texts.
func checkRoundTrip(t *testing.T, p *label.Page, out []byte, copies int) {
	t.Helper()
	d, err := decode(out, p.Width, p.Height)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	cmds := []string{"SIZE", "GAP", "DIRECTION", "CLS"}
	var texts []decodedText
	for _, el := range p.Elements {
		switch el := el.(type) {
		case *label.Rect:
			if el.X < p.Width && el.Y < p.Height && el.X+el.W > 0 && el.Y+el.H > 0 {
				cmds = append(cmds, "BAR")
			}
		case *label.Bitmap:
			x0, y0 := max(el.X, 0), max(el.Y, 0)
			x1, y1 := min(el.X+el.Img.W, p.Width), min(el.Y+el.Img.H, p.Height)
			if x0 < x1 && y0 < y1 {
				cmds = append(cmds, "BITMAP")
			}
		case *label.Text:
			if el.X >= 0 && el.Y >= 0 && el.X < p.Width && el.Y < p.Height {
				cmds = append(cmds, "TEXT")
				pt := max(int(math.Round(float64(el.Height)*72/float64(p.DPI))), 1)
				texts = append(texts, decodedText{x: el.X, y: el.Y, points: pt, text: wantText(el.Text)})
			}
		}
	}
	cmds = append(cmds, "PRINT")
	if got, want := strings.Join(d.commands, " "), strings.Join(cmds, " "); got != want {
		t.Errorf("commands:\n got %s\nwant %s", got, want)
	}
	if d.copies != max(copies, 1) {
		t.Errorf("PRINT 1,%d, want %d copies", d.copies, max(copies, 1))
	}
	for _, mode := range d.bitmapModes {
		if mode != 1 {
			t.Errorf("BITMAP mode %d, want 1 (OR)", mode)
		}
	}
	if fmt.Sprint(d.texts) != fmt.Sprint(texts) {
		t.Errorf("texts:\n got %+v\nwant %+v", d.texts, texts)
	}
	want := paint(p)
	diff, first := 0, ""
	for y := range p.Height {
		for x := range p.Width {
			if d.img.Black(x, y) != want.Black(x, y) {
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
			path := filepath.Join("testdata", fmt.Sprintf("label-%d.tspl", dpi))
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
			checkRoundTrip(t, p, buf.Bytes(), 1)
		})
	}
}

func TestEncodePageSize(t *testing.T) {
	tests := []struct {
		w, h, dpi int
		want      string
	}{
		{812, 1218, 203, "SIZE 101.6 mm,152.4 mm\r\n"},
		{1200, 1800, 300, "SIZE 101.6 mm,152.4 mm\r\n"},
		{799, 600, 203, "SIZE 99.97 mm,75.07 mm\r\n"},
		{8, 8, 203, "SIZE 1 mm,1 mm\r\n"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d@%d", tt.w, tt.h, tt.dpi), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, &label.Page{Width: tt.w, Height: tt.h, DPI: tt.dpi}); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if got, _, _ := strings.Cut(buf.String(), "GAP"); got != tt.want {
				t.Errorf("size line %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeTextSize(t *testing.T) {
	tests := []struct {
		height, dpi, points int
	}{
		{40, 203, 14},
		{60, 300, 14},
		{1, 300, 1},
		{203, 203, 72},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d@%d", tt.height, tt.dpi), func(t *testing.T) {
			p := &label.Page{Width: 400, Height: 400, DPI: tt.dpi, Elements: []label.Element{
				&label.Text{X: 1, Y: 2, Height: tt.height, Text: "x"},
			}}
			var buf bytes.Buffer
			if err := Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			want := fmt.Sprintf("TEXT 1,2,\"0\",0,%d,%d,\"x\"\r\n", tt.points, tt.points)
			if !strings.Contains(buf.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, buf.String())
			}
		})
	}
}

func TestEncodeCopies(t *testing.T) {
	p := goldenPage(203)
	for _, copies := range []int{0, 1, 4} {
		t.Run(fmt.Sprint(copies), func(t *testing.T) {
			var buf bytes.Buffer
			enc := Encoder{Copies: copies}
			if err := enc.Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			checkRoundTrip(t, p, buf.Bytes(), copies)
		})
	}
}

func TestEncodeBitmapPolarity(t *testing.T) {
	// One black dot in the top-left corner of a 10 x 1 picture: the data is
	// two bytes, 0 bits printing, so 0x7F then 0xFF (padding white too).
	m := label.NewMono(10, 1)
	m.SetBlack(0, 0, true)
	p := &label.Page{Width: 20, Height: 2, DPI: 203, Elements: []label.Element{&label.Bitmap{X: 3, Y: 1, Img: m}}}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	want := "BITMAP 3,1,2,1,1,\x7F\xFF\r\n"
	if !strings.Contains(buf.String(), want) {
		t.Errorf("output lacks %q:\n%q", want, buf.String())
	}
}

func TestEncodeRoundTripRandomPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 60 {
		p := randomPage(rng)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			checkRoundTrip(t, p, buf.Bytes(), 1)
		})
	}
}

func randomPage(rng *rand.Rand) *label.Page {
	dpis := []int{203, 300}
	p := &label.Page{Width: 8 + rng.IntN(500), Height: 8 + rng.IntN(500), DPI: dpis[rng.IntN(2)]}
	for range rng.IntN(8) {
		switch rng.IntN(3) {
		case 0:
			p.Elements = append(p.Elements, &label.Rect{
				X: rng.IntN(p.Width+40) - 20, Y: rng.IntN(p.Height+40) - 20,
				W: 1 + rng.IntN(200), H: 1 + rng.IntN(200),
			})
		case 1:
			m := label.NewMono(1+rng.IntN(150), 1+rng.IntN(150))
			for i := range m.Pix {
				m.Pix[i] = byte(rng.IntN(256)) // padding bits too: Encode must not print them
			}
			p.Elements = append(p.Elements, &label.Bitmap{
				X: rng.IntN(p.Width+40) - 20, Y: rng.IntN(p.Height+40) - 20, Img: m,
			})
		case 2:
			b := make([]byte, rng.IntN(30))
			for i := range b {
				b[i] = `"\[]x`[rng.IntN(5)]
				if rng.IntN(3) == 0 {
					b[i] = byte(rng.IntN(256))
				}
			}
			p.Elements = append(p.Elements, &label.Text{
				X: rng.IntN(p.Width+10) - 5, Y: rng.IntN(p.Height+10) - 5,
				Height: 1 + rng.IntN(60), Text: string(b),
			})
		}
	}
	return p
}

func TestEscapeText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"COD 1,686.00 THB", "COD 1,686.00 THB"},
		{`say "hi"`, `say \["]hi\["]`},
		{"line1\r\nPRINT 99", "line1PRINT 99"},
		{"esc\x1b@\x00\x7f", "esc@"},
		{`a\b`, `a\b`},
		{`a\`, `a`},
		{`\"`, `\["]`},
		{`\\"`, `\["]`},
		{`\[R]`, `[R]`},
		{`\\x`, `\x`},
		{`C:\["]`, `C:[\["]]`},
		{"ก", "?"},
		{"\xff", "?"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := escapeText(tt.in); got != tt.want {
				t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEncodeRejectsInvalidPages(t *testing.T) {
	tests := []struct {
		name   string
		page   *label.Page
		copies int
	}{
		{"NilPage", nil, 0},
		{"ZeroWidth", &label.Page{Width: 0, Height: 10, DPI: 203}, 0},
		{"NoDPI", &label.Page{Width: 10, Height: 10}, 0},
		{"NilElement", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{nil}}, 0},
		{"NilRect", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{(*label.Rect)(nil)}}, 0},
		{"EmptyRect", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{&label.Rect{W: 1, H: -1}}}, 0},
		{"BitmapWithoutImage", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{&label.Bitmap{}}}, 0},
		{"MalformedImage", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{&label.Bitmap{Img: &label.Mono{W: 8, H: 2, Stride: 1, Pix: make([]byte, 1)}}}}, 0},
		{"NilText", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{(*label.Text)(nil)}}, 0},
		{"TextWithoutHeight", &label.Page{Width: 10, Height: 10, DPI: 203, Elements: []label.Element{&label.Text{Text: "x"}}}, 0},
		{"NegativeCopies", &label.Page{Width: 10, Height: 10, DPI: 203}, -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := Encoder{Copies: tt.copies}
			err := enc.Encode(&buf, tt.page)
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
	for _, n := range []int{0, 50, 5000} {
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

func TestEncodeHostileTextKeepsTheCommandStructure(t *testing.T) {
	img := qrLike(50, 25)
	for _, s := range labeltest.HostileStrings(t) {
		p := labeltest.TextPage(s, img)
		var buf bytes.Buffer
		if err := Encode(&buf, p); err != nil {
			t.Fatalf("Encode(%q): %v", s, err)
		}
		checkRoundTrip(t, p, buf.Bytes(), 1)
		if t.Failed() {
			t.Fatalf("text %q broke the label:\n%q", s, buf.String())
		}
	}
}

func FuzzEncode(f *testing.F) {
	for _, s := range labeltest.HostileStrings(f) {
		f.Add(s, []byte{0xF0, 0x0F}, uint8(9))
	}
	for _, name := range []string{"label-203.tspl", "label-300.tspl"} {
		golden, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(golden[:min(len(golden), 2000)]), golden[:64], uint8(200))
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
		checkRoundTrip(t, p, buf.Bytes(), 1)
	})
}
