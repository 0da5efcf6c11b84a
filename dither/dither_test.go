package dither

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/zpl"
)

// methods are the dithers measured against each other.
var methods = []struct {
	name string
	fn   func(image.Image, int, int) *label.Mono
}{
	{"Atkinson", Atkinson},
	{"FloydSteinberg", FloydSteinberg},
	{"Ordered", Ordered},
	{"Threshold", Threshold},
}

// photo makes a w x h stand-in for a product photo: a smooth diagonal
// gradient under a soft radial light, a dark disc with a soft edge, a
// mid-grey box, a bright bar, and a little sensor noise.
func photo(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(42, 7))
	fw, fh := float64(w), float64(h)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/fw, float64(y)/fh
			v := 40 + 180*(fx+fy)/2
			v += 35 * math.Exp(-((fx-0.7)*(fx-0.7)+(fy-0.3)*(fy-0.3))*8)
			if d := math.Hypot(fx-0.3, fy-0.6) / 0.18; d < 1.2 {
				v = v*math.Min(1, math.Max(0, (d-0.9)/0.3)) + 25*(1-math.Min(1, math.Max(0, (d-0.9)/0.3)))
			}
			if fx > 0.55 && fx < 0.9 && fy > 0.6 && fy < 0.85 {
				v = 128
			}
			if fy > 0.05 && fy < 0.1 {
				v = 235
			}
			v += rng.NormFloat64() * 4
			g := uint8(math.Max(0, math.Min(255, v)))
			img.SetRGBA(x, y, color.RGBA{g, uint8(float64(g) * 0.9), uint8(float64(g) * 0.8), 255})
		}
	}
	return img
}

// darkness is the share of printed dots in m.
func darkness(m *label.Mono) float64 {
	n := 0
	for y := range m.H {
		for x := range m.W {
			if m.Black(x, y) {
				n++
			}
		}
	}
	return float64(n) / float64(m.W*m.H)
}

func TestUniformGreys(t *testing.T) {
	for _, m := range methods {
		for _, level := range []uint8{0, 32, 64, 128, 192, 224, 255} {
			t.Run(fmt.Sprintf("%s/%d", m.name, level), func(t *testing.T) {
				src := image.NewUniform(color.Gray{Y: level})
				got := darkness(m.fn(&bounded{src, image.Rect(0, 0, 64, 64)}, 64, 64))
				want := 1 - float64(level)/255
				tol := 0.03
				switch {
				case m.name == "Threshold":
					want, tol = 0, 0
					if level < 128 {
						want = 1
					}
				case m.name == "Atkinson" && (level < 64 || level > 192):
					// Atkinson passes on only three quarters of the error,
					// so tones within an eighth of black or white print
					// solid.
					want, tol = 0, 0
					if level < 128 {
						want = 1
					}
				case m.name == "Atkinson":
					// The lost quarter of the error pushes the other tones
					// towards black and white too.
					tol = 0.08
				}
				if math.Abs(got-want) > tol {
					t.Errorf("%.3f of the dots printed, want %.3f +- %.2f", got, want, tol)
				}
			})
		}
	}
}

// bounded gives an image.Uniform a finite size.
type bounded struct {
	image.Image
	r image.Rectangle
}

func (b *bounded) Bounds() image.Rectangle { return b.r }

func TestTransparencyIsWhitePaper(t *testing.T) {
	clear := image.NewNRGBA(image.Rect(0, 0, 40, 40)) // every pixel transparent black
	half := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for i := 3; i < len(half.Pix); i += 4 {
		half.Pix[i] = 128 // black at half opacity: mid-grey on paper
	}
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			if d := darkness(m.fn(clear, 40, 40)); d != 0 {
				t.Errorf("a transparent picture printed %.3f of its dots", d)
			}
			if m.name == "Threshold" {
				return
			}
			if d := darkness(m.fn(half, 40, 40)); math.Abs(d-0.5) > 0.08 {
				t.Errorf("half-transparent black printed %.3f of its dots, want about 0.5", d)
			}
		})
	}
}

func TestScalesToTheSizeAsked(t *testing.T) {
	src := photo(300, 200)
	for _, m := range methods {
		for _, size := range [][2]int{{150, 100}, {300, 200}, {600, 400}, {77, 13}, {1, 1}, {0, 5}, {-3, 4}} {
			t.Run(fmt.Sprintf("%s/%dx%d", m.name, size[0], size[1]), func(t *testing.T) {
				got := m.fn(src, size[0], size[1])
				wantW, wantH := max(size[0], 0), max(size[1], 0)
				if wantW == 0 || wantH == 0 {
					wantW, wantH = 0, 0
				}
				if got.W != wantW || got.H != wantH || got.Stride != (wantW+7)/8 || len(got.Pix) != got.Stride*got.H {
					t.Errorf("got %dx%d (stride %d, %d bytes), want %dx%d", got.W, got.H, got.Stride, len(got.Pix), wantW, wantH)
				}
			})
		}
	}
}

