package daemon_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

func TestRawDocumentsArriveByteExact(t *testing.T) {
	zplSim, escSim, tsplSim := printertest.NewTCP(t), printertest.NewTCP(t), printertest.NewTCP(t)
	h := start(t,
		testPrinter{"zebra", zplSim.URL(), labelbridge.ZPL},
		testPrinter{"receipt", escSim.URL(), labelbridge.ESCPOS},
		testPrinter{"tsc", tsplSim.URL(), labelbridge.TSPL},
	)
	// Every byte value, with the control bytes ESC/POS is made of.
	binary := make([]byte, 0, 512)
	binary = append(binary, 0x1B, 0x40, 0x1D, 0x56, 0x42, 0x00, '\r', '\n')
	for i := range 256 {
		binary = append(binary, byte(i))
	}
	tspl := "SIZE 100 mm,150 mm\r\nGAP 2 mm,0\r\nCLS\r\nTEXT 50,50,\"3\",0,1,1,\"Hello \\[\"]TSPL\\[\"]\"\r\nPRINT 1,1\r\n"
	zpl := "^XA^CI28^FO50,50^A0N,40,40^FDสวัสดี ^FS^XZ\n"
	cases := []struct {
		name    string
		sim     *printertest.TCP
		printer string
		doc     map[string]any
		want    []byte
	}{
		{"ZPL", zplSim, "zebra", map[string]any{"kind": "raw", "language": "zpl", "content": zpl}, []byte(zpl)},
		{"ESCPOSBinary", escSim, "receipt", map[string]any{"kind": "raw", "language": "escpos", "content_base64": base64.StdEncoding.EncodeToString(binary)}, binary},
		{"TSPL", tsplSim, "tsc", map[string]any{"kind": "raw", "language": "tspl", "content": tspl}, []byte(tspl)},
	}
	c := h.dial()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.send(map[string]any{"type": "print", "id": tc.name, "job": map[string]any{"printer": tc.printer, "documents": []any{tc.doc}}})
			acc := c.read(5 * time.Second)
			if acc.str("type") != "accepted" || acc.str("id") != tc.name {
				t.Fatalf("reply %v, want accepted", acc)
			}
			fs := c.until(10*time.Second, jobFinal(acc.str("job_id")))
			if st := last(fs).str("state"); st != "done" {
				t.Fatalf("job ended %s", st)
			}
			if got := printertest.Received(t, tc.sim, printertest.LenAtLeast(len(tc.want))); !bytes.Equal(got, tc.want) {
				t.Fatalf("printer received %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestBatchOf600OverWebSocket(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"label-1", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	c.send(map[string]any{"type": "hello", "id": "h", "client": "test"})
	if w := c.read(5 * time.Second); w.str("type") != "welcome" || w.num("protocol") != 1 {
		t.Fatalf("hello reply %v", w)
	}
	docs := rawDocs("zpl", 600)
	c.send(map[string]any{"type": "print", "id": "batch", "job": map[string]any{"printer": "label-1", "documents": docs}})
	fs := c.until(60*time.Second, func(f frame) bool { return f.str("type") == "job" && labelbridge.JobState(f.str("state")).Final() })
	if fs[0].str("type") != "accepted" {
		t.Fatalf("first frame %v, want accepted before any event", fs[0])
	}
	seen := make([]bool, 600)
	var lastSeq int
	for _, f := range fs[1:] {
		seq := f.num("seq")
		if seq <= lastSeq {
			t.Fatalf("seq %d after %d: events must arrive in seq order", seq, lastSeq)
		}
		lastSeq = seq
		if f.str("type") == "document" {
			if f.str("state") != "sent" {
				t.Fatalf("document event %v", f)
			}
			seen[f.num("index")] = true
		}
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", f.str("at")); err != nil {
			t.Fatalf("at %q is not RFC 3339 UTC with milliseconds", f.str("at"))
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("no document event for index %d", i)
		}
	}
	if f := last(fs); f.str("state") != "done" || f.num("done") != 600 || f.num("total") != 600 {
		t.Fatalf("final event %v", f)
	}
	var want bytes.Buffer
	for _, d := range docs {
		want.WriteString(d["content"].(string))
	}
	if !bytes.Equal(printertest.Received(t, sim, printertest.LenAtLeast(want.Len())), want.Bytes()) {
		t.Fatal("printer did not receive the 600 documents complete and in order")
	}
}

func TestUnreachablePrinterWaitsOthersFlow(t *testing.T) {
	down, up := printertest.NewTCP(t), printertest.NewTCP(t)
	down.Refuse()
	h := start(t, testPrinter{"down", down.URL(), labelbridge.ZPL}, testPrinter{"up", up.URL(), labelbridge.ZPL})
	c := h.dial()
	c.send(map[string]any{"type": "print", "id": "a", "job": map[string]any{"printer": "down", "documents": rawDocs("zpl", 2)}})
	acc := c.read(5 * time.Second)
	idDown := acc.str("job_id")
	w := last(c.until(10*time.Second, func(f frame) bool { return f.str("state") == "waiting" }))
	if w.errCode() != "printer_unreachable" {
		t.Fatalf("waiting event %v, want error printer_unreachable", w)
	}
	c.send(map[string]any{"type": "print", "id": "b", "job": map[string]any{"printer": "up", "documents": rawDocs("zpl", 2)}})
	idUp := c.read(5 * time.Second).str("job_id")
	if st := last(c.until(10*time.Second, jobFinal(idUp))).str("state"); st != "done" {
		t.Fatalf("second printer's job ended %s", st)
	}
	c.send(map[string]any{"type": "printers", "id": "p"})
	ps := c.until(5*time.Second, func(f frame) bool { return f.str("type") == "printers" })
	if !strings.Contains(fmt.Sprint(last(ps)["printers"]), "printer_unreachable") {
		t.Fatalf("printers reply %v does not say the printer is unreachable", last(ps))
	}
	down.Accept()
	if st := last(c.until(15*time.Second, jobFinal(idDown))).str("state"); st != "done" {
		t.Fatalf("job ended %s after the printer came back", st)
	}
	if n := strings.Count(string(printertest.Received(t, down, printertest.CountAtLeast("^XA", 2))), "^XA"); n != 2 {
		t.Fatalf("printer got %d labels, want 2", n)
	}
}

func TestIdempotencyKeyPrintsOnce(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"p", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	job := map[string]any{"printer": "p", "idempotency_key": "B-2-003/label/576682230865707864", "documents": rawDocs("zpl", 1)}
	c.send(map[string]any{"type": "print", "id": "1", "job": job})
	first := c.read(5 * time.Second)
	c.until(10*time.Second, jobFinal(first.str("job_id")))
	c.send(map[string]any{"type": "print", "id": "2", "job": job})
	second := c.read(5 * time.Second)
	if second.str("type") != "accepted" || second["duplicate"] != true || second.str("job_id") != first.str("job_id") {
		t.Fatalf("repeat reply %v, want accepted duplicate with job %s", second, first.str("job_id"))
	}
	if first["duplicate"] != false {
		t.Fatalf("first reply %v, want duplicate:false", first)
	}
	job["copies"] = 2
	c.send(map[string]any{"type": "print", "id": "3", "job": job})
	if f := c.read(5 * time.Second); f.errCode() != "idempotency_conflict" {
		t.Fatalf("same key, different body: %v", f)
	}
	time.Sleep(100 * time.Millisecond)
	if n := strings.Count(string(sim.Bytes()), "^XA"); n != 1 {
		t.Fatalf("printed %d times, want once", n)
	}
}

func TestBadRequestsGetPreciseErrors(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"label-1", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	huge := bytes.Repeat([]byte("x"), 100<<20)
	hugeFrame := append([]byte(`{"type":"print","id":"big","job":{"printer":"label-1","documents":[{"kind":"raw","language":"zpl","content":"`), huge...)
	hugeFrame = append(hugeFrame, []byte(`"}]}}`)...)
	doc := func(extra map[string]any) map[string]any {
		d := map[string]any{"kind": "raw", "language": "zpl", "content": "^XA^XZ"}
		for k, v := range extra {
			if v == nil {
				delete(d, k)
			} else {
				d[k] = v
			}
		}
		return d
	}
	print := func(job map[string]any) []byte {
		return mustJSON(map[string]any{"type": "print", "id": "x", "job": job})
	}
	cases := []struct {
		name     string
		frame    []byte
		wantCode string
		wantPath string
		wantID   bool
	}{
		{"MalformedJSON", []byte(`{"type":"print","id":"x","job":{`), "bad_json", "", true},
		{"NotAnObject", []byte(`[1,2,3]`), "bad_json", "", false},
		{"UnknownType", []byte(`{"type":"prnt","id":"x"}`), "unknown_type", "", true},
		{"MissingType", []byte(`{"id":"x"}`), "invalid_request", "type", true},
		{"MissingJob", []byte(`{"type":"print","id":"x"}`), "invalid_request", "job", true},
		{"MissingPrinter", print(map[string]any{"documents": []any{doc(nil)}}), "invalid_request", "job.printer", true},
		{"UnknownPrinter", print(map[string]any{"printer": "nope", "documents": []any{doc(nil)}}), "unknown_printer", "job.printer", true},
		{"NoDocuments", print(map[string]any{"printer": "label-1", "documents": []any{}}), "invalid_request", "job.documents", true},
		{"DocumentsNotArray", print(map[string]any{"printer": "label-1", "documents": "x"}), "invalid_request", "job.documents", true},
		{"MissingKind", print(map[string]any{"printer": "label-1", "documents": []any{doc(nil), doc(map[string]any{"kind": nil})}}), "invalid_request", "job.documents[1].kind", true},
		{"WrongType", print(map[string]any{"printer": "label-1", "documents": []any{doc(map[string]any{"language": 7})}}), "invalid_request", "job.documents[0].language", true},
		{"WrongLanguage", print(map[string]any{"printer": "label-1", "documents": []any{doc(map[string]any{"language": "tspl"})}}), "invalid_request", "job.documents[0].language", true},
		{"BadBase64", print(map[string]any{"printer": "label-1", "documents": []any{doc(map[string]any{"content": nil, "content_base64": "@@@"})}}), "invalid_request", "job.documents[0].content_base64", true},
		{"UnknownField", print(map[string]any{"printer": "label-1", "copise": 2, "documents": []any{doc(nil)}}), "invalid_request", "job.copise", true},
		{"CopiesOutOfRange", print(map[string]any{"printer": "label-1", "copies": 0, "documents": []any{doc(nil)}}), "invalid_request", "job.copies", true},
		{"UnsupportedKind", print(map[string]any{"printer": "label-1", "documents": []any{doc(map[string]any{"kind": "hologram"})}}), "unsupported_kind", "job.documents[0].kind", true},
		{"TooManyDocuments", print(map[string]any{"printer": "label-1", "documents": rawDocs("zpl", 1001)}), "too_large", "job.documents", true},
		{"HundredMiBFrame", hugeFrame, "too_large", "", true},
		{"GetJobNotFound", []byte(`{"type":"get_job","id":"x","job_id":"nope"}`), "not_found", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.sendRaw(tc.frame)
			f := c.read(30 * time.Second)
			if f.str("type") != "error" || f.errCode() != tc.wantCode || f.errPath() != tc.wantPath {
				t.Fatalf("reply %v\nwant error %s at path %q", f, tc.wantCode, tc.wantPath)
			}
			if tc.wantID && f.str("id") != "x" && f.str("id") != "big" {
				t.Fatalf("reply %v does not echo the id", f)
			}
			if !tc.wantID {
				if _, has := f["id"]; has {
					t.Fatalf("reply %v has an id though the request had none", f)
				}
			}
			// The same connection keeps working.
			c.send(map[string]any{"type": "printers", "id": "after"})
			if f := c.read(5 * time.Second); f.str("type") != "printers" || f.str("id") != "after" {
				t.Fatalf("after the error the connection answered %v", f)
			}
		})
	}
	if len(sim.Bytes()) != 0 {
		t.Fatal("a rejected request printed something")
	}
}

