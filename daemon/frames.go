package daemon

import (
	"encoding/json"
	"time"

	"github.com/labelbridge/labelbridge"
)

// Wire shapes of protocol v1. Field order follows docs/protocol.md.

type errorBody struct {
	Code    labelbridge.Code `json:"code"`
	Message string           `json:"message"`
	Path    string           `json:"path,omitempty"`
}

type errorFrame struct {
	Type  string          `json:"type"`
	ID    json.RawMessage `json:"id,omitempty"`
	Error errorBody       `json:"error"`
}

func errorOf(err error) errorBody {
	return errorBody{Code: labelbridge.ErrorCode(err), Message: labelbridge.ErrorMessage(err), Path: labelbridge.ErrorPath(err)}
}

type welcomeFrame struct {
	Type     string                    `json:"type"`
	ID       json.RawMessage           `json:"id,omitempty"`
	Protocol int                       `json:"protocol"`
	Server   string                    `json:"server"`
	Printers []labelbridge.PrinterInfo `json:"printers"`
}

type acceptedFrame struct {
	Type      string          `json:"type"`
	ID        json.RawMessage `json:"id,omitempty"`
	JobID     string          `json:"job_id"`
	Duplicate bool            `json:"duplicate"`
}

type jobStatusFrame struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"`
	Job  any             `json:"job"`
}

type okFrame struct {
	Type string          `json:"type"`
	ID   json.RawMessage `json:"id,omitempty"`
}

type subscribedFrame struct {
	Type   string          `json:"type"`
	ID     json.RawMessage `json:"id,omitempty"`
	Seq    uint64          `json:"seq"`
	Oldest uint64          `json:"oldest"`
}

type printersFrame struct {
	Type     string                    `json:"type"`
	ID       json.RawMessage           `json:"id,omitempty"`
	Printers []labelbridge.PrinterInfo `json:"printers"`
}

// stamp is the protocol's time format: RFC 3339, UTC, milliseconds.
type stamp time.Time

func (t stamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

type jobEventFrame struct {
	Type    string               `json:"type"`
	JobID   string               `json:"job_id"`
	Seq     uint64               `json:"seq"`
	State   string               `json:"state"`
	Printer string               `json:"printer"`
	Done    int                  `json:"done"`
	Total   int                  `json:"total"`
	Error   *labelbridge.Problem `json:"error,omitempty"`
	At      stamp                `json:"at"`
}

type docEventFrame struct {
	Type          string               `json:"type"`
	JobID         string               `json:"job_id"`
	Seq           uint64               `json:"seq"`
	Index         int                  `json:"index"`
	Ref           string               `json:"ref"`
	Page          int                  `json:"page,omitempty"`
	State         string               `json:"state"`
	Error         *labelbridge.Problem `json:"error,omitempty"`
	MaybeRepeated bool                 `json:"maybe_repeated,omitempty"`
	At            stamp                `json:"at"`
}

type printerEventFrame struct {
	Type    string               `json:"type"`
	Seq     uint64               `json:"seq"`
	Printer string               `json:"printer"`
	State   string               `json:"state"`
	Error   *labelbridge.Problem `json:"error,omitempty"`
	At      stamp                `json:"at"`
}

func eventFrame(ev labelbridge.Event) any {
	switch ev.Type {
	case labelbridge.EventDocument:
		return docEventFrame{Type: "document", JobID: ev.JobID, Seq: ev.Seq, Index: ev.Index, Ref: ev.Ref, Page: ev.Page,
			State: ev.State, Error: ev.Error, MaybeRepeated: ev.MaybeRepeated, At: stamp(ev.At)}
	case labelbridge.EventPrinter:
		return printerEventFrame{Type: "printer", Seq: ev.Seq, Printer: ev.Printer, State: ev.State, Error: ev.Error, At: stamp(ev.At)}
	default:
		return jobEventFrame{Type: "job", JobID: ev.JobID, Seq: ev.Seq, State: ev.State, Printer: ev.Printer,
			Done: ev.Done, Total: ev.Total, Error: ev.Error, At: stamp(ev.At)}
	}
}

// jobStatusJSON gives job_status.job's created_at the protocol's format.
func jobStatusJSON(st *labelbridge.JobStatus) any {
	type alias labelbridge.JobStatus
	return struct {
		*alias
		CreatedAt stamp `json:"created_at"`
	}{(*alias)(st), stamp(st.CreatedAt)}
}

type previewPage struct {
	// Page is the PDF page shown; other documents' pages have none.
	Page      int    `json:"page,omitempty"`
	PNGBase64 string `json:"png_base64"`
	png       []byte
}

type previewFrame struct {
	Type  string          `json:"type"`
	ID    json.RawMessage `json:"id,omitempty"`
	Pages []previewPage   `json:"pages"`
}
