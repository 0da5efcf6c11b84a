package printertest

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/labelbridge/labelbridge"
)

// A stream of documents and status queries splits the same way however it
// is cut into chunks: the sender's writes and the system's reads never
// line up with commands.
func TestScannerChunking(t *testing.T) {
	escposRaster := append([]byte("\x1b@\x1dv0\x00\x02\x00\x02\x00"), 0x10, 0x04, 0x01, 0x1b) // image bytes spell DLE EOT 1 and ESC
	escposRaster = append(escposRaster, 0x1d, 'V', 66, 0)
	tsplBitmap := []byte("SIZE 50 mm,30 mm\r\nCLS\r\nBITMAP 0,0,2,2,1,\x1b!?\r\nPRINT\r\n\r\nPRINT 1,1\r\n")
	tests := []struct {
		lang    labelbridge.Language
		stream  [][]byte // documents and queries, in order
		queries []int    // which parts of stream are queries
		docs    [][]byte // the documents Documents should give
		data    []byte   // what Data should give
	}{
		{
			lang:    labelbridge.ZPL,
			stream:  [][]byte{[]byte("~HS"), []byte("^XA^FO1,1^FD~HS^FS^XZ\n"), []byte("~hs"), []byte("~HI"), []byte("^xa^xz")},
			queries: []int{0, 2, 3},
			docs:    [][]byte{[]byte("^XA^FO1,1^FD~HS^FS^XZ"), []byte("^xa^xz")},
			data:    []byte("^XA^FO1,1^FD~HS^FS^XZ\n^xa^xz"),
		},
		{
			lang:    labelbridge.ESCPOS,
			stream:  [][]byte{escposRaster, {0x10, 0x04, 0x01}, {0x10, 0x04, 0x04}, []byte("\x1b@one\n"), []byte("\x1b@two\n"), {0x1d, '(', 'H', 6, 0, 48, 48, 'A', 'B', 'C', 'D'}, []byte("raw")},
			queries: []int{1, 2, 5},
			docs:    [][]byte{escposRaster, []byte("\x1b@one\n"), []byte("\x1b@two\n"), []byte("raw")},
			data:    slices.Concat(escposRaster, []byte("\x1b@one\n\x1b@two\nraw")),
		},
		{
			lang:    labelbridge.TSPL,
			stream:  [][]byte{{0x1b, '!', '?'}, tsplBitmap, {0x1b, '!', '?'}, []byte("CLS\r\nPRINT 1\r\n")},
			queries: []int{0, 2},
			docs:    [][]byte{[]byte("SIZE 50 mm,30 mm\r\nCLS\r\nBITMAP 0,0,2,2,1,\x1b!?\r\nPRINT\r\n"), []byte("PRINT 1,1\r\n"), []byte("CLS\r\nPRINT 1\r\n")},
			data:    slices.Concat(tsplBitmap, []byte("CLS\r\nPRINT 1\r\n")),
		},
	}
	for _, tt := range tests {
		all := bytes.Join(tt.stream, nil)
		var wantQueries [][]byte
		for _, i := range tt.queries {
			wantQueries = append(wantQueries, tt.stream[i])
		}
		for _, size := range []int{1, 2, 3, 5, 7, 11, len(all)} {
			t.Run(fmt.Sprintf("%s/%d", tt.lang, size), func(t *testing.T) {
				m := newModel()
				m.SetLanguage(tt.lang)
				var sc scanner
				for i := 0; i < len(all); i += size {
					m.feed(&sc, all[i:min(i+size, len(all))], io.Discard)
				}
				if got := m.Data(); !bytes.Equal(got, tt.data) {
					t.Errorf("Data() = %q\nwant %q", got, tt.data)
				}
				if got := m.Queries(); !slices.EqualFunc(got, wantQueries, bytes.Equal) {
					t.Errorf("Queries() = %q, want %q", got, wantQueries)
				}
				var docs [][]byte
				for _, d := range m.Documents() {
					docs = append(docs, d.Data)
				}
				if !slices.EqualFunc(docs, tt.docs, bytes.Equal) {
					t.Errorf("Documents() = %q\nwant %q", docs, tt.docs)
				}
			})
		}
	}
}

// Without a language the printer records bytes and understands none.
func TestScannerNoLanguage(t *testing.T) {
	m := newModel()
	var sc scanner
	var out bytes.Buffer
	sends := m.feed(&sc, []byte("~HS^XA^XZ\x10\x04\x01"), &out)
	if len(sends) != 0 || len(m.Queries()) != 0 || len(m.Documents()) != 0 || string(m.Data()) != "~HS^XA^XZ\x10\x04\x01" {
		t.Errorf("feed without a language: %d answers, queries %q, %d documents, data %q",
			len(sends), m.Queries(), len(m.Documents()), m.Data())
	}
}