func TestResubscribeGetsMissedEvents(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"p", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	c.send(map[string]any{"type": "subscribe", "id": "s", "since": 0})
	if f := c.read(5 * time.Second); f.str("type") != "subscribed" {
		t.Fatalf("reply %v", f)
	}
	c.send(map[string]any{"type": "print", "id": "1", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 5)}})
	id1 := c.read(5 * time.Second).str("job_id")
	got := c.until(10*time.Second, jobFinal(id1))
	lastSeq := last(got).num("seq")
	c.ws.Close()

	// While the client is away, another job runs.
	other := h.dial()
	other.send(map[string]any{"type": "print", "id": "2", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 7)}})
	id2 := other.read(5 * time.Second).str("job_id")
	missed := other.until(10*time.Second, jobFinal(id2))

	back := h.dial()
	back.send(map[string]any{"type": "subscribe", "id": "again", "since": lastSeq})
	sub := back.read(5 * time.Second)
	if sub.str("type") != "subscribed" || sub.num("seq") != last(missed).num("seq") || sub.num("oldest") != 1 {
		t.Fatalf("subscribed reply %v", sub)
	}
	replay := back.until(5*time.Second, jobFinal(id2))
	if len(replay) != len(missed) {
		t.Fatalf("replayed %d events, the client missed %d", len(replay), len(missed))
	}
	for i, f := range replay {
		if f.num("seq") != lastSeq+1+i {
			t.Fatalf("replay event %d has seq %d, want %d", i, f.num("seq"), lastSeq+1+i)
		}
	}
	// And live events follow.
	other.send(map[string]any{"type": "print", "id": "3", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 1)}})
	id3 := other.read(5 * time.Second).str("job_id")
	if f := last(back.until(10*time.Second, jobFinal(id3))); f.num("seq") <= last(missed).num("seq") {
		t.Fatalf("live event %v", f)
	}
}

