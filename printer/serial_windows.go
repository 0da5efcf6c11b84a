package printer

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.bug.st/serial"
)

// serialPort is an open COM port.
type serialPort struct {
	lib serial.Port
}

func openSerialPort(name string, mode *serial.Mode, flow Flow) (*serialPort, error) {
	// The serial library switches every kind of flow control off on
	// Windows and gives no way to turn it back on.
	if flow == FlowRTSCTS || flow == FlowXonXoff {
		return nil, fmt.Errorf("flow %s is not supported on Windows yet; use flow=none", flow)
	}
	lib, err := serial.Open(name, mode)
	if err != nil {
		return nil, serialError(err)
	}
	return &serialPort{lib: lib}, nil
}

// write runs the library's blocking Write in a goroutine it waits for, so a
// port that takes no data for timeout, or a done ctx, can abort it: purging
// the output aborts the pending overlapped write.
func (p *serialPort) write(ctx context.Context, b []byte, timeout time.Duration) (int, error) {
	type progress struct {
		written int
		err     error
		done    bool
	}
	updates := make(chan progress, 1)
	go func() {
		written := 0
		for written < len(b) {
			n, err := p.lib.Write(b[written:min(written+chunkSize, len(b))])
			written += n
			if err != nil {
				updates <- progress{written: written, err: err, done: true}
				return
			}
			if written < len(b) {
				// Drop a stale update so the writer never blocks.
				select {
				case <-updates:
				default:
				}
				updates <- progress{written: written}
			}
		}
		updates <- progress{written: written, done: true}
	}()
	// finish waits for the writer after an abort, keeping the count it
	// reached.
	finish := func(written int) int {
		for u := range updates {
			written = u.written
			if u.done {
				break
			}
		}
		return written
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	written := 0
	for {
		select {
		case u := <-updates:
			written = u.written
			if u.done {
				return written, u.err
			}
			timer.Reset(timeout)
		case <-ctx.Done():
			p.lib.ResetOutputBuffer()
			return finish(written), ctx.Err()
		case <-timer.C:
			p.lib.ResetOutputBuffer()
			return finish(written), fmt.Errorf("printer took no data for %v: %w", timeout, os.ErrDeadlineExceeded)
		}
	}
}

// readSlice bounds each wait of read, so that a cancelled ctx is noticed
// soon: the library's Read cannot be interrupted.
const readSlice = 50 * time.Millisecond

// read waits for what the printer sends in short timed reads, the library's
// only way to bound a read, until something arrives or ctx is done. The
// library's Read returns 0 bytes and no error when its timeout passes.
func (p *serialPort) read(ctx context.Context, b []byte) (int, error) {
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		wait := readSlice
		if d, ok := ctx.Deadline(); ok {
			if left := time.Until(d); left < wait {
				wait = left
			}
		}
		if wait <= 0 {
			return 0, context.DeadlineExceeded
		}
		if err := p.lib.SetReadTimeout(wait); err != nil {
			return 0, err
		}
		n, err := p.lib.Read(b)
		if n > 0 || err != nil {
			return n, err
		}
	}
}

func (p *serialPort) discardOutput() error { return p.lib.ResetOutputBuffer() }

func (p *serialPort) close() error { return p.lib.Close() }
