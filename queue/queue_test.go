package queue_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
	"github.com/labelbridge/labelbridge/queue"
)

// tcpPrinter wires a queue printer to a real TCP simulator.
func tcpPrinter(t testing.TB, name string, sim *printertest.TCP) queue.Printer {
	t.Helper()
	addr, err := printer.ParseAddress(sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	return queue.Printer{
		Name: name, Language: labelbridge.ZPL, Connection: sim.URL(),
		Dial: func(ctx context.Context) (queue.Conn, error) {
			c, err := printer.Open(ctx, addr, printer.Options{DialTimeout: time.Second, WriteTimeout: 2 * time.Second})
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Render: func(ctx context.Context, d *labelbridge.Document) ([]byte, error) {
			if bytes.Contains(d.Content, []byte("RENDER-FAIL")) {
				return nil, labelbridge.Errorf(labelbridge.CodeRenderFailed, "cannot render %s", d.Ref)
			}
			return d.Content, nil
		},
	}
}

func openQueue(t testing.TB, dir string, printers ...queue.Printer) *queue.Queue {
	t.Helper()
	q, err := queue.Open(queue.Config{
		Path: filepath.Join(dir, "store.db"), Printers: printers, Log: zerolog.Nop(),
		RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, IdleClose: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func zplJob(printer string, n int, key string) *labelbridge.Job {
	j := &labelbridge.Job{Printer: printer, IdempotencyKey: key}
	for i := range n {
		j.Documents = append(j.Documents, labelbridge.Document{
			Ref: fmt.Sprintf("o%04d", i), Kind: labelbridge.KindRaw, Language: labelbridge.ZPL,
			Content: fmt.Appendf(nil, "^XA^FDdoc-%04d^FS^XZ\n", i),
		})
	}
	return j
}

// collect reads events until cond says stop or the deadline passes.
func collect(t testing.TB, sub *queue.Subscription, d time.Duration, stop func(labelbridge.Event) bool) []labelbridge.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out []labelbridge.Event
	for {
		ev, _, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, ev)
		if stop(ev) {
			return out
		}
	}
}

func finalJob(id string) func(labelbridge.Event) bool {
	return func(ev labelbridge.Event) bool {
		return ev.Type == labelbridge.EventJob && ev.JobID == id && labelbridge.JobState(ev.State).Final()
	}
}

func TestBatchArrivesInOrder(t *testing.T) {
	sim := printertest.NewTCP(t)
	q := openQueue(t, t.TempDir(), tcpPrinter(t, "label-1", sim))
	defer q.Close()
	sub := q.Subscribe(0)
	job := zplJob("label-1", 600, "")
	id, dup, err := q.Submit(context.Background(), job, nil)
	if err != nil || dup {
		t.Fatalf("Submit = %v, dup %v", err, dup)
	}
	evs := collect(t, sub, 60*time.Second, finalJob(id))
	var want bytes.Buffer
	for _, d := range job.Documents {
		want.Write(d.Content)
	}
	if got := printertest.Received(t, sim, printertest.LenAtLeast(want.Len())); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("printer got %d bytes, want %d in order", len(got), want.Len())
	}
	var docs int
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d: seq must be dense", i, ev.Seq)
		}
		if ev.Type == labelbridge.EventDocument {
			if ev.Index != docs || ev.State != "sent" || ev.Ref != fmt.Sprintf("o%04d", docs) {
				t.Fatalf("document event %+v, want index %d sent", ev, docs)
			}
			docs++
		}
	}
	last := evs[len(evs)-1]
	if docs != 600 || last.State != "done" || last.Done != 600 || last.Total != 600 {
		t.Fatalf("got %d document events, last %+v", docs, last)
	}
	st, err := q.Job(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != labelbridge.JobDone || len(st.Documents) != 600 || st.Documents[599].State != labelbridge.DocSent {
		t.Fatalf("status %+v", st.State)
	}
}

func TestIdempotencyKey(t *testing.T) {
	sim := printertest.NewTCP(t)
	q := openQueue(t, t.TempDir(), tcpPrinter(t, "label-1", sim))
	defer q.Close()
	sub := q.Subscribe(0)
	id1, dup1, err := q.Submit(context.Background(), zplJob("label-1", 2, "order-42"), nil)
	if err != nil || dup1 {
		t.Fatal(err, dup1)
	}
	collect(t, sub, 10*time.Second, finalJob(id1))
	var hooked string
	id2, dup2, err := q.Submit(context.Background(), zplJob("label-1", 2, "order-42"), func(id string, dup bool) { hooked = id })
	if err != nil || !dup2 || id2 != id1 || hooked != id1 {
		t.Fatalf("second submit = %q dup %v err %v hook %q; want %q dup", id2, dup2, err, hooked, id1)
	}
	_, _, err = q.Submit(context.Background(), zplJob("label-1", 3, "order-42"), nil)
	if labelbridge.ErrorCode(err) != labelbridge.CodeIdempotencyConflict {
		t.Fatalf("different body with same key: err %v, want idempotency_conflict", err)
	}
	if got := strings.Count(string(printertest.Received(t, sim, printertest.CountAtLeast("^XA", 2))), "^XA"); got != 2 {
		t.Fatalf("printer got %d labels, want 2", got)
	}
}

func TestUnreachablePrinterWaitsAndResumes(t *testing.T) {
	down := printertest.NewTCP(t)
	up := printertest.NewTCP(t)
	down.Refuse()
	q := openQueue(t, t.TempDir(), tcpPrinter(t, "down", down), tcpPrinter(t, "up", up))
	defer q.Close()
	sub := q.Subscribe(0)
	idDown, _, err := q.Submit(context.Background(), zplJob("down", 3, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	waiting := collect(t, sub, 10*time.Second, func(ev labelbridge.Event) bool {
		return ev.JobID == idDown && ev.State == "waiting"
	})
	if w := waiting[len(waiting)-1]; w.Error == nil || w.Error.Code != labelbridge.CodePrinterUnreachable {
		t.Fatalf("waiting event %+v, want error printer_unreachable", w)
	}
	// Another printer's job flows while the first waits.
	idUp, _, err := q.Submit(context.Background(), zplJob("up", 2, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, sub, 10*time.Second, finalJob(idUp))
	if st, _ := q.Job(idDown); st.State != labelbridge.JobWaiting {
		t.Fatalf("down job is %s, want waiting", st.State)
	}
	down.Accept()
	evs := collect(t, sub, 10*time.Second, finalJob(idDown))
	if last := evs[len(evs)-1]; last.State != "done" {
		t.Fatalf("down job ended %s", last.State)
	}
	if got := strings.Count(string(printertest.Received(t, down, printertest.CountAtLeast("^XA", 3))), "^XA"); got != 3 {
		t.Fatalf("down printer got %d labels after recovery, want 3", got)
	}
}

func TestCancel(t *testing.T) {
	t.Run("QueuedJobNeverPrints", func(t *testing.T) {
		sim := printertest.NewTCP(t)
		sim.Refuse()
		q := openQueue(t, t.TempDir(), tcpPrinter(t, "p", sim))
		defer q.Close()
		sub := q.Subscribe(0)
		first, _, _ := q.Submit(context.Background(), zplJob("p", 1, ""), nil)
		second, _, _ := q.Submit(context.Background(), zplJob("p", 5, ""), nil)
		if err := q.Cancel(context.Background(), second); err != nil {
			t.Fatal(err)
		}
		collect(t, sub, 5*time.Second, finalJob(second))
		if err := q.Cancel(context.Background(), first); err != nil {
			t.Fatal(err)
		}
		collect(t, sub, 5*time.Second, finalJob(first))
		st, _ := q.Job(second)
		if st.State != labelbridge.JobCancelled || st.Documents[4].State != labelbridge.DocCancelled {
			t.Fatalf("second job %s / doc %s, want cancelled", st.State, st.Documents[4].State)
		}
		sim.Accept()
		time.Sleep(100 * time.Millisecond)
		if n := len(sim.Bytes()); n != 0 {
			t.Fatalf("printer got %d bytes of cancelled jobs", n)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		q := openQueue(t, t.TempDir())
		defer q.Close()
		if err := q.Cancel(context.Background(), "nope"); labelbridge.ErrorCode(err) != labelbridge.CodeNotFound {
			t.Fatalf("err %v, want not_found", err)
		}
	})
}

func TestRenderFailureFailsOnlyThatDocument(t *testing.T) {
	sim := printertest.NewTCP(t)
	q := openQueue(t, t.TempDir(), tcpPrinter(t, "p", sim))
	defer q.Close()
	sub := q.Subscribe(0)
	job := zplJob("p", 3, "")
	job.Documents[1].Content = []byte("RENDER-FAIL")
	id, _, _ := q.Submit(context.Background(), job, nil)
	evs := collect(t, sub, 10*time.Second, finalJob(id))
	last := evs[len(evs)-1]
	if last.State != "failed" || last.Done != 3 || last.Error == nil {
		t.Fatalf("final event %+v, want failed with 3 done", last)
	}
	st, _ := q.Job(id)
	if st.Documents[1].State != labelbridge.DocFailed || st.Documents[1].Error.Code != labelbridge.CodeRenderFailed ||
		st.Documents[0].State != labelbridge.DocSent || st.Documents[2].State != labelbridge.DocSent {
		t.Fatalf("documents %+v", st.Documents)
	}
}

func TestRestartResumesWhereItStopped(t *testing.T) {
	dir := t.TempDir()
	sim := printertest.NewTCP(t)
	q := openQueue(t, dir, tcpPrinter(t, "p", sim))
	sub := q.Subscribe(0)
	id, _, err := q.Submit(context.Background(), zplJob("p", 200, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, sub, 10*time.Second, func(ev labelbridge.Event) bool { return ev.Type == labelbridge.EventDocument && ev.Index == 50 })
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	before := strings.Count(string(sim.Bytes()), "^XA")
	q = openQueue(t, dir, tcpPrinter(t, "p", sim))
	defer q.Close()
	sub = q.Subscribe(0)
	evs := collect(t, sub, 30*time.Second, finalJob(id))
	for _, ev := range evs {
		if ev.MaybeRepeated || ev.State == "interrupted" {
			t.Fatalf("a clean shutdown reported %+v", ev)
		}
	}
	got := string(printertest.Received(t, sim, printertest.CountAtLeast("^XZ", 200)))
	for i := range 200 {
		if n := strings.Count(got, fmt.Sprintf("doc-%04d", i)); n != 1 {
			t.Fatalf("doc %d printed %d times (%d before restart)", i, n, before)
		}
	}
}

func TestRetentionPrunesOldJobsAndEvents(t *testing.T) {
	sim := printertest.NewTCP(t)
	var mu sync.Mutex
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	q, err := queue.Open(queue.Config{Path: filepath.Join(t.TempDir(), "s.db"), Printers: []queue.Printer{tcpPrinter(t, "p", sim)},
		Log: zerolog.Nop(), Now: func() time.Time { return clock() }, Retention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	sub := q.Subscribe(0)
	id, _, _ := q.Submit(context.Background(), zplJob("p", 1, "k1"), nil)
	collect(t, sub, 5*time.Second, finalJob(id))
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	if err := q.Prune(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Job(id); labelbridge.ErrorCode(err) != labelbridge.CodeNotFound {
		t.Fatalf("pruned job: err %v, want not_found", err)
	}
	latest, oldest := q.Latest()
	if oldest != latest+1 {
		t.Fatalf("latest %d oldest %d: events should all be pruned", latest, oldest)
	}
	// The key went with its job: it may be used again.
	id2, dup, err := q.Submit(context.Background(), zplJob("p", 1, "k1"), nil)
	if err != nil || dup || id2 == id {
		t.Fatalf("resubmit after prune: %q dup %v err %v", id2, dup, err)
	}
}

// TestConcurrentSubmitsShareCommits submits from many goroutines at once, so
// changes share transactions; one conflicting key in the crowd must fail
// alone while every other job is stored and prints.
func TestConcurrentSubmitsShareCommits(t *testing.T) {
	sim := printertest.NewTCP(t)
	q := openQueue(t, t.TempDir(), tcpPrinter(t, "p", sim))
	defer q.Close()
	if _, _, err := q.Submit(context.Background(), zplJob("p", 1, "taken"), nil); err != nil {
		t.Fatal(err)
	}
	const n = 100
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("k%d", i)
			job := zplJob("p", 1, key)
			if i == n/2 {
				job = zplJob("p", 2, "taken") // same key, different body
			}
			_, _, errs[i] = q.Submit(context.Background(), job, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		want := labelbridge.Code("")
		if i == n/2 {
			want = labelbridge.CodeIdempotencyConflict
		}
		if got := labelbridge.Code(""); err != nil {
			got = labelbridge.ErrorCode(err)
			if got != want {
				t.Errorf("submit %d: %v", i, err)
			}
		} else if want != "" {
			t.Errorf("submit %d succeeded, want %s", i, want)
		}
	}
	if got := printertest.Received(t, sim, printertest.CountAtLeast("^XA", n)); bytes.Count(got, []byte("^XA")) != n {
		t.Fatalf("printer got %d labels, want %d", bytes.Count(got, []byte("^XA")), n)
	}
	latest, _ := q.Latest()
	sub := q.Subscribe(0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for want := uint64(1); want <= latest; want++ {
		ev, _, err := sub.Next(ctx)
		if err != nil || ev.Seq != want {
			t.Fatalf("event %d: got seq %d, err %v: seq must stay dense across shared commits", want, ev.Seq, err)
		}
	}
}

// TestSharedContentIsStoredOnce: the pages of one PDF share its bytes; the
// store keeps them once, every page reads them back, and a reprint shares
// them again.
func TestSharedContentIsStoredOnce(t *testing.T) {
	sim := printertest.NewTCP(t)
	dir := t.TempDir()
	q := openQueue(t, dir, tcpPrinter(t, "p", sim))
	defer q.Close()
	big := bytes.Repeat([]byte("^XA^FDpage^FS^XZ"), 1<<14) // 256 KiB
	job := &labelbridge.Job{Printer: "p"}
	for p := 1; p <= 50; p++ {
		job.Documents = append(job.Documents, labelbridge.Document{Ref: "awb", Kind: labelbridge.KindRaw, Language: labelbridge.ZPL, Content: big, Page: p})
	}
	sub := q.Subscribe(0)
	id, _, err := q.Submit(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, sub, 60*time.Second, finalJob(id))
	if fi, _ := os.Stat(filepath.Join(dir, "store.db")); fi.Size() > 4<<20 {
		t.Fatalf("store is %d MiB for 50 pages of one 256 KiB document: content stored per page", fi.Size()>>20)
	}
	if got := printertest.Received(t, sim, printertest.LenAtLeast(50*len(big))); len(got) != 50*len(big) {
		t.Fatalf("printer got %d bytes, want every page whole", len(got))
	}
	st, _ := q.Job(id)
	if st.Documents[49].Page != 50 {
		t.Fatalf("page of the last document = %d", st.Documents[49].Page)
	}
	id2, err := q.Reprint(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, sub, 60*time.Second, finalJob(id2))
	if fi, _ := os.Stat(filepath.Join(dir, "store.db")); fi.Size() > 8<<20 {
		t.Fatalf("store is %d MiB after a reprint: the reprint copied the content per page", fi.Size()>>20)
	}
}

// TestPrintedWhenJobQueuedDuringProbe: a job queued while the worker is busy
// asking the printer for its state leaves a wake-up behind that the worker
// never waits on; it must not cut short the printed confirmation after the
// job, or the documents stay sent forever on a printer that can tell.
func TestPrintedWhenJobQueuedDuringProbe(t *testing.T) {
	sim := printertest.NewTCP(t)
	p := tcpPrinter(t, "p", sim)
	inProbe := make(chan struct{})
	queued := make(chan struct{})
	var once sync.Once
	p.Probe = func(ctx context.Context, c queue.Conn) (queue.Health, error) {
		once.Do(func() {
			close(inProbe)
			<-queued
		})
		return queue.Health{State: "ready"}, nil
	}
	p.Confirm = func(ctx context.Context, c queue.Conn, pending int) (bool, error) {
		// The printer takes a moment to finish its labels.
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
			return true, nil
		}
	}
	dir := t.TempDir()
	q, err := queue.Open(queue.Config{
		Path: filepath.Join(dir, "store.db"), Printers: []queue.Printer{p}, Log: zerolog.Nop(),
		IdleClose: time.Minute, IdlePoll: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	sub := q.Subscribe(0)
	<-inProbe
	id, _, err := q.Submit(context.Background(), zplJob("p", 3, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	close(queued)
	printed := 0
	collect(t, sub, 20*time.Second, func(ev labelbridge.Event) bool {
		if ev.Type == labelbridge.EventDocument && ev.JobID == id && ev.State == string(labelbridge.DocPrinted) {
			printed++
		}
		return printed == 3
	})
}

// TestRendersAheadInParallelSendsInOrder: a worker renders the next
// documents of a job while it sends one, several at once, yet the printer
// gets them in the job's order, once each, and a document that fails to
// render fails alone.
func TestRendersAheadInParallelSendsInOrder(t *testing.T) {
	sim := printertest.NewTCP(t)
	p := tcpPrinter(t, "p", sim)
	var mu sync.Mutex
	inflight, most := 0, 0
	together := make(chan struct{})
	var once sync.Once
	render := p.Render
	p.Render = func(ctx context.Context, d *labelbridge.Document) ([]byte, error) {
		mu.Lock()
		inflight++
		most = max(most, inflight)
		if inflight >= 3 {
			once.Do(func() { close(together) })
		}
		mu.Unlock()
		// Wait for company, so that the overlap does not depend on timing;
		// a worker rendering one at a time times out here instead.
		select {
		case <-together:
		case <-time.After(3 * time.Second):
		}
		mu.Lock()
		inflight--
		mu.Unlock()
		return render(ctx, d)
	}
	q, err := queue.Open(queue.Config{
		Path: filepath.Join(t.TempDir(), "store.db"), Printers: []queue.Printer{p}, Log: zerolog.Nop(),
		RenderAhead: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	job := zplJob("p", 12, "")
	job.Documents[5].Content = []byte("^XA^FDRENDER-FAIL^FS^XZ\n")
	sub := q.Subscribe(0)
	id, _, err := q.Submit(context.Background(), job, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := collect(t, sub, 30*time.Second, finalJob(id))
	if last := evs[len(evs)-1]; last.State != string(labelbridge.JobFailed) {
		t.Fatalf("job ended %s, want failed (one document did not render)", last.State)
	}
	mu.Lock()
	if most < 3 {
		t.Errorf("at most %d documents rendered at once, want 3 (the one sent and two ahead)", most)
	}
	mu.Unlock()
	var want bytes.Buffer
	for i, d := range job.Documents {
		if i != 5 {
			want.Write(d.Content)
		}
	}
	got := printertest.Received(t, sim, printertest.LenAtLeast(want.Len()))
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("printer got\n%s\nwant the job's documents in order, without the one that failed:\n%s", got, want.Bytes())
	}
	for _, ev := range evs {
		if ev.Type == labelbridge.EventDocument && ev.Index == 5 && ev.State != string(labelbridge.DocFailed) {
			t.Fatalf("document 5 went %s", ev.State)
		}
	}
}
