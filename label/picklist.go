package label

import (
	"errors"
	"fmt"
	"image"
	"sort"
	"strconv"

	"github.com/labelbridge/labelbridge/label/text"
)

// PickLine is one line of a pick list: all the units of one SKU to take
// from one bin location, over every order of the batch.
type PickLine struct {
	Location string
	SKU      string
	Name     string // of the first order line seen
	Variant  string
	Qty      int // units over the batch
	Orders   int // orders that want some
}

// PickLines aggregates the items of b's orders by (location, SKU) and sorts
// the lines by location, then SKU, the order a picker walks the aisles in.
// Items without a location come last.
func PickLines(b *Batch) []PickLine {
	type key struct{ loc, sku string }
	index := map[key]int{}
	var lines []PickLine
	var lastOrder []int // per line, 1 + the last order counted in Orders
	for oi, o := range b.Orders {
		for _, it := range o.Items {
			k := key{it.Location, it.SKU}
			i, ok := index[k]
			if !ok {
				i = len(lines)
				index[k] = i
				lines = append(lines, PickLine{Location: it.Location, SKU: it.SKU, Name: it.Name, Variant: it.Variant})
				lastOrder = append(lastOrder, 0)
			}
			lines[i].Qty += it.Qty
			// An order that lists one SKU at one location twice still
			// counts once.
			if lastOrder[i] != oi+1 {
				lastOrder[i] = oi + 1
				lines[i].Orders++
			}
		}
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if (a.Location == "") != (b.Location == "") {
			return b.Location == ""
		}
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		return a.SKU < b.SKU
	})
	return lines
}

// Pick list type sizes in millimetres of em.
const (
	pickBodyMM  = 3.0
	pickTitleMM = 5.0
	pickBarMM   = 10.0
)

// PickList lays out b's pick lines. On continuous (receipt) media it
// returns one page as long as the list, cut after; on labels, as many pages
// as the list needs, numbered "1/3", "2/3", "3/3". The first page carries
// the batch id as a Code 128 barcode and the totals; the last ends with
// them.
func (l *Layout) PickList(b *Batch, m Media, opt Options) ([]*Page, error) {
	if b == nil {
		return nil, errors.New("pick list: no batch")
	}
	if m.WidthDots <= 0 || m.DPI <= 0 || (!m.Continuous && m.HeightDots <= 0) {
		return nil, fmt.Errorf("pick list: media %dx%d dots at %d dpi", m.WidthDots, m.HeightDots, m.DPI)
	}
	lines := PickLines(b)
	items := 0
	for _, pl := range lines {
		items += pl.Qty
	}
	ascii := pickASCII(b, lines)
	// Bands (title, rows, footer) are laid out on a canvas without a
	// bottom, then moved into place on their page.
	newBand := func() *canvas { return l.newCanvas(m.WidthDots, 1<<24, m.DPI, opt, ascii) }
	s := newBand()
	margin := s.mm(2)
	if m.Continuous {
		margin = s.mm(1)
	}
	x0, x1 := margin, m.WidthDots-margin

	barcode, err := pickBarcode(newBand(), b, x0, x1)
	if err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("%d orders | %d items | %d lines", len(b.Orders), items, len(lines))
	cols := pickColumns(s, lines, x1-x0)
	head := tableHead(newBand(), cols, x0)
	rows := make([]*band, len(lines))
	for i, pl := range lines {
		rows[i] = pickRow(newBand(), cols, x0, pl)
	}
	footer := textStrip(newBand(), x0, x1, fmt.Sprintf("TOTAL %d items, %d orders", items, len(b.Orders)), true)

	if m.Continuous {
		title := pickTitle(newBand(), x0, x1, b.BatchID, summary, "")
		parts := append([]*band{title, barcode, head}, rows...)
		parts = append(parts, footer)
		h := margin
		for _, p := range parts {
			h += p.h
		}
		h += s.mm(3)
		pg := l.newCanvas(m.WidthDots, h, m.DPI, opt, ascii)
		pg.page.Cut = true
		y := margin
		for _, p := range parts {
			y = pg.place(p, y)
		}
		return []*Page{pg.page}, nil
	}

	// Paginate with headers measured for the widest page number, then
	// draw each page's header with its own.
	pageH := m.HeightDots - 2*margin
	first := pickTitle(newBand(), x0, x1, b.BatchID, summary, "999/999")
	later := pageHeader(newBand(), x0, x1, "PICK LIST "+b.BatchID, "999/999")
	tallest := footer.h
	for _, r := range rows {
		tallest = max(tallest, r.h)
	}
	if need := max(first.h+barcode.h, later.h) + head.h + tallest; need > pageH {
		return nil, fmt.Errorf("pick list: a %dx%d-dot label is too short for a page of one line (%d dots)", m.WidthDots, m.HeightDots, need+2*margin)
	}
	var pages [][]*band
	var cur []*band
	room := pageH - first.h - barcode.h - head.h
	for _, r := range rows {
		if r.h > room && len(cur) > 0 {
			pages = append(pages, cur)
			cur = nil
			room = pageH - later.h - head.h
		}
		cur = append(cur, r)
		room -= r.h
	}
	if footer.h > room && len(cur) > 0 {
		pages = append(pages, cur)
		cur = nil
	}
	pages = append(pages, cur)

	out := make([]*Page, len(pages))
	for i, rs := range pages {
		num := fmt.Sprintf("%d/%d", i+1, len(pages))
		pg := l.newCanvas(m.WidthDots, m.HeightDots, m.DPI, opt, ascii)
		y := margin
		if i == 0 {
			y = pg.place(pickTitle(newBand(), x0, x1, b.BatchID, summary, num), y)
			y = pg.place(barcode, y)
		} else {
			y = pg.place(pageHeader(newBand(), x0, x1, "PICK LIST "+b.BatchID, num), y)
		}
		if len(rs) > 0 || i == 0 {
			y = pg.place(head, y)
		}
		for _, r := range rs {
			y = pg.place(r, y)
		}
		if i == len(pages)-1 {
			pg.place(footer, y)
		}
		out[i] = pg.page
	}
	return out, nil
}

