package daemon_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/auth"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

func TestTokens(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := &harness{t: t, dir: t.TempDir(), ps: []testPrinter{{"p", sim.URL(), labelbridge.ZPL}}}
	tokens, err := auth.Open(filepath.Join(h.dir, "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	dash, _ := tokens.New("dash", "https://seller.example.com", false)
	revoked, _ := tokens.New("old", "", false)
	tokens.Revoke("old")
	h.config.Tokens = tokens
	h.config.AllowedOrigins = []string{"https://seller.example.com", "https://other.example.com"}
	h.open()
	t.Cleanup(h.close)
	origin := func(o string) http.Header { return http.Header{"Origin": {o}} }

	t.Run("OKAllowedOriginValidToken", func(t *testing.T) {
		c := h.dialWith(origin("https://seller.example.com"))
		c.send(map[string]any{"type": "hello", "id": "h", "token": dash})
		if f := c.read(5 * time.Second); f.str("type") != "welcome" {
			t.Fatalf("hello reply %v", f)
		}
		c.send(map[string]any{"type": "print", "id": "p", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 1)}})
		id := c.read(5 * time.Second).str("job_id")
		if st := last(c.until(10*time.Second, jobFinal(id))).str("state"); st != "done" {
			t.Fatalf("job ended %s", st)
		}
	})
	refused := []struct {
		name   string
		origin string
		hello  map[string]any
	}{
		{"ErrWrongToken", "https://seller.example.com", map[string]any{"type": "hello", "id": "h", "token": dash + "x"}},
		{"ErrRevokedToken", "", map[string]any{"type": "hello", "id": "h", "token": revoked}},
		{"ErrTokenOfAnotherOrigin", "https://other.example.com", map[string]any{"type": "hello", "id": "h", "token": dash}},
		{"ErrNoHello", "", map[string]any{"type": "printers", "id": "h"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			var hdr http.Header
			if tc.origin != "" {
				hdr = origin(tc.origin)
			}
			c := h.dialWith(hdr)
			c.send(tc.hello)
			if f := c.read(5 * time.Second); f.errCode() != "unauthorized" || f.str("id") != "h" {
				t.Fatalf("reply %v, want unauthorized", f)
			}
			c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, _, err := c.ws.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
				t.Fatalf("after unauthorized: %v, want the connection closed", err)
			}
		})
	}
	t.Run("HTTPBearer", func(t *testing.T) {
		body := `{"printer":"p","documents":[{"kind":"raw","language":"zpl","content":"^XA^XZ"}]}`
		for _, tc := range []struct {
			name, auth string
			want       int
		}{{"OK", "Bearer " + dash, http.StatusAccepted}, {"ErrMissing", "", http.StatusUnauthorized}, {"ErrRevoked", "Bearer " + revoked, http.StatusUnauthorized}} {
			req, _ := http.NewRequest("POST", "http://"+h.s.Addr()+"/v1/jobs", strings.NewReader(body))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
			}
		}
	})
}

