//go:build unix

package printer

import "syscall"

// temporaryErrno reports whether e is the system error of a printer that is
// off, unplugged, busy, out of paper (usblp) or unreachable for now.
func temporaryErrno(e syscall.Errno) bool {
	switch e {
	case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN, syscall.EHOSTDOWN,
		syscall.ETIMEDOUT, syscall.EPIPE, syscall.EAGAIN, syscall.EBUSY,
		syscall.EIO, syscall.ENODEV, syscall.ENXIO, syscall.ENOSPC:
		return true
	}
	return false
}
