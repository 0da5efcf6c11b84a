package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/label/barcode"
)

// shared is the one Rasterizer the tests use: starting PDFium is the
// expensive part, and its compilation cache lives for the test binary.
var shared *Rasterizer

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pdf-test-cache")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = &Rasterizer{CacheDir: dir}
	code := m.Run()
	shared.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	tracking = "1Z999AA10123456784"
	orderID  = "576638327381857515"
)

// labelSpec places a shipping label on a PDF page: a frame around the
// label, a Code 128 tracking number and a QR order id. Sizes are in mm.
type labelSpec struct {
	pageW, pageH float64 // the page
	x, y, w, h   float64 // the label on it
	tracking     string
	orderID      string
}

// drawLabel draws the label of s on the current page. Bars are fpdf
// rectangles from the package barcode's module patterns.
func drawLabel(tb testing.TB, pdf *fpdf.Fpdf, s labelSpec) {
	tb.Helper()
	const frame = 0.6
	pdf.SetFillColor(0, 0, 0)
	pdf.Rect(s.x, s.y, s.w, frame, "F")
	pdf.Rect(s.x, s.y+s.h-frame, s.w, frame, "F")
	pdf.Rect(s.x, s.y, frame, s.h, "F")
	pdf.Rect(s.x+s.w-frame, s.y, frame, s.h, "F")

	// A landscape label lays its codes side by side.
	landscape := s.w > s.h
	modules, err := barcode.Code128(s.tracking)
	if err != nil {
		tb.Fatal(err)
	}
	// 0.33 mm modules: 2.6 dots at 203 dpi, 3.9 at 300, so bar edges fall
	// between dots and thresholding decides them.
	const module = 0.33
	bx, by, bh := s.x+6, s.y+10, 22.0
	for _, b := range barcode.Bars(modules) {
		pdf.Rect(bx+float64(b.Start)*module, by, float64(b.End-b.Start)*module, bh, "F")
	}
	qr, err := barcode.QR(s.orderID, barcode.LevelM)
	if err != nil {
		tb.Fatal(err)
	}
	const qrModule = 0.9
	qx, qy := s.x+10, by+bh+12
	if landscape {
		qx, qy = s.x+s.w-10-float64(qr.Size)*qrModule, s.y+s.h-10-float64(qr.Size)*qrModule
	}
	for y := range qr.Size {
		for x := range qr.Size {
			if qr.Dark(x, y) {
				pdf.Rect(qx+float64(x)*qrModule, qy+float64(y)*qrModule, qrModule, qrModule, "F")
			}
		}
	}
	pdf.SetFont("Helvetica", "B", 14)
	pdf.Text(s.x+6, s.y+s.h-6, "SHIP TO: J. Doe")
}

// makePDF returns a PDF with one page per spec.
func makePDF(tb testing.TB, specs ...labelSpec) []byte {
	tb.Helper()
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: specs[0].pageW, Ht: specs[0].pageH}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	for _, s := range specs {
		pdf.AddPageFormat("P", fpdf.SizeType{Wd: s.pageW, Ht: s.pageH})
		drawLabel(tb, pdf, s)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func pageLabel(w, h float64) labelSpec {
	return labelSpec{pageW: w, pageH: h, w: w, h: h, tracking: tracking, orderID: orderID}
}

// decode reads the tracking number and order id back from img, with a
// fresh binarisation for each reader.
func decode(tb testing.TB, img *label.Mono) (code128, qr string, err error) {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := oned.NewCode128Reader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", "", fmt.Errorf("code 128: %w", err)
	}
	code128 = res.GetText()
	if bmp, err = gozxing.NewBinaryBitmapFromImage(img); err != nil {
		tb.Fatal(err)
	}
	res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return code128, "", fmt.Errorf("qr: %w", err)
	}
	return code128, res.GetText(), nil
}

// inkBox returns the box around the black pixels of m.
func inkBox(m *label.Mono) (x0, y0, x1, y1 int) {
	x0, y0, x1, y1 = m.W, m.H, -1, -1
	for y := range m.H {
		for x := range m.W {
			if m.Black(x, y) {
				x0, x1 = min(x0, x), max(x1, x)
				y0, y1 = min(y0, y), max(y1, y)
			}
		}
	}
	return x0, y0, x1 + 1, y1 + 1
}

