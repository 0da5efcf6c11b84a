package pdf

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/labelbridge/labelbridge/label"
)

// photoPNG is a mid-grey photograph stand-in: noise between 96 and 160,
// which a threshold at 60% white would print almost solid black.
func photoPNG(t *testing.T) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	img := image.NewGray(image.Rect(0, 0, 300, 150))
	for i := range img.Pix {
		img.Pix[i] = uint8(96 + r.IntN(65))
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// qrPNG is the order id as a QR code image, one pixel a module, as some
// marketplaces embed their codes.
func qrPNG(t *testing.T) []byte {
	t.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(orderID, gozxing.BarcodeFormat_QR_CODE, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, m.GetWidth(), m.GetHeight()))
	for y := range m.GetHeight() {
		for x := range m.GetWidth() {
			if !m.Get(x, y) {
				img.Pix[y*img.Stride+x] = 255
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// blackShare returns the share of black dots in r.
func blackShare(m *label.Mono, r image.Rectangle) float64 {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if m.Black(x, y) {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

// TestPhotosDitherGraphicsStaySharp: a photograph on a label prints as a
// dither pattern with its tone, while a QR code held as an image, the
// vector Code 128 and the text are thresholded and decode — on a portrait
// page and on a landscape one turned onto the media.
func TestPhotosDitherGraphicsStaySharp(t *testing.T) {
	const dpi = 203
	mm := func(v float64) int { return int(v / 25.4 * dpi) }
	// Positions in mm: the photo and the QR image on the page, and where
	// they land on the media after the turn.
	type rect struct{ x, y, w, h float64 }
	cases := []struct {
		name            string
		pageW, pageH    float64
		pageRotate      string // the page's own /Rotate, if any
		photo, qr       rect
		photoAt, qrArea image.Rectangle
	}{
		{"Portrait", 101.6, 152.4, "", rect{50, 100, 40, 20}, rect{10, 84, 30, 30},
			image.Rect(mm(50), mm(100), mm(90), mm(120)), image.Rect(mm(5), mm(79), mm(45), mm(119))},
		// Turned 90° clockwise: page (x, y) lands at media (101.6-y, x).
		{"LandscapeTurned", 152.4, 101.6, "", rect{100, 50, 40, 20}, rect{100, 10, 30, 30},
			image.Rect(mm(101.6-70), mm(100), mm(101.6-50), mm(140)), image.Rect(mm(101.6-45), mm(95), mm(101.6-5), mm(135))},
		// The page's /Rotate 90 shows it landscape; auto turns it back
		// upright by another 90°: a half turn, (x, y) → (101.6-x, 152.4-y).
		{"PageRotateAttribute", 101.6, 152.4, "90", rect{50, 100, 40, 20}, rect{10, 84, 30, 30},
			image.Rect(mm(101.6-90), mm(152.4-120), mm(101.6-50), mm(152.4-100)), image.Rect(mm(101.6-45), mm(152.4-119), mm(101.6-5), mm(152.4-79))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: tc.pageW, Ht: tc.pageH}})
			pdf.SetMargins(0, 0, 0)
			pdf.SetAutoPageBreak(false, 0)
			pdf.AddPageFormat("P", fpdf.SizeType{Wd: tc.pageW, Ht: tc.pageH})
			drawLabel(t, pdf, labelSpec{pageW: tc.pageW, pageH: tc.pageH, w: 90, h: 80, tracking: tracking, orderID: "unused-vector-qr"})
			opt := fpdf.ImageOptions{ImageType: "PNG"}
			pdf.RegisterImageOptionsReader("photo", opt, bytes.NewReader(photoPNG(t)))
			pdf.ImageOptions("photo", tc.photo.x, tc.photo.y, tc.photo.w, tc.photo.h, false, opt, 0, "")
			pdf.RegisterImageOptionsReader("qr", opt, bytes.NewReader(qrPNG(t)))
			pdf.ImageOptions("qr", tc.qr.x, tc.qr.y, tc.qr.w, tc.qr.h, false, opt, 0, "")
			var buf bytes.Buffer
			if err := pdf.Output(&buf); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			if tc.pageRotate != "" {
				// fpdf cannot rotate a page; PDFium repairs the offsets
				// this shifts, as it does for many PDFs in the wild.
				data = bytes.Replace(data, []byte("<</Type /Page\n"), []byte("<</Type /Page /Rotate "+tc.pageRotate+"\n"), 1)
			}
			img, err := shared.Page(context.Background(), data, 1, Options{DPI: dpi, WidthDots: 812, HeightDots: 1218, Fit: FitNone, Rotate: "auto"})
			if err != nil {
				t.Fatal(err)
			}
			r := tc.photoAt.Inset(4)
			if got := blackShare(img, r); got < 0.25 || got > 0.75 {
				t.Errorf("photo area %v is %.0f%% black; want a dither near its 50%% tone, not a threshold", r, got*100)
			}
			// Both codes decode from the same page; the vector QR above
			// says "unused-vector-qr", so crop to the image's QR.
			code128, _, _ := decode(t, img)
			if code128 != tracking {
				t.Errorf("Code 128 decodes to %q, want %q", code128, tracking)
			}
			qrArea := tc.qrArea
			crop := label.NewMono(qrArea.Dx(), qrArea.Dy())
			for y := range crop.H {
				for x := range crop.W {
					crop.SetBlack(x, y, img.Black(qrArea.Min.X+x, qrArea.Min.Y+y))
				}
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(crop)
			if err != nil {
				t.Fatal(err)
			}
			res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
			if err != nil || res.GetText() != orderID {
				t.Errorf("the QR image decodes to %v, %v; want %q", res, err, orderID)
			}
		})
	}
}

func TestMidTones(t *testing.T) {
	gray := func(w, h int, f func(x, y int) byte) []byte {
		p := make([]byte, w*h)
		for y := range h {
			for x := range w {
				p[y*w+x] = f(x, y)
			}
		}
		return p
	}
	cases := []struct {
		name  string
		pix   []byte
		photo bool
	}{
		{"Bars", gray(100, 10, func(x, _ int) byte { return byte(255 * (x / 3 % 2)) }), false},
		{"LogoWithSoftEdges", gray(100, 100, func(x, y int) byte {
			switch {
			case x < 50:
				return 0
			case x < 53:
				return 128
			}
			return 255
		}), false},
		{"Gradient", gray(256, 10, func(x, _ int) byte { return byte(x) }), true},
		{"White", gray(10, 10, func(int, int) byte { return 255 }), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := len(tc.pix) / 10
			if tc.name == "LogoWithSoftEdges" {
				w = 100
			}
			h := len(tc.pix) / w
			if got := midTones(tc.pix, w, h, w, 1) > photoShare; got != tc.photo {
				t.Errorf("photo = %v, want %v", got, tc.photo)
			}
		})
	}
	// BGR pixels: a mid grey in colour.
	bgr := bytes.Repeat([]byte{100, 140, 120}, 64)
	if midTones(bgr, 8, 8, 24, 3) <= photoShare {
		t.Error("a mid-grey BGR picture is not taken for a photo")
	}
	if midTones([]byte{1, 2}, 8, 8, 8, 1) != 0 {
		t.Error("a buffer shorter than its size is not ignored")
	}
}

// TestRestartReleasesHandles: go-pdfium keeps a handle for every page
// object looked at until PDFium stops, so past a limit the Rasterizer
// starts a fresh PDFium; the pages come out the same across the restart.
func TestRestartReleasesHandles(t *testing.T) {
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader("photo", opt, bytes.NewReader(photoPNG(t)))
	for range 3 {
		pdf.AddPage()
		pdf.Rect(10, 10, 30, 30, "F")
		pdf.ImageOptions("photo", 10, 60, 60, 30, false, opt, 0, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	if !hasImages(buf.Bytes()) {
		t.Fatal("hasImages misses the PDF's image")
	}
	ctx := context.Background()
	o := Options{DPI: 203, WidthDots: 800, HeightDots: 1200}
	want, err := shared.Page(ctx, buf.Bytes(), 1, o)
	if err != nil {
		t.Fatal(err)
	}
	r := &Rasterizer{CacheDir: shared.CacheDir, handleLimit: 1}
	defer r.Close()
	for page := 1; page <= 3; page++ {
		got, err := r.Page(ctx, buf.Bytes(), page, o)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Fatalf("page %d differs from page 1 after %d starts", page, r.starts)
		}
	}
	if r.starts != 3 {
		t.Fatalf("PDFium started %d times for 3 pages over the handle limit, want 3", r.starts)
	}
}

func TestHasImages(t *testing.T) {
	if hasImages(makePDF(t, pageLabel(100, 150))) {
		t.Error("a label of vector bars and text is taken to hold images")
	}
	for _, s := range []string{"<</Type /XObject /Subtype /Image /Width 4>>", "<</Subtype/Image>>", "/Subtype\n/Image "} {
		if !hasImages([]byte(s)) {
			t.Errorf("%q is not found", s)
		}
	}
	if hasImages([]byte("/ProcSet [/PDF /Text /ImageB /ImageC /ImageI]")) {
		t.Error("a ProcSet entry is taken for an image")
	}
}
