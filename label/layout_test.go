package label

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label/text"
)

var update = flag.Bool("update", false, "rewrite golden PNGs under testdata/golden")

// testLayout returns one Layout for the whole test binary: building the
// fonts takes tens of milliseconds, and a Layout is safe to share.
var testLayout = sync.OnceValues(New)

func mustLayout(tb testing.TB) *Layout {
	tb.Helper()
	l, err := testLayout()
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// sampleOrder returns the order with the given id from a sample file.
func sampleOrder(tb testing.TB, file, orderID string) *Order {
	tb.Helper()
	for i, raw := range readSample(tb, file).Orders {
		var id struct {
			OrderID string `json:"order_id"`
		}
		if err := json.Unmarshal(raw, &id); err != nil {
			tb.Fatal(err)
		}
		if id.OrderID == orderID {
			o, err := ParseOrder(raw, fmt.Sprintf("orders[%d]", i))
			if err != nil {
				tb.Fatal(err)
			}
			return o
		}
	}
	tb.Fatalf("%s: no order %s", file, orderID)
	return nil
}

// goldenOrders are the orders the golden labels show: Thai with cash on
// delivery, Vietnamese, and English.
var goldenOrders = []struct {
	name, file, id string
}{
	{"thai-cod", "orders-3.json", "576582932555864394"},
	{"vietnamese", "orders-60-tricky.json", "576895319162576150"},
	{"english", "orders-600.json", "576418228587297535"},
}

func mustMedia(tb testing.TB, size string, dpi int) Media {
	tb.Helper()
	m, err := ParseMedia(size, dpi)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// checkGolden compares img with testdata/golden/name.png pixel by pixel,
// or rewrites the file with -update. On a mismatch it writes what it got
// next to the golden as name.got.png to look at.
func checkGolden(t *testing.T, name string, img *Mono) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name+".png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if want.Bounds() != img.Bounds() {
		t.Errorf("%s: image is %v, golden is %v", name, img.Bounds(), want.Bounds())
	} else {
		diff := 0
		for y := range img.H {
			for x := range img.W {
				r, _, _, _ := want.At(x, y).RGBA()
				if (r < 0x8000) != img.Black(x, y) {
					diff++
				}
			}
		}
		if diff == 0 {
			return
		}
		t.Errorf("%s: %d pixels differ from the golden", name, diff)
	}
	got := strings.TrimSuffix(path, ".png") + ".got.png"
	if err := os.WriteFile(got, buf.Bytes(), 0o644); err == nil {
		t.Logf("wrote %s", got)
	}
}

// labelSizes are the label sizes and resolutions every shipping label is
// laid out at.
var labelSizes = []struct {
	size string
	dpi  int
}{
	{"100x150mm", 203}, {"100x150mm", 300},
	{"100x100mm", 203}, {"100x100mm", 300},
	{"100x75mm", 203}, {"100x75mm", 300},
}

func TestShippingLabelGolden(t *testing.T) {
	l := mustLayout(t)
	for _, g := range goldenOrders {
		o := sampleOrder(t, g.file, g.id)
		for _, ls := range labelSizes {
			name := fmt.Sprintf("shipping-%s-%s-%d", g.name, ls.size, ls.dpi)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				m := mustMedia(t, ls.size, ls.dpi)
				page, err := l.ShippingLabel(o, m, Options{})
				if err != nil {
					t.Fatal(err)
				}
				checkPage(t, page, m)
				img := page.Image()
				checkGolden(t, name, img)
				checkLabelCodes(t, img, o)
			})
		}
	}
}

// checkPage checks that a page has the media's size and that every element
// lies inside it.
func checkPage(t *testing.T, p *Page, m Media) {
	t.Helper()
	if p.Width != m.WidthDots || p.DPI != m.DPI || (!m.Continuous && p.Height != m.HeightDots) {
		t.Errorf("page %dx%d at %d dpi, want %dx%d at %d", p.Width, p.Height, p.DPI, m.WidthDots, m.HeightDots, m.DPI)
	}
	bounds := image.Rect(0, 0, p.Width, p.Height)
	for i, e := range p.Elements {
		var r image.Rectangle
		switch e := e.(type) {
		case *Rect:
			r = image.Rect(e.X, e.Y, e.X+e.W, e.Y+e.H)
			if e.W <= 0 || e.H <= 0 {
				t.Errorf("element %d: empty rect %+v", i, *e)
			}
		case *Bitmap:
			r = image.Rect(e.X, e.Y, e.X+e.Img.W, e.Y+e.Img.H)
		case *Text:
			if !isPrintableASCII(e.Text) {
				t.Errorf("element %d: text %q is not printable ASCII", i, e.Text)
			}
			r = image.Rect(e.X, e.Y, e.X+mustLayout(t).fonts.Measure(e.Text, text.Style{Size: float64(e.Height)}), e.Y+e.Height)
		default:
			t.Errorf("element %d: unknown element %T", i, e)
		}
		if !r.In(bounds) {
			t.Errorf("element %d (%T) at %v lies outside the page %v", i, e, r, bounds)
		}
	}
}

// checkLabelCodes decodes the tracking number's Code 128 symbol and the
// order id's QR code from a label's image.
func checkLabelCodes(t *testing.T, img *Mono, o *Order) {
	t.Helper()
	if got, err := decode1D(img); err != nil {
		t.Errorf("tracking number barcode: %v", err)
	} else if got != o.TrackingNumber {
		t.Errorf("tracking number barcode reads %q, want %q", got, o.TrackingNumber)
	}
	if got, err := decodeQR(img); err != nil {
		t.Errorf("order id QR code: %v", err)
	} else if got != o.OrderID {
		t.Errorf("order id QR code reads %q, want %q", got, o.OrderID)
	}
}

func decode1D(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := oned.NewCode128Reader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func decodeQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

var _ = labelbridge.ErrorCode
