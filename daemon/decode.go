package daemon

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/label"
	"github.com/labelbridge/labelbridge/pdf"
	"github.com/labelbridge/labelbridge/render"
)

// object is a JSON object being decoded field by field, so every error can
// name the exact path of the field at fault and unknown fields are caught.
type object struct {
	path   string
	fields map[string]json.RawMessage
	used   map[string]bool
}

func decodeObject(raw json.RawMessage, path string) (*object, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, labelbridge.Invalid(path, "want an object, got %s", jsonKind(raw))
	}
	return &object{path: path, fields: fields, used: map[string]bool{}}, nil
}

func (o *object) at(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

func (o *object) raw(key string) (json.RawMessage, bool) {
	o.used[key] = true
	v, ok := o.fields[key]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

func (o *object) str(key string, required bool, maxLen int) (string, error) {
	v, ok := o.raw(key)
	if !ok {
		if required {
			return "", labelbridge.Invalid(o.at(key), "required")
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", labelbridge.Invalid(o.at(key), "want a string, got %s", jsonKind(v))
	}
	if required && s == "" {
		return "", labelbridge.Invalid(o.at(key), "must not be empty")
	}
	if maxLen > 0 && len(s) > maxLen {
		return "", labelbridge.Invalid(o.at(key), "%d bytes long; at most %d", len(s), maxLen)
	}
	return s, nil
}

func (o *object) integer(key string, def, lo, hi int) (int, error) {
	v, ok := o.raw(key)
	if !ok {
		return def, nil
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&n); err != nil {
		return 0, labelbridge.Invalid(o.at(key), "want a whole number, got %s", jsonKind(v))
	}
	i, err := n.Int64()
	if err != nil {
		return 0, labelbridge.Invalid(o.at(key), "want a whole number, got %s", n)
	}
	if i < int64(lo) || i > int64(hi) {
		return 0, labelbridge.Invalid(o.at(key), "%d is out of range %d..%d", i, lo, hi)
	}
	return int(i), nil
}

func (o *object) uint(key string) (uint64, error) {
	v, ok := o.raw(key)
	if !ok {
		return 0, nil
	}
	var n uint64
	if err := json.Unmarshal(v, &n); err != nil {
		return 0, labelbridge.Invalid(o.at(key), "want a non-negative whole number, got %s", jsonKind(v))
	}
	return n, nil
}

// unknown reports the first field nobody asked for, so a typo such as
// "copise" is an error rather than silently ignored.
func (o *object) unknown() error {
	var extra []string
	for k := range o.fields {
		if !o.used[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return labelbridge.Invalid(o.at(extra[0]), "unknown field")
}

func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// Limits bound what one request may hold.
type Limits struct {
	MaxFrameBytes int64
	MaxJobBytes   int64
	MaxDocuments  int
}

// printerLookup tells the decoder which language a printer speaks, so raw
// ZPL sent to an ESC/POS printer is refused before it prints garbage.
type printerLookup func(name string) (labelbridge.Language, bool)

// pageCounter counts a PDF's pages, refusing a corrupt, encrypted or empty
// one with an invalid_request error; nil means PDFs are not supported.
type pageCounter func(content []byte) (int, error)

// decodeJob validates a JOB object. Errors are *labelbridge.Error naming
// the path of the offending field under base (e.g. "job").
func decodeJob(raw json.RawMessage, base string, lim Limits, lookup printerLookup, pages pageCounter) (*labelbridge.Job, error) {
	o, err := decodeObject(raw, base)
	if err != nil {
		return nil, err
	}
	job := &labelbridge.Job{}
	if job.Printer, err = o.str("printer", true, 128); err != nil {
		return nil, err
	}
	lang, ok := lookup(job.Printer)
	if !ok {
		return nil, &labelbridge.Error{Code: labelbridge.CodeUnknownPrinter, Path: o.at("printer"),
			Message: fmt.Sprintf("no printer named %q", job.Printer)}
	}
	if job.IdempotencyKey, err = o.str("idempotency_key", false, 256); err != nil {
		return nil, err
	}
	if job.Copies, err = o.integer("copies", 1, 1, 100); err != nil {
		return nil, err
	}
	docsRaw, ok := o.raw("documents")
	if !ok {
		return nil, labelbridge.Invalid(o.at("documents"), "required")
	}
	var docs []json.RawMessage
	if err := json.Unmarshal(docsRaw, &docs); err != nil {
		return nil, labelbridge.Invalid(o.at("documents"), "want an array, got %s", jsonKind(docsRaw))
	}
	if len(docs) == 0 {
		return nil, labelbridge.Invalid(o.at("documents"), "a job needs at least one document")
	}
	maxDocs := lim.MaxDocuments
	if maxDocs <= 0 || maxDocs > labelbridge.MaxDocuments {
		maxDocs = labelbridge.MaxDocuments
	}
	if len(docs) > maxDocs {
		return nil, &labelbridge.Error{Code: labelbridge.CodeTooLarge, Path: o.at("documents"),
			Message: fmt.Sprintf("%d documents; a job holds at most %d", len(docs), maxDocs)}
	}
	var total int64
	job.Documents = make([]labelbridge.Document, 0, len(docs))
	for i, d := range docs {
		path := fmt.Sprintf("%s[%d]", o.at("documents"), i)
		var doc labelbridge.Document
		spec, err := decodeDocument(d, path, lang, &doc)
		if err != nil {
			return nil, err
		}
		total += int64(len(doc.Content) + len(doc.Data))
		if lim.MaxJobBytes > 0 && total > lim.MaxJobBytes {
			return nil, &labelbridge.Error{Code: labelbridge.CodeTooLarge, Path: o.at("documents"),
				Message: fmt.Sprintf("documents hold more than %d bytes", lim.MaxJobBytes)}
		}
		if doc.Kind != labelbridge.KindPDF {
			job.Documents = append(job.Documents, doc)
			continue
		}
		// Each page of a PDF is a document of its own, with its own
		// state and event; they share the PDF's bytes.
		expanded, err := pdfPages(doc, spec, path, pages)
		if err != nil {
			return nil, err
		}
		job.Documents = append(job.Documents, expanded...)
		if len(job.Documents) > maxDocs {
			return nil, &labelbridge.Error{Code: labelbridge.CodeTooLarge, Path: path + ".pages",
				Message: fmt.Sprintf("the job's documents and PDF pages come to more than %d", maxDocs)}
		}
	}
	if err := o.unknown(); err != nil {
		return nil, err
	}
	return job, nil
}

// pdfPages splits a pdf document into one document a page printed.
func pdfPages(doc labelbridge.Document, spec, path string, count pageCounter) ([]labelbridge.Document, error) {
	if count == nil {
		return nil, &labelbridge.Error{Code: labelbridge.CodeUnsupportedKind, Path: path + ".kind", Message: "PDF documents are not available"}
	}
	n, err := count(doc.Content)
	if err != nil {
		if le, ok := err.(*labelbridge.Error); ok && le.Path != "" {
			le.Path = path + "." + le.Path
		}
		return nil, err
	}
	pages, err := pdf.ParsePages(spec, n)
	if err != nil {
		return nil, labelbridge.Invalid(path+".pages", "%v", err)
	}
	out := make([]labelbridge.Document, len(pages))
	for i, p := range pages {
		out[i] = doc
		out[i].Page = p
	}
	return out, nil
}

// decodeDocument checks one DOC. For a pdf it also returns the pages asked
// for ("1-3,7"; "" for all).
func decodeDocument(raw json.RawMessage, path string, printerLang labelbridge.Language, doc *labelbridge.Document) (pages string, err error) {
	o, err := decodeObject(raw, path)
	if err != nil {
		return "", err
	}
	if doc.Ref, err = o.str("ref", false, 256); err != nil {
		return "", err
	}
	kind, err := o.str("kind", true, 64)
	if err != nil {
		return "", err
	}
	doc.Kind = labelbridge.Kind(kind)
	switch doc.Kind {
	case labelbridge.KindRaw:
		lang, err := o.str("language", true, 16)
		if err != nil {
			return "", err
		}
		doc.Language = labelbridge.Language(strings.ToLower(lang))
		if !doc.Language.Valid() {
			return "", labelbridge.Invalid(o.at("language"), "%q is not one of zpl, escpos, tspl", lang)
		}
		if doc.Language != printerLang {
			return "", labelbridge.Invalid(o.at("language"), "this printer speaks %s, not %s", printerLang, doc.Language)
		}
		text, hasText := o.raw("content")
		b64, hasB64 := o.raw("content_base64")
		switch {
		case hasText && hasB64:
			return "", labelbridge.Invalid(o.at("content"), "give content or content_base64, not both")
		case hasText:
			var s string
			if err := json.Unmarshal(text, &s); err != nil {
				return "", labelbridge.Invalid(o.at("content"), "want a string, got %s", jsonKind(text))
			}
			doc.Content = []byte(s)
		case hasB64:
			var s string
			if err := json.Unmarshal(b64, &s); err != nil {
				return "", labelbridge.Invalid(o.at("content_base64"), "want a string, got %s", jsonKind(b64))
			}
			if doc.Content, err = base64.StdEncoding.DecodeString(s); err != nil {
				return "", labelbridge.Invalid(o.at("content_base64"), "not valid base64: %v", err)
			}
		default:
			return "", labelbridge.Invalid(o.at("content"), "required (or content_base64)")
		}
		if len(doc.Content) == 0 {
			return "", labelbridge.Invalid(o.at("content"), "must not be empty")
		}
	case labelbridge.KindShippingLabel, labelbridge.KindPickList:
		data, ok := o.raw("data")
		if !ok {
			return "", labelbridge.Invalid(o.at("data"), "required")
		}
		doc.Data = append(json.RawMessage(nil), data...)
		if err := decodeSize(o, doc); err != nil {
			return "", err
		}
		if err := render.Validate(doc, path); err != nil {
			return "", err
		}
	case labelbridge.KindPDF:
		b64, err := o.str("content_base64", true, 0)
		if err != nil {
			return "", err
		}
		if doc.Content, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return "", labelbridge.Invalid(o.at("content_base64"), "not valid base64: %v", err)
		}
		if pages, err = o.str("pages", false, 256); err != nil {
			return "", err
		}
		if doc.Fit, err = o.str("fit", false, 16); err != nil {
			return "", err
		}
		switch doc.Fit {
		case "", "contain", "fill", "none":
		default:
			return "", labelbridge.Invalid(o.at("fit"), "%q: want contain, fill or none", doc.Fit)
		}
		if r, ok := o.raw("rotate"); ok {
			doc.Rotate = strings.Trim(string(r), `"`)
			switch doc.Rotate {
			case "auto", "0", "90", "180", "270":
			default:
				return "", labelbridge.Invalid(o.at("rotate"), "%s: want \"auto\", 0, 90, 180 or 270", r)
			}
		}
		if err := decodeSize(o, doc); err != nil {
			return "", err
		}
		return pages, o.unknown()
	case labelbridge.KindImage:
		b64, err := o.str("content_base64", true, 0)
		if err != nil {
			return "", err
		}
		if doc.Content, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return "", labelbridge.Invalid(o.at("content_base64"), "not valid base64: %v", err)
		}
		if err := decodeSize(o, doc); err != nil {
			return "", err
		}
		if err := render.Validate(doc, path); err != nil {
			return "", err
		}
	default:
		return "", &labelbridge.Error{Code: labelbridge.CodeUnsupportedKind, Path: o.at("kind"),
			Message: fmt.Sprintf("unknown kind %q (want shipping_label, pick_list, raw, image or pdf)", kind)}
	}
	return "", o.unknown()
}

// decodeSize reads a document's optional label size ("100x150mm", "4x6in").
func decodeSize(o *object, doc *labelbridge.Document) error {
	size, err := o.str("size", false, 32)
	if err != nil || size == "" {
		return err
	}
	if _, err := label.ParseMedia(size, 203); err != nil {
		return labelbridge.Invalid(o.at("size"), "%v", err)
	}
	doc.Size = size
	return nil
}
