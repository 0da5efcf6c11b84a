package printer_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"testing"

	"github.com/labelbridge/labelbridge/printer"
)

func TestErrorString(t *testing.T) {
	tests := []struct {
		name string
		err  *printer.Error
		want string
	}{
		{"Dial", &printer.Error{Op: "dial", Addr: "tcp://10.0.0.5:9100", Err: errors.New("connection refused")},
			"tcp://10.0.0.5:9100: dial: connection refused"},
		{"WritePartWay", &printer.Error{Op: "write", Addr: "usb:///dev/usb/lp0", Written: 512, Err: io.ErrUnexpectedEOF},
			"usb:///dev/usb/lp0: write (512 bytes sent): unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(tt.err, tt.err.Err) {
				t.Errorf("errors.Is(err, err.Err) = false, want Unwrap to expose it")
			}
		})
	}
}

func TestErrorTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"EOF", io.EOF, true},
		{"Timeout", &net.OpError{Op: "write", Err: os.ErrDeadlineExceeded}, true},
		{"Cancelled", context.Canceled, true},
		{"DeviceMissing", &fs.PathError{Op: "open", Path: "/dev/usb/lp0", Err: fs.ErrNotExist}, true},
		{"NameNotFound", &net.OpError{Op: "dial", Err: &net.DNSError{Name: "printer.local", IsNotFound: true}}, true},
		{"PermissionDenied", &fs.PathError{Op: "open", Path: "/dev/usb/lp0", Err: fs.ErrPermission}, false},
		{"Unknown", errors.New("printer on fire"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &printer.Error{Op: "write", Addr: "test://", Err: tt.err}
			if got := e.Temporary(); got != tt.want {
				t.Errorf("Temporary() for %v = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
