package printer_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

func openSerial(t *testing.T, sim *printertest.Serial, query string, o printer.Options) printer.Conn {
	t.Helper()
	c := mustOpen(t, "serial://"+sim.Path()+query, o)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestSerialSettingsReachTheLine(t *testing.T) {
	// Linux pseudo-terminals force 8 data bits and clear PARENB, so data
	// bits and whether parity is on cannot be seen here; PARODD, stop
	// bits, speed and flow control can.
	tests := []struct {
		name, query          string
		speed                uint32
		cflagSet, cflagClear uint32
		iflagSet, iflagClear uint32
	}{
		{"Defaults", "", unix.B9600, 0, unix.CSTOPB | unix.CRTSCTS | unix.PARODD, 0, unix.IXON | unix.IXOFF},
		{"RTSCTS", "?baud=115200&stop_bits=2&flow=rtscts", unix.B115200, unix.CSTOPB | unix.CRTSCTS, unix.PARODD, 0, unix.IXON | unix.IXOFF},
		{"XonXoff", "?baud=19200&parity=odd&flow=xonxoff", unix.B19200, unix.PARODD, unix.CSTOPB | unix.CRTSCTS, unix.IXON | unix.IXOFF, 0},
		{"Even7", "?baud=38400&parity=even&data_bits=7", unix.B38400, 0, unix.PARODD | unix.CRTSCTS, 0, unix.IXON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := printertest.NewSerial(t)
			openSerial(t, sim, tt.query, printer.Options{})
			got, err := sim.Termios()
			if err != nil {
				t.Fatal(err)
			}
			if speed := got.Cflag & unix.CBAUD; speed != tt.speed {
				t.Errorf("speed bits = %#o, want %#o", speed, tt.speed)
			}
			if got.Cflag&tt.cflagSet != tt.cflagSet || got.Cflag&tt.cflagClear != 0 {
				t.Errorf("cflag = %#o, want %#o set and %#o clear", got.Cflag, tt.cflagSet, tt.cflagClear)
			}
			if got.Iflag&tt.iflagSet != tt.iflagSet || got.Iflag&tt.iflagClear != 0 {
				t.Errorf("iflag = %#o, want %#o set and %#o clear", got.Iflag, tt.iflagSet, tt.iflagClear)
			}
			// Raw mode: no output processing, no line editing, no
			// translation of incoming CR/LF.
			if got.Oflag&unix.OPOST != 0 || got.Lflag&(unix.ICANON|unix.ECHO|unix.ISIG) != 0 ||
				got.Iflag&(unix.ICRNL|unix.INLCR|unix.IGNCR) != 0 {
				t.Errorf("line not raw: oflag %#o lflag %#o iflag %#o", got.Oflag, got.Lflag, got.Iflag)
			}
		})
	}
}

func TestSerialBadSettings(t *testing.T) {
	defaults := printer.SerialParams{Baud: 9600, DataBits: 8, Parity: printer.ParityNone, StopBits: 1, Flow: printer.FlowNone}
	tests := []struct {
		name    string
		change  func(p *printer.SerialParams)
		mention string
	}{
		{"Parity", func(p *printer.SerialParams) { p.Parity = "mark" }, `parity "mark"`},
		{"Flow", func(p *printer.SerialParams) { p.Flow = "dtrdsr" }, `flow "dtrdsr"`},
		{"DataBits", func(p *printer.SerialParams) { p.DataBits = 9 }, "data_bits 9"},
		{"StopBits", func(p *printer.SerialParams) { p.StopBits = 3 }, "stop_bits 3"},
		{"Baud", func(p *printer.SerialParams) { p.Baud = -1 }, "baud -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := printertest.NewSerial(t)
			p := defaults
			tt.change(&p)
			_, err := printer.OpenSerial(context.Background(), sim.Path(), p, printer.Options{})
			pe := asError(t, err)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("OpenSerial = %v, want it to mention %s", err, tt.mention)
			}
			if pe.Temporary() {
				t.Errorf("Temporary() = true for %v, want false: waiting will not fix a setting", err)
			}
		})
	}
}

