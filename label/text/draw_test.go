package text

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"slices"
	"sync"
	"testing"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
)

// bitmap is a 1-bit draw.Image with SetBlack, like the layout's page, so
// tests drive Draw's fast path the way printing does.
type bitmap struct {
	w, h int
	pix  []bool
}

func newBitmap(w, h int) *bitmap { return &bitmap{w: w, h: h, pix: make([]bool, w*h)} }

func (b *bitmap) ColorModel() color.Model { return color.GrayModel }
func (b *bitmap) Bounds() image.Rectangle { return image.Rect(0, 0, b.w, b.h) }
func (b *bitmap) At(x, y int) color.Color {
	if x >= 0 && y >= 0 && x < b.w && y < b.h && b.pix[y*b.w+x] {
		return color.Black
	}
	return color.White
}
func (b *bitmap) Set(x, y int, c color.Color) {
	b.SetBlack(x, y, color.GrayModel.Convert(c).(color.Gray).Y < 128)
}
func (b *bitmap) SetBlack(x, y int, black bool) {
	if x >= 0 && y >= 0 && x < b.w && y < b.h {
		b.pix[y*b.w+x] = black
	}
}

func whiteGray(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	return img
}

// line is one line of a golden picture.
type line struct {
	text  string
	style Style
}

// render draws lines one under the other, lineHeight apart, 4 dots in.
func render(r *Renderer, width int, lines []line) *image.Gray {
	h := 4
	for _, l := range lines {
		_, _, lh := r.Metrics(l.style)
		h += lh
	}
	img := whiteGray(width, h+4)
	y := 4
	for _, l := range lines {
		ascent, _, lh := r.Metrics(l.style)
		r.Draw(img, 4, y+ascent, l.text, l.style)
		y += lh
	}
	return img
}

func TestDrawGolden(t *testing.T) {
	r := mustRenderer(t)
	regular, bold, big := Style{Size: 24}, Style{Size: 24, Bold: true}, Style{Size: 48}
	const marks = "ปี่ ที่ นั้น ผู้ใหญ่ กำ ญี่ปุ่น ฐู ฎ ฏ ฤ"
	var address []line
	for _, st := range []Style{regular, bold} {
		for _, l := range r.Wrap("973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง อำเภอเมืองนครราชสีมา นครราชสีมา 30000", st, 300) {
			address = append(address, line{l, st})
		}
	}
	tests := []struct {
		name  string
		width int
		lines []line
	}{
		{"thai.png", 560, []line{{marks, regular}, {marks, bold}, {"ปี่ ที่ ผู้ใหญ่ ฐู", big}}},
		{"latin.png", 560, []line{
			{"Nguyễn Văn Đức, Đường Ẫ Ỗ", regular},
			{"Nguye\u0302\u0303n Va\u0306n \u0110u\u031bo\u031b\u0300ng (decomposed)", regular},
			{"Muhammad Hafiz bin Ahmad, Petaling Jaya", bold},
			{"COD 1,027.00 THB  #GHN2606193617VN", regular},
		}},
		{"address.png", 308, address},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := png.Encode(&buf, render(r, tt.width, tt.lines)); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, buf.Bytes())
		})
	}
}

func TestDrawFastPathMatchesSet(t *testing.T) {
	r := mustRenderer(t)
	const s = "ผู้ใหญ่ Nguyễn 100g"
	for _, st := range []Style{{Size: 13}, {Size: 24, Bold: true}, {Size: 31.5}} {
		gray, bits := whiteGray(400, 80), newBitmap(400, 80)
		r.Draw(gray, 3, 50, s, st)
		r.Draw(bits, 3, 50, s, st)
		black := 0
		for y := 0; y < 80; y++ {
			for x := 0; x < 400; x++ {
				g := gray.GrayAt(x, y).Y == 0
				if g != bits.pix[y*400+x] {
					t.Fatalf("style %v: dot %d,%d is %v through Set, %v through SetBlack", st, x, y, g, bits.pix[y*400+x])
				}
				if g {
					black++
				}
			}
		}
		if black == 0 {
			t.Errorf("style %v: Draw painted nothing", st)
		}
	}
}

func TestDrawLeavesOtherDots(t *testing.T) {
	r := mustRenderer(t)
	img := image.NewGray(image.Rect(0, 0, 200, 60)) // all black
	r.Draw(img, 4, 40, "ถนนลาดพร้าว", Style{Size: 24})
	for _, p := range img.Pix {
		if p != 0 {
			t.Fatal("Draw painted a dot white; it must only add black")
		}
	}
}

func TestDrawClips(t *testing.T) {
	r := mustRenderer(t)
	for _, pos := range []image.Point{{-50, 10}, {190, 10}, {10, -5}, {10, 95}, {-1000, -1000}} {
		img := newBitmap(200, 100)
		r.Draw(img, pos.X, pos.Y, "ปี่ Nguyễn", Style{Size: 30})
	}
}

