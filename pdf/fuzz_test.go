package pdf

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelbridge/labelbridge"
)

var update = flag.Bool("update", false, "rewrite the seed PDFs in testdata")

// TestSeedPDFs keeps the fuzz seeds in testdata: a label, a label locked
// with a user password, and a PDF without pages. -update rewrites them.
func TestSeedPDFs(t *testing.T) {
	seeds := map[string][]byte{
		"label.pdf":     makePDF(t, pageLabel(100, 150)),
		"encrypted.pdf": encryptedPDF(t, "user-secret"),
		"empty.pdf":     emptyPDF(),
	}
	for name, data := range seeds {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			// fpdf stamps the time into its output, so the seeds are
			// checked by what the rasterizer makes of them, not by bytes.
			_, errGot := shared.PageCount(context.Background(), got)
			_, errWant := shared.PageCount(context.Background(), data)
			if labelbridge.ErrorMessage(errGot) != labelbridge.ErrorMessage(errWant) {
				t.Errorf("%s: PageCount error %v, a fresh one gives %v", path, errGot, errWant)
			}
		})
	}
}

// FuzzPage feeds arbitrary bytes to PDFium: whatever they are, the answer
// is a page or an invalid_request error, never a crash or an internal
// error.
func FuzzPage(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.pdf"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte("%PDF-1.7\n"))
	ctx := context.Background()
	// Start PDFium before the first input: its start takes longer than the
	// fuzzer gives one input before it calls the worker hung.
	if _, err := shared.PageCount(ctx, makePDF(f, pageLabel(100, 150))); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := shared.PageCount(ctx, data)
		if err != nil {
			if labelbridge.ErrorCode(err) != labelbridge.CodeInvalidRequest {
				t.Fatalf("PageCount: %v, want an invalid_request error", err)
			}
			return
		}
		if n < 1 {
			t.Fatalf("PageCount = %d without an error", n)
		}
		img, err := shared.Page(ctx, data, 1, Options{DPI: 72, WidthDots: 96, HeightDots: 144})
		if err != nil {
			if labelbridge.ErrorCode(err) != labelbridge.CodeInvalidRequest {
				t.Fatalf("Page: %v, want an invalid_request error", err)
			}
			return
		}
		if img.W != 96 || img.H != 144 {
			t.Fatalf("image is %dx%d, want 96x144", img.W, img.H)
		}
	})
}
