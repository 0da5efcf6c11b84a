package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/printer/printertest"
	"github.com/labelbridge/labelbridge/render"
)

// e2eScenario is one kind of document sent through the daemon to a ZPL
// printer simulator.
type e2eScenario struct {
	Name    string `json:"name"`
	Printer string `json:"printer"`
	// Single: one job of one document at a time, from the WebSocket
	// submit to the last byte of the label at the printer.
	Jobs     int     `json:"jobs"`
	AcceptMs float64 `json:"accept_median_ms"` // submit to "accepted"
	MedianMs float64 `json:"median_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MinMs    float64 `json:"min_ms"`
	// Batch: one job of BatchLabels documents, submit to last byte.
	BatchLabels   int     `json:"batch_labels"`
	BatchMs       float64 `json:"batch_ms"`
	BatchAcceptMs float64 `json:"batch_accept_ms"` // submit to "accepted"
	BatchBytes    int     `json:"batch_bytes"`     // received by the printer, status queries excluded
	// PeakRSSKB is the daemon's peak resident set during the batch
	// (VmHWM, reset just before it where the kernel allows).
	PeakRSSKB int  `json:"peak_rss_kb"`
	PeakReset bool `json:"peak_reset"`
	// RenderMs and SendMs are the daemon's own mean time a document to
	// render and to write to the printer, over every document of the
	// scenario (labelbridge_render_seconds, labelbridge_send_seconds).
	RenderMs float64 `json:"render_mean_ms"`
	SendMs   float64 `json:"send_mean_ms"`
	// PDFBytes is the size of the batch's PDF, for PDF scenarios.
	PDFBytes int `json:"pdf_bytes,omitempty"`
}

type e2eResult struct {
	IdleRSSKB int `json:"idle_rss_kb"`
	// FsyncMs is the median time of a small write and fsync in the
	// daemon's data directory: the floor under every accepted job.
	FsyncMs   float64       `json:"fsync_median_ms"`
	Scenarios []e2eScenario `json:"scenarios"`
}

func runE2E(args []string) (any, error) {
	fs := flag.NewFlagSet("e2e", flag.ContinueOnError)
	bin := fs.String("bin", "", "labelbridge binary")
	ordersPath := fs.String("orders", "label/testdata/samples/orders-600.json", "sample orders")
	jobs := fs.Int("jobs", 500, "single-label jobs per scenario")
	batch := fs.Int("batch", 600, "labels in the batch job")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	thai, err := loadOrders(*ordersPath, *batch)
	if err != nil {
		return nil, err
	}
	ascii, err := asciiOrders(thai)
	if err != nil {
		return nil, err
	}
	// Raw ZPL documents are the ASCII labels rendered ahead of time: the
	// same label, so raw against rendered shows what rendering costs.
	layout, err := label.New()
	if err != nil {
		return nil, err
	}
	pre := &render.Renderer{Layout: layout, Printer: render.Printer{Name: "pre", Language: labelbridge.ZPL, DPI: 203, Media: "100x150mm", Text: "native"}}
	raw := make([]wireDoc, len(ascii))
	for i, o := range ascii {
		out, err := pre.Render(context.Background(), &labelbridge.Document{Kind: labelbridge.KindShippingLabel, Data: o})
		if err != nil {
			return nil, fmt.Errorf("pre-render: %w", err)
		}
		if bytes.Count(out, []byte("^XZ")) != 1 {
			return nil, fmt.Errorf("pre-render: label %d is not one ZPL format", i)
		}
		raw[i] = wireDoc{Ref: strconv.Itoa(i), Kind: labelbridge.KindRaw, Language: labelbridge.ZPL, Content: string(out)}
	}
	docs := func(orders []json.RawMessage) []wireDoc {
		d := make([]wireDoc, len(orders))
		for i, o := range orders {
			d[i] = wireDoc{Ref: strconv.Itoa(i), Kind: labelbridge.KindShippingLabel, Data: o}
		}
		return d
	}
	// The marketplace's own labels: one PDF of a page an order, sent as
	// it came; each page prints as a label. Single jobs are one-page PDFs.
	onePage, err := labelPDF(ascii[:1])
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	allPages, err := labelPDF(ascii)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	pdfDoc := func(b []byte) wireDoc {
		return wireDoc{Ref: "awb", Kind: labelbridge.KindPDF, ContentBase64: b}
	}
	type scenario struct {
		name, printer, text string
		single, batch       []wireDoc // documents to pick single jobs from; the batch job
		labels              int       // labels the batch prints
		pdfBytes            int
	}
	scenarios := []scenario{
		{"raw ZPL", "zpl-raw", "auto", raw, raw, len(raw), 0},
		{"rendered ASCII label (text: native)", "zpl-native", "native", docs(ascii), docs(ascii), len(ascii), 0},
		{"rendered Thai label (text: raster)", "zpl-raster", "raster", docs(thai), docs(thai), len(thai), 0},
		{"marketplace PDF label (pdf, one page a label)", "zpl-pdf", "auto", []wireDoc{pdfDoc(onePage)}, []wireDoc{pdfDoc(allPages)}, len(ascii), len(allPages)},
	}

	dir, err := os.MkdirTemp("", "lbbench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sims := make(map[string]*simulator)
	var conf strings.Builder
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	fmt.Fprintf(&conf, "listen: %s\ndata_dir: %s\nlog:\n  level: warn\n  format: json\nprinters:\n", addr, filepath.Join(dir, "data"))
	for _, sc := range scenarios {
		p, err := printertest.StartTCP("127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer p.Close()
		p.SetLanguage(labelbridge.ZPL)
		sims[sc.printer] = &simulator{TCP: p}
		fmt.Fprintf(&conf, "  - name: %s\n    connection: %s\n    language: zpl\n    dpi: 203\n    media: 100x150mm\n    text: %s\n", sc.printer, p.URL(), sc.text)
	}
	confPath := filepath.Join(dir, "labelbridge.yaml")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(*bin, "run", "--config", confPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start daemon: %w", err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	if err := waitHealthy(addr, 20*time.Second); err != nil {
		log, _ := os.ReadFile(logf.Name())
		return nil, fmt.Errorf("%w; daemon log:\n%s", err, log)
	}
	// Let start-up garbage be collected and the first status polls pass.
	time.Sleep(3 * time.Second)
	var res e2eResult
	res.IdleRSSKB, err = procStatusKB(cmd.Process.Pid, "VmRSS")
	if err != nil {
		return nil, err
	}

	if res.FsyncMs, err = fsyncMedian(dir); err != nil {
		return nil, err
	}
	c, err := dial(addr)
	if err != nil {
		return nil, err
	}
	defer c.close()
	for _, sc := range scenarios {
		sim := sims[sc.printer]
		out := e2eScenario{Name: sc.name, Printer: sc.printer, Jobs: *jobs, BatchLabels: sc.labels, PDFBytes: sc.pdfBytes}
		// Warm up: a few labels so connections are open and caches filled
		// (for PDFs: PDFium started, from its compilation cache).
		for i := range 5 {
			n := len(sc.single)
			if _, err := c.printAndWait(sim, sc.printer, sc.single[i%n:i%n+1], 1); err != nil {
				return nil, fmt.Errorf("%s warm-up: %w", sc.name, err)
			}
		}
		lat := make([]time.Duration, 0, *jobs)
		acc := make([]time.Duration, 0, *jobs)
		for i := range *jobs {
			n := len(sc.single)
			d, err := c.printAndWait(sim, sc.printer, sc.single[i%n:i%n+1], 1)
			if err != nil {
				return nil, fmt.Errorf("%s job %d: %w", sc.name, i, err)
			}
			lat = append(lat, d.last)
			acc = append(acc, d.accepted)
		}
		slices.Sort(lat)
		slices.Sort(acc)
		out.AcceptMs = ms(acc[len(acc)/2])
		out.MedianMs = ms(lat[len(lat)/2])
		out.P99Ms = ms(lat[min(len(lat)-1, len(lat)*99/100)])
		out.MinMs = ms(lat[0])

		time.Sleep(time.Second)
		out.PeakReset = resetPeak(cmd.Process.Pid) == nil
		before := len(sim.Data())
		d, err := c.printAndWait(sim, sc.printer, sc.batch, sc.labels)
		if err != nil {
			return nil, fmt.Errorf("%s batch: %w", sc.name, err)
		}
		out.BatchMs, out.BatchAcceptMs = ms(d.last), ms(d.accepted)
		out.BatchBytes = len(sim.Data()) - before
		if out.PeakRSSKB, err = procStatusKB(cmd.Process.Pid, "VmHWM"); err != nil {
			return nil, err
		}
		res.Scenarios = append(res.Scenarios, out)
	}
	for i, sc := range res.Scenarios {
		if res.Scenarios[i].RenderMs, err = metricMeanMs(addr, "labelbridge_render_seconds", sc.Printer); err != nil {
			return nil, err
		}
		if res.Scenarios[i].SendMs, err = metricMeanMs(addr, "labelbridge_send_seconds", sc.Printer); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// wireDoc is a document as the protocol sends it: raw content as text.
type wireDoc struct {
	Ref      string               `json:"ref"`
	Kind     labelbridge.Kind     `json:"kind"`
	Language labelbridge.Language `json:"language,omitempty"`
	Content  string               `json:"content,omitempty"`
	Data     json.RawMessage      `json:"data,omitempty"`
	// ContentBase64 is a pdf document's file; JSON encodes []byte as
	// base64.
	ContentBase64 []byte `json:"content_base64,omitempty"`
}

// simulator is a printer simulator and how many ZPL formats (^XZ) it has
// received, counted as bytes arrive.
type simulator struct {
	*printertest.TCP
	mu      sync.Mutex
	scanned int
	formats int
}

// waitFormats waits until the printer has received n formats in all.
func (s *simulator) waitFormats(ctx context.Context, n int) error {
	return s.Wait(ctx, func(got []byte) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for {
			i := bytes.Index(got[s.scanned:], []byte("^XZ"))
			if i < 0 {
				// A "^XZ" split across two reads is found next time.
				s.scanned = max(s.scanned, len(got)-2)
				break
			}
			s.formats++
			s.scanned += i + 3
		}
		return s.formats >= n
	})
}

func (s *simulator) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.formats
}

// client is one WebSocket connection to the daemon; a reader goroutine
// hands over replies and job events.
type client struct {
	ws       *websocket.Conn
	accepted chan reply
	jobDone  chan string // job ids reaching a final state
	readErr  chan error
}

type reply struct {
	Type  string `json:"type"`
	ID    string `json:"id"`
	JobID string `json:"job_id"`
	State string `json:"state"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func dial(addr string) (*client, error) {
	d := websocket.Dialer{WriteBufferSize: 1 << 20}
	ws, _, err := d.Dial("ws://"+addr+"/v1/ws", nil)
	if err != nil {
		return nil, fmt.Errorf("dial daemon: %w", err)
	}
	c := &client{ws: ws, accepted: make(chan reply, 1), jobDone: make(chan string, 1024), readErr: make(chan error, 1)}
	go c.read()
	return c, nil
}

func (c *client) read() {
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			c.readErr <- err
			return
		}
		var r reply
		if err := json.Unmarshal(msg, &r); err != nil {
			c.readErr <- err
			return
		}
		switch {
		case r.Type == "accepted" || r.Type == "error":
			c.accepted <- r
		case r.Type == "job" && (r.State == "done" || r.State == "failed" || r.State == "cancelled"):
			c.jobDone <- r.JobID
		}
	}
}

