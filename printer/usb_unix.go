//go:build unix

package printer

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openUSBDevice opens the device for writing, and reports whether it could
// open it for reading too. Non-blocking, so that Go's poller carries the
// reads and writes and deadlines can cut a stuck one short; usblp answers
// poll() like any character device.
//
// Only a character device is opened for reading: a FIFO opened read-write
// would be its own reader (and never say that nobody is at the other end),
// a regular file would read back what was written to it. O_NOCTTY keeps a
// terminal device from becoming the daemon's controlling terminal.
func openUSBDevice(path string) (*os.File, bool, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode()&fs.ModeCharDevice != 0 {
		f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
		if err == nil {
			return f, true, nil
		}
		// Permissions (a udev rule) may allow writing only; the
		// printer still prints. Any other error is the device's.
		if !errors.Is(err, fs.ErrPermission) && !errors.Is(err, syscall.EROFS) {
			return nil, false, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	return f, false, err
}
