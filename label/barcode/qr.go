package barcode

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
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
// the whole of data allows most compactly; byte mode carries an ECI that
// says UTF-8. The 4-module quiet zone is the caller's to leave.
//
// The symbol comes from gozxing, a port of ZXing's encoder, which scores
// all eight masks as ISO/IEC 18004 says. (boombuler/barcode's encoder
// picks masks that leave finder-like patterns, and ZXing-based readers
// then fail to find some symbols, order id 576638327381857515 among them.)
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
	var ecl decoder.ErrorCorrectionLevel
	switch level {
	case LevelL:
		ecl = decoder.ErrorCorrectionLevel_L
	case LevelM:
		ecl = decoder.ErrorCorrectionLevel_M
	case LevelQ:
		ecl = decoder.ErrorCorrectionLevel_Q
	case LevelH:
		ecl = decoder.ErrorCorrectionLevel_H
	default:
		return nil, fmt.Errorf("qr: unknown error correction level %v", level)
	}
	hints := map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_CHARACTER_SET: "UTF-8"}
	code, err := encoder.Encoder_encode(data, ecl, hints)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	bm := code.GetMatrix()
	n := bm.GetWidth()
	if n != bm.GetHeight() || n < 21 {
		return nil, fmt.Errorf("qr: encoder returned a %dx%d symbol", bm.GetWidth(), bm.GetHeight())
	}
	m := &Matrix{Size: n, dark: make([]bool, n*n)}
	for y := range n {
		for x := range n {
			m.dark[y*n+x] = bm.Get(x, y) == 1
		}
	}
	return m, nil
}
