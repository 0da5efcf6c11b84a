package printer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// chunkSize is how much of a document goes out between two deadline
// updates. Small enough that a slow printer which keeps taking data always
// makes progress within WriteTimeout, large enough to cost nothing.
const chunkSize = 64 << 10

// deadlineWriter is a stream whose writes can be given a deadline:
// *net.TCPConn, and an *os.File on a device Go's poller can wait on.
type deadlineWriter interface {
	Write(p []byte) (int, error)
	SetWriteDeadline(t time.Time) error
}

// writeAll writes p to w, giving each chunk timeout to go out, and aborts
// when ctx is done. It returns how many bytes were written. A file Go cannot
// poll (a regular file) takes no deadline and is written plainly.
func writeAll(ctx context.Context, w deadlineWriter, p []byte, timeout time.Duration) (int, error) {
	// Cancelling ctx moves the deadline to the past, which wakes a write
	// blocked in the poller.
	stop := context.AfterFunc(ctx, func() { w.SetWriteDeadline(time.Unix(1, 0)) })
	defer stop()
	written := 0
	for written < len(p) {
		deadline := time.Now().Add(timeout)
		ctxDeadline, hasCtxDeadline := ctx.Deadline()
		if hasCtxDeadline && ctxDeadline.Before(deadline) {
			deadline = ctxDeadline
		}
		if err := w.SetWriteDeadline(deadline); err != nil && !errors.Is(err, os.ErrNoDeadline) {
			return written, err
		}
		// Checked after setting the deadline: a cancel from here on moves
		// it back to the past, one before was seen here.
		if err := ctx.Err(); err != nil {
			return written, err
		}
		n, err := w.Write(p[written:min(written+chunkSize, len(p))])
		written += n
		if err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				return written, err
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				return written, fmt.Errorf("%w: %w", ctxErr, err)
			}
			// The deadline taken from ctx can fire a moment before
			// ctx's own timer marks it done.
			if hasCtxDeadline && deadline.Equal(ctxDeadline) {
				return written, fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
			}
			return written, fmt.Errorf("printer took no data for %v: %w", timeout, err)
		}
	}
	return written, nil
}
