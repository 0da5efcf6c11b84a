package printer

import "net"

// peerClosed would report whether the printer has closed the connection.
// Windows offers no non-blocking peek on a socket Go owns, so the check is
// skipped there and a closed connection shows up as a failed write.
func peerClosed(*net.TCPConn) error { return nil }
