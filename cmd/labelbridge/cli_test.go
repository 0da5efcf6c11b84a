package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/certs"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// startMain runs the whole daemon in-process from a config file's text.
func startMain(t *testing.T, configText string) *Main {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "labelbridge.yaml")
	if err := os.WriteFile(path, []byte(configText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, "127.0.0.1:0", filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	// PDFium compiled by an earlier test is found where the daemon looks;
	// without the link (no symlinks here) it compiles its own.
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "cache"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.Symlink(pdfiumCache, filepath.Join(cfg.DataDir, "cache", "pdfium"))
	m := &Main{Config: cfg, Log: zerolog.Nop(), Version: "test"}
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return m
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	// Generous: a preview of a PDF may compile PDFium, tens of seconds
	// under the race detector on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = runCLI(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPrintCommand(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL) // answers ~HS, so status queries are told apart from documents
	blocked := t.TempDir()           // a directory cannot be appended to: every document fails
	m := startMain(t, "printers:\n  - name: label-1\n    connection: "+sim.URL()+"\n    language: zpl\n"+
		"  - name: broken\n    connection: file://"+blocked+"\n    language: zpl\n")
	addr := m.Server.Addr()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.zpl"), filepath.Join(dir, "b.zpl")
	os.WriteFile(a, []byte("^XA^FDa^FS^XZ\n"), 0o600)
	os.WriteFile(b, []byte("^XA^FDb^FS^XZ\n"), 0o600)

	t.Run("RawFilesPrintInOrder", func(t *testing.T) {
		code, _, stderr := runCmd(t, "print", "--addr", addr, "--printer", "label-1", a, b)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if got := string(sim.Data()); got != "^XA^FDa^FS^XZ\n^XA^FDb^FS^XZ\n" {
			t.Fatalf("printer got %q", got)
		}
		if !strings.Contains(stderr, "done 2/2") {
			t.Fatalf("progress output %q does not end with done 2/2", stderr)
		}
	})
	t.Run("JSONJob", func(t *testing.T) {
		job := filepath.Join(dir, "job.json")
		os.WriteFile(job, []byte(`{"printer":"label-1","documents":[{"kind":"raw","language":"zpl","content":"^XA^FDjson^FS^XZ"}]}`), 0o600)
		if code, _, stderr := runCmd(t, "print", "--addr", addr, job); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(string(sim.Data()), "^FDjson^FS") {
			t.Fatal("the JSON job did not print")
		}
	})
	t.Run("FailedDocumentExitsNonZero", func(t *testing.T) {
		code, _, stderr := runCmd(t, "print", "--addr", addr, "--printer", "broken", a)
		if code != 1 || !strings.Contains(stderr, "document 0 (a.zpl) failed") {
			t.Fatalf("exit %d, stderr %q; want 1 naming the failed document", code, stderr)
		}
	})
	t.Run("RejectedJobExitsNonZero", func(t *testing.T) {
		code, _, stderr := runCmd(t, "print", "--addr", addr, "--printer", "nope", a)
		if code != 1 || !strings.Contains(stderr, "unknown_printer") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("UnknownExtension", func(t *testing.T) {
		txt := filepath.Join(dir, "x.txt")
		os.WriteFile(txt, []byte("hello"), 0o600)
		code, _, stderr := runCmd(t, "print", "--addr", addr, "--printer", "label-1", txt)
		if code != 2 || !strings.Contains(stderr, "--language") {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		var body []byte
		// The worker lets go of a finished job just after its done event.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			resp, err := http.Get("http://" + addr + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), `labelbridge_queue_depth{printer="label-1"} 0`) || time.Now().After(deadline) {
				break
			}
		}
		for _, want := range []string{
			`labelbridge_jobs_total{outcome="done",printer="label-1"} 2`,
			`labelbridge_jobs_total{outcome="failed",printer="broken"} 1`,
			`labelbridge_documents_total{outcome="sent",printer="label-1"} 3`,
			`labelbridge_queue_depth{printer="label-1"} 0`,
			`labelbridge_printer_state{printer="label-1",state=`,
			`labelbridge_send_seconds_bucket{printer="label-1"`,
			`labelbridge_bytes_sent_total{printer="label-1"}`,
			`go_goroutines`,
		} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
	t.Run("Printers", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "printers", "--addr", addr)
		if code != 0 || !strings.Contains(stdout, "label-1") || !strings.Contains(stdout, "broken") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

func TestConfigCheckCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("printers:\n  - name: p\n    connection: tcp://10.0.0.5:9100\n    language: zpl\n"), 0o600)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("printers:\n  - name: p\n    connection: tcp://10.0.0.5:9100\n    langauge: zpl\n"), 0o600)
	if code, stdout, stderr := runCmd(t, "config", "check", "--config", good); code != 0 || !strings.Contains(stdout, "ok") {
		t.Fatalf("good config: exit %d %q %q", code, stdout, stderr)
	}
	code, _, stderr := runCmd(t, "config", "check", "--config", bad)
	if code != 1 || !strings.Contains(stderr, "bad.yaml:4") || !strings.Contains(stderr, "langauge") {
		t.Fatalf("bad config: exit %d, stderr %q; want file:line and key", code, stderr)
	}
}

func TestVersionAndUsage(t *testing.T) {
	if code, stdout, _ := runCmd(t, "version"); code != 0 || !strings.HasPrefix(stdout, "labelbridge ") {
		t.Fatalf("version: %d %q", code, stdout)
	}
	if code, _, stderr := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, stderr)
	}
}

