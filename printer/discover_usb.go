package printer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// discoverUSB lists the USB printers the Linux usblp driver made
// /dev/usb/lpN for, from sysfs under root: class/usbmisc/lpN, whose
// device is the printer's USB interface (with its IEEE 1284 device ID in
// ieee1284_id) inside the USB device (idVendor, idProduct, manufacturer,
// product).
func discoverUSB(root string) ([]Found, error) {
	dir := filepath.Join(root, "class", "usbmisc")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no usblp device, or no usblp driver
	}
	if err != nil {
		return nil, fmt.Errorf("printer: list usb printers: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "lp") {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool { return lpLess(names[i], names[j]) })
	var found []Found
	for _, name := range names {
		found = append(found, usbFound(filepath.Join(dir, name), name))
	}
	return found, nil
}

// lpLess orders lp2 before lp10.
func lpLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// usbFound describes the usblp device whose sysfs folder is dir.
func usbFound(dir, name string) Found {
	f := Found{Connection: "usb:///dev/usb/" + name, Detail: "USB printer"}
	iface, err := filepath.EvalSymlinks(filepath.Join(dir, "device"))
	if err != nil {
		f.Name = "usb-" + name
		f.Detail += "; no device in sysfs"
		return f
	}
	id := ParseDeviceID(readAttr(filepath.Join(iface, "ieee1284_id")))
	usbDev := filepath.Dir(iface)
	f.VID = strings.ToUpper(readAttr(filepath.Join(usbDev, "idVendor")))
	f.PID = strings.ToUpper(readAttr(filepath.Join(usbDev, "idProduct")))
	f.Manufacturer = firstOf(id.Get("MFG", "MANUFACTURER"), readAttr(filepath.Join(usbDev, "manufacturer")))
	f.Model = firstOf(id.Get("MDL", "MODEL"), readAttr(filepath.Join(usbDev, "product")))
	cmd := id.Get("CMD", "COMMAND SET")
	var cmds []string
	if cmd != "" {
		cmds = strings.Split(cmd, ",")
		f.Detail += "; IEEE 1284 command set " + cmd
	}
	f.Language = guessLanguage(cmds, f.Manufacturer, f.Model)
	if f.Language == "" {
		f.Language = vendorLanguage(f.VID)
	}
	if f.Language == "" && strings.Contains(strings.ToUpper(cmd), "EPL") {
		f.Detail += " (EPL only, which labelbridge does not speak)"
	}
	f.Name = suggestName(f.Model, "usb-"+name)
	return f
}

// readAttr reads a one-line sysfs attribute, "" when it is missing.
func readAttr(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// DeviceID is an IEEE 1284 device ID: "MFG:Zebra Technologies;CMD:ZPL;
// MDL:ZTC GK420d;CLS:PRINTER;", keys upper-cased.
type DeviceID map[string]string

// ParseDeviceID reads an IEEE 1284 device ID string, as usblp shows it in
// sysfs (without the two length bytes the printer sends before it): KEY:
// value pairs ending in ';'. Keys are case-insensitive; the first of a
// repeated key wins; pairs without a colon are skipped.
func ParseDeviceID(s string) DeviceID {
	id := DeviceID{}
	for _, pair := range strings.Split(s, ";") {
		key, value, ok := strings.Cut(pair, ":")
		key = strings.ToUpper(strings.TrimSpace(key))
		if !ok || key == "" {
			continue
		}
		if _, dup := id[key]; !dup {
			id[key] = strings.TrimSpace(value)
		}
	}
	return id
}

// Get returns the value of the first of keys present: IEEE 1284 allows a
// short and a long name ("MFG" or "MANUFACTURER").
func (id DeviceID) Get(keys ...string) string {
	for _, k := range keys {
		if v, ok := id[k]; ok {
			return v
		}
	}
	return ""
}
