// Package render turns a document into the bytes one printer takes: raw
// documents pass through unchanged; shipping labels, pick lists and images
// are laid out by package label and encoded by zpl, escpos or tspl.
package render

import (
	"context"
	"fmt"

	"github.com/labelbridge/labelbridge"
)

// Printer is what rendering needs to know of a printer.
type Printer struct {
	Name     string
	Language labelbridge.Language
	DPI      int
	Media    string // labels, e.g. "100x150mm"
	Width    string // receipts, e.g. "80mm"
	Text     string // auto | raster | native
}

// Renderer renders documents for one printer. It is safe for concurrent use.
type Renderer struct {
	Printer Printer
}

// Render returns the printer bytes of doc. Errors are *labelbridge.Error;
// a document that cannot be rendered is never partly sent.
func (r *Renderer) Render(ctx context.Context, doc *labelbridge.Document) ([]byte, error) {
	switch doc.Kind {
	case labelbridge.KindRaw:
		if doc.Language != r.Printer.Language {
			return nil, labelbridge.Errorf(labelbridge.CodeRenderFailed, "raw %s sent to %s, which speaks %s", doc.Language, r.Printer.Name, r.Printer.Language)
		}
		return doc.Content, nil
	default:
		return nil, labelbridge.Errorf(labelbridge.CodeUnsupportedKind, "%s documents are not rendered by this version", doc.Kind)
	}
}

// String names the renderer in logs.
func (r *Renderer) String() string {
	return fmt.Sprintf("%s (%s)", r.Printer.Name, r.Printer.Language)
}
