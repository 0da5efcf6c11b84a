package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/pdf"
	"github.com/labelbridge/labelbridge/render"
)

// cmdPreview renders a document offline, exactly as the daemon would for a
// printer, without a daemon or a printer.
func cmdPreview(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "preview.png", "PNG to write (pages after the first get -2, -3… before .png)")
	lang := fs.String("language", "zpl", "printer language: zpl, escpos or tspl")
	dpi := fs.Int("dpi", 203, "printer resolution")
	media := fs.String("media", "100x150mm", "label size")
	width := fs.String("width", "80mm", "receipt width (escpos)")
	text := fs.String("text", "auto", "text mode: auto, raster or native")
	rawOut := fs.String("bytes", "", "also write the printer-language bytes to this file")
	pages := fs.String("pages", "", "for a .pdf file: the pages to show, e.g. 1-3,7 (default all)")
	fit := fs.String("fit", "contain", "for a .pdf file: contain, fill or none")
	rotate := fs.String("rotate", "auto", "for a .pdf file: auto, 0, 90, 180 or 270")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: labelbridge preview [flags] DOC.json|LABELS.pdf   (a document object: {\"kind\":\"shipping_label\",\"data\":{…}}, or a PDF)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorder(args)); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
		return 1
	}
	var doc labelbridge.Document
	var wire struct {
		Ref           string           `json:"ref"`
		Kind          labelbridge.Kind `json:"kind"`
		Data          json.RawMessage  `json:"data"`
		Size          string           `json:"size"`
		ContentBase64 []byte           `json:"content_base64"`
		Pages         string           `json:"pages"`
		Fit           string           `json:"fit"`
		Rotate        json.RawMessage  `json:"rotate"`
	}
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		// A marketplace's PDF as it came: print settings from the flags.
		wire.Kind, wire.ContentBase64, wire.Pages, wire.Fit = labelbridge.KindPDF, data, *pages, *fit
		wire.Rotate, _ = json.Marshal(*rotate)
	} else if err := json.Unmarshal(data, &wire); err != nil {
		fmt.Fprintf(stderr, "labelbridge preview: %s: %v\n", fs.Arg(0), err)
		return 1
	}
	doc = labelbridge.Document{Ref: wire.Ref, Kind: wire.Kind, Data: wire.Data, Size: wire.Size, Content: wire.ContentBase64, Fit: wire.Fit}
	if len(wire.Rotate) > 0 {
		var r any
		if err := json.Unmarshal(wire.Rotate, &r); err != nil {
			fmt.Fprintf(stderr, "labelbridge preview: document.rotate: %v\n", err)
			return 1
		}
		if r != nil && r != "" {
			doc.Rotate = fmt.Sprint(r)
		}
	}
	if err := render.Validate(&doc, "document"); err != nil {
		fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
		return 1
	}
	layout, err := label.New()
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
		return 1
	}
	r := &render.Renderer{Layout: layout, Printer: render.Printer{Name: "preview", Language: labelbridge.Language(*lang), DPI: *dpi, Media: *media, Width: *width, Text: *text}}
	if !r.Printer.Language.Valid() {
		fmt.Fprintf(stderr, "labelbridge preview: --language %q: want zpl, escpos or tspl\n", *lang)
		return 2
	}
	docs := []labelbridge.Document{doc}
	if doc.Kind == labelbridge.KindPDF {
		r.PDF = &pdf.Rasterizer{CacheDir: pdfCacheDir()}
		defer r.PDF.Close()
		n, err := r.PDF.PageCount(ctx, doc.Content)
		if err != nil {
			fmt.Fprintf(stderr, "labelbridge preview: document: %v\n", err)
			return 1
		}
		nums, err := pdf.ParsePages(wire.Pages, n)
		if err != nil {
			fmt.Fprintf(stderr, "labelbridge preview: document.%v\n", err)
			return 1
		}
		docs = make([]labelbridge.Document, len(nums))
		for i, p := range nums {
			docs[i] = doc
			docs[i].Page = p
		}
	}
	var pngs [][]byte
	for i := range docs {
		p, err := r.Preview(&docs[i])
		if err != nil {
			var le *labelbridge.Error
			if errors.As(err, &le) && le.Path != "" && !strings.HasPrefix(le.Path, "document") {
				le.Path = "document." + le.Path
			}
			fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
			return 1
		}
		pngs = append(pngs, p...)
	}
	for i, p := range pngs {
		name := *out
		if i > 0 {
			name = strings.TrimSuffix(name, ".png") + fmt.Sprintf("-%d.png", i+1)
		}
		if err := os.WriteFile(name, p, 0o644); err != nil {
			fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, name)
	}
	if *rawOut != "" {
		var all []byte
		for i := range docs {
			b, err := r.Render(ctx, &docs[i])
			if err != nil {
				fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
				return 1
			}
			all = append(all, b...)
		}
		if err := os.WriteFile(*rawOut, all, 0o644); err != nil {
			fmt.Fprintf(stderr, "labelbridge preview: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, *rawOut)
	}
	return 0
}

// reorder moves flags before the positional arguments, so
// "preview DOC.json -o out.png" works as people type it. Flags named in
// boolFlags take no value.
func reorder(args []string, boolFlags ...string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			if slices.Contains(boolFlags, strings.TrimLeft(a, "-")) {
				continue
			}
			if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// pdfCacheDir is where an offline preview keeps PDFium's compiled code, so
// only the first preview of a PDF pays for compiling it; empty (compile
// every time) when the user has no cache folder.
func pdfCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "labelbridge", "pdfium")
}
