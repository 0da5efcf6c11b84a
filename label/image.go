package label

import (
	"github.com/labelbridge/labelbridge/label/text"
)

// Image draws the page as it prints: the preview. Rects are black; a
// Bitmap's black pixels print and its white ones leave the page as it was,
// as ZPL's graphic fields do; Text is drawn in labelbridge's own font,
// Height dots tall, its top at Y, which is near what the printer's font
// prints but not exact. Anything past the page's edge is cut off.
func (p *Page) Image() *Mono {
	m := NewMono(p.Width, p.Height)
	var fonts *text.Renderer
	for _, e := range p.Elements {
		switch e := e.(type) {
		case *Rect:
			x0, y0 := max(e.X, 0), max(e.Y, 0)
			x1, y1 := min(e.X+e.W, m.W), min(e.Y+e.H, m.H)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					m.Pix[y*m.Stride+x/8] |= 0x80 >> uint(x%8)
				}
			}
		case *Bitmap:
			overlay(m, e.X, e.Y, e.Img)
		case *Text:
			if fonts == nil {
				fonts = p.fonts
			}
			if fonts == nil {
				r, err := text.New()
				if err != nil {
					continue // the fonts are built in; nothing to draw with
				}
				fonts = r
			}
			st := text.Style{Size: float64(e.Height)}
			ascent, _, _ := fonts.Metrics(st)
			fonts.Draw(m, e.X, e.Y+ascent, e.Text, st)
		}
	}
	return m
}

// overlay prints src's black pixels onto dst with src's top-left corner at
// x, y.
func overlay(dst *Mono, x, y int, src *Mono) {
	if src == nil {
		return
	}
	for sy := max(0, -y); sy < src.H && y+sy < dst.H; sy++ {
		row := src.Pix[sy*src.Stride:]
		for sx := max(0, -x); sx < src.W && x+sx < dst.W; sx++ {
			if row[sx/8]&(0x80>>uint(sx%8)) != 0 {
				dx := x + sx
				dst.Pix[(y+sy)*dst.Stride+dx/8] |= 0x80 >> uint(dx%8)
			}
		}
	}
}
