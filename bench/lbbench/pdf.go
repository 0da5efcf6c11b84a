package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-pdf/fpdf"

	"github.com/labelbridge/labelbridge/label/barcode"
)

// labelPDF makes a marketplace-style PDF of shipping labels: one
// 100x150 mm page an order, with the recipient, a Code 128 tracking number
// and a QR order id drawn as vectors, as courier systems produce them.
// fpdf's core fonts are Latin only, so the orders should be ASCII.
func labelPDF(orders []json.RawMessage) ([]byte, error) {
	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	doc.SetFillColor(0, 0, 0)
	for i, raw := range orders {
		var o struct {
			OrderID   string `json:"order_id"`
			Tracking  string `json:"tracking_number"`
			Carrier   string `json:"carrier"`
			Recipient struct {
				Name    string `json:"name"`
				Address string `json:"address"`
			} `json:"recipient"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, fmt.Errorf("order %d: %w", i, err)
		}
		if o.Tracking == "" {
			o.Tracking = fmt.Sprintf("TRK%010d", i)
		}
		if o.OrderID == "" {
			o.OrderID = fmt.Sprintf("ORDER-%06d", i)
		}
		doc.AddPage()
		doc.Rect(3, 3, 94, 144, "D")
		doc.SetFont("Helvetica", "B", 16)
		doc.Text(8, 14, o.Carrier)
		modules, err := barcode.Code128(o.Tracking)
		if err != nil {
			return nil, fmt.Errorf("order %d: tracking: %w", i, err)
		}
		const module = 0.33
		for _, b := range barcode.Bars(modules) {
			doc.Rect(8+float64(b.Start)*module, 20, float64(b.End-b.Start)*module, 20, "F")
		}
		doc.SetFont("Helvetica", "", 10)
		doc.Text(8, 45, o.Tracking)
		doc.SetFont("Helvetica", "B", 12)
		doc.Text(8, 58, "TO: "+o.Recipient.Name)
		doc.SetFont("Helvetica", "", 10)
		doc.SetXY(8, 62)
		doc.MultiCell(84, 5, o.Recipient.Address, "", "L", false)
		qr, err := barcode.QR(o.OrderID, barcode.LevelM)
		if err != nil {
			return nil, fmt.Errorf("order %d: order id: %w", i, err)
		}
		const qm = 0.9
		for y := range qr.Size {
			for x := range qr.Size {
				if qr.Dark(x, y) {
					doc.Rect(8+float64(x)*qm, 100+float64(y)*qm, qm, qm, "F")
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
