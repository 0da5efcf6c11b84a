package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/labelbridge/labelbridge"
)

// worker prints one printer's jobs, one at a time, in submission order.
type worker struct {
	q   *Queue
	p   Printer
	log zerolog.Logger

	mu        sync.Mutex
	pending   []string
	since     map[string]time.Time // when each pending or current job was accepted
	current   string               // job being printed
	cancelled map[string]bool
	health    Health // last known, from probes and delivery
	busy      bool
	silent    bool // the last probe got no answer: don't delay each document asking again
	// unconfirmed lists documents sent to a printer that can confirm, by
	// job, waiting for it to say they printed. Only the run goroutine
	// touches it.
	unconfirmed map[string][]int
	wake        chan struct{} // a job was queued or cancelled

	conn Conn // owned by the run goroutine
}

func newWorker(q *Queue, p Printer) *worker {
	return &worker{
		q: q, p: p,
		log:       q.log.With().Str("printer", p.Name).Logger(),
		cancelled: map[string]bool{},
		since:     map[string]time.Time{},
		health:    Health{State: "unknown"},
		wake:      make(chan struct{}, 1),
	}
}

func (w *worker) enqueue(id string, accepted time.Time) {
	w.mu.Lock()
	w.pending = append(w.pending, id)
	w.since[id] = accepted
	w.mu.Unlock()
	w.poke()
}

// claimCancel flags the job for the run goroutine when it is printing it
// and reports true; otherwise it takes the job off the pending list, so the
// caller may finish the cancel itself.
func (w *worker) claimCancel(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.current == id {
		w.cancelled[id] = true
		w.poke()
		return true
	}
	for i, p := range w.pending {
		if p == id {
			w.pending = append(w.pending[:i:i], w.pending[i+1:]...)
			delete(w.since, id)
			break
		}
	}
	return false
}

func (w *worker) isCancelled(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cancelled[id]
}

func (w *worker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *worker) next() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return "", false
	}
	id := w.pending[0]
	w.pending = w.pending[1:]
	w.current = id
	return id, true
}

// status is the printer's state as the protocol shows it: its health, or
// busy while it prints and is otherwise fine.
func (w *worker) status() labelbridge.PrinterStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := labelbridge.PrinterStatus{State: w.health.State}
	if w.health.Fault != nil {
		st.Detail = string(w.health.Fault.Code)
	}
	if w.busy && (st.State == "ready" || st.State == "unknown") {
		st.State = "busy"
	}
	return st
}

func (w *worker) setBusy(b bool) {
	w.mu.Lock()
	w.busy = b
	w.mu.Unlock()
}

// setHealth records what the printer said and, when that changed, stores
// and announces a printer event.
func (w *worker) setHealth(h Health) {
	w.mu.Lock()
	same := w.health.State == h.State && sameProblem(w.health.Fault, h.Fault)
	w.health = h
	w.mu.Unlock()
	if same {
		return
	}
	w.log.Info().Str("state", h.State).Interface("fault", h.Fault).Msg("printer state")
	err := w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		_, err := emit(labelbridge.Event{Type: labelbridge.EventPrinter, Printer: w.p.Name, State: h.State, Error: h.Fault})
		return err
	}, nil)
	if err != nil {
		w.log.Error().Err(err).Msg("store printer event")
	}
}

