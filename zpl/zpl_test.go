package zpl

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
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenPage is a 100 x 150 mm shipping label holding every element kind,
// laid out in millimetres so the 203 and 300 dpi versions show the same
// thing: rules and a filled box, a QR-like bitmap whose width is not a
// multiple of eight at 300 dpi, a bitmap with blank rows, a short rule small
// enough to go as compressed hex rather than Z64, and text runs, one of them
// hostile.
func goldenPage(dpi int) *label.Page {
	mm := func(v float64) int { return int(math.Round(v * float64(dpi) / 25.4)) }
	return &label.Page{
		Width: mm(100), Height: mm(150), DPI: dpi,
		Elements: []label.Element{
			&label.Rect{X: mm(3), Y: mm(3), W: mm(94), H: mm(0.5)},
			&label.Rect{X: mm(3), Y: mm(40), W: mm(94), H: mm(0.5)},
			&label.Rect{X: mm(60), Y: mm(3), W: mm(0.5), H: mm(37)},
			&label.Rect{X: mm(5), Y: mm(120), W: mm(40), H: mm(20)},
			&label.Bitmap{X: mm(65), Y: mm(6), Img: qrLike(mm(30), 25)},
			&label.Bitmap{X: mm(5), Y: mm(45), Img: stripes(mm(90), mm(25))},
			&label.Bitmap{X: mm(5), Y: mm(95), Img: rule(mm(90), mm(0.5))},
			&label.Text{X: mm(5), Y: mm(6), Height: mm(5), Text: "J&T Express  Economy"},
			&label.Text{X: mm(5), Y: mm(14), Height: mm(8), Text: "CNX-15C"},
			&label.Text{X: mm(5), Y: mm(75), Height: mm(4), Text: "Order 576529469468509062"},
			&label.Text{X: mm(5), Y: mm(82), Height: mm(4), Text: `^XA^FDpwned^FS^XZ ~JR "q" \b`},
			&label.Text{X: mm(50), Y: mm(125), Height: mm(6), Text: "COD 1,686.00 THB"},
		},
	}
}

// qrLike draws a size x size picture of modules x modules squares with three
// finder patterns, its modules chosen by a fixed pseudo-random sequence.
func qrLike(size, modules int) *label.Mono {
	m := label.NewMono(size, size)
	rng := rand.New(rand.NewPCG(1, 2))
	dark := make([]bool, modules*modules)
	for i := range dark {
		dark[i] = rng.IntN(2) == 0
	}
	finder := func(mx, my int) {
		for y := range 7 {
			for x := range 7 {
				ring := max(abs(x-3), abs(y-3))
				dark[(my+y)*modules+mx+x] = ring != 2
			}
		}
	}
	finder(0, 0)
	finder(modules-7, 0)
	finder(0, modules-7)
	for y := range size {
		for x := range size {
			if dark[(y*modules/size)*modules+x*modules/size] {
				m.SetBlack(x, y, true)
			}
		}
	}
	return m
}

// stripes draws bars of growing width in the middle third of a w x h picture,
// leaving blank rows above and below.
func stripes(w, h int) *label.Mono {
	m := label.NewMono(w, h)
	x, bar := 0, 1
	for x < w {
		for y := h / 3; y < 2*h/3; y++ {
			for i := x; i < min(x+bar, w); i++ {
				m.SetBlack(i, y, true)
			}
		}
		x += 2 * bar
		bar = bar%6 + 1
	}
	return m
}

// rule draws a w x h picture whose left two thirds are black.
func rule(w, h int) *label.Mono {
	m := label.NewMono(w, h)
	for y := range h {
		for x := range 2 * w / 3 {
			m.SetBlack(x, y, true)
		}
	}
	return m
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestEncodeGolden(t *testing.T) {
	for _, dpi := range []int{203, 300} {
		t.Run(fmt.Sprint(dpi), func(t *testing.T) {
			p := goldenPage(dpi)
			var buf bytes.Buffer
			if err := Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			path := filepath.Join("testdata", fmt.Sprintf("label-%d.zpl", dpi))
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
				t.Errorf("Encode output differs from %s (run with -update after checking the change)\ngot:\n%s", path, head(buf.String()))
			}
			checkRoundTrip(t, p, buf.Bytes())
		})
	}
}

