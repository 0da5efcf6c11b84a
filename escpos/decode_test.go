package escpos

import (
	"bytes"
	"fmt"

	"github.com/labelbridge/labelbridge/label"
)

// A decoded receipt is what a small ESC/POS interpreter made of Encode's
// output. It understands exactly the commands Encode writes (ESC @, GS v 0
// with m = 0, GS V 66 0 at the end) and fails on any other byte, so it
// doubles as a check that nothing else reaches the printer.
type decoded struct {
	commands []string
	bands    []int // rows of each GS v 0
	img      *label.Mono
	cut      bool
}

func decode(b []byte) (*decoded, error) {
	d := &decoded{}
	if !bytes.HasPrefix(b, []byte{esc, '@'}) {
		return nil, fmt.Errorf("stream does not start with ESC @: % X", b[:min(len(b), 8)])
	}
	d.commands = append(d.commands, "ESC @")
	b = b[2:]
	var stride int
	var pix []byte
	for len(b) > 0 {
		switch {
		case bytes.HasPrefix(b, []byte{gs, 'v', '0'}):
			if len(b) < 8 {
				return nil, fmt.Errorf("GS v 0 header cut short")
			}
			if b[3] != 0 {
				return nil, fmt.Errorf("GS v 0 mode %d, want 0", b[3])
			}
			x := int(b[4]) | int(b[5])<<8
			y := int(b[6]) | int(b[7])<<8
			if x == 0 || y == 0 {
				return nil, fmt.Errorf("GS v 0 of %d x %d is empty", x, y)
			}
			if stride != 0 && x != stride {
				return nil, fmt.Errorf("band width %d bytes, earlier bands %d", x, stride)
			}
			stride = x
			n := x * y
			if len(b) < 8+n {
				return nil, fmt.Errorf("GS v 0 needs %d data bytes, %d left", n, len(b)-8)
			}
			pix = append(pix, b[8:8+n]...)
			d.bands = append(d.bands, y)
			d.commands = append(d.commands, "GS v 0")
			b = b[8+n:]
		case bytes.Equal(b, []byte{gs, 'V', 66, 0}):
			d.cut = true
			d.commands = append(d.commands, "GS V 66 0")
			b = nil
		default:
			return nil, fmt.Errorf("unexpected bytes % X", b[:min(len(b), 8)])
		}
	}
	if stride > 0 {
		d.img = &label.Mono{W: stride * 8, H: len(pix) / stride, Stride: stride, Pix: pix}
	}
	return d, nil
}
