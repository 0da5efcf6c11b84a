package printertest_test

import "golang.org/x/sys/windows"

// System errors the tests expect, named the same on every system.
const (
	errRefused = windows.WSAECONNREFUSED
	errReset   = windows.WSAECONNRESET
)
