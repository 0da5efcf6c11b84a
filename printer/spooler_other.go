//go:build !windows

package printer

import (
	"context"
	"errors"
)

func openSpooler(_ context.Context, name string, _ Options) (Conn, error) {
	return nil, &Error{Op: "open", Addr: "spooler://" + name, Err: errors.New("spooler:// is only available on Windows")}
}
