package text

import (
	"flag"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

// sharedRenderer is built once for the package's tests: New parses fonts
// and the dictionary, and sharing one Renderer is how callers use it.
var sharedRenderer = sync.OnceValues(New)

func mustRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	r, err := sharedRenderer()
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return r
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file; look at the output and run go test -update if it is right", path)
	}
}

// hardClusters are the Thai and Vietnamese syllables whose marks a naive
// renderer gets wrong.
var hardClusters = []string{"ปี่", "ที่", "ผู้ใหญ่", "ญี่ปุ่น", "ฐู", "นั้น", "กำ", "Nguyễn", "Nguye\u0302\u0303n", "Đường"}

func TestGlyphsGolden(t *testing.T) {
	r := mustRenderer(t)
	// One line a string: the text, then each glyph as font id@x,y in dots
	// at a 100-dot em, y down from the baseline.
	var b strings.Builder
	for _, s := range hardClusters {
		fmt.Fprintf(&b, "%+q %s:", s, s)
		for _, g := range r.Glyphs(s, Style{Size: 100}) {
			fmt.Fprintf(&b, " %s %d@%d,%d", g.Font, g.ID, g.X, g.Y)
		}
		b.WriteByte('\n')
	}
	golden(t, "glyphs.golden", []byte(b.String()))
}

// inkBox returns the dots a glyph paints, placed at its pen position on a
// baseline at y = 0, and those dots' bounding box.
func inkBox(r *Renderer, g shapedGlyph, size float64) (map[image.Point]bool, image.Rectangle) {
	dots := map[image.Point]bool{}
	var box image.Rectangle
	m := r.mask(g.font, g.gid, size)
	ox, oy := g.x.Round(), g.y.Round()
	for _, sp := range m.spans {
		for x := sp.x0; x < sp.x1; x++ {
			p := image.Pt(ox+m.dx+int(x), oy+m.dy+int(sp.y))
			dots[p] = true
			box = box.Union(image.Rectangle{Min: p, Max: p.Add(image.Pt(1, 1))})
		}
	}
	return dots, box
}

func shaped(r *Renderer, s string, st Style) []shapedGlyph {
	gs, _ := r.shape(s, st)
	return gs
}

func TestThaiMarks(t *testing.T) {
	r := mustRenderer(t)
	const size = 100
	st := Style{Size: size}
	ink := func(s string, i int) image.Rectangle {
		gs := shaped(r, s, st)
		if i >= len(gs) {
			t.Fatalf("%q shaped to %d glyphs, want more than %d", s, len(gs), i)
		}
		_, box := inkBox(r, gs[i], size)
		return box
	}

	t.Run("ToneRaisedOverUpperVowel", func(t *testing.T) {
		for _, tc := range []struct{ withVowel, without string }{{"ปี่", "ป่"}, {"ที่", "ท่"}} {
			vowel, tone, alone := ink(tc.withVowel, 1), ink(tc.withVowel, 2), ink(tc.without, 1)
			if tone.Max.Y > vowel.Min.Y {
				t.Errorf("%s: tone mark ink %v reaches into the vowel's %v; want it stacked above", tc.withVowel, tone, vowel)
			}
			if tone.Min.Y >= alone.Min.Y {
				t.Errorf("%s: tone mark top at y=%d, not above its top y=%d in %s", tc.withVowel, tone.Min.Y, alone.Min.Y, tc.without)
			}
		}
	})
	t.Run("ThoThanDropsDescenderForLowerVowel", func(t *testing.T) {
		plain, base, vowel := ink("ฐ", 0), ink("ฐู", 0), ink("ฐู", 1)
		if plain.Max.Y <= 2 {
			t.Fatalf("ฐ alone: ink bottom y=%d, want its descender below the baseline", plain.Max.Y)
		}
		if base.Max.Y > 2 {
			t.Errorf("ฐู: ฐ ink bottom y=%d, want the descender-less form (at most 2 dots under the baseline)", base.Max.Y)
		}
		if vowel.Min.Y < base.Max.Y {
			t.Errorf("ฐู: ู ink %v overlaps ฐ ink %v", vowel, base)
		}
	})
	t.Run("MarksDoNotCollide", func(t *testing.T) {
		for _, s := range hardClusters {
			gs := shaped(r, s, st)
			var seen []map[image.Point]bool
			for i, g := range gs {
				dots, _ := inkBox(r, g, size)
				for j, other := range seen {
					for p := range dots {
						if other[p] {
							t.Errorf("%s: glyphs %d and %d both paint %v", s, j, i, p)
							break
						}
					}
				}
				seen = append(seen, dots)
			}
		}
	})
}