func TestRefusesToListenBeyondLoopback(t *testing.T) {
	cases := []struct {
		listen string
		ok     bool
	}{
		{"127.0.0.1:9110", true}, {"localhost:9110", true}, {"[::1]:9110", true},
		{"0.0.0.0:9110", false}, {":9110", false}, {"192.168.1.20:9110", false},
	}
	for _, tc := range cases {
		err := checkExposure(tc.listen)
		if (err == nil) != tc.ok {
			t.Errorf("checkExposure(%q) = %v, want ok=%v", tc.listen, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "TLS") {
			t.Errorf("checkExposure(%q) = %v: should say why", tc.listen, err)
		}
	}
}

func TestDemoPrintsSampleBatchToPNGs(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code, err := runDemo(ctx, dir, &out, &errb)
	if code != 0 || err != nil {
		t.Fatalf("demo exit %d: %v\n%s%s", code, err, out.String(), errb.String())
	}
	labels, _ := filepath.Glob(filepath.Join(dir, "virtual", "demo-labels", "*.png"))
	zpls, _ := filepath.Glob(filepath.Join(dir, "virtual", "demo-labels", "*.zpl"))
	pick, _ := filepath.Glob(filepath.Join(dir, "virtual", "demo-picklist", "*.png"))
	if len(labels) != 12 || len(zpls) != 12 || len(pick) < 1 {
		t.Fatalf("demo wrote %d label PNGs, %d ZPL files, %d pick list PNGs; want 12, 12, >=1", len(labels), len(zpls), len(pick))
	}
	if !strings.Contains(out.String(), filepath.Join(dir, "virtual", "demo-labels")) {
		t.Fatalf("demo output does not say where the PNGs are:\n%s", out.String())
	}
}

func TestPreviewCommand(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.json")
	os.WriteFile(doc, []byte(`{"kind":"shipping_label","data":{"order_id":"1001","carrier":"Kerry","tracking_number":"KE123456789TH","sender":{"name":"ร้าน","address":"กรุงเทพ"},"recipient":{"name":"สมชาย","address":"เชียงใหม่"},"items":[{"sku":"A","qty":1}]}}`), 0o600)
	out := filepath.Join(dir, "label.png")
	raw := filepath.Join(dir, "label.tspl")
	code, stdout, stderr := runCmd(t, "preview", doc, "-o", out, "--language", "tspl", "--bytes", raw)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	png, _ := os.ReadFile(out)
	tspl, _ := os.ReadFile(raw)
	if !bytes.HasPrefix(png, []byte("\x89PNG")) || !bytes.HasPrefix(tspl, []byte("SIZE ")) || !strings.Contains(stdout, out) {
		t.Fatalf("preview wrote %d PNG bytes, %q…; stdout %q", len(png), tspl[:min(len(tspl), 10)], stdout)
	}
	os.WriteFile(doc, []byte(`{"kind":"shipping_label","data":{"order_id":"1001"}}`), 0o600)
	if code, _, stderr := runCmd(t, "preview", doc); code != 1 || !strings.Contains(stderr, "document.data.") {
		t.Fatalf("bad document: exit %d, %q; want an error naming the field", code, stderr)
	}
}

func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCmd(t, "token", "new", "--admin", "dash", "--data-dir", dir)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "lb_") {
		t.Fatalf("token new: exit %d, stdout %q, stderr %q; want the token alone on the first line", code, stdout, stderr)
	}
	if code, stdout, _ := runCmd(t, "token", "list", "--data-dir", dir); code != 0 || !strings.Contains(stdout, "dash") || strings.Contains(stdout, lines[0]) {
		t.Fatalf("token list: %d %q", code, stdout)
	}
	if code, _, _ := runCmd(t, "token", "revoke", "dash", "--data-dir", dir); code != 0 {
		t.Fatal("revoke failed")
	}
	if code, _, _ := runCmd(t, "token", "revoke", "dash", "--data-dir", dir); code != 1 {
		t.Fatal("revoking twice should fail")
	}
}

