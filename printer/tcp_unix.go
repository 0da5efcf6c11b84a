//go:build unix

package printer

import (
	"fmt"
	"io"
	"net"

	"golang.org/x/sys/unix"
)

// peerClosed reports, without waiting and without consuming anything,
// whether the printer has closed or reset the connection.
func peerClosed(c *net.TCPConn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var (
		n       int
		peekErr error
		buf     [1]byte
	)
	err = rc.Read(func(fd uintptr) bool {
		n, _, peekErr = unix.Recvfrom(int(fd), buf[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return true // never wait: this is a look, not a read
	})
	switch {
	case err != nil:
		return err
	case peekErr == unix.EAGAIN || peekErr == unix.EWOULDBLOCK:
		return nil // open, nothing to read
	case peekErr != nil:
		return fmt.Errorf("connection lost since the last document: %w", peekErr)
	case n == 0:
		return fmt.Errorf("printer closed the connection since the last document: %w", io.EOF)
	}
	return nil // the printer has something to say; it is still there
}
