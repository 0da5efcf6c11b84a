package tspl

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/labelbridge/labelbridge/label"
)

// A decoded label is what a small TSPL interpreter made of Encode's output:
// the commands in order, the raster of bars and bitmaps, and the text runs
// with their escapes undone. It understands exactly the commands Encode
// writes and fails on anything else, so it doubles as a check that no stray
// command reaches the printer.
type decoded struct {
	commands      []string
	widthMM       string
	heightMM      string
	copies        int
	img           *label.Mono
	texts         []decodedText
	width, height int // the raster size the decoder was told to paint into
	bitmapModes   []int
}

type decodedText struct {
	x, y, points int
	text         string
}

// decode interprets out, painting into a w x h raster.
func decode(out []byte, w, h int) (*decoded, error) {
	d := &decoded{img: label.NewMono(w, h), width: w, height: h}
	b := out
	for len(b) > 0 {
		if bytes.HasPrefix(b, []byte("BITMAP ")) {
			rest, err := d.bitmap(b)
			if err != nil {
				return nil, err
			}
			b = rest
			continue
		}
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			return nil, fmt.Errorf("command without CR LF: %q", head(b))
		}
		line := string(b[:i])
		b = b[i+2:]
		if strings.ContainsAny(line, "\r\n") {
			return nil, fmt.Errorf("bare CR or LF in %q", line)
		}
		if err := d.command(line); err != nil {
			return nil, fmt.Errorf("%q: %v", line, err)
		}
	}
	return d, nil
}

func (d *decoded) command(line string) error {
	name, args, _ := strings.Cut(line, " ")
	d.commands = append(d.commands, name)
	switch name {
	case "SIZE":
		var ok bool
		var wd, ht string
		wd, ht, ok = strings.Cut(args, ",")
		if !ok || !strings.HasSuffix(wd, " mm") || !strings.HasSuffix(ht, " mm") {
			return fmt.Errorf("want SIZE w mm,h mm")
		}
		d.widthMM, d.heightMM = strings.TrimSuffix(wd, " mm"), strings.TrimSuffix(ht, " mm")
	case "GAP":
		if args != "2 mm,0 mm" {
			return fmt.Errorf("want GAP 2 mm,0 mm")
		}
	case "DIRECTION":
		if args != "1" {
			return fmt.Errorf("want DIRECTION 1")
		}
	case "CLS":
		if args != "" {
			return fmt.Errorf("CLS takes no parameters")
		}
	case "BAR":
		n, err := ints(args, 4)
		if err != nil {
			return err
		}
		for y := n[1]; y < n[1]+n[3]; y++ {
			for x := n[0]; x < n[0]+n[2]; x++ {
				d.img.SetBlack(x, y, true)
			}
		}
	case "TEXT":
		return d.text(args)
	case "PRINT":
		n, err := ints(args, 2)
		if err != nil {
			return err
		}
		if n[0] != 1 || n[1] < 1 {
			return fmt.Errorf("want PRINT 1,copies")
		}
		d.copies = n[1]
	default:
		return fmt.Errorf("unexpected command")
	}
	return nil
}

// bitmap reads a BITMAP command and its binary data from b and returns what
// follows it.
func (d *decoded) bitmap(b []byte) ([]byte, error) {
	// The header is five numbers, each ended by a comma.
	pos := len("BITMAP ")
	var n [5]int
	for k := range n {
		i := bytes.IndexByte(b[pos:], ',')
		if i < 0 {
			return nil, fmt.Errorf("BITMAP header cut short: %q", head(b))
		}
		v, err := strconv.Atoi(string(b[pos : pos+i]))
		if err != nil {
			return nil, fmt.Errorf("BITMAP header: %v", err)
		}
		n[k] = v
		pos += i + 1
	}
	x, y, stride, h, mode := n[0], n[1], n[2], n[3], n[4]
	if stride <= 0 || h <= 0 {
		return nil, fmt.Errorf("BITMAP of %d bytes x %d rows is empty", stride, h)
	}
	size := stride * h
	if len(b) < pos+size+2 || !bytes.Equal(b[pos+size:pos+size+2], []byte("\r\n")) {
		return nil, fmt.Errorf("BITMAP data of %d bytes not followed by CR LF", size)
	}
	data := b[pos : pos+size]
	d.commands = append(d.commands, "BITMAP")
	d.bitmapModes = append(d.bitmapModes, mode)
	for r := range h {
		for c := range stride * 8 {
			// A 0 bit prints; OR mode only adds dots.
			if data[r*stride+c/8]&(0x80>>(c%8)) == 0 {
				d.img.SetBlack(x+c, y+r, true)
			}
		}
	}
	return b[pos+size+2:], nil
}

// text reads TEXT x,y,"0",0,xm,ym,"content": the content must be the rest of
// the line, its only bare '"' the closing one.
func (d *decoded) text(args string) error {
	parts := strings.SplitN(args, ",", 7)
	if len(parts) != 7 || parts[2] != `"0"` || parts[3] != "0" {
		return fmt.Errorf("want TEXT x,y,\"0\",0,xm,ym,\"content\"")
	}
	n, err := ints(strings.Join([]string{parts[0], parts[1], parts[4], parts[5]}, ","), 4)
	if err != nil {
		return err
	}
	if n[2] != n[3] || n[2] < 1 {
		return fmt.Errorf("multiplications %d,%d", n[2], n[3])
	}
	content := parts[6]
	if !strings.HasPrefix(content, `"`) {
		return fmt.Errorf("content is not quoted")
	}
	content = content[1:]
	var b strings.Builder
	for i := 0; i < len(content); i++ {
		c := content[i]
		switch {
		case strings.HasPrefix(content[i:], `\["]`):
			b.WriteByte('"')
			i += 3
		case c == '\\' && i+1 < len(content) && strings.IndexByte(`\["`, content[i+1]) >= 0:
			return fmt.Errorf("backslash before %q at %d could start an escape", content[i+1], i)
		case c == '"':
			if i != len(content)-1 {
				return fmt.Errorf("string ends at %d, before the end of the line", i)
			}
			d.texts = append(d.texts, decodedText{x: n[0], y: n[1], points: n[2], text: b.String()})
			return nil
		case c < 0x20 || c > 0x7E:
			return fmt.Errorf("byte %#02x at %d", c, i)
		default:
			b.WriteByte(c)
		}
	}
	return fmt.Errorf("string not closed")
}

func ints(s string, n int) ([]int, error) {
	args := strings.Split(s, ",")
	if len(args) != n {
		return nil, fmt.Errorf("%d parameters, want %d", len(args), n)
	}
	out := make([]int, n)
	for i, a := range args {
		v, err := strconv.Atoi(a)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func head(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
