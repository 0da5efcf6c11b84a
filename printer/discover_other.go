//go:build !windows

package printer

// discoverSpooler lists nothing: only Windows reaches printers through a
// spooler labelbridge talks to.
func discoverSpooler() ([]Found, error) { return nil, nil }
