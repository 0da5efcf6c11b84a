// Package queue is labelbridge's durable job store and its per-printer
// workers.
//
// A job is acknowledged only after it is fsynced to an embedded bbolt file.
// Each printer has one FIFO worker, so a slow or dead printer never delays
// another. Every state change is stored, with its event, in one transaction
// before the event is published, and events are numbered by one global,
// dense seq. Subscribers read events back from the store, so a slow reader
// costs disk, not memory, and never holds up printing.
package queue

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"

	"github.com/labelbridge/labelbridge"
)

// Conn is an open link to a printer, as the worker uses it.
type Conn interface {
	// Write sends one whole document and returns nil only when every byte
	// was written. An error that has a Temporary() bool method returning
	// true makes the worker wait and retry; any other error fails the
	// document.
	Write(ctx context.Context, p []byte) error
	Close() error
}

// Printer is one configured printer as the queue sees it.
type Printer struct {
	Name       string
	Language   labelbridge.Language
	Connection string
	// Dial opens a link to the printer. It is called when a document is
	// ready to go and no link is open.
	Dial func(ctx context.Context) (Conn, error)
	// Render turns a document into the bytes the printer takes. It is
	// called before the printer is dialled, so a bad document never prints
	// half way.
	Render func(ctx context.Context, doc *labelbridge.Document) ([]byte, error)
	// Sent, when set, is told of each document written in full (the
	// virtual printer keeps a preview of it).
	Sent func(doc *labelbridge.Document, data []byte)
	// Probe asks the printer for its state over the open link, between
	// documents and now and then when idle. nil: the printer is never
	// asked and its state stays unknown. A printer that does not answer
	// is unknown, and jobs still print to it; only a reported fault holds
	// a job.
	Probe func(ctx context.Context, c Conn) (Health, error)
	// Confirm waits for the printer to say everything sent has printed;
	// pending is how many documents that is, to size the wait. It reports
	// false when the printer cannot tell. nil: never.
	Confirm func(ctx context.Context, c Conn, pending int) (bool, error)
}

// Health is what a printer says of itself.
type Health struct {
	// State is ready, busy, fault, offline or unknown.
	State string
	// Fault says which fault (paper_out, head_open, …) when State is
	// fault or offline.
	Fault *labelbridge.Problem
}

// Config configures a Queue. Zero values take the defaults noted.
type Config struct {
	// Path is the store file; it is created if missing.
	Path     string
	Printers []Printer
	Log      zerolog.Logger
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Retention is how long finished jobs and events are kept; 7 days by
	// default.
	Retention time.Duration
	// RetryMin and RetryMax bound the backoff while a printer is
	// unreachable: 500ms doubling up to 30s by default.
	RetryMin, RetryMax time.Duration
	// IdleClose closes a printer link left unused this long; 2s by default.
	IdleClose time.Duration
	// Metrics, when set, receives the queue's Prometheus metrics.
	Metrics prometheus.Registerer
	// MinFree is the free disk space below which Ready reports the queue
	// unable to take jobs; 8 MiB by default.
	MinFree uint64
	// FaultPoll is how often a printer holding a job on a fault is asked
	// again; 500ms by default. IdlePoll is how often an idle printer is
	// asked (so status pages stay live); 30s by default, negative for never.
	FaultPoll, IdlePoll time.Duration
	// RenderAhead is how many documents of a job each printer's worker
	// renders ahead of the one it sends, in parallel; GOMAXPROCS by
	// default.
	RenderAhead int
}

