package text

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/go-text/typesetting/font"
	ot "github.com/go-text/typesetting/font/opentype"
	"golang.org/x/image/vector"
)

// blackSetter is what a 1-bit page offers for painting a dot without a
// colour conversion (*label.Mono has it); any other draw.Image gets Set.
type blackSetter interface {
	SetBlack(x, y int, black bool)
}

// Draw draws s on one line into dst, starting at x with its baseline at
// baseline. It paints black where a glyph covers at least half a dot and
// leaves every other dot as it was, so text can go over rules and boxes.
// Dots outside dst are clipped by dst. Tabs and line separators in s draw
// as spaces; characters neither font has (emoji, control characters such
// as ESC) draw as the missing-glyph box, so bad bytes in order data show.
func (r *Renderer) Draw(dst draw.Image, x, baseline int, s string, st Style) {
	size := st.size()
	if size == 0 || s == "" {
		return
	}
	set := func(px, py int) { dst.Set(px, py, color.Black) }
	if b, ok := dst.(blackSetter); ok {
		set = func(px, py int) { b.SetBlack(px, py, true) }
	}
	clip := dst.Bounds()
	glyphs, _ := r.shape(s, st)
	for _, g := range glyphs {
		m := r.mask(g.font, g.gid, st.Size)
		ox, oy := x+g.x.Round(), baseline+g.y.Round()
		if !image.Rect(ox+m.dx, oy+m.dy, ox+m.dx+m.w, oy+m.dy+m.h).Overlaps(clip) {
			continue
		}
		for _, sp := range m.spans {
			py := oy + m.dy + int(sp.y)
			for px := ox + m.dx + int(sp.x0); px < ox+m.dx+int(sp.x1); px++ {
				set(px, py)
			}
		}
	}
}

// glyphMask is a rasterised, thresholded glyph: runs of black dots in a
// w x h box whose top-left corner is dx, dy from the pen position.
type glyphMask struct {
	dx, dy, w, h int
	spans        []span
}

// span is the black dots x0 <= x < x1 of row y of a glyphMask.
type span struct{ y, x0, x1 int16 }

// glyphKey identifies a rasterised glyph. Pen positions are whole dots, so
// the position is not part of the key.
type glyphKey struct {
	font fontID
	gid  font.GID
	size uint64 // math.Float64bits of Style.Size
}

// mask returns the glyph rasterised at size, from the cache or made now.
func (r *Renderer) mask(id fontID, gid font.GID, size float64) *glyphMask {
	key := glyphKey{font: id, gid: gid, size: math.Float64bits(size)}
	if m, ok := r.glyphs.get(key); ok {
		return m
	}
	// Rasterising outside the cache's lock lets goroutines drawing
	// different glyphs proceed; two racing on one glyph both rasterise it,
	// which costs time, not correctness.
	var outline font.GlyphOutline
	r.withShaper(func(sh *shaper) {
		if o, ok := sh.faces[id].GlyphDataOutline(gid); ok {
			outline = o
		}
	})
	m := rasterize(outline, float32(size)/float32(r.fonts().fonts[id].Upem()))
	r.glyphs.put(key, m, 1)
	return m
}

// rasterize fills outline, in font units with y up, scaled to dots with y
// down, and keeps the dots covered at least half.
func rasterize(outline font.GlyphOutline, scale float32) *glyphMask {
	if len(outline.Segments) == 0 {
		return &glyphMask{}
	}
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for i := range outline.Segments {
		for _, p := range outline.Segments[i].ArgsSlice() {
			minX, maxX = min(minX, p.X), max(maxX, p.X)
			minY, maxY = min(minY, p.Y), max(maxY, p.Y)
		}
	}
	// Control points bound the curves, so this box holds the whole glyph.
	x0 := int(math.Floor(float64(minX * scale)))
	x1 := int(math.Ceil(float64(maxX * scale)))
	y0 := int(math.Floor(float64(-maxY * scale)))
	y1 := int(math.Ceil(float64(-minY * scale)))
	w, h := x1-x0, y1-y0
	if w <= 0 || h <= 0 || w > math.MaxInt16 || h > math.MaxInt16 {
		return &glyphMask{}
	}
	tx := func(p ot.SegmentPoint) (float32, float32) {
		return p.X*scale - float32(x0), -p.Y*scale - float32(y0)
	}
	z := vector.NewRasterizer(w, h)
	open := false
	for _, seg := range outline.Segments {
		a := seg.Args
		switch seg.Op {
		case ot.SegmentOpMoveTo:
			if open {
				z.ClosePath()
			}
			z.MoveTo(tx(a[0]))
			open = true
		case ot.SegmentOpLineTo:
			z.LineTo(tx(a[0]))
		case ot.SegmentOpQuadTo:
			bx, by := tx(a[0])
			cx, cy := tx(a[1])
			z.QuadTo(bx, by, cx, cy)
		case ot.SegmentOpCubeTo:
			bx, by := tx(a[0])
			cx, cy := tx(a[1])
			dx, dy := tx(a[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		}
	}
	if open {
		z.ClosePath()
	}
	cov := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(cov, cov.Bounds(), image.Opaque, image.Point{})
	m := &glyphMask{dx: x0, dy: y0, w: w, h: h}
	for y := 0; y < h; y++ {
		row := cov.Pix[y*cov.Stride : y*cov.Stride+w]
		for x := 0; x < w; {
			if row[x] < 0x80 {
				x++
				continue
			}
			start := x
			for x < w && row[x] >= 0x80 {
				x++
			}
			m.spans = append(m.spans, span{y: int16(y), x0: int16(start), x1: int16(x)})
		}
	}
	return m
}
