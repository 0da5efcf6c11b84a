// Package pdf rasterizes the pages of PDF documents — the shipping labels
// marketplaces hand sellers — to 1-bit images at a printer's resolution and
// media size. It runs PDFium compiled to WebAssembly inside wazero, so the
// daemon stays one static binary without cgo.
package pdf

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"runtime/debug"
	"sync"
	"time"

	pdfium "github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/structs"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/dither"
	"github.com/labelbridge/labelbridge/label"
)

// DefaultIdle is how long a Rasterizer keeps PDFium after its last use when
// Idle is zero.
const DefaultIdle = 2 * time.Minute

// Fit says how a page's box is scaled onto the media.
type Fit string

// Fit values.
const (
	// FitContain crops the page to its content (the box around everything
	// that is not white) and scales that box, keeping its proportions, to the
	// largest size that fits the media, centred. It is the default.
	FitContain Fit = "contain"
	// FitFill stretches the whole page to the media, edge to edge.
	FitFill Fit = "fill"
	// FitNone prints the whole page at its own size, centred; what
	// overflows the media is cut off.
	FitNone Fit = "none"
)

// Options describe the media a page is rendered for.
type Options struct {
	DPI                   int // the printer's resolution, dots per inch
	WidthDots, HeightDots int // the media's printable size
	Fit                   Fit // "" means FitContain
	// Rotate turns the page clockwise before it is fitted: "0", "90",
	// "180", "270", or "auto" ("" too), which turns a landscape box by 90°
	// onto portrait media and a portrait box onto landscape media.
	Rotate string
}

// Rasterizer renders PDF pages to 1-bit images. It starts PDFium lazily on
// the first call, reuses it, and releases it once Idle passes without a
// call, so a daemon that prints no PDF holds none of PDFium's memory. Calls
// are serialized: one PDFium instance renders one page at a time. The zero
// value works; Close releases PDFium for good.
type Rasterizer struct {
	// CacheDir holds wazero's compiled PDFium between runs, so only the
	// first start ever compiles it (seconds, some hundreds of MB). Empty
	// means compile on every start.
	CacheDir string
	// Idle is how long PDFium stays loaded after the last call; zero means
	// DefaultIdle.
	Idle time.Duration

	handleLimit int // maxHandles unless set (tests)
	starts      int // PDFium starts, for tests

	mu      sync.Mutex
	engine  *engine
	timer   *time.Timer
	lastUse time.Time
	closed  bool
}

// engine is one running PDFium and the document it has open.
type engine struct {
	cache wazero.CompilationCache // nil without CacheDir
	pool  pdfium.Pool
	inst  pdfium.Pdfium
	doc   *document
	// handles counts the page objects looked at. go-pdfium's WebAssembly
	// mode keeps a handle for each until the instance closes, so a
	// long-running PDFium is restarted past maxHandles.
	handles int
}

// maxHandles bounds the page-object handles one PDFium holds: some 100
// bytes each, so at most about 10 MB, and a restart (from the compilation
// cache) every few thousand pages with images.
const maxHandles = 100_000

// document is the last PDF opened. It stays open because a multi-page job
// asks for its pages one call at a time, and parsing the file for every page
// would make a 600-page document quadratic.
type document struct {
	sum    [sha256.Size]byte
	data   []byte // as last asked for; callers do not change it
	ref    references.FPDF_DOCUMENT
	pages  int
	images bool // it holds image XObjects, which may be photographs
}

// ErrClosed is returned by calls on a closed Rasterizer.
var ErrClosed = errors.New("pdf: rasterizer closed")

// PageCount returns the number of pages of the PDF in data. A PDF that is
// corrupt, needs a password or has no pages is an invalid_request error on
// "content_base64".
func (r *Rasterizer) PageCount(ctx context.Context, data []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.touch()
	doc, err := r.open(ctx, data)
	if err != nil {
		return 0, err
	}
	return doc.pages, nil
}