// Queue is the durable job queue. Its methods are safe for concurrent use.
type Queue struct {
	cfg Config
	db  *bolt.DB
	log zerolog.Logger

	// The committer goroutine owns every write and seq.
	commits       chan *commitReq
	stopCommits   chan struct{}
	committerDone chan struct{}
	seq           uint64 // last seq committed; only the committer touches it

	mu        sync.Mutex
	published uint64        // last seq visible to subscribers
	notify    chan struct{} // closed and replaced on each publish

	workers map[string]*worker
	metrics *metrics

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Open opens (or creates) the store at cfg.Path, resumes unfinished jobs and
// starts one worker per printer. Jobs cut mid-document by a crash are
// reported interrupted and continue by themselves.
func Open(cfg Config) (*Queue, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 7 * 24 * time.Hour
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 500 * time.Millisecond
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(30*time.Second, cfg.RetryMin)
	}
	if cfg.IdleClose <= 0 {
		cfg.IdleClose = 2 * time.Second
	}
	if cfg.MinFree == 0 {
		cfg.MinFree = 8 << 20
	}
	if cfg.FaultPoll <= 0 {
		cfg.FaultPoll = 500 * time.Millisecond
	}
	if cfg.IdlePoll == 0 {
		cfg.IdlePoll = 30 * time.Second
	}
	if cfg.RenderAhead <= 0 {
		cfg.RenderAhead = runtime.GOMAXPROCS(0)
	}
	db, err := openDB(cfg.Path)
	if err != nil {
		return nil, err
	}
	q := &Queue{cfg: cfg, db: db, log: cfg.Log, notify: make(chan struct{}), workers: map[string]*worker{},
		commits: make(chan *commitReq), stopCommits: make(chan struct{}), committerDone: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	err = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keySeq); v != nil {
			q.seq = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("read store %s: %w", cfg.Path, err)
	}
	q.published = q.seq
	for _, p := range cfg.Printers {
		if _, dup := q.workers[p.Name]; dup {
			db.Close()
			return nil, fmt.Errorf("printer %q configured twice", p.Name)
		}
		q.workers[p.Name] = newWorker(q, p)
	}
	q.metrics = newMetrics(cfg.Metrics, q)
	go q.committer()
	if err := q.recover(); err != nil {
		close(q.stopCommits)
		<-q.committerDone
		db.Close()
		return nil, err
	}
	for _, w := range q.workers {
		q.wg.Add(1)
		go func() { defer q.wg.Done(); w.run(q.ctx) }()
	}
	q.wg.Add(1)
	go func() { defer q.wg.Done(); q.retain(q.ctx) }()
	return q, nil
}

// Close stops the workers, letting each finish the document it is writing,
// then closes the store.
func (q *Queue) Close() error {
	q.cancel()
	q.wg.Wait()
	close(q.stopCommits)
	<-q.committerDone
	return q.db.Close()
}

// Path returns the store file's path.
func (q *Queue) Path() string { return filepath.Clean(q.cfg.Path) }

// recover puts every unfinished job back in its printer's queue, in the
// order they were submitted.
func (q *Queue) recover() error {
	var open []*jobRecord
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var j jobRecord
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("decode job %q: %w", k, err)
			}
			if !j.State.Final() {
				open = append(open, &j)
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("recover jobs: %w", err)
	}
	sort.Slice(open, func(a, b int) bool { return open[a].Order < open[b].Order })
	for _, j := range open {
		w := q.workers[j.Printer]
		if j.Inflight >= 0 {
			// The process stopped while this document was being written: it
			// may have reached the printer.
			err := q.commit(func(tx *bolt.Tx, emit emitFunc) error {
				cur, err := loadJob(tx, j.ID)
				if err != nil {
					return err
				}
				d, err := loadDocState(tx, j.ID, cur.Inflight)
				if err != nil {
					return err
				}
				d.MaybeRepeated = true
				if err := saveDocState(tx, j.ID, cur.Inflight, d); err != nil {
					return err
				}
				cur.Inflight = -1
				return setJobState(tx, emit, cur, labelbridge.JobInterrupted, nil)
			}, nil)
			if err != nil {
				return fmt.Errorf("recover job %s: %w", j.ID, err)
			}
			q.log.Warn().Str("job", j.ID).Msg("job was interrupted mid-document; resuming, the document in flight may print twice")
		}
		if w == nil {
			// The printer left the configuration. Keep the job: it is not
			// lost, and resumes if the printer comes back.
			err := q.commit(func(tx *bolt.Tx, emit emitFunc) error {
				cur, err := loadJob(tx, j.ID)
				if err != nil {
					return err
				}
				return setJobState(tx, emit, cur, labelbridge.JobWaiting,
					&labelbridge.Problem{Code: labelbridge.CodeUnknownPrinter, Message: fmt.Sprintf("printer %q is not configured", j.Printer)})
			}, nil)
			if err != nil {
				return fmt.Errorf("recover job %s: %w", j.ID, err)
			}
			continue
		}
		w.enqueue(j.ID, j.CreatedAt)
	}
	return nil
}

