// Package zpl encodes laid-out label pages as ZPL II, the command language of
// Zebra label printers.
//
// Encode writes one label format (^XA ... ^XZ) per page: rectangles become
// graphic boxes (^GB), bitmaps become graphic fields (^GF, Z64 or compressed
// ASCII hex, whichever is shorter) and text runs use the printer's scalable
// font 0 (^A0). Field text never becomes commands: every byte outside a small
// safe set is written as a ^FH hexadecimal escape, so a '^' or '~' in a
// recipient's name prints as a character.
//
// References are to the Zebra ZPL II Programming Guide (45541L; the 2005
// volumes one and two and the current docs.zebra.com edition).
package zpl

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/labelbridge/labelbridge/label"
)

// ErrInvalidPage is wrapped by every error Encode returns for a page it
// cannot encode, so callers can tell a bad page (never worth retrying) from a
// failing writer.
var ErrInvalidPage = errors.New("zpl: invalid page")

// Limits from the ZPL II Programming Guide: ^FO, ^PW, ^LL and ^GB take at most
// 32000 dots; ^GF's byte counts run from 1 to 99999 (vol. 1, ^GF: "Accepted
// Values: 1 to 99999"); scalable font heights run from 10 to 32000 dots (^A).
const (
	maxDots         = 32000
	maxGraphicBytes = 99999
	minFontHeight   = 10
)

// Encoder writes pages as ZPL II. Its zero value prints each page once.
type Encoder struct {
	// Copies is how many times the printer prints each page (^PQ). Zero and
	// one both mean once.
	Copies int
}

// Encode writes p as one ZPL II label format to w, using an Encoder's
// defaults.
func Encode(w io.Writer, p *label.Page) error {
	var enc Encoder
	return enc.Encode(w, p)
}

// Encode writes p as one ZPL II label format to w. The page is checked whole
// before the first byte is written, so an invalid page writes nothing; the
// error then wraps ErrInvalidPage. Parts of elements outside the page are
// clipped; a text run whose origin lies outside the page is dropped, since a
// printer font cannot be clipped.
func (enc *Encoder) Encode(w io.Writer, p *label.Page) error {
	if err := check(p); err != nil {
		return err
	}
	if enc.Copies < 0 {
		return fmt.Errorf("%w: negative copies %d", ErrInvalidPage, enc.Copies)
	}
	// bufio.Writer keeps the first write error and refuses every later
	// write, so the element writers below need not check each call: Flush
	// reports it.
	bw := bufio.NewWriter(w)

	// ^XA opens the format. ^PW (print width) and ^LL (label length) size the
	// label in dots, ^LH0,0 puts the label home at the top-left corner so ^FO
	// coordinates are page coordinates, and ^CI28 selects UTF-8 so ^FH
	// escapes of bytes above 0x7F are read as UTF-8 (vol. 1: ^XA, ^PW, ^LL,
	// ^LH, ^CI).
	fmt.Fprintf(bw, "^XA\n^PW%d\n^LL%d\n^LH0,0\n^CI28\n", p.Width, p.Height)
	if enc.Copies > 1 {
		// ^PQq sets the print quantity (vol. 1, ^PQ).
		fmt.Fprintf(bw, "^PQ%d\n", enc.Copies)
	}
	for _, el := range p.Elements {
		switch el := el.(type) {
		case *label.Rect:
			writeRect(bw, p, el)
		case *label.Bitmap:
			writeBitmap(bw, p, el)
		case *label.Text:
			writeText(bw, p, el)
		}
	}
	bw.WriteString("^XZ\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("zpl: write: %w", err)
	}
	return nil
}

// check reports why p cannot be encoded, or nil.
func check(p *label.Page) error {
	if p == nil {
		return fmt.Errorf("%w: no page", ErrInvalidPage)
	}
	if p.Width <= 0 || p.Height <= 0 || p.Width > maxDots || p.Height > maxDots {
		return fmt.Errorf("%w: size %dx%d dots outside 1..%d", ErrInvalidPage, p.Width, p.Height, maxDots)
	}
	if err := p.Check(); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidPage, err)
	}
	return nil
}

