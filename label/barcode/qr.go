package barcode

import (
	"errors"
	"fmt"
	"image/color"
	"strings"
	"unicode/utf8"

	"github.com/boombuler/barcode/qr"
)

// Level is a QR code's error correction level: how much of the symbol may be
// lost (scuffed, overprinted) and still read.
type Level int

// QR error correction levels, from about 7 % to about 30 % of the symbol.
const (
	LevelL Level = iota
	LevelM
	LevelQ
	LevelH
)

func (l Level) String() string {
	switch l {
	case LevelL:
		return "L"
	case LevelM:
		return "M"
	case LevelQ:
		return "Q"
	case LevelH:
		return "H"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// Matrix is a square QR symbol, Size modules a side, without quiet zone.
type Matrix struct {
	Size int
	dark []bool
}

// Dark reports whether the module at column x, row y is dark. Modules
// outside the symbol are light, as the quiet zone is.
func (m *Matrix) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= m.Size || y >= m.Size {
		return false
	}
	return m.dark[y*m.Size+x]
}

// MaxQRLen bounds the bytes QR accepts: a label's QR code holds an id, and
// a smaller symbol reads faster on a scuffed box.
const MaxQRLen = 256

// QR encodes data (UTF-8 text) as the smallest QR symbol at error
// correction level level, in numeric, alphanumeric or byte mode, whichever
// the whole of data allows most compactly. The 4-module quiet zone is the
// caller's to leave.
func QR(data string, level Level) (*Matrix, error) {
	if data == "" {
		return nil, errors.New("qr: empty data")
	}
	if len(data) > MaxQRLen {
		return nil, fmt.Errorf("qr: %d bytes, more than %d", len(data), MaxQRLen)
	}
	if !utf8.ValidString(data) {
		return nil, errors.New("qr: data is not valid UTF-8")
	}
	var ecl qr.ErrorCorrectionLevel
	switch level {
	case LevelL:
		ecl = qr.L
	case LevelM:
		ecl = qr.M
	case LevelQ:
		ecl = qr.Q
	case LevelH:
		ecl = qr.H
	default:
		return nil, fmt.Errorf("qr: unknown error correction level %v", level)
	}
	code, err := qr.Encode(data, ecl, qrMode(data))
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	b := code.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 21 {
		return nil, fmt.Errorf("qr: encoder returned a %dx%d symbol", b.Dx(), b.Dy())
	}
	m := &Matrix{Size: b.Dx(), dark: make([]bool, b.Dx()*b.Dy())}
	for y := range m.Size {
		for x := range m.Size {
			g := color.GrayModel.Convert(code.At(b.Min.X+x, b.Min.Y+y)).(color.Gray)
			m.dark[y*m.Size+x] = g.Y < 128
		}
	}
	return m, nil
}

// qrMode picks the most compact mode that holds all of data. It is decided
// here rather than by the encoder's automatic choice, which takes any
// string strconv.Atoi accepts, such as "+12", as numeric and loses the sign.
func qrMode(data string) qr.Encoding {
	numeric, alnum := true, true
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c < '0' || c > '9' {
			numeric = false
			if !strings.ContainsRune(qrAlphanumeric, rune(c)) {
				alnum = false
			}
		}
	}
	switch {
	case numeric:
		return qr.Numeric
	case alnum:
		return qr.AlphaNumeric
	}
	return qr.Unicode
}

// qrAlphanumeric is the QR alphanumeric mode's character set besides digits.
const qrAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
