package printer

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// printerInfo2 is PRINTER_INFO_2W: a printer with its port and driver,
// which say how it is attached and what it speaks.
type printerInfo2 struct {
	serverName         *uint16
	printerName        *uint16
	shareName          *uint16
	portName           *uint16
	driverName         *uint16
	comment            *uint16
	location           *uint16
	devMode            uintptr
	sepFile            *uint16
	printProcessor     *uint16
	datatype           *uint16
	parameters         *uint16
	securityDescriptor uintptr
	attributes         uint32
	priority           uint32
	defaultPriority    uint32
	startTime          uint32
	untilTime          uint32
	status             uint32
	jobs               uint32
	averagePPM         uint32
}

// EnumPrinters flags: printers installed on this PC, and this account's
// connections to shared ones.
const (
	discoverEnumLocal       = 0x00000002
	discoverEnumConnections = 0x00000004
)

// discoverSpooler lists the printers the Windows print spooler shows this
// account (see ListSpoolerPrinters for which those are), with a language
// guessed from the driver's name: ZDesigner drivers are Zebra's, EPSON TM
// ones receipt printers, TSC ones TSPL.
func discoverSpooler() ([]Found, error) {
	proc := windows.NewLazySystemDLL("winspool.drv").NewProc("EnumPrintersW")
	if err := proc.Find(); err != nil {
		return nil, fmt.Errorf("printer: list spooler printers: %w", err)
	}
	var needed, returned uint32
	var buf []uint64 // uint64 keeps the structures in it aligned
	// The first call says how large a buffer the list needs; the list can
	// grow between two calls, so ask again until it fits.
	for range 5 {
		var p uintptr
		if len(buf) > 0 {
			p = uintptr(unsafe.Pointer(&buf[0]))
		}
		r, _, errno := proc.Call(discoverEnumLocal|discoverEnumConnections, 0, 2, p, uintptr(len(buf)*8),
			uintptr(unsafe.Pointer(&needed)), uintptr(unsafe.Pointer(&returned)))
		if r != 0 {
			if returned == 0 {
				return nil, nil
			}
			var found []Found
			for _, info := range unsafe.Slice((*printerInfo2)(unsafe.Pointer(&buf[0])), returned) {
				found = append(found, spoolerFound(info))
			}
			return found, nil
		}
		if !errors.Is(errno, windows.ERROR_INSUFFICIENT_BUFFER) {
			return nil, fmt.Errorf("printer: list spooler printers: EnumPrinters: %w", errno)
		}
		buf = make([]uint64, (needed+7)/8)
	}
	return nil, errors.New("printer: list spooler printers: the list kept changing")
}

func spoolerFound(info printerInfo2) Found {
	str := func(p *uint16) string {
		if p == nil {
			return ""
		}
		return windows.UTF16PtrToString(p)
	}
	name, driver, port := str(info.printerName), str(info.driverName), str(info.portName)
	f := Found{
		Connection: "spooler://" + name,
		Model:      driver,
		Name:       suggestName(name),
		Detail:     "Windows printer",
	}
	if port != "" {
		f.Detail += " on port " + port
	}
	if driver != "" {
		f.Detail += ", driver " + driver
	}
	f.Language = guessLanguage(nil, driver, name)
	if strings.EqualFold(driver, "Generic / Text Only") && f.Language == "" {
		f.Detail += " (raw: set the language the printer speaks)"
	}
	return f
}