// emitFunc records an event in the transaction and returns the seq it got.
type emitFunc func(ev labelbridge.Event) (uint64, error)

// commitReq is one change waiting for the committer.
type commitReq struct {
	fn   func(tx *bolt.Tx, emit emitFunc) error
	hook func()
	done chan error
}

// commit runs fn in a durable transaction and returns once it is on disk.
// Events fn emits are published only after the commit, and after hook runs:
// so they are visible in seq order and only once stored, and a submit's
// hook (the accepted reply) comes before its job's events.
//
// Concurrent commits from several printers and clients share one
// transaction and one fsync (group commit); each still waits for its own
// durability.
func (q *Queue) commit(fn func(tx *bolt.Tx, emit emitFunc) error, hook func()) error {
	r := &commitReq{fn: fn, hook: hook, done: make(chan error, 1)}
	select {
	case q.commits <- r:
	case <-q.committerDone:
		return errors.New("queue is closed")
	}
	return <-r.done
}

// committer is the one goroutine that writes the store.
func (q *Queue) committer() {
	defer close(q.committerDone)
	const maxBatch = 256
	for {
		var batch []*commitReq
		select {
		case r := <-q.commits:
			batch = append(batch, r)
		case <-q.stopCommits:
			return
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-q.commits:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		q.runBatch(batch)
	}
}

// errInBatch marks a batch rolled back because one of its changes failed.
var errInBatch = errors.New("a change in the batch failed")

// runBatch commits a batch in one transaction. When one change fails, the
// whole transaction is rolled back and the batch is split: the changes
// before it and after it are committed without it, and it alone gets its
// error. Changes are written to be run again from scratch.
func (q *Queue) runBatch(batch []*commitReq) {
	if len(batch) == 0 {
		return
	}
	seq := q.seq
	now := q.cfg.Now().UTC()
	failed, failErr := -1, error(nil)
	var emitted []labelbridge.Event
	err := q.db.Update(func(tx *bolt.Tx) error {
		events := tx.Bucket(bucketEvents)
		emitted = emitted[:0]
		emit := func(ev labelbridge.Event) (uint64, error) {
			seq++
			ev.Seq = seq
			if ev.At.IsZero() {
				ev.At = now
			}
			emitted = append(emitted, ev)
			return seq, putJSON(events, u64(seq), ev)
		}
		for i, r := range batch {
			if err := r.fn(tx, emit); err != nil {
				failed, failErr = i, err
				return errInBatch
			}
		}
		if seq != q.seq {
			return tx.Bucket(bucketMeta).Put(keySeq, u64(seq))
		}
		return nil
	})
	switch {
	case err == nil:
		q.seq = seq
		q.metrics.observe(emitted)
		for _, r := range batch {
			if r.hook != nil {
				r.hook()
			}
		}
		q.mu.Lock()
		if q.published != seq {
			q.published = seq
			close(q.notify)
			q.notify = make(chan struct{})
		}
		q.mu.Unlock()
		for _, r := range batch {
			r.done <- nil
		}
	case failed >= 0 && len(batch) == 1:
		batch[0].done <- failErr
	case failed >= 0:
		q.runBatch(batch[:failed])
		q.runBatch(batch[failed : failed+1])
		q.runBatch(batch[failed+1:])
	case len(batch) == 1:
		batch[0].done <- err
	default:
		// The commit itself failed (a full disk, say): try each change on
		// its own, so small ones may still fit.
		for _, r := range batch {
			q.runBatch([]*commitReq{r})
		}
	}
}

// setJobState stores a job's new state and emits its job event. A job's
// first event fixes its place in its printer's queue.
func setJobState(tx *bolt.Tx, emit emitFunc, j *jobRecord, s labelbridge.JobState, problem *labelbridge.Problem) error {
	j.State = s
	j.Error = problem
	seq, err := emit(labelbridge.Event{
		Type: labelbridge.EventJob, JobID: j.ID, State: string(s), Printer: j.Printer,
		Done: j.Done, Total: j.Total, Error: problem,
	})
	if err != nil {
		return err
	}
	if j.Order == 0 {
		j.Order = seq
	}
	return saveJob(tx, j)
}

// SubmitHook is called once the job is durably stored (or found to be a
// duplicate), before any event of the job is published. It must not block:
// the daemon uses it to queue the "accepted" reply ahead of the job's events.
type SubmitHook func(jobID string, duplicate bool)

// Submit stores job durably and queues it on its printer. It returns the
// job's id and whether the idempotency key matched an earlier job, in which
// case nothing new is stored or printed.
//
// Errors: *labelbridge.Error with code unknown_printer, invalid_request or
// idempotency_conflict; any other error means the job was not stored.
func (q *Queue) Submit(ctx context.Context, job *labelbridge.Job, hook SubmitHook) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	w := q.workers[job.Printer]
	if w == nil {
		return "", false, &labelbridge.Error{Code: labelbridge.CodeUnknownPrinter, Path: "job.printer",
			Message: fmt.Sprintf("no printer named %q (configured: %s)", job.Printer, strings.Join(q.printerNames(), ", "))}
	}
	if len(job.Documents) == 0 {
		return "", false, labelbridge.Invalid("job.documents", "a job needs at least one document")
	}
	if len(job.Documents) > labelbridge.MaxDocuments {
		return "", false, &labelbridge.Error{Code: labelbridge.CodeTooLarge, Path: "job.documents",
			Message: fmt.Sprintf("%d documents; a job holds at most %d", len(job.Documents), labelbridge.MaxDocuments)}
	}
	copies := max(job.Copies, 1)
	hash, err := bodyHash(job.Printer, copies, job.Documents)
	if err != nil {
		return "", false, err
	}
	var id string
	var duplicate bool
	err = q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		if job.IdempotencyKey != "" {
			if prev := tx.Bucket(bucketIdem).Get([]byte(job.IdempotencyKey)); prev != nil {
				j, err := loadJob(tx, string(prev))
				if err != nil {
					return err
				}
				if j.BodyHash != hash {
					return &labelbridge.Error{Code: labelbridge.CodeIdempotencyConflict, Path: "job.idempotency_key",
						Message: fmt.Sprintf("key %q was used by job %s with a different body", job.IdempotencyKey, j.ID)}
				}
				id, duplicate = j.ID, true
				return nil
			}
		}
		id = newJobID()
		j := &jobRecord{
			ID: id, Printer: job.Printer, IdempotencyKey: job.IdempotencyKey, BodyHash: hash,
			Copies: copies, Total: len(job.Documents), CreatedAt: q.cfg.Now().UTC(),
			Inflight: -1,
		}
		if err := storeDocs(tx.Bucket(bucketDocs), id, job.Documents); err != nil {
			return err
		}
		for i := range job.Documents {
			if err := saveDocState(tx, id, i, docRecord{Ref: job.Documents[i].Ref, Page: job.Documents[i].Page, State: labelbridge.DocPending}); err != nil {
				return err
			}
		}
		if job.IdempotencyKey != "" {
			if err := tx.Bucket(bucketIdem).Put([]byte(job.IdempotencyKey), []byte(id)); err != nil {
				return err
			}
		}
		return setJobState(tx, emit, j, labelbridge.JobQueued, nil)
	}, func() {
		if hook != nil {
			hook(id, duplicate)
		}
	})
	if err != nil {
		var le *labelbridge.Error
		if errors.As(err, &le) {
			return "", false, err
		}
		q.log.Error().Err(err).Msg("could not store a job; it was not accepted")
		return "", false, &labelbridge.Error{Code: labelbridge.CodeInternal, Message: "the job could not be stored (is the disk full?); it was not accepted", Err: err}
	}
	if !duplicate {
		w.enqueue(id, q.cfg.Now())
		q.log.Info().Str("job", id).Str("printer", job.Printer).Int("documents", len(job.Documents)).Msg("job accepted")
	}
	return id, duplicate, nil
}

