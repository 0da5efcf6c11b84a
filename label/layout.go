package label

import (
	"fmt"
	"image"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labelbridge/labelbridge/label/text"
)

// TextMode says how layout draws text: as printer-font *Text elements or as
// raster *Bitmap elements drawn with labelbridge's own fonts.
type TextMode string

// Text modes.
const (
	// TextAuto uses the printer's font only for documents whose every
	// string is printable ASCII, so that one label never mixes two
	// typefaces. The zero TextMode means TextAuto.
	TextAuto TextMode = "auto"
	// TextRaster draws every string as a bitmap: what prints is exactly
	// what the preview shows.
	TextRaster TextMode = "raster"
	// TextNative uses the printer's font for every printable-ASCII string
	// and bitmaps for the rest (Thai, Vietnamese, anything non-ASCII).
	TextNative TextMode = "native"
)

// ParseTextMode parses "auto", "raster" or "native"; "" means auto.
func ParseTextMode(s string) (TextMode, error) {
	switch m := TextMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", TextAuto:
		return TextAuto, nil
	case TextRaster, TextNative:
		return m, nil
	}
	return "", fmt.Errorf("text mode %q: want auto, raster or native", s)
}

// Options tune a layout for the printer it is meant for.
type Options struct {
	Text TextMode
	// NativeText says the encoder draws *Text elements in the printer's
	// font. Only the caller knows: set it for ZPL and TSPL, never for
	// ESC/POS, whose raster receipts cannot place text at a dot. Without
	// it layout emits no *Text, whatever Text says.
	NativeText bool
}

// native reports whether s may go out as *Text, given whether every string
// of the document is printable ASCII.
func (o Options) native(s string, docASCII bool) bool {
	if !o.NativeText || !isPrintableASCII(s) {
		return false
	}
	switch o.Text {
	case TextNative:
		return true
	case TextRaster:
		return false
	}
	return docASCII
}

// Layout turns documents into pages. It holds the fonts raster text is drawn
// with. A Layout is safe for concurrent use.
type Layout struct {
	fonts *text.Renderer
}

// New returns a Layout with labelbridge's built-in fonts.
func New() (*Layout, error) {
	r, err := text.New()
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	return &Layout{fonts: r}, nil
}

// canvas collects one page's elements.
type canvas struct {
	fonts    *text.Renderer
	page     *Page
	opt      Options
	docASCII bool
	dpi      float64
}

func (l *Layout) newCanvas(w, h, dpi int, opt Options, docASCII bool) *canvas {
	return &canvas{
		fonts:    l.fonts,
		page:     &Page{Width: w, Height: h, DPI: dpi, fonts: l.fonts},
		opt:      opt,
		docASCII: docASCII,
		dpi:      float64(dpi),
	}
}

// mm converts millimetres to whole dots.
func (c *canvas) mm(v float64) int { return int(v*c.dpi/mmPerInch + 0.5) }

// mmf converts millimetres to dots, for font sizes.
func (c *canvas) mmf(v float64) float64 { return v * c.dpi / mmPerInch }

// rect adds a filled rectangle, clipped to the page.
func (c *canvas) rect(r image.Rectangle) {
	r = r.Intersect(image.Rect(0, 0, c.page.Width, c.page.Height))
	if r.Empty() {
		return
	}
	c.page.Elements = append(c.page.Elements, &Rect{X: r.Min.X, Y: r.Min.Y, W: r.Dx(), H: r.Dy()})
}

// bitmap adds a bitmap whose top-left corner is at x, y.
func (c *canvas) bitmap(x, y int, m *Mono) {
	if m == nil || m.W == 0 || m.H == 0 {
		return
	}
	c.page.Elements = append(c.page.Elements, &Bitmap{X: x, Y: y, Img: m})
}

// lineBox is the height one line of text takes at st, and where its
// baseline sits below the line's top.
func (c *canvas) lineBox(st text.Style) (height, ascent int) {
	a, d, lh := c.fonts.Metrics(st)
	return max(lh, a+d), a
}

// textLine draws s with its top-left corner at x, y, in the printer's font
// where the options allow, and returns its width. s must already fit.
func (c *canvas) textLine(x, y int, s string, st text.Style) int {
	if s == "" {
		return 0
	}
	w := c.fonts.Measure(s, st)
	if c.opt.native(s, c.docASCII) {
		c.page.Elements = append(c.page.Elements, &Text{X: x, Y: y, Height: int(st.Size + 0.5), Text: s})
		return w
	}
	c.bitmap(x, y, c.raster(s, st, w))
	return w
}

