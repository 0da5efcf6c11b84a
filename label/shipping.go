package label

import (
	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label/text"
)

// Text sizes on a shipping label, in millimetres of em. Floors keep text
// legible: below about 2.4 mm Thai marks run into each other on a 203 dpi
// head.
const (
	floorMM       = 2.4
	recipientMM   = 6.5
	senderMM      = 3.4
	detailMM      = 3.2
	barcodeTextMM = 3.6
	captionMM     = floorMM
)

// ShippingLabel lays out o as one label on m. On continuous (receipt) media
// the label is half again as long as the paper is wide, and is cut after.
// Fields too long for the label shrink, down to a legible floor, then are
// cut short with an ellipsis; the tracking number never is: when its
// barcode cannot fit at the narrowest module width the error is an
// invalid_request naming the field.
func (l *Layout) ShippingLabel(o *Order, m Media, opt Options) (*Page, error) {
	if o == nil {
		return nil, errors.New("shipping label: no order")
	}
	if o.TrackingNumber == "" {
		return nil, labelbridge.Invalid(fieldPath(o.path, "tracking_number"), "missing")
	}
	if o.OrderID == "" {
		return nil, labelbridge.Invalid(fieldPath(o.path, "order_id"), "missing")
	}
	w, h := m.WidthDots, m.HeightDots
	if m.Continuous {
		h = w * 3 / 2
	}
	if w <= 0 || h <= 0 || m.DPI <= 0 {
		return nil, fmt.Errorf("shipping label: media %dx%d dots at %d dpi", w, h, m.DPI)
	}
	c := l.newCanvas(w, h, m.DPI, opt, orderASCII(o))
	c.page.Cut = m.Continuous
	var err error
	if float64(h) >= 1.25*float64(w) {
		err = c.tallLabel(o)
	} else {
		err = c.compactLabel(o)
	}
	if err != nil {
		return nil, err
	}
	return c.page, nil
}

func fieldPath(base, field string) string {
	if base == "" {
		return field
	}
	return base + "." + field
}

// labelFrame is the printable area inside the margins and the thickness of
// the rules between sections.
type labelFrame struct {
	x0, x1, y0, y1 int
	rule           int
	gap            int // space between a rule and the text beside it
}

func (c *canvas) frame() labelFrame {
	m := c.mm(2.5)
	return labelFrame{x0: m, x1: c.page.Width - m, y0: m, y1: c.page.Height - m, rule: max(2, c.mm(0.4)), gap: c.mm(1.2)}
}

// hrule draws a rule across the frame at y and returns the y below it.
func (c *canvas) hrule(f labelFrame, y int) int {
	c.rect(image.Rect(f.x0, y, f.x1, y+f.rule))
	return y + f.rule
}

// tallLabel lays out a label at least 1.25 times as tall as wide (100x150
// mm, 4x6 in): sections stacked top to bottom.
func (c *canvas) tallLabel(o *Order) error {
	f := c.frame()
	ih := f.y1 - f.y0
	y := f.y0

	y = c.header(o, image.Rect(f.x0, y, f.x1, y+ih*11/100)) + f.gap
	y = c.hrule(f, y) + f.gap

	var err error
	if y, err = c.trackingBarcode(o, y, ih*15/100); err != nil {
		return err
	}
	y = c.hrule(f, y+f.gap) + f.gap

	bottomH := ih * 24 / 100
	senderH := ih * 12 / 100
	recipientBottom := f.y1 - bottomH - senderH - 4*f.gap - 2*f.rule
	c.recipient(image.Rect(f.x0, y, f.x1, recipientBottom), o.Recipient, c.mmf(recipientMM))
	y = c.hrule(f, recipientBottom+f.gap) + f.gap

	senderBottom := y + senderH
	c.sender(image.Rect(f.x0, y, f.x1, senderBottom), o.Sender, c.mmf(senderMM))
	y = c.hrule(f, senderBottom+f.gap) + f.gap

	// Bottom: order QR code on the right, COD, weight, items and note on
	// the left.
	qrW := min(bottomH*85/100, (f.x1-f.x0)*38/100)
	right := image.Rect(f.x1-qrW, y, f.x1, f.y1)
	if err := c.orderQR(o, right); err != nil {
		return err
	}
	c.details(o, image.Rect(f.x0, y, right.Min.X-f.gap*2, f.y1), detailMM)
	return nil
}

