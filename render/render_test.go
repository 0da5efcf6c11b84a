package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	layoutOnce sync.Once
	layout     *label.Layout
	layoutErr  error
)

func sharedLayout(t testing.TB) *label.Layout {
	t.Helper()
	layoutOnce.Do(func() { layout, layoutErr = label.New() })
	if layoutErr != nil {
		t.Fatal(layoutErr)
	}
	return layout
}

type batch struct {
	BatchID string            `json:"batch_id"`
	Orders  []json.RawMessage `json:"orders"`
}

func loadSamples(t testing.TB, name string) batch {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "label", "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	var b batch
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func renderer(t testing.TB, lang labelbridge.Language, dpi int, media, width, text string) *render.Renderer {
	return &render.Renderer{Layout: sharedLayout(t), Printer: render.Printer{Name: "p", Language: lang, DPI: dpi, Media: media, Width: width, Text: text}}
}

var ext = map[labelbridge.Language]string{labelbridge.ZPL: "zpl", labelbridge.ESCPOS: "escpos", labelbridge.TSPL: "tspl"}

func samplePNG(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 240, 160))
	for y := range 160 {
		for x := range 240 {
			img.SetGray(x, y, color.Gray{Y: uint8((x + y) * 255 / 400)})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	return buf.Bytes()
}

// TestGolden pins the printer bytes of every kind on every language and
// size. Run with -update after a deliberate change and look at the PNGs
// written beside them.
func TestGolden(t *testing.T) {
	three := loadSamples(t, "orders-3.json")
	pick, _ := json.Marshal(three)
	cases := []struct {
		name string
		lang labelbridge.Language
		dpi  int
		size string
		doc  labelbridge.Document
	}{}
	for _, lang := range []labelbridge.Language{labelbridge.ZPL, labelbridge.TSPL, labelbridge.ESCPOS} {
		sizes := []string{"100x150mm", "100x100mm", "100x75mm"}
		if lang == labelbridge.ESCPOS {
			sizes = []string{"80mm", "58mm"}
		}
		for _, size := range sizes {
			for _, dpi := range []int{203, 300} {
				if lang == labelbridge.ESCPOS && dpi != 203 {
					continue
				}
				cases = append(cases,
					struct {
						name string
						lang labelbridge.Language
						dpi  int
						size string
						doc  labelbridge.Document
					}{fmt.Sprintf("shipping-%s-%s-%d", ext[lang], size, dpi), lang, dpi, size,
						labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: three.Orders[0]}})
			}
			cases = append(cases, struct {
				name string
				lang labelbridge.Language
				dpi  int
				size string
				doc  labelbridge.Document
			}{fmt.Sprintf("picklist-%s-%s-203", ext[lang], size), lang, 203, size, labelbridge.Document{Kind: labelbridge.KindPickList, Data: pick}})
		}
		cases = append(cases, struct {
			name string
			lang labelbridge.Language
			dpi  int
			size string
			doc  labelbridge.Document
		}{fmt.Sprintf("image-%s-203", ext[lang]), lang, 203, "", labelbridge.Document{Kind: labelbridge.KindImage, Content: samplePNG(t), Size: "100x75mm"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			media, width := tc.size, ""
			if tc.lang == labelbridge.ESCPOS {
				media, width = "", tc.size
			}
			r := renderer(t, tc.lang, tc.dpi, media, width, "auto")
			got, err := r.Render(context.Background(), &tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.name+"."+ext[tc.lang])
			if *update {
				os.WriteFile(path, got, 0o644)
				pngs, err := r.Preview(&tc.doc)
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(strings.TrimSuffix(path, filepath.Ext(path))+".png", pngs[0], 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: output changed (%d bytes, golden %d); if intended, run go test -update and look at the PNG", path, len(got), len(want))
			}
		})
	}
}

// TestIndependentZPLRendererScans renders labels to ZPL, draws that ZPL with
// an independent renderer (zpl-renderer-js, pinned in zpl/testdata/js), and
// decodes the tracking number and order id from its picture.
func TestIndependentZPLRendererScans(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	jsDir, _ := filepath.Abs(filepath.Join("..", "zpl", "testdata", "js"))
	if _, err := os.Stat(filepath.Join(jsDir, "node_modules", "zpl-renderer-js")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = jsDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	three := loadSamples(t, "orders-3.json")
	tricky := loadSamples(t, "orders-60-tricky.json")
	orders := append(append([]json.RawMessage{}, three.Orders[:2]...), tricky.Orders[0])
	english := []byte(`{"order_id":"100200300400","platform":"Web","carrier":"DHL","service":"Express","tracking_number":"JD014600006281234567","sort_code":"LHR-1","sender":{"name":"Acme Ltd","phone":"+44 20 7946 0000","address":"1 Main St, London","postcode":"EC1A 1BB"},"recipient":{"name":"Jane Doe","phone":"+44 20 7946 0999","address":"221B Baker Street, London","postcode":"NW1 6XE"},"items":[{"sku":"MUG-1","name":"Mug","qty":2,"location":"A-1"}],"weight_kg":0.8,"cod":{"amount":"12.50","currency":"GBP"}}`)
	orders = append(orders, english)
	for _, dpi := range []int{203, 300} {
		for _, text := range []string{"raster", "native"} {
			for i, o := range orders {
				t.Run(fmt.Sprintf("%d/%s/%d", dpi, text, i), func(t *testing.T) {
					var want struct {
						OrderID        string `json:"order_id"`
						TrackingNumber string `json:"tracking_number"`
					}
					json.Unmarshal(o, &want)
					r := renderer(t, labelbridge.ZPL, dpi, "100x150mm", "", text)
					zplBytes, err := r.Render(context.Background(), &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: o})
					if err != nil {
						t.Fatal(err)
					}
					out := filepath.Join(t.TempDir(), "label.png")
					dpmm := math.Round(float64(dpi) / 25.4)
					cmd := exec.Command(node, "render.cjs", "100", "150", fmt.Sprint(dpmm), out)
					cmd.Dir = jsDir
					cmd.Stdin = bytes.NewReader(zplBytes)
					if msg, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("render.cjs: %v\n%s", err, msg)
					}
					f, err := os.Open(out)
					if err != nil {
						t.Fatal(err)
					}
					img, err := png.Decode(f)
					f.Close()
					if err != nil {
						t.Fatal(err)
					}
					bmp, err := gozxing.NewBinaryBitmapFromImage(img)
					if err != nil {
						t.Fatal(err)
					}
					hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
					code, err := oned.NewCode128Reader().Decode(bmp, hints)
					if err != nil || code.GetText() != want.TrackingNumber {
						t.Errorf("Code 128 from the independent rendering: %v %v, want %q", code, err, want.TrackingNumber)
					}
					// A fresh bitmap: the 1D reader's rotation attempts leave
					// the first one changed.
					bmp, _ = gozxing.NewBinaryBitmapFromImage(img)
					qr, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
					if err != nil || qr.GetText() != want.OrderID {
						t.Errorf("QR from the independent rendering: %v %v, want %q", qr, err, want.OrderID)
					}
				})
			}
		}
	}
}

// zplCommands are the only commands the encoder writes. Field text that
// slipped through unescaped would show up as another '^' or a '~'.
var zplCommand = regexp.MustCompile(`^\^(XA|XZ|PW|LL|LH|CI|FO|GB|GF|FS|FH|FD|A0|PQ|MN|PO|LS|MM)`)

func checkZPL(t *testing.T, b []byte) {
	t.Helper()
	if bytes.IndexByte(b, '~') >= 0 {
		t.Fatal("ZPL output holds a '~' (control command prefix)")
	}
	s := string(b)
	for i := strings.IndexByte(s, '^'); i >= 0; {
		if !zplCommand.MatchString(s[i:]) {
			t.Fatalf("unexpected ZPL command at %d: %q", i, s[i:min(len(s), i+20)])
		}
		j := strings.IndexByte(s[i+1:], '^')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	if strings.Count(s, "^XA") != strings.Count(s, "^XZ") {
		t.Fatal("unbalanced ^XA/^XZ")
	}
}

var tsplLine = regexp.MustCompile(`^(SIZE|GAP|DIRECTION|REFERENCE|CLS|BAR|BITMAP|TEXT|PRINT|CODEPAGE|DENSITY|SPEED|BLINE|SET) `)

// checkTSPL walks the TSPL command lines, skipping BITMAP's binary data by
// its declared length; every line must be a command the encoder writes.
func checkTSPL(t *testing.T, b []byte) {
	t.Helper()
	for len(b) > 0 {
		end := bytes.Index(b, []byte("\r\n"))
		if end < 0 {
			t.Fatalf("TSPL ends without CRLF: %q", b[:min(len(b), 40)])
		}
		line := string(b[:end])
		if line == "CLS" {
			b = b[end+2:]
			continue
		}
		if !tsplLine.MatchString(line + " ") {
			t.Fatalf("unexpected TSPL line %q", line[:min(len(line), 60)])
		}
		if strings.HasPrefix(line, "BITMAP ") {
			var x, y, w, h, mode int
			head := line[:strings.Index(line, ",")+1]
			n, _ := fmt.Sscanf(line, "BITMAP %d,%d,%d,%d,%d,", &x, &y, &w, &h, &mode)
			if n != 5 {
				t.Fatalf("bad BITMAP header %q", head)
			}
			start := len(fmt.Sprintf("BITMAP %d,%d,%d,%d,%d,", x, y, w, h, mode))
			b = b[start+w*h:]
			if !bytes.HasPrefix(b, []byte("\r\n")) {
				t.Fatalf("BITMAP data not followed by CRLF")
			}
			b = b[2:]
			continue
		}
		if strings.HasPrefix(line, "TEXT ") {
			// The string is the last field; it must open and close once,
			// with only escaped quotes inside.
			// TEXT x,y,"font",rotation,xmul,ymul,"content"
			fields := strings.SplitN(line, ",", 7)
			q := fields[len(fields)-1]
			if len(fields) != 7 || len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
				t.Fatalf("TEXT line malformed: %q", line)
			}
			inner := strings.ReplaceAll(q[1:len(q)-1], `\["]`, "")
			if strings.ContainsAny(inner, "\"\r\n") {
				t.Fatalf("TEXT string not sealed: %q", line)
			}
		}
		b = b[end+2:]
	}
}

// checkESCPOS walks the ESC/POS stream: init, raster bands and a cut.
func checkESCPOS(t *testing.T, b []byte) {
	t.Helper()
	for len(b) > 0 {
		switch {
		case bytes.HasPrefix(b, []byte{0x1B, '@'}):
			b = b[2:]
		case bytes.HasPrefix(b, []byte{0x1D, 'v', '0'}) && len(b) >= 8:
			w, h := int(b[4])|int(b[5])<<8, int(b[6])|int(b[7])<<8
			if len(b) < 8+w*h {
				t.Fatal("GS v 0 band runs past the end")
			}
			b = b[8+w*h:]
		case bytes.HasPrefix(b, []byte{0x1D, 'V', 66}) && len(b) >= 4:
			b = b[4:]
		default:
			t.Fatalf("unexpected ESC/POS bytes % x", b[:min(len(b), 8)])
		}
	}
}

// TestHostileOrdersNeverBecomeCommands renders every order of the tricky
// sample on all three languages, in both text modes, and checks that the
// output holds only the commands the encoders write.
func TestHostileOrdersNeverBecomeCommands(t *testing.T) {
	tricky := loadSamples(t, "orders-60-tricky.json")
	for _, lang := range []labelbridge.Language{labelbridge.ZPL, labelbridge.TSPL, labelbridge.ESCPOS} {
		for _, text := range []string{"raster", "native"} {
			t.Run(ext[lang]+"/"+text, func(t *testing.T) {
				t.Parallel()
				r := renderer(t, lang, 203, "100x150mm", "", text)
				if lang == labelbridge.ESCPOS {
					r.Printer.Media, r.Printer.Width = "", "80mm"
				}
				for i, o := range tricky.Orders {
					b, err := r.Render(context.Background(), &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: o})
					if err != nil {
						t.Fatalf("order %d: %v", i, err)
					}
					switch lang {
					case labelbridge.ZPL:
						checkZPL(t, b)
					case labelbridge.TSPL:
						checkTSPL(t, b)
					case labelbridge.ESCPOS:
						checkESCPOS(t, b)
					}
				}
			})
		}
	}
}

