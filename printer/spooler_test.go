package printer

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// fakeSpool plays the Windows print spooler for one open printer: it
// records each call, keeps the bytes of the jobs it ended, and fails the
// calls it is told to.
type fakeSpool struct {
	calls  []string
	fail   map[string]error // call name -> error it returns
	maxN   int              // most bytes one Write takes; 0 means all
	stuckN int              // Write takes nothing, without error, from this many bytes on; 0 means never
	job    bytes.Buffer     // the job being written
	jobs   [][]byte         // jobs ended with EndDoc
}

func (f *fakeSpool) call(name string) error {
	f.calls = append(f.calls, name)
	return f.fail[name]
}

func (f *fakeSpool) StartDoc(name string) error {
	if name == "" {
		return errors.New("empty document name")
	}
	f.job.Reset()
	return f.call("StartDoc")
}

func (f *fakeSpool) StartPage() error { return f.call("StartPage") }

func (f *fakeSpool) Write(p []byte) (int, error) {
	if len(f.calls) == 0 || f.calls[len(f.calls)-1] != "Write" {
		f.calls = append(f.calls, "Write")
	}
	n := len(p)
	if f.maxN > 0 {
		n = min(n, f.maxN)
	}
	if f.stuckN > 0 && f.job.Len()+n > f.stuckN {
		n = max(0, f.stuckN-f.job.Len())
	}
	if err := f.fail["Write"]; err != nil {
		n = min(n, 10)
		f.job.Write(p[:n])
		return n, err
	}
	f.job.Write(p[:n])
	return n, nil
}

func (f *fakeSpool) EndPage() error { return f.call("EndPage") }

func (f *fakeSpool) EndDoc() error {
	if err := f.call("EndDoc"); err != nil {
		return err
	}
	f.jobs = append(f.jobs, bytes.Clone(f.job.Bytes()))
	return nil
}

func (f *fakeSpool) Abort() error { f.job.Reset(); return f.call("Abort") }
func (f *fakeSpool) Close() error { return f.call("Close") }