func TestMetrics(t *testing.T) {
	r := mustRenderer(t)
	tall := append([]string{"ฎ ฏ ฤ ฦ ญ", "Ẫ Ỗ Ấ Ắ Ặ Ự", "ÉÇ gjpqy"}, hardClusters...)
	for _, size := range []float64{12, 24, 28.1, 40, 100} {
		for _, bold := range []bool{false, true} {
			st := Style{Size: size, Bold: bold}
			ascent, descent, lineHeight := r.Metrics(st)
			if lineHeight != ascent+descent {
				t.Errorf("Metrics(%v) = %d, %d, %d: line height is not ascent+descent", st, ascent, descent, lineHeight)
			}
			for _, s := range tall {
				for _, g := range shaped(r, s, st) {
					_, box := inkBox(r, g, size)
					if box.Empty() {
						continue
					}
					if box.Min.Y < -ascent || box.Max.Y > descent {
						t.Errorf("Metrics(%v): ascent %d, descent %d, but %q paints rows %d..%d", st, ascent, descent, s, box.Min.Y, box.Max.Y-1)
					}
				}
			}
		}
	}
	if a, d, h := r.Metrics(Style{Size: 0}); a != 0 || d != 0 || h != 0 {
		t.Errorf("Metrics(size 0) = %d, %d, %d, want zeros", a, d, h)
	}
}

func TestMeasure(t *testing.T) {
	r := mustRenderer(t)
	st := Style{Size: 28}
	m := func(s string) int { return r.Measure(s, st) }
	tests := []struct {
		name string
		ok   bool
		msg  string
	}{
		{"EmptyIsZero", m("") == 0, "Measure(\"\") != 0"},
		{"SizeZeroIsZero", r.Measure("abc", Style{}) == 0, "Measure at size 0 != 0"},
		{"Positive", m("a") > 0, "Measure(\"a\") <= 0"},
		{"MarksTakeNoWidth", m("ปี่") == m("ป") && m("ผู้") == m("ผ"), "Thai marks changed the width"},
		{"DecomposedVietnamese", m("Nguyễn") == m("Nguye\u0302\u0303n"), "decomposed Nguyễn measures differently"},
		{"BoldIsWider", r.Measure("Shipping label", Style{Size: 28, Bold: true}) > m("Shipping label"), "bold not wider"},
		{"Additive", abs(m("ab cd")-m("ab ")-m("cd")) <= 1, "widths do not add up"},
		{"LineSeparatorIsSpace", m("a\nb") == m("a b") && m("a\u2029b\tc") == m("a b c"), "a line separator or tab does not measure as a space"},
		{"ControlCharacterShows", func() bool {
			gs := r.Glyphs("a\x1bb", st)
			return len(gs) == 3 && gs[1].ID == 0 && m("a\x1bb") > m("ab")
		}(), "ESC does not draw as the missing-glyph box"},
		{"ScalesWithSize", abs(r.Measure("ถนนลาดพร้าว", Style{Size: 56})-2*m("ถนนลาดพร้าว")) <= 2, "double size is not double width"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.ok {
				t.Error(tt.msg)
			}
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// readSamples returns every distinct Thai string of shared/samples, as
// package thai keeps them for its own tests.
func readSamples(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile("../thai/testdata/samples.txt")
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && line[0] != '#' {
			out = append(out, line)
		}
	}
	return out
}
