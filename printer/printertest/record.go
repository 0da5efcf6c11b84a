package printertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned by Wait once the simulator is closed and the
// condition still does not hold.
var ErrClosed = errors.New("printertest: printer closed")

// recorder keeps every byte a simulated printer received, in arrival order,
// and wakes those waiting for more.
type recorder struct {
	mu      sync.Mutex
	buf     []byte
	changed chan struct{} // closed and replaced when bytes arrive or on close
	closed  bool
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(p []byte) {
	if len(p) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf = append(r.buf, p...)
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.buf...)
}

func (r *recorder) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.changed)
	}
}

// wait calls cond with everything received so far, again each time more
// arrives, until it returns true, ctx is done or the printer is closed. cond
// must not keep or change the slice.
func (r *recorder) wait(ctx context.Context, cond func(received []byte) bool) error {
	for {
		r.mu.Lock()
		// Bytes are only ever appended, so this view stays valid
		// without the lock.
		got := r.buf[:len(r.buf):len(r.buf)]
		changed, closed := r.changed, r.closed
		r.mu.Unlock()
		if cond(got) {
			return nil
		}
		if closed {
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("printertest: waiting with %d bytes received: %w", len(got), ctx.Err())
		}
	}
}