func TestSpoolerWrite(t *testing.T) {
	doc := bytes.Repeat([]byte("^XA^FDlabel^FS^XZ\n"), 10000) // several chunks
	const (
		errNotRunning = syscall.Errno(1722) // RPC_S_SERVER_UNAVAILABLE
		errCancelled  = syscall.Errno(63)   // ERROR_PRINT_CANCELLED
		errNoPrinter  = syscall.Errno(1801) // ERROR_INVALID_PRINTER_NAME
		errDenied     = syscall.Errno(5)    // ERROR_ACCESS_DENIED
	)
	tests := []struct {
		name   string
		spool  fakeSpool
		doc    []byte
		calls  []string
		op     string // "" when Write succeeds
		wantN  int    // Error.Written
		temp   bool
		wantIn string // in the error message
	}{
		{name: "OK", doc: doc,
			calls: []string{"StartDoc", "StartPage", "Write", "EndPage", "EndDoc"}},
		{name: "ShortWritesLoopUntilAllTaken", doc: doc, spool: fakeSpool{maxN: 1000},
			calls: []string{"StartDoc", "StartPage", "Write", "EndPage", "EndDoc"}},
		{name: "EmptyDocumentIsAnEmptyJob", doc: nil,
			calls: []string{"StartDoc", "StartPage", "EndPage", "EndDoc"}},
		{name: "ErrStartDocSpoolerStopped", doc: doc, spool: fakeSpool{fail: map[string]error{"StartDoc": errNotRunning}},
			calls: []string{"StartDoc"}, op: "start document", temp: true},
		{name: "ErrStartDocPrinterGone", doc: doc, spool: fakeSpool{fail: map[string]error{"StartDoc": errNoPrinter}},
			calls: []string{"StartDoc"}, op: "start document", temp: false},
		{name: "ErrStartPageAborts", doc: doc, spool: fakeSpool{fail: map[string]error{"StartPage": errNotRunning}},
			calls: []string{"StartDoc", "StartPage", "Abort"}, op: "start page", temp: true},
		{name: "ErrWriteAbortsAndCountsBytes", doc: doc, spool: fakeSpool{fail: map[string]error{"Write": errNotRunning}},
			calls: []string{"StartDoc", "StartPage", "Write", "Abort"}, op: "write", wantN: 10, temp: true},
		{name: "ErrWriteCancelledInQueueIsPermanent", doc: doc, spool: fakeSpool{fail: map[string]error{"Write": errCancelled}},
			calls: []string{"StartDoc", "StartPage", "Write", "Abort"}, op: "write", wantN: 10, temp: false},
		{name: "ErrSpoolerTakesNothing", doc: doc, spool: fakeSpool{stuckN: 70000},
			calls: []string{"StartDoc", "StartPage", "Write", "Abort"}, op: "write", wantN: 70000, wantIn: "took no data"},
		{name: "ErrAbortAlsoFails", doc: doc, spool: fakeSpool{fail: map[string]error{"Write": errNotRunning, "Abort": errDenied}},
			calls: []string{"StartDoc", "StartPage", "Write", "Abort"}, op: "write", wantN: 10, temp: true, wantIn: "abort"},
		{name: "ErrEndPageAborts", doc: doc, spool: fakeSpool{fail: map[string]error{"EndPage": errNotRunning}},
			calls: []string{"StartDoc", "StartPage", "Write", "EndPage", "Abort"}, op: "end page", wantN: len(doc), temp: true},
		{name: "ErrEndDocReportedWithEveryByteWritten", doc: doc, spool: fakeSpool{fail: map[string]error{"EndDoc": errNotRunning}},
			calls: []string{"StartDoc", "StartPage", "Write", "EndPage", "EndDoc"}, op: "end document", wantN: len(doc), temp: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &tt.spool
			s := &Spooler{job: f, addr: "spooler://ZDesigner GK420d"}
			err := s.Write(context.Background(), tt.doc)
			if !slices.Equal(f.calls, tt.calls) {
				t.Errorf("calls = %v, want %v", f.calls, tt.calls)
			}
			if tt.op == "" {
				if err != nil {
					t.Fatalf("Write = %v, want nil", err)
				}
				if len(f.jobs) != 1 || !bytes.Equal(f.jobs[0], tt.doc) {
					t.Fatalf("spooler ended %d jobs; want one holding the %d bytes of the document", len(f.jobs), len(tt.doc))
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Write = %v (%T), want a *Error", err, err)
			}
			if pe.Op != tt.op || pe.Written != tt.wantN || pe.Temporary() != tt.temp {
				t.Errorf("Write error = {Op: %q, Written: %d, Temporary: %v}, want {%q, %d, %v}", pe.Op, pe.Written, pe.Temporary(), tt.op, tt.wantN, tt.temp)
			}
			if !strings.Contains(err.Error(), tt.wantIn) || !strings.HasPrefix(err.Error(), "spooler://ZDesigner GK420d: ") {
				t.Errorf("error %q: want it to start with the printer's address and contain %q", err, tt.wantIn)
			}
			if len(f.jobs) != 0 {
				t.Errorf("a failed document ended %d jobs; want none", len(f.jobs))
			}
		})
	}
}

func TestSpoolerWriteCancelled(t *testing.T) {
	t.Run("BeforeStart", func(t *testing.T) {
		f := &fakeSpool{}
		s := &Spooler{job: f, addr: "spooler://p"}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Write(ctx, []byte("^XA^XZ"))
		var pe *Error
		if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) || !pe.Temporary() {
			t.Fatalf("Write = %v, want a temporary *Error wrapping context.Canceled", err)
		}
		if len(f.calls) != 0 {
			t.Errorf("calls = %v, want none: no job is started for a cancelled document", f.calls)
		}
	})
	t.Run("BetweenChunksAborts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &fakeSpool{maxN: chunkSize}
		s := &Spooler{job: cancelAfterWrite{f, cancel}, addr: "spooler://p"}
		err := s.Write(ctx, make([]byte, 3*chunkSize))
		var pe *Error
		if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) || pe.Written != chunkSize {
			t.Fatalf("Write = %v, want a *Error wrapping context.Canceled after %d bytes", err, chunkSize)
		}
		if want := []string{"StartDoc", "StartPage", "Write", "Abort"}; !slices.Equal(f.calls, want) {
			t.Errorf("calls = %v, want %v", f.calls, want)
		}
	})
}

