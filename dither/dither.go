// Package dither turns pictures (PNG or JPEG photos, logos, line art) into
// the 1-bit images thermal printers print.
//
// Each function scales its source to the size asked for (Catmull-Rom, which
// keeps edges sharp when shrinking a photo), composites any transparency over
// white paper, takes the luminance (Rec. 601 weights) and decides every dot:
//
//   - Threshold: black below mid-grey. For line art, logos and text, which
//     are already black and white.
//   - Ordered: an 8 x 8 Bayer matrix. A regular pattern with no error
//     carried between dots: it never smears, small noise in the source
//     barely changes it, and its rows repeat, so it compresses very well.
//   - FloydSteinberg: error diffusion to four neighbours, scanned in a
//     serpentine. The most faithful tones, an irregular pattern.
//   - Atkinson: error diffusion of three quarters of the error to six
//     neighbours. Higher contrast: tones within an eighth of black or white
//     print solid.
//
// Measured on a generated photo (a gradient with shapes and a little noise,
// see TestCompressedSizes) dithered to a 4 x 6 in label at 203 dpi, whose raw
// raster is 124 KB: Ordered deflates to about 11 KB (14 KB of ZPL), Floyd-
// Steinberg to 84 KB (112 KB of ZPL) and Atkinson to 93 KB (125 KB of ZPL);
// Threshold, which keeps no grey, to 7 KB. Ordered is therefore the
// recommended dither for photos: eight times less to send to a printer on a
// serial or Bluetooth link, for a visible but even grid at 203 dpi. Use
// Threshold for logos and line art, and the diffusion dithers where tone
// matters more than bytes.
package dither

import (
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"

	"github.com/labelbridge/labelbridge/label"
)

// Threshold scales img to w x h dots and prints every dot darker than
// mid-grey. A w or h below one gives an empty image; a nil or empty img an
// all-white one.
func Threshold(img image.Image, w, h int) *label.Mono {
	lum, m := prepare(img, w, h)
	for y := range m.H {
		for x := range m.W {
			if lum[y*m.W+x] < 128 {
				m.SetBlack(x, y, true)
			}
		}
	}
	return m
}

// bayer is the 8 x 8 Bayer index matrix: each value 0..63 once, arranged so
// that every threshold level spreads its dots as evenly as the grid allows.
var bayer = [8][8]uint8{
	{0, 32, 8, 40, 2, 34, 10, 42},
	{48, 16, 56, 24, 50, 18, 58, 26},
	{12, 44, 4, 36, 14, 46, 6, 38},
	{60, 28, 52, 20, 62, 30, 54, 22},
	{3, 35, 11, 43, 1, 33, 9, 41},
	{51, 19, 59, 27, 49, 17, 57, 25},
	{15, 47, 7, 39, 13, 45, 5, 37},
	{63, 31, 55, 23, 61, 29, 53, 21},
}

// orderedThreshold is the grey level under which the dot at x, y prints:
// thresholds sit at the middle of 64 equal steps of 0..255.
func orderedThreshold(x, y int) float32 {
	return (float32(bayer[y%8][x%8]) + 0.5) * 256 / 64
}

// Ordered scales img to w x h dots and dithers it with an 8 x 8 Bayer
// matrix. A w or h below one gives an empty image; a nil or empty img an
// all-white one.
func Ordered(img image.Image, w, h int) *label.Mono {
	lum, m := prepare(img, w, h)
	for y := range m.H {
		for x := range m.W {
			if lum[y*m.W+x] < orderedThreshold(x, y) {
				m.SetBlack(x, y, true)
			}
		}
	}
	return m
}

// FloydSteinberg scales img to w x h dots and dithers it by Floyd-Steinberg
// error diffusion (7/16 ahead, 3/16, 5/16 and 1/16 on the next row), scanning
// alternate rows right to left so the error does not pile up on one side. A
// w or h below one gives an empty image; a nil or empty img an all-white one.
func FloydSteinberg(img image.Image, w, h int) *label.Mono {
	lum, m := prepare(img, w, h)
	for y := range m.H {
		dir, x0, x1 := 1, 0, m.W
		if y%2 == 1 {
			dir, x0, x1 = -1, m.W-1, -1
		}
		for x := x0; x != x1; x += dir {
			e := quantize(lum, m, x, y)
			spread(lum, m.W, m.H, x+dir, y, e*7/16)
			spread(lum, m.W, m.H, x-dir, y+1, e*3/16)
			spread(lum, m.W, m.H, x, y+1, e*5/16)
			spread(lum, m.W, m.H, x+dir, y+1, e*1/16)
		}
	}
	return m
}