func TestDisallowedOriginCannotUpgradeAndIsPending(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := &harness{t: t, dir: t.TempDir(), ps: []testPrinter{{"p", sim.URL(), labelbridge.ZPL}}}
	h.config.AllowedOrigins = []string{"https://seller.example.com"}
	h.config.OriginsFile = filepath.Join(h.dir, "origins.json")
	h.open()
	t.Cleanup(h.close)
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+h.s.Addr()+"/v1/ws", http.Header{"Origin": {"https://evil.example"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("upgrade from a disallowed origin: err %v resp %v, want 403", err, resp)
	}
	get := func() string {
		resp, err := http.Get("http://" + h.s.Addr() + "/v1/origins")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if l := get(); !strings.Contains(l, `"pending":[{"origin":"https://evil.example"`) {
		t.Fatalf("origins %s: the refused origin is not pending", l)
	}
	resp, err = http.Post("http://"+h.s.Addr()+"/v1/origins", "application/json", strings.NewReader(`{"origin":"https://evil.example","allow":true}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("allow: %v %v", err, resp)
	}
	resp.Body.Close()
	h.dialWith(http.Header{"Origin": {"https://evil.example"}})
	// The decision survives a restart.
	h.close()
	h.open()
	h.dialWith(http.Header{"Origin": {"https://evil.example"}})
}

func TestPrivateNetworkPreflight(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := &harness{t: t, dir: t.TempDir(), ps: []testPrinter{{"p", sim.URL(), labelbridge.ZPL}}}
	h.config.AllowedOrigins = []string{"https://seller.example.com"}
	h.open()
	t.Cleanup(h.close)
	for _, tc := range []struct {
		origin    string
		wantAllow string
		status    int
	}{{"https://seller.example.com", "true", http.StatusNoContent}, {"https://evil.example", "", http.StatusForbidden}} {
		req, _ := http.NewRequest("OPTIONS", "http://"+h.s.Addr()+"/v1/jobs", nil)
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Private-Network", "true")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Access-Control-Allow-Private-Network") != tc.wantAllow {
			t.Errorf("%s: status %d, Allow-Private-Network %q", tc.origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Private-Network"))
		}
	}
}

func TestManyClientsEveryEventInOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	// The size: 200 clients, 50 jobs each, 10,000 jobs.
	clients, jobsEach := 200, 50
	if raceEnabled || testing.Short() {
		clients, jobsEach = 40, 5
	}
	a, b := printertest.NewTCP(t), printertest.NewTCP(t)
	h := &harness{t: t, dir: t.TempDir(), ps: []testPrinter{{"a", a.URL(), labelbridge.ZPL}, {"b", b.URL(), labelbridge.ZPL}}}
	h.open()

	// Two subscribers watch everything.
	subs := []*client{h.dial(), h.dial()}
	for _, s := range subs {
		s.send(map[string]any{"type": "subscribe", "id": "s", "since": 0})
		if f := s.read(5 * time.Second); f.str("type") != "subscribed" {
			t.Fatalf("subscribe: %v", f)
		}
	}
	total := clients * jobsEach
	var subWG sync.WaitGroup
	subErr := make([]error, len(subs))
	for i, s := range subs {
		subWG.Add(1)
		go func() {
			defer subWG.Done()
			final, lastSeq := 0, 0
			for final < total {
				s.ws.SetReadDeadline(time.Now().Add(120 * time.Second))
				var f frame
				if err := s.ws.ReadJSON(&f); err != nil {
					subErr[i] = fmt.Errorf("after %d final events: %v", final, err)
					return
				}
				if seq := f.num("seq"); seq != lastSeq+1 {
					subErr[i] = fmt.Errorf("seq %d after %d: a subscriber must see every event in order", seq, lastSeq)
					return
				} else {
					lastSeq = seq
				}
				if f.str("type") == "job" && labelbridge.JobState(f.str("state")).Final() {
					final++
				}
			}
		}()
	}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, _, err := websocket.DefaultDialer.Dial("ws://"+h.s.Addr()+"/v1/ws", nil)
			if err != nil {
				errs <- err
				return
			}
			defer ws.Close()
			printer := []string{"a", "b"}[i%2]
			for j := range jobsEach {
				ws.WriteJSON(map[string]any{"type": "print", "id": j, "job": map[string]any{"printer": printer,
					"documents": []any{map[string]any{"kind": "raw", "language": "zpl", "content": fmt.Sprintf("^XA^FD%d-%d^FS^XZ", i, j)}}}})
			}
			done, lastSeq := 0, 0
			for done < jobsEach {
				ws.SetReadDeadline(time.Now().Add(120 * time.Second))
				var f frame
				if err := ws.ReadJSON(&f); err != nil {
					errs <- fmt.Errorf("client %d after %d jobs: %v", i, done, err)
					return
				}
				if seq := f.num("seq"); seq != 0 {
					if seq <= lastSeq {
						errs <- fmt.Errorf("client %d: seq %d after %d", i, seq, lastSeq)
						return
					}
					lastSeq = seq
				}
				if f.str("type") == "job" && f.str("state") == "done" {
					done++
				}
				if f.str("type") == "error" || f.str("state") == "failed" {
					errs <- fmt.Errorf("client %d: %v", i, f)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	subWG.Wait()
	for _, err := range subErr {
		if err != nil {
			t.Error(err)
		}
	}
	half := total / 2
	if got := strings.Count(string(printertest.Received(t, a, printertest.CountAtLeast("^XA", half))), "^XA") + strings.Count(string(printertest.Received(t, b, printertest.CountAtLeast("^XA", total-half))), "^XA"); got != total {
		t.Errorf("printers got %d labels, want %d", got, total)
	}
	for _, s := range subs {
		s.ws.Close()
	}
	h.close()
	a.Close()
	b.Close()
}

func TestSlowReaderIsCutOffOthersCarryOn(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := &harness{t: t, dir: t.TempDir(), ps: []testPrinter{{"p", sim.URL(), labelbridge.ZPL}}}
	h.config.WriteTimeout = 2 * time.Second
	h.open()
	t.Cleanup(h.close)
	slow := h.dial()
	slow.send(map[string]any{"type": "subscribe", "id": "s", "since": 0})
	// slow never reads again.
	fast := h.dial()
	fast.send(map[string]any{"type": "subscribe", "id": "s", "since": 0})
	fast.read(5 * time.Second)
	var ids []string
	for range 5 {
		fast.send(map[string]any{"type": "print", "id": "p", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 1000)}})
	}
	events := 0
	for len(ids) < 5 {
		f := fast.read(60 * time.Second)
		if f.str("type") == "job" && f.str("state") == "done" {
			ids = append(ids, f.str("job_id"))
		}
		if f.num("seq") > 0 {
			events++
		}
	}
	if events < 5000 {
		t.Fatalf("only %d events produced", events)
	}
	// The slow client was disconnected: it can drain what its socket holds,
	// then the connection ends.
	slow.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	var err error
	for err == nil {
		_, _, err = slow.ws.ReadMessage()
	}
	// A client that does not read cannot be told why in-band: the close
	// frame waits behind the frames it never read. What matters is that it
	// was dropped (its read ends) rather than kept with an unbounded backlog.
	if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		t.Fatalf("slow client still connected after %d events: %v", events, err)
	}
}

func TestHostileFrames(t *testing.T) {
	sim := printertest.NewTCP(t)
	h := start(t, testPrinter{"p", sim.URL(), labelbridge.ZPL})
	c := h.dial()
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	cases := []struct {
		name  string
		frame []byte
		code  string
	}{
		{"DeepJSON", []byte(`{"type":"print","id":"x","job":` + deep + `}`), "bad_json"},
		{"DeepObject", []byte(`{"type":"print","id":"x","job":{"printer":"p","documents":[{"kind":"raw","language":"zpl","content":"a","data":` + deep + `}]}}`), "bad_json"},
		{"InvalidUTF8", append([]byte(`{"type":"print","id":"x","job":{"printer":"p`), 0xff, 0xfe, '"', '}', '}'), "unknown_printer"},
		{"NullBytes", []byte("{\"type\":\"hello\x00\",\"id\":\"x\"}"), "bad_json"},
		{"NumberID", []byte(`{"type":"nope","id":12}`), "unknown_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.sendRaw(tc.frame)
			if f := c.read(10 * time.Second); f.errCode() != tc.code {
				t.Fatalf("reply %v, want %s", f, tc.code)
			}
		})
	}
	t.Run("TenThousandTinyRequests", func(t *testing.T) {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		go func() {
			for i := range 10000 {
				c.ws.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"type":"printers","id":%d}`, i))
			}
		}()
		ok, limited := 0, 0
		for ok+limited < 10000 {
			f := c.read(30 * time.Second)
			switch {
			case f.str("type") == "printers":
				ok++
			case f.errCode() == "rate_limited":
				limited++
			default:
				t.Fatalf("unexpected reply %v", f)
			}
		}
		if ok == 0 || limited == 0 {
			t.Fatalf("%d answered, %d rate limited: want both", ok, limited)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if grow := int64(ms.HeapAlloc) - int64(before); grow > 64<<20 {
			t.Fatalf("heap grew %d MiB over 10,000 requests", grow>>20)
		}
		// Still answering.
		time.Sleep(20 * time.Millisecond)
		c.send(map[string]any{"type": "printers", "id": "last"})
		if f := c.read(5 * time.Second); f.str("id") != "last" {
			t.Fatalf("after the flood: %v", f)
		}
	})
}

// TestFullDiskNeverAcceptsUnstoredJob puts the store on a 16 MiB tmpfs and
// fills it: print must answer an error, never accepted, and work again once
// there is room.
func TestFullDiskNeverAcceptsUnstoredJob(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("uses a Linux tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	sim := printertest.NewTCP(t)
	h := &harness{t: t, dir: mnt, ps: []testPrinter{{"p", sim.URL(), labelbridge.ZPL}}}
	h.open()
	t.Cleanup(h.close)
	c := h.dial()
	c.send(map[string]any{"type": "print", "id": "ok", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 1)}})
	if f := c.read(5 * time.Second); f.str("type") != "accepted" {
		t.Fatalf("first job: %v", f)
	}
	filler := filepath.Join(mnt, "filler")
	f, _ := os.Create(filler)
	io.Copy(f, bytes.NewReader(make([]byte, 32<<20))) // stops at ENOSPC
	f.Close()
	big := []map[string]any{{"kind": "raw", "language": "zpl", "content": strings.Repeat("^XA^FDfill^FS^XZ", 40000)}}
	c.send(map[string]any{"type": "print", "id": "full", "job": map[string]any{"printer": "p", "documents": big}})
	for {
		fr := c.read(10 * time.Second)
		if fr.str("id") != "full" {
			continue
		}
		if fr.str("type") != "error" || fr.errCode() != "internal" {
			t.Fatalf("print on a full disk answered %v, want an internal error", fr)
		}
		break
	}
	resp, err := http.Get("http://" + h.s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz on a full disk = %d, want 503", resp.StatusCode)
	}
	os.Remove(filler)
	c.send(map[string]any{"type": "print", "id": "again", "job": map[string]any{"printer": "p", "documents": rawDocs("zpl", 1)}})
	for {
		fr := c.read(10 * time.Second)
		if fr.str("id") == "again" {
			if fr.str("type") != "accepted" {
				t.Fatalf("after freeing space: %v", fr)
			}
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sim.Wait(ctx, func(b []byte) bool { return strings.Count(string(b), "^XA") == 2 }); err != nil {
		t.Fatalf("printer got %q: %v", sim.Bytes(), err)
	}
}
