// Package text measures, wraps and draws label text for thermal printers:
// Thai (stacked vowels and tone marks), Vietnamese, Malay and English, in
// embedded Noto Sans and Noto Sans Thai (SIL Open Font License, see
// fonts/README.md).
//
// Text is shaped with go-text's HarfBuzz port, each script run in its own
// font (Thai runs in Noto Sans Thai, the rest in Noto Sans), so marks land
// where the font's positioning rules put them. Lines break at spaces and at
// Thai word boundaries found by package thai. Glyphs are rasterised from
// their outlines at whole-dot positions and thresholded to one bit: a dot
// prints where the glyph covers at least half of it. Rasterised glyphs are
// cached, since drawing is the cost on a label and shaping is cheap.
package text

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"

	"github.com/labelbridge/labelbridge/label/thai"
)

var (
	//go:embed fonts/NotoSans-Regular.ttf
	notoSansRegular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	notoSansBold []byte
	//go:embed fonts/NotoSansThai-Regular.ttf
	notoSansThaiRegular []byte
	//go:embed fonts/NotoSansThai-Bold.ttf
	notoSansThaiBold []byte
)

// fontID indexes the Renderer's fonts.
type fontID uint8

const (
	latinRegular fontID = iota
	latinBold
	thaiRegular
	thaiBold
	numFonts
)

// Style selects the font size and weight of a piece of text.
type Style struct {
	// Size is the em height in dots (pixels at the printer's resolution):
	// 10 pt text at 203 dpi is 10*203/72 ≈ 28 dots.
	Size float64
	Bold bool
}

// fonts returns the Latin and Thai fonts of the style's weight.
func (st Style) fonts() (latin, th fontID) {
	if st.Bold {
		return latinBold, thaiBold
	}
	return latinRegular, thaiRegular
}

// size returns the style's size as the shaper takes it; sizes below one
// dot or not numbers at all draw nothing rather than fail.
func (st Style) size() fixed.Int26_6 {
	if !(st.Size >= 1) || st.Size > 2048 {
		return 0
	}
	return fixed.Int26_6(math.Round(st.Size * 64))
}

// Renderer measures, wraps and draws text. It holds the parsed fonts, the
// Thai dictionary and a bounded cache of rasterised glyphs. A Renderer is
// safe for concurrent use; build one with New and share it.
type Renderer struct {
	fonts   [numFonts]*font.Font
	names   [numFonts]string
	extents [numFonts]font.FontExtents
	dict    *thai.Dict
	shapers sync.Pool // of *shaper: go-text faces and shapers are single-goroutine
	glyphs  *glyphCache
}

// glyphCacheSize bounds the rasterised glyphs kept: a label uses a few
// hundred (three sizes, two weights, Thai and Latin), so this holds every
// glyph of a busy day's labels in a few megabytes.
const glyphCacheSize = 8192

// New parses the embedded fonts and Thai dictionary. It takes some tens of
// milliseconds; callers build one Renderer and keep it.
func New() (*Renderer, error) {
	r := &Renderer{glyphs: newGlyphCache(glyphCacheSize)}
	files := [numFonts]struct {
		name string
		data []byte
	}{
		latinRegular: {"NotoSans-Regular", notoSansRegular},
		latinBold:    {"NotoSans-Bold", notoSansBold},
		thaiRegular:  {"NotoSansThai-Regular", notoSansThaiRegular},
		thaiBold:     {"NotoSansThai-Bold", notoSansThaiBold},
	}
	for id, f := range files {
		face, err := font.ParseTTF(bytes.NewReader(f.data))
		if err != nil {
			return nil, fmt.Errorf("text: font %s: %w", f.name, err)
		}
		ext, ok := face.FontHExtents()
		if !ok {
			return nil, fmt.Errorf("text: font %s: no horizontal metrics", f.name)
		}
		r.fonts[id], r.names[id], r.extents[id] = face.Font, f.name, ext
	}
	dict, err := thai.Default()
	if err != nil {
		return nil, fmt.Errorf("text: %w", err)
	}
	r.dict = dict
	r.shapers.New = func() any {
		sh := &shaper{}
		for id, f := range r.fonts {
			sh.faces[id] = font.NewFace(f)
		}
		return sh
	}
	return r, nil
}

// shaper is one goroutine's shaping state: go-text faces cache glyph
// lookups and the HarfBuzz shaper keeps a buffer, so neither is shared.
type shaper struct {
	hb    shaping.HarfbuzzShaper
	seg   shaping.Segmenter
	faces [numFonts]*font.Face
	fm    fontmap
}

// fontmap picks Noto Sans Thai for Thai script runs and Noto Sans for the
// rest, falling back to whichever font has the character.
type fontmap struct {
	latin, thai *font.Face
	script      language.Script
}

func (m *fontmap) SetScript(s language.Script) { m.script = s }

func (m *fontmap) ResolveFace(r rune) *font.Face {
	if m.script == language.Thai || (r >= 0x0E00 && r <= 0x0E7F) {
		if _, ok := m.thai.NominalGlyph(r); ok {
			return m.thai
		}
	}
	if _, ok := m.latin.NominalGlyph(r); ok {
		return m.latin
	}
	if _, ok := m.thai.NominalGlyph(r); ok {
		return m.thai
	}
	return m.latin // draws the missing-glyph box
}

