//go:build linux || darwin

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// threePagePDF is a 100x150 mm PDF whose pages say which they are, in big
// letters and as bars of different widths, so each prints differently.
func threePagePDF(t *testing.T) []byte {
	t.Helper()
	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	for p := 1; p <= 3; p++ {
		doc.AddPage()
		doc.SetFont("Helvetica", "B", 40)
		doc.Text(10, 40, fmt.Sprintf("PAGE %d", p))
		for i := 0; i < 10*p; i++ {
			doc.Rect(10+float64(i)*2.5, 60, 1.2, 40, "F")
		}
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPDFPrintsPageByPage(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL)
	m := startMain(t, "printers:\n  - name: p\n    connection: "+sim.URL()+"\n    language: zpl\n")
	content := base64.StdEncoding.EncodeToString(threePagePDF(t))

	t.Run("EveryPage", func(t *testing.T) {
		w := submit(t, m.Server.Addr(), map[string]any{"printer": "p", "documents": []any{
			map[string]any{"ref": "awb-batch", "kind": "pdf", "content_base64": content}}})
		evs := w.until(2*time.Minute, isFinal)
		if last := evs[len(evs)-1]; last["state"] != "done" || last["total"] != float64(3) {
			t.Fatalf("job ended %v", last)
		}
		pages := map[float64]bool{}
		for _, f := range evs {
			if f["type"] == "document" && f["state"] == "sent" {
				if f["ref"] != "awb-batch" {
					t.Fatalf("page event %v lost its ref", f)
				}
				pages[f["page"].(float64)] = true
			}
		}
		if len(pages) != 3 || !pages[1] || !pages[2] || !pages[3] {
			t.Fatalf("page events for %v, want pages 1, 2, 3", pages)
		}
		docs := sim.Documents()
		if len(docs) != 3 || bytes.Equal(docs[0].Data, docs[1].Data) || !bytes.Contains(docs[0].Data, []byte("^GF")) {
			t.Fatalf("printer got %d documents, want 3 different ^GF labels", len(docs))
		}
	})
	t.Run("SomePages", func(t *testing.T) {
		w := submit(t, m.Server.Addr(), map[string]any{"printer": "p", "documents": []any{
			map[string]any{"kind": "pdf", "content_base64": content, "pages": "2-3", "fit": "fill", "rotate": 0}}})
		if last := w.until(2*time.Minute, isFinal); last[len(last)-1]["total"] != float64(2) {
			t.Fatalf("pages 2-3 made %v documents", last[len(last)-1]["total"])
		}
	})
	for _, tc := range []struct {
		name string
		doc  map[string]any
		path string
	}{
		{"ErrCorrupt", map[string]any{"kind": "pdf", "content_base64": base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 broken"))}, "job.documents[0].content_base64"},
		{"ErrPageOutOfRange", map[string]any{"kind": "pdf", "content_base64": content, "pages": "4"}, "job.documents[0].pages"},
		{"ErrFit", map[string]any{"kind": "pdf", "content_base64": content, "fit": "stretch"}, "job.documents[0].fit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := postJSON(t, "http://"+m.Server.Addr()+"/v1/jobs", map[string]any{"printer": "p", "documents": []any{tc.doc}})
			if code != 400 || !bytes.Contains(body, []byte(`"path":"`+tc.path+`"`)) {
				t.Fatalf("%d %s; want 400 at %s", code, body, tc.path)
			}
		})
	}
}

func postJSON(t *testing.T, url string, v any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(v)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}
