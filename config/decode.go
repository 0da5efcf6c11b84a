package config

import (
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
)

// maxErrors bounds the problems reported for one file. Past it the rest are
// noise, and stopping bounds the work a hostile file (thousands of aliases
// to one broken printer) can cause.
const maxErrors = 100

// decoder checks a tree of nodes against the config's keys and collects
// every problem it finds.
type decoder struct {
	file    string
	mapWord string // what the format calls a map: "a mapping" or "a table"
	errs    Errors
	dropped bool // problems past maxErrors were found
}

// add records a problem with the setting at key on line.
func (d *decoder) add(line int, key, format string, args ...any) {
	if d.full() {
		d.dropped = true
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// full reports whether the decoder has stopped recording problems.
func (d *decoder) full() bool { return len(d.errs) >= maxErrors }

// stop reports whether to stop checking, the report being full.
func (d *decoder) stop() bool {
	if d.full() {
		d.dropped = true
	}
	return d.dropped
}

// result returns the problems found in line order, or nil if there are none.
func (d *decoder) result() error {
	if len(d.errs) == 0 {
		return nil
	}
	sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
	if d.dropped {
		d.errs = append(d.errs, &Error{File: d.file, Msg: "too many problems; fix the ones above and check again"})
	}
	return d.errs
}

// fields returns n's fields that hold a value, reporting those that cannot
// be used. Null values ("key:" with nothing after it in YAML) are left out,
// so they mean the default.
func (d *decoder) fields(n *node, path string) []field {
	var fs []field
	for _, f := range n.fields {
		switch {
		case f.problem != "":
			d.add(f.line, join(path, f.key), "%s", f.problem)
		case f.val.kind != kindNull:
			fs = append(fs, f)
		}
	}
	return fs
}

// unknown reports a key that is not a setting, suggesting the one it is
// likely a misspelling of.
func (d *decoder) unknown(f field, path string, known []string) {
	best, bestDist := "", math.MaxInt
	for _, k := range known {
		if len(f.key) > 2*len(k) {
			continue
		}
		dist := editDistance(strings.ToLower(f.key), k)
		if dist <= max(1, len(k)/3) && dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best != "" {
		d.add(f.line, join(path, f.key), "unknown key; did you mean %q?", best)
		return
	}
	d.add(f.line, join(path, f.key), "unknown key; the keys here are %s", strings.Join(known, ", "))
}

// want reports whether n is of kind k, reporting a problem if not.
func (d *decoder) want(n *node, path string, k kind) bool {
	if n.kind == k {
		return true
	}
	want := (&node{kind: k}).describe(d.mapWord)
	hint := ""
	if k == kindString && (n.kind == kindInt || n.kind == kindFloat || n.kind == kindBool) {
		hint = "; put it in quotes"
	}
	d.add(n.line, path, "want %s, got %s%s", want, n.describe(d.mapWord), hint)
	return false
}

func (d *decoder) str(n *node, path string) (string, bool) {
	if !d.want(n, path, kindString) {
		return "", false
	}
	return n.str, true
}

// count reads a whole number from 1 to hi.
func (d *decoder) count(n *node, path string, hi int64) (int64, bool) {
	if !d.want(n, path, kindInt) {
		return 0, false
	}
	switch {
	case n.int < 1:
		d.add(n.line, path, "%d: must be at least 1", n.int)
		return 0, false
	case n.int > hi:
		d.add(n.line, path, "%d: must be at most %d", n.int, hi)
		return 0, false
	}
	return n.int, true
}

// oneOf reads a string that must be one of choices.
func (d *decoder) oneOf(n *node, path string, choices ...string) (string, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return "", false
	}
	for _, c := range choices {
		if s == c {
			return s, true
		}
	}
	d.add(n.line, path, "%q is not one of %s", s, strings.Join(choices, ", "))
	return "", false
}

// duration reads a positive duration written as a string: "168h", "7d".
func (d *decoder) duration(n *node, path string) (time.Duration, bool) {
	if n.kind != kindString {
		d.add(n.line, path, "want a duration such as \"168h\", \"7d\" or \"30m\", got %s", n.describe(d.mapWord))
		return 0, false
	}
	v, err := parseDuration(n.str)
	if err != nil {
		d.add(n.line, path, "%q: %v", n.str, err)
		return 0, false
	}
	return v, true
}

var topKeys = []string{"listen", "data_dir", "allowed_origins", "printers", "limits", "retention", "log", "tls"}

// config checks the whole file; root is nil for an empty file.
func (d *decoder) config(root *node) *Config {
	c := Default()
	if root == nil || root.kind == kindNull || !d.want(root, "", kindMap) {
		return c
	}
	for _, f := range d.fields(root, "") {
		if d.stop() {
			break
		}
		n := f.val
		switch f.key {
		case "listen":
			if s, ok := d.str(n, f.key); ok && d.listen(n, f.key, s) {
				c.Listen = s
			}
		case "data_dir":
			if s, ok := d.str(n, f.key); ok {
				c.DataDir = s
			}
		case "allowed_origins":
			c.AllowedOrigins = d.origins(n, f.key)
		case "printers":
			c.Printers = d.printers(n, f.key)
		case "limits":
			d.limits(n, f.key, &c.Limits)
		case "retention":
			if v, ok := d.duration(n, f.key); ok {
				c.Retention = v
			}
		case "log":
			d.log(n, f.key, &c.Log)
		case "tls":
			d.tls(n, f.key, &c.TLS)
		default:
			d.unknown(f, "", topKeys)
		}
	}
	return c
}

func (d *decoder) listen(n *node, path, s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		d.add(n.line, path, "%q: want host:port, such as 127.0.0.1:9110", s)
		return false
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		d.add(n.line, path, "%q: port %q is not a number from 1 to 65535", s, port)
		return false
	}
	return true
}

func (d *decoder) origins(n *node, path string) []string {
	if !d.want(n, path, kindList) {
		return nil
	}
	var origins []string
	for i, item := range n.items {
		p := fmt.Sprintf("%s[%d]", path, i)
		s, ok := d.str(item, p)
		if !ok {
			continue
		}
		o, err := parseOrigin(s)
		if err != nil {
			d.add(item.line, p, "%q: %v", s, err)
			continue
		}
		origins = append(origins, o)
	}
	return origins
}

func (d *decoder) printers(n *node, path string) []Printer {
	if !d.want(n, path, kindList) {
		return nil
	}
	var ps []Printer
	type named struct {
		index int
		name  string
	}
	names := make(map[string]named) // by lower-case name
	for i, item := range n.items {
		if d.stop() {
			break
		}
		p := fmt.Sprintf("%s[%d]", path, i)
		pr, nameLine, ok := d.printer(item, p)
		if pr.Name != "" {
			key := strings.ToLower(pr.Name)
			if first, dup := names[key]; dup {
				msg := fmt.Sprintf("%q is already the name of %s[%d]", pr.Name, path, first.index)
				if pr.Name != first.name {
					// Names become file names, and Windows ignores case.
					msg += fmt.Sprintf(" (%q); names must differ in more than case", first.name)
				}
				d.add(nameLine, p+".name", "%s", msg)
			} else {
				names[key] = named{i, pr.Name}
			}
		}
		if ok {
			ps = append(ps, pr)
		}
	}
	return ps
}

var printerKeys = []string{"name", "connection", "language", "dpi", "media", "width", "text"}

// printer checks one printer entry. It returns the line of its name, for the
// duplicate check, and whether the entry is usable.
func (d *decoder) printer(n *node, path string) (p Printer, nameLine int, ok bool) {
	if !d.want(n, path, kindMap) {
		return p, 0, false
	}
	errs := len(d.errs)
	var mediaLine, widthLine int
	seen := make(map[string]bool)
	for _, f := range d.fields(n, path) {
		v, fp := f.val, join(path, f.key)
		seen[f.key] = true
		switch f.key {
		case "name":
			if s, ok := d.str(v, fp); ok && d.name(v, fp, s) {
				p.Name, nameLine = s, v.line
			}
		case "connection":
			s, ok := d.str(v, fp)
			if !ok {
				break
			}
			addr, err := printer.ParseAddress(s)
			if err != nil {
				// ParseAddress names the connection itself; the key says it.
				d.add(v.line, fp, "%s", strings.TrimPrefix(err.Error(), "connection "))
				break
			}
			p.Connection, p.Address = s, addr
		case "language":
			s, ok := d.str(v, fp)
			if !ok {
				break
			}
			if l := labelbridge.Language(s); l.Valid() {
				p.Language = l
			} else {
				d.add(v.line, fp, "%q is not one of zpl, escpos, tspl", s)
			}
		case "dpi":
			if !d.want(v, fp, kindInt) {
				break
			}
			switch v.int {
			case 152, 203, 300, 600:
				p.DPI = int(v.int)
			default:
				d.add(v.line, fp, "%d is not one of 152, 203, 300, 600", v.int)
			}
		case "media":
			s, ok := d.str(v, fp)
			if !ok {
				break
			}
			m, err := parseMedia(s)
			if err != nil {
				d.add(v.line, fp, "%q: %v", s, err)
				break
			}
			p.Media, mediaLine = m, v.line
		case "width":
			s, ok := d.str(v, fp)
			if !ok {
				break
			}
			switch w := strings.ToLower(s); w {
			case "80mm", "58mm":
				p.Width, widthLine = w, v.line
			default:
				d.add(v.line, fp, "%q is not one of 80mm, 58mm", s)
			}
		case "text":
			if s, ok := d.oneOf(v, fp, "auto", "raster", "native"); ok {
				p.Text = s
			}
		default:
			d.unknown(f, path, printerKeys)
		}
	}
	for _, r := range []struct{ key, msg string }{
		{"name", "name is required: letters, digits, '.', '_' and '-', such as label-1"},
		{"connection", "connection is required, such as tcp://192.168.1.50:9100"},
		{"language", "language is required: zpl, escpos or tspl"},
	} {
		if !seen[r.key] {
			d.add(n.line, join(path, r.key), "%s", r.msg)
		}
	}
	if p.DPI == 0 {
		p.DPI = DefaultDPI
	}
	if p.Text == "" {
		p.Text = DefaultText
	}
	// Label printers are sized by media, receipt printers by width; a
	// setting the printer would ignore is more likely a mistake than not.
	switch p.Language {
	case labelbridge.ZPL, labelbridge.TSPL:
		if p.Width != "" {
			d.add(widthLine, join(path, "width"), "width is for escpos receipt printers; a %s label printer takes media, such as 100x150mm", p.Language)
		}
		if p.Media == "" {
			p.Media = DefaultMedia
		}
	case labelbridge.ESCPOS:
		if p.Media != "" {
			d.add(mediaLine, join(path, "media"), "media is for zpl and tspl label printers; an escpos receipt printer takes width: 80mm or 58mm")
		}
		if p.Width == "" {
			p.Width = DefaultWidth
		}
	}
	return p, nameLine, len(d.errs) == errs
}

// name checks a printer name: it appears in URLs and file names.
func (d *decoder) name(n *node, path, s string) bool {
	msg := ""
	switch {
	case s == "":
		msg = "must not be empty"
	case len(s) > 64:
		msg = "is longer than 64 characters"
	case s == "." || s == "..":
		msg = "cannot be . or .."
	case strings.IndexFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-')
	}) >= 0:
		msg = "may hold only letters, digits, '.', '_' and '-'"
	}
	if msg != "" {
		d.add(n.line, path, "%q %s", s, msg)
		return false
	}
	return true
}