// shapedGlyph is one glyph placed on a line: font, glyph and the pen
// position in 26.6 dots from the line's origin, y down.
type shapedGlyph struct {
	font  fontID
	gid   font.GID
	x, y  fixed.Int26_6
	adv   fixed.Int26_6
	runeI int // index of the first rune of the glyph's cluster
}

// shape lays out rs on one line and returns its glyphs in logical order
// and the line's advance. The shaper must not be shared while in use.
func (r *Renderer) shape(sh *shaper, rs []rune, st Style) ([]shapedGlyph, fixed.Int26_6) {
	size := st.size()
	if len(rs) == 0 || size == 0 {
		return nil, 0
	}
	rs = oneLine(rs)
	latin, th := st.fonts()
	sh.fm = fontmap{latin: sh.faces[latin], thai: sh.faces[th]}
	in := shaping.Input{
		Text:      rs,
		RunEnd:    len(rs),
		Direction: di.DirectionLTR,
		Size:      size,
		Language:  language.NewLanguage("und"),
	}
	var glyphs []shapedGlyph
	var pen fixed.Int26_6
	for _, run := range sh.seg.Split(in, &sh.fm) {
		id := latin
		if run.Face == sh.faces[th] {
			id = th
		}
		if run.Script == language.Thai {
			run.Language = language.NewLanguage("th")
		}
		out := sh.hb.Shape(run)
		for _, g := range out.Glyphs {
			glyphs = append(glyphs, shapedGlyph{
				font: id, gid: g.GlyphID,
				x: pen + g.XOffset, y: -g.YOffset,
				adv: g.Advance, runeI: g.ClusterIndex,
			})
			pen += g.Advance
		}
	}
	return glyphs, pen
}

// oneLine returns rs with tabs and line separators as spaces: the shaper's
// bidi step would end the text at a paragraph separator and drop the rest,
// and a tab has no glyph. Other control characters are left to draw as the
// missing-glyph box, so stray bytes in order data show on the label.
func oneLine(rs []rune) []rune {
	var out []rune
	for i, c := range rs {
		switch c {
		case '\t', '\n', '\v', '\f', '\r', 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
			if out == nil {
				out = slices.Clone(rs)
			}
			out[i] = ' '
		}
	}
	if out == nil {
		return rs
	}
	return out
}

// withShaper runs f with a shaper of its own.
func (r *Renderer) withShaper(f func(sh *shaper)) {
	sh := r.shapers.Get().(*shaper)
	defer r.shapers.Put(sh)
	f(sh)
}

// Measure returns the advance width of s on one line, in dots, rounded to
// the nearest dot. Like Draw, it takes tabs and line separators in s for
// spaces; Wrap is the way to lay out several lines.
func (r *Renderer) Measure(s string, st Style) int {
	var w fixed.Int26_6
	r.withShaper(func(sh *shaper) { _, w = r.shape(sh, []rune(s), st) })
	return w.Round()
}

// Metrics returns the ascent above the baseline and the descent below it,
// in dots, each rounded up, and the line height, their sum. They are the
// larger of Noto Sans's and Noto Sans Thai's, so a line height leaves room
// for a Thai tone mark stacked on an upper vowel and for marks below ฎ ฏ ฤ:
// lines drawn lineHeight apart never touch.
func (r *Renderer) Metrics(st Style) (ascent, descent, lineHeight int) {
	size := st.size()
	if size == 0 {
		return 0, 0, 0
	}
	var asc, desc, gap float64
	latin, th := st.fonts()
	for _, id := range []fontID{latin, th} {
		e := r.extents[id]
		scale := float64(size) / 64 / float64(r.fonts[id].Upem())
		asc = math.Max(asc, float64(e.Ascender)*scale)
		desc = math.Max(desc, -float64(e.Descender)*scale)
		gap = math.Max(gap, float64(e.LineGap)*scale)
	}
	ascent, descent = int(math.Ceil(asc-1e-9)), int(math.Ceil(desc-1e-9))
	return ascent, descent, ascent + descent + int(math.Round(gap))
}

// Glyph is one shaped glyph: its id in the font named Font ("NotoSans-Bold",
// "NotoSansThai-Regular", …) and the whole-dot pen position Draw puts it
// at, relative to the start of the text on the baseline, y down.
type Glyph struct {
	ID   uint32
	X, Y int
	Font string
}

// Glyphs returns s shaped on one line: what Draw draws, for tests and
// tools that pin the shaping.
func (r *Renderer) Glyphs(s string, st Style) []Glyph {
	var out []Glyph
	r.withShaper(func(sh *shaper) {
		gs, _ := r.shape(sh, []rune(s), st)
		for _, g := range gs {
			out = append(out, Glyph{ID: uint32(g.gid), X: g.x.Round(), Y: g.y.Round(), Font: r.names[g.font]})
		}
	})
	return out
}