// Page renders page (1-based) of the PDF in data to an image of exactly
// o.WidthDots x o.HeightDots. Grey is thresholded, not dithered: label PDFs
// hold text and barcodes, and anything darker than 60% white prints, so the
// anti-aliased edges of a thin bar widen it rather than erase it. Only the
// images that are photographs (mostly mid-tones in their own pixels) are
// dithered, with dither.Ordered's matrix. Errors
// about the document are invalid_request errors on "content_base64"; a page
// out of range is one on "pages". The document stays open for the next
// call, known by its bytes: a caller must not change data it has passed.
func (r *Rasterizer) Page(ctx context.Context, data []byte, page int, o Options) (*label.Mono, error) {
	o, err := o.normalize()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.touch()
	doc, err := r.open(ctx, data)
	if err != nil {
		return nil, err
	}
	if page < 1 || page > doc.pages {
		return nil, labelbridge.Invalid("pages", "page %d is out of range: the PDF has %d pages", page, doc.pages)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	img, err := r.engine.render(doc, page, o)
	if err != nil {
		r.resetAfter(err)
		return nil, err
	}
	return img, nil
}

// resetAfter stops PDFium after an error that is not the document's fault
// (a WebAssembly trap, PDFium out of memory), so the next call starts a
// fresh instance instead of one in an unknown state. Call with mu held.
func (r *Rasterizer) resetAfter(err error) {
	var e *labelbridge.Error
	if !errors.As(err, &e) {
		_ = r.release() // err, the cause, is what the caller reports
	}
}

// Close releases PDFium. Later calls return ErrClosed.
func (r *Rasterizer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
	return r.release()
}

// touch records a use and arms the idle timer. Call with mu held.
func (r *Rasterizer) touch() {
	if r.closed || r.engine == nil {
		return
	}
	r.lastUse = time.Now()
	if r.timer == nil {
		r.timer = time.AfterFunc(r.idle(), r.releaseIdle)
		return
	}
	r.timer.Reset(r.idle())
}

func (r *Rasterizer) idle() time.Duration {
	if r.Idle > 0 {
		return r.Idle
	}
	return DefaultIdle
}

// releaseIdle runs on the idle timer.
func (r *Rasterizer) releaseIdle() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.engine == nil {
		return
	}
	// A call may have come in between the timer firing and the lock.
	if left := r.idle() - time.Since(r.lastUse); left > 0 {
		r.timer.Reset(left)
		return
	}
	_ = r.release() // nothing to report it to; a failed close frees memory all the same
}

// release stops PDFium. Call with mu held.
func (r *Rasterizer) release() error {
	e := r.engine
	if e == nil {
		return nil
	}
	r.engine = nil
	err := e.close()
	// PDFium's WebAssembly memory is hundreds of MB of Go heap that the
	// runtime would hand back to the OS only slowly; the daemon is idle now,
	// which is the moment to pay for returning it.
	debug.FreeOSMemory()
	return err
}

// open returns the document for data, starting PDFium if needed. Call with
// mu held.
func (r *Rasterizer) open(ctx context.Context, data []byte) (*document, error) {
	if r.closed {
		return nil, ErrClosed
	}
	if len(data) == 0 {
		return nil, labelbridge.Invalid("content_base64", "the PDF is empty")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.engine != nil && r.engine.handles > cmp.Or(r.handleLimit, maxHandles) {
		if err := r.release(); err != nil {
			return nil, err
		}
	}
	if r.engine == nil {
		e, err := start(r.CacheDir)
		if err != nil {
			return nil, err
		}
		r.engine = e
		r.starts++
	}
	doc, err := r.engine.open(data)
	if err != nil {
		r.resetAfter(err)
		return nil, err
	}
	return doc, nil
}

// start compiles (or loads from the cache) and instantiates PDFium.
func start(cacheDir string) (*engine, error) {
	e := &engine{}
	// The bundled PDFium lowers setjmp/longjmp to WebAssembly exceptions.
	cfg := wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling)
	if cacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
		if err != nil {
			return nil, fmt.Errorf("pdf: compilation cache %s: %w", cacheDir, err)
		}
		e.cache = cache
		cfg = cfg.WithCompilationCache(cache)
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:       1,
		MaxIdle:       1,
		MaxTotal:      1,
		ReuseWorkers:  true,
		RuntimeConfig: cfg,
		// Documents arrive as bytes: PDFium gets no file system at all
		// (go-pdfium would mount / by default) and no console.
		FSConfig: wazero.NewFSConfig(),
		Stdout:   io.Discard,
		Stderr:   io.Discard,
	})
	if err != nil {
		e.close()
		return nil, fmt.Errorf("pdf: start pdfium: %w", err)
	}
	e.pool = pool
	inst, err := pool.GetInstance(time.Minute)
	if err != nil {
		e.close()
		return nil, fmt.Errorf("pdf: start pdfium: %w", err)
	}
	e.inst = inst
	// Compiling or loading PDFium leaves hundreds of MB of garbage; left
	// to the collector, the heap would grow to twice that before the next
	// collection, and the process would hold it all through a batch.
	debug.FreeOSMemory()
	return e, nil
}

