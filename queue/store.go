package queue

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/labelbridge/labelbridge"
)

// The store keeps everything in one bbolt file. Documents are immutable and
// kept apart from their small, often rewritten states, so marking one of a
// thousand documents sent rewrites a few hundred bytes, not the job.
var (
	bucketMeta      = []byte("meta")      // "seq" -> last event seq
	bucketJobs      = []byte("jobs")      // job id -> jobRecord
	bucketDocs      = []byte("docs")      // job id + index -> Document
	bucketDocStates = []byte("docstates") // job id + index -> docRecord
	bucketEvents    = []byte("events")    // seq -> Event
	bucketIdem      = []byte("idem")      // idempotency key -> job id
	keySeq          = []byte("seq")
)

// jobRecord is a job's mutable state. Documents live in their own buckets.
type jobRecord struct {
	ID             string               `json:"id"`
	Printer        string               `json:"printer"`
	IdempotencyKey string               `json:"idempotency_key,omitempty"`
	BodyHash       string               `json:"body_hash,omitempty"`
	Copies         int                  `json:"copies"`
	Total          int                  `json:"total"`
	Done           int                  `json:"done"`
	Failed         int                  `json:"failed"`
	State          labelbridge.JobState `json:"state"`
	Error          *labelbridge.Problem `json:"error,omitempty"`
	CreatedAt      time.Time            `json:"created_at"`
	FinishedAt     time.Time            `json:"finished_at,omitzero"`
	// Order is the seq of the job's queued event: FIFO order per printer
	// survives restarts.
	Order uint64 `json:"order"`
	// Inflight is the index of the document being written, or -1. It is
	// stored in the same transaction that marks the previous document sent,
	// so a crash leaves it pointing at the one document that may repeat.
	Inflight int `json:"inflight"`
	// CancelRequested survives a restart between cancel and the worker
	// noticing it.
	CancelRequested bool `json:"cancel_requested,omitempty"`
}

// storedDoc is a document as stored: the pages of one PDF share its bytes,
// kept with the first of them (ContentFrom names that document's index).
type storedDoc struct {
	labelbridge.Document
	ContentFrom *int `json:"content_from,omitempty"`
}

type docRecord struct {
	// Ref is kept beside the state so status and events never read the
	// document's content, which may be megabytes.
	Ref           string               `json:"ref,omitempty"`
	Page          int                  `json:"page,omitempty"`
	State         labelbridge.DocState `json:"state"`
	Error         *labelbridge.Problem `json:"error,omitempty"`
	MaybeRepeated bool                 `json:"maybe_repeated,omitempty"`
}

func openDB(path string) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketJobs, bucketDocs, bucketDocStates, bucketEvents, bucketIdem} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init store %s: %w", path, err)
	}
	return db, nil
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func docKey(jobID string, index int) []byte {
	k := make([]byte, 0, len(jobID)+5)
	k = append(k, jobID...)
	k = append(k, '/')
	return binary.BigEndian.AppendUint32(k, uint32(index))
}

func docPrefix(jobID string) []byte { return append([]byte(jobID), '/') }

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func loadJob(tx *bolt.Tx, id string) (*jobRecord, error) {
	var j jobRecord
	ok, err := getJSON(tx.Bucket(bucketJobs), []byte(id), &j)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, labelbridge.Errorf(labelbridge.CodeNotFound, "no job %q", id)
	}
	return &j, nil
}

func saveJob(tx *bolt.Tx, j *jobRecord) error {
	return putJSON(tx.Bucket(bucketJobs), []byte(j.ID), j)
}

func loadDocState(tx *bolt.Tx, id string, i int) (docRecord, error) {
	var d docRecord
	ok, err := getJSON(tx.Bucket(bucketDocStates), docKey(id, i), &d)
	if err == nil && !ok {
		err = fmt.Errorf("job %s: document %d has no state", id, i)
	}
	return d, err
}

func saveDocState(tx *bolt.Tx, id string, i int, d docRecord) error {
	return putJSON(tx.Bucket(bucketDocStates), docKey(id, i), d)
}

// loadDoc loads document i of job id. Documents whose content is another's
// (a PDF's pages) get it through shared, by that document's index, so the
// bytes are decoded once a job and its pages share them again.
func loadDoc(tx *bolt.Tx, id string, i int, shared map[int][]byte) (*labelbridge.Document, error) {
	var d storedDoc
	ok, err := getJSON(tx.Bucket(bucketDocs), docKey(id, i), &d)
	if err == nil && !ok {
		err = fmt.Errorf("job %s: document %d is missing", id, i)
	}
	if err == nil && d.ContentFrom != nil && shared[*d.ContentFrom] != nil {
		d.Content = shared[*d.ContentFrom]
	} else if err == nil && d.ContentFrom != nil {
		var src storedDoc
		ok, err = getJSON(tx.Bucket(bucketDocs), docKey(id, *d.ContentFrom), &src)
		if err == nil && !ok {
			err = fmt.Errorf("job %s: document %d's content (in %d) is missing", id, i, *d.ContentFrom)
		}
		d.Content = src.Content
		if shared != nil {
			shared[*d.ContentFrom] = d.Content
		}
	}
	if err == nil && shared != nil && d.ContentFrom == nil && len(d.Content) > 0 {
		shared[i] = d.Content
	}
	return &d.Document, err
}

// storeDocs writes a job's documents; a document whose content is the very
// same bytes as an earlier one's (a PDF's pages) refers to it instead of
// holding a copy.
func storeDocs(b *bolt.Bucket, id string, docs []labelbridge.Document) error {
	first := -1
	for i := range docs {
		sd := storedDoc{Document: docs[i]}
		if first >= 0 && sameBytes(docs[i].Content, docs[first].Content) {
			f := first
			sd.ContentFrom = &f
			sd.Content = nil
		} else {
			first = i
		}
		if err := putJSON(b, docKey(id, i), &sd); err != nil {
			return err
		}
	}
	return nil
}

// sameBytes reports whether a and b are the same memory, not just equal:
// cheap, and exactly the case of pages split from one PDF.
func sameBytes(a, b []byte) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// deleteJob removes a finished job, its documents and its idempotency key.
func deleteJob(tx *bolt.Tx, j *jobRecord) error {
	if err := tx.Bucket(bucketJobs).Delete([]byte(j.ID)); err != nil {
		return err
	}
	if j.IdempotencyKey != "" {
		idem := tx.Bucket(bucketIdem)
		if string(idem.Get([]byte(j.IdempotencyKey))) == j.ID {
			if err := idem.Delete([]byte(j.IdempotencyKey)); err != nil {
				return err
			}
		}
	}
	prefix := docPrefix(j.ID)
	for _, name := range [][]byte{bucketDocs, bucketDocStates} {
		c := tx.Bucket(name).Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := c.Delete(); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}
