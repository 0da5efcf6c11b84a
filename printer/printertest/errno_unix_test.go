//go:build unix

package printertest_test

import "syscall"

// System errors the tests expect, named the same on every system.
const (
	errRefused = syscall.ECONNREFUSED
	errReset   = syscall.ECONNRESET
)