func TestDrawMatchesGlyphs(t *testing.T) {
	r := mustRenderer(t)
	// A glyph drawn alone at the position Glyphs reports paints the same
	// dots as the string drawn whole.
	const s = "ญี่ปุ่น"
	st := Style{Size: 40}
	whole := newBitmap(200, 80)
	r.Draw(whole, 10, 50, s, st)
	pieces := newBitmap(200, 80)
	for _, g := range shaped(r, s, st) {
		dots, _ := inkBox(r, g, st.Size)
		for p := range dots {
			pieces.SetBlack(10+p.X, 50+p.Y, true)
		}
	}
	for i := range whole.pix {
		if whole.pix[i] != pieces.pix[i] {
			t.Fatalf("dot %d,%d differs between Draw and the sum of its glyphs", i%200, i/200)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	texts := []string{"ปี่ ที่ ผู้ใหญ่", "Nguyễn Văn Đức", "ทุเรียนทอดกรอบ 100g", "Selangor"}
	want := make([]*bitmap, len(texts))
	wantLines := make([][]string, len(texts))
	uncached := newRenderer(cacheLimits{})
	for i, s := range texts {
		want[i] = newBitmap(300, 60)
		uncached.Draw(want[i], 2, 40, s, Style{Size: 22 + float64(i)})
		wantLines[i] = uncached.Wrap(s, Style{Size: 22}, 80)
	}
	for _, rc := range []struct {
		name string
		r    *Renderer
	}{
		{"Shared", mustRenderer(t)},
		// Caches too small for the texts evict while other goroutines
		// read them.
		{"TinyCaches", newRenderer(cacheLimits{glyphs: 8, lines: 2, lineGlyphs: 40, runs: 2, runRunes: 30, breaks: 1, breakOffs: 8})},
	} {
		t.Run(rc.name, func(t *testing.T) {
			r := rc.r
			var wg sync.WaitGroup
			errs := make(chan error, 8*len(texts))
			for g := 0; g < 8; g++ {
				for i, s := range texts {
					wg.Add(1)
					go func() {
						defer wg.Done()
						got := newBitmap(300, 60)
						r.Draw(got, 2, 40, s, Style{Size: 22 + float64(i)})
						if lines := r.Wrap(s, Style{Size: 22}, 80); !slices.Equal(lines, wantLines[i]) {
							errs <- fmt.Errorf("Wrap(%q) concurrently = %q, want %q", s, lines, wantLines[i])
							return
						}
						for k := range got.pix {
							if got.pix[k] != want[i].pix[k] {
								errs <- fmt.Errorf("%q drawn concurrently differs at dot %d", s, k)
								return
							}
						}
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// BenchmarkShapeLine measures shaping a line: Uncached shapes it every
// time, Cached finds it shaped, as layout does when it measures a line it
// wrapped a moment before.
func BenchmarkShapeLine(b *testing.B) {
	const s = "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง"
	for _, bc := range []struct {
		name string
		r    *Renderer
	}{
		{"Uncached", newRenderer(cacheLimits{})},
		{"Cached", mustRenderer(b)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.r.Measure(s, Style{Size: 24})
			}
		})
	}
}

func BenchmarkDrawLineWarm(b *testing.B) {
	r := mustRenderer(b)
	const s = "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง"
	img := newBitmap(600, 60)
	r.Draw(img, 2, 40, s, Style{Size: 24}) // fills the glyph cache
	b.ResetTimer()
	for b.Loop() {
		r.Draw(img, 2, 40, s, Style{Size: 24})
	}
}

func BenchmarkDrawLineCold(b *testing.B) {
	r := mustRenderer(b)
	const s = "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง"
	img := newBitmap(600, 60)
	size := 24.0
	for b.Loop() {
		size += 1.0 / 64 // a size not drawn before: every glyph rasterised
		r.Draw(img, 2, 40, s, Style{Size: size})
	}
}

func TestRasterizeThreshold(t *testing.T) {
	// A 4-unit-wide box rising from the baseline, at one dot a unit: its
	// top row is covered by the fraction of a dot above the top whole row.
	box := func(top float32) font.GlyphOutline {
		pt := func(x, y float32) ot.SegmentPoint { return ot.SegmentPoint{X: x, Y: y} }
		return font.GlyphOutline{Segments: []ot.Segment{
			{Op: ot.SegmentOpMoveTo, Args: [3]ot.SegmentPoint{pt(0, 0)}},
			{Op: ot.SegmentOpLineTo, Args: [3]ot.SegmentPoint{pt(4, 0)}},
			{Op: ot.SegmentOpLineTo, Args: [3]ot.SegmentPoint{pt(4, top)}},
			{Op: ot.SegmentOpLineTo, Args: [3]ot.SegmentPoint{pt(0, top)}},
		}}
	}
	tests := []struct {
		name string
		top  float32
		rows int // black rows
	}{
		{"QuarterCoveredRowIsWhite", 2.25, 2},
		{"ThreeQuartersCoveredRowIsBlack", 2.75, 3},
		{"HalfCoveredRowIsBlack", 2.5, 3},
		{"Whole", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := rasterize(box(tt.top), 1)
			rows := map[int16]bool{}
			for _, sp := range m.spans {
				if sp.x0 != 0 || sp.x1 != 4 {
					t.Errorf("row %d: black %d..%d, want 0..4", sp.y, sp.x0, sp.x1)
				}
				rows[sp.y] = true
			}
			if len(rows) != tt.rows {
				t.Errorf("%d black rows, want %d", len(rows), tt.rows)
			}
			if m.dy+m.h != 0 {
				t.Errorf("mask ends at y=%d, want the baseline, 0", m.dy+m.h)
			}
		})
	}
	if m := rasterize(font.GlyphOutline{}, 1); len(m.spans) != 0 {
		t.Errorf("empty outline painted %d spans", len(m.spans))
	}
}
