//go:build linux || darwin

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// sampleOrders reads n orders of the 600-order sample.
func sampleOrders(t *testing.T, n int) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "label", "testdata", "samples", "orders-600.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	return b.Orders[:n]
}

// watcher follows one job's events over a real WebSocket.
type watcher struct {
	t  *testing.T
	ws *websocket.Conn
}

func submit(t *testing.T, addr string, job map[string]any) *watcher {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	ws.WriteJSON(map[string]any{"type": "print", "id": "p", "job": job})
	var acc map[string]any
	if err := ws.ReadJSON(&acc); err != nil || acc["type"] != "accepted" {
		t.Fatalf("print: %v %v", acc, err)
	}
	return &watcher{t: t, ws: ws}
}

// until reads events until stop says so; it fails the test at the deadline.
func (w *watcher) until(d time.Duration, stop func(map[string]any) bool) []map[string]any {
	w.t.Helper()
	var out []map[string]any
	w.ws.SetReadDeadline(time.Now().Add(d))
	for {
		var f map[string]any
		if err := w.ws.ReadJSON(&f); err != nil {
			w.t.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, f)
		if stop(f) {
			return out
		}
	}
}

func isFinal(f map[string]any) bool {
	return f["type"] == "job" && labelbridge.JobState(fmt.Sprint(f["state"])).Final()
}

func errCode(f map[string]any) string {
	e, _ := f["error"].(map[string]any)
	return fmt.Sprint(e["code"])
}

// TestPaperOutHoldsTheJob: for each language, the printer runs out of paper
// during a batch; the job must turn waiting with paper_out within two
// seconds, nothing may be sent while the printer is faulted, and the batch
// must finish, every label once, when paper is back.
func TestPaperOutHoldsTheJob(t *testing.T) {
	const n = 12
	orders := sampleOrders(t, n)
	for _, lang := range []labelbridge.Language{labelbridge.ZPL, labelbridge.TSPL, labelbridge.ESCPOS} {
		t.Run(string(lang), func(t *testing.T) {
			sim := printertest.NewTCP(t)
			sim.SetLanguage(lang)
			m := startMain(t, fmt.Sprintf("printers:\n  - name: p\n    connection: %s\n    language: %s\n", sim.URL(), lang))
			docs := make([]any, n)
			for i, o := range orders {
				docs[i] = map[string]any{"ref": fmt.Sprint(i), "kind": "shipping_label", "data": o}
			}
			w := submit(t, m.Server.Addr(), map[string]any{"printer": "p", "documents": docs})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if err := sim.Wait(ctx, func([]byte) bool { return len(sim.Documents()) >= 3 }); err != nil {
				t.Fatal(err)
			}
			sim.SetFault(labelbridge.CodePaperOut)
			faultAt := time.Now()
			evs := w.until(20*time.Second, func(f map[string]any) bool { return f["type"] == "job" && f["state"] == "waiting" })
			waiting := evs[len(evs)-1]
			if took := time.Since(faultAt); errCode(waiting) != "paper_out" || took > 2*time.Second {
				t.Fatalf("waiting event %v %v after the fault; want paper_out within 2s", waiting, took)
			}
			held := len(sim.Documents())
			time.Sleep(time.Second)
			if got := len(sim.Documents()); got != held {
				t.Fatalf("%d documents arrived while the printer was out of paper", got-held)
			}
			sim.ClearFault()
			evs = w.until(60*time.Second, isFinal)
			if last := evs[len(evs)-1]; last["state"] != "done" {
				t.Fatalf("job ended %v", last)
			}
			if err := sim.Wait(ctx, func([]byte) bool { return len(sim.Documents()) >= n }); err != nil {
				t.Fatalf("printer has %d documents: %v", len(sim.Documents()), err)
			}
			faulted, seen := 0, map[string]bool{}
			for _, d := range sim.Documents() {
				if d.Faulted {
					faulted++
				}
				seen[string(d.Data)] = true
			}
			if len(sim.Documents()) != n || len(seen) != n {
				t.Fatalf("printer got %d documents (%d distinct), want %d once each", len(sim.Documents()), len(seen), n)
			}
			// At most the one document already on its way when paper ran out.
			if faulted > 1 {
				t.Fatalf("%d documents were sent to a faulted printer", faulted)
			}
		})
	}
}