// checkRoundTrip decodes out and compares it with what p asks for: the same
// raster, the same texts, and exactly the commands the elements call for.
func checkRoundTrip(t *testing.T, p *label.Page, out []byte) {
	t.Helper()
	d, err := decode(out)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, head(string(out)))
	}
	if d.width != p.Width || d.height != p.Height {
		t.Errorf("decoded size %dx%d, want %dx%d", d.width, d.height, p.Width, p.Height)
	}
	if got, want := strings.Join(d.commands, " "), strings.Join(wantCommands(p, 1), " "); got != want {
		t.Errorf("commands:\n got %s\nwant %s", got, want)
	}
	if n := strings.Count(string(out), "^"); n != len(d.commands) {
		t.Errorf("%d '^' in the output, want one per command (%d)", n, len(d.commands))
	}
	sameRaster(t, d.img, paint(p))
	var want []decodedText
	for _, el := range p.Elements {
		if tx, ok := el.(*label.Text); ok && tx.X >= 0 && tx.Y >= 0 && tx.X < p.Width && tx.Y < p.Height {
			h := min(max(tx.Height, minFontHeight), maxDots)
			want = append(want, decodedText{x: tx.X, y: tx.Y, h: h, w: h, text: tx.Text})
		}
	}
	if fmt.Sprint(d.texts) != fmt.Sprint(want) {
		t.Errorf("texts:\n got %+v\nwant %+v", d.texts, want)
	}
}

// wantCommands lists the commands p's elements call for, in order.
func wantCommands(p *label.Page, copies int) []string {
	cmds := []string{"XA", "PW", "LL", "LH", "CI"}
	if copies > 1 {
		cmds = append(cmds, "PQ")
	}
	for _, el := range p.Elements {
		switch el := el.(type) {
		case *label.Rect:
			if el.X < p.Width && el.Y < p.Height && el.X+el.W > 0 && el.Y+el.H > 0 {
				cmds = append(cmds, "FO", "GB", "FS")
			}
		case *label.Bitmap:
			x0, y0 := max(el.X, 0), max(el.Y, 0)
			x1, y1 := min(el.X+el.Img.W, p.Width), min(el.Y+el.Img.H, p.Height)
			if x0 < x1 && y0 < y1 {
				rows := maxGraphicBytes / ((x1 - x0 + 7) / 8)
				for range (y1 - y0 + rows - 1) / rows {
					cmds = append(cmds, "FO", "GF", "FS")
				}
			}
		case *label.Text:
			if el.X >= 0 && el.Y >= 0 && el.X < p.Width && el.Y < p.Height {
				cmds = append(cmds, "FO", "A0", "FH", "FD", "FS")
			}
		}
	}
	return append(cmds, "XZ")
}

// paint draws p's rectangles and bitmaps the way a printer does: black on
// white, clipped to the page, later elements adding dots and never erasing.
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

func sameRaster(t *testing.T, got, want *label.Mono) {
	t.Helper()
	if got == nil {
		t.Fatal("no raster decoded")
	}
	diff, first := 0, ""
	for y := range want.H {
		for x := range want.W {
			if got.Black(x, y) != want.Black(x, y) {
				if diff == 0 {
					first = fmt.Sprintf("(%d,%d) black=%v, want %v", x, y, got.Black(x, y), want.Black(x, y))
				}
				diff++
			}
		}
	}
	if diff > 0 {
		t.Errorf("raster differs in %d dots, first at %s", diff, first)
	}
}

