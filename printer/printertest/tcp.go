package printertest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
)

// TCP is a network printer: a real TCP listener that records the bytes of
// every connection in arrival order. Once told its language
// (SetLanguage) it answers that language's status queries on the
// connection they came on, prints what it receives one label at a time
// and can be given a fault (SetFault).
type TCP struct {
	*model
	rec  *recorder
	addr string // fixed at start, so Accept can listen on the same port
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu       sync.Mutex
	ln       net.Listener  // nil while refusing
	lnDone   chan struct{} // closed when ln's accept loop has returned
	conns    map[*tcpConn]struct{}
	latest   *tcpConn // most recently accepted connection still open
	accepted int
	stall    chan struct{} // non-nil while stalled; closed to resume
	dropNext int           // drop budget for the next connection; -1 for none
	reply    func(chunk []byte) []byte
	closed   bool
}

// tcpConn is one connection. drop is how many more bytes it takes before
// the printer hangs up, -1 for no limit; guarded by TCP.mu.
type tcpConn struct {
	c    net.Conn
	drop int
	scan scanner // used by the connection's reader only
}

// NewTCP starts a printer on 127.0.0.1 on a free port. It is closed when the
// test ends.
func NewTCP(tb testing.TB) *TCP {
	tb.Helper()
	s, err := StartTCP("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// StartTCP starts a printer listening on addr ("127.0.0.1:0" picks a free
// port). Close stops it.
func StartTCP(addr string) (*TCP, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("printertest: %w", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &TCP{
		model:    newModel(),
		rec:      newRecorder(),
		addr:     ln.Addr().String(),
		ctx:      ctx,
		stop:     stop,
		conns:    make(map[*tcpConn]struct{}),
		dropNext: -1,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.model.run(ctx.Done())
	}()
	s.mu.Lock()
	s.listen(ln)
	s.mu.Unlock()
	return s, nil
}

// listen starts accepting on ln. The caller holds s.mu.
func (s *TCP) listen(ln net.Listener) {
	done := make(chan struct{})
	s.ln, s.lnDone = ln, done
	s.wg.Add(1)
	go s.serve(ln, done)
}

func (s *TCP) serve(ln net.Listener, done chan struct{}) {
	defer s.wg.Done()
	defer close(done)
	for {
		c, err := ln.Accept()
		if err != nil {
			return // ln was closed by Refuse or Close
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		tc := &tcpConn{c: c, drop: s.dropNext}
		s.dropNext = -1
		s.accepted++
		s.conns[tc] = struct{}{}
		s.latest = tc
		s.wg.Add(1)
		s.mu.Unlock()
		go s.read(tc)
	}
}

// read records what tc receives until it closes, the printer drops it, or
// the simulator closes.
func (s *TCP) read(tc *tcpConn) {
	defer s.wg.Done()
	defer func() {
		tc.c.Close()
		s.mu.Lock()
		delete(s.conns, tc)
		if s.latest == tc {
			s.latest = nil
		}
		s.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		s.mu.Lock()
		stall, drop := s.stall, tc.drop
		s.mu.Unlock()
		if drop == 0 {
			return
		}
		if stall != nil {
			select {
			case <-stall:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		n, err := tc.c.Read(buf)
		if n > 0 {
			s.mu.Lock()
			keep := n
			if tc.drop >= 0 {
				// Bytes past the budget reached the printer as it
				// went down: lost, not printed.
				keep = min(n, tc.drop)
				tc.drop -= keep
			}
			reply := s.reply
			s.mu.Unlock()
			var answers []send
			if keep > 0 {
				answers = s.model.feed(&tc.scan, buf[:keep], tc.c)
			}
			s.rec.add(buf[:keep])
			write(answers)
			if reply != nil && keep > 0 {
				if out := reply(buf[:keep]); len(out) > 0 {
					tc.c.Write(out)
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// Addr returns the printer's host:port.
func (s *TCP) Addr() string { return s.addr }

// URL returns the printer's connection string, tcp://host:port.
func (s *TCP) URL() string { return "tcp://" + s.addr }

// Bytes returns a copy of everything received on all connections, in
// arrival order.
func (s *TCP) Bytes() []byte { return s.rec.bytes() }

// Connections returns how many connections the printer has accepted.
func (s *TCP) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted
}

// Wait calls cond with everything received so far, and again each time more
// bytes arrive, until it returns true (Wait returns nil), ctx is done or the
// printer is closed. cond must not keep or change the slice.
func (s *TCP) Wait(ctx context.Context, cond func(received []byte) bool) error {
	return s.rec.wait(ctx, cond)
}

// Refuse stops listening, like a printer switched off: new connections get
// "connection refused". Open connections stay open; DropAfter(0) cuts one.
func (s *TCP) Refuse() {
	s.mu.Lock()
	ln, done := s.ln, s.lnDone
	s.ln = nil
	s.mu.Unlock()
	if ln == nil {
		return
	}
	ln.Close()
	<-done
}

// Accept listens again on the same port after Refuse. It fails only when
// something else took the port meanwhile, or the printer is closed.
func (s *TCP) Accept() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("printertest: listen again: %w", err)
	}
	s.listen(ln)
	return nil
}

// Stall makes the printer stop reading (on) or read again (off). A stalled
// printer still accepts connections, but what is sent to it piles up in the
// system's buffers until the sender blocks.
func (s *TCP) Stall(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case on && s.stall == nil:
		s.stall = make(chan struct{})
	case !on && s.stall != nil:
		close(s.stall)
		s.stall = nil
	}
}

// DropAfter makes the printer hang up the current connection (the latest
// one still open), or the next one when none is, after it has received n
// more bytes: a printer that loses power or restarts mid-document. Bytes
// beyond n that arrive in the same read are lost, not recorded. DropAfter(0)
// hangs up the current connection at once.
func (s *TCP) DropAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tc := s.latest
	if tc == nil {
		s.dropNext = n
		return
	}
	tc.drop = n
	if n == 0 {
		// The reader may be blocked in Read; closing wakes it.
		tc.c.Close()
	}
}

// Reply sets a function that plays the printer's answering side: it sees
// each chunk as it is received and what it returns, if anything, is sent
// back on the same connection. Status queries are answered this way.
func (s *TCP) Reply(f func(chunk []byte) []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = f
}

// Close stops the printer: it stops listening, closes every connection and
// waits for its goroutines to finish.
func (s *TCP) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ln := s.ln
	s.ln = nil
	conns := make([]*tcpConn, 0, len(s.conns))
	for tc := range s.conns {
		conns = append(conns, tc)
	}
	s.mu.Unlock()
	s.stop()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	for _, tc := range conns {
		tc.c.Close()
	}
	s.wg.Wait()
	s.rec.close()
	return err
}
