//go:build darwin || freebsd || openbsd

package printertest

import "golang.org/x/sys/unix"

const ioctlGetTermios = unix.TIOCGETA