// probe asks the printer over the open link. No answer means unknown, not
// fine and not broken. Before a document (beforeDoc) a printer that stayed
// silent last time is not asked again, so it costs no time a label; idle
// polls keep asking.
func (w *worker) probe(ctx context.Context, beforeDoc bool) Health {
	if w.p.Probe == nil || w.conn == nil || (beforeDoc && w.silent) {
		return Health{State: "unknown"}
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	h, err := w.p.Probe(pctx, w.conn)
	w.silent = err != nil || h.State == "unknown"
	if err != nil {
		var partial interface{ PartialWrite() bool }
		if errors.As(err, &partial) || (retryable(err) && ctx.Err() == nil && pctx.Err() == nil) {
			// The link broke under the query: a fresh one next time.
			w.closeConn()
		}
		return Health{State: "unknown"}
	}
	return h
}

// idlePoll keeps an idle printer's state fresh for status pages.
func (w *worker) idlePoll(ctx context.Context) {
	if w.p.Probe == nil {
		return
	}
	if w.conn == nil {
		c, err := w.p.Dial(ctx)
		if err != nil {
			if retryable(err) {
				w.setHealth(Health{State: "offline", Fault: &labelbridge.Problem{Code: labelbridge.CodePrinterUnreachable, Message: err.Error()}})
			}
			return
		}
		w.conn = c
	}
	w.setHealth(w.probe(ctx, false))
}

func (w *worker) run(ctx context.Context) {
	defer w.closeConn()
	idle := time.NewTimer(w.q.cfg.IdleClose)
	defer idle.Stop()
	var poll <-chan time.Time
	if w.q.cfg.IdlePoll > 0 && w.p.Probe != nil {
		t := time.NewTicker(w.q.cfg.IdlePoll)
		defer t.Stop()
		poll = t.C
		w.idlePoll(ctx)
		idle.Reset(w.q.cfg.IdleClose)
	}
	for {
		id, ok := w.next()
		if !ok && len(w.unconfirmed) > 0 {
			// Nothing else to print: now ask whether what was sent has
			// printed. A job queued meanwhile interrupts the wait and is
			// taken first; the documents are confirmed at the next idle
			// moment.
			if err := w.confirm(ctx); err != nil && ctx.Err() == nil {
				w.log.Error().Err(err).Msg("store printed documents")
			}
			continue
		}
		if !ok {
			w.setBusy(false)
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			case <-poll:
				w.idlePoll(ctx)
				idle.Reset(w.q.cfg.IdleClose)
			case <-idle.C:
				// Many printers serve one 9100 client at a time: let go of
				// the link when there is nothing to print.
				w.closeConn()
			}
			continue
		}
		w.setBusy(true)
		err := w.runJob(ctx, id)
		w.mu.Lock()
		w.current = ""
		delete(w.cancelled, id)
		delete(w.since, id)
		w.mu.Unlock()
		idle.Reset(w.q.cfg.IdleClose)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// A store error: the job stays as stored and resumes on the
			// next start; log once, here.
			w.log.Error().Err(err).Str("job", id).Msg("job stopped on a store error; it resumes after a restart")
		}
	}
}

func (w *worker) closeConn() {
	if w.conn != nil {
		if err := w.conn.Close(); err != nil {
			w.log.Debug().Err(err).Msg("close printer link")
		}
		w.conn = nil
	}
}

// runJob prints the documents of one job not yet finished. It returns with
// the job in a final state, or early (nil) when ctx ends between documents,
// leaving the job to resume after a restart.
func (w *worker) runJob(ctx context.Context, id string) error {
	log := w.log.With().Str("job", id).Logger()
	j, err := w.start(id)
	if err != nil || j.State.Final() {
		return err
	}
	if j.CancelRequested {
		return w.finishCancel(id, log)
	}
	log.Info().Int("documents", j.Total).Msg("printing")
	docs := newAhead(ctx, w, id, j.Total, w.q.cfg.RenderAhead)
	defer docs.stop()
	for i := 0; i < j.Total; i++ {
		if w.isCancelled(id) {
			return w.finishCancel(id, log)
		}
		if ctx.Err() != nil {
			return w.pause(id)
		}
		p := docs.take(i)
		if p.loadErr != nil {
			return p.loadErr
		}
		ds, doc, data := p.ds, p.doc, p.data
		if ds.State != labelbridge.DocPending {
			continue
		}
		w.q.metrics.rendered(w.p.Name, p.took)
		if err := p.err; err != nil {
			if ctx.Err() != nil {
				// Rendering ahead was cut short by the stop, not the
				// document's fault.
				return w.pause(id)
			}
			log.Warn().Err(err).Int("doc", i).Msg("document did not render")
			if err := w.docFinished(id, i, ds.Ref, labelbridge.DocFailed, problemOr(err, labelbridge.CodeRenderFailed), ds.MaybeRepeated); err != nil {
				return err
			}
			continue
		}
		if j.Copies > 1 {
			data = bytes.Repeat(data, j.Copies)
		}
		began := time.Now()
		partial, err := w.send(ctx, id, i, data, log)
		if err == nil {
			w.q.metrics.sent(w.p.Name, len(data), time.Since(began))
		}
		if errors.Is(err, errCancelled) {
			return w.finishCancel(id, log)
		}
		if ctx.Err() != nil && err != nil {
			return w.pause(id)
		}
		state, problem := labelbridge.DocSent, (*labelbridge.Problem)(nil)
		if err != nil {
			var se *sendError
			if !errors.As(err, &se) {
				return err
			}
			state, problem = labelbridge.DocFailed, se.problem
			log.Warn().Err(se.err).Int("doc", i).Msg("document failed")
		} else if w.p.Sent != nil {
			w.p.Sent(doc, data)
		}
		if err := w.docFinished(id, i, ds.Ref, state, problem, ds.MaybeRepeated || partial); err != nil {
			return err
		}
		if state == labelbridge.DocSent && w.p.Confirm != nil && !w.silent {
			if w.unconfirmed == nil {
				w.unconfirmed = map[string][]int{}
			}
			w.unconfirmed[id] = append(w.unconfirmed[id], i)
		}
	}
	// Normally the last document's transaction finished the job already;
	// this covers a job whose last documents were finished before a restart.
	return w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		j, err := loadJob(tx, id)
		if err != nil || j.State.Final() {
			return err
		}
		return finishJob(tx, emit, j, w.q.cfg.Now().UTC(), log)
	}, nil)
}