// media is a 4x6 in label at dpi.
func media(dpi int) Options {
	return Options{DPI: dpi, WidthDots: 4 * dpi, HeightDots: 6 * dpi}
}

func TestPageDecodesAndFills(t *testing.T) {
	a4Corner := labelSpec{pageW: 210, pageH: 297, x: 8, y: 8, w: 100, h: 150, tracking: tracking, orderID: orderID}
	tests := []struct {
		name string
		spec labelSpec
		fit  Fit
		// labelW, labelH: the label's size in mm as it lands on the media,
		// turned if the page is turned; the ink must fill the media as
		// much as that shape allows, centred (contain, fill), or sit at
		// its own size (none).
		labelW, labelH float64
	}{
		{"A6", pageLabel(105, 148), FitContain, 105, 148},
		{"100x150mm", pageLabel(100, 150), FitContain, 100, 150},
		{"4x6in", pageLabel(101.6, 152.4), FitContain, 101.6, 152.4},
		{"A4LabelInCorner", a4Corner, FitContain, 100, 150},
		{"Landscape", pageLabel(150, 100), FitContain, 100, 150},
		{"A6Fill", pageLabel(105, 148), FitFill, 101.6, 152.4},
		{"A4LabelInCornerNone", labelSpec{pageW: 105, pageH: 148, x: 2, y: 2, w: 90, h: 140, tracking: tracking, orderID: orderID}, FitNone, 90, 140},
	}
	for _, tt := range tests {
		data := makePDF(t, tt.spec)
		for _, dpi := range []int{203, 300} {
			t.Run(fmt.Sprintf("%s/%ddpi", tt.name, dpi), func(t *testing.T) {
				o := media(dpi)
				o.Fit = tt.fit
				img, err := shared.Page(context.Background(), data, 1, o)
				if err != nil {
					t.Fatal(err)
				}
				if img.W != o.WidthDots || img.H != o.HeightDots {
					t.Fatalf("image is %dx%d, want the media's %dx%d", img.W, img.H, o.WidthDots, o.HeightDots)
				}
				c, q, err := decode(t, img)
				if err != nil || c != tracking || q != orderID {
					t.Errorf("decodes to %q and %q (error %v), want %q and %q", c, q, err, tracking, orderID)
				}
				var wantW, wantH float64
				switch tt.fit {
				case FitNone:
					wantW, wantH = tt.labelW/25.4*float64(dpi), tt.labelH/25.4*float64(dpi)
				case FitFill:
					wantW, wantH = float64(o.WidthDots), float64(o.HeightDots)
				default:
					s := min(float64(o.WidthDots)/tt.labelW, float64(o.HeightDots)/tt.labelH)
					wantW, wantH = tt.labelW*s, tt.labelH*s
				}
				x0, y0, x1, y1 := inkBox(img)
				wantX0, wantY0 := (float64(o.WidthDots)-wantW)/2, (float64(o.HeightDots)-wantH)/2
				if tt.fit == FitNone {
					// The page is centred, the label sits at its place on it.
					pageW, pageH := tt.spec.pageW/25.4*float64(dpi), tt.spec.pageH/25.4*float64(dpi)
					wantX0 = (float64(o.WidthDots)-pageW)/2 + tt.spec.x/25.4*float64(dpi)
					wantY0 = (float64(o.HeightDots)-pageH)/2 + tt.spec.y/25.4*float64(dpi)
				}
				const slack = 3 // dots: content-box padding and rounding
				if abs(float64(x0)-wantX0) > slack || abs(float64(y0)-wantY0) > slack ||
					abs(float64(x1-x0)-wantW) > slack || abs(float64(y1-y0)-wantH) > slack {
					t.Errorf("ink covers %dx%d at %d,%d; want %.0fx%.0f at %.0f,%.0f", x1-x0, y1-y0, x0, y0, wantW, wantH, wantX0, wantY0)
				}
			})
		}
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// TestRotate checks the quarter turns on a page whose ink is only in its
// top-left corner.
func TestRotate(t *testing.T) {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	pdf.AddPage()
	pdf.SetFillColor(0, 0, 0)
	pdf.Rect(0, 0, 20, 20, "F")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rotate string
		// corner the square lands in: 0 top-left, 1 top-right,
		// 2 bottom-right, 3 bottom-left
		corner int
	}{{"auto", 0}, {"0", 0}, {"90", 1}, {"180", 2}, {"270", 3}}
	for _, tt := range tests {
		t.Run(tt.rotate, func(t *testing.T) {
			o := Options{DPI: 203, WidthDots: 400, HeightDots: 400, Fit: FitFill, Rotate: tt.rotate}
			img, err := shared.Page(context.Background(), buf.Bytes(), 1, o)
			if err != nil {
				t.Fatal(err)
			}
			corners := [4][2]int{{5, 5}, {394, 5}, {394, 394}, {5, 394}}
			for i, c := range corners {
				if got, want := img.Black(c[0], c[1]), i == tt.corner; got != want {
					t.Errorf("corner %d black = %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestPageCount(t *testing.T) {
	data := makePDF(t, pageLabel(100, 150), pageLabel(100, 150), pageLabel(150, 100))
	got, err := shared.PageCount(context.Background(), data)
	if err != nil || got != 3 {
		t.Errorf("PageCount = %d, %v; want 3, nil", got, err)
	}
}

// emptyPDF is a well-formed PDF whose page tree has no pages.
func emptyPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
	}
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func encryptedPDF(tb testing.TB, user string) []byte {
	tb.Helper()
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	pdf.SetProtection(fpdf.CnProtectPrint, user, "owner-secret")
	pdf.AddPage()
	drawLabel(tb, pdf, pageLabel(100, 150))
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestPageErrors(t *testing.T) {
	good := makePDF(t, pageLabel(100, 150), pageLabel(100, 150))
	tests := []struct {
		name     string
		data     []byte
		page     int
		o        Options
		wantPath string
		wantMsg  string
	}{
		{"ErrEmptyData", nil, 1, media(203), "content_base64", "the PDF is empty"},
		{"ErrNotPDF", []byte("hello, this is not a PDF"), 1, media(203), "content_base64", "the PDF is corrupt or not a PDF"},
		{"ErrTruncated", good[:len(good)/3], 1, media(203), "content_base64", "the PDF is corrupt or not a PDF"},
		{"ErrPassword", encryptedPDF(t, "user-secret"), 1, media(203), "content_base64", "the PDF is encrypted with a password"},
		{"ErrNoPages", emptyPDF(), 1, media(203), "content_base64", "the PDF has no pages"},
		{"ErrPageZero", good, 0, media(203), "pages", "page 0 is out of range: the PDF has 2 pages"},
		{"ErrPagePastEnd", good, 3, media(203), "pages", "page 3 is out of range: the PDF has 2 pages"},
		{"ErrFit", good, 1, Options{DPI: 203, WidthDots: 812, HeightDots: 1218, Fit: "cover"}, "fit", `"cover" is not contain, fill or none`},
		{"ErrRotate", good, 1, Options{DPI: 203, WidthDots: 812, HeightDots: 1218, Rotate: "45"}, "rotate", `"45" is not auto, 0, 90, 180 or 270`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shared.Page(context.Background(), tt.data, tt.page, tt.o)
			var e *labelbridge.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *labelbridge.Error", err)
			}
			if e.Code != labelbridge.CodeInvalidRequest || e.Path != tt.wantPath || e.Message != tt.wantMsg {
				t.Errorf("error = %s %s %q, want invalid_request %s %q", e.Code, e.Path, e.Message, tt.wantPath, tt.wantMsg)
			}
		})
	}
	// A bad document leaves the rasterizer working.
	if _, err := shared.Page(context.Background(), good, 2, media(203)); err != nil {
		t.Errorf("good PDF after bad ones: %v", err)
	}
}

// TestOwnerPasswordOnly: a PDF encrypted without a user password opens
// for anyone, as in any viewer.
func TestOwnerPasswordOnly(t *testing.T) {
	img, err := shared.Page(context.Background(), encryptedPDF(t, ""), 1, media(203))
	if err != nil {
		t.Fatal(err)
	}
	if c, q, err := decode(t, img); err != nil || c != tracking || q != orderID {
		t.Errorf("decodes to %q and %q (error %v), want %q and %q", c, q, err, tracking, orderID)
	}
}

func TestIdleRelease(t *testing.T) {
	r := &Rasterizer{CacheDir: shared.CacheDir, Idle: 50 * time.Millisecond}
	defer r.Close()
	data := makePDF(t, pageLabel(100, 150))
	ctx := context.Background()
	if _, err := r.PageCount(ctx, data); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for r.running() {
		if time.Now().After(deadline) {
			t.Fatal("PDFium still loaded 5 s after a 50 ms idle time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := r.Page(ctx, data, 1, media(203)); err != nil {
		t.Fatalf("Page after the idle release: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.PageCount(ctx, data); !errors.Is(err, ErrClosed) {
		t.Errorf("PageCount after Close: %v, want ErrClosed", err)
	}
}

func (r *Rasterizer) running() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.engine != nil
}

// TestHairlines draws lines a third of a dot wide at fractional
// positions, as vector rectangles and as the pixels of an image scaled
// down: each must print as a line at least one dot wide in its place.
func TestHairlines(t *testing.T) {
	const dpi = 203
	dot := 25.4 / dpi // mm
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 101.6, Ht: 152.4}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddPage()
	pdf.SetFillColor(0, 0, 0)
	var at []float64 // mm from the top-left corner
	for i := range 10 {
		p := 10 + float64(i)*7.3 + float64(i)*dot/10
		at = append(at, p)
		pdf.Rect(p, 20, dot/3, 60, "F")   // vertical
		pdf.Rect(5, p+30, 45, dot/3, "F") // horizontal
	}
	// An image of one-pixel lines ten pixels apart, a third of a dot a
	// pixel: smoothing turns each line into a light grey.
	const lines, gap = 20, 10
	stripes := image.NewGray(image.Rect(0, 0, lines*gap, 40))
	for i := range stripes.Pix {
		if x := i % stripes.Stride; x%gap != gap/2 {
			stripes.Pix[i] = 255
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, stripes); err != nil {
		t.Fatal(err)
	}
	pdf.RegisterImageOptionsReader("stripes", fpdf.ImageOptions{ImageType: "PNG"}, &pngData)
	imgW := float64(lines*gap) * dot / 3
	pdf.ImageOptions("stripes", 55, 100, imgW, 10, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := shared.Page(context.Background(), buf.Bytes(), 1, Options{DPI: dpi, WidthDots: 812, HeightDots: 1218, Fit: FitNone})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range at {
		d := int(p / dot)
		t.Run(fmt.Sprintf("Vertical%d", i), func(t *testing.T) {
			if !img.Black(d-1, 300) && !img.Black(d, 300) && !img.Black(d+1, 300) {
				t.Errorf("no black dot near x=%d on row 300", d)
			}
		})
		t.Run(fmt.Sprintf("Horizontal%d", i), func(t *testing.T) {
			y := int((p + 30) / dot)
			if !img.Black(200, y-1) && !img.Black(200, y) && !img.Black(200, y+1) {
				t.Errorf("no black dot near y=%d in column 200", y)
			}
		})
	}
	t.Run("ImageLines", func(t *testing.T) {
		y := int(105 / dot)
		runs, black := 0, false
		for x := int(55/dot) - 2; x < int((55+imgW)/dot)+2; x++ {
			if b := img.Black(x, y); b && !black {
				runs++
			}
			black = img.Black(x, y)
		}
		if runs != lines {
			t.Errorf("row %d shows %d lines of the image, want %d", y, runs, lines)
		}
	})
}

// TestConcurrent renders from several goroutines at once: calls are
// serialized and each gets its own page.
func TestConcurrent(t *testing.T) {
	specs := make([]labelSpec, 4)
	for i := range specs {
		specs[i] = pageLabel(100, 150)
		specs[i].tracking = fmt.Sprintf("TRACK%04d", i)
	}
	data := makePDF(t, specs...)
	other := makePDF(t, pageLabel(150, 100))
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			doc, page, want := data, i%4+1, specs[i%4].tracking
			if i%2 == 1 { // alternate documents, so the open one changes
				doc, page, want = other, 1, tracking
			}
			img, err := shared.Page(context.Background(), doc, page, media(203))
			if err != nil {
				errs <- err
				return
			}
			if c, _, err := decode(t, img); err != nil || c != want {
				errs <- fmt.Errorf("goroutine %d: reads %q (error %v), want %q", i, c, err, want)
				return
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