func (e *engine) close() error {
	var errs []error
	if e.doc != nil {
		if _, err := e.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: e.doc.ref}); err != nil {
			errs = append(errs, fmt.Errorf("close document: %w", err))
		}
		e.doc = nil
	}
	if e.inst != nil {
		if err := e.inst.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close instance: %w", err))
		}
	}
	if e.pool != nil {
		if err := e.pool.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close pool: %w", err))
		}
	}
	if e.cache != nil {
		if err := e.cache.Close(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("close compilation cache: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pdf: stop pdfium: %w", err)
	}
	return nil
}

// open loads data unless it is the document already open.
func (e *engine) open(data []byte) (*document, error) {
	// The pages of one job come as the very same bytes: no need to hash a
	// megabyte a page to know it.
	if e.doc != nil && len(data) == len(e.doc.data) && &data[0] == &e.doc.data[0] {
		return e.doc, nil
	}
	sum := sha256.Sum256(data)
	if e.doc != nil && e.doc.sum == sum {
		e.doc.data = data
		return e.doc, nil
	}
	if e.doc != nil {
		if _, err := e.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: e.doc.ref}); err != nil {
			return nil, fmt.Errorf("pdf: close document: %w", err)
		}
		e.doc = nil
	}
	res, err := e.inst.FPDF_LoadMemDocument(&requests.FPDF_LoadMemDocument{Data: &data})
	switch {
	case errors.Is(err, pdfiumerrors.ErrPassword):
		return nil, labelbridge.Invalid("content_base64", "the PDF is encrypted with a password")
	case errors.Is(err, pdfiumerrors.ErrSecurity):
		return nil, labelbridge.Invalid("content_base64", "the PDF uses an unsupported encryption")
	case errors.Is(err, pdfiumerrors.ErrFormat), errors.Is(err, pdfiumerrors.ErrFile):
		return nil, labelbridge.Invalid("content_base64", "the PDF is corrupt or not a PDF")
	case err != nil:
		return nil, &labelbridge.Error{Code: labelbridge.CodeInvalidRequest, Path: "content_base64", Message: "the PDF cannot be opened", Err: err}
	}
	doc := &document{sum: sum, ref: res.Document, data: data, images: hasImages(data)}
	count, err := e.inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.ref})
	if err != nil {
		e.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.ref})
		return nil, fmt.Errorf("pdf: page count: %w", err)
	}
	if count.PageCount < 1 {
		e.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.ref})
		return nil, labelbridge.Invalid("content_base64", "the PDF has no pages")
	}
	doc.pages = count.PageCount
	e.doc = doc
	return doc, nil
}

// box is a rectangle in page points, origin top-left, y down, after the
// page's own /Rotate.
type box struct{ x, y, w, h float64 }

// Rendering flags: annotations print (labels are sometimes stamped as
// them), and PDFium renders as for a printer.
const renderFlags = enums.FPDF_RENDER_FLAG_ANNOT | enums.FPDF_RENDER_FLAG_PRINTING

