package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// File appends every document to one file and syncs it to disk after each.
// It stands in for a printer in tests and lets a document stream be kept.
type File struct {
	f    *os.File
	addr string
	err  error // set when a document was cut off
}

// OpenFile opens path for appending, creating it when missing. Its folder
// must exist.
func OpenFile(ctx context.Context, path string, _ Options) (*File, error) {
	addr := "file://" + path
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	return &File{f: f, addr: addr}, nil
}

// Write appends p and syncs the file: the document counts as sent only once
// it is on disk.
func (f *File) Write(ctx context.Context, p []byte) error {
	if f.err != nil {
		return &Error{Op: "write", Addr: f.addr, Err: fmt.Errorf("file unusable after an earlier error: %w", f.err)}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: "write", Addr: f.addr, Err: err}
	}
	n, err := f.f.Write(p)
	if err == nil {
		err = f.f.Sync()
	}
	if err != nil {
		if n > 0 {
			f.err = err
		}
		return &Error{Op: "write", Addr: f.addr, Written: n, Err: err}
	}
	return nil
}

// Close closes the file.
func (f *File) Close() error {
	if err := f.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return &Error{Op: "close", Addr: f.addr, Err: err}
	}
	return nil
}
