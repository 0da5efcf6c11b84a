package zpl

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/labelbridge/labelbridge/label"
)

// A decoded label is what a small ZPL interpreter made of Encode's output:
// the commands in order, the raster of boxes and graphic fields, and the text
// fields with their ^FH escapes undone. It understands exactly the commands
// Encode writes and fails on anything else, so it doubles as a check that no
// stray command reaches the printer.
type decoded struct {
	commands      []string // command names in order: "XA", "PW", "FO", "A0", ...
	width, height int
	copies        int
	img           *label.Mono
	texts         []decodedText
}

type decodedText struct {
	x, y, h, w int
	text       string
}

// decode interprets one ZPL label format.
func decode(zpl []byte) (*decoded, error) {
	s := string(zpl)
	if strings.ContainsRune(s, '~') {
		return nil, fmt.Errorf("control prefix '~' at byte %d", strings.IndexByte(s, '~'))
	}
	if !strings.HasPrefix(s, "^") {
		return nil, fmt.Errorf("stream does not start with a command: %q", head(s))
	}
	d := &decoded{copies: 1}
	var (
		x, y      int
		fh        bool
		font      *decodedText
		graphic   func() error
		inFormat  bool
		endFormat bool
	)
	for _, raw := range strings.Split(s[1:], "^") {
		if endFormat {
			return nil, fmt.Errorf("command after ^XZ: ^%s", head(raw))
		}
		name, body := commandName(raw)
		d.commands = append(d.commands, name)
		if name != "FD" {
			// ZPL ignores CR and LF between commands; inside field data
			// they would be data, which Encode never writes.
			body = strings.TrimRight(body, "\n")
		}
		if !inFormat && name != "XA" {
			return nil, fmt.Errorf("^%s before ^XA", name)
		}
		args := strings.Split(body, ",")
		switch name {
		case "XA":
			if inFormat {
				return nil, fmt.Errorf("nested ^XA")
			}
			inFormat = true
		case "XZ":
			endFormat = true
		case "PW":
			n, err := ints(args, 1)
			if err != nil {
				return nil, fmt.Errorf("^PW: %v", err)
			}
			d.width = n[0]
		case "LL":
			n, err := ints(args, 1)
			if err != nil {
				return nil, fmt.Errorf("^LL: %v", err)
			}
			d.height = n[0]
			d.img = label.NewMono(d.width, d.height)
		case "LH":
			if body != "0,0" {
				return nil, fmt.Errorf("^LH%s, want ^LH0,0", body)
			}
		case "CI":
			if body != "28" {
				return nil, fmt.Errorf("^CI%s, want ^CI28", body)
			}
		case "PQ":
			n, err := ints(args, 1)
			if err != nil {
				return nil, fmt.Errorf("^PQ: %v", err)
			}
			d.copies = n[0]
		case "FO":
			n, err := ints(args, 2)
			if err != nil {
				return nil, fmt.Errorf("^FO: %v", err)
			}
			x, y = n[0], n[1]
		case "GB":
			n, err := ints(args, 3)
			if err != nil {
				return nil, fmt.Errorf("^GB: %v", err)
			}
			w, h, t := n[0], n[1], n[2]
			fx, fy := x, y
			graphic = func() error {
				for yy := range h {
					for xx := range w {
						if xx < t || xx >= w-t || yy < t || yy >= h-t {
							d.img.SetBlack(fx+xx, fy+yy, true)
						}
					}
				}
				return nil
			}
		case "GF":
			if len(args) < 5 || args[0] != "A" {
				return nil, fmt.Errorf("^GF%s: want ^GFA,b,c,d,data", head(body))
			}
			n, err := ints(args[1:4], 3)
			if err != nil {
				return nil, fmt.Errorf("^GF: %v", err)
			}
			data := strings.Join(args[4:], ",")
			m, err := decodeGraphic(n[0], n[1], n[2], data)
			if err != nil {
				return nil, fmt.Errorf("^GF: %v", err)
			}
			fx, fy := x, y
			graphic = func() error {
				for yy := range m.H {
					for xx := range m.W {
						if m.Black(xx, yy) {
							d.img.SetBlack(fx+xx, fy+yy, true)
						}
					}
				}
				return nil
			}
		case "A0":
			if len(args) != 3 || args[0] != "N" {
				return nil, fmt.Errorf("^A0%s: want ^A0N,h,w", body)
			}
			n, err := ints(args[1:], 2)
			if err != nil {
				return nil, fmt.Errorf("^A0: %v", err)
			}
			font = &decodedText{x: x, y: y, h: n[0], w: n[1]}
		case "FH":
			if body != `\` {
				return nil, fmt.Errorf("^FH%s, want ^FH\\", body)
			}
			fh = true
		case "FD":
			if font == nil || !fh {
				return nil, fmt.Errorf("^FD without ^A0 and ^FH before it")
			}
			text, err := unescapeField(body)
			if err != nil {
				return nil, fmt.Errorf("^FD: %v", err)
			}
			t := *font
			t.text = text
			graphic = func() error {
				d.texts = append(d.texts, t)
				return nil
			}
		case "FS":
			if graphic == nil {
				return nil, fmt.Errorf("^FS closes an empty field")
			}
			if err := graphic(); err != nil {
				return nil, err
			}
			graphic, font, fh = nil, nil, false
		default:
			return nil, fmt.Errorf("unexpected command ^%s", name)
		}
	}
	if !endFormat {
		return nil, fmt.Errorf("no ^XZ")
	}
	return d, nil
}

// commandName splits a command (without its '^') into its name and body.
// Names are two characters, except that ^A's font name follows it directly.
func commandName(raw string) (name, body string) {
	if len(raw) < 2 {
		return raw, ""
	}
	if raw[0] == 'A' && raw[1] == '0' {
		return "A0", raw[2:]
	}
	return raw[:2], raw[2:]
}

func ints(args []string, n int) ([]int, error) {
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

// unescapeField undoes ^FH\ escapes, failing on any byte Encode would have
// escaped.
func unescapeField(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			if !fieldSafe(c) {
				return "", fmt.Errorf("unescaped byte %#02x at %d", c, i)
			}
			b.WriteByte(c)
			continue
		}
		if i+3 > len(s) {
			return "", fmt.Errorf("escape at %d is cut short", i)
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("escape at %d: %v", i, err)
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// decodeGraphic turns ^GF data into an image of total bytes, rowBytes a row.
func decodeGraphic(binCount, total, rowBytes int, data string) (*label.Mono, error) {
	if binCount != total {
		return nil, fmt.Errorf("byte count %d differs from field count %d", binCount, total)
	}
	if rowBytes <= 0 || total <= 0 || total%rowBytes != 0 || total > maxGraphicBytes {
		return nil, fmt.Errorf("counts %d/%d do not make whole rows within 1..%d", total, rowBytes, maxGraphicBytes)
	}
	var pix []byte
	var err error
	if strings.HasPrefix(data, ":Z64:") {
		pix, err = decodeZ64(data)
	} else {
		pix, err = decodeCompressedHex(data, rowBytes, total)
	}
	if err != nil {
		return nil, err
	}
	if len(pix) != total {
		return nil, fmt.Errorf("%d data bytes, want %d", len(pix), total)
	}
	m := &label.Mono{W: rowBytes * 8, H: total / rowBytes, Stride: rowBytes, Pix: pix}
	return m, nil
}

func decodeZ64(data string) ([]byte, error) {
	rest := strings.TrimPrefix(data, ":Z64:")
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return nil, fmt.Errorf("Z64 without CRC")
	}
	enc, sum := rest[:i], rest[i+1:]
	want, err := strconv.ParseUint(sum, 16, 16)
	if err != nil || len(sum) != 4 {
		return nil, fmt.Errorf("Z64 CRC %q is not four hex digits", sum)
	}
	if got := crc16(enc); uint64(got) != want {
		return nil, fmt.Errorf("Z64 CRC %04X, data says %s", got, sum)
	}
	z, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("Z64 base64: %v", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("Z64 zlib: %v", err)
	}
	return io.ReadAll(zr)
}

// decodeCompressedHex expands ASCII hex in the alternative compression scheme.
func decodeCompressedHex(data string, rowBytes, total int) ([]byte, error) {
	var out, row, prev []byte
	nibbles := make([]byte, 0, 2*rowBytes)
	count := 0
	endRow := func() {
		row = make([]byte, rowBytes)
		for i := range row {
			row[i] = nibbles[2*i]<<4 | nibbles[2*i+1]
		}
		out = append(out, row...)
		prev, nibbles = row, nibbles[:0]
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case 'G' <= c && c <= 'Y':
			count += int(c-'G') + 1
		case 'g' <= c && c <= 'z':
			count += 20 * (int(c-'g') + 1)
		case c == ',' || c == '!':
			if count != 0 {
				return nil, fmt.Errorf("repeat count before %q at %d", c, i)
			}
			if len(nibbles)%2 != 0 {
				return nil, fmt.Errorf("fill %q mid-byte at %d", c, i)
			}
			v := byte(0)
			if c == '!' {
				v = 0xF
			}
			for len(nibbles) < 2*rowBytes {
				nibbles = append(nibbles, v)
			}
			endRow()
		case c == ':':
			if count != 0 || len(nibbles) != 0 || prev == nil {
				return nil, fmt.Errorf("':' at %d is not at the start of a row after another", i)
			}
			out = append(out, prev...)
		default:
			v := strings.IndexByte(hexDigits, c)
			if v < 0 {
				return nil, fmt.Errorf("unexpected %q at %d", c, i)
			}
			n := max(count, 1)
			count = 0
			for range n {
				nibbles = append(nibbles, byte(v))
				if len(nibbles) == 2*rowBytes {
					endRow()
				}
			}
		}
		if len(out) > total {
			return nil, fmt.Errorf("data runs past %d bytes", total)
		}
	}
	if count != 0 || len(nibbles) != 0 {
		return nil, fmt.Errorf("data ends mid-row")
	}
	return out, nil
}

func head(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