var limitKeys = []string{"max_frame_bytes", "max_job_bytes", "max_documents", "max_connections",
	"requests_per_second", "idle_timeout", "write_timeout"}

func (d *decoder) limits(n *node, path string, l *Limits) {
	if !d.want(n, path, kindMap) {
		return
	}
	for _, f := range d.fields(n, path) {
		v, fp := f.val, join(path, f.key)
		switch f.key {
		case "max_frame_bytes":
			if i, ok := d.count(v, fp, math.MaxInt64); ok {
				l.MaxFrameBytes = i
			}
		case "max_job_bytes":
			if i, ok := d.count(v, fp, math.MaxInt64); ok {
				l.MaxJobBytes = i
			}
		case "max_documents":
			if i, ok := d.count(v, fp, labelbridge.MaxDocuments); ok {
				l.MaxDocuments = int(i)
			}
		case "max_connections":
			if i, ok := d.count(v, fp, math.MaxInt32); ok {
				l.MaxConnections = int(i)
			}
		case "requests_per_second":
			var r float64
			switch v.kind {
			case kindInt:
				r = float64(v.int)
			case kindFloat:
				r = v.float
			default:
				d.add(v.line, fp, "want a number, got %s", v.describe(d.mapWord))
				continue
			}
			if !(r > 0) || math.IsInf(r, 0) {
				d.add(v.line, fp, "%v: must be a number above 0", r)
				continue
			}
			l.RequestsPerSecond = r
		case "idle_timeout":
			if t, ok := d.duration(v, fp); ok {
				l.IdleTimeout = t
			}
		case "write_timeout":
			if t, ok := d.duration(v, fp); ok {
				l.WriteTimeout = t
			}
		default:
			d.unknown(f, path, limitKeys)
		}
	}
}