func TestImageDocuments(t *testing.T) {
	r := renderer(t, labelbridge.ZPL, 203, "100x150mm", "", "auto")
	cases := []struct {
		name    string
		content []byte
		code    labelbridge.Code
	}{
		{"OK", samplePNG(t), ""},
		{"ErrCorruptPNG", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xAB}, 100)...), labelbridge.CodeInvalidRequest},
		{"ErrTruncatedPNG", samplePNG(t)[:200], labelbridge.CodeInvalidRequest},
		{"ErrNotAnImage", []byte("hello"), labelbridge.CodeInvalidRequest},
		{"ErrHugeDimensions", hugePNGHeader(), labelbridge.CodeInvalidRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := &labelbridge.Document{Kind: labelbridge.KindImage, Content: tc.content}
			err := render.Validate(doc, "job.documents[0]")
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Render(context.Background(), doc); err != nil {
					t.Fatal(err)
				}
				return
			}
			if labelbridge.ErrorCode(err) != tc.code || labelbridge.ErrorPath(err) != "job.documents[0].content_base64" {
				t.Fatalf("Validate = %v (path %q), want %s at job.documents[0].content_base64", err, labelbridge.ErrorPath(err), tc.code)
			}
		})
	}
}

// hugePNGHeader is a valid PNG header claiming 100000 x 100000 pixels.
func hugePNGHeader() []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	// IHDR width and height start at byte 16.
	for i, v := range []byte{0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0} {
		b[16+i] = v
	}
	return b
}

