//go:build !windows

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// buildBinary compiles labelbridge once for the tests that run it as a
// separate process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "labelbridge")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// daemonProcess is labelbridge run as its own process.
type daemonProcess struct {
	cmd  *exec.Cmd
	addr string
	log  *os.File
}

func startDaemon(t *testing.T, bin, config, addr, logPath string) *daemonProcess {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "run", "--config", config)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &daemonProcess{cmd: cmd, addr: addr, log: logf}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("daemon did not become healthy; log:\n%s", log)
	return nil
}

func TestKillNineMidBatchLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the daemon binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL) // answers ~HS, so status queries are told apart from documents
	addr := freePort(t)
	config := filepath.Join(dir, "labelbridge.yaml")
	os.WriteFile(config, fmt.Appendf(nil, `# crash test
listen: %s
data_dir: %s
printers:
  - name: label-1
    connection: %s
    language: zpl
`, addr, filepath.Join(dir, "data"), sim.URL()), 0o600)
	logPath := filepath.Join(dir, "daemon.log")

	d := startDaemon(t, bin, config, addr, logPath)
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/v1/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 600
	docs := make([]map[string]any, n)
	for i := range docs {
		docs[i] = map[string]any{"ref": fmt.Sprintf("o%04d", i), "kind": "raw", "language": "zpl",
			"content": fmt.Sprintf("^XA^FO10,10^FDdoc-%04d^FS^XZ\n", i)}
	}
	ws.WriteJSON(map[string]any{"type": "print", "id": "b", "job": map[string]any{"printer": "label-1", "idempotency_key": "crash-batch", "documents": docs}})
	var acc map[string]any
	if err := ws.ReadJSON(&acc); err != nil || acc["type"] != "accepted" {
		t.Fatalf("accepted: %v %v", acc, err)
	}
	jobID := acc["job_id"].(string)

	// Kill as soon as a third of the batch is at the printer.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sim.Wait(ctx, func(b []byte) bool { return strings.Count(string(b), "^XZ") >= n/3 }); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	d.cmd.Wait()
	ws.Close()
	atKill := strings.Count(string(sim.Data()), "^XZ")
	if atKill >= n {
		t.Fatalf("the batch finished (%d documents) before the kill; the test proves nothing", atKill)
	}

	startDaemon(t, bin, config, addr, logPath)
	ws, _, err = websocket.DefaultDialer.Dial("ws://"+addr+"/v1/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteJSON(map[string]any{"type": "subscribe", "id": "s", "since": 0})
	var interrupted bool
	maybeRepeated := map[int]bool{}
	for {
		ws.SetReadDeadline(time.Now().Add(60 * time.Second))
		var f map[string]any
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("waiting for the job to finish after restart: %v", err)
		}
		if f["job_id"] != jobID {
			continue
		}
		if f["type"] == "job" && f["state"] == "interrupted" {
			interrupted = true
		}
		if f["type"] == "document" && f["maybe_repeated"] == true {
			maybeRepeated[int(f["index"].(float64))] = true
		}
		if f["type"] == "job" && (f["state"] == "done" || f["state"] == "failed") {
			if f["state"] != "done" {
				t.Fatalf("job ended %v", f)
			}
			break
		}
	}
	got := string(sim.Data())
	whole := regexp.MustCompile(`\^XA\^FO10,10\^FDdoc-(\d{4})\^FS\^XZ\n`)
	counts := map[string]int{}
	for _, m := range whole.FindAllStringSubmatch(got, -1) {
		counts[m[1]]++
	}
	repeats := 0
	for i := range n {
		id := fmt.Sprintf("%04d", i)
		switch c := counts[id]; {
		case c == 0:
			t.Errorf("document %d never reached the printer", i)
		case c > 1:
			repeats += c - 1
			if !maybeRepeated[i] {
				t.Errorf("document %d printed %d times but no event said maybe_repeated", i, c)
			}
		}
	}
	if repeats > 1 {
		t.Errorf("%d repeated documents; at most the one in flight may repeat", repeats)
	}
	if !interrupted {
		t.Error("no interrupted event after the kill")
	}
	t.Logf("killed at %d/%d documents; %d repeated; maybe_repeated reported for %v", atKill, n, repeats, maybeRepeated)
}