func TestGetJobAndCancel(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.Refuse()
	h := start(t, testPrinter{"p", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	c.send(map[string]any{"type": "print", "id": "1", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 3)}})
	id := c.read(5 * time.Second).str("job_id")
	c.until(10*time.Second, func(f frame) bool { return f.str("state") == "waiting" })
	c.send(map[string]any{"type": "get_job", "id": "g", "job_id": id})
	st := c.until(5*time.Second, func(f frame) bool { return f.str("type") == "job_status" })
	job := last(st)["job"].(map[string]any)
	docs := job["documents"].([]any)
	if job["state"] != "waiting" || len(docs) != 3 || docs[2].(map[string]any)["ref"] != "order-0002" || docs[0].(map[string]any)["state"] != "pending" {
		t.Fatalf("job_status %v", job)
	}
	c.send(map[string]any{"type": "cancel", "id": "c", "job_id": id})
	// The reply and the job's final event may come in either order.
	var ok bool
	var final frame
	c.until(10*time.Second, func(f frame) bool {
		ok = ok || (f.str("type") == "ok" && f.str("id") == "c")
		if jobFinal(id)(f) {
			final = f
		}
		return ok && final != nil
	})
	if final.str("state") != "cancelled" {
		t.Fatalf("cancel: final event %v", final)
	}
	sim.Accept()
	time.Sleep(200 * time.Millisecond)
	if len(sim.Bytes()) != 0 {
		t.Fatal("a cancelled job printed")
	}
}

