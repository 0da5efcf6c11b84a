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

var (
	update  = flag.Bool("update", false, "rewrite golden PNGs under testdata/golden")
	dumpDir = flag.String("dump", "", "write the pages of the hostile-text tests as PNGs to this folder, to look at")
)

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
func checkLabelCodes(t *testing.T, img *Mono, o *Order) bool {
	t.Helper()
	ok := true
	bmp := binaryBitmap(t, img) // one binarisation serves both readers
	if got, err := decode1D(bmp); err != nil || got != o.TrackingNumber {
		t.Errorf("tracking number barcode reads %q (error %v), want %q", got, err, o.TrackingNumber)
		ok = false
	}
	if got, err := decodeQR(bmp); err != nil || got != o.OrderID {
		t.Errorf("order id QR code reads %q (error %v), want %q", got, err, o.OrderID)
		ok = false
	}
	return ok
}

// binaryBitmap hands a page image to gozxing as the luminance plane it
// reads, without going through image.Image's colour conversions.
func binaryBitmap(tb testing.TB, img *Mono) *gozxing.BinaryBitmap {
	tb.Helper()
	lum := make([]byte, img.W*img.H)
	for y := range img.H {
		row := img.Pix[y*img.Stride:]
		for x := range img.W {
			if row[x/8]&(0x80>>uint(x%8)) == 0 {
				lum[y*img.W+x] = 255
			}
		}
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(lum, img.W, img.H, 0, 0, img.W, img.H, false)
	if err != nil {
		tb.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		tb.Fatal(err)
	}
	return bmp
}

func decode1D(bmp *gozxing.BinaryBitmap) (string, error) {
	res, err := oned.NewCode128Reader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func decodeQR(bmp *gozxing.BinaryBitmap) (string, error) {
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// TestHostileText lays out every order of the tricky samples, whose fields
// hold printer commands, control characters, emoji, very long words and
// line breaks, at every size.
func TestHostileText(t *testing.T) {
	l := mustLayout(t)
	raw := readSample(t, "orders-60-tricky.json")
	for _, ls := range labelSizes {
		t.Run(fmt.Sprintf("%s-%d", ls.size, ls.dpi), func(t *testing.T) {
			t.Parallel()
			m := mustMedia(t, ls.size, ls.dpi)
			for i, data := range raw.Orders {
				o, err := ParseOrder(data, fmt.Sprintf("orders[%d]", i))
				if err != nil {
					t.Fatalf("order %d: %v", i, err)
				}
				for _, opt := range []Options{{}, {Text: TextNative, NativeText: true}} {
					page, err := l.ShippingLabel(o, m, opt)
					if err != nil {
						t.Fatalf("order %d: %v", i, err)
					}
					checkPage(t, page, m)
					if *dumpDir != "" && opt.Text == "" {
						writePNG(t, filepath.Join(*dumpDir, fmt.Sprintf("tricky-%02d-%s-%d.png", i, ls.size, ls.dpi)), page.Image())
					}
				}
			}
		})
	}
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkShippingLabel measures labels laid out a second, with text
// drawn as bitmaps and in the printer's font, over the sample orders.
func BenchmarkShippingLabel(b *testing.B) {
	l := mustLayout(b)
	raw := readSample(b, "orders-600.json")
	orders := make([]*Order, 0, 50)
	for i, data := range raw.Orders[:50] {
		o, err := ParseOrder(data, fmt.Sprintf("orders[%d]", i))
		if err != nil {
			b.Fatal(err)
		}
		orders = append(orders, o)
	}
	ascii, err := ParseOrder(mustRead(b, "testdata/orders/ascii.json"), "d")
	if err != nil {
		b.Fatal(err)
	}
	m := mustMedia(b, "100x150mm", 203)
	for _, bc := range []struct {
		name   string
		orders []*Order
		opt    Options
	}{
		{"Raster", orders, Options{Text: TextRaster}},
		{"NativeMixed", orders, Options{Text: TextNative, NativeText: true}},
		{"RasterASCII", []*Order{ascii}, Options{Text: TextRaster}},
		{"NativeASCII", []*Order{ascii}, Options{Text: TextNative, NativeText: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := l.ShippingLabel(bc.orders[i%len(bc.orders)], m, bc.opt); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "labels/s")
		})
	}
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// TestEveryOrderScans lays out every sample order on a 100x150 mm label at
// 203 dpi and reads its tracking number and order id back from the image,
// as a scanner at the packing station would.
func TestEveryOrderScans(t *testing.T) {
	l := mustLayout(t)
	m := mustMedia(t, "100x150mm", 203)
	for _, file := range []string{"orders-600.json", "orders-60-tricky.json"} {
		raw := readSample(t, file)
		const shards = 4 // parallel subtests, each a slice of the orders
		step := shards
		if testing.Short() {
			step *= 10 // every tenth order of each shard
		}
		for s := range shards {
			t.Run(fmt.Sprintf("%s/%d", file, s), func(t *testing.T) {
				t.Parallel()
				for i := s; i < len(raw.Orders); i += step {
					o, err := ParseOrder(raw.Orders[i], fmt.Sprintf("orders[%d]", i))
					if err != nil {
						t.Fatalf("order %d: %v", i, err)
					}
					page, err := l.ShippingLabel(o, m, Options{})
					if err != nil {
						t.Fatalf("order %d: %v", i, err)
					}
					if img := page.Image(); !checkLabelCodes(t, img, o) {
						t.Logf("order %d (%s) does not scan", i, o.OrderID)
						if *dumpDir != "" {
							writePNG(t, filepath.Join(*dumpDir, fmt.Sprintf("noscan-%s.png", o.OrderID)), img)
						}
					}
				}
			})
		}
	}
}

func TestShippingLabelErrors(t *testing.T) {
	l := mustLayout(t)
	const base = "job.documents[0].data"
	tests := []struct {
		name string
		data []byte
		size string
		dpi  int
		path string
	}{
		{"TrackingTooWide203", withField(t, "tracking_number", strings.Repeat("AZ", MaxCodeLen/2)), "100x150mm", 203, ".tracking_number"},
		{"TrackingTooWide300", withField(t, "tracking_number", strings.Repeat("AZ", MaxCodeLen/2)), "4x6in", 300, ".tracking_number"},
		{"TrackingTooWideNarrowLabel", withField(t, "tracking_number", "SPX6820170614TH-EXTRA-LONG"), "50x30mm", 203, ".tracking_number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOrder(tt.data, base)
			if err != nil {
				t.Fatal(err)
			}
			page, err := l.ShippingLabel(o, mustMedia(t, tt.size, tt.dpi), Options{})
			if err == nil {
				t.Fatalf("ShippingLabel = %d elements, want an error", len(page.Elements))
			}
			if code := labelbridge.ErrorCode(err); code != labelbridge.CodeInvalidRequest {
				t.Errorf("code %q, want %q (%v)", code, labelbridge.CodeInvalidRequest, err)
			}
			if got := labelbridge.ErrorPath(err); got != base+tt.path {
				t.Errorf("path %q, want %q (%v)", got, base+tt.path, err)
			}
		})
	}
	t.Run("BatchOrderWithoutTracking", func(t *testing.T) {
		b, err := ParseBatch([]byte(`{"batch_id": "B-1", "orders": [{"order_id": "1", "items": [{"sku": "A", "qty": 1}]}]}`), base)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.ShippingLabel(&b.Orders[0], mustMedia(t, "100x150mm", 203), Options{})
		if got, want := labelbridge.ErrorPath(err), base+".orders[0].tracking_number"; got != want {
			t.Errorf("path %q, want %q (%v)", got, want, err)
		}
	})
}

func TestTextModes(t *testing.T) {
	l := mustLayout(t)
	ascii, err := ParseOrder(mustRead(t, "testdata/orders/ascii.json"), "d")
	if err != nil {
		t.Fatal(err)
	}
	thai := sampleOrder(t, "orders-3.json", "576582932555864394")
	m := mustMedia(t, "100x150mm", 203)
	tests := []struct {
		name      string
		order     *Order
		opt       Options
		wantTexts bool
	}{
		{"AutoASCII", ascii, Options{NativeText: true}, true},
		{"AutoASCIIExplicit", ascii, Options{Text: TextAuto, NativeText: true}, true},
		{"AutoThai", thai, Options{NativeText: true}, false}, // one typeface a label
		{"NativeThai", thai, Options{Text: TextNative, NativeText: true}, true},
		{"RasterASCII", ascii, Options{Text: TextRaster, NativeText: true}, false},
		{"NativeWithoutPrinterFonts", ascii, Options{Text: TextNative}, false}, // ESC/POS
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := l.ShippingLabel(tt.order, m, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, page, m)
			texts := 0
			for _, e := range page.Elements {
				if _, ok := e.(*Text); ok {
					texts++
				}
			}
			if (texts > 0) != tt.wantTexts {
				t.Errorf("%d Text elements, want some: %v", texts, tt.wantTexts)
			}
			checkLabelCodes(t, page.Image(), tt.order)
		})
	}
}

func TestShippingLabelNativeGolden(t *testing.T) {
	l := mustLayout(t)
	o, err := ParseOrder(mustRead(t, "testdata/orders/ascii.json"), "d")
	if err != nil {
		t.Fatal(err)
	}
	for _, ls := range []struct {
		size string
		dpi  int
	}{{"4x6in", 203}, {"100x75mm", 300}} {
		name := fmt.Sprintf("shipping-ascii-native-%s-%d", ls.size, ls.dpi)
		t.Run(name, func(t *testing.T) {
			m := mustMedia(t, ls.size, ls.dpi)
			page, err := l.ShippingLabel(o, m, Options{Text: TextNative, NativeText: true})
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

func TestShippingLabelReceipt(t *testing.T) {
	// A label on receipt paper: as long as one on a 2:3 roll, then cut.
	l := mustLayout(t)
	o := sampleOrder(t, "orders-3.json", "576582932555864394")
	m := mustReceipt(t, "80mm")
	page, err := l.ShippingLabel(o, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if page.Height != m.WidthDots*3/2 || !page.Cut {
		t.Errorf("page %dx%d cut %v, want %dx%d cut", page.Width, page.Height, page.Cut, m.WidthDots, m.WidthDots*3/2)
	}
	checkPage(t, page, m)
	checkLabelCodes(t, page.Image(), o)
}

func TestParseTextMode(t *testing.T) {
	for in, want := range map[string]TextMode{"": TextAuto, "auto": TextAuto, "Raster": TextRaster, "native": TextNative} {
		if got, err := ParseTextMode(in); err != nil || got != want {
			t.Errorf("ParseTextMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, err := ParseTextMode("printer"); err == nil {
		t.Errorf("ParseTextMode(printer) = %q, want an error", got)
	}
}

// TestShippingLabelOddSizes lays out labels on media no one designed for:
// whatever fits must stay inside the page, and what cannot fit must be an
// error naming the field.
func TestShippingLabelOddSizes(t *testing.T) {
	l := mustLayout(t)
	orders := []*Order{sampleOrder(t, "orders-3.json", "576582932555864394"), sampleOrder(t, "orders-60-tricky.json", "576895319162576150")}
	for _, size := range []string{"20x20mm", "50x30mm", "60x40mm", "150x100mm", "4x4in", "210x297mm", "220x600mm", "25x600mm"} {
		for _, dpi := range []int{152, 203, 300, 600} {
			t.Run(fmt.Sprintf("%s/%d", size, dpi), func(t *testing.T) {
				m := mustMedia(t, size, dpi)
				for _, o := range orders {
					page, err := l.ShippingLabel(o, m, Options{})
					if err != nil {
						if p := labelbridge.ErrorPath(err); !strings.HasSuffix(p, ".tracking_number") && !strings.HasSuffix(p, ".order_id") {
							t.Errorf("error %v: want one naming tracking_number or order_id", err)
						}
						continue
					}
					checkPage(t, page, m)
				}
			})
		}
	}
}

// TestLongFieldsShrinkThenCut fills every text field to its limit: text
// shrinks to the floor size, then is cut short with an ellipsis, and
// nothing runs off the label.
func TestLongFieldsShrinkThenCut(t *testing.T) {
	l := mustLayout(t)
	words := func(n int) string {
		return strings.TrimSpace(strings.Repeat("Longword ", n/9))[:n-9]
	}
	var o Order
	if err := json.Unmarshal(mustRead(t, "testdata/orders/ascii.json"), &o); err != nil {
		t.Fatal(err)
	}
	o.Recipient = Party{Name: words(MaxNameLen), Phone: strings.Repeat("9", MaxPhoneLen), Address: words(MaxAddressLen), Postcode: strings.Repeat("P", MaxPostcodeLen)}
	o.Sender = o.Recipient
	o.Carrier, o.Service, o.Platform = words(MaxShortLen), words(MaxShortLen), words(MaxShortLen)
	o.SortCode = strings.Repeat("W", MaxSortCodeLen)
	o.Note = words(MaxNoteLen)
	o.COD = &COD{Amount: "999999999999.9999", Currency: "THB"}
	for _, ls := range labelSizes {
		t.Run(fmt.Sprintf("%s-%d", ls.size, ls.dpi), func(t *testing.T) {
			m := mustMedia(t, ls.size, ls.dpi)
			page, err := l.ShippingLabel(&o, m, Options{Text: TextNative, NativeText: true})
			if err != nil {
				t.Fatal(err)
			}
			checkPage(t, page, m)
			cut := 0
			for _, e := range page.Elements {
				if e, ok := e.(*Text); ok && strings.HasSuffix(e.Text, "...") {
					cut++
					if floor := int(floorMM * float64(ls.dpi) / mmPerInch); e.Height < floor {
						t.Errorf("%q cut short at %d dots, below the %d-dot floor", e.Text, e.Height, floor)
					}
				}
			}
			if cut == 0 {
				t.Errorf("no text cut short with an ellipsis")
			}
			checkLabelCodes(t, page.Image(), &o)
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"line1\nline2\r\nline3", "line1 line2 line3"},
		{"  lead and trail  ", "lead and trail"},
		{"tab\there", "tab here"},
		{"name\x1b@\x1d V\x00 with ESC/POS bytes", "name\ufffd@\ufffd V\ufffd with ESC/POS bytes"},
		{"del\x7f c1\u0085", "del\ufffd c1"},
		{"ไทย  ญี่ปุ่น", "ไทย ญี่ปุ่น"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
