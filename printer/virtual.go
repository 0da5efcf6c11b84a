package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// tempPrefix starts the names of documents still being written; a crash can
// leave one behind, and the next open removes it.
const tempPrefix = ".tmp-"

// Virtual is a printer that keeps each document as a file of its own,
// DataDir/virtual/NAME/000001.zpl, 000002.zpl, …: the demo's printer, and a
// way to see exactly what a real one would have received. Numbering goes on
// where the folder left off. One Virtual at a time may use a folder.
type Virtual struct {
	dir  string
	ext  string
	addr string
	next int    // number of the next document
	last string // path of the last document written
}

// OpenVirtual opens the virtual printer name, creating its folder under
// o.DataDir when missing.
func OpenVirtual(ctx context.Context, name string, o Options) (*Virtual, error) {
	addr := "virtual://" + name
	fail := func(err error) (*Virtual, error) { return nil, &Error{Op: "open", Addr: addr, Err: err} }
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := checkVirtualName(name); err != nil {
		return fail(err)
	}
	if o.DataDir == "" {
		return fail(errors.New("no data directory to keep documents in"))
	}
	ext := ".bin"
	if o.Language != "" {
		if !o.Language.Valid() {
			return fail(fmt.Errorf("language %q: want zpl, escpos or tspl", o.Language))
		}
		ext = "." + string(o.Language)
	}
	dir := filepath.Join(o.DataDir, "virtual", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(err)
	}
	last, err := lastDocument(dir)
	if err != nil {
		return fail(err)
	}
	return &Virtual{dir: dir, ext: ext, addr: addr, next: last + 1}, nil
}

// checkVirtualName accepts a printer name only when it makes one plain
// folder name on every system, so that a name cannot reach outside the data
// folder.
func checkVirtualName(name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return fmt.Errorf("virtual printer name %q: want a plain name such as demo-label", name)
	case strings.ContainsAny(name, `/\:*?"<>|`), strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("virtual printer name %q: must not hold / \\ : * ? \" < > | or control characters", name)
	case strings.TrimSpace(name) != name, strings.HasSuffix(name, "."):
		return fmt.Errorf("virtual printer name %q: must not start or end with a space or end with a dot", name)
	}
	return nil
}

// lastDocument returns the highest document number in dir (0 when there is
// none) and removes documents a crash left half written.
func lastDocument(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	last := 0
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, tempPrefix) {
			os.Remove(filepath.Join(dir, name))
			continue
		}
		if n, ok := documentNumber(name); ok && n > last {
			last = n
		}
	}
	return last, nil
}

// documentNumber reads the number of a document file name such as
// "000042.zpl" (or a picture of it beside it, "000042.png").
func documentNumber(name string) (int, bool) {
	digits, _, _ := strings.Cut(name, ".")
	if len(digits) < 6 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// Write keeps p as the next document: written to a temporary file, synced,
// and renamed into place, so a crash leaves either the whole document or
// none of it.
func (v *Virtual) Write(ctx context.Context, p []byte) error {
	if err := ctx.Err(); err != nil {
		return &Error{Op: "write", Addr: v.addr, Err: err}
	}
	path := filepath.Join(v.dir, fmt.Sprintf("%06d%s", v.next, v.ext))
	tmp, err := os.CreateTemp(v.dir, tempPrefix+"*")
	if err != nil {
		return &Error{Op: "write", Addr: v.addr, Err: err}
	}
	_, err = tmp.Write(p)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return &Error{Op: "write", Addr: v.addr, Err: err}
	}
	// The document now has its number whatever happens next.
	v.next++
	v.last = path
	if err := syncDir(v.dir); err != nil {
		return &Error{Op: "write", Addr: v.addr, Err: fmt.Errorf("sync folder: %w", err)}
	}
	return nil
}

// LastPath returns the path of the last document written, or "" when none
// was written since Open.
func (v *Virtual) LastPath() string { return v.last }

// Close does nothing beyond what Write did: every document is already on
// disk.
func (v *Virtual) Close() error { return nil }
