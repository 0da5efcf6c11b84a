package pdf

import (
	"fmt"
	"image"
	"math"
	"regexp"

	"github.com/klippa-app/go-pdfium/enums"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Limits on the walk through a page's objects, so a hostile PDF with deeply
// nested or countless forms costs a bounded time; past them the rest of the
// page is thresholded, which is always legible.
const (
	maxFormDepth   = 8
	maxPageObjects = 20000
)

// photoShare is the share of an image's pixels in the mid-tones above which
// it is a photograph and is dithered. Barcodes, logos and scanned text held
// as images are nearly all black or white, a few percent of anti-aliased
// edge at most; a photograph is mostly mid-tones.
const photoShare = 0.15

// photos returns the rectangles, in the device pixels m maps page points to,
// of the page's images that hold photographs. Everything else on the page —
// text, vector barcodes, and images that are black and white already — is
// thresholded so that it stays sharp. Each object looked at costs a handle
// that go-pdfium keeps until PDFium stops (see engine.handles), so pages of
// a document without images are not walked at all.
func (e *engine) photos(doc *document, p requests.Page, pageW, pageH float64, m matrix) ([]image.Rectangle, error) {
	if !doc.images {
		return nil, nil
	}
	toPage, err := e.userToPage(p, pageW, pageH)
	if err != nil {
		return nil, err
	}
	n, err := e.inst.FPDFPage_CountObjects(&requests.FPDFPage_CountObjects{Page: p})
	if err != nil {
		return nil, fmt.Errorf("count objects: %w", err)
	}
	w := photoWalk{e: e, p: p, device: m}
	defer func() { e.handles += w.seen }()
	for i := range n.Count {
		o, err := e.inst.FPDFPage_GetObject(&requests.FPDFPage_GetObject{Page: p, Index: i})
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
		if err := w.visit(o.PageObject, toPage, 0); err != nil {
			return nil, err
		}
		if w.seen >= maxPageObjects {
			break
		}
	}
	return w.found, nil
}

// photoWalk gathers the photographs of one page.
type photoWalk struct {
	e      *engine
	p      requests.Page
	device matrix // page points, top-left origin, to device pixels
	seen   int
	found  []image.Rectangle
}

// visit looks at one object whose coordinates toPage maps to page points,
// descending into forms.
func (w *photoWalk) visit(obj references.FPDF_PAGEOBJECT, toPage matrix, depth int) error {
	w.seen++
	if w.seen > maxPageObjects {
		return nil
	}
	t, err := w.e.inst.FPDFPageObj_GetType(&requests.FPDFPageObj_GetType{PageObject: obj})
	if err != nil {
		return fmt.Errorf("object type: %w", err)
	}
	switch t.Type {
	case enums.FPDF_PAGEOBJ_FORM:
		if depth >= maxFormDepth {
			return nil
		}
		fm, err := w.e.inst.FPDFPageObj_GetMatrix(&requests.FPDFPageObj_GetMatrix{PageObject: obj})
		if err != nil {
			return fmt.Errorf("form matrix: %w", err)
		}
		inner := matrix{float64(fm.Matrix.A), float64(fm.Matrix.B), float64(fm.Matrix.C), float64(fm.Matrix.D), float64(fm.Matrix.E), float64(fm.Matrix.F)}.then(toPage)
		n, err := w.e.inst.FPDFFormObj_CountObjects(&requests.FPDFFormObj_CountObjects{PageObject: obj})
		if err != nil {
			return fmt.Errorf("form objects: %w", err)
		}
		for i := range n.Count {
			o, err := w.e.inst.FPDFFormObj_GetObject(&requests.FPDFFormObj_GetObject{PageObject: obj, Index: uint64(i)})
			if err != nil {
				return fmt.Errorf("form object %d: %w", i, err)
			}
			if err := w.visit(o.PageObject, inner, depth+1); err != nil {
				return err
			}
			if w.seen >= maxPageObjects {
				return nil
			}
		}
	case enums.FPDF_PAGEOBJ_IMAGE:
		photo, err := w.e.isPhoto(w.p, obj)
		if err != nil || !photo {
			return err
		}
		b, err := w.e.inst.FPDFPageObj_GetBounds(&requests.FPDFPageObj_GetBounds{PageObject: obj})
		if err != nil {
			return fmt.Errorf("image bounds: %w", err)
		}
		r := deviceRect(toPage.then(w.device), float64(b.Left), float64(b.Bottom), float64(b.Right), float64(b.Top))
		if !r.Empty() {
			w.found = append(w.found, r)
		}
	}
	return nil
}

// isPhoto decides from an image's own pixels whether it is a photograph.
func (e *engine) isPhoto(p requests.Page, obj references.FPDF_PAGEOBJECT) (bool, error) {
	meta, err := e.inst.FPDFImageObj_GetImageMetadata(&requests.FPDFImageObj_GetImageMetadata{ImageObject: obj, Page: p})
	if err == nil && meta.ImageMetadata.BitsPerPixel == 1 {
		return false, nil // masks, CCITT and JBIG2 scans: black and white by nature
	}
	bm, err := e.inst.FPDFImageObj_GetBitmap(&requests.FPDFImageObj_GetBitmap{ImageObject: obj})
	if err != nil {
		// An image PDFium cannot decode does not print either; nothing to
		// dither.
		return false, nil
	}
	defer e.inst.FPDFBitmap_Destroy(&requests.FPDFBitmap_Destroy{Bitmap: bm.Bitmap})
	format, err := e.inst.FPDFBitmap_GetFormat(&requests.FPDFBitmap_GetFormat{Bitmap: bm.Bitmap})
	if err != nil {
		return false, fmt.Errorf("image format: %w", err)
	}
	var bpp int
	switch format.Format {
	case enums.FPDF_BITMAP_FORMAT_GRAY:
		bpp = 1
	case enums.FPDF_BITMAP_FORMAT_BGR:
		bpp = 3
	case enums.FPDF_BITMAP_FORMAT_BGRX, enums.FPDF_BITMAP_FORMAT_BGRA:
		bpp = 4
	default:
		return false, nil
	}
	width, err := e.inst.FPDFBitmap_GetWidth(&requests.FPDFBitmap_GetWidth{Bitmap: bm.Bitmap})
	if err != nil {
		return false, fmt.Errorf("image width: %w", err)
	}
	height, err := e.inst.FPDFBitmap_GetHeight(&requests.FPDFBitmap_GetHeight{Bitmap: bm.Bitmap})
	if err != nil {
		return false, fmt.Errorf("image height: %w", err)
	}
	stride, err := e.inst.FPDFBitmap_GetStride(&requests.FPDFBitmap_GetStride{Bitmap: bm.Bitmap})
	if err != nil {
		return false, fmt.Errorf("image stride: %w", err)
	}
	buf, err := e.inst.FPDFBitmap_GetBuffer(&requests.FPDFBitmap_GetBuffer{Bitmap: bm.Bitmap})
	if err != nil {
		return false, fmt.Errorf("image pixels: %w", err)
	}
	return midTones(buf.Buffer, width.Width, height.Height, stride.Stride, bpp) > photoShare, nil
}

// midTones returns the share of pixels, sampled on a grid of at most about
// 256 x 256, whose luminance is well away from both black and white.
func midTones(pix []byte, w, h, stride, bpp int) float64 {
	if w <= 0 || h <= 0 || stride < w*bpp || len(pix) < stride*(h-1)+w*bpp {
		return 0
	}
	sx, sy := max(1, w/256), max(1, h/256)
	mid, all := 0, 0
	for y := 0; y < h; y += sy {
		row := pix[y*stride:]
		for x := 0; x < w; x += sx {
			q := row[x*bpp:]
			var v int
			if bpp == 1 {
				v = int(q[0])
			} else { // BGR order
				v = (114*int(q[0]) + 587*int(q[1]) + 299*int(q[2])) / 1000
			}
			all++
			if v > 48 && v < 208 {
				mid++
			}
		}
	}
	return float64(mid) / float64(all)
}

// userToPage returns the map from the page's user space (PDF coordinates,
// origin bottom-left, before the page's /Rotate) to page points with the
// origin top-left after it, the space the rest of this package works in.
// PDFium knows the page's boxes and rotation; three points pin the map.
func (e *engine) userToPage(p requests.Page, pageW, pageH float64) (matrix, error) {
	// Device coordinates are integers: work at 1/16 point.
	const k = 16
	at := func(x, y float64) (float64, float64, error) {
		d, err := e.inst.FPDF_PageToDevice(&requests.FPDF_PageToDevice{
			Page: p, SizeX: int(math.Round(pageW * k)), SizeY: int(math.Round(pageH * k)),
			Rotate: enums.FPDF_PAGE_ROTATION_NONE, PageX: x, PageY: y,
		})
		if err != nil {
			return 0, 0, fmt.Errorf("page to device: %w", err)
		}
		return float64(d.DeviceX) / k, float64(d.DeviceY) / k, nil
	}
	const u = 100
	ox, oy, err := at(0, 0)
	if err != nil {
		return matrix{}, err
	}
	xx, xy, err := at(u, 0)
	if err != nil {
		return matrix{}, err
	}
	yx, yy, err := at(0, u)
	if err != nil {
		return matrix{}, err
	}
	return matrix{a: (xx - ox) / u, b: (xy - oy) / u, c: (yx - ox) / u, d: (yy - oy) / u, e: ox, f: oy}, nil
}

// deviceRect returns the pixels covered by the box (x0, y0)-(x1, y1) under
// m, grown to whole pixels.
func deviceRect(m matrix, x0, y0, x1, y1 float64) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, c := range [4][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		x := m.a*c[0] + m.c*c[1] + m.e
		y := m.b*c[0] + m.d*c[1] + m.f
		minX, maxX = min(minX, x), max(maxX, x)
		minY, maxY = min(minY, y), max(maxY, y)
	}
	return image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))
}

// imageXObject finds an image stream's dictionary. A stream cannot sit in
// a compressed object stream (PDF 32000-1, 7.5.7), so every image XObject's
// /Subtype is in the file as plain text; only inline images (BI … EI, in
// compressed content streams) escape it, and they are thresholded.
var imageXObject = regexp.MustCompile(`/Subtype\s*/Image\b`)

// hasImages reports whether the PDF in data holds any image XObject.
func hasImages(data []byte) bool { return imageXObject.Match(data) }
