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
	if x < 0 || x+src.W > dst.W {
		// Partly off the page: pixel by pixel, clipped.
		for sy := range src.H {
			for sx := range src.W {
				if src.Black(sx, sy) {
					dst.SetBlack(x+sx, y+sy, true)
				}
			}
		}
		return
	}
	shift := uint(x % 8)
	last := (src.W+7)/8 - 1
	lastMask := byte(0xFF)
	if r := src.W % 8; r != 0 {
		lastMask = 0xFF << uint(8-r) // padding bits past src.W stay off the page
	}
	for sy := max(0, -y); sy < src.H && y+sy < dst.H; sy++ {
		srow := src.Pix[sy*src.Stride : sy*src.Stride+last+1]
		drow := dst.Pix[(y+sy)*dst.Stride : (y+sy+1)*dst.Stride]
		for i, b := range srow {
			if i == last {
				b &= lastMask
			}
			if b == 0 {
				continue
			}
			di := x/8 + i
			drow[di] |= b >> shift
			if shift > 0 && di+1 < len(drow) {
				drow[di+1] |= b << (8 - shift)
			}
		}
	}
}
