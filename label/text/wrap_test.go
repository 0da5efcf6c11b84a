package text

import (
	"image/draw"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labelbridge/labelbridge/label/thai"
)

func TestWrap(t *testing.T) {
	r := mustRenderer(t)
	st := Style{Size: 24}
	address := "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง อำเภอเมืองนครราชสีมา นครราชสีมา"
	tests := []struct {
		name  string
		in    string
		style Style
		width int
		want  []string
	}{
		{"Empty", "", st, 300, nil},
		{"FitsOnOneLine", "ทุเรียนทอดกรอบ 100g", st, 300, []string{"ทุเรียนทอดกรอบ 100g"}},
		{"ThaiAddress300", address, st, 300, []string{
			"973/48 หมู่ 9 ถนนลาดพร้าว",
			"ตำบลในเมือง อำเภอเมือง",
			"นครราชสีมา นครราชสีมา",
		}},
		// อำเภอเมืองนครราชสีมา is three words; at 200 dots it splits
		// between them, never inside one.
		{"ThaiAddress200", address, st, 200, []string{
			"973/48 หมู่ 9 ถนน",
			"ลาดพร้าว ตำบลใน",
			"เมือง อำเภอเมือง",
			"นครราชสีมา",
			"นครราชสีมา",
		}},
		{"ThaiAddressBold300", address, Style{Size: 24, Bold: true}, 300, []string{
			"973/48 หมู่ 9 ถนนลาดพร้าว",
			"ตำบลในเมือง อำเภอเมือง",
			"นครราชสีมา นครราชสีมา",
		}},
		{"LatinAddress", "No. 23, Jalan SS2/24, SS2, 47300 Petaling Jaya, Selangor", st, 300, []string{
			"No. 23, Jalan SS2/24, SS2,",
			"47300 Petaling Jaya,",
			"Selangor",
		}},
		{"Vietnamese", "45 Phố Hàng Bạc, Phường Hàng Buồm, Quận Hoàn Kiếm, Hà Nội", st, 300, []string{
			"45 Phố Hàng Bạc, Phường",
			"Hàng Buồm, Quận Hoàn",
			"Kiếm, Hà Nội",
		}},
		{"Newlines", "line1\nline2\r\n\r\nline3", st, 300, []string{"line1", "line2", "", "line3"}},
		{"TrailingSpacesDropped", "สีแดง   ", st, 300, []string{"สีแดง"}},
		{"LeadingSpacesDropped", "   สีแดง\n \nx", st, 300, []string{"สีแดง", "", "x"}},
		{"NumberNeverSplit", "SKU 1234567890123", st, 200, []string{"SKU", "1234567890123"}},
		// A word wider than the line is cut between clusters: ใ and ห
		// and ญ stay whole, and so does ผู้.
		{"LongWordCutAtClusters", "ผู้ใหญ่ผู้ใหญ่ผู้ใหญ่", st, 60, []string{"ผู้ใหญ่", "ผู้ใหญ่", "ผู้ใหญ่"}},
		{"LoneGraphemeWiderThanLine", "ฟ้า", st, 5, []string{"ฟ้า"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Wrap(tt.in, tt.style, tt.width)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Wrap(%q, %v, %d)\n got %q\nwant %q", tt.in, tt.style, tt.width, got, tt.want)
			}
			checkWrap(t, r, tt.in, tt.style, tt.width, got)
		})
	}
}

// checkWrap asserts what holds for every wrapped text: each line fits or
// is a single cluster; lines rejoin to the input less line separators and
// line-end spaces; and a line ends inside a word only when that word alone
// is wider than the line.
func checkWrap(t *testing.T, r *Renderer, in string, st Style, width int, lines []string) {
	t.Helper()
	strip := func(s string) string {
		return strings.Map(func(c rune) rune {
			if isTrailingSpace(c) || strings.ContainsRune("\n\r\v\f\u0085\u2028\u2029", c) {
				return -1
			}
			return c
		}, s)
	}
	if got, want := strip(strings.Join(lines, "")), strip(in); got != want {
		t.Fatalf("Wrap(%q): lines %q do not rejoin to the input", in, lines)
	}
	for _, l := range lines {
		if w := r.Measure(l, st); w > width && len(thai.Clusters(l)) > 0 {
			t.Errorf("Wrap(%q, %d): line %q is %d dots wide and more than one cluster", in, width, l, w)
		}
		if l != trimTrailingSpace(l) {
			t.Errorf("Wrap(%q): line %q ends with a space", in, l)
		}
	}
	if in == "" {
		if len(lines) != 0 {
			t.Fatalf("Wrap(\"\") = %q, want no lines", lines)
		}
		return
	}
	// Walk the paragraphs: each line is the text at its place, and where
	// lines meet is a word break, or inside a word too wide for a line.
	li := 0
	for _, p := range paragraphs(in) {
		if trimTrailingSpace(p) == "" {
			if li >= len(lines) || lines[li] != "" {
				t.Fatalf("Wrap(%q) = %q: want an empty line for paragraph %q", in, lines, p)
			}
			li++
			continue
		}
		breaks := r.thaiDict().Breaks(p)
		for pos := 0; strings.TrimLeftFunc(p[pos:], isTrailingSpace) != ""; {
			if li < len(lines) && !strings.HasPrefix(p[pos:], lines[li]) {
				// Spaces end the line before, unless a mark sits on
				// the last one, making it the next line's first
				// grapheme.
				pos = len(p) - len(strings.TrimLeftFunc(p[pos:], isTrailingSpace))
			}
			if li >= len(lines) || lines[li] == "" || !strings.HasPrefix(p[pos:], lines[li]) {
				t.Fatalf("Wrap(%q) = %q: line %d is not the text at byte %d of %q", in, lines, li, pos, p)
			}
			end := pos + len(lines[li])
			for end < len(p) {
				c, n := utf8.DecodeRuneInString(p[end:])
				if !isTrailingSpace(c) {
					break
				}
				end += n
			}
			if j, ok := nextAfter(breaks, end); ok && lines[li] != "" {
				// Greedy: the next word would not have fitted too.
				if longer := trimTrailingSpace(p[pos:j]); r.Measure(longer, st) <= width {
					t.Errorf("Wrap(%q, %d): line %q could have held %q", in, width, lines[li], longer)
				}
			} else if end < len(p) {
				if r.Measure(trimTrailingSpace(p[pos:]), st) <= width {
					t.Errorf("Wrap(%q, %d): line %q could have held the rest, %q", in, width, lines[li], p[pos:])
				}
			}
			if _, ok := slices.BinarySearch(breaks, end); !ok && end < len(p) {
				word := p[prevBefore(breaks, end):]
				if j, ok := nextAfter(breaks, end); ok {
					word = p[prevBefore(breaks, end):j]
				}
				if r.Measure(trimTrailingSpace(word), st) <= width {
					t.Errorf("Wrap(%q, %d): line %q ends inside %q, which fits a line", in, width, lines[li], word)
				}
			}
			pos += len(lines[li])
			li++
		}
	}
	if li != len(lines) {
		t.Fatalf("Wrap(%q) = %q: %d lines left over", in, lines, len(lines)-li)
	}
}

