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
// prints where the glyph covers at least half of it. Rasterised glyphs and
// shaped lines are cached: layout shapes the same text several times while
// it looks for the size that fits, then draws the lines it chose.
package text

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"sync"

	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/font/opentype"
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

// fontFiles are the embedded fonts by fontID, with the names Glyph reports.
var fontFiles = [numFonts]struct {
	name string
	data []byte
}{
	latinRegular: {"NotoSans-Regular", notoSansRegular},
	latinBold:    {"NotoSans-Bold", notoSansBold},
	thaiRegular:  {"NotoSansThai-Regular", notoSansThaiRegular},
	thaiBold:     {"NotoSansThai-Bold", notoSansThaiBold},
}

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
// Thai dictionary, and bounded caches of shaped lines and rasterised
// glyphs. A Renderer is safe for concurrent use; build one with New and
// share it.
//
// The fonts are parsed on the first call that needs them and the
// dictionary on the first Wrap, not by New: together they hold several
// megabytes that a daemon waiting for its first job has no use for.
type Renderer struct {
	fontSet func() (*fontSet, error) // parses once, on first call
	dict    func() (*thai.Dict, error)
	shapers sync.Pool // of *shaper: go-text faces and shapers are single-goroutine
	glyphs  *lru[glyphKey, *glyphMask]
	// Layout measures one text at several sizes to find the largest that
	// fits, then measures and draws the lines it chose at the size it
	// chose: most shapings repeat one made a moment before. lines keeps
	// whole shapings, runs the size-independent split of a text into runs
	// of one script and font.
	lines *lru[lineKey, *shapedLine]
	runs  *lru[runsKey, *segmented]
	// paraBreaks keeps where paragraphs may break, also size-independent.
	paraBreaks *lru[string, []int]
}

// fontSet is the parsed fonts, by fontID.
type fontSet struct {
	fonts   [numFonts]*font.Font
	extents [numFonts]font.FontExtents
}

// cacheLimits bound a Renderer's caches, each in entries and in what the
// entries hold.
type cacheLimits struct {
	glyphs            int // rasterised glyphs
	lines, lineGlyphs int // shaped texts, and their glyphs
	runs, runRunes    int // texts split into runs, and their runes
	breaks, breakOffs int // paragraphs' break offsets, and the offsets
}

// New returns a Renderer of the embedded fonts and Thai dictionary. It
// checks that each font file reads as a font but parses fonts and
// dictionary only when first needed, which takes a few tens of
// milliseconds; callers build one Renderer and keep it. The embedded data
// is parsed by this package's tests, so failing to parse it later means a
// broken build, and the call that needed it panics.
func New() (*Renderer, error) {
	for _, f := range fontFiles {
		if _, err := opentype.NewLoader(bytes.NewReader(f.data)); err != nil {
			return nil, fmt.Errorf("text: font %s: %w", f.name, err)
		}
	}
	// A label uses a few hundred glyphs (three sizes, two weights, Thai
	// and Latin), so 8192 hold those of a busy day in a few megabytes. It
	// makes about a hundred distinct shapings of a few thousand glyphs in
	// all, a few dozen texts and paragraphs: the other caches hold the
	// last several labels' worth, some hundreds of kilobytes, which is all
	// the reuse there is; beyond the label, only the sender and captions
	// repeat.
	return newRenderer(cacheLimits{
		glyphs: 8192,
		lines:  1024, lineGlyphs: 1 << 14,
		runs: 512, runRunes: 1 << 14,
		breaks: 256, breakOffs: 1 << 12,
	}), nil
}

func newRenderer(lim cacheLimits) *Renderer {
	r := &Renderer{
		fontSet:    sync.OnceValues(parseFonts),
		dict:       sync.OnceValues(thai.Default),
		glyphs:     newLRU[glyphKey, *glyphMask](lim.glyphs, lim.glyphs),
		lines:      newLRU[lineKey, *shapedLine](lim.lines, lim.lineGlyphs),
		runs:       newLRU[runsKey, *segmented](lim.runs, lim.runRunes),
		paraBreaks: newLRU[string, []int](lim.breaks, lim.breakOffs),
	}
	r.shapers.New = func() any {
		fs := r.fonts()
		sh := &shaper{}
		for id, f := range fs.fonts {
			sh.faces[id] = font.NewFace(f)
		}
		return sh
	}
	return r
}

func parseFonts() (*fontSet, error) {
	var fs fontSet
	for id, f := range fontFiles {
		face, err := font.ParseTTF(bytes.NewReader(f.data))
		if err != nil {
			return nil, fmt.Errorf("text: font %s: %w", f.name, err)
		}
		ext, ok := face.FontHExtents()
		if !ok {
			return nil, fmt.Errorf("text: font %s: no horizontal metrics", f.name)
		}
		fs.fonts[id], fs.extents[id] = face.Font, ext
	}
	return &fs, nil
}

// fonts returns the parsed fonts, parsing them on the first call.
func (r *Renderer) fonts() *fontSet {
	fs, err := r.fontSet()
	if err != nil {
		panic(err) // the embedded fonts are broken: see New
	}
	return fs
}