func (d *decoder) log(n *node, path string, l *Log) {
	if !d.want(n, path, kindMap) {
		return
	}
	for _, f := range d.fields(n, path) {
		v, fp := f.val, join(path, f.key)
		switch f.key {
		case "level":
			if s, ok := d.oneOf(v, fp, "debug", "info", "warn", "error"); ok {
				l.Level = s
			}
		case "format":
			if s, ok := d.oneOf(v, fp, "auto", "console", "json"); ok {
				l.Format = s
			}
		default:
			d.unknown(f, path, []string{"level", "format"})
		}
	}
}

func (d *decoder) tls(n *node, path string, t *TLS) {
	if !d.want(n, path, kindMap) {
		return
	}
	for _, f := range d.fields(n, path) {
		v, fp := f.val, join(path, f.key)
		switch f.key {
		case "listen":
			if s, ok := d.str(v, fp); ok && d.listen(v, fp, s) {
				t.Listen = s
			}
		case "hosts":
			if !d.want(v, fp, kindList) {
				continue
			}
			for i, item := range v.items {
				ip := fmt.Sprintf("%s[%d]", fp, i)
				s, ok := d.str(item, ip)
				if !ok {
					continue
				}
				if s == "" || strings.ContainsAny(s, " /:*") && net.ParseIP(s) == nil {
					d.add(item.line, ip, "%q: want a host name or an IP address", s)
					continue
				}
				t.Hosts = append(t.Hosts, strings.ToLower(s))
			}
		default:
			d.unknown(f, path, []string{"listen", "hosts"})
		}
	}
}

// join appends key to a key path. A key that would make the path ambiguous
// or break an error's line is quoted.
func join(path, key string) string {
	if key == "" || strings.IndexFunc(key, func(r rune) bool {
		return !unicode.IsPrint(r) || unicode.IsSpace(r) || strings.ContainsRune(`."[]`, r)
	}) >= 0 {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// editDistance is the number of one-letter insertions, deletions,
// substitutions and swaps of neighbours that turn a into b (the optimal
// string alignment distance), for "did you mean" suggestions: "langauge" is
// one swap from "language".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