// band is a laid-out band of a page: elements relative to its top, and
// its height.
type band struct {
	elems []Element
	h     int
}

func (c *canvas) band(h int) *band { return &band{elems: c.page.Elements, h: h} }

// place copies s's elements onto the page with s's top at y and returns
// the y below s. Elements are copied, since one strip (the table head, the
// barcode) may go on several pages.
func (c *canvas) place(s *band, y int) int {
	for _, e := range s.elems {
		switch e := e.(type) {
		case *Rect:
			r := *e
			r.Y += y
			c.page.Elements = append(c.page.Elements, &r)
		case *Bitmap:
			b := *e
			b.Y += y
			c.page.Elements = append(c.page.Elements, &b)
		case *Text:
			t := *e
			t.Y += y
			c.page.Elements = append(c.page.Elements, &t)
		}
	}
	return y + s.h
}

// pickCols are the pick list's column positions relative to the left
// margin. Narrow pages (58 mm receipts) stack the name under location and
// SKU instead of giving it a column.
type pickCols struct {
	narrow               bool
	loc, sku, name, qty  int // x of each column
	locW, skuW, nameW, w int
	body                 text.Style
	gap                  int
}

func pickColumns(c *canvas, lines []PickLine, w int) pickCols {
	body := text.Style{Size: c.mmf(pickBodyMM)}
	bold := text.Style{Size: body.Size, Bold: true}
	gap := c.mm(1.5)
	locW := c.fonts.Measure("LOC", bold)
	skuW := c.fonts.Measure("SKU", bold)
	qtyW := c.fonts.Measure("QTY", bold)
	for _, l := range lines {
		locW = max(locW, c.fonts.Measure(clean(l.Location), bold))
		skuW = max(skuW, c.fonts.Measure(clean(l.SKU), body))
		qtyW = max(qtyW, c.fonts.Measure(strconv.Itoa(l.Qty), bold))
	}
	locW = min(locW, w*22/100)
	skuW = min(skuW, w*30/100)
	qtyW = min(qtyW, w*15/100)
	cols := pickCols{locW: locW, skuW: skuW, w: w, body: body, gap: gap}
	cols.sku = locW + gap
	cols.qty = w - qtyW
	cols.name = cols.sku + skuW + gap
	cols.nameW = cols.qty - gap - cols.name
	if cols.nameW < w*30/100 {
		// Name on its own line under location and SKU.
		cols.narrow = true
		cols.skuW = cols.qty - gap - cols.sku
		cols.name = c.mm(3)
		cols.nameW = w - cols.name
	}
	return cols
}

func tableHead(c *canvas, cols pickCols, x0 int) *band {
	bold := text.Style{Size: cols.body.Size, Bold: true}
	lh, _ := c.lineBox(bold)
	c.fitLine(image.Rect(x0, 0, x0+cols.locW, lh), "LOC", bold, bold.Size, alignLeft)
	c.fitLine(image.Rect(x0+cols.sku, 0, x0+cols.sku+cols.skuW, lh), "SKU", bold, bold.Size, alignLeft)
	if !cols.narrow {
		c.fitLine(image.Rect(x0+cols.name, 0, x0+cols.name+cols.nameW, lh), "ITEM", bold, bold.Size, alignLeft)
	}
	c.fitLine(image.Rect(x0+cols.qty, 0, x0+cols.w, lh), "QTY", bold, bold.Size, alignRight)
	rule := max(2, c.mm(0.4))
	c.rect(image.Rect(x0, lh+c.mm(0.5), x0+cols.w, lh+c.mm(0.5)+rule))
	return c.band(lh + c.mm(0.5) + rule + c.mm(1))
}