// raster draws s in black on a white bitmap as tall as a line at st.
// Glyphs are thresholded (a dot prints where a glyph covers half of it),
// never dithered: dithered text breaks up on a thermal head.
func (c *canvas) raster(s string, st text.Style, w int) *Mono {
	h, asc := c.lineBox(st)
	if w <= 0 || h <= 0 {
		return nil
	}
	m := NewMono(w, h)
	c.fonts.Draw(m, 0, asc, s, st)
	return m
}

// align places a line in its box.
type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// fitLine draws s on one line inside box, as large as st.Size and no
// smaller than floor: it shrinks to fit the width and height, and at the
// floor it is cut short with an ellipsis. It returns the height used.
func (c *canvas) fitLine(box image.Rectangle, s string, st text.Style, floor float64, al align) int {
	s = clean(s)
	if s == "" || box.Dx() <= 0 || box.Dy() <= 0 {
		return 0
	}
	st = c.shrinkToFit(s, st, floor, box.Dx(), box.Dy())
	s = c.ellipsize(s, st, box.Dx())
	h, _ := c.lineBox(st)
	if h > box.Dy() {
		return 0 // not even one line at the floor size fits: leave it out
	}
	w := c.fonts.Measure(s, st)
	x := box.Min.X
	switch al {
	case alignCenter:
		x += (box.Dx() - w) / 2
	case alignRight:
		x = box.Max.X - w
	}
	c.textLine(x, box.Min.Y, s, st)
	return h
}

// shrinkToFit returns the largest style no larger than st and no smaller
// than floor at which s fits maxW wide and maxH tall on one line.
func (c *canvas) shrinkToFit(s string, st text.Style, floor float64, maxW, maxH int) text.Style {
	fits := func(size float64) bool {
		t := text.Style{Size: size, Bold: st.Bold}
		h, _ := c.lineBox(t)
		return h <= maxH && c.fonts.Measure(s, t) <= maxW
	}
	return text.Style{Size: largestFitting(floor, st.Size, fits), Bold: st.Bold}
}