// TestPrintedOnlyWhereThePrinterConfirms: a ZPL printer that reports its
// buffer drained yields printed events; one that cannot, and a TSPL printer
// (which has no way to tell), leave documents sent.
func TestPrintedOnlyWhereThePrinterConfirms(t *testing.T) {
	orders := sampleOrders(t, 3)
	cases := []struct {
		name     string
		lang     labelbridge.Language
		confirms bool
		want     string
	}{
		{"ZPLConfirms", labelbridge.ZPL, true, "printed"},
		{"ZPLCannotConfirm", labelbridge.ZPL, false, "sent"},
		{"TSPL", labelbridge.TSPL, true, "sent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := printertest.NewTCP(t)
			sim.SetLanguage(tc.lang)
			sim.SetConfirms(tc.confirms)
			m := startMain(t, fmt.Sprintf("printers:\n  - name: p\n    connection: %s\n    language: %s\n", sim.URL(), tc.lang))
			docs := []any{}
			for _, o := range orders {
				docs = append(docs, map[string]any{"kind": "shipping_label", "data": o})
			}
			w := submit(t, m.Server.Addr(), map[string]any{"printer": "p", "documents": docs})
			// Confirmation is asked for once the printer has nothing more
			// to print, so printed events may follow the job's end.
			final := map[int]string{}
			printed := 0
			stop := func(f map[string]any) bool {
				if f["type"] == "document" {
					final[int(f["index"].(float64))] = fmt.Sprint(f["state"])
					if f["state"] == "printed" {
						printed++
					}
				}
				return printed == len(orders) || (tc.want == "sent" && isFinal(f))
			}
			w.until(60*time.Second, stop)
			if tc.want == "sent" {
				// Give a confirmation that should not come a moment to show.
				w.ws.SetReadDeadline(time.Now().Add(time.Second))
				var f map[string]any
				if err := w.ws.ReadJSON(&f); err == nil && f["state"] == "printed" {
					t.Fatalf("a printer that cannot confirm produced %v", f)
				}
			}
			for i := range orders {
				if final[i] != tc.want {
					t.Fatalf("document %d ended %q, want %q", i, final[i], tc.want)
				}
			}
		})
	}
}

// TestDiscoveredPrintersPrint finds a serial printer on a pseudo-terminal and
// a TCP printer on loopback, and prints through the daemon with the config
// discovery suggested.
func TestDiscoveredPrintersPrint(t *testing.T) {
	tcp := printertest.NewTCP(t)
	tcp.SetLanguage(labelbridge.ZPL)
	serial := printertest.NewSerial(t)
	serial.SetLanguage(labelbridge.ESCPOS)
	_, port, _ := strings.Cut(tcp.Addr(), ":")
	code, stdout, stderr := runCmd(t, "discover", "--subnet", "127.0.0.1/32", "--port", port, "--serial", serial.Path(), "--probe")
	if code != 0 {
		t.Fatalf("discover: exit %d: %s", code, stderr)
	}
	for _, want := range []string{tcp.URL(), "language: zpl", "serial://" + serial.Path(), "language: escpos"} {
		if !strings.Contains(stdout, want) {
			t.Fatalf("discover output lacks %q:\n%s", want, stdout)
		}
	}
	// The machine's own serial ports may be listed too, without a language
	// (discovery says so rather than guess); use what was recognised.
	_, jsonOut, _ := runCmd(t, "discover", "--subnet", "127.0.0.1/32", "--port", port, "--serial", serial.Path(), "--probe", "--json")
	var found []printer.Found
	if err := json.Unmarshal([]byte(jsonOut), &found); err != nil {
		t.Fatalf("discover --json: %v\n%s", err, jsonOut)
	}
	var usable []printer.Found
	for _, f := range found {
		if f.Language != "" {
			usable = append(usable, f)
		}
	}
	if len(usable) != 2 {
		t.Fatalf("recognised %d printers, want the 2 simulators: %+v", len(usable), found)
	}
	// Probing wrote queries in other languages to the serial printer; count
	// from here.
	tcpBefore, serialBefore := len(tcp.Documents()), len(serial.Documents())
	m := startMain(t, printer.ConfigYAML(usable))
	for _, p := range m.Config.Printers {
		w := submit(t, m.Server.Addr(), map[string]any{"printer": p.Name, "documents": []any{
			map[string]any{"kind": "shipping_label", "data": sampleOrders(t, 1)[0]}}})
		if evs := w.until(60*time.Second, isFinal); evs[len(evs)-1]["state"] != "done" {
			t.Fatalf("printing to discovered %s: %v", p.Name, evs[len(evs)-1])
		}
	}
	if n, m := len(tcp.Documents())-tcpBefore, len(serial.Documents())-serialBefore; n != 1 || m != 1 {
		t.Fatalf("tcp got %d documents, serial %d; want 1 each", n, m)
	}
	// The daemon offers the same over HTTP.
	resp, err := http.Get("http://" + m.Server.Addr() + "/v1/discover?subnet=127.0.0.1/32&port=" + port)
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Printers []printer.Found `json:"printers"`
		Config   string          `json:"config"`
	}
	json.NewDecoder(resp.Body).Decode(&reply)
	resp.Body.Close()
	if !strings.Contains(reply.Config, tcp.URL()) {
		t.Fatalf("GET /v1/discover found %+v", reply.Printers)
	}
}