// finishJob sets a job whose documents are all finished to done, or failed
// when any document failed.
func finishJob(tx *bolt.Tx, emit emitFunc, j *jobRecord, now time.Time, log zerolog.Logger) error {
	j.Inflight = -1
	j.FinishedAt = now
	if j.Failed > 0 {
		log.Warn().Int("failed", j.Failed).Msg("job finished with failed documents")
		return setJobState(tx, emit, j, labelbridge.JobFailed, &labelbridge.Problem{Code: labelbridge.CodeSendFailed,
			Message: fmt.Sprintf("%d of %d documents failed", j.Failed, j.Total)})
	}
	log.Info().Msg("job done")
	return setJobState(tx, emit, j, labelbridge.JobDone, nil)
}

// errCancelled stops a send that was waiting for the printer.
var errCancelled = errors.New("job cancelled")

// sendError is a document that cannot be delivered, as opposed to a
// printer that is away for now.
type sendError struct {
	problem *labelbridge.Problem
	err     error
}

func (e *sendError) Error() string { return e.err.Error() }

// send writes one document, waiting out an unreachable printer with capped
// exponential backoff. It reports whether any earlier attempt wrote part of
// the document, in which case the printer may have printed a fragment.
func (w *worker) send(ctx context.Context, id string, i int, data []byte, log zerolog.Logger) (partial bool, err error) {
	backoff := w.q.cfg.RetryMin
	var held *labelbridge.Problem // why the job is waiting, nil while printing
	hold := func(p *labelbridge.Problem) error {
		if held != nil && held.Code == p.Code {
			return nil
		}
		held = p
		return w.transition(id, labelbridge.JobWaiting, p)
	}
	for attempt := 0; ; attempt++ {
		if w.conn == nil {
			w.conn, err = w.p.Dial(ctx)
		}
		if err == nil {
			// Ask before sending: a document sent to a printer out of
			// paper is a label lost in its buffer.
			h := w.probe(ctx, true)
			if h.State == "fault" || (h.State == "offline" && h.Fault != nil) {
				w.setHealth(h)
				if h.Fault == nil {
					h.Fault = &labelbridge.Problem{Code: labelbridge.CodeOffline, Message: "printer reports a fault"}
				}
				if held == nil || held.Code != h.Fault.Code {
					log.Warn().Str("fault", string(h.Fault.Code)).Msg("printer fault; holding the job until it clears")
				}
				if err := hold(h.Fault); err != nil {
					return partial, err
				}
				if err := w.sleep(ctx, id, w.q.cfg.FaultPoll); err != nil {
					return partial, err
				}
				continue
			}
			if w.conn == nil {
				// The probe found the link broken; dial again.
				continue
			}
			// The write in flight is never cut short by shutdown: a
			// document is written whole or reported failed.
			err = w.conn.Write(context.WithoutCancel(ctx), data)
			if err == nil {
				if held != nil {
					if err := w.transition(id, labelbridge.JobPrinting, nil); err != nil {
						return partial, err
					}
				}
				if h.State != "unknown" || w.status().State == "offline" {
					w.setHealth(h)
				}
				return partial, nil
			}
			var we interface{ PartialWrite() bool }
			if errors.As(err, &we) && we.PartialWrite() {
				partial = true
			}
			w.closeConn()
		}
		if !retryable(err) {
			return partial, &sendError{err: err, problem: &labelbridge.Problem{Code: labelbridge.CodeSendFailed, Message: err.Error()}}
		}
		if held == nil || attempt%10 == 0 {
			// Rate-limit the log of a printer that stays away.
			log.Warn().Err(err).Dur("retry_in", backoff).Msg("printer unreachable; waiting")
		}
		unreachable := &labelbridge.Problem{Code: labelbridge.CodePrinterUnreachable, Message: err.Error()}
		w.setHealth(Health{State: "offline", Fault: unreachable})
		if err := hold(unreachable); err != nil {
			return partial, err
		}
		if err := w.sleep(ctx, id, backoff); err != nil {
			return partial, err
		}
		backoff = min(backoff*2, w.q.cfg.RetryMax)
	}
}

