//go:build linux || windows || freebsd || openbsd || (darwin && cgo)

package printer

import "go.bug.st/serial/enumerator"

// listSerialPorts asks the system for its serial ports and the USB device
// behind each: vendor and product IDs, manufacturer and product names.
func listSerialPorts() ([]listedPort, error) {
	details, err := enumerator.GetDetailedPortsList()
	var ports []listedPort
	for _, d := range details {
		if d == nil {
			continue
		}
		ports = append(ports, listedPort{
			Name: d.Name, IsUSB: d.IsUSB, VID: d.VID, PID: d.PID,
			Manufacturer: d.Manufacturer, Product: d.Product,
		})
	}
	return ports, err
}