func TestEncodeRoundTripRandomPages(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 60 {
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

// randomPage makes a page of random rectangles, bitmaps (some noise, some
// sparse, some hanging off the page) and texts of random bytes.
func randomPage(rng *rand.Rand) *label.Page {
	p := &label.Page{Width: 8 + rng.IntN(500), Height: 8 + rng.IntN(500), DPI: 203}
	for range rng.IntN(8) {
		switch rng.IntN(3) {
		case 0:
			p.Elements = append(p.Elements, &label.Rect{
				X: rng.IntN(p.Width+40) - 20, Y: rng.IntN(p.Height+40) - 20,
				W: 1 + rng.IntN(200), H: 1 + rng.IntN(200),
			})
		case 1:
			m := label.NewMono(1+rng.IntN(150), 1+rng.IntN(150))
			density := rng.IntN(4) // 0 blank, 1 sparse, 2 half, 3 dense
			for y := range m.H {
				for x := range m.W {
					m.SetBlack(x, y, rng.IntN(4) < density)
				}
			}
			p.Elements = append(p.Elements, &label.Bitmap{
				X: rng.IntN(p.Width+40) - 20, Y: rng.IntN(p.Height+40) - 20, Img: m,
			})
		case 2:
			b := make([]byte, rng.IntN(30))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			p.Elements = append(p.Elements, &label.Text{
				X: rng.IntN(p.Width+10) - 5, Y: rng.IntN(p.Height+10) - 5,
				Height: 1 + rng.IntN(60), Text: string(b),
			})
		}
	}
	return p
}

func TestEncodeTallBitmapIsSplitIntoStrips(t *testing.T) {
	// 100 bytes a row x 2100 rows is 210000 bytes, over ^GF's 99999.
	m := label.NewMono(800, 2100)
	for y := range m.H {
		m.SetBlack(y%800, y, true)
	}
	p := &label.Page{Width: 812, Height: 2200, DPI: 203, Elements: []label.Element{&label.Bitmap{X: 6, Y: 50, Img: m}}}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if got := strings.Count(buf.String(), "^GFA,"); got != 3 {
		t.Errorf("%d graphic fields, want 3", got)
	}
	checkRoundTrip(t, p, buf.Bytes())
}

func TestEncodeCopies(t *testing.T) {
	p := &label.Page{Width: 100, Height: 100, Elements: []label.Element{&label.Rect{X: 1, Y: 1, W: 5, H: 5}}}
	tests := []struct {
		copies int
		want   string
	}{
		{0, ""},
		{1, ""},
		{3, "^PQ3\n"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.copies), func(t *testing.T) {
			var buf bytes.Buffer
			enc := Encoder{Copies: tt.copies}
			if err := enc.Encode(&buf, p); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			got := ""
			if i := strings.Index(buf.String(), "^PQ"); i >= 0 {
				got = buf.String()[i : i+strings.IndexByte(buf.String()[i:], '\n')+1]
			}
			if got != tt.want {
				t.Errorf("print quantity %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeClipsToPage(t *testing.T) {
	m := label.NewMono(20, 20)
	for i := range m.Pix {
		m.Pix[i] = 0xFF
	}
	p := &label.Page{Width: 50, Height: 40, Elements: []label.Element{
		&label.Rect{X: -5, Y: 30, W: 20, H: 20}, // hangs off the left and bottom
		&label.Bitmap{X: 40, Y: -7, Img: m},     // hangs off the right and top
		&label.Bitmap{X: -3, Y: 10, Img: m},     // hangs off the left, not byte aligned
		&label.Rect{X: 60, Y: 0, W: 5, H: 5},    // wholly off the page
		&label.Text{X: 50, Y: 0, Height: 20, Text: "off the page"},
		&label.Text{X: -1, Y: 5, Height: 20, Text: "left of the page"},
	}}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if strings.Contains(buf.String(), "^FO-") {
		t.Errorf("negative field origin in\n%s", buf.String())
	}
	checkRoundTrip(t, p, buf.Bytes())
}

func TestEncodeMasksPaddingBits(t *testing.T) {
	m := label.NewMono(3, 2)
	m.Pix[0], m.Pix[1] = 0xFF, 0xFF // three dots and five stray padding bits a row
	p := &label.Page{Width: 16, Height: 4, Elements: []label.Element{&label.Bitmap{X: 0, Y: 0, Img: m}}}
	var buf bytes.Buffer
	if err := Encode(&buf, p); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	d, err := decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := label.NewMono(16, 4)
	for y := range 2 {
		for x := range 3 {
			want.SetBlack(x, y, true)
		}
	}
	sameRaster(t, d.img, want)
	if m.Pix[0] != 0xFF {
		t.Errorf("Encode changed the caller's image")
	}
}

func TestEncodeRejectsInvalidPages(t *testing.T) {
	img := label.NewMono(10, 10)
	tests := []struct {
		name   string
		page   *label.Page
		copies int
	}{
		{"NilPage", nil, 0},
		{"ZeroWidth", &label.Page{Width: 0, Height: 10}, 0},
		{"NegativeHeight", &label.Page{Width: 10, Height: -1}, 0},
		{"TooWide", &label.Page{Width: 32001, Height: 10}, 0},
		{"NilElement", &label.Page{Width: 10, Height: 10, Elements: []label.Element{nil}}, 0},
		{"NilRect", &label.Page{Width: 10, Height: 10, Elements: []label.Element{(*label.Rect)(nil)}}, 0},
		{"EmptyRect", &label.Page{Width: 10, Height: 10, Elements: []label.Element{&label.Rect{W: 0, H: 3}}}, 0},
		{"NilBitmap", &label.Page{Width: 10, Height: 10, Elements: []label.Element{(*label.Bitmap)(nil)}}, 0},
		{"BitmapWithoutImage", &label.Page{Width: 10, Height: 10, Elements: []label.Element{&label.Bitmap{}}}, 0},
		{"MalformedImage", &label.Page{Width: 10, Height: 10, Elements: []label.Element{&label.Bitmap{Img: &label.Mono{W: 9, H: 2, Stride: 2, Pix: make([]byte, 3)}}}}, 0},
		{"NilText", &label.Page{Width: 10, Height: 10, Elements: []label.Element{(*label.Text)(nil)}}, 0},
		{"TextWithoutHeight", &label.Page{Width: 10, Height: 10, Elements: []label.Element{&label.Text{Text: "x"}}}, 0},
		{"NegativeCopies", &label.Page{Width: 10, Height: 10, Elements: []label.Element{&label.Bitmap{Img: img}}}, -1},
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
	for _, n := range []int{0, 10, 600} {
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

func TestEscapeField(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"J&T Express 1,686.00", "J&T Express 1,686.00"},
		{"^XA^FDx^FS^XZ", `\5EXA\5EFDx\5EFS\5EXZ`},
		{"~JR", `\7EJR`},
		{`a\b`, `a\5Cb`},
		{"line1\r\nline2", `line1\0D\0Aline2`},
		{"esc\x1b@ nul\x00 del\x7f", `esc\1B@ nul\00 del\7F`},
		{`"q" _u_ <>[]{}|$;`, `\22q\22 \5Fu\5F \3C\3E\5B\5D\7B\7D\7C\24\3B`},
		{"ก", `\E0\B8\81`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := escapeField(tt.in)
			if got != tt.want {
				t.Errorf("escapeField(%q) = %q, want %q", tt.in, got, tt.want)
			}
			back, err := unescapeField(got)
			if err != nil || back != tt.in {
				t.Errorf("unescapeField(%q) = %q, %v; want %q", got, back, err, tt.in)
			}
		})
	}
}

func TestCRC16(t *testing.T) {
	tests := []struct {
		name, in string
		want     uint16
	}{
		{"Empty", "", 0x0000},
		// The check value of CRC-16/XMODEM.
		{"CheckValue", "123456789", 0x31C3},
		// A Z64 graphic a Zebra user posted (BinaryKits/BinaryKits.Zpl
		// discussion 178), which carries ":D069".
		{"RealLabel", realZ64, 0xD069},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := crc16(tt.in); got != tt.want {
				t.Errorf("crc16 = %04X, want %04X", got, tt.want)
			}
		})
	}
}

const realZ64 = "eJztVT2OEzEUtmMiF1OMkEApKHyEbRFI6xQcYA+AlCtwAjwl0l5ia66wRYYbQEFviSalkSIxSiZ+vGfP2J6ZQEFFsY6SsT5/+d57fj/D2H+1ni0+f118B9/nWAUAzYxmEOuXNPBT4g6+Pd+Bm2BwwJ/HroQkvMPfDWwLrD5F9kOBmai0KwX30WJVCEqIzzUU2HhehKJGHdUm7O14XNlsdvRLHhPmx41Ihnm6EH5ZnrLb5Ep2PynX2Vo9ehC82rI79iI7SO6tLLPsNRPjXwx+N1a6dZ8d/IhfbW+s6JML5B43zjjVZ1fxjO8tON2HfeA5usFf4EwfdSgMtFXDD3DgUyACeQoww4BGdebp7tVJnNFPNYSLvpujOYasDFiNGFht6y4HjBiH1rQhK0PAdAQNNNpmniIeh62xg3g8Ep57FngyXgyakj0HZtrMU5QR4WMRiIInEWvzf2+pYGY8HXikOAQfeXWHF1zyMB31VR6WILCJHmIDj0fem1GPTfSyXVnq/cG/ZmJ3EUfUgyHexBNeDHdQ3AtcuT/Ph3yINvPWmDk3yQcPeSOsbnPevkCr+oyF/D5M6yDUizPHGliqg1hXmkLOdUX1d1EgyekBI151vkfTh3CZtNbHWM8XgFTPVOsCTtBpn1o59Af8NL2C3B/0JMOVT/0R+m3nNj2Ol9TK1BOiW3W4SX2pMB7+gb1nm8yrGsbmW2kTlvpcZEyPm2K+mHTaXdmlU5lHtB6tFZNGfZ1virGXBmGWKefpeGvCZ4ibqKPK4a4P4bG3BRYnfUhcWisgxk0hR4KXO/Zy9v6ozqfPj+dmgq3p3TN5fZAWQnYKEfHCFuvTEnpaT+uf1m+WdlzV"

func TestCompressedHex(t *testing.T) {
	tests := []struct {
		name string
		w    int
		rows [][]byte
		want string
	}{
		{"BlankRow", 32, [][]byte{{0, 0, 0, 0}}, ","},
		{"BlackRow", 32, [][]byte{{0xFF, 0xFF, 0xFF, 0xFF}}, "!"},
		{"RepeatedRow", 16, [][]byte{{0x12, 0x34}, {0x12, 0x34}, {0x12, 0x34}}, "1234::"},
		{"OddZeroRun", 24, [][]byte{{0x1F, 0x00, 0x00}}, "1F,"},
		{"ZeroRunStartingMidByte", 24, [][]byte{{0x10, 0x00, 0x00}}, "10,"},
		{"SingleTrailingZero", 16, [][]byte{{0x12, 0x30}}, "1230"},
		{"Run", 96, [][]byte{{0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xA1}}, "gIA1"},
		{"LongRun", 8 * 250, [][]byte{append(bytes.Repeat([]byte{0x77}, 249), 0x12)}, "zjX712"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := label.NewMono(tt.w, len(tt.rows))
			for y, r := range tt.rows {
				copy(m.Pix[y*m.Stride:], r)
			}
			got := compressedHex(m)
			if got != tt.want {
				t.Errorf("compressedHex = %q, want %q", got, tt.want)
			}
			back, err := decodeCompressedHex(got, m.Stride, len(m.Pix))
			if err != nil || !bytes.Equal(back, m.Pix) {
				t.Errorf("decoded back to % X, %v; want % X", back, err, m.Pix)
			}
		})
	}
}

func TestGraphicDataPicksTheShorterEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	noise := label.NewMono(200, 50)
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.IntN(256))
	}
	rule := label.NewMono(300, 6)
	for y := 2; y < 4; y++ {
		for x := 20; x < 280; x++ {
			rule.SetBlack(x, y, true)
		}
	}
	ramp := label.NewMono(400, 200)
	for y := range ramp.H {
		for x := range ramp.W {
			ramp.SetBlack(x, y, (x*7+y*13)%400 < x) // denser to the right
		}
	}
	tests := []struct {
		name    string
		m       *label.Mono
		wantZ64 bool
	}{
		{"SmallBlank", label.NewMono(800, 10), false},
		{"Rule", rule, false},
		{"LargeBlank", label.NewMono(800, 300), true},
		{"Noise", noise, true},
		{"Ramp", ramp, true},
		{"QR", qrLike(240, 25), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := graphicData(tt.m)
			z, a := z64(tt.m.Pix), compressedHex(tt.m)
			if len(got) != min(len(z), len(a)) {
				t.Errorf("graphicData is %d bytes; Z64 %d, hex %d", len(got), len(z), len(a))
			}
			if isZ64 := strings.HasPrefix(got, ":Z64:"); isZ64 != tt.wantZ64 {
				t.Errorf("Z64 chosen = %v, want %v (Z64 %d bytes, hex %d)", isZ64, tt.wantZ64, len(z), len(a))
			}
			back, err := decodeGraphic(len(tt.m.Pix), len(tt.m.Pix), tt.m.Stride, got)
			if err != nil || !bytes.Equal(back.Pix, tt.m.Pix) {
				t.Errorf("graphic does not decode back: %v", err)
			}
		})
	}
}