// compactLabel lays out a squarer label (100x100 mm, 100x75 mm): header and
// barcode across the top, then the recipient and sender on the left and the
// QR code and details on the right.
func (c *canvas) compactLabel(o *Order) error {
	f := c.frame()
	ih := f.y1 - f.y0
	y := f.y0

	y = c.header(o, image.Rect(f.x0, y, f.x1, y+ih*13/100)) + f.gap
	y = c.hrule(f, y) + f.gap

	var err error
	if y, err = c.trackingBarcode(o, y, ih*16/100); err != nil {
		return err
	}
	y = c.hrule(f, y+f.gap) + f.gap

	rightW := (f.x1 - f.x0) * 36 / 100
	split := f.x1 - rightW - f.gap
	c.rect(image.Rect(split, y, split+f.rule, f.y1))
	left := image.Rect(f.x0, y, split-f.gap, f.y1)
	right := image.Rect(split+f.rule+f.gap, y, f.x1, f.y1)

	senderH := left.Dy() * 30 / 100
	recipientBottom := left.Max.Y - senderH - 2*f.gap - f.rule
	c.recipient(image.Rect(left.Min.X, left.Min.Y, left.Max.X, recipientBottom), o.Recipient, c.mmf(recipientMM*0.8))
	sy := recipientBottom + f.gap
	c.rect(image.Rect(left.Min.X, sy, left.Max.X, sy+f.rule))
	sy += f.rule + f.gap
	c.sender(image.Rect(left.Min.X, sy, left.Max.X, left.Max.Y), o.Sender, c.mmf(senderMM*0.9))

	qrH := min(right.Dx(), right.Dy()*50/100)
	if err := c.orderQR(o, image.Rect(right.Min.X, right.Min.Y, right.Max.X, right.Min.Y+qrH)); err != nil {
		return err
	}
	c.details(o, image.Rect(right.Min.X, right.Min.Y+qrH+f.gap, right.Max.X, right.Max.Y), detailMM*0.85)
	return nil
}

// header draws the carrier and service on the left and the sort code, as
// large as fits, on the right. It returns the y below it.
func (c *canvas) header(o *Order, box image.Rectangle) int {
	leftW := box.Dx() * 55 / 100
	if o.SortCode == "" {
		leftW = box.Dx()
	}
	service := o.Service
	if o.Platform != "" {
		if service != "" {
			service += " | "
		}
		service += o.Platform
	}
	c.block(image.Rect(box.Min.X, box.Min.Y, box.Min.X+leftW, box.Max.Y), float64(box.Dy())*0.5, c.mmf(floorMM), []para{
		{text: o.Carrier, scale: 1, bold: true, maxLines: 1},
		{text: service, scale: 0.62, maxLines: 1},
	})
	if o.SortCode != "" {
		gap := c.mm(2)
		c.fitLine(image.Rect(box.Min.X+leftW+gap, box.Min.Y, box.Max.X, box.Max.Y), o.SortCode,
			text.Style{Size: float64(box.Dy()), Bold: true}, c.mmf(floorMM), alignRight)
	}
	return box.Max.Y
}

// trackingBarcode draws the tracking number's Code 128 symbol across the
// whole page width (quiet zones may run into the margins, which are blank)
// with bars barH tall, and its human-readable line below. It returns the y
// below the line.
func (c *canvas) trackingBarcode(o *Order, y, barH int) (int, error) {
	barH = max(barH, c.mm(8))
	if err := c.code128(image.Rect(0, y, c.page.Width, y+barH), o.TrackingNumber, fieldPath(o.path, "tracking_number")); err != nil {
		return 0, err
	}
	y += barH + c.mm(0.8)
	st := text.Style{Size: c.mmf(barcodeTextMM), Bold: true}
	lh, _ := c.lineBox(st)
	f := c.frame()
	y += c.fitLine(image.Rect(f.x0, y, f.x1, y+lh), o.TrackingNumber, st, c.mmf(floorMM), alignCenter)
	return y, nil
}

// recipient draws the recipient's name, phone, address and postcode under
// a caption, as large as fits box up to size: the largest text on the
// label after the sort code.
func (c *canvas) recipient(box image.Rectangle, p Party, size float64) {
	c.block(box, size, c.mmf(floorMM), []para{
		{text: "TO", size: c.mmf(captionMM), bold: true, maxLines: 1},
		{text: p.Name, scale: 1.2, bold: true, maxLines: 2},
		{text: p.Phone, scale: 1, maxLines: 1},
		{text: p.Address, scale: 1},
		{text: p.Postcode, scale: 1.2, bold: true, maxLines: 1},
	})
}

// sender draws the sender under a caption: the name on its own line, then
// address, postcode and phone run together, since the sender matters only
// for returns and gives up its space first.
func (c *canvas) sender(box image.Rectangle, p Party, size float64) {
	rest := strings.TrimSpace(clean(p.Address) + " " + clean(p.Postcode))
	if phone := clean(p.Phone); phone != "" {
		rest += " | " + phone
	}
	c.block(box, size, c.mmf(floorMM), []para{
		{text: "FROM", size: c.mmf(captionMM), bold: true, maxLines: 1},
		{text: p.Name, scale: 1, bold: true, maxLines: 1},
		{text: rest, scale: 1},
	})
}

// orderQR draws the order id as a QR code at the top of box, with the id in
// small type below it when there is room.
func (c *canvas) orderQR(o *Order, box image.Rectangle) error {
	st := text.Style{Size: c.mmf(floorMM)}
	lh, _ := c.lineBox(st)
	qrBox := box
	qrBox.Max.Y -= lh
	drawn, err := c.qr(qrBox, o.OrderID, fieldPath(o.path, "order_id"))
	if err != nil {
		return err
	}
	c.fitLine(image.Rect(box.Min.X, drawn.Max.Y, box.Max.X, drawn.Max.Y+lh), o.OrderID, st, c.mmf(floorMM), alignCenter)
	return nil
}