func TestNilImageIsWhite(t *testing.T) {
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			got := m.fn(nil, 20, 10)
			if got.W != 20 || got.H != 10 || darkness(got) != 0 {
				t.Errorf("nil image gave %dx%d with %.2f printed", got.W, got.H, darkness(got))
			}
		})
	}
}

func TestThresholdKeepsLineArt(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 30, 20))
	for i := range src.Pix {
		src.Pix[i] = 255
	}
	for y := 5; y < 15; y++ {
		for x := 3; x < 27; x++ {
			src.SetGray(x, y, color.Gray{Y: 10})
		}
	}
	got := Threshold(src, 30, 20)
	for y := range 20 {
		for x := range 30 {
			want := y >= 5 && y < 15 && x >= 3 && x < 27
			if got.Black(x, y) != want {
				t.Fatalf("dot (%d,%d) black=%v, want %v", x, y, got.Black(x, y), want)
			}
		}
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name                   string
		srcW, srcH, maxW, maxH int
		w, h                   int
	}{
		{"SameAspect", 1000, 500, 576, 288, 576, 288},
		{"WidthLimited", 1000, 500, 576, 2000, 576, 288},
		{"HeightLimited", 500, 1000, 576, 300, 150, 300},
		{"ScalesUp", 10, 20, 100, 100, 50, 100},
		{"Rounds", 3, 2, 100, 100, 100, 67},
		{"TinyKeepsADot", 10000, 1, 100, 100, 100, 1},
		{"Square", 640, 640, 812, 1218, 812, 812},
		{"HugeNumbers", 1 << 30, 1 << 29, 1 << 30, 1 << 30, 1 << 30, 1 << 29},
		{"ZeroSource", 0, 10, 100, 100, 0, 0},
		{"NegativeBox", 10, 10, -1, 100, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h := Fit(tt.srcW, tt.srcH, tt.maxW, tt.maxH)
			if w != tt.w || h != tt.h {
				t.Errorf("Fit(%d, %d, %d, %d) = %d, %d; want %d, %d", tt.srcW, tt.srcH, tt.maxW, tt.maxH, w, h, tt.w, tt.h)
			}
		})
	}
}

// zlibSize is the size of data deflated as Z64 does it, before base64.
func zlibSize(data []byte) int {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	return b.Len()
}

// zplSize is the size of the ZPL label that prints m alone.
func zplSize(t testing.TB, m *label.Mono) int {
	var b bytes.Buffer
	p := &label.Page{Width: m.W, Height: m.H, DPI: 203, Elements: []label.Element{&label.Bitmap{Img: m}}}
	if err := zpl.Encode(&b, p); err != nil {
		t.Fatalf("zpl.Encode: %v", err)
	}
	return b.Len()
}

// TestCompressedSizes dithers the same photo with each method to a 4 x 6 in
// label at 203 dpi, prints how large each picture is deflated and as ZPL, and
// checks that each keeps the photo's overall tone (darkness within a few
// points of the source's).
func TestCompressedSizes(t *testing.T) {
	src := photo(1200, 1800)
	w, h := Fit(1200, 1800, 812, 1218)
	var mean float64
	for y := range 1800 {
		for x := range 1200 {
			c := src.RGBAAt(x, y)
			mean += (299*float64(c.R) + 587*float64(c.G) + 114*float64(c.B)) / 1000
		}
	}
	wantDark := 1 - mean/(1200*1800)/255
	t.Logf("photo %dx%d dithered to %dx%d dots, raw %d bytes, source darkness %.3f", 1200, 1800, w, h, (w+7)/8*h, wantDark)
	t.Logf("%-15s %9s %12s %10s", "method", "darkness", "zlib bytes", "ZPL bytes")
	for _, m := range methods {
		got := m.fn(src, w, h)
		d := darkness(got)
		t.Logf("%-15s %9.3f %12d %10d", m.name, d, zlibSize(got.Pix), zplSize(t, got))
		if m.name != "Threshold" && math.Abs(d-wantDark) > 0.06 {
			t.Errorf("%s printed %.3f of the dots, the photo's darkness is %.3f", m.name, d, wantDark)
		}
	}
}

func benchmarkMethod(b *testing.B, fn func(image.Image, int, int) *label.Mono) {
	src := photo(1200, 1800)
	w, h := Fit(1200, 1800, 812, 1218)
	var m *label.Mono
	for b.Loop() {
		m = fn(src, w, h)
	}
	b.ReportMetric(float64(zlibSize(m.Pix)), "zlib-bytes")
	b.ReportMetric(float64(zplSize(b, m)), "zpl-bytes")
}

func BenchmarkAtkinson(b *testing.B)       { benchmarkMethod(b, Atkinson) }
func BenchmarkFloydSteinberg(b *testing.B) { benchmarkMethod(b, FloydSteinberg) }
func BenchmarkOrdered(b *testing.B)        { benchmarkMethod(b, Ordered) }
func BenchmarkThreshold(b *testing.B)      { benchmarkMethod(b, Threshold) }