// render draws page (1-based) of doc as o asks.
func (e *engine) render(doc *document, page int, o Options) (*label.Mono, error) {
	loaded, err := e.inst.FPDF_LoadPage(&requests.FPDF_LoadPage{Document: doc.ref, Index: page - 1})
	if err != nil {
		return nil, &labelbridge.Error{Code: labelbridge.CodeInvalidRequest, Path: "content_base64", Message: fmt.Sprintf("page %d cannot be read", page), Err: err}
	}
	defer e.inst.FPDF_ClosePage(&requests.FPDF_ClosePage{Page: loaded.Page})
	p := requests.Page{ByReference: &loaded.Page}
	w, err := e.inst.FPDF_GetPageWidthF(&requests.FPDF_GetPageWidthF{Page: p})
	if err != nil {
		return nil, fmt.Errorf("pdf: page %d: width: %w", page, err)
	}
	h, err := e.inst.FPDF_GetPageHeightF(&requests.FPDF_GetPageHeightF{Page: p})
	if err != nil {
		return nil, fmt.Errorf("pdf: page %d: height: %w", page, err)
	}
	b := box{0, 0, float64(w.PageWidth), float64(h.PageHeight)}
	if b.w <= 0 || b.h <= 0 {
		return nil, labelbridge.Invalid("content_base64", "page %d has no size", page)
	}
	if o.Fit == FitContain {
		if b, err = e.contentBox(p, b, o); err != nil {
			return nil, fmt.Errorf("pdf: page %d: content box: %w", page, err)
		}
	}
	m := placement(b, o)
	// A page whose images cannot be told apart still prints, all of it
	// thresholded: a legible label rather than none.
	photos, _ := e.photos(doc, p, float64(w.PageWidth), float64(h.PageHeight), m)
	gray, stride, free, err := e.draw(p, o.WidthDots, o.HeightDots, m)
	if err != nil {
		return nil, fmt.Errorf("pdf: page %d: render: %w", page, err)
	}
	defer free()
	out := threshold(gray, stride, o.WidthDots, o.HeightDots)
	if len(photos) > 0 {
		g := &image.Gray{Pix: gray, Stride: stride, Rect: image.Rect(0, 0, o.WidthDots, o.HeightDots)}
		for _, r := range photos {
			dither.OrderedInto(out, g, r)
		}
	}
	return out, nil
}

// contentDPI is the resolution the content is first looked for at:
// coarse, so that finding a label in a corner of an A4 page is cheap.
const contentDPI = 50

// contentBox returns the box around the page's non-white pixels, or the
// whole page when it is blank. It finds the box coarsely, then renders just
// that box at the scale it will print at to find its edges to the dot:
// a coarse box alone would leave a margin that shrinks the label.
func (e *engine) contentBox(p requests.Page, page box, o Options) (box, error) {
	k := contentDPI / 72.0
	w, h := int(math.Ceil(page.w*k)), int(math.Ceil(page.h*k))
	coarse, found, err := e.ink(p, page, k, w, h)
	if err != nil || !found {
		return page, err
	}
	coarse = pad(coarse, 1/k, page)
	if coarse == page {
		return page, nil
	}
	m := placement(coarse, o)
	s := math.Hypot(m.a, m.b) // dots per point along x after any turn
	w, h = int(math.Ceil(coarse.w*s)), int(math.Ceil(coarse.h*s))
	fine, found, err := e.ink(p, coarse, s, w, h)
	if err != nil || !found {
		return coarse, err
	}
	return fine, nil
}

// ink renders the part b of the page at k pixels a point onto a w x h
// bitmap and returns, in page points, the box around its non-white pixels.
func (e *engine) ink(p requests.Page, b box, k float64, w, h int) (box, bool, error) {
	w, h = max(w, 1), max(h, 1)
	gray, stride, free, err := e.draw(p, w, h, translate(-b.x, -b.y).then(scale(k, k)))
	if err != nil {
		return box{}, false, err
	}
	defer free()
	x0, y0, x1, y1 := w, h, -1, -1
	for y := range h {
		row := gray[y*stride : y*stride+w]
		for x, v := range row {
			// Faint anti-aliased edges count: they belong to the content.
			if v < 240 {
				x0, x1 = min(x0, x), max(x1, x)
				y0, y1 = min(y0, y), max(y1, y)
			}
		}
	}
	if x1 < 0 {
		return box{}, false, nil
	}
	return box{
		x: b.x + float64(x0)/k, y: b.y + float64(y0)/k,
		w: float64(x1-x0+1) / k, h: float64(y1-y0+1) / k,
	}, true, nil
}

// pad grows b by d points on every side, within the page.
func pad(b box, d float64, page box) box {
	x0, y0 := max(b.x-d, page.x), max(b.y-d, page.y)
	x1, y1 := min(b.x+b.w+d, page.x+page.w), min(b.y+b.h+d, page.y+page.h)
	return box{x: x0, y: y0, w: x1 - x0, h: y1 - y0}
}

