package printer

import (
	"context"
	"errors"
	"fmt"
	"syscall"
)

// spoolDocName is the name each document's print job has in the Windows
// print queue, where a packer or an administrator sees it.
const spoolDocName = "labelbridge"

// spoolJob is one printer opened in the Windows print spooler
// (winspool.drv), reduced to the calls a Spooler makes, in the order it
// makes them for each document: StartDoc, StartPage, Write until every byte
// is taken, EndPage, EndDoc; Abort instead of the rest when one fails; Close
// once at the end. Each method is one API call and returns the system error
// (a syscall.Errno) the call reported. Not safe for concurrent use.
type spoolJob interface {
	// StartDoc starts a print job of datatype RAW: the spooler hands its
	// bytes to the printer's port unchanged, bypassing the driver.
	StartDoc(name string) error
	StartPage() error
	// Write hands p to the spooler and returns how much it took, which
	// may be less than len(p) without an error.
	Write(p []byte) (int, error)
	EndPage() error
	// EndDoc ends the job; the spooler then sends it to the printer.
	EndDoc() error
	// Abort ends the job and deletes what was spooled of it.
	Abort() error
	Close() error
}

// Spooler is a printer installed in the Windows print spooler, typically a
// USB label printer with its vendor's driver, reached by its name in
// Windows ("ZDesigner GK420d"). Each document becomes one print job of
// datatype RAW, so the printer receives exactly the bytes the encoder
// produced, whatever the driver would have made of a page.
//
// A document counts as sent once the spooler has accepted the whole job:
// the spooler then prints it on its own, and a printer that is off or out
// of paper shows up in the Windows print queue, not here.
//
// The spooler is per machine, but printers installed for one user only are
// invisible to other accounts, the LocalSystem account a service runs as
// among them: see ListSpoolerPrinters.
type Spooler struct {
	job  spoolJob
	addr string
}

// OpenSpooler opens the printer called name in the Windows print spooler.
// On other systems it fails with a permanent *Error.
func OpenSpooler(ctx context.Context, name string, _ Options) (*Spooler, error) {
	addr := "spooler://" + name
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: err}
	}
	job, err := openSpoolJob(name)
	if err != nil {
		return nil, &Error{Op: "open", Addr: addr, Err: spoolerError(err)}
	}
	return &Spooler{job: job, addr: addr}, nil
}

func openSpooler(ctx context.Context, name string, o Options) (Conn, error) {
	s, err := OpenSpooler(ctx, name, o)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Write sends p as one print job. It returns nil only when the spooler took
// every byte and ended the job without error. When a step before the end
// fails, the job is aborted so that a document cut short is not printed;
// Written then says how much of it the spooler had taken, in case the
// printer was set to print directly rather than spool. A failing EndDoc is
// reported with every byte written: the job may or may not print.
//
// WritePrinter cannot be interrupted; ctx is checked between chunks, and a
// spooler normally takes each chunk at once, since it writes to its spool
// file rather than to the printer.
func (s *Spooler) Write(ctx context.Context, p []byte) error {
	if s.job == nil {
		return &Error{Op: "write", Addr: s.addr, Err: errors.New("printer closed")}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: "write", Addr: s.addr, Err: err}
	}
	if err := s.job.StartDoc(spoolDocName); err != nil {
		return &Error{Op: "start document", Addr: s.addr, Err: spoolerError(err)}
	}
	if err := s.job.StartPage(); err != nil {
		return s.abort("start page", 0, err)
	}
	written := 0
	for written < len(p) {
		if err := ctx.Err(); err != nil {
			return s.abort("write", written, err)
		}
		n, err := s.job.Write(p[written:min(written+chunkSize, len(p))])
		written += n
		if err != nil {
			return s.abort("write", written, err)
		}
		if n == 0 {
			// A spooler that takes nothing and reports nothing would
			// otherwise keep this loop turning for ever.
			return s.abort("write", written, errors.New("spooler took no data"))
		}
	}
	if err := s.job.EndPage(); err != nil {
		return s.abort("end page", written, err)
	}
	if err := s.job.EndDoc(); err != nil {
		return &Error{Op: "end document", Addr: s.addr, Written: written, Err: spoolerError(err)}
	}
	return nil
}

// abort deletes the print job after step op failed with err.
func (s *Spooler) abort(op string, written int, err error) error {
	if abortErr := s.job.Abort(); abortErr != nil {
		err = fmt.Errorf("%w; abort: %v", err, abortErr)
	}
	return &Error{Op: op, Addr: s.addr, Written: written, Err: spoolerError(err)}
}

// Close closes the printer. Closing twice is harmless.
func (s *Spooler) Close() error {
	if s.job == nil {
		return nil
	}
	job := s.job
	s.job = nil
	if err := job.Close(); err != nil {
		return &Error{Op: "close", Addr: s.addr, Err: spoolerError(err)}
	}
	return nil
}

// System errors of the print spooler that waiting may mend. They are
// Windows error numbers, named here so that their handling is the same, and
// tested, on every system.
const (
	errSpoolOutOfPaper      = syscall.Errno(28)   // ERROR_OUT_OF_PAPER
	errSpoolQueueFull       = syscall.Errno(61)   // ERROR_PRINTQ_FULL
	errSpoolNoMemory        = syscall.Errno(8)    // ERROR_NOT_ENOUGH_MEMORY
	errSpoolOutOfMemory     = syscall.Errno(14)   // ERROR_OUTOFMEMORY
	errSpoolerNotRunning    = syscall.Errno(1722) // RPC_S_SERVER_UNAVAILABLE: the Print Spooler service is stopped
	errSpoolerCallFailed    = syscall.Errno(1726) // RPC_S_CALL_FAILED: it stopped during the call
	errSpoolerNotAvailable  = syscall.Errno(1753) // EPT_S_NOT_REGISTERED: it is starting
	errSpoolPrinterNotFound = syscall.Errno(1801) // ERROR_INVALID_PRINTER_NAME, permanent
	errSpoolBadDatatype     = syscall.Errno(1804) // ERROR_INVALID_DATATYPE, permanent
)

// spoolerError marks the spooler's errors that waiting may mend as
// temporary; the rest (a printer name that does not exist, access denied, a
// job cancelled in the print queue) stay permanent, unless the shared rules
// of temporary say otherwise.
func spoolerError(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case errSpoolOutOfPaper, errSpoolQueueFull, errSpoolNoMemory, errSpoolOutOfMemory,
			errSpoolerNotRunning, errSpoolerCallFailed, errSpoolerNotAvailable:
			return transientError{err}
		case errSpoolPrinterNotFound:
			return fmt.Errorf("no such printer in the Windows print spooler, or not visible to this account (printers installed for one user are invisible to services): %w", err)
		case errSpoolBadDatatype:
			return fmt.Errorf("the printer's driver takes no RAW data (an XPS-only driver): install the vendor's own driver or Generic / Text Only: %w", err)
		}
	}
	return err
}
