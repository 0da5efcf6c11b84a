//go:build !windows

package printer

import "errors"

var errSpoolerWindowsOnly = errors.New("spooler:// is only available on Windows")

func openSpoolJob(string) (spoolJob, error) { return nil, errSpoolerWindowsOnly }

// ListSpoolerPrinters returns the names of the printers the Windows print
// spooler shows this account. Elsewhere it fails.
func ListSpoolerPrinters() ([]string, error) { return nil, errSpoolerWindowsOnly }