// largestFitting returns the largest whole size from floor to top for
// which fits holds, or floor. Whether text fits is near enough monotonic in
// its size for a binary search.
func largestFitting(floor, top float64, fits func(float64) bool) float64 {
	if top <= floor || fits(top) {
		return max(top, floor)
	}
	lo, hi := int(floor), int(top) // fits(lo) is what we hope for; !fits(hi)
	if float64(lo) < floor {
		lo++
	}
	if !fits(float64(lo)) {
		return floor
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fits(float64(mid)) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return float64(lo)
}

// ellipsize returns s, or the longest start of s that fits maxW with an
// ellipsis after it.
func (c *canvas) ellipsize(s string, st text.Style, maxW int) string {
	if c.fonts.Measure(s, st) <= maxW {
		return s
	}
	return c.cutShort(s, st, maxW)
}

// cutShort returns the longest start of s, s itself included, that fits
// maxW with an ellipsis after it: the mark of text that goes on. Cuts fall
// between characters, never between a Thai or Vietnamese base letter and
// the marks that sit on it.
func (c *canvas) cutShort(s string, st text.Style, maxW int) string {
	dots := "…"
	if isPrintableASCII(s) {
		dots = "..." // keeps the line printable in the printer's font
	}
	cuts := cutPoints(s)
	with := func(i int) string { return strings.TrimRight(s[:cuts[i]], " ") + dots }
	lo, hi := 0, len(cuts)-1
	if c.fonts.Measure(with(lo), st) > maxW {
		return ""
	}
	for lo < hi { // with(lo) fits
		mid := (lo + hi + 1) / 2
		if c.fonts.Measure(with(mid), st) <= maxW {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return with(lo)
}

// cutPoints lists the byte offsets at which s may be cut short: 0, each
// start of a character that is not a combining mark, and len(s).
func cutPoints(s string) []int {
	cuts := []int{0}
	for i, r := range s {
		if i > 0 && !unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			cuts = append(cuts, i)
		}
	}
	return append(cuts, len(s))
}

// para is one field of a text block.
type para struct {
	text     string
	scale    float64 // size relative to the block's size
	size     float64 // fixed size in dots instead, for captions
	bold     bool
	maxLines int // 1 for a one-line field; wrapped fields stop at maxLines
	gapAfter float64
}

// placedLine is a line of a laid-out block, relative to the block's top.
type placedLine struct {
	text string
	st   text.Style
	y, h int
}

// block draws paragraphs top to bottom inside box at the largest size from
// base down to floor at which all of them fit. At the floor, one-line fields
// are cut short with an ellipsis and wrapped fields lose their last lines
// (the last shown line ends in an ellipsis) until the block fits. It
// returns the height used.
func (c *canvas) block(box image.Rectangle, base, floor float64, paras []para) int {
	var ps []para
	for _, p := range paras {
		if p.text = clean(p.text); p.text != "" {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 || box.Dx() <= 0 || box.Dy() <= 0 {
		return 0
	}
	fits := func(size float64) bool {
		lines, ok := c.wrapBlock(ps, size, floor, box.Dx(), 0)
		return ok && blockHeight(lines) <= box.Dy()
	}
	size := largestFitting(floor, base, fits)
	lines, _ := c.wrapBlock(ps, size, floor, box.Dx(), box.Dy())
	for _, ln := range lines {
		c.textLine(box.Min.X, box.Min.Y+ln.y, ln.text, ln.st)
	}
	return blockHeight(lines)
}

func blockHeight(lines []placedLine) int {
	if len(lines) == 0 {
		return 0
	}
	last := lines[len(lines)-1]
	return last.y + last.h
}

// wrapBlock lays out ps at size, none below floor, in width w. It reports whether everything
// fit the width and the fields' line limits without cutting. With maxH > 0
// it also cuts lines to fit maxH: wrapped fields give up their last lines,
// from the last field up, and only then do one-line fields go, from the
// bottom.
func (c *canvas) wrapBlock(ps []para, size, floor float64, w, maxH int) ([]placedLine, bool) {
	type field struct {
		lines []string
		full  []string // the lines before any were cut
		st    text.Style
		h     int
		gap   int
	}
	ok := true
	fs := make([]field, len(ps))
	for i, p := range ps {
		// A field set smaller than the block never goes below the floor.
		st := text.Style{Size: max(size*p.scale, floor), Bold: p.bold}
		if p.size > 0 {
			st.Size = p.size
		}
		h, _ := c.lineBox(st)
		var lines []string
		if p.maxLines == 1 {
			lines = []string{p.text}
			if c.fonts.Measure(p.text, st) > w {
				ok = false
				lines[0] = c.cutShort(p.text, st, w)
			}
		} else {
			// Wrap cuts words wider than a line between characters, so
			// only a line of one character can still be too wide.
			lines = c.fonts.Wrap(p.text, st, w)
			for j, ln := range lines {
				if len(cutPoints(ln)) <= 2 && c.fonts.Measure(ln, st) > w {
					ok = false
					lines[j] = c.cutShort(ln, st, w)
				}
			}
		}
		fs[i] = field{lines: lines, full: lines, st: st, h: h, gap: int(size * p.gapAfter)}
		if p.maxLines > 0 && len(lines) > p.maxLines {
			ok = false
			fs[i].lines = lines[:p.maxLines]
		}
	}
	height := func() int {
		t, gap := 0, 0
		for _, f := range fs {
			if len(f.lines) > 0 {
				t += gap + len(f.lines)*f.h
				gap = f.gap
			}
		}
		return t
	}
	for maxH > 0 && height() > maxH {
		cut := -1
		for i := len(fs) - 1; i >= 0 && cut < 0; i-- {
			if len(fs[i].lines) > 1 {
				cut = i
			}
		}
		for i := len(fs) - 1; i >= 0 && cut < 0; i-- {
			if len(fs[i].lines) > 0 {
				cut = i
			}
		}
		if cut < 0 {
			break
		}
		fs[cut].lines = fs[cut].lines[:len(fs[cut].lines)-1]
	}
	var out []placedLine
	y := 0
	for _, f := range fs {
		if len(f.lines) == 0 {
			continue
		}
		for j, ln := range f.lines {
			if j == len(f.lines)-1 && len(f.lines) < len(f.full) && !strings.HasSuffix(ln, "…") && !strings.HasSuffix(ln, "...") {
				ln = c.cutShort(ln, f.st, w) // the field goes on beyond this line
			}
			out = append(out, placedLine{text: ln, st: f.st, y: y, h: f.h})
			y += f.h
		}
		y += f.gap
	}
	return out, ok
}

// isPrintableASCII reports whether s is non-empty and only 0x20-0x7E, the
// text a printer's own font prints exactly.
func isPrintableASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// clean makes field text printable: line breaks and tabs become spaces and
// other control characters U+FFFD, so that they show on the label as the
// odd thing they are rather than vanish. Runs of spaces collapse.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || unicode.IsSpace(r):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r):
			r = utf8.RuneError
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ")
}
