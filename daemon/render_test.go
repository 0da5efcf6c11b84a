package daemon_test

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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

func sampleOrders(t *testing.T) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "label", "testdata", "samples", "orders-3.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b.Orders
}

func TestShippingLabelsPrintAndPreview(t *testing.T) {
	zebra, tsc := printertest.NewTCP(t), printertest.NewTCP(t)
	h := start(t, testPrinter{"zebra", zebra.URL(), labelbridge.ZPL}, testPrinter{"tsc", tsc.URL(), labelbridge.TSPL})
	orders := sampleOrders(t)
	c := h.dial()

	t.Run("PrintRendersEachOrder", func(t *testing.T) {
		docs := []any{}
		for _, o := range orders {
			docs = append(docs, map[string]any{"kind": "shipping_label", "data": o})
		}
		docs = append(docs, map[string]any{"kind": "pick_list", "data": map[string]any{"batch_id": "B-1", "orders": orders}})
		for _, p := range []string{"zebra", "tsc"} {
			c.send(map[string]any{"type": "print", "id": p, "job": map[string]any{"printer": p, "documents": docs}})
			id := c.read(10 * time.Second).str("job_id")
			if st := last(c.until(60*time.Second, jobFinal(id))).str("state"); st != "done" {
				t.Fatalf("%s job ended %s", p, st)
			}
		}
		if n := bytes.Count(printertest.Received(t, zebra, printertest.CountAtLeast("^XZ", 4)), []byte("^XA")); n < 4 {
			t.Fatalf("ZPL printer got %d labels, want at least 4", n)
		}
		if n := bytes.Count(printertest.Received(t, tsc, printertest.CountAtLeast("PRINT 1", 4)), []byte("PRINT 1")); n < 4 {
			t.Fatalf("TSPL printer got %d PRINT commands, want at least 4", n)
		}
	})
	t.Run("BadOrderNamesTheField", func(t *testing.T) {
		var bad map[string]any
		json.Unmarshal(orders[0], &bad)
		bad["tracking_number"] = 12345
		c.send(map[string]any{"type": "print", "id": "bad", "job": map[string]any{"printer": "zebra", "documents": []any{
			map[string]any{"kind": "raw", "language": "zpl", "content": "^XA^XZ"},
			map[string]any{"kind": "shipping_label", "data": bad}}}})
		f := c.until(5*time.Second, func(f frame) bool { return f.str("id") == "bad" })
		if e := last(f); e.errCode() != "invalid_request" || e.errPath() != "job.documents[1].data.tracking_number" {
			t.Fatalf("reply %v", e)
		}
	})
	t.Run("PreviewOverWebSocket", func(t *testing.T) {
		c.send(map[string]any{"type": "preview", "id": "pv", "printer": "zebra", "document": map[string]any{"kind": "shipping_label", "data": orders[0]}})
		f := last(c.until(10*time.Second, func(f frame) bool { return f.str("id") == "pv" }))
		pages, _ := f["pages"].([]any)
		if f.str("type") != "preview" || len(pages) != 1 {
			t.Fatalf("preview reply %v", f)
		}
		b, _ := base64.StdEncoding.DecodeString(pages[0].(map[string]any)["png_base64"].(string))
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != 799 {
			t.Fatalf("preview PNG: %v, width %d, want 799 dots (100 mm at 203 dpi)", err, img.Bounds().Dx())
		}
	})
	t.Run("PreviewOverHTTP", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"printer": "tsc", "document": map[string]any{"kind": "shipping_label", "size": "100x75mm", "data": orders[1]}})
		resp, err := http.Post("http://"+h.s.Addr()+"/v1/preview", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("POST /v1/preview = %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dy() != 599 {
			t.Fatalf("preview PNG: %v, height %d, want 599 dots (75 mm at 203 dpi)", err, img.Bounds().Dy())
		}
		// A pick list of every order runs over several labels: ?page=N
		// picks one, X-Pages counts them.
		pick, _ := json.Marshal(map[string]any{"printer": "tsc", "document": map[string]any{"kind": "pick_list", "size": "100x75mm",
			"data": map[string]any{"batch_id": "B-1", "orders": orders}}})
		post := func(query string) (*http.Response, []byte) {
			resp, err := http.Post("http://"+h.s.Addr()+"/v1/preview"+query, "application/json", bytes.NewReader(pick))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, b
		}
		first, firstPNG := post("")
		n, _ := strconv.Atoi(first.Header.Get("X-Pages"))
		if first.StatusCode != http.StatusOK || n < 2 {
			t.Fatalf("pick list preview = %d with X-Pages %q; want several pages", first.StatusCode, first.Header.Get("X-Pages"))
		}
		second, secondPNG := post("?page=2")
		if second.StatusCode != http.StatusOK || second.Header.Get("X-Pages") != first.Header.Get("X-Pages") || bytes.Equal(firstPNG, secondPNG) {
			t.Fatalf("?page=2 = %d, X-Pages %q, same PNG as page 1: %v", second.StatusCode, second.Header.Get("X-Pages"), bytes.Equal(firstPNG, secondPNG))
		}
		if past, b := post(fmt.Sprintf("?page=%d", n+1)); past.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"path":"page"`) {
			t.Fatalf("?page=%d of %d = %d %s; want 400 at page", n+1, n, past.StatusCode, b)
		}
		resp2, _ := http.Post("http://"+h.s.Addr()+"/v1/preview", "application/json", strings.NewReader(`{"printer":"tsc","document":{"kind":"shipping_label","data":{}}}`))
		b2, _ := io.ReadAll(resp2.Body)
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusBadRequest || !strings.Contains(string(b2), `"path":"document.data.`) {
			t.Fatalf("bad preview = %d %s", resp2.StatusCode, b2)
		}
	})
}

