// Package render turns a document into the bytes one printer takes: raw
// documents pass through unchanged; shipping labels, pick lists and images
// are laid out by package label into pages, which zpl, escpos or tspl encode.
// The same pages give the PNG preview, so the preview is what prints.
package render

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // image documents may be JPEG
	"image/png"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/dither"
	"github.com/labelbridge/labelbridge/escpos"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/pdf"
	"github.com/labelbridge/labelbridge/tspl"
	"github.com/labelbridge/labelbridge/zpl"
)

// Printer is what rendering needs to know of a printer.
type Printer struct {
	Name     string
	Language labelbridge.Language
	DPI      int    // 203 when zero
	Media    string // labels, e.g. "100x150mm" (the default)
	Width    string // receipts, e.g. "80mm" (the default)
	Text     string // auto | raster | native
}

// MaxImagePixels bounds an image document's decoded size, so a small file
// claiming to be a huge picture cannot exhaust memory.
const MaxImagePixels = 40 << 20

// Renderer renders documents for one printer. It is safe for concurrent use.
type Renderer struct {
	Printer Printer
	Layout  *label.Layout
	// PDF rasterises pdf pages; shared by every printer's renderer.
	PDF *pdf.Rasterizer
}

// Render returns the printer bytes of doc. Errors are *labelbridge.Error;
// a document that cannot be rendered is never partly sent.
func (r *Renderer) Render(ctx context.Context, doc *labelbridge.Document) ([]byte, error) {
	if doc.Kind == labelbridge.KindRaw {
		if doc.Language != r.Printer.Language {
			return nil, labelbridge.Errorf(labelbridge.CodeRenderFailed, "raw %s sent to %s, which speaks %s", doc.Language, r.Printer.Name, r.Printer.Language)
		}
		return doc.Content, nil
	}
	pages, err := r.Pages(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for _, p := range pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := r.encode(&buf, p); err != nil {
			return nil, &labelbridge.Error{Code: labelbridge.CodeRenderFailed, Message: "encode " + string(r.Printer.Language), Err: err}
		}
	}
	return buf.Bytes(), nil
}

func (r *Renderer) encode(buf *bytes.Buffer, p *label.Page) error {
	switch r.Printer.Language {
	case labelbridge.ZPL:
		return zpl.Encode(buf, p)
	case labelbridge.TSPL:
		return tspl.Encode(buf, p)
	case labelbridge.ESCPOS:
		return escpos.Encode(buf, p)
	}
	return fmt.Errorf("unknown printer language %q", r.Printer.Language)
}