// pickRow lays out one pick line: location and quantity in bold, SKU, and
// the name with its variant on up to two lines, then a hairline.
func pickRow(c *canvas, cols pickCols, x0 int, pl PickLine) *band {
	body := cols.body
	bold := text.Style{Size: body.Size, Bold: true}
	big := text.Style{Size: body.Size * 1.2, Bold: true}
	floor := c.mmf(floorMM)
	lh, _ := c.lineBox(body)
	bh, _ := c.lineBox(big)
	name := clean(pl.Name)
	if v := clean(pl.Variant); v != "" {
		if name != "" {
			name += " "
		}
		name += "(" + v + ")"
	}
	h := 0
	h = max(h, c.fitLine(image.Rect(x0, 0, x0+cols.locW, lh), pl.Location, bold, floor, alignLeft))
	h = max(h, c.fitLine(image.Rect(x0+cols.sku, 0, x0+cols.sku+cols.skuW, lh), pl.SKU, body, floor, alignLeft))
	h = max(h, c.fitLine(image.Rect(x0+cols.qty, 0, x0+cols.w, bh), strconv.Itoa(pl.Qty), big, floor, alignRight))
	// Names keep the body size, so the column reads evenly; a name too
	// long for two lines is cut short instead.
	if cols.narrow {
		size := body.Size * 0.9
		h += c.block(image.Rect(x0+cols.name, h, x0+cols.name+cols.nameW, h+3*lh), size, size, []para{{text: name, scale: 1, maxLines: 2}})
	} else {
		h = max(h, c.block(image.Rect(x0+cols.name, 0, x0+cols.name+cols.nameW, 3*lh), body.Size, body.Size, []para{{text: name, scale: 1, maxLines: 2}}))
	}
	h += c.mm(0.6)
	hair := max(1, c.mm(0.15))
	c.rect(image.Rect(x0, h, x0+cols.w, h+hair))
	return c.band(h + hair + c.mm(0.8))
}

// pickBarcode lays out the batch id as a Code 128 symbol with its
// human-readable line.
func pickBarcode(c *canvas, b *Batch, x0, x1 int) (*band, error) {
	barH := c.mm(pickBarMM)
	if err := c.code128(image.Rect(0, 0, c.page.Width, barH), b.BatchID, fieldPath(b.path, "batch_id")); err != nil {
		return nil, err
	}
	y := barH + c.mm(0.5)
	st := text.Style{Size: c.mmf(pickBodyMM), Bold: true}
	lh, _ := c.lineBox(st)
	y += c.fitLine(image.Rect(x0, y, x1, y+lh), b.BatchID, st, c.mmf(floorMM), alignCenter)
	return c.band(y + c.mm(2)), nil
}

// pickTitle lays out the first page's title, batch id and totals, with the
// page number at the right when num is set.
func pickTitle(c *canvas, x0, x1 int, batchID, summary, num string) *band {
	title := text.Style{Size: c.mmf(pickTitleMM), Bold: true}
	th, _ := c.lineBox(title)
	right := x1
	if num != "" {
		nw := c.fonts.Measure(num, title)
		c.fitLine(image.Rect(x1-nw, 0, x1, th), num, title, title.Size, alignRight)
		right = x1 - nw - c.mm(2)
	}
	y := c.fitLine(image.Rect(x0, 0, right, th), "PICK LIST", title, c.mmf(floorMM), alignLeft)
	y += c.block(image.Rect(x0, y, x1, y+th*3), c.mmf(pickBodyMM), c.mmf(floorMM), []para{
		{text: "Batch " + batchID, scale: 1.15, bold: true, maxLines: 1},
		{text: summary, scale: 1, maxLines: 1},
	})
	return c.band(y + c.mm(1.5))
}

// pageHeader lays out a later page's header: title left, number right.
func pageHeader(c *canvas, x0, x1 int, title, num string) *band {
	st := text.Style{Size: c.mmf(pickBodyMM) * 1.15, Bold: true}
	lh, _ := c.lineBox(st)
	nw := c.fonts.Measure(num, st)
	c.fitLine(image.Rect(x1-nw, 0, x1, lh), num, st, st.Size, alignRight)
	c.fitLine(image.Rect(x0, 0, x1-nw-c.mm(2), lh), title, st, c.mmf(floorMM), alignLeft)
	return c.band(lh + c.mm(1.5))
}

// textStrip lays out one line of text across the page after a rule.
func textStrip(c *canvas, x0, x1 int, s string, bold bool) *band {
	st := text.Style{Size: c.mmf(pickBodyMM) * 1.15, Bold: bold}
	lh, _ := c.lineBox(st)
	y := c.mm(1)
	y += c.fitLine(image.Rect(x0, y, x1, y+lh), s, st, c.mmf(floorMM), alignLeft)
	return c.band(y + c.mm(1))
}

func pickASCII(b *Batch, lines []PickLine) bool {
	strs := []string{b.BatchID}
	for _, l := range lines {
		strs = append(strs, l.Location, l.SKU, l.Name, l.Variant)
	}
	return allASCII(strs)
}