func TestSerialPortProblems(t *testing.T) {
	notATerminal := filepath.Join(t.TempDir(), "ttyS0")
	if err := os.WriteFile(notATerminal, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, port string
		temporary  bool
	}{
		{"Unplugged", filepath.Join(t.TempDir(), "ttyUSB0"), true},
		{"NotATerminal", notATerminal, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := printer.OpenSerial(context.Background(), tt.port, printer.SerialParams{}, printer.Options{})
			if pe := asError(t, err); pe.Temporary() != tt.temporary {
				t.Errorf("OpenSerial(%s) = %v, Temporary() = %v, want %v", tt.port, err, pe.Temporary(), tt.temporary)
			}
		})
	}
}

// With xonxoff the printer holds the line by sending XOFF; a document that
// cannot go out for WriteTimeout fails, and after XON a new link works.
func TestSerialXoffHoldsTheLine(t *testing.T) {
	sim := printertest.NewSerial(t)
	o := printer.Options{WriteTimeout: 200 * time.Millisecond}
	held := openSerial(t, sim, "?flow=xonxoff", o)
	if err := sim.Send([]byte{0x13}); err != nil { // XOFF
		t.Fatal(err)
	}
	// Large enough that it cannot slip through before the terminal has
	// acted on the XOFF.
	doc := bytes.Repeat([]byte("ESC/POS line\n"), 1<<20)
	err := held.Write(context.Background(), doc)
	pe := asError(t, err)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !pe.Temporary() || pe.Written >= len(doc) {
		t.Fatalf("Write while held by XOFF = %v (Written %d of %d), want a temporary timeout part way", err, pe.Written, len(doc))
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sim.Send([]byte{0x11}); err != nil { // XON
		t.Fatal(err)
	}
	before := len(sim.Bytes())
	c := openSerial(t, sim, "?flow=xonxoff", o)
	if err := c.Write(context.Background(), []byte("after XON")); err != nil {
		t.Fatal(err)
	}
	if err := sim.Wait(waitCtx(t), func(b []byte) bool { return bytes.HasSuffix(b, []byte("after XON")) }); err != nil {
		t.Fatalf("after XON: %v (had %d bytes before)", err, before)
	}
}

func TestSerialWriteStopsWithContext(t *testing.T) {
	sim := printertest.NewSerial(t)
	sim.Stall(true)
	c := openSerial(t, sim, "?flow=rtscts", printer.Options{WriteTimeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	err := c.Write(ctx, bytes.Repeat([]byte{0x1b, 0x40}, 1<<20))
	if pe := asError(t, err); !errors.Is(err, context.Canceled) || pe.Written >= 2<<20 {
		t.Errorf("Write cancelled while held = %v (Written %d), want context.Canceled part way", err, pe.Written)
	}
}

// TestSerialQuietGap: draining stale bytes before a status query waits as
// long as a few characters take on the line, so a slow printer's late
// answer is not cut in half; fast lines keep a millisecond.
func TestSerialQuietGap(t *testing.T) {
	tests := []struct {
		query string
		want  time.Duration
	}{
		{"", 3 * 10 * time.Second / 9600},                                   // 8N1 at 9600: 10 bits a character
		{"?baud=9600&parity=even&stop_bits=2", 3 * 12 * time.Second / 9600}, // start, 8 data, parity, 2 stop
		{"?baud=115200", time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			c := openSerial(t, printertest.NewSerial(t), tt.query, printer.Options{})
			q, ok := c.(interface{ QuietGap() time.Duration })
			if !ok {
				t.Fatalf("%T has no QuietGap", c)
			}
			if got := q.QuietGap(); got != tt.want {
				t.Errorf("QuietGap() = %v, want %v", got, tt.want)
			}
		})
	}
}