func nextAfter(xs []int, v int) (int, bool) {
	i, _ := slices.BinarySearch(xs, v+1)
	if i < len(xs) {
		return xs[i], true
	}
	return 0, false
}

func prevBefore(xs []int, v int) int {
	i, _ := slices.BinarySearch(xs, v)
	if i > 0 {
		return xs[i-1]
	}
	return 0
}

func TestWrapSamples(t *testing.T) {
	r := mustRenderer(t)
	for _, s := range readSamples(t) {
		for _, width := range []int{100, 300, 600} {
			checkWrap(t, r, s, Style{Size: 24}, width, r.Wrap(s, Style{Size: 24}, width))
		}
	}
}

func FuzzWrap(f *testing.F) {
	r := mustRenderer(f)
	for _, s := range readSamples(f) {
		f.Add(s, 200)
	}
	f.Add("ก\u0301ี เ\xffก\r\n\n x", 10)
	f.Fuzz(func(t *testing.T, s string, width int) {
		if len(s) > 500 {
			return // shaping cost, not coverage, grows past this
		}
		width = width%700 + 1
		if width <= 0 {
			width += 700
		}
		lines := r.Wrap(s, Style{Size: 20}, width)
		if !utf8.ValidString(s) {
			return // invalid bytes shape as U+FFFD; the rejoin check would not hold
		}
		checkWrap(t, r, s, Style{Size: 20}, width, lines)
	})
}

// BenchmarkWrapAddress wraps one address: Uncached from scratch each time,
// Cached with its lines already shaped and its breaks found.
func BenchmarkWrapAddress(b *testing.B) {
	const address = "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง อำเภอเมืองนครราชสีมา นครราชสีมา"
	for _, bc := range []struct {
		name string
		r    *Renderer
	}{
		{"Uncached", newRenderer(cacheLimits{})},
		{"Cached", mustRenderer(b)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.r.Wrap(address, Style{Size: 24}, 300)
			}
		})
	}
}

// fitBlock does what layout does with an address block: it finds the
// largest whole size from floor to top at which s wraps to at most three
// lines of width dots, by binary search as label.largestFitting does, then
// measures and draws the lines at that size.
func fitBlock(r *Renderer, img draw.Image, s string, floor, top, width int) {
	fits := func(size int) bool {
		st := Style{Size: float64(size), Bold: true}
		lines := r.Wrap(s, st, width)
		for _, ln := range lines {
			if r.Measure(ln, st) > width {
				return false
			}
		}
		return len(lines) <= 3
	}
	size := floor
	if fits(top) {
		size = top
	} else if fits(floor) {
		lo, hi := floor, top
		for hi-lo > 1 {
			if mid := (lo + hi) / 2; fits(mid) {
				lo = mid
			} else {
				hi = mid
			}
		}
		size = lo
	}
	st := Style{Size: float64(size), Bold: true}
	asc, _, lh := r.Metrics(st)
	for i, ln := range r.Wrap(s, st, width) {
		r.Draw(img, 0, asc+i*lh, ln, st)
	}
}

// BenchmarkFitAddress lays out the sample addresses the way a shipping
// label's recipient block is laid out (fitBlock), one address an op.
// Uncached keeps only rasterised glyphs, which is what the Renderer cached
// before it cached shaping.
func BenchmarkFitAddress(b *testing.B) {
	var addrs []string
	for _, s := range readSamples(b) {
		if strings.Contains(s, "หมู่") {
			addrs = append(addrs, s)
		}
	}
	img := newBitmap(560, 400)
	for _, bc := range []struct {
		name string
		r    *Renderer
	}{
		{"Uncached", newRenderer(cacheLimits{glyphs: 8192})},
		{"Cached", mustRenderer(b)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				fitBlock(bc.r, img, addrs[i%len(addrs)], 18, 44, 560)
				i++
			}
		})
	}
}
