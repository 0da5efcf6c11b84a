package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"time"

	"github.com/labelbridge/labelbridge/dither"
	"github.com/labelbridge/labelbridge/escpos"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/zpl"
)

// Receipt paper (80 mm) is 576 dots wide; the ESC/POS comparison scales the
// picture to it, keeping its 2:3 aspect.
const receiptW, receiptH = 576, 864

// runGen writes a photo-like greyscale-rich test picture: gradients, soft
// circles and hard-edged shapes, the mix that shows both dithering and
// compression at work.
func runGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	out := fs.String("o", "photo-800x1200.png", "PNG to write")
	w := fs.Int("w", 800, "width")
	h := fs.Int("h", 1200, "height")
	if err := fs.Parse(args); err != nil {
		return err
	}
	img := image.NewRGBA(image.Rect(0, 0, *w, *h))
	for y := range *h {
		for x := range *w {
			fx, fy := float64(x)/float64(*w), float64(y)/float64(*h)
			r := 40 + 180*fx
			g := 60 + 150*fy
			b := 120 + 100*math.Sin(6*fx+3*fy)
			// Two soft circles: a face-like light blob and a dark one.
			if d := math.Hypot(fx-0.35, fy-0.3); d < 0.25 {
				k := 1 - d/0.25
				r, g, b = r+(250-r)*k, g+(220-g)*k, b+(190-b)*k
			}
			if d := math.Hypot(fx-0.7, fy-0.65); d < 0.2 {
				k := 1 - d/0.2
				r, g, b = r*(1-k), g*(1-k), b*(1-0.7*k)
			}
			// Hard shapes: a black bar and a white box, as in product shots.
			if fy > 0.85 && fy < 0.9 {
				r, g, b = 10, 10, 10
			}
			if fx > 0.08 && fx < 0.3 && fy > 0.6 && fy < 0.75 {
				r, g, b = 255, 255, 255
			}
			img.SetRGBA(x, y, color.RGBA{clamp(r), clamp(g), clamp(b), 255})
		}
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("gen: %w", err)
	}
	return f.Close()
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, v))) }

// imageResult is one way of turning the PNG into printer bytes.
type imageResult struct {
	Name      string  `json:"name"`
	MsPerOp   float64 `json:"ms_per_op"`
	Bytes     int     `json:"bytes"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	Algorithm string  `json:"algorithm"`
}

// runImage converts the PNG n times each way: decode, scale and dither to
// the printer's dots, encode. Decoding is included, as the peers' figures
// include it.
func runImage(args []string) (any, error) {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	in := fs.String("png", "", "PNG to convert")
	n := fs.Int("n", 50, "conversions per way")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	src, err := os.ReadFile(*in)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	type way struct {
		name, algo string
		w, h       int
		dither     func(image.Image, int, int) *label.Mono
		encode     func(*bytes.Buffer, *label.Page) error
	}
	zplEnc := func(b *bytes.Buffer, p *label.Page) error { return zpl.Encode(b, p) }
	escEnc := func(b *bytes.Buffer, p *label.Page) error { return escpos.Encode(b, p) }
	ways := []way{
		{"labelbridge zpl", "ordered 8x8", cfg.Width, cfg.Height, dither.Ordered, zplEnc},
		{"labelbridge zpl threshold", "threshold", cfg.Width, cfg.Height, dither.Threshold, zplEnc},
		{"labelbridge escpos", "ordered 8x8", receiptW, receiptH, dither.Ordered, escEnc},
	}
	start := time.Now()
	for range *n {
		if _, err := png.Decode(bytes.NewReader(src)); err != nil {
			return nil, fmt.Errorf("image: %w", err)
		}
	}
	results := []imageResult{{Name: "PNG decode only (image/png)", MsPerOp: ms(time.Since(start)) / float64(*n), Width: cfg.Width, Height: cfg.Height}}
	for _, wy := range ways {
		var size int
		start := time.Now()
		for range *n {
			img, err := png.Decode(bytes.NewReader(src))
			if err != nil {
				return nil, fmt.Errorf("image: %w", err)
			}
			m := wy.dither(img, wy.w, wy.h)
			page := &label.Page{Width: wy.w, Height: wy.h, DPI: 203, Elements: []label.Element{&label.Bitmap{Img: m}}}
			var buf bytes.Buffer
			if err := wy.encode(&buf, page); err != nil {
				return nil, fmt.Errorf("image %s: %w", wy.name, err)
			}
			size = buf.Len()
		}
		el := time.Since(start)
		results = append(results, imageResult{Name: wy.name, MsPerOp: ms(el) / float64(*n), Bytes: size, Width: wy.w, Height: wy.h, Algorithm: wy.algo})
	}
	return map[string]any{"png": *in, "png_bytes": len(src), "n": *n, "results": results}, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
