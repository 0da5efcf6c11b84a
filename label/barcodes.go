package label

import (
	"image"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label/barcode"
)

// Barcode geometry. Module widths are whole dots, so every bar is exactly
// as wide as the symbology says; 2 to 3 dots at 203 dpi (0.25-0.375 mm)
// reads on any scanner, and 300 dpi printers get the same sizes in their
// dots.
const (
	quietModules   = 10 // Code 128 quiet zone each side (ISO/IEC 15417 asks for 10)
	qrQuietModules = 4
	qrMinModuleMM  = 0.25
)

// moduleRange returns the narrowest and widest Code 128 module width, in
// dots, for a printer of dpi dots per inch.
func moduleRange(dpi int) (lo, hi int) {
	lo = (2*dpi + 202) / 203 // 2 dots at 203 dpi, never narrower in length
	hi = max(lo, (3*dpi+101)/203)
	return lo, hi
}

// code128 draws data as Code 128 bars of box.Dy() dots, centred in box,
// which must leave room for the quiet zones. It picks the widest module
// that fits; when even the narrowest does not, the error names field.
func (c *canvas) code128(box image.Rectangle, data, field string) error {
	modules, err := barcode.Code128(data)
	if err != nil {
		return labelbridge.Invalid(field, "%v", err)
	}
	lo, hi := moduleRange(int(c.dpi))
	mw := 0
	for w := hi; w >= lo; w-- {
		if (len(modules)+2*quietModules)*w <= box.Dx() {
			mw = w
			break
		}
	}
	if mw == 0 {
		n := len(modules) + 2*quietModules
		return labelbridge.Invalid(field, "does not fit this label as Code 128: it takes %d modules with quiet zones, %d dots at the narrowest %d-dot module, and the label is %d dots wide",
			n, n*lo, lo, box.Dx())
	}
	x := box.Min.X + (box.Dx()-len(modules)*mw)/2
	for _, b := range barcode.Bars(modules) {
		c.rect(image.Rect(x+b.Start*mw, box.Min.Y, x+b.End*mw, box.Max.Y))
	}
	return nil
}

// qr draws data as a QR code with its quiet zone, as large as fits box with
// whole-dot modules, centred across box and at its top. It returns the
// rectangle drawn. When the modules would come out too small to scan, the
// error names field.
func (c *canvas) qr(box image.Rectangle, data, field string) (image.Rectangle, error) {
	m, err := barcode.QR(data, barcode.LevelM)
	if err != nil {
		return image.Rectangle{}, labelbridge.Invalid(field, "%v", err)
	}
	n := m.Size + 2*qrQuietModules
	mw := min(box.Dx(), box.Dy()) / n
	if minMW := max(2, c.mm(qrMinModuleMM)); mw < minMW {
		return image.Rectangle{}, labelbridge.Invalid(field, "does not fit this label as a QR code: it takes %d modules with quiet zone, %d dots at the smallest %d-dot module, and there is room for %d",
			n, n*minMW, minMW, min(box.Dx(), box.Dy()))
	}
	img := NewMono(n*mw, n*mw)
	for y := range img.H {
		for x := range img.W {
			if m.Dark(x/mw-qrQuietModules, y/mw-qrQuietModules) {
				img.Pix[y*img.Stride+x/8] |= 0x80 >> uint(x%8)
			}
		}
	}
	x := box.Min.X + (box.Dx()-img.W)/2
	c.bitmap(x, box.Min.Y, img)
	return image.Rect(x, box.Min.Y, x+img.W, box.Min.Y+img.H), nil
}
