package labelbridge

import "time"

// EventType tells job events from document and printer events.
type EventType string

// Event types.
const (
	EventJob      EventType = "job"
	EventDocument EventType = "document"
	EventPrinter  EventType = "printer"
)

// Event is one status change. Seq comes from a single counter over all
// events, strictly increasing and dense, so a gap means a lost event.
//
// Fields apply by type: job events use State, Printer, Done, Total and At;
// document events use Index, Ref, State and MaybeRepeated; printer events use
// Printer and State. Error is set when the change has a reason.
type Event struct {
	Seq           uint64    `json:"seq"`
	Type          EventType `json:"type"`
	JobID         string    `json:"job_id,omitempty"`
	State         string    `json:"state"`
	Printer       string    `json:"printer,omitempty"`
	Done          int       `json:"done"`
	Total         int       `json:"total"`
	Index         int       `json:"index"`
	Ref           string    `json:"ref,omitempty"`
	Page          int       `json:"page,omitempty"`
	MaybeRepeated bool      `json:"maybe_repeated,omitempty"`
	Error         *Problem  `json:"error,omitempty"`
	At            time.Time `json:"at"`
}

// PrinterInfo describes a configured printer and its last known status.
type PrinterInfo struct {
	Name       string        `json:"name"`
	Language   Language      `json:"language"`
	Connection string        `json:"connection"`
	Status     PrinterStatus `json:"status"`
}

// PrinterStatus is a printer's state ("ready", "busy", "fault", "offline",
// "unknown") and, for faults, a detail naming the fault code.
type PrinterStatus struct {
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}
