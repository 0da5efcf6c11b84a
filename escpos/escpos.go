// Package escpos encodes laid-out receipt pages as ESC/POS, the command
// language of Epson-compatible receipt printers.
//
// ESC/POS has no positioned, scalable font that could place text the way a
// label printer does, and this package rasterises nothing itself: a page is
// sent as one raster picture of its rectangles and bitmaps, in bands of
// GS v 0 commands, and layout draws every text run as a bitmap for ESC/POS
// printers. A page holding a *label.Text is refused with ErrText.
//
// References are to the Epson ESC/POS Application Programming Guide and
// command reference (TM series), whose raster and cut commands every
// ESC/POS-compatible receipt printer implements.
package escpos

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
var ErrInvalidPage = errors.New("escpos: invalid page")

// ErrText is wrapped by the error Encode returns for a page holding a
// *label.Text: receipt pages must come from layout fully rasterised.
var ErrText = errors.New("escpos: text elements are not supported; draw text as a bitmap")

const (
	// bandRows is the height of one GS v 0 command. Printers buffer a whole
	// raster command before printing it and several cap its height (yH at
	// most 8, i.e. 2303 rows, on Citizen and Epson TM models), so a long
	// receipt goes as a run of short bands, which print seamlessly.
	bandRows = 256
	// maxRowBytes is the widest raster the command can describe, xL + xH x
	// 256 bytes; real heads are 48 to 72 bytes (384 to 576 dots).
	maxRowBytes = 0xFFFF
)

// Command bytes.
const (
	esc = 0x1B
	gs  = 0x1D
)

// Encode writes p to w as ESC/POS: ESC @ to reset the printer, the page's
// raster in bands, and a feed and partial cut when p.Cut is set. The page
// width is its raster width in dots: 576 for 80 mm paper, 384 for 58 mm.
// Rectangles and bitmaps are clipped to the page and composited black on
// white. The page is checked whole before the first byte is written, so an
// invalid page writes nothing; the error then wraps ErrInvalidPage (and
// ErrText for a text element).
func Encode(w io.Writer, p *label.Page) error {
	if err := check(p); err != nil {
		return err
	}
	raster := compose(p)
	// bufio.Writer keeps the first write error and refuses every later
	// write, so the writes below need not check each call: Flush reports it.
	bw := bufio.NewWriter(w)
	// ESC @ (initialize printer) clears the print buffer and resets modes
	// such as justification (ESC a), which would move a raster image.
	bw.Write([]byte{esc, '@'})
	for top := 0; top < raster.H; top += bandRows {
		rows := min(bandRows, raster.H-top)
		// GS v 0 m xL xH yL yH d1...dk prints a raster bit image: m = 0 for
		// normal density, xL + xH x 256 bytes a row, yL + yH x 256 rows,
		// MSB the leftmost dot, 1 a printed dot (Epson ESC/POS reference,
		// GS v 0).
		bw.Write([]byte{gs, 'v', '0', 0,
			byte(raster.Stride), byte(raster.Stride >> 8),
			byte(rows), byte(rows >> 8)})
		bw.Write(raster.Pix[top*raster.Stride : (top+rows)*raster.Stride])
	}
	if p.Cut {
		// GS V m n with m = 66 (function B) feeds the paper to the cutting
		// position plus n motion units and cuts it partially (Epson ESC/POS
		// reference, GS V).
		bw.Write([]byte{gs, 'V', 66, 0})
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("escpos: write: %w", err)
	}
	return nil
}

// check reports why p cannot be encoded, or nil.
func check(p *label.Page) error {
	if p == nil {
		return fmt.Errorf("%w: no page", ErrInvalidPage)
	}
	if p.Width <= 0 || p.Height <= 0 || (p.Width+7)/8 > maxRowBytes {
		return fmt.Errorf("%w: size %dx%d dots", ErrInvalidPage, p.Width, p.Height)
	}
	// The raster has no place for the printer's own font: layout emits no
	// text for ESC/POS.
	for i, el := range p.Elements {
		if _, ok := el.(*label.Text); ok {
			return fmt.Errorf("%w: element %d: %w", ErrInvalidPage, i, ErrText)
		}
	}
	if err := p.Check(); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidPage, err)
	}
	return nil
}

// compose paints p's rectangles and bitmaps into one page raster. Later
// elements add dots and never erase, as on a label printer.
func compose(p *label.Page) *label.Mono {
	m := label.NewMono(p.Width, p.Height)
	for _, el := range p.Elements {
		switch el := el.(type) {
		case *label.Rect:
			x0, y0 := max(el.X, 0), max(el.Y, 0)
			x1, y1 := min(el.X+el.W, p.Width), min(el.Y+el.H, p.Height)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					m.SetBlack(x, y, true)
				}
			}
		case *label.Bitmap:
			x0, y0 := max(el.X, 0), max(el.Y, 0)
			x1, y1 := min(el.X+el.Img.W, p.Width), min(el.Y+el.Img.H, p.Height)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					if el.Img.Black(x-el.X, y-el.Y) {
						m.SetBlack(x, y, true)
					}
				}
			}
		}
	}
	return m
}

// SanitizeText returns s without the bytes an ESC/POS printer reads as
// control codes, 0x00 to 0x1F and 0x7F: every ESC/POS command starts with
// one of them (ESC, GS, FS, DLE, LF ...), so what is left prints as
// characters in the selected code page. Other bytes, such as those of UTF-8
// sequences, are kept in order. It is meant for a native text line mode,
// which Encode does not use.
func SanitizeText(s string) string {
	keep := 0
	for i := 0; i < len(s); i++ {
		if !isControl(s[i]) {
			keep++
		}
	}
	if keep == len(s) {
		return s
	}
	b := make([]byte, 0, keep)
	for i := 0; i < len(s); i++ {
		if !isControl(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func isControl(c byte) bool { return c < 0x20 || c == 0x7F }