// draw renders the page through m (page points, top-left origin, to
// device pixels) onto a white w x h grey bitmap. The pixels live in
// PDFium's memory until free is called.
func (e *engine) draw(p requests.Page, w, h int, m matrix) (pix []byte, stride int, free func(), err error) {
	bm, err := e.inst.FPDFBitmap_CreateEx(&requests.FPDFBitmap_CreateEx{
		Width: w, Height: h, Format: enums.FPDF_BITMAP_FORMAT_GRAY, Pointer: uint64(0),
	})
	if err != nil {
		return nil, 0, nil, fmt.Errorf("bitmap %dx%d: %w", w, h, err)
	}
	free = func() { e.inst.FPDFBitmap_Destroy(&requests.FPDFBitmap_Destroy{Bitmap: bm.Bitmap}) }
	fail := func(err error) ([]byte, int, func(), error) {
		free()
		return nil, 0, nil, err
	}
	if _, err := e.inst.FPDFBitmap_FillRect(&requests.FPDFBitmap_FillRect{Bitmap: bm.Bitmap, Width: w, Height: h, Color: 0xFFFFFFFF}); err != nil {
		return fail(fmt.Errorf("fill: %w", err))
	}
	_, err = e.inst.FPDF_RenderPageBitmapWithMatrix(&requests.FPDF_RenderPageBitmapWithMatrix{
		Bitmap:   bm.Bitmap,
		Page:     p,
		Matrix:   m.fs(),
		Clipping: structs.FPDF_FS_RECTF{Left: 0, Top: 0, Right: float32(w), Bottom: float32(h)},
		Flags:    renderFlags,
	})
	if err != nil {
		return fail(err)
	}
	st, err := e.inst.FPDFBitmap_GetStride(&requests.FPDFBitmap_GetStride{Bitmap: bm.Bitmap})
	if err != nil {
		return fail(fmt.Errorf("stride: %w", err))
	}
	buf, err := e.inst.FPDFBitmap_GetBuffer(&requests.FPDFBitmap_GetBuffer{Bitmap: bm.Bitmap})
	if err != nil {
		return fail(fmt.Errorf("buffer: %w", err))
	}
	if st.Stride < w || len(buf.Buffer) < st.Stride*h {
		return fail(fmt.Errorf("bitmap %dx%d: %d bytes with stride %d", w, h, len(buf.Buffer), st.Stride))
	}
	return buf.Buffer, st.Stride, free, nil
}

// blackBelow is the grey level under which a pixel prints: 60% of white.
// Anti-aliasing greys the edges of bars and glyph stems; printing those
// greys keeps a bar at least as wide as it was drawn, where a 50% cut would
// round half of the thin bars down a dot.
const blackBelow = 153

// inkBelow is the grey level under which a pixel is part of something drawn
// rather than paper.
const inkBelow = 240

// threshold turns PDFium's grey pixels into printed dots. A line thinner
// than a dot lands on the bitmap as a run of one or two light grey pixels
// that the cut at blackBelow would erase; such a run prints its darkest
// pixel instead, across rows for vertical lines and down columns for
// horizontal ones, so no bar or rule drawn in the PDF is lost. Runs of
// three or more pixels are areas (tints, photos) and are only cut.
func threshold(gray []byte, stride, w, h int) *label.Mono {
	m := label.NewMono(w, h)
	// Down each column: the current run of ink pixels.
	type run struct {
		n, dark int // length, row of the darkest pixel
		darkV   byte
		black   bool
	}
	cols := make([]run, w)
	endCol := func(x int) {
		if c := &cols[x]; c.n > 0 && c.n <= 2 && !c.black {
			m.SetBlack(x, c.dark, true)
		}
		cols[x] = run{}
	}
	for y := range h {
		src := gray[y*stride : y*stride+w]
		dst := m.Pix[y*m.Stride : (y+1)*m.Stride]
		var r run // along this row
		endRow := func() {
			if r.n > 0 && r.n <= 2 && !r.black {
				dst[r.dark/8] |= 0x80 >> uint(r.dark%8)
			}
			r = run{}
		}
		for x, v := range src {
			if v >= inkBelow {
				endRow()
				endCol(x)
				continue
			}
			black := v < blackBelow
			if black {
				dst[x/8] |= 0x80 >> uint(x%8)
			}
			if r.n == 0 || v < r.darkV {
				r.dark, r.darkV = x, v
			}
			r.n++
			r.black = r.black || black
			c := &cols[x]
			if c.n == 0 || v < c.darkV {
				c.dark, c.darkV = y, v
			}
			c.n++
			c.black = c.black || black
		}
		endRow()
	}
	for x := range w {
		endCol(x)
	}
	return m
}

