//go:build linux || darwin

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/gorilla/websocket"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label/barcode"
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
	t.Run("PreviewEveryPageAsked", func(t *testing.T) {
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+m.Server.Addr()+"/v1/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.WriteJSON(map[string]any{"type": "preview", "id": "v", "printer": "p",
			"document": map[string]any{"kind": "pdf", "content_base64": content, "pages": "2-3"}})
		var reply struct {
			Type  string `json:"type"`
			Pages []struct {
				Page int    `json:"page"`
				PNG  []byte `json:"png_base64"`
			} `json:"pages"`
		}
		ws.SetReadDeadline(time.Now().Add(time.Minute))
		if err := ws.ReadJSON(&reply); err != nil || reply.Type != "preview" {
			t.Fatalf("preview: %+v %v", reply, err)
		}
		if len(reply.Pages) != 2 || reply.Pages[0].Page != 2 || reply.Pages[1].Page != 3 || bytes.Equal(reply.Pages[0].PNG, reply.Pages[1].PNG) {
			t.Fatalf("preview of pages 2-3 gave %d pages", len(reply.Pages))
		}
		for _, pg := range reply.Pages {
			img, err := png.Decode(bytes.NewReader(pg.PNG))
			if err != nil {
				t.Fatalf("page %d preview: %v", pg.Page, err)
			}
			if b := img.Bounds(); b.Dx() != 799 || b.Dy() != 1198 {
				t.Fatalf("page %d preview is %v, want 799x1198 (100x150 mm at 203 dpi)", pg.Page, b)
			}
		}

		// Over HTTP, ?page=N picks the Nth of the pages asked for.
		b, _ := json.Marshal(map[string]any{"printer": "p", "document": map[string]any{"kind": "pdf", "content_base64": content, "pages": "2-3"}})
		resp, err := http.Post("http://"+m.Server.Addr()+"/v1/preview?page=2", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Pages") != "2" || resp.Header.Get("X-PDF-Page") != "3" || !bytes.Equal(body, reply.Pages[1].PNG) {
			t.Fatalf("POST /v1/preview?page=2 = %d, X-Pages %q, X-PDF-Page %q; want page 3 as over WebSocket",
				resp.StatusCode, resp.Header.Get("X-Pages"), resp.Header.Get("X-PDF-Page"))
		}
	})
	t.Run("ErrPreviewTooManyPages", func(t *testing.T) {
		doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
		for range 51 {
			doc.AddPage()
		}
		var buf bytes.Buffer
		if err := doc.Output(&buf); err != nil {
			t.Fatal(err)
		}
		ws, _, err := websocket.DefaultDialer.Dial("ws://"+m.Server.Addr()+"/v1/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.Close()
		ws.WriteJSON(map[string]any{"type": "preview", "id": "v", "printer": "p",
			"document": map[string]any{"kind": "pdf", "content_base64": base64.StdEncoding.EncodeToString(buf.Bytes())}})
		var f map[string]any
		ws.SetReadDeadline(time.Now().Add(time.Minute))
		if err := ws.ReadJSON(&f); err != nil || f["type"] != "error" || errCode(f) != "too_large" {
			t.Fatalf("preview of 51 pages: %v %v; want too_large", f, err)
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

// TestPreviewCommandPDF previews a PDF file as it came from a marketplace,
// offline: one PNG per page asked, and the printer bytes of each.
func TestPreviewCommandPDF(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "awb.pdf")
	if err := os.WriteFile(in, threePagePDF(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "awb.png")
	raw := filepath.Join(dir, "awb.tspl")
	code, stdout, stderr := runCmd(t, "preview", in, "-o", out, "--language", "tspl", "--pages", "2-3", "--bytes", raw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	second := filepath.Join(dir, "awb-2.png")
	for _, name := range []string{out, second} {
		b, err := os.ReadFile(name)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || !strings.Contains(stdout, name) {
			t.Fatalf("%s: %v, %d bytes; stdout %q", name, err, len(b), stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "awb-3.png")); err == nil {
		t.Fatal("pages 2-3 wrote a third PNG")
	}
	tspl, _ := os.ReadFile(raw)
	if got := bytes.Count(tspl, []byte("BITMAP ")); got != 2 {
		t.Fatalf("TSPL bytes hold %d BITMAP commands, want one a page", got)
	}
	if code, _, stderr := runCmd(t, "preview", in, "--pages", "5"); code != 1 || !strings.Contains(stderr, "document.pages") {
		t.Fatalf("page 5 of 3: exit %d, %q; want an error naming document.pages", code, stderr)
	}
}

// manyPagePDF is a PDF of n shipping labels, 100x150 mm, each page with its
// own tracking number as Code 128 bars and text.
func manyPagePDF(t *testing.T, n int) []byte {
	t.Helper()
	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 100, Ht: 150}})
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	for p := 1; p <= n; p++ {
		doc.AddPage()
		doc.SetFont("Helvetica", "B", 18)
		doc.Text(8, 14, fmt.Sprintf("AWB %04d", p))
		modules, err := barcode.Code128(fmt.Sprintf("TH%010d", p))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range barcode.Bars(modules) {
			doc.Rect(8+float64(b.Start)*0.33, 20, float64(b.End-b.Start)*0.33, 25, "F")
		}
		doc.SetFont("Helvetica", "", 11)
		doc.SetXY(8, 55)
		doc.MultiCell(84, 6, "TO: Somchai Jaidee, 99/1 Moo 4, Tambon Bang Phut, Amphoe Pak Kret, Nonthaburi 11120", "", "L", false)
	}
	var buf bytes.Buffer
	if err := doc.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPDF600PagesThroughTheDaemon sends a marketplace's 600-page PDF as one
// document: every page reaches the printer once, in order, as its own
// label with its own event, while the daemon's live heap stays flat (a
// page at a time, one copy of the file). The benchmark (scripts/bench) reports
// the pages a second and the peak resident memory.
func TestPDF600PagesThroughTheDaemon(t *testing.T) {
	n := 600
	if raceEnabled || testing.Short() {
		n = 60
	}
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL)
	m := startMain(t, "printers:\n  - name: p\n    connection: "+sim.URL()+"\n    language: zpl\n    media: 100x150mm\n")
	data := manyPagePDF(t, n)
	// The live heap (after a collection) once a sixth of the pages are
	// out, and again near the end: a page at a time keeps it flat. What
	// the simulator keeps of the labels it received is subtracted.
	live := func() (heap, received int64) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc), int64(len(sim.Data()))
	}
	early, late := n/6, n-n/10
	var heapEarly, simEarly, heapLate, simLate int64
	w := submit(t, m.Server.Addr(), map[string]any{"printer": "p", "documents": []any{
		map[string]any{"ref": "awb-600", "kind": "pdf", "content_base64": base64.StdEncoding.EncodeToString(data)}}})
	sentPages := map[float64]int{}
	sent := 0
	evs := w.until(10*time.Minute, func(f map[string]any) bool {
		if f["type"] == "document" && f["state"] == "sent" {
			sentPages[f["page"].(float64)]++
			sent++
			switch sent {
			case early:
				heapEarly, simEarly = live()
			case late:
				heapLate, simLate = live()
			}
		}
		return isFinal(f)
	})
	if last := evs[len(evs)-1]; last["state"] != "done" || last["total"] != float64(n) {
		t.Fatalf("job ended %v", last)
	}
	for p := 1; p <= n; p++ {
		if sentPages[float64(p)] != 1 {
			t.Fatalf("page %d was sent %d times", p, sentPages[float64(p)])
		}
	}
	docs := sim.Documents()
	if len(docs) != n {
		t.Fatalf("printer got %d documents, want %d", len(docs), n)
	}
	seen := map[string]bool{}
	for i, d := range docs {
		if !bytes.Contains(d.Data, []byte("^GFA")) || seen[string(d.Data)] {
			t.Fatalf("document %d is not a new ^GF label", i)
		}
		seen[string(d.Data)] = true
	}
	// Each page's raster (about 120 KB) and its copy of the file are
	// garbage once sent; keeping either would add that much a page. What
	// is left beyond the simulator's records is slack in growing slices.
	growth := (heapLate - heapEarly) - 2*(simLate-simEarly) // the simulator's copy and its parse
	perPage := growth / int64(late-early)
	t.Logf("%d pages, %d KiB PDF: live heap %d MiB at page %d, %d MiB at page %d; %d bytes a page beyond the simulator's",
		n, len(data)>>10, heapEarly>>20, early, heapLate>>20, late, perPage)
	// Scaled down (under -race), a few dozen pages are too few to tell a
	// page's worth from the noise of everything else; scripts/test runs
	// the full size.
	if n >= 600 && perPage > 16<<10 {
		t.Fatalf("the live heap grew by %d bytes a page printed, want a page at a time", perPage)
	}
}
