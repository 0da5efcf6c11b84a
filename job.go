package labelbridge

import (
	"encoding/json"
	"time"
)

// MaxDocuments is the protocol's limit on documents in one job.
const MaxDocuments = 1000

// JobState is where a job is in its life. Done, Failed and Cancelled are final.
type JobState string

// Job states, as the protocol names them.
const (
	JobQueued      JobState = "queued"
	JobPrinting    JobState = "printing"
	JobWaiting     JobState = "waiting"
	JobDone        JobState = "done"
	JobFailed      JobState = "failed"
	JobCancelled   JobState = "cancelled"
	JobInterrupted JobState = "interrupted"
)

// Final reports whether a job in state s will never change again.
func (s JobState) Final() bool {
	return s == JobDone || s == JobFailed || s == JobCancelled
}

// DocState is where one document of a job is. Pending and Cancelled appear
// only in job status snapshots; events carry Sent, Printed or Failed.
type DocState string

// Document states.
const (
	DocPending   DocState = "pending"
	DocSent      DocState = "sent"
	DocPrinted   DocState = "printed"
	DocFailed    DocState = "failed"
	DocCancelled DocState = "cancelled"
)

// Finished reports whether the document counts toward a job's done count.
func (s DocState) Finished() bool {
	return s == DocSent || s == DocPrinted || s == DocFailed
}

// Kind is what a document is.
type Kind string

// Document kinds.
const (
	KindShippingLabel Kind = "shipping_label"
	KindPickList      Kind = "pick_list"
	KindRaw           Kind = "raw"
	KindImage         Kind = "image"
	// KindPDF is one page of a PDF: a pdf document sent by a client becomes
	// one such document per page printed.
	KindPDF Kind = "pdf"
)

// Language is a printer command language.
type Language string

// Printer languages.
const (
	ZPL    Language = "zpl"
	ESCPOS Language = "escpos"
	TSPL   Language = "tspl"
)

// Valid reports whether l is a language labelbridge speaks.
func (l Language) Valid() bool { return l == ZPL || l == ESCPOS || l == TSPL }

// Job is a print job as the queue stores it.
type Job struct {
	ID             string     `json:"id"`
	Printer        string     `json:"printer"`
	IdempotencyKey string     `json:"idempotency_key,omitempty"`
	Copies         int        `json:"copies"`
	Documents      []Document `json:"documents"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Document is one printable unit of a job: a label, a pick list, an image or
// raw printer bytes. Content holds raw bytes or an image already decoded
// from base64; Data holds the order or batch for rendered kinds.
type Document struct {
	Ref      string          `json:"ref,omitempty"`
	Kind     Kind            `json:"kind"`
	Language Language        `json:"language,omitempty"`
	Content  []byte          `json:"content,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Size     string          `json:"size,omitempty"`
	// Page is the 1-based page of a PDF this document prints; Fit and
	// Rotate say how it goes on the media.
	Page   int    `json:"page,omitempty"`
	Fit    string `json:"fit,omitempty"`
	Rotate string `json:"rotate,omitempty"`
}

// JobStatus is a snapshot of a job and each of its documents.
type JobStatus struct {
	ID        string      `json:"job_id"`
	Printer   string      `json:"printer"`
	State     JobState    `json:"state"`
	Done      int         `json:"done"`
	Total     int         `json:"total"`
	CreatedAt time.Time   `json:"created_at"`
	Error     *Problem    `json:"error,omitempty"`
	Documents []DocStatus `json:"documents"`
}

// DocStatus is the state of one document of a job.
type DocStatus struct {
	Index         int      `json:"index"`
	Ref           string   `json:"ref"`
	Page          int      `json:"page,omitempty"`
	State         DocState `json:"state"`
	Error         *Problem `json:"error,omitempty"`
	MaybeRepeated bool     `json:"maybe_repeated,omitempty"`
}