// Atkinson scales img to w x h dots and dithers it by Atkinson's error
// diffusion: an eighth of the error to each of six neighbours, two ahead on
// the row, three on the next and one on the row after, dropping the last
// quarter so that near-white and near-black areas come out clean. A w or h
// below one gives an empty image; a nil or empty img an all-white one.
func Atkinson(img image.Image, w, h int) *label.Mono {
	lum, m := prepare(img, w, h)
	for y := range m.H {
		for x := range m.W {
			e := quantize(lum, m, x, y) / 8
			spread(lum, m.W, m.H, x+1, y, e)
			spread(lum, m.W, m.H, x+2, y, e)
			spread(lum, m.W, m.H, x-1, y+1, e)
			spread(lum, m.W, m.H, x, y+1, e)
			spread(lum, m.W, m.H, x+1, y+1, e)
			spread(lum, m.W, m.H, x, y+2, e)
		}
	}
	return m
}

// quantize prints the dot at x, y if its luminance, error included, is below
// mid-grey and returns the error made.
func quantize(lum []float32, m *label.Mono, x, y int) float32 {
	v := lum[y*m.W+x]
	if v < 128 {
		m.SetBlack(x, y, true)
		return v
	}
	return v - 255
}

// spread adds e to the luminance at x, y, if that is in the picture.
func spread(lum []float32, w, h, x, y int, e float32) {
	if x >= 0 && x < w && y >= 0 && y < h {
		lum[y*w+x] += e
	}
}

// prepare returns the luminance, 0 (black) to 255 (white), of img scaled to w
// x h over white paper, and a white w x h image to draw the dots into.
func prepare(img image.Image, w, h int) ([]float32, *label.Mono) {
	w, h = max(w, 0), max(h, 0)
	if w == 0 || h == 0 {
		return nil, label.NewMono(0, 0)
	}
	m := label.NewMono(w, h)
	paper := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(paper, paper.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	if img != nil && !img.Bounds().Empty() {
		b := img.Bounds()
		if b.Dx() == w && b.Dy() == h {
			draw.Draw(paper, paper.Bounds(), img, b.Min, draw.Over)
		} else {
			xdraw.CatmullRom.Scale(paper, paper.Bounds(), img, b, xdraw.Over, nil)
		}
	}
	lum := make([]float32, w*h)
	for i := range lum {
		p := paper.Pix[4*i : 4*i+3]
		lum[i] = (299*float32(p[0]) + 587*float32(p[1]) + 114*float32(p[2])) / 1000
	}
	return lum, m
}

// Fit returns the largest size with the aspect of a srcW x srcH picture that
// fits in maxW x maxH, each side at least one dot; it scales up as well as
// down. Any size below one gives 0, 0.
func Fit(srcW, srcH, maxW, maxH int) (w, h int) {
	if srcW <= 0 || srcH <= 0 || maxW <= 0 || maxH <= 0 {
		return 0, 0
	}
	sw, sh, mw, mh := int64(srcW), int64(srcH), int64(maxW), int64(maxH)
	if sw*mh <= sh*mw {
		// The height is the limit: w = srcW * maxH / srcH, rounded.
		return int(max(min((2*sw*mh+sh)/(2*sh), mw), 1)), maxH
	}
	return maxW, int(max(min((2*sh*mw+sw)/(2*sw), mh), 1))
}

// OrderedInto dithers the part r of a grey picture already at the printer's
// resolution onto the same dots of m, with the Ordered matrix anchored at the
// picture's origin, so neighbouring regions share one grid. r is clipped to
// both pictures. It is how a rasterized page keeps its text thresholded and
// dithers only the photographs on it.
func OrderedInto(m *label.Mono, gray *image.Gray, r image.Rectangle) {
	r = r.Intersect(gray.Rect).Intersect(image.Rect(0, 0, m.W, m.H))
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := gray.Pix[gray.PixOffset(r.Min.X, y):]
		for i := range r.Dx() {
			x := r.Min.X + i
			m.SetBlack(x, y, float32(row[i]) < orderedThreshold(x, y))
		}
	}
}
