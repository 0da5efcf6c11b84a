// Package tspl encodes laid-out label pages as TSPL (TSPL2), the command
// language of TSC label printers and of the many desktop label printers that
// copy it.
//
// Encode writes one label per page: SIZE, GAP and DIRECTION set the media up,
// CLS clears the image buffer, rectangles become BAR commands, bitmaps BITMAP
// commands and text runs TEXT commands in the scalable font "0", then PRINT
// prints. Commands end with CR LF. Text never becomes commands: control bytes
// are dropped and a double quote is written as TSPL's escape \["], so no text
// can end its string or start a new line.
//
// References are to the TSC TSPL/TSPL2 Programming Manual and to TSC's own
// CUPS driver (tspl.c), which shows how the vendor drives its printers.
package tspl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/labelbridge/labelbridge/label"
)

// ErrInvalidPage is wrapped by every error Encode returns for a page it
// cannot encode, so callers can tell a bad page (never worth retrying) from a
// failing writer.
var ErrInvalidPage = errors.New("tspl: invalid page")

// bitmapOR is BITMAP's drawing mode 1, OR (modes: 0 OVERWRITE, 1 OR, 2 XOR).
// Overwrite would let a bitmap's white dots, and the up to seven padding
// dots at the right of each row, erase bars and text drawn before it; OR only
// adds dots. TSC's own driver draws its page bitmaps in OR mode too.
const bitmapOR = 1

// Encoder writes pages as TSPL. Its zero value prints each page once.
type Encoder struct {
	// Copies is how many copies of each page PRINT prints. Zero and one both
	// mean once.
	Copies int
}

// Encode writes p as one TSPL label to w, using an Encoder's defaults.
func Encode(w io.Writer, p *label.Page) error {
	var enc Encoder
	return enc.Encode(w, p)
}

// Encode writes p as one TSPL label to w. The page's DPI converts its size to
// millimetres and its text heights to points. The page is checked whole
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
	// SIZE m mm,n mm sets the label's width and length; GAP m mm,n mm the gap
	// between labels and its offset; DIRECTION 1 prints the top of the page
	// first, as TSC's driver sets it; CLS clears the image buffer (TSPL
	// manual: SIZE, GAP, DIRECTION, CLS).
	fmt.Fprintf(bw, "SIZE %s mm,%s mm\r\n", millimetres(p.Width, p.DPI), millimetres(p.Height, p.DPI))
	bw.WriteString("GAP 2 mm,0 mm\r\nDIRECTION 1\r\nCLS\r\n")
	for _, el := range p.Elements {
		switch el := el.(type) {
		case *label.Rect:
			writeBar(bw, p, el)
		case *label.Bitmap:
			writeBitmap(bw, p, el)
		case *label.Text:
			writeText(bw, p, el)
		}
	}
	// PRINT m,n prints m sets of n copies of the label (TSPL manual, PRINT).
	fmt.Fprintf(bw, "PRINT 1,%d\r\n", max(enc.Copies, 1))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("tspl: write: %w", err)
	}
	return nil
}

// millimetres writes dots at dpi as millimetres, to a hundredth.
func millimetres(dots, dpi int) string {
	mm := float64(dots) * 25.4 / float64(dpi)
	return strconv.FormatFloat(math.Round(mm*100)/100, 'f', -1, 64)
}

// check reports why p cannot be encoded, or nil.
func check(p *label.Page) error {
	if p == nil {
		return fmt.Errorf("%w: no page", ErrInvalidPage)
	}
	if p.Width <= 0 || p.Height <= 0 {
		return fmt.Errorf("%w: size %dx%d dots", ErrInvalidPage, p.Width, p.Height)
	}
	if p.DPI <= 0 {
		return fmt.Errorf("%w: resolution %d dpi is not positive", ErrInvalidPage, p.DPI)
	}
	if err := p.Check(); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidPage, err)
	}
	return nil
}

// writeBar draws r as BAR x,y,width,height, a filled bar in dots (TSPL
// manual, BAR).
func writeBar(w *bufio.Writer, p *label.Page, r *label.Rect) {
	x0, y0 := max(r.X, 0), max(r.Y, 0)
	x1, y1 := min(r.X+r.W, p.Width), min(r.Y+r.H, p.Height)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	fmt.Fprintf(w, "BAR %d,%d,%d,%d\r\n", x0, y0, x1-x0, y1-y0)
}

// writeBitmap draws b as BITMAP x,y,width,height,mode,data: width in bytes,
// height in dots, then width x height bytes of raw binary data, MSB the
// leftmost dot (TSPL manual, BITMAP). In that data a 0 bit prints and a 1
// bit stays white, the reverse of label.Mono: TSC's driver inverts its
// rasters before sending them, and printers that copy TSPL agree, so every
// byte, padding included, is inverted here.
func writeBitmap(w *bufio.Writer, p *label.Page, b *label.Bitmap) {
	x0, y0 := max(b.X, 0), max(b.Y, 0)
	x1, y1 := min(b.X+b.Img.W, p.Width), min(b.Y+b.Img.H, p.Height)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	m := b.Img
	wd, ht := x1-x0, y1-y0
	stride := (wd + 7) / 8
	fmt.Fprintf(w, "BITMAP %d,%d,%d,%d,%d,", x0, y0, stride, ht, bitmapOR)
	row := make([]byte, stride)
	for y := range ht {
		clear(row)
		for x := range wd {
			if m.Black(x0-b.X+x, y0-b.Y+y) {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
		for i := range row {
			row[i] = ^row[i]
		}
		w.Write(row)
	}
	w.WriteString("\r\n")
}

// writeText prints t as TEXT x,y,"font",rotation,x-multiplication,
// y-multiplication,"content" in font "0", the printer's scalable font. For
// that font the two multiplications are the character width and height in
// points, 1/72 inch (TSPL manual, TEXT); whole points keep older firmware,
// which takes no fractions, happy.
func writeText(w *bufio.Writer, p *label.Page, t *label.Text) {
	if t.X < 0 || t.Y < 0 || t.X >= p.Width || t.Y >= p.Height {
		return
	}
	pt := max(int(math.Round(float64(t.Height)*72/float64(p.DPI))), 1)
	fmt.Fprintf(w, "TEXT %d,%d,\"0\",0,%d,%d,\"", t.X, t.Y, pt, pt)
	w.WriteString(escapeText(t.Text))
	w.WriteString("\"\r\n")
}