func (c *client) close() { c.ws.Close() }

type timing struct{ accepted, last time.Duration }

// printAndWait submits one job and waits for the last of its labels (its
// documents, or its PDF's pages) to reach the printer (the time measured)
// and then for the job's final state, so that the next job starts on an
// idle printer worker.
func (c *client) printAndWait(sim *simulator, printer string, docs []wireDoc, labels int) (timing, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute+time.Duration(labels)*200*time.Millisecond)
	defer cancel()
	frame, err := json.Marshal(map[string]any{"type": "print", "id": "p", "job": map[string]any{"printer": printer, "documents": docs}})
	if err != nil {
		return timing{}, err
	}
	want := sim.count() + labels
	var t timing
	start := time.Now()
	if err := c.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return t, fmt.Errorf("submit: %w", err)
	}
	var job string
	select {
	case r := <-c.accepted:
		if r.Type != "accepted" {
			return t, fmt.Errorf("submit: %s: %v", r.Type, r.Error)
		}
		t.accepted, job = time.Since(start), r.JobID
	case err := <-c.readErr:
		return t, fmt.Errorf("read: %w", err)
	case <-ctx.Done():
		return t, fmt.Errorf("no reply to print")
	}
	if err := sim.waitFormats(ctx, want); err != nil {
		got := sim.Bytes()
		return t, fmt.Errorf("%w (received %q)", err, got[max(0, len(got)-300):])
	}
	t.last = time.Since(start)
	for {
		select {
		case id := <-c.jobDone:
			if id == job {
				return t, nil
			}
		case err := <-c.readErr:
			return t, fmt.Errorf("read: %w", err)
		case <-ctx.Done():
			return t, fmt.Errorf("job %s never finished", job)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitHealthy(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("daemon not healthy at %s after %s", addr, timeout)
}

// procStatusKB reads one "kB" field of /proc/PID/status (Linux).
func procStatusKB(pid int, field string) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("memory: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0, fmt.Errorf("memory: no %s in /proc/%d/status", field, pid)
}

// resetPeak sets the process's VmHWM back to its current RSS (Linux 4.0+:
// writing 5 to clear_refs).
func resetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// fsyncMedian times 50 appends of 512 bytes each followed by fsync.
func fsyncMedian(dir string) (float64, error) {
	f, err := os.Create(filepath.Join(dir, "fsync-probe"))
	if err != nil {
		return 0, fmt.Errorf("fsync probe: %w", err)
	}
	defer f.Close()
	block := make([]byte, 512)
	var d []time.Duration
	for range 50 {
		start := time.Now()
		if _, err := f.Write(block); err != nil {
			return 0, fmt.Errorf("fsync probe: %w", err)
		}
		if err := f.Sync(); err != nil {
			return 0, fmt.Errorf("fsync probe: %w", err)
		}
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	return ms(d[len(d)/2]), nil
}

// metricMeanMs reads a histogram's sum and count for one printer from the
// daemon's /metrics and returns the mean in milliseconds.
func metricMeanMs(addr, name, printer string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	var sum, count float64
	var found int
	label := `printer="` + printer + `"`
	for line := range strings.Lines(string(body)) {
		fields := strings.Fields(line)
		if len(fields) != 2 || !strings.Contains(fields[0], label) {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(fields[0], name+"_sum{"):
			sum, found = v, found+1
		case strings.HasPrefix(fields[0], name+"_count{"):
			count, found = v, found+1
		}
	}
	if found != 2 || count == 0 {
		return 0, fmt.Errorf("metrics: no %s for printer %s", name, printer)
	}
	return sum / count * 1000, nil
}