func TestStatusPageAPIs(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"zebra", sim.URL(), labelbridge.ZPL})
	base := "http://" + h.s.Addr()
	post := func(path string) (int, map[string]any) {
		resp, err := http.Post(base+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	code, m := post("/v1/printers/zebra/test")
	if code != http.StatusAccepted {
		t.Fatalf("test print = %d %v", code, m)
	}
	first := m["job_id"].(string)
	got := printertest.Received(t, sim, printertest.CountAtLeast("^XZ", 1))
	if !bytes.Contains(got, []byte("^XA")) || bytes.Contains(got, []byte("^XA ~")) {
		t.Fatalf("test label: %q", got[:min(len(got), 80)])
	}
	code, m = post("/v1/jobs/" + first + "/reprint")
	if code != http.StatusAccepted || m["job_id"] == first {
		t.Fatalf("reprint = %d %v", code, m)
	}
	printertest.Received(t, sim, printertest.CountAtLeast("^XZ", 2))
	if code, _ := post("/v1/jobs/nope/reprint"); code != http.StatusNotFound {
		t.Fatalf("reprint unknown = %d", code)
	}
	if code, _ := post("/v1/printers/nope/test"); code != http.StatusUnprocessableEntity {
		t.Fatalf("test print unknown printer = %d", code)
	}
	resp, err := http.Get(base + "/v1/jobs?limit=10")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Jobs []map[string]any `json:"jobs"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Jobs) != 2 || list.Jobs[0]["job_id"] != m["job_id"] && list.Jobs[1]["job_id"] != first {
		t.Fatalf("jobs list %v", list.Jobs)
	}
	resp, err = http.Get(base + "/v1/client.js")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(js), "export") || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("client.js = %d, %d bytes", resp.StatusCode, len(js))
	}
}

func TestCorruptImageIsRefusedOthersPrint(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"zebra", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	corrupt := base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0xEE}, 64)...))
	c.send(map[string]any{"type": "print", "id": "img", "job": map[string]any{"printer": "zebra", "documents": []any{
		map[string]any{"kind": "image", "content_base64": corrupt}}}})
	if f := c.read(5 * time.Second); f.errCode() != "invalid_request" || f.errPath() != "job.documents[0].content_base64" {
		t.Fatalf("corrupt PNG: %v", f)
	}
	c.send(map[string]any{"type": "print", "id": "ok", "job": map[string]any{"printer": "zebra", "documents": rawDocs("zpl", 1)}})
	id := c.read(5 * time.Second).str("job_id")
	if st := last(c.until(10*time.Second, jobFinal(id))).str("state"); st != "done" {
		t.Fatalf("the next job ended %s", st)
	}
}