func (q *Queue) printerNames() []string {
	names := make([]string, 0, len(q.workers))
	for n := range q.workers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// bodyHash identifies a job's content, so a reused idempotency key with a
// different body is caught rather than silently dropped or reprinted.
// The pages of one PDF share its bytes: those are hashed once, not once a
// page (a 600-page PDF would otherwise be hashed 600 times).
func bodyHash(printer string, copies int, docs []labelbridge.Document) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	if err := enc.Encode([]any{printer, copies, len(docs)}); err != nil {
		return "", fmt.Errorf("hash job: %w", err)
	}
	first := -1
	for i := range docs {
		d := docs[i]
		if first >= 0 && sameBytes(d.Content, docs[first].Content) {
			d.Content = []byte(fmt.Sprintf("same as %d", first))
		} else {
			first = i
		}
		if err := enc.Encode(d); err != nil {
			return "", fmt.Errorf("hash job: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func newJobID() string {
	var b [10]byte
	rand.Read(b[:])
	return "j" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Job returns a snapshot of a job and each of its documents.
//
// Errors: *labelbridge.Error with code not_found.
func (q *Queue) Job(id string) (*labelbridge.JobStatus, error) {
	var st *labelbridge.JobStatus
	err := q.db.View(func(tx *bolt.Tx) error {
		j, err := loadJob(tx, id)
		if err != nil {
			return err
		}
		st = &labelbridge.JobStatus{ID: j.ID, Printer: j.Printer, State: j.State, Done: j.Done, Total: j.Total,
			CreatedAt: j.CreatedAt, Error: j.Error, Documents: make([]labelbridge.DocStatus, 0, j.Total)}
		c := tx.Bucket(bucketDocStates).Cursor()
		prefix := docPrefix(id)
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			var d docRecord
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("decode document state %q: %w", k, err)
			}
			i := int(binary.BigEndian.Uint32(k[len(prefix):]))
			st.Documents = append(st.Documents, labelbridge.DocStatus{Index: i, Ref: d.Ref, Page: d.Page, State: d.State, Error: d.Error, MaybeRepeated: d.MaybeRepeated})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// Jobs returns up to limit jobs, newest first, without their documents:
// what a status page lists.
func (q *Queue) Jobs(limit int) ([]labelbridge.JobStatus, error) {
	var out []labelbridge.JobStatus
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var j jobRecord
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("decode job %q: %w", k, err)
			}
			out = append(out, labelbridge.JobStatus{ID: j.ID, Printer: j.Printer, State: j.State, Done: j.Done,
				Total: j.Total, CreatedAt: j.CreatedAt, Error: j.Error, Documents: []labelbridge.DocStatus{}})
			return nil
		})
	})
	sort.Slice(out, func(a, b int) bool { return out[a].CreatedAt.After(out[b].CreatedAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// Reprint submits a new job with the documents of job id, on the same
// printer: a packer's deliberate reprint, never an accidental one (the new
// job has no idempotency key).
//
// Errors: not_found, or Submit's.
func (q *Queue) Reprint(ctx context.Context, id string) (string, error) {
	job := &labelbridge.Job{}
	err := q.db.View(func(tx *bolt.Tx) error {
		j, err := loadJob(tx, id)
		if err != nil {
			return err
		}
		job.Printer, job.Copies = j.Printer, j.Copies
		shared := map[int][]byte{}
		for i := 0; i < j.Total; i++ {
			d, err := loadDoc(tx, id, i, shared)
			if err != nil {
				return err
			}
			job.Documents = append(job.Documents, *d)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	newID, _, err := q.Submit(ctx, job, nil)
	return newID, err
}

// Cancel stops a job: documents not yet sent are not sent. The document
// being written, if any, completes first. Cancelling a finished job does
// nothing.
//
// Errors: *labelbridge.Error with code not_found.
func (q *Queue) Cancel(ctx context.Context, id string) error {
	var j *jobRecord
	if err := q.db.View(func(tx *bolt.Tx) (err error) { j, err = loadJob(tx, id); return err }); err != nil {
		return err
	}
	if j.State.Final() {
		return nil
	}
	if w := q.workers[j.Printer]; w != nil && w.claimCancel(id) {
		// Printing now: the worker stops after the document in flight.
		// The request is stored too, so it holds across a restart.
		return q.commit(func(tx *bolt.Tx, emit emitFunc) error {
			j, err := loadJob(tx, id)
			if err != nil || j.State.Final() {
				return err
			}
			j.CancelRequested = true
			return saveJob(tx, j)
		}, nil)
	}
	return q.commit(func(tx *bolt.Tx, emit emitFunc) error {
		j, err := loadJob(tx, id)
		if err != nil || j.State.Final() {
			return err
		}
		return finishCancelled(tx, emit, j, q.cfg.Now().UTC())
	}, nil)
}

// finishCancelled marks every pending document cancelled and the job
// cancelled.
func finishCancelled(tx *bolt.Tx, emit emitFunc, j *jobRecord, now time.Time) error {
	for i := 0; i < j.Total; i++ {
		d, err := loadDocState(tx, j.ID, i)
		if err != nil {
			return err
		}
		if d.State == labelbridge.DocPending {
			d.State = labelbridge.DocCancelled
			if err := saveDocState(tx, j.ID, i, d); err != nil {
				return err
			}
		}
	}
	j.Inflight = -1
	j.FinishedAt = now
	return setJobState(tx, emit, j, labelbridge.JobCancelled, nil)
}

// Printers lists the configured printers with their last known status.
func (q *Queue) Printers() []labelbridge.PrinterInfo {
	out := make([]labelbridge.PrinterInfo, 0, len(q.cfg.Printers))
	for _, p := range q.cfg.Printers {
		out = append(out, labelbridge.PrinterInfo{Name: p.Name, Language: p.Language, Connection: p.Connection,
			Status: q.workers[p.Name].status()})
	}
	return out
}

// Ready reports whether the queue can accept jobs now: the disk has room
// and a small durable write succeeds, so a full or read-only disk shows here.
func (q *Queue) Ready() error {
	if q.ctx.Err() != nil {
		return errors.New("queue is closed")
	}
	if free, err := diskFree(filepath.Dir(q.cfg.Path)); err == nil && free < q.cfg.MinFree {
		return fmt.Errorf("disk nearly full: %d KiB free in %s", free>>10, filepath.Dir(q.cfg.Path))
	}
	stamp, _ := q.cfg.Now().UTC().MarshalText()
	if err := q.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("health"), stamp) }); err != nil {
		return fmt.Errorf("store %s is not writable: %w", q.cfg.Path, err)
	}
	return nil
}