// thaiDict returns the Thai dictionary, parsing it on the first call.
func (r *Renderer) thaiDict() *thai.Dict {
	d, err := r.dict()
	if err != nil {
		panic(fmt.Errorf("text: %w", err)) // the embedded word list is broken: see New
	}
	return d
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
	runeI int32 // index of the first rune of the glyph's cluster
}

// lineKey identifies one shaping. The size is the exact 26.6 size the
// shaper is given, though go-text v0.3 shapes at whole dots: keying on
// what it is given stays right whatever it does with it.
type lineKey struct {
	text string
	bold bool
	size fixed.Int26_6
}

// shapedLine is a text shaped on one line: its glyphs in logical order and
// its advance. It is shared through the cache and never modified.
type shapedLine struct {
	glyphs []shapedGlyph
	adv    fixed.Int26_6
}

// runsKey identifies the split of a text into runs, which does not depend
// on the size.
type runsKey struct {
	text string
	bold bool
}

// segmented is a text split into runs of one direction, script and font,
// ready for the shaper but for the face and size. It is shared through the
// cache and never modified.
type segmented struct {
	runs  []shaping.Input // Face is nil: faces belong to one shaper
	fonts []fontID        // the font of each run
}

// shape lays out s on one line and returns its glyphs in logical order
// and the line's advance. The glyphs may be shared: callers must not
// modify them.
func (r *Renderer) shape(s string, st Style) ([]shapedGlyph, fixed.Int26_6) {
	size := st.size()
	if s == "" || size == 0 {
		return nil, 0
	}
	key := lineKey{text: s, bold: st.Bold, size: size}
	if l, ok := r.lines.get(key); ok {
		return l.glyphs, l.adv
	}
	var l shapedLine
	r.withShaper(func(sh *shaper) {
		seg := r.segment(sh, s, st.Bold)
		if len(seg.runs) > 0 {
			n := len(seg.runs[0].Text) // every run's Text is all of s
			l.glyphs = make([]shapedGlyph, 0, n+n/8)
		}
		for i, run := range seg.runs {
			id := seg.fonts[i]
			run.Face, run.Size = sh.faces[id], size
			// Glyph extents are not needed: pen positions come from the
			// advances and offsets, which extents do not change.
			out := sh.hb.ShapeNoExtents(run)
			for _, g := range out.Glyphs {
				l.glyphs = append(l.glyphs, shapedGlyph{
					font: id, gid: g.GlyphID,
					x: l.adv + g.XOffset, y: -g.YOffset,
					adv: g.Advance, runeI: int32(g.ClusterIndex),
				})
				l.adv += g.Advance
			}
		}
	})
	r.lines.put(key, &l, len(l.glyphs)+1)
	return l.glyphs, l.adv
}

// segment returns s split into runs for the shaper, from the cache or
// made now with sh.
func (r *Renderer) segment(sh *shaper, s string, bold bool) *segmented {
	key := runsKey{text: s, bold: bold}
	if seg, ok := r.runs.get(key); ok {
		return seg
	}
	rs := oneLine([]rune(s))
	latin, th := Style{Bold: bold}.fonts()
	sh.fm = fontmap{latin: sh.faces[latin], thai: sh.faces[th]}
	in := shaping.Input{
		Text:      rs,
		RunEnd:    len(rs),
		Direction: di.DirectionLTR,
		Language:  language.NewLanguage("und"),
	}
	split := sh.seg.Split(in, &sh.fm) // owned by sh.seg: copied below
	seg := &segmented{runs: make([]shaping.Input, len(split)), fonts: make([]fontID, len(split))}
	for i, run := range split {
		id := latin
		if run.Face == sh.faces[th] {
			id = th
		}
		if run.Script == language.Thai {
			run.Language = language.NewLanguage("th")
		}
		run.Face = nil
		seg.runs[i], seg.fonts[i] = run, id
	}
	r.runs.put(key, seg, len(rs)+1)
	return seg
}

// oneLine turns tabs and line separators in rs into spaces, in place, and
// returns rs: the shaper's bidi step would end the text at a paragraph
// separator and drop the rest, and a tab has no glyph. Other control
// characters are left to draw as the missing-glyph box, so stray bytes in
// order data show on the label.
func oneLine(rs []rune) []rune {
	for i, c := range rs {
		switch c {
		case '\t', '\n', '\v', '\f', '\r', 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
			rs[i] = ' '
		}
	}
	return rs
}

// withShaper runs f with a shaper of its own, which it must not keep.
func (r *Renderer) withShaper(f func(sh *shaper)) {
	sh := r.shapers.Get().(*shaper)
	defer r.shapers.Put(sh)
	f(sh)
}

// Measure returns the advance width of s on one line, in dots, rounded to
// the nearest dot. Like Draw, it takes tabs and line separators in s for
// spaces; Wrap is the way to lay out several lines.
func (r *Renderer) Measure(s string, st Style) int {
	_, w := r.shape(s, st)
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
	fs := r.fonts()
	for _, id := range []fontID{latin, th} {
		e := fs.extents[id]
		scale := float64(size) / 64 / float64(fs.fonts[id].Upem())
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
	gs, _ := r.shape(s, st)
	for _, g := range gs {
		out = append(out, Glyph{ID: uint32(g.gid), X: g.x.Round(), Y: g.y.Round(), Font: fontFiles[g.font].name})
	}
	return out
}