// sleep waits d, returning early when the job is cancelled or ctx ends. A
// wake-up for a newly queued job is consumed here harmlessly: the run loop
// looks at the pending list itself.
func (w *worker) sleep(ctx context.Context, id string, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.wake:
			if w.isCancelled(id) {
				return errCancelled
			}
		case <-t.C:
			return nil
		}
	}
}

// start marks a job printing and records its first pending document as in
// flight, so a crash during that first write is reported too. A job the
// previous job's last commit already started needs no commit of its own.
func (w *worker) start(id string) (*jobRecord, error) {
	var out *jobRecord
	err := w.q.db.View(func(tx *bolt.Tx) (err error) { out, err = loadJob(tx, id); return err })
	if err != nil || out.State.Final() || out.CancelRequested || (out.State == labelbridge.JobPrinting && out.Inflight >= 0) {
		return out, err
	}
	err = w.q.commit(func(tx *bolt.Tx, emit emitFunc) (err error) {
		out, err = startJob(tx, emit, id)
		return err
	}, nil)
	return out, err
}

// startJob is start's change, also made in the same transaction that
// finishes the job before it on the printer.
func startJob(tx *bolt.Tx, emit emitFunc, id string) (*jobRecord, error) {
	j, err := loadJob(tx, id)
	if err != nil || j.State.Final() || j.CancelRequested {
		return j, err
	}
	j.Inflight = -1
	for i := 0; i < j.Total; i++ {
		d, err := loadDocState(tx, id, i)
		if err != nil {
			return nil, err
		}
		if d.State == labelbridge.DocPending {
			j.Inflight = i
			break
		}
	}
	return j, setJobState(tx, emit, j, labelbridge.JobPrinting, nil)
}

// backlog returns how many jobs are queued or printing, and when the oldest
// of them was accepted.
func (w *worker) backlog() (int, time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var oldest time.Time
	for _, t := range w.since {
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	return len(w.since), oldest
}

// peek returns the job that will print next, if any.
func (w *worker) peek() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return ""
	}
	return w.pending[0]
}

// retryable decides, for the whole queue, which delivery errors are worth
// waiting out: those that say so.
func retryable(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

func problemOr(err error, code labelbridge.Code) *labelbridge.Problem {
	var le *labelbridge.Error
	if errors.As(err, &le) && le.Code != "" && le.Code != labelbridge.CodeInternal {
		p := labelbridge.ProblemOf(err)
		return p
	}
	return &labelbridge.Problem{Code: code, Message: err.Error()}
}

// transition stores and announces a job state change, unless the job is
// already in that state with the same reason.
func (w *worker) transition(id string, s labelbridge.JobState, problem *labelbridge.Problem) error {
	return w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		j, err := loadJob(tx, id)
		if err != nil {
			return err
		}
		if j.State == s && sameProblem(j.Error, problem) {
			return nil
		}
		return setJobState(tx, emit, j, s, problem)
	}, nil)
}

func sameProblem(a, b *labelbridge.Problem) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Code == b.Code
}

