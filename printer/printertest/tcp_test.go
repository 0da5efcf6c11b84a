package printertest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge/printer/printertest"
)

// waitCtx bounds a wait in a test that would otherwise hang on failure.
func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, s *printertest.TCP) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func hasLen(n int) func([]byte) bool { return func(b []byte) bool { return len(b) >= n } }

func TestTCPRecordsEveryConnectionInOrder(t *testing.T) {
	s := printertest.NewTCP(t)
	if got, want := s.URL(), "tcp://"+s.Addr(); got != want {
		t.Errorf("URL() = %q, want %q", got, want)
	}
	first := dial(t, s)
	if _, err := first.Write([]byte("^XA^FDone^FS^XZ")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), hasLen(15)); err != nil {
		t.Fatal(err)
	}
	second := dial(t, s)
	if _, err := second.Write([]byte{0x00, 0x1b, '\n', 0xff}); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), hasLen(19)); err != nil {
		t.Fatal(err)
	}
	want := []byte("^XA^FDone^FS^XZ\x00\x1b\n\xff")
	if got := s.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("Bytes() = %q, want %q", got, want)
	}
	if got := s.Connections(); got != 2 {
		t.Errorf("Connections() = %d, want 2", got)
	}
}

func TestTCPRefuseThenAcceptOnSamePort(t *testing.T) {
	s := printertest.NewTCP(t)
	addr := s.Addr()
	s.Refuse()
	if _, err := net.Dial("tcp", addr); !errors.Is(err, errRefused) {
		t.Fatalf("dial while refusing: err = %v, want connection refused", err)
	}
	if err := s.Accept(); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr {
		t.Errorf("Addr() = %s after Accept, want %s", s.Addr(), addr)
	}
	c := dial(t, s)
	if _, err := c.Write([]byte("back")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), func(b []byte) bool { return string(b) == "back" }); err != nil {
		t.Fatal(err)
	}
}

func TestTCPDropAfter(t *testing.T) {
	t.Run("CurrentConnection", func(t *testing.T) {
		s := printertest.NewTCP(t)
		c := dial(t, s)
		if _, err := c.Write([]byte("hello")); err != nil {
			t.Fatal(err)
		}
		if err := s.Wait(waitCtx(t), hasLen(5)); err != nil {
			t.Fatal(err)
		}
		s.DropAfter(100)
		// Keep writing until the printer hangs up.
		doc := bytes.Repeat([]byte("x"), 64<<10)
		var err error
		for range 1000 {
			if _, err = c.Write(doc); err != nil {
				break
			}
		}
		if err == nil {
			t.Fatal("writes never failed after DropAfter(100)")
		}
		if got := len(s.Bytes()); got != 105 {
			t.Errorf("recorded %d bytes, want 5 + 100", got)
		}
	})
	t.Run("NextConnection", func(t *testing.T) {
		s := printertest.NewTCP(t)
		s.DropAfter(3)
		c := dial(t, s)
		if _, err := c.Write([]byte("abcdef")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(c); err != nil && !errors.Is(err, errReset) {
			t.Fatalf("reading until the printer hangs up: %v", err)
		}
		if got := string(s.Bytes()); got != "abc" {
			t.Errorf("recorded %q, want %q", got, "abc")
		}
	})
	t.Run("Zero", func(t *testing.T) {
		s := printertest.NewTCP(t)
		c := dial(t, s)
		if _, err := c.Write([]byte("a")); err != nil {
			t.Fatal(err)
		}
		if err := s.Wait(waitCtx(t), hasLen(1)); err != nil {
			t.Fatal(err)
		}
		s.DropAfter(0)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if n, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("Read after DropAfter(0) = %d, %v; want EOF", n, err)
		}
	})
}

func TestTCPStall(t *testing.T) {
	s := printertest.NewTCP(t)
	s.Stall(true)
	c := dial(t, s)
	doc := make([]byte, 64<<20)
	c.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
	n, err := c.Write(doc)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write to a stalled printer = %d, %v; want a deadline error", n, err)
	}
	if n == 0 {
		t.Fatal("no byte went out before the deadline; the system's buffers should take some")
	}
	if got := len(s.Bytes()); got >= n {
		t.Errorf("stalled printer recorded %d of the %d bytes sent, want fewer", got, n)
	}
	s.Stall(false)
	if err := s.Wait(waitCtx(t), hasLen(n)); err != nil {
		t.Fatalf("after Stall(false): %v", err)
	}
}

func TestTCPReply(t *testing.T) {
	s := printertest.NewTCP(t)
	s.Reply(func(chunk []byte) []byte {
		if bytes.Contains(chunk, []byte("~HS")) {
			return []byte("\x02030,0,0\x03")
		}
		return nil
	})
	c := dial(t, s)
	if _, err := c.Write([]byte("~HS")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, 9)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != "\x02030,0,0\x03" {
		t.Errorf("reply = %q, want %q", got, "\x02030,0,0\x03")
	}
}

func TestTCPWait(t *testing.T) {
	t.Run("ContextDone", func(t *testing.T) {
		s := printertest.NewTCP(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if err := s.Wait(ctx, hasLen(1)); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait = %v, want context.DeadlineExceeded", err)
		}
	})
	t.Run("Closed", func(t *testing.T) {
		s := printertest.NewTCP(t)
		done := make(chan error)
		go func() { done <- s.Wait(context.Background(), hasLen(1)) }()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; !errors.Is(err, printertest.ErrClosed) {
			t.Errorf("Wait across Close = %v, want ErrClosed", err)
		}
		if err := s.Accept(); !errors.Is(err, printertest.ErrClosed) {
			t.Errorf("Accept after Close = %v, want ErrClosed", err)
		}
	})
}

func TestStartTCP(t *testing.T) {
	s, err := printertest.StartTCP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := printertest.StartTCP(s.Addr()); err == nil {
		t.Error("StartTCP on a port in use succeeded, want an error")
	}
	c := dial(t, s)
	c.Write([]byte("x"))
	// Close must not wait for the client, even with a stalled reader.
	s.Stall(true)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, err := net.Dial("tcp", s.Addr()); err == nil {
		t.Error("dial after Close succeeded")
	}
}
