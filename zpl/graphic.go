package zpl

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"github.com/labelbridge/labelbridge/label"
)

// graphicData returns the data of a ^GFA field holding m: Z64, or ASCII hex in
// the alternative compression scheme when that is shorter (blank rows and
// short line art often are).
func graphicData(m *label.Mono) string {
	z := z64(m.Pix)
	if a := compressedHex(m); len(a) < len(z) {
		return a
	}
	return z
}

// z64 encodes data as ZPL's Z64: ":Z64:" then the zlib (LZ77) stream of data
// in MIME base64, then ':' and the CRC of the base64 text as four hex digits
// (ZPL II Programming Guide vol. 2, "ZB64 Encoding and Compression": "Compress
// the data using the LZ77 algorithm. Encode the compressed data using the MIME
// Base64 algorithm. Calculate a CRC across the encoded data."). Base64 never
// holds '^' or '~', so the data cannot start a command.
func z64(data []byte) string {
	var zb bytes.Buffer
	zw, _ := zlibWriters.Get().(*zlib.Writer)
	if zw == nil {
		// The default level: on label rasters it is within 1% of the best
		// one's size, and on a full-page raster (a PDF label) 15 times
		// faster for some 15% more bytes.
		zw, _ = zlib.NewWriterLevel(&zb, zlib.DefaultCompression) // the level is valid
	} else {
		zw.Reset(&zb)
	}
	zw.Write(data) // a bytes.Buffer does not fail
	zw.Close()
	zlibWriters.Put(zw)
	enc := base64.StdEncoding.EncodeToString(zb.Bytes())
	return fmt.Sprintf(":Z64:%s:%04X", enc, crc16(enc))
}

// zlibWriters keeps compressors between labels: each holds about a
// megabyte of tables, which a batch of raster labels would otherwise
// allocate and drop once a label. A pool holds no state a caller sees.
var zlibWriters sync.Pool

// crc16 is the CRC Zebra firmware checks on ZB64 data. The guide does not
// name the variant; Zebra's own tools and the printers agree on CRC-16/CCITT
// as XMODEM computes it: polynomial 0x1021, initial value 0, no reflection,
// no final XOR (the check value of "123456789" is 0x31C3).
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

const hexDigits = "0123456789ABCDEF"

// compressedHex writes m as ASCII hex in ZPL's alternative data compression
// scheme (ZPL II Programming Guide, "Alternative Data Compression Scheme for
// ~DG and ~DB Commands"; ^GF takes the same data): G..Y repeat the next hex
// digit 1 to 19 times and g..z 20 to 400 times, the counts adding up; ','
// fills the rest of the row with 0, '!' with F, and ':' repeats the previous
// row. Each row is written on its own so a fill never crosses into the next.
func compressedHex(m *label.Mono) string {
	var b strings.Builder
	row := make([]byte, 2*m.Stride)
	var prev []byte
	for y := range m.H {
		r := m.Pix[y*m.Stride : (y+1)*m.Stride]
		if prev != nil && bytes.Equal(r, prev) {
			b.WriteByte(':')
			continue
		}
		prev = r
		for i, c := range r {
			row[2*i], row[2*i+1] = hexDigits[c>>4], hexDigits[c&0x0F]
		}
		end, fill := len(row), byte(0)
		for _, f := range []struct{ digit, fill byte }{{'0', ','}, {'F', '!'}} {
			n := trailing(row, f.digit)
			if n < 2 {
				continue
			}
			// A fill pads whole bytes, so a run that starts mid-byte keeps
			// its first digit (the guide: "If the HEX string ends in an odd
			// number of zeros, one zero and a single comma is required").
			end, fill = len(row)-n, f.fill
			if end%2 == 1 {
				end++
			}
			break
		}
		writeRuns(&b, row[:end])
		if fill != 0 {
			b.WriteByte(fill)
		}
	}
	return b.String()
}

// trailing counts how many bytes at the end of s equal c.
func trailing(s []byte, c byte) int {
	n := 0
	for n < len(s) && s[len(s)-1-n] == c {
		n++
	}
	return n
}

// writeRuns writes hex digits, replacing each run of three or more equal
// digits by its repeat count and the digit.
func writeRuns(b *strings.Builder, hex []byte) {
	for i := 0; i < len(hex); {
		j := i + 1
		for j < len(hex) && hex[j] == hex[i] {
			j++
		}
		if n := j - i; n >= 3 {
			writeCount(b, n)
			b.WriteByte(hex[i])
		} else {
			b.Write(hex[i:j])
		}
		i = j
	}
}

// writeCount writes n (at least 1) as repeat-count letters: z for each 400,
// then g..y for the twenties, then G..Y for the rest.
func writeCount(b *strings.Builder, n int) {
	for ; n >= 400; n -= 400 {
		b.WriteByte('z')
	}
	if n >= 20 {
		b.WriteByte(byte('g' + n/20 - 1))
		n %= 20
	}
	if n > 0 {
		b.WriteByte(byte('G' + n - 1))
	}
}
