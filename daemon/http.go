package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"

	"github.com/labelbridge/labelbridge"
)

func httpStatus(code labelbridge.Code) int {
	switch code {
	case labelbridge.CodeBadJSON, labelbridge.CodeInvalidRequest, labelbridge.CodeUnknownType, labelbridge.CodeUnsupportedKind:
		return http.StatusBadRequest
	case labelbridge.CodeUnknownPrinter:
		return http.StatusUnprocessableEntity
	case labelbridge.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case labelbridge.CodeNotFound:
		return http.StatusNotFound
	case labelbridge.CodeIdempotencyConflict:
		return http.StatusConflict
	case labelbridge.CodeUnauthorized:
		return http.StatusForbidden
	case labelbridge.CodeRateLimited:
		return http.StatusTooManyRequests
	default:
		return http.StatusInternalServerError
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeHTTPError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, struct {
		Error errorBody `json:"error"`
	}{errorOf(err)})
}

func (s *Server) writeError(w http.ResponseWriter, err error) {
	code := labelbridge.ErrorCode(err)
	if code == labelbridge.CodeInternal {
		s.log.Error().Err(err).Msg("request failed")
	}
	writeHTTPError(w, httpStatus(code), err)
}

func (s *Server) postJob(w http.ResponseWriter, r *http.Request) {
	limit := s.cfg.Limits.MaxFrameBytes
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, labelbridge.Errorf(labelbridge.CodeTooLarge, "body is over %d bytes", limit))
			return
		}
		s.writeError(w, labelbridge.Errorf(labelbridge.CodeBadJSON, "read body: %v", err))
		return
	}
	if !json.Valid(body) {
		s.writeError(w, labelbridge.Errorf(labelbridge.CodeBadJSON, "%s", jsonSyntaxMessage(body)))
		return
	}
	job, err := decodeJob(body, "job", s.cfg.Limits, s.printerLanguage)
	if err != nil {
		s.writeError(w, err)
		return
	}
	id, dup, err := s.q.Submit(r.Context(), job, nil)
	if err != nil {
		s.writeError(w, err)
		return
	}
	status := http.StatusAccepted
	if dup {
		status = http.StatusOK
	}
	writeJSON(w, status, struct {
		JobID     string `json:"job_id"`
		Duplicate bool   `json:"duplicate"`
	}{id, dup})
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request) {
	st, err := s.q.Job(r.PathValue("id"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, jobStatusJSON(st))
}

func (s *Server) getPrinters(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Printers []labelbridge.PrinterInfo `json:"printers"`
	}{s.q.Printers()})
}

// healthz answers 200 only when a job could be accepted now.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.q.Ready(); err != nil {
		http.Error(w, fmt.Sprintf("not ready: %v\n", err), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

var statusTemplate = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>labelbridge</title>
<style>body{font:15px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.3em .8em;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body><h1>labelbridge {{.Version}}</h1>
<table><tr><th>Printer</th><th>Language</th><th>Connection</th><th>Status</th></tr>
{{range .Printers}}<tr><td>{{.Name}}</td><td>{{.Language}}</td><td>{{.Connection}}</td><td>{{.Status.State}} {{.Status.Detail}}</td></tr>
{{end}}</table>
<p>Protocol: <code>ws://{{.Addr}}/v1/ws</code> — see docs/protocol.md.</p>
</body></html>`))

func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = statusTemplate.Execute(w, struct {
		Version, Addr string
		Printers      []labelbridge.PrinterInfo
	}{s.cfg.Version, s.Addr(), s.q.Printers()})
}