// writeRect draws r as a box whose border is as thick as its shorter side,
// which fills it: ^GBw,h,t (vol. 1, ^GB, "t = border thickness", and "if the
// width and height are equal to the thickness ... a solid box").
func writeRect(w *bufio.Writer, p *label.Page, r *label.Rect) {
	x0, y0 := max(r.X, 0), max(r.Y, 0)
	x1, y1 := min(r.X+r.W, p.Width), min(r.Y+r.H, p.Height)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	wd, ht := x1-x0, y1-y0
	fmt.Fprintf(w, "^FO%d,%d^GB%d,%d,%d^FS\n", x0, y0, wd, ht, min(wd, ht))
}

// writeBitmap places b as one or more graphic fields, ^GFA,b,c,d,data: A for
// ASCII data (the Z64 header rides on ASCII, vol. 2 "B64 and Z64 Encoding"),
// b and c the image's byte count, d its bytes per row. Taller images are cut
// into strips so that no field exceeds the 99999-byte count limit.
func writeBitmap(w *bufio.Writer, p *label.Page, b *label.Bitmap) {
	x, y, m := clip(p, b)
	if m == nil {
		return
	}
	rows := max(maxGraphicBytes/m.Stride, 1)
	for top := 0; top < m.H; top += rows {
		strip := m
		if rows < m.H {
			strip = sub(m, 0, top, m.W, min(top+rows, m.H))
		}
		n := len(strip.Pix)
		fmt.Fprintf(w, "^FO%d,%d^GFA,%d,%d,%d,", x, y+top, n, n, strip.Stride)
		w.WriteString(graphicData(strip))
		w.WriteString("^FS\n")
	}
}

// writeText prints t in font 0, the printer's scalable font, Height dots tall
// and as wide (^A0N,h,w; vol. 1 ^A: h and w from 10 to 32000 for scalable
// fonts, so smaller heights are raised to 10). ^FH\ makes '\' the hexadecimal escape of the field data that
// follows (vol. 1, ^FH: "any character except current format and control
// prefix"), and escapeField writes every byte that could end the field or
// start a command as such an escape.
func writeText(w *bufio.Writer, p *label.Page, t *label.Text) {
	if t.X < 0 || t.Y < 0 || t.X >= p.Width || t.Y >= p.Height {
		return
	}
	h := min(max(t.Height, minFontHeight), maxDots)
	fmt.Fprintf(w, "^FO%d,%d^A0N,%d,%d^FH\\^FD", t.X, t.Y, h, h)
	w.WriteString(escapeField(t.Text))
	w.WriteString("^FS\n")
}

// clip returns the part of b's image that lies on the page and where it goes,
// or a nil image when none of it does.
func clip(p *label.Page, b *label.Bitmap) (x, y int, m *label.Mono) {
	x0, y0 := max(b.X, 0), max(b.Y, 0)
	x1, y1 := min(b.X+b.Img.W, p.Width), min(b.Y+b.Img.H, p.Height)
	if x0 >= x1 || y0 >= y1 {
		return 0, 0, nil
	}
	return x0, y0, sub(b.Img, x0-b.X, y0-b.Y, x1-b.X, y1-b.Y)
}

// sub copies the rectangle [x0,x1) x [y0,y1) of m into a new image. Bits past
// the right edge are cleared, since printers print every bit of a row's last
// byte.
func sub(m *label.Mono, x0, y0, x1, y1 int) *label.Mono {
	out := label.NewMono(x1-x0, y1-y0)
	if x0 == 0 && x1 == m.W {
		copy(out.Pix, m.Pix[y0*m.Stride:y1*m.Stride])
		if pad := out.W % 8; pad != 0 {
			keep := byte(0xFF << (8 - pad))
			for i := out.Stride - 1; i < len(out.Pix); i += out.Stride {
				out.Pix[i] &= keep
			}
		}
		return out
	}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if m.Black(x, y) {
				out.SetBlack(x-x0, y-y0, true)
			}
		}
	}
	return out
}
