package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/term"
)

// languageByExt guesses a raw file's language when --language is not given.
var languageByExt = map[string]string{
	".zpl": "zpl", ".prn": "zpl",
	".tspl": "tspl", ".tsc": "tspl",
	".escpos": "escpos", ".pos": "escpos", ".bin": "escpos",
}

func cmdPrint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("print", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9110", "daemon address")
	printerName := fs.String("printer", "", "printer name (for raw files)")
	lang := fs.String("language", "", "zpl, escpos or tspl (default: from each file's extension)")
	key := fs.String("idempotency-key", "", "send twice, print once")
	copies := fs.Int("copies", 1, "copies of each document")
	token := fs.String("token", os.Getenv("LABELBRIDGE_TOKEN"), "access token (or $LABELBRIDGE_TOKEN)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: labelbridge print [flags] FILE...   (raw .zpl/.tspl/.escpos files, or one JSON job)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	job, err := buildJob(fs.Args(), *printerName, *lang, *key, *copies)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge print: %v\n", err)
		return 2
	}
	bar := newProgress(stderr, *quiet)
	ok, err := submitAndWatch(ctx, *addr, *token, job, bar)
	bar.finish()
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge print: %v\n", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// buildJob turns the command line into a JOB: one JSON job file as is, or
// one raw document per file.
func buildJob(files []string, printerName, lang, key string, copies int) (map[string]any, error) {
	if len(files) == 1 && strings.EqualFold(filepath.Ext(files[0]), ".json") {
		data, err := os.ReadFile(files[0])
		if err != nil {
			return nil, err
		}
		var job map[string]any
		if err := json.Unmarshal(data, &job); err != nil {
			return nil, fmt.Errorf("%s: %v", files[0], err)
		}
		if printerName != "" {
			job["printer"] = printerName
		}
		if key != "" {
			job["idempotency_key"] = key
		}
		return job, nil
	}
	if printerName == "" {
		return nil, errors.New("--printer is required for raw files")
	}
	docs := make([]any, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		l := lang
		if l == "" {
			l = languageByExt[strings.ToLower(filepath.Ext(f))]
		}
		if l == "" {
			return nil, fmt.Errorf("%s: cannot tell the printer language from the extension; pass --language", f)
		}
		docs = append(docs, map[string]any{"ref": filepath.Base(f), "kind": "raw", "language": l,
			"content_base64": base64.StdEncoding.EncodeToString(data)})
	}
	job := map[string]any{"printer": printerName, "copies": copies, "documents": docs}
	if key != "" {
		job["idempotency_key"] = key
	}
	return job, nil
}

type wireEvent struct {
	Type          string          `json:"type"`
	ID            json.RawMessage `json:"id"`
	JobID         string          `json:"job_id"`
	Seq           uint64          `json:"seq"`
	State         string          `json:"state"`
	Done          int             `json:"done"`
	Total         int             `json:"total"`
	Index         int             `json:"index"`
	Ref           string          `json:"ref"`
	MaybeRepeated bool            `json:"maybe_repeated"`
	Duplicate     bool            `json:"duplicate"`
	Error         *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Path    string `json:"path"`
	} `json:"error"`
}

// submitAndWatch sends the job and follows its events to a final state,
// reconnecting (and resubscribing from the last seq seen) if the daemon
// restarts meanwhile. It reports whether every document was delivered.
func submitAndWatch(ctx context.Context, addr, token string, job map[string]any, bar *progress) (bool, error) {
	u := url.URL{Scheme: "ws", Host: addr, Path: "/v1/ws"}
	var jobID string
	var lastSeq uint64
	failed := 0
	for attempt := 0; ; attempt++ {
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, u.String(), nil)
		if err != nil {
			if jobID == "" || attempt > 30 {
				return false, fmt.Errorf("connect to %s: %w (is the daemon running?)", addr, err)
			}
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-time.After(time.Second):
			}
			continue
		}
		stop := context.AfterFunc(ctx, func() { ws.Close() })
		if err := ws.WriteJSON(map[string]any{"type": "hello", "id": "hello", "token": token, "client": "labelbridge-print/" + version}); err != nil {
			stop()
			ws.Close()
			continue
		}
		if jobID == "" {
			err = ws.WriteJSON(map[string]any{"type": "print", "id": "print", "job": job})
		} else {
			err = ws.WriteJSON(map[string]any{"type": "subscribe", "id": "resume", "since": lastSeq})
		}
		if err != nil {
			stop()
			ws.Close()
			continue
		}
		done, ok, err := follow(ws, &jobID, &lastSeq, &failed, bar)
		stop()
		ws.Close()
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if done || err != nil {
			return ok, err
		}
		bar.note("connection lost; reconnecting")
	}
}

// follow reads frames until the job ends (done=true) or the connection
// drops (done=false, err=nil). A protocol error reply ends with err.
func follow(ws *websocket.Conn, jobID *string, lastSeq *uint64, failed *int, bar *progress) (done, ok bool, err error) {
	for {
		var ev wireEvent
		if err := ws.ReadJSON(&ev); err != nil {
			if *jobID == "" {
				return true, false, fmt.Errorf("connection closed before the job was accepted: %v", err)
			}
			return false, false, nil
		}
		switch ev.Type {
		case "error":
			msg := ev.Error.Message
			if ev.Error.Path != "" {
				msg = ev.Error.Path + ": " + msg
			}
			return true, false, fmt.Errorf("%s: %s", ev.Error.Code, msg)
		case "accepted":
			*jobID = ev.JobID
			if ev.Duplicate {
				bar.note(fmt.Sprintf("job %s was already submitted with this idempotency key; nothing printed again", ev.JobID))
			}
		case "job":
			if ev.JobID != *jobID {
				continue
			}
			*lastSeq = max(*lastSeq, ev.Seq)
			bar.update(ev.Done, ev.Total, ev.State, ev.Error)
			switch ev.State {
			case "done":
				return true, *failed == 0, nil
			case "failed", "cancelled":
				return true, false, nil
			}
		case "document":
			if ev.JobID != *jobID {
				continue
			}
			*lastSeq = max(*lastSeq, ev.Seq)
			if ev.State == "failed" {
				*failed++
				msg := ""
				if ev.Error != nil {
					msg = ev.Error.Code + ": " + ev.Error.Message
				}
				bar.note(fmt.Sprintf("document %d (%s) failed: %s", ev.Index, ev.Ref, msg))
			}
			if ev.MaybeRepeated {
				bar.note(fmt.Sprintf("document %d (%s) may have printed twice (interrupted mid-send)", ev.Index, ev.Ref))
			}
		}
	}
}

// progress draws a one-line bar on a terminal and plain lines otherwise.
type progress struct {
	w        io.Writer
	tty      bool
	quiet    bool
	drawn    bool
	lastLine string
}

func newProgress(w io.Writer, quiet bool) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd())), quiet: quiet}
}

func (p *progress) update(done, total int, state string, problem *struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Path    string `json:"path"`
}) {
	if p.quiet {
		return
	}
	reason := ""
	if problem != nil {
		reason = " (" + problem.Code + ")"
	}
	if !p.tty {
		line := fmt.Sprintf("%s %d/%d%s", state, done, total, reason)
		if line != p.lastLine && (state != "printing" || done == total) {
			fmt.Fprintln(p.w, line)
			p.lastLine = line
		}
		return
	}
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d %s%s\033[K", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, state, reason)
	p.drawn = true
}

func (p *progress) note(msg string) {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	fmt.Fprintln(p.w, msg)
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