func TestHTTPAPI(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"p", sim.URL(), labelbridge.ZPL})
	base := "http://" + h.s.Addr()
	post := func(body string) (int, string) {
		resp, err := http.Post(base+"/v1/jobs", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post(`{"printer":"p","documents":[{"kind":"raw","language":"zpl","content":"^XA^FDhttp^FS^XZ"}]}`)
	if code != http.StatusAccepted || !strings.Contains(body, `"job_id":"j`) {
		t.Fatalf("POST /v1/jobs = %d %s", code, body)
	}
	if code, body := post(`{"printer":"p","documents":[{"kind":"raw"}]}`); code != http.StatusBadRequest || !strings.Contains(body, `"path":"job.documents[0].language"`) {
		t.Fatalf("bad job = %d %s", code, body)
	}
	if code, body := post(`{"printer":"nope","documents":[]}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, "unknown_printer") {
		t.Fatalf("unknown printer = %d %s", code, body)
	}
	for _, path := range []string{"/v1/printers", "/healthz", "/"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.StatusCode)
		}
	}
	resp, err := http.Get(base + "/v1/jobs/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET unknown job = %d", resp.StatusCode)
	}
}

func TestOriginAndHostChecks(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := &harness{t: t, dir: t.TempDir(), ps: []testPrinter{{"p", sim.URL(), labelbridge.ZPL}}}
	h.config.AllowedOrigins = []string{"https://seller.example.com", "https://*.shop.example"}
	h.open()
	t.Cleanup(h.close)
	cases := []struct {
		name, origin, host string
		want               int
	}{
		{"AllowedOrigin", "https://seller.example.com", "", http.StatusOK},
		{"WildcardOrigin", "https://a.shop.example", "", http.StatusOK},
		{"OtherOrigin", "https://evil.example", "", http.StatusForbidden},
		{"WildcardIsNotApex", "https://shop.example", "", http.StatusForbidden},
		{"ForgedHost", "", "evil.example:9110", http.StatusForbidden},
		{"NoOriginLoopback", "", "", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+h.s.Addr()+"/v1/printers", nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.host != "" {
				req.Host = tc.host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
