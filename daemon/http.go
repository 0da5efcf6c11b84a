package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labelbridge/labelbridge"
	js "github.com/labelbridge/labelbridge/clients/js"
	"github.com/labelbridge/labelbridge/printer"
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
	job, err := decodeJob(body, "job", s.cfg.Limits, s.printerLanguage, s.cfg.PDFPages)
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

// listJobs answers the newest jobs (?limit=N, default 100), without their
// documents.
func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		if _, err := fmt.Sscanf(l, "%d", &limit); err != nil || limit < 1 || limit > 10000 {
			s.writeError(w, labelbridge.Invalid("limit", "want 1 to 10000"))
			return
		}
	}
	jobs, err := s.q.Jobs(limit)
	if err != nil {
		s.writeError(w, err)
		return
	}
	out := make([]any, len(jobs))
	for i := range jobs {
		out[i] = jobStatusJSON(&jobs[i])
	}
	writeJSON(w, http.StatusOK, struct {
		Jobs []any `json:"jobs"`
	}{out})
}

func (s *Server) reprintJob(w http.ResponseWriter, r *http.Request) {
	id, err := s.q.Reprint(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		JobID string `json:"job_id"`
	}{id})
}

func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) {
	if err := s.q.Cancel(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// testLabel is what a printer's test-print button prints: a shipping label
// with Thai, Vietnamese and the characters printers mangle, so a test print
// shows at once whether text, barcodes and the media size are right.
const testLabel = `{"order_id":"TEST-0001","platform":"labelbridge","carrier":"Test print","service":"ทดสอบ / Kiểm tra",
"tracking_number":"LB0000000001TEST","sort_code":"TEST",
"sender":{"name":"labelbridge","phone":"","address":"127.0.0.1","postcode":""},
"recipient":{"name":"ทดสอบ ภาษาไทย ผู้ใหญ่ ญี่ปุ่น","phone":"000-000-0000","address":"Đường Nguyễn Huệ, Quận 1 — ^XA ~ \\ \" ' < >","postcode":"10110"},
"items":[{"sku":"TEST","name":"Test","qty":1,"location":"A-01-01"}],"weight_kg":0.1,"cod":{"amount":"0.00","currency":"THB"}}`

// testPrint prints the test label on a printer.
func (s *Server) testPrint(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, ok := s.printerLanguage(name); !ok {
		s.writeError(w, &labelbridge.Error{Code: labelbridge.CodeUnknownPrinter, Message: fmt.Sprintf("no printer named %q", name)})
		return
	}
	job := &labelbridge.Job{Printer: name, Copies: 1, Documents: []labelbridge.Document{
		{Ref: "test-print", Kind: labelbridge.KindShippingLabel, Data: json.RawMessage(testLabel)}}}
	id, _, err := s.q.Submit(r.Context(), job, nil)
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		JobID string `json:"job_id"`
	}{id})
}

func (s *Server) getPrinters(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Printers []labelbridge.PrinterInfo `json:"printers"`
	}{s.q.Printers()})
}

// preview decodes {"printer":…,"document":DOC} and renders it.
// preview renders a preview request's document. With only > 0 it renders
// just that page of those the document has (1-based) and reports how many
// there are; otherwise every page, at most maxPreviewPages of them.
func (s *Server) preview(o *object, only int) (pages []previewPage, total int, err error) {
	name, err := o.str("printer", true, 128)
	if err != nil {
		return nil, 0, err
	}
	lang, ok := s.printerLanguage(name)
	if !ok {
		return nil, 0, &labelbridge.Error{Code: labelbridge.CodeUnknownPrinter, Path: o.at("printer"), Message: fmt.Sprintf("no printer named %q", name)}
	}
	raw, ok := o.raw("document")
	if !ok {
		return nil, 0, labelbridge.Invalid(o.at("document"), "required")
	}
	if err := o.unknown(); err != nil {
		return nil, 0, err
	}
	var doc labelbridge.Document
	spec, err := decodeDocument(raw, o.at("document"), lang, &doc)
	if err != nil {
		return nil, 0, err
	}
	if s.cfg.Preview == nil {
		return nil, 0, labelbridge.Errorf(labelbridge.CodeUnsupportedKind, "previews are not available")
	}
	if doc.Kind != labelbridge.KindPDF {
		pngs, err := s.cfg.Preview(name, &doc)
		if err != nil {
			return nil, 0, err
		}
		total = len(pngs)
		if only > total {
			return nil, 0, labelbridge.Invalid("page", "want 1 to %d", total)
		}
		if only > 0 {
			pngs = pngs[only-1 : only]
		}
		for _, p := range pngs {
			pages = append(pages, previewPage{png: p})
		}
		return pages, total, nil
	}
	// A PDF previews the pages it would print, as a print would pick them.
	docs, err := pdfPages(doc, spec, o.at("document"), s.cfg.PDFPages)
	if err != nil {
		return nil, 0, err
	}
	total = len(docs)
	switch {
	case only > len(docs):
		return nil, 0, labelbridge.Invalid("page", "want 1 to %d", len(docs))
	case only > 0:
		docs = docs[only-1 : only]
	case len(docs) > maxPreviewPages:
		return nil, 0, &labelbridge.Error{Code: labelbridge.CodeTooLarge, Path: o.at("document") + ".pages",
			Message: fmt.Sprintf("%d pages; a preview shows at most %d: ask for some with pages, e.g. \"1-%d\"", len(docs), maxPreviewPages, maxPreviewPages)}
	}
	out := make([]previewPage, 0, len(docs))
	for i := range docs {
		pngs, err := s.cfg.Preview(name, &docs[i])
		if err != nil {
			return nil, 0, err
		}
		for _, p := range pngs {
			out = append(out, previewPage{Page: docs[i].Page, png: p})
		}
	}
	return out, total, nil
}

