//go:build unix

package printer_test

import (
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/labelbridge/labelbridge/printer"
)

func TestErrorTemporarySystemErrors(t *testing.T) {
	tests := []struct {
		errno syscall.Errno
		want  bool
	}{
		{syscall.ECONNREFUSED, true},
		{syscall.ECONNRESET, true},
		{syscall.EHOSTUNREACH, true},
		{syscall.EPIPE, true},
		{syscall.EBUSY, true},
		{syscall.ENODEV, true},
		{syscall.EIO, true},
		{syscall.EACCES, false},
		{syscall.EPERM, false},
		{syscall.EINVAL, false},
		{syscall.ENOTTY, false},
	}
	for _, tt := range tests {
		t.Run(tt.errno.Error(), func(t *testing.T) {
			for _, err := range []error{
				&net.OpError{Op: "write", Err: os.NewSyscallError("write", tt.errno)},
				&fs.PathError{Op: "open", Path: "/dev/ttyUSB0", Err: tt.errno},
			} {
				e := &printer.Error{Op: "write", Addr: "test://", Err: err}
				if got := e.Temporary(); got != tt.want {
					t.Errorf("Temporary() for %v = %v, want %v", err, got, tt.want)
				}
			}
		})
	}
}