// docFinished records one document's outcome, its event, and which
// document goes out next, in one transaction: after a crash at most that
// next document can have reached the printer unrecorded.
func (w *worker) docFinished(id string, i int, ref string, s labelbridge.DocState, problem *labelbridge.Problem, maybeRepeated bool) error {
	return w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		j, err := loadJob(tx, id)
		if err != nil {
			return err
		}
		prev, err := loadDocState(tx, id, i)
		if err != nil {
			return err
		}
		if err := saveDocState(tx, id, i, docRecord{Ref: ref, Page: prev.Page, State: s, Error: problem, MaybeRepeated: maybeRepeated}); err != nil {
			return err
		}
		j.Done++
		if s == labelbridge.DocFailed {
			j.Failed++
		}
		j.Inflight = -1
		if i+1 < j.Total {
			j.Inflight = i + 1
		}
		if err := saveJob(tx, j); err != nil {
			return err
		}
		_, err = emit(labelbridge.Event{Type: labelbridge.EventDocument, JobID: id, Printer: j.Printer, Index: i, Ref: ref, Page: prev.Page,
			State: string(s), Error: problem, MaybeRepeated: maybeRepeated})
		if err != nil || i+1 < j.Total {
			return err
		}
		// The last document: finish the job, and start the next one, in the
		// same transaction: one fsync a document in a stream of jobs.
		if err := finishJob(tx, emit, j, w.q.cfg.Now().UTC(), w.log.With().Str("job", id).Logger()); err != nil {
			return err
		}
		if next := w.peek(); next != "" {
			_, err = startJob(tx, emit, next)
		}
		return err
	}, nil)
}

// confirm waits, when the printer has nothing more to print, for a printer
// that can tell to say its buffer has printed, and marks every document sent
// since the last confirmation printed. Waiting after each label or each job
// instead would leave the printer idle between labels. A job queued
// meanwhile interrupts the wait; the documents are confirmed at the next
// idle moment. Silence, or a printer that cannot tell, leaves them sent.
func (w *worker) confirm(ctx context.Context) error {
	if w.p.Confirm == nil || w.conn == nil || w.silent || len(w.unconfirmed) == 0 {
		w.unconfirmed = nil
		return nil
	}
	// A wake-up left over from a job already taken would end the wait at
	// once, and with it every later try: drop it, then look for work.
	select {
	case <-w.wake:
	default:
	}
	if w.peek() != "" {
		return nil
	}
	n := 0
	for _, docs := range w.unconfirmed {
		n += len(docs)
	}
	cctx, cancel := context.WithCancel(ctx)
	var watch sync.WaitGroup
	watch.Add(1)
	go func() {
		defer watch.Done()
		select {
		case <-w.wake:
			cancel()
		case <-cctx.Done():
		}
	}()
	ok, err := w.p.Confirm(cctx, w.conn, n)
	interrupted := cctx.Err() != nil && ctx.Err() == nil
	cancel()
	watch.Wait()
	if interrupted {
		return nil
	}
	pending := w.unconfirmed
	w.unconfirmed = nil
	if err != nil || !ok {
		if err != nil {
			w.log.Debug().Err(err).Msg("printer did not confirm; the documents stay sent")
		}
		return nil
	}
	return w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		for id, docs := range pending {
			for _, i := range docs {
				d, err := loadDocState(tx, id, i)
				if err != nil {
					return err
				}
				if d.State != labelbridge.DocSent {
					continue
				}
				d.State = labelbridge.DocPrinted
				if err := saveDocState(tx, id, i, d); err != nil {
					return err
				}
				_, err = emit(labelbridge.Event{Type: labelbridge.EventDocument, JobID: id, Printer: w.p.Name, Index: i, Ref: d.Ref, Page: d.Page,
					State: string(labelbridge.DocPrinted), MaybeRepeated: d.MaybeRepeated})
				if err != nil {
					return err
				}
			}
		}
		return nil
	}, nil)
}

// pause records a clean stop between documents: nothing is in flight, so
// nothing will be reported as possibly repeated.
func (w *worker) pause(id string) error {
	return w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		j, err := loadJob(tx, id)
		if err != nil {
			return err
		}
		j.Inflight = -1
		return saveJob(tx, j)
	}, nil)
}

func (w *worker) finishCancel(id string, log zerolog.Logger) error {
	w.mu.Lock()
	delete(w.cancelled, id)
	w.mu.Unlock()
	log.Info().Msg("job cancelled")
	return w.q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		j, err := loadJob(tx, id)
		if err != nil || j.State.Final() {
			return err
		}
		return finishCancelled(tx, emit, j, w.q.cfg.Now().UTC())
	}, nil)
}