// Preview returns one PNG per page of doc, exactly as it will print.
func (r *Renderer) Preview(doc *labelbridge.Document) ([][]byte, error) {
	if doc.Kind == labelbridge.KindRaw {
		return nil, labelbridge.Errorf(labelbridge.CodeUnsupportedKind, "raw documents have no preview: labelbridge does not interpret printer commands")
	}
	pages, err := r.Pages(doc)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(pages))
	for _, p := range pages {
		var buf bytes.Buffer
		if err := png.Encode(&buf, p.Image()); err != nil {
			return nil, fmt.Errorf("preview: %w", err)
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}

func (r *Renderer) dpi() int {
	if r.Printer.DPI > 0 {
		return r.Printer.DPI
	}
	return 203
}

func (r *Renderer) options() (label.Options, error) {
	mode, err := label.ParseTextMode(r.Printer.Text)
	if err != nil {
		return label.Options{}, err
	}
	return label.Options{Text: mode, NativeText: r.Printer.Language != labelbridge.ESCPOS}, nil
}

// labelMedia is the media a shipping label or image is laid out on: the
// document's size, else the printer's; on a receipt printer a 2:3 area as
// wide as the paper.
func (r *Renderer) labelMedia(size string) (label.Media, error) {
	if r.Printer.Language == labelbridge.ESCPOS {
		m, err := label.ReceiptMedia(r.Printer.Width)
		if err != nil {
			return m, err
		}
		m.Continuous = false
		m.HeightDots = m.WidthDots * 3 / 2
		return m, nil
	}
	if size == "" {
		size = r.Printer.Media
	}
	if size == "" {
		size = "100x150mm"
	}
	return label.ParseMedia(size, r.dpi())
}

// Pages lays doc out for this printer.
func (r *Renderer) Pages(doc *labelbridge.Document) ([]*label.Page, error) {
	if r.Layout == nil {
		return nil, labelbridge.Errorf(labelbridge.CodeInternal, "no layout configured")
	}
	opt, err := r.options()
	if err != nil {
		return nil, labelbridge.Errorf(labelbridge.CodeRenderFailed, "%v", err)
	}
	fail := func(err error) error {
		if _, ok := err.(*labelbridge.Error); ok {
			return err
		}
		return &labelbridge.Error{Code: labelbridge.CodeRenderFailed, Message: err.Error()}
	}
	switch doc.Kind {
	case labelbridge.KindShippingLabel:
		o, err := label.ParseOrder(doc.Data, "data")
		if err != nil {
			return nil, err
		}
		m, err := r.labelMedia(doc.Size)
		if err != nil {
			return nil, labelbridge.Invalid("size", "%v", err)
		}
		p, err := r.Layout.ShippingLabel(o, m, opt)
		if err != nil {
			return nil, fail(err)
		}
		return []*label.Page{p}, nil
	case labelbridge.KindPickList:
		b, err := label.ParseBatch(doc.Data, "data")
		if err != nil {
			return nil, err
		}
		var m label.Media
		if r.Printer.Language == labelbridge.ESCPOS {
			m, err = label.ReceiptMedia(r.Printer.Width)
		} else {
			m, err = r.labelMedia(doc.Size)
		}
		if err != nil {
			return nil, labelbridge.Invalid("size", "%v", err)
		}
		ps, err := r.Layout.PickList(b, m, opt)
		if err != nil {
			return nil, fail(err)
		}
		return ps, nil
	case labelbridge.KindPDF:
		if r.PDF == nil {
			return nil, labelbridge.Errorf(labelbridge.CodeUnsupportedKind, "PDF documents are not available")
		}
		m, err := r.labelMedia(doc.Size)
		if err != nil {
			return nil, labelbridge.Invalid("size", "%v", err)
		}
		page := max(doc.Page, 1)
		mono, err := r.PDF.Page(context.Background(), doc.Content, page, pdf.Options{DPI: m.DPI, WidthDots: m.WidthDots, HeightDots: m.HeightDots,
			Fit: pdf.Fit(doc.Fit), Rotate: doc.Rotate})
		if err != nil {
			return nil, err
		}
		p := &label.Page{Width: m.WidthDots, Height: m.HeightDots, DPI: m.DPI, Cut: r.Printer.Language == labelbridge.ESCPOS,
			Elements: []label.Element{&label.Bitmap{Img: mono}}}
		return []*label.Page{p}, nil
	case labelbridge.KindImage:
		img, err := DecodeImage(doc.Content)
		if err != nil {
			return nil, err
		}
		m, err := r.labelMedia(doc.Size)
		if err != nil {
			return nil, labelbridge.Invalid("size", "%v", err)
		}
		b := img.Bounds()
		w, h := dither.Fit(b.Dx(), b.Dy(), m.WidthDots, m.HeightDots)
		mono := dither.Ordered(img, w, h)
		p := &label.Page{Width: m.WidthDots, Height: m.HeightDots, DPI: m.DPI, Cut: r.Printer.Language == labelbridge.ESCPOS,
			Elements: []label.Element{&label.Bitmap{X: (m.WidthDots - w) / 2, Y: (m.HeightDots - h) / 2, Img: mono}}}
		return []*label.Page{p}, nil
	}
	return nil, labelbridge.Errorf(labelbridge.CodeUnsupportedKind, "cannot render %q documents", doc.Kind)
}

// DecodeImage decodes a PNG or JPEG, refusing pictures over MaxImagePixels
// before allocating them. Errors are invalid_request naming content_base64.
func DecodeImage(data []byte) (image.Image, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, labelbridge.Invalid("content_base64", "not a PNG or JPEG image: %v", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, labelbridge.Invalid("content_base64", "%s image of %dx%d pixels; at most %d pixels", format, cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, labelbridge.Invalid("content_base64", "corrupt %s image: %v", format, err)
	}
	return img, nil
}

// Validate checks a document's data before it is accepted, so a bad order
// is refused with the path of the bad field instead of failing at print
// time. base is the document's path, e.g. "job.documents[3]".
func Validate(doc *labelbridge.Document, base string) error {
	switch doc.Kind {
	case labelbridge.KindShippingLabel:
		_, err := label.ParseOrder(doc.Data, base+".data")
		return err
	case labelbridge.KindPickList:
		_, err := label.ParseBatch(doc.Data, base+".data")
		return err
	case labelbridge.KindImage:
		if _, err := DecodeImage(doc.Content); err != nil {
			if le, ok := err.(*labelbridge.Error); ok {
				le.Path = base + "." + le.Path
			}
			return err
		}
	}
	return nil
}