func FuzzRenderShippingLabel(f *testing.F) {
	tricky := loadSamples(f, "orders-60-tricky.json")
	for _, o := range tricky.Orders[:10] {
		f.Add([]byte(o))
	}
	r := renderer(f, labelbridge.ZPL, 203, "100x150mm", "", "native")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc := &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: data}
		if render.Validate(doc, "d") != nil {
			return
		}
		b, err := r.Render(context.Background(), doc)
		if err != nil {
			if labelbridge.ErrorCode(err) == labelbridge.CodeInternal {
				t.Fatalf("internal error for accepted data: %v", err)
			}
			return
		}
		checkZPL(t, b)
	})
}

// FuzzDecodeImage feeds arbitrary bytes (seeded with a real PNG, a corrupt
// one and a huge header) to image decoding: it must never panic, and a
// refusal is an invalid_request naming content_base64.
func FuzzDecodeImage(f *testing.F) {
	f.Add(samplePNG(f))
	f.Add(samplePNG(f)[:100])
	f.Add(hugePNGHeader())
	f.Add([]byte("\xff\xd8\xff\xe0 not really a jpeg"))
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := render.DecodeImage(data)
		if err != nil {
			if labelbridge.ErrorCode(err) != labelbridge.CodeInvalidRequest || labelbridge.ErrorPath(err) != "content_base64" {
				t.Fatalf("error %v is not an invalid_request at content_base64", err)
			}
			return
		}
		if b := img.Bounds(); b.Dx()*b.Dy() > render.MaxImagePixels {
			t.Fatalf("accepted a %v image", b)
		}
	})
}
