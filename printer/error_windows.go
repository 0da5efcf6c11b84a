package printer

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// temporaryErrno reports whether e is the system error of a printer that is
// off, unplugged, busy or unreachable for now.
func temporaryErrno(e syscall.Errno) bool {
	switch e {
	case windows.WSAECONNREFUSED, windows.WSAECONNRESET, windows.WSAECONNABORTED,
		windows.WSAEHOSTUNREACH, windows.WSAENETUNREACH, windows.WSAENETDOWN,
		windows.WSAEHOSTDOWN, windows.WSAETIMEDOUT,
		windows.ERROR_CONNECTION_REFUSED, windows.ERROR_CONNECTION_ABORTED,
		windows.ERROR_HOST_UNREACHABLE, windows.ERROR_NETWORK_UNREACHABLE,
		windows.ERROR_PORT_UNREACHABLE, windows.ERROR_NETNAME_DELETED,
		windows.ERROR_BROKEN_PIPE, windows.ERROR_NO_DATA, windows.ERROR_SEM_TIMEOUT,
		windows.ERROR_DEVICE_NOT_CONNECTED, windows.ERROR_NOT_READY,
		windows.ERROR_GEN_FAILURE, windows.ERROR_SHARING_VIOLATION, windows.ERROR_BUSY,
		windows.ERROR_OPERATION_ABORTED, windows.ERROR_DISK_FULL,
		windows.ERROR_HANDLE_DISK_FULL:
		return true
	}
	return false
}
