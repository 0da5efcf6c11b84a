//go:build linux || darwin || freebsd || openbsd

package printer_test

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// systemStatusLinks are serial and usb over a pseudo-terminal: its
// terminal side is a character device, as /dev/ttyUSB0 and /dev/usb/lp0
// are, so usb opens it for reading too.
func systemStatusLinks() []statusLink {
	return []statusLink{
		{"serial", func(t *testing.T) (printer.Conn, simulator) {
			sim := printertest.NewSerial(t)
			c := mustOpen(t, "serial://"+sim.Path()+"?baud=115200", printer.Options{})
			t.Cleanup(func() { c.Close() })
			return c, sim
		}},
		{"usb", func(t *testing.T) (printer.Conn, simulator) {
			sim := printertest.NewSerial(t)
			// usblp moves bytes as they are; a terminal translates
			// them unless it is raw. The setting stays with the
			// terminal after this descriptor is closed.
			makeRaw(t, sim.Path())
			c := mustOpen(t, "usb://"+sim.Path(), printer.Options{})
			t.Cleanup(func() { c.Close() })
			if _, ok := c.(printer.Reader); !ok {
				t.Fatalf("%T is not a Reader", c)
			}
			return c, sim
		}},
	}
}

func makeRaw(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var rawErr error
	if err := rc.Control(func(fd uintptr) { _, rawErr = term.MakeRaw(int(fd)) }); err != nil {
		t.Fatal(err)
	}
	if rawErr != nil {
		t.Fatal(rawErr)
	}
}