// details draws, top to bottom in box: the COD box, the weight, the item
// summary and the note.
func (c *canvas) details(o *Order, box image.Rectangle, sizeMM float64) {
	y := box.Min.Y
	gap := c.mm(1.2)
	if o.COD != nil {
		codH := min(c.mm(11), box.Dy()/3)
		c.codBox(image.Rect(box.Min.X, y, box.Max.X, y+codH), o.COD)
		y += codH + gap
	}
	st := text.Style{Size: c.mmf(sizeMM)}
	lh, _ := c.lineBox(st)
	if o.WeightKG > 0 {
		y += c.fitLine(image.Rect(box.Min.X, y, box.Max.X, y+lh), "Weight: "+formatKG(o.WeightKG), text.Style{Size: st.Size, Bold: true}, c.mmf(floorMM), alignLeft)
	}
	noteH := 0
	if note := clean(o.Note); note != "" {
		noteH = min(2*lh, (box.Max.Y-y)/3)
	}
	y += c.items(image.Rect(box.Min.X, y, box.Max.X, box.Max.Y-noteH), o.Items, st)
	if noteH > 0 {
		c.block(image.Rect(box.Min.X, box.Max.Y-noteH, box.Max.X, box.Max.Y), st.Size, c.mmf(floorMM), []para{
			{text: "Note: " + o.Note, scale: 1, maxLines: 2},
		})
	}
}

// items lists "SKU x qty" a line for as many items as fit box, ending with
// "+N more" when not all do; with room for one line only, it counts them.
// It returns the height used.
func (c *canvas) items(box image.Rectangle, items []Item, st text.Style) int {
	lh, _ := c.lineBox(st)
	fit := box.Dy() / max(lh, 1)
	if fit <= 0 || len(items) == 0 {
		return 0
	}
	if fit == 1 && len(items) > 1 {
		units := 0
		for _, it := range items {
			units += it.Qty
		}
		return c.fitLine(box, fmt.Sprintf("%d items, %d pcs", len(items), units), st, st.Size, alignLeft)
	}
	shown := len(items)
	if shown > fit {
		shown = fit - 1
	}
	y := box.Min.Y
	for _, it := range items[:shown] {
		y += c.fitLine(image.Rect(box.Min.X, y, box.Max.X, y+lh), it.SKU+" x "+strconv.Itoa(it.Qty), st, st.Size, alignLeft)
	}
	if more := len(items) - shown; more > 0 {
		y += c.fitLine(image.Rect(box.Min.X, y, box.Max.X, y+lh), fmt.Sprintf("+%d more", more), text.Style{Size: st.Size, Bold: true}, st.Size, alignLeft)
	}
	return y - box.Min.Y
}

// codBox draws the cash-on-delivery amount white on black, as large as box
// allows: the one thing the courier must not miss.
func (c *canvas) codBox(box image.Rectangle, cod *COD) {
	if box.Dx() <= 0 || box.Dy() <= 0 {
		return
	}
	img := NewMono(box.Dx(), box.Dy())
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	pad := c.mm(1)
	s := "COD " + groupThousands(cod.Amount) + " " + cod.Currency
	st := c.shrinkToFit(s, text.Style{Size: float64(box.Dy()), Bold: true}, c.mmf(floorMM), box.Dx()-2*pad, box.Dy()-2*pad)
	s = c.ellipsize(s, st, box.Dx()-2*pad)
	w := c.fonts.Measure(s, st)
	lh, _ := c.lineBox(st)
	if t := c.raster(s, st, w); t != nil {
		x0, y0 := (img.W-t.W)/2, (img.H-lh)/2
		for y := range t.H {
			for x := range t.W {
				if t.Black(x, y) {
					img.SetBlack(x0+x, y0+y, false)
				}
			}
		}
	}
	c.bitmap(box.Min.X, box.Min.Y, img)
}

// groupThousands puts commas between thousands of a decimal amount:
// "1027.00" reads "1,027.00".
func groupThousands(amount string) string {
	whole, frac, hasFrac := strings.Cut(amount, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// formatKG prints a weight with at most three decimals and no trailing
// zeros: 4.67 kg, 3.3 kg, 12 kg.
func formatKG(kg float64) string {
	s := strconv.FormatFloat(kg, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " kg"
}

// orderASCII reports whether every string a label of o prints is
// printable ASCII, the condition for TextAuto to use the printer's font.
func orderASCII(o *Order) bool {
	strs := []string{o.OrderID, o.Platform, o.Carrier, o.Service, o.TrackingNumber, o.SortCode, o.Note,
		o.Sender.Name, o.Sender.Phone, o.Sender.Address, o.Sender.Postcode,
		o.Recipient.Name, o.Recipient.Phone, o.Recipient.Address, o.Recipient.Postcode}
	for _, it := range o.Items {
		strs = append(strs, it.SKU)
	}
	return allASCII(strs)
}

func allASCII(strs []string) bool {
	for _, s := range strs {
		if s = clean(s); s != "" && !isPrintableASCII(s) {
			return false
		}
	}
	return true
}
