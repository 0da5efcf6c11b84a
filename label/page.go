// Package label holds the document model (shipping label, pick list, image)
// and the layout step that turns a document into pages positioned in printer
// dots. Encoders (zpl, escpos, tspl) turn a Page into printer bytes; Page.Image
// turns the same Page into the picture a preview shows.
package label

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/labelbridge/labelbridge/label/text"
)

// Page is one printed page (a label, or one receipt) laid out at the
// printer's resolution. Coordinates are dots from the top-left corner.
type Page struct {
	Width, Height int // in dots
	DPI           int
	Elements      []Element
	// Cut asks a receipt printer to cut after the page; label printers
	// ignore it.
	Cut bool

	// fonts draws *Text elements in previews; layout sets it.
	fonts *text.Renderer
}

// Element is one thing drawn on a page: *Rect, *Bitmap or *Text.
type Element interface{ element() }

// Rect is a filled black rectangle: rules, boxes' sides and barcode bars.
type Rect struct{ X, Y, W, H int }

// Bitmap is a 1-bit picture placed on the page: raster text, QR codes, images.
type Bitmap struct {
	X, Y int
	Img  *Mono
}

// Text is a run of plain printable ASCII (0x20-0x7E) the printer may draw in
// its own scalable font, Height dots tall (the em size), with X, Y the
// top-left corner of the line. Layout emits it only where the
// printer's font can print the text exactly; encoders still escape it, since
// layout is not the place that guards the command stream.
type Text struct {
	X, Y   int
	Height int
	Text   string
}

func (*Rect) element()   {}
func (*Bitmap) element() {}
func (*Text) element()   {}

// Mono is a 1-bit image packed eight pixels a byte, most significant bit
// first, each row starting on a byte boundary: the layout printers' raster
// commands take (ZPL ^GF, ESC/POS GS v 0, TSPL BITMAP, after inversion for
// TSPL). A set bit is black (printed).
type Mono struct {
	W, H   int
	Stride int // bytes a row: (W+7)/8
	Pix    []byte
}

// NewMono returns an all-white w x h image.
func NewMono(w, h int) *Mono {
	stride := (w + 7) / 8
	return &Mono{W: w, H: h, Stride: stride, Pix: make([]byte, stride*h)}
}

// Black reports whether the pixel at x, y is printed. Outside the image is white.
func (m *Mono) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return false
	}
	return m.Pix[y*m.Stride+x/8]&(0x80>>uint(x%8)) != 0
}

// SetBlack paints the pixel at x, y black (true) or white. Outside is ignored.
func (m *Mono) SetBlack(x, y int, black bool) {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return
	}
	i, bit := y*m.Stride+x/8, byte(0x80>>uint(x%8))
	if black {
		m.Pix[i] |= bit
	} else {
		m.Pix[i] &^= bit
	}
}

// ColorModel, Bounds and At make a Mono an image.Image, so it encodes as PNG
// and barcode readers decode it directly.
func (m *Mono) ColorModel() color.Model { return color.GrayModel }

// Bounds returns the image's rectangle, anchored at 0, 0.
func (m *Mono) Bounds() image.Rectangle { return image.Rect(0, 0, m.W, m.H) }

// Set makes a Mono a draw.Image: colours darker than mid-grey print.
func (m *Mono) Set(x, y int, c color.Color) {
	m.SetBlack(x, y, color.GrayModel.Convert(c).(color.Gray).Y < 128)
}

// At returns black or white.
func (m *Mono) At(x, y int) color.Color {
	if m.Black(x, y) {
		return color.Gray{Y: 0}
	}
	return color.Gray{Y: 255}
}

// Check reports the first element no encoder can draw (nil, empty, of an
// unknown type, or an image whose size and bytes disagree), naming its
// index; nil when every element is sound. Encoders check the page's size
// against their own language's limits.
func (p *Page) Check() error {
	for i, el := range p.Elements {
		if err := checkElement(el); err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
	}
	return nil
}

func checkElement(el Element) error {
	switch el := el.(type) {
	case *Rect:
		if el == nil {
			return errors.New("nil rect")
		}
		if el.W <= 0 || el.H <= 0 {
			return fmt.Errorf("rect size %dx%d is empty", el.W, el.H)
		}
	case *Bitmap:
		if el == nil || el.Img == nil {
			return errors.New("bitmap has no image")
		}
		m := el.Img
		if m.W < 0 || m.H < 0 || m.Stride != (m.W+7)/8 || len(m.Pix) != m.Stride*m.H {
			return fmt.Errorf("malformed %dx%d image (stride %d, %d bytes)", m.W, m.H, m.Stride, len(m.Pix))
		}
	case *Text:
		if el == nil {
			return errors.New("nil text")
		}
		if el.Height <= 0 {
			return fmt.Errorf("text height %d is not positive", el.Height)
		}
	default:
		return fmt.Errorf("unknown element %T", el)
	}
	return nil
}