// cancelAfterWrite cancels a context once the first chunk is written, as a
// daemon shutting down would.
type cancelAfterWrite struct {
	*fakeSpool
	cancel context.CancelFunc
}

func (c cancelAfterWrite) Write(p []byte) (int, error) {
	defer c.cancel()
	return c.fakeSpool.Write(p)
}

func TestSpoolerKeepsWorkingAfterAFailedDocument(t *testing.T) {
	f := &fakeSpool{fail: map[string]error{"Write": syscall.Errno(1722)}}
	s := &Spooler{job: f, addr: "spooler://p"}
	if err := s.Write(context.Background(), []byte("first")); err == nil {
		t.Fatal("first Write succeeded; the fake was told to fail it")
	}
	delete(f.fail, "Write")
	if err := s.Write(context.Background(), []byte("second")); err != nil {
		t.Fatalf("second Write = %v; each document is its own print job, so a failed one must not block the next", err)
	}
	if len(f.jobs) != 1 || string(f.jobs[0]) != "second" {
		t.Fatalf("jobs = %q, want only the second document", f.jobs)
	}
}

func TestSpoolerClose(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := &fakeSpool{}
		s := &Spooler{job: f, addr: "spooler://p"}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close = %v, want nil", err)
		}
		if !slices.Equal(f.calls, []string{"Close"}) {
			t.Errorf("calls = %v, want one Close", f.calls)
		}
		var pe *Error
		if err := s.Write(context.Background(), []byte("x")); !errors.As(err, &pe) {
			t.Errorf("Write after Close = %v, want a *Error", err)
		}
	})
	t.Run("ErrClosePrinter", func(t *testing.T) {
		f := &fakeSpool{fail: map[string]error{"Close": syscall.Errno(6)}} // ERROR_INVALID_HANDLE
		s := &Spooler{job: f, addr: "spooler://p"}
		var pe *Error
		if err := s.Close(); !errors.As(err, &pe) || pe.Op != "close" {
			t.Fatalf("Close = %v, want a *Error with Op close", err)
		}
	})
}

// Windows error numbers are tested, on every system, only where they mean
// nothing the shared rules of temporary know of; 5 (ERROR_ACCESS_DENIED) is
// EIO on unix, for example.
func TestSpoolerError(t *testing.T) {
	tests := []struct {
		name   string
		errno  syscall.Errno
		temp   bool
		wantIn string
	}{
		{"SpoolerServiceStopped", 1722, true, ""},
		{"SpoolerServiceStopping", 1726, true, ""},
		{"SpoolerServiceStarting", 1753, true, ""},
		{"QueueFull", 61, true, ""},
		{"OutOfPaper", 28, true, ""},
		{"NoMemory", 8, true, ""},
		{"PrinterNameUnknown", 1801, false, "invisible to services"},
		{"DriverTakesNoRaw", 1804, false, "Generic / Text Only"},
		{"JobCancelledInPrintQueue", 63, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := &Error{Op: "open", Addr: "spooler://p", Err: spoolerError(tt.errno)}
			if err.Temporary() != tt.temp {
				t.Errorf("Temporary() = %v, want %v", err.Temporary(), tt.temp)
			}
			if !errors.Is(err, tt.errno) {
				t.Errorf("%v does not wrap the system error", err)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("%q does not say %q", err, tt.wantIn)
			}
		})
	}
}