func TestTLSListener(t *testing.T) {
	sim := printertest.NewTCP(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsPort := ln.Addr().String()
	ln.Close()
	m := startMain(t, "tls:\n  listen: "+tlsPort+"\n  hosts: [packing-pc.local]\nprinters:\n  - name: p\n    connection: "+sim.URL()+"\n    language: zpl\n")
	pool, err := certs.Pool(certs.In(filepath.Join(m.Config.DataDir, "tls")))
	if err != nil {
		t.Fatal(err)
	}
	tlsAddr := m.Server.TLSAddr()
	_, port, _ := strings.Cut(tlsAddr, ":")
	dialer := websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: pool}}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		ws, _, err := dialer.Dial("wss://"+host+":"+port+"/v1/ws", nil)
		if err != nil {
			t.Fatalf("wss://%s: %v", host, err)
		}
		ws.WriteJSON(map[string]any{"type": "hello", "id": "h"})
		var f map[string]any
		if err := ws.ReadJSON(&f); err != nil || f["type"] != "welcome" {
			t.Fatalf("wss hello: %v %v", f, err)
		}
		ws.Close()
	}
	// Without the local CA the certificate is refused.
	if _, _, err := websocket.DefaultDialer.Dial("wss://"+tlsAddr+"/v1/ws", nil); err == nil {
		t.Fatal("a client that does not trust the local CA connected")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + tlsAddr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("https healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	code, stdout, _ := runCmd(t, "cert", "trust", "--print", "--data-dir", m.Config.DataDir)
	if code != 0 || !strings.Contains(stdout, filepath.Join(m.Config.DataDir, "tls", "ca.pem")) {
		t.Fatalf("cert trust --print: %d %q", code, stdout)
	}
}

func TestTLSBeyondLoopbackNeedsTokens(t *testing.T) {
	cases := []struct {
		listen string
		tokens bool
		ok     bool
	}{
		{"127.0.0.1:9111", false, true},
		{"0.0.0.0:9111", false, false},
		{"0.0.0.0:9111", true, true},
		{"192.168.1.20:9111", false, false},
	}
	for _, tc := range cases {
		err := checkTLSExposure(tc.listen, tc.tokens)
		if (err == nil) != tc.ok {
			t.Errorf("checkTLSExposure(%q, tokens %v) = %v, want ok=%v", tc.listen, tc.tokens, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "token new") {
			t.Errorf("%v: should say how to create a token", err)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte("tls:\n  listen: 0.0.0.0:9111\n"), 0o600)
	cfg, err := loadConfig(path, "127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: zerolog.Nop()}
	if err := m.Open(); err == nil || !strings.Contains(err.Error(), "without access tokens") {
		m.Close(context.Background())
		t.Fatalf("Open with a LAN TLS listener and no tokens: %v", err)
	}
}
