package printer

import (
	"context"
	"errors"
)

// openSpooler will hand documents to the Windows print spooler as raw data.
// Until that lands, a spooler printer fails to open with an error that says
// so, and Temporary reports false for it.
func openSpooler(_ context.Context, name string, _ Options) (Conn, error) {
	return nil, &Error{Op: "open", Addr: "spooler://" + name, Err: errors.New("spooler:// is not implemented yet")}
}
