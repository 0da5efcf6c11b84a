package queue

import (
	"context"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/labelbridge/labelbridge"
)

// prepared is one document of a job loaded from the store and rendered,
// ready to send.
type prepared struct {
	ds      docRecord
	doc     *labelbridge.Document // nil unless the document is pending
	data    []byte
	took    time.Duration // rendering
	err     error         // from rendering: the document fails
	loadErr error         // from the store: the job stops
}

// ahead renders the documents of one job in parallel ahead of the one being
// sent, in the job's order: sending is serial (one link to the printer) but
// rendering a raster label takes longer than sending it, so a worker that
// rendered and sent in turn would leave the printer waiting and all but
// one core idle. Rendering has no effect on the store, so a document
// rendered and never sent (a crash, a cancel) costs nothing but the work.
type ahead struct {
	w      *worker
	id     string
	total  int
	window int
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	shared map[int][]byte        // a PDF's bytes, shared by its pages
	slots  map[int]chan prepared // started and not yet taken
	next   int                   // the next index to start
}

func newAhead(ctx context.Context, w *worker, id string, total, window int) *ahead {
	ctx, cancel := context.WithCancel(ctx)
	return &ahead{w: w, id: id, total: total, window: max(window, 1), ctx: ctx, cancel: cancel,
		shared: map[int][]byte{}, slots: map[int]chan prepared{}}
}

// take returns document i and starts the documents after it up to the
// window. The worker takes 0, 1, 2… in turn, so document i was started by an
// earlier take, or by this one when i is 0.
func (a *ahead) take(i int) prepared {
	a.mu.Lock()
	for a.next < a.total && a.next <= i+a.window {
		a.start(a.next)
		a.next++
	}
	slot := a.slots[i]
	delete(a.slots, i)
	a.mu.Unlock()
	return <-slot
}

// start renders document i in its own goroutine. Call with mu held.
func (a *ahead) start(i int) {
	slot := make(chan prepared, 1)
	a.slots[i] = slot
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		slot <- a.prepare(i)
	}()
}

func (a *ahead) prepare(i int) prepared {
	var p prepared
	err := a.w.q.db.View(func(tx *bolt.Tx) (err error) {
		if p.ds, err = loadDocState(tx, a.id, i); err != nil {
			return err
		}
		if p.ds.State == labelbridge.DocPending {
			a.mu.Lock()
			defer a.mu.Unlock()
			p.doc, err = loadDoc(tx, a.id, i, a.shared)
			a.forget()
		}
		return err
	})
	if err != nil {
		p.loadErr = err
		return p
	}
	if p.doc == nil {
		return p
	}
	began := time.Now()
	p.data, p.err = a.w.p.Render(a.ctx, p.doc)
	p.took = time.Since(began)
	return p
}

// forget keeps the two latest shared contents. A document only shares the
// content of the latest one before it that had different content, so older
// ones will not be asked for again (and if one is, it is loaded again):
// a job of a thousand raw documents must not hold them all. Call with mu
// held.
func (a *ahead) forget() {
	for len(a.shared) > 2 {
		oldest := -1
		for k := range a.shared {
			if oldest < 0 || k < oldest {
				oldest = k
			}
		}
		delete(a.shared, oldest)
	}
}

// stop abandons what is rendering ahead and waits for it, so nothing of
// the job runs on after the worker moves on.
func (a *ahead) stop() {
	a.cancel()
	a.wg.Wait()
}
