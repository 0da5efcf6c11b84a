//go:build unix

package printer

import (
	"os"
	"syscall"
)

// openUSBDevice opens the device write-only. Non-blocking, so that Go's
// poller carries the writes and deadlines can cut a stuck one short; usblp
// answers poll() like any character device.
func openUSBDevice(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
}
