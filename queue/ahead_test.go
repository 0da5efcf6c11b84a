package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
)

// TestAheadHoldsOnlyTheLatestSharedContent: rendering ahead loads each
// document in turn; the contents it keeps for documents that share them
// stay two, however many documents the job has, and every document still
// gets its own content.
func TestAheadHoldsOnlyTheLatestSharedContent(t *testing.T) {
	unreachable := errors.New("no printer in this test")
	p := Printer{
		Name: "p", Language: labelbridge.ZPL,
		Dial:   func(context.Context) (Conn, error) { return nil, unreachable },
		Render: func(_ context.Context, d *labelbridge.Document) ([]byte, error) { return d.Content, nil },
	}
	q, err := Open(Config{Path: filepath.Join(t.TempDir(), "store.db"), Printers: []Printer{p}, Log: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	// Runs of documents sharing content (a PDF's pages) between raw ones.
	pdf := []byte("%PDF- one file, three pages")
	job := &labelbridge.Job{Printer: "p"}
	var want [][]byte
	for i := range 40 {
		content := fmt.Appendf(nil, "^XA^FDraw %d^FS^XZ", i)
		if i%10 >= 7 {
			content = pdf
		}
		job.Documents = append(job.Documents, labelbridge.Document{Kind: labelbridge.KindRaw, Language: labelbridge.ZPL, Content: content})
		want = append(want, content)
	}
	id, _, err := q.Submit(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(q, p)
	a := newAhead(context.Background(), w, id, len(want), 3)
	defer a.stop()
	for i, c := range want {
		got := a.take(i)
		if got.loadErr != nil || got.err != nil || !bytes.Equal(got.data, c) {
			t.Fatalf("document %d: %q, %v, %v; want %q", i, got.data, got.loadErr, got.err, c)
		}
		a.mu.Lock()
		held := len(a.shared)
		a.mu.Unlock()
		if held > 2 {
			t.Fatalf("after document %d, %d contents held; want at most 2", i, held)
		}
	}
}
