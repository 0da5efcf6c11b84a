//go:build !(linux || windows || freebsd || openbsd || (darwin && cgo))

package printer

import "go.bug.st/serial"

// listSerialPorts asks the system for its serial ports. The enumerator
// that tells of the USB device behind a port needs cgo on macOS; without
// it only the names are known.
func listSerialPorts() ([]listedPort, error) {
	names, err := serial.GetPortsList()
	ports := make([]listedPort, len(names))
	for i, n := range names {
		ports[i] = listedPort{Name: n}
	}
	return ports, err
}