// matrix is an affine transform: x' = a*x + c*y + e, y' = b*x + d*y + f.
type matrix struct{ a, b, c, d, e, f float64 }

func scale(sx, sy float64) matrix     { return matrix{a: sx, d: sy} }
func translate(tx, ty float64) matrix { return matrix{a: 1, d: 1, e: tx, f: ty} }
func (m matrix) fs() structs.FPDF_FS_MATRIX {
	return structs.FPDF_FS_MATRIX{A: float32(m.a), B: float32(m.b), C: float32(m.c), D: float32(m.d), E: float32(m.e), F: float32(m.f)}
}

// then returns the transform that applies m, then n.
func (m matrix) then(n matrix) matrix {
	return matrix{
		a: n.a*m.a + n.c*m.b, b: n.b*m.a + n.d*m.b,
		c: n.a*m.c + n.c*m.d, d: n.b*m.c + n.d*m.d,
		e: n.a*m.e + n.c*m.f + n.e, f: n.b*m.e + n.d*m.f + n.f,
	}
}

// turn returns the clockwise rotation by quarter turns of a w x h box whose
// corner is at the origin, landing the turned box's corner at the origin.
func turn(quarters int, w, h float64) matrix {
	switch quarters % 4 {
	case 1: // (x, y) → (h-y, x)
		return matrix{b: 1, c: -1, e: h}
	case 2:
		return matrix{a: -1, d: -1, e: w, f: h}
	case 3: // (x, y) → (y, w-x)
		return matrix{b: -1, c: 1, f: w}
	}
	return matrix{a: 1, d: 1}
}

// placement maps box b of the page onto the media as o says.
func placement(b box, o Options) matrix {
	q := o.quarters(b)
	m := translate(-b.x, -b.y).then(turn(q, b.w, b.h))
	w, h := b.w, b.h
	if q%2 == 1 {
		w, h = h, w
	}
	mw, mh := float64(o.WidthDots), float64(o.HeightDots)
	var sx, sy float64
	switch o.Fit {
	case FitFill:
		sx, sy = mw/w, mh/h
	case FitNone:
		sx = float64(o.DPI) / 72
		sy = sx
	default:
		sx = min(mw/w, mh/h)
		sy = sx
	}
	return m.then(scale(sx, sy)).then(translate((mw-w*sx)/2, (mh-h*sy)/2))
}

// quarters returns the clockwise quarter turns o asks for the box b.
func (o Options) quarters(b box) int {
	switch o.Rotate {
	case "90":
		return 1
	case "180":
		return 2
	case "270":
		return 3
	case "auto":
		portraitMedia := o.HeightDots > o.WidthDots
		landscapeMedia := o.WidthDots > o.HeightDots
		if (portraitMedia && b.w > b.h) || (landscapeMedia && b.h > b.w) {
			return 1
		}
	}
	return 0
}

// normalize fills defaults and checks o.
func (o Options) normalize() (Options, error) {
	if o.DPI <= 0 || o.WidthDots <= 0 || o.HeightDots <= 0 {
		return o, fmt.Errorf("pdf: media %dx%d dots at %d dpi", o.WidthDots, o.HeightDots, o.DPI)
	}
	switch o.Fit {
	case "":
		o.Fit = FitContain
	case FitContain, FitFill, FitNone:
	default:
		return o, labelbridge.Invalid("fit", "%q is not contain, fill or none", string(o.Fit))
	}
	switch o.Rotate {
	case "":
		o.Rotate = "auto"
	case "auto", "0", "90", "180", "270":
	default:
		return o, labelbridge.Invalid("rotate", "%q is not auto, 0, 90, 180 or 270", o.Rotate)
	}
	return o, nil
}