// maxPreviewPages bounds a preview's reply: each page is a PNG of tens of
// kilobytes, and a 600-page PDF is previewed a range at a time.
const maxPreviewPages = 50

// postPreview answers the first page as image/png, or page N with ?page=N
// (of a PDF, the Nth of the pages asked for), with the number of pages in
// X-Pages and a PDF page's own number in X-PDF-Page.
func (s *Server) postPreview(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.Limits.MaxFrameBytes))
	if err != nil {
		s.writeError(w, labelbridge.Errorf(labelbridge.CodeTooLarge, "body is over %d bytes", s.cfg.Limits.MaxFrameBytes))
		return
	}
	if !json.Valid(body) {
		s.writeError(w, labelbridge.Errorf(labelbridge.CodeBadJSON, "%s", jsonSyntaxMessage(body)))
		return
	}
	o, err := decodeObject(body, "")
	if err != nil {
		s.writeError(w, err)
		return
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 {
			s.writeError(w, labelbridge.Invalid("page", "want a page number from 1, got %q", p))
			return
		} else {
			page = n
		}
	}
	pages, total, err := s.preview(o, page)
	if err != nil {
		s.writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("X-Pages", fmt.Sprint(total))
	if pages[0].Page > 0 {
		w.Header().Set("X-PDF-Page", fmt.Sprint(pages[0].Page))
	}
	w.Write(pages[0].png)
}

type discoverReply struct {
	Type     string          `json:"type,omitempty"`
	ID       json.RawMessage `json:"id,omitempty"`
	Printers []printer.Found `json:"printers"`
	// Config is the printers recognised, as ready-to-paste config entries.
	Config string `json:"config"`
}

// discover runs discovery: the machine's serial ports, USB and spooler
// printers, and, when asked, a subnet scan (at most a /22).
func (s *Server) discover(ctx context.Context, subnet string, port int, serial []string) (discoverReply, error) {
	if s.cfg.Discover == nil {
		return discoverReply{}, labelbridge.Errorf(labelbridge.CodeUnsupportedKind, "discovery is not available")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	found, err := s.cfg.Discover(ctx, printer.DiscoverOptions{Subnet: subnet, Port: port, SerialPaths: serial})
	if err != nil {
		return discoverReply{}, labelbridge.Invalid("subnet", "%v", err)
	}
	if found == nil {
		found = []printer.Found{}
	}
	return discoverReply{Printers: found, Config: printer.ConfigYAML(found)}, nil
}

// getDiscover: GET /v1/discover?subnet=192.168.1.0/24&port=9100&serial=/dev/ttyUSB0
func (s *Server) getDiscover(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	port := 0
	if p := q.Get("port"); p != "" {
		if _, err := fmt.Sscanf(p, "%d", &port); err != nil || port < 1 || port > 65535 {
			s.writeError(w, labelbridge.Invalid("port", "want 1 to 65535"))
			return
		}
	}
	reply, err := s.discover(r.Context(), q.Get("subnet"), port, q["serial"])
	if err != nil {
		s.writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, reply)
}

func (s *Server) getOrigins(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.origins.list())
}

// postOrigin takes an admin's decision: {"origin":"https://…","allow":true}.
// With tokens configured it needs an admin token; without, it is open to
// this machine only (guard refuses other hosts).
func (s *Server) postOrigin(w http.ResponseWriter, r *http.Request) {
	if s.tokensRequired() {
		if t, err := s.checkToken(bearer(r), r.Header.Get("Origin")); err != nil || !t.Admin {
			writeHTTPError(w, http.StatusForbidden, labelbridge.Errorf(labelbridge.CodeUnauthorized, "changing origins needs an admin token"))
			return
		}
	} else if !isLoopback(r.RemoteAddr) {
		writeHTTPError(w, http.StatusForbidden, labelbridge.Errorf(labelbridge.CodeUnauthorized, "changing origins is allowed from this machine only"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
	if err != nil {
		s.writeError(w, labelbridge.Errorf(labelbridge.CodeTooLarge, "body is over 4096 bytes"))
		return
	}
	o, err := decodeObject(body, "")
	if err != nil {
		s.writeError(w, err)
		return
	}
	origin, err := o.str("origin", true, 512)
	if err != nil {
		s.writeError(w, err)
		return
	}
	allowRaw, ok := o.raw("allow")
	var allow bool
	if !ok || json.Unmarshal(allowRaw, &allow) != nil {
		s.writeError(w, labelbridge.Invalid("allow", "want true or false"))
		return
	}
	if err := o.unknown(); err != nil {
		s.writeError(w, err)
		return
	}
	if err := s.origins.decide(origin, allow); err != nil {
		s.writeError(w, labelbridge.Invalid("origin", "%v", err))
		return
	}
	s.log.Info().Str("origin", origin).Bool("allow", allow).Msg("origin decision")
	writeJSON(w, http.StatusOK, s.origins.list())
}

// clientJS serves the JavaScript client (clients/js) at /v1/client.js.
func (s *Server) clientJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(js.Source())
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
