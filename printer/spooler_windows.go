package printer

import (
	"errors"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The print spooler's API in winspool.drv. x/sys/windows does not wrap it;
// these are loaded on first use and never change afterwards.
var (
	winspool             = windows.NewLazySystemDLL("winspool.drv")
	procOpenPrinterW     = winspool.NewProc("OpenPrinterW")
	procClosePrinter     = winspool.NewProc("ClosePrinter")
	procStartDocPrinterW = winspool.NewProc("StartDocPrinterW")
	procStartPagePrinter = winspool.NewProc("StartPagePrinter")
	procWritePrinter     = winspool.NewProc("WritePrinter")
	procEndPagePrinter   = winspool.NewProc("EndPagePrinter")
	procEndDocPrinter    = winspool.NewProc("EndDocPrinter")
	procAbortPrinter     = winspool.NewProc("AbortPrinter")
	procEnumPrintersW    = winspool.NewProc("EnumPrintersW")
)

// docInfo1 is DOC_INFO_1W.
type docInfo1 struct {
	docName    *uint16
	outputFile *uint16
	datatype   *uint16
}

// printerInfo4 is PRINTER_INFO_4W: the level EnumPrintersW answers from its
// own lists, without asking each printer.
type printerInfo4 struct {
	printerName *uint16
	serverName  *uint16
	attributes  uint32
}

const (
	printerEnumLocal       = 0x2 // PRINTER_ENUM_LOCAL
	printerEnumConnections = 0x4 // PRINTER_ENUM_CONNECTIONS
)

// winspoolJob is an open printer handle.
type winspoolJob struct {
	h uintptr
}

func openSpoolJob(name string) (spoolJob, error) {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, fmt.Errorf("printer name: %w", err)
	}
	var h uintptr
	if err := call(procOpenPrinterW, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&h)), 0); err != nil {
		return nil, fmt.Errorf("OpenPrinter: %w", err)
	}
	return &winspoolJob{h: h}, nil
}

func (j *winspoolJob) StartDoc(name string) error {
	docName, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return fmt.Errorf("document name: %w", err)
	}
	raw, _ := windows.UTF16PtrFromString("RAW")
	info := docInfo1{docName: docName, datatype: raw}
	// StartDocPrinterW returns the job's id, 0 when it fails.
	if err := call(procStartDocPrinterW, j.h, 1, uintptr(unsafe.Pointer(&info))); err != nil {
		return fmt.Errorf("StartDocPrinter: %w", err)
	}
	return nil
}

func (j *winspoolJob) StartPage() error {
	if err := call(procStartPagePrinter, j.h); err != nil {
		return fmt.Errorf("StartPagePrinter: %w", err)
	}
	return nil
}

func (j *winspoolJob) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n uint32
	err := call(procWritePrinter, j.h, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), uintptr(unsafe.Pointer(&n)))
	if err != nil {
		return int(n), fmt.Errorf("WritePrinter: %w", err)
	}
	return int(n), nil
}

func (j *winspoolJob) EndPage() error {
	if err := call(procEndPagePrinter, j.h); err != nil {
		return fmt.Errorf("EndPagePrinter: %w", err)
	}
	return nil
}

func (j *winspoolJob) EndDoc() error {
	if err := call(procEndDocPrinter, j.h); err != nil {
		return fmt.Errorf("EndDocPrinter: %w", err)
	}
	return nil
}

func (j *winspoolJob) Abort() error {
	if err := call(procAbortPrinter, j.h); err != nil {
		return fmt.Errorf("AbortPrinter: %w", err)
	}
	return nil
}

func (j *winspoolJob) Close() error {
	if err := call(procClosePrinter, j.h); err != nil {
		return fmt.Errorf("ClosePrinter: %w", err)
	}
	return nil
}

// call calls a winspool function that returns a BOOL or a DWORD that is 0
// on failure, and returns the error the function set.
func call(proc *windows.LazyProc, args ...uintptr) error {
	if err := proc.Find(); err != nil {
		return err
	}
	r, _, errno := proc.Call(args...)
	if r != 0 {
		return nil
	}
	if e, ok := errno.(syscall.Errno); ok && e != 0 {
		return e
	}
	return syscall.EINVAL
}

// ListSpoolerPrinters returns the names of the printers the Windows print
// spooler shows this account: the printers installed on this PC for every
// user, and this account's own connections to shared printers.
//
// Printers installed for one user only, and that user's connections to
// printers shared by another PC, are invisible to every other account; a
// service running as LocalSystem does not see them. Install such a printer
// for all users, or run the service as that user.
func ListSpoolerPrinters() ([]string, error) {
	flags := uintptr(printerEnumLocal | printerEnumConnections)
	var needed, returned uint32
	// The first call only says how large a buffer the list needs; the list
	// can grow between two calls, so ask again until it fits.
	var buf []uint64 // uint64 keeps the structures in it aligned
	for range 5 {
		var p uintptr
		if len(buf) > 0 {
			p = uintptr(unsafe.Pointer(&buf[0]))
		}
		err := call(procEnumPrintersW, flags, 0, 4, p, uintptr(len(buf)*8),
			uintptr(unsafe.Pointer(&needed)), uintptr(unsafe.Pointer(&returned)))
		if err == nil {
			if returned == 0 {
				return nil, nil
			}
			infos := unsafe.Slice((*printerInfo4)(unsafe.Pointer(&buf[0])), returned)
			names := make([]string, 0, returned)
			for _, info := range infos {
				names = append(names, windows.UTF16PtrToString(info.printerName))
			}
			return names, nil
		}
		if !errors.Is(err, windows.ERROR_INSUFFICIENT_BUFFER) {
			return nil, fmt.Errorf("EnumPrinters: %w", err)
		}
		buf = make([]uint64, (needed+7)/8)
	}
	return nil, fmt.Errorf("EnumPrinters: the list of printers kept changing")
}
