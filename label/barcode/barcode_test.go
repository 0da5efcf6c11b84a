package barcode

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// readSeeds returns the lines of a testdata file, one test string a line.
func readSeeds(tb testing.TB, name string) []string {
	tb.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var seeds []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		seeds = append(seeds, sc.Text())
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return seeds
}

// drawBars draws modules at w dots a module with a 10-module quiet zone
// each side, 40 dots tall, as a printer would.
func drawBars(modules []bool, w int) *image.Gray {
	const quiet, h = 10, 40
	img := image.NewGray(image.Rect(0, 0, (len(modules)+2*quiet)*w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for i, bar := range modules {
		if !bar {
			continue
		}
		for x := (quiet + i) * w; x < (quiet+i+1)*w; x++ {
			for y := range h {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	return img
}

func decodeCode128(tb testing.TB, img image.Image) (string, error) {
	tb.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := oned.NewCode128Reader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

func TestCode128Patterns(t *testing.T) {
	seen := map[string]int{}
	for v, p := range code128Patterns {
		want := 11
		if v == stop {
			want = 13
		}
		sum := 0
		for _, c := range p {
			sum += int(c - '0')
		}
		if sum != want {
			t.Errorf("pattern %d %q: %d modules, want %d", v, p, sum, want)
		}
		if prev, ok := seen[p]; ok {
			t.Errorf("pattern %d %q repeats pattern %d", v, p, prev)
		}
		seen[p] = v
	}
}

func TestCode128Decodes(t *testing.T) {
	for _, data := range readSeeds(t, "code128-seeds.txt") {
		for _, w := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/%ddots", data, w), func(t *testing.T) {
				modules, err := Code128(data)
				if err != nil {
					t.Fatalf("Code128(%q): %v", data, err)
				}
				got, err := decodeCode128(t, drawBars(modules, w))
				if err != nil {
					t.Fatalf("decode at %d dots a module: %v", w, err)
				}
				if got != data {
					t.Errorf("decoded %q, want %q", got, data)
				}
			})
		}
	}
}

func TestCode128Length(t *testing.T) {
	// Symbols counted: start, data and code changes, check, stop.
	tests := []struct {
		data    string
		symbols int
	}{
		{"A", 4},                // B: start A check stop
		{"12", 4},               // C: start 12 check stop
		{"123", 6},              // C 12, Code B, 3 — or B 1 2 3: both 6
		{"1234", 5},             // C 12 34
		{"A12", 6},              // B A 1 2: a pair alone never pays off
		{"A1234", 7},            // B A 1 2 3 4 = 7, B A CodeC 12 34 = 7
		{"A123456", 8},          // B A CodeC 12 34 56
		{"123456A", 8},          // C 12 34 56 CodeB A
		{"GHN2606193617VN", 15}, // B G H N CodeC 26 06 19 36 17 CodeB V N
		{"576682230865707864", 12},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			modules, err := Code128(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if want := 11*tt.symbols + 2; len(modules) != want {
				t.Errorf("%d modules (%d symbols), want %d (%d symbols)", len(modules), (len(modules)-2)/11, want, tt.symbols)
			}
		})
	}
}

// fewestSymbols finds the shortest encoding of data[i:] in set s by trying
// every choice, the slow way, to check the dynamic programme against.
func fewestSymbols(data string, i int, s codeSet, switched bool) int {
	if i == len(data) {
		return 0
	}
	best := 1 << 30
	if s == setB {
		best = 1 + fewestSymbols(data, i+1, setB, false)
	} else if i+1 < len(data) && isDigits(data[i:i+2]) {
		best = 1 + fewestSymbols(data, i+2, setC, false)
	}
	if !switched { // two changes in a row never help
		best = min(best, 1+fewestSymbols(data, i, 1-s, true))
	}
	return best
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func TestCode128Shortest(t *testing.T) {
	var all []string
	var gen func(prefix string)
	gen = func(prefix string) {
		if prefix != "" {
			all = append(all, prefix)
		}
		if len(prefix) == 8 {
			return
		}
		for _, c := range "01A" {
			gen(prefix + string(c))
		}
	}
	gen("")
	for _, data := range all {
		want := 2 + min(fewestSymbols(data, 0, setB, true), fewestSymbols(data, 0, setC, true))
		modules, err := Code128(data)
		if err != nil {
			t.Fatalf("Code128(%q): %v", data, err)
		}
		if got := (len(modules) - 13) / 11; got != want {
			t.Errorf("Code128(%q): %d symbols before stop, want %d", data, got, want)
		}
	}
}

func TestCode128Errors(t *testing.T) {
	tests := []struct {
		name, data string
	}{
		{"Empty", ""},
		{"Newline", "AB\nCD"},
		{"Tab", "AB\tCD"},
		{"Delete", "AB\x7f"},
		{"NonASCII", "ABCé"},
		{"Thai", "ไทย"},
		{"TooLong", strings.Repeat("A", MaxCode128Len+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Code128(tt.data); err == nil {
				t.Errorf("Code128(%q) = %d modules, want an error", tt.data, len(got))
			}
		})
	}
}

func FuzzCode128(f *testing.F) {
	for _, s := range readSeeds(f, "code128-seeds.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		modules, err := Code128(data)
		printable := data != "" && len(data) <= MaxCode128Len && strings.IndexFunc(data, func(r rune) bool { return r < 0x20 || r > 0x7E }) < 0
		if !printable {
			if err == nil {
				t.Fatalf("Code128(%q) accepted data that is not 1 to %d printable ASCII characters", data, MaxCode128Len)
			}
			return
		}
		if err != nil {
			t.Fatalf("Code128(%q): %v", data, err)
		}
		if (len(modules)-2)%11 != 0 || !modules[0] || !modules[len(modules)-1] {
			t.Fatalf("Code128(%q): %d modules, not whole symbols from bar to bar", data, len(modules))
		}
		got, err := decodeCode128(t, drawBars(modules, 2))
		if err != nil {
			t.Fatalf("Code128(%q) does not decode: %v", data, err)
		}
		if got != data {
			t.Fatalf("Code128(%q) decodes as %q", data, got)
		}
	})
}

// drawQR draws m at scale dots a module with the 4-module quiet zone.
func drawQR(m *Matrix, scale int) *image.Gray {
	const quiet = 4
	side := (m.Size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			c := color.Gray{Y: 255}
			if m.Dark(x/scale-quiet, y/scale-quiet) {
				c = color.Gray{}
			}
			img.SetGray(x, y, c)
		}
	}
	return img
}

func TestQRDecodes(t *testing.T) {
	tests := []struct {
		name, data string
	}{
		{"Numeric", "576682230865707864"},
		{"FinderLikeMask", "576638327381857515"}, // lost by readers when masked badly
		{"Alphanumeric", "ORDER-42 $%*+./:"},
		{"Bytes", "order#42/lower-case?x=1"},
		{"UTF8", "ร้านน้ำใจ ช็อป"},
		{"Vietnamese", "Nguyễn Văn Đức"},
		{"Long", strings.Repeat("0123456789", 20)},
	}
	for _, tt := range tests {
		for _, level := range []Level{LevelL, LevelM, LevelQ, LevelH} {
			t.Run(tt.name+"/"+level.String(), func(t *testing.T) {
				m, err := QR(tt.data, level)
				if err != nil {
					t.Fatalf("QR(%q, %v): %v", tt.data, level, err)
				}
				if m.Size < 21 || (m.Size-17)%4 != 0 {
					t.Fatalf("symbol is %d modules a side, not a QR version's size", m.Size)
				}
				bmp, err := gozxing.NewBinaryBitmapFromImage(drawQR(m, 3))
				if err != nil {
					t.Fatal(err)
				}
				res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"})
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if got := res.GetText(); got != tt.data {
					t.Errorf("decoded %q, want %q", got, tt.data)
				}
			})
		}
	}
}

func TestQRErrors(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		level Level
	}{
		{"Empty", "", LevelM},
		{"TooLong", strings.Repeat("x", MaxQRLen+1), LevelM},
		{"BadUTF8", "ab\xffcd", LevelM},
		{"BadLevel", "123", Level(9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := QR(tt.data, tt.level); err == nil {
				t.Errorf("QR(%q, %v) = nil error, want one", tt.data, tt.level)
			}
		})
	}
}

// FuzzQR checks that every symbol QR returns holds exactly its data. It reads
// the module matrix directly, not a drawing, so that it tests the encoding
// and not the reader's locator heuristics, which TestQRDecodes covers.
func FuzzQR(f *testing.F) {
	for _, s := range readSeeds(f, "code128-seeds.txt") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		m, err := QR(data, LevelM)
		if err != nil {
			if data != "" && len(data) <= MaxQRLen && utf8.ValidString(data) {
				t.Fatalf("QR(%q): %v", data, err)
			}
			return
		}
		bits, err := gozxing.NewSquareBitMatrix(m.Size)
		if err != nil {
			t.Fatal(err)
		}
		for y := range m.Size {
			for x := range m.Size {
				if m.Dark(x, y) {
					bits.Set(x, y)
				}
			}
		}
		res, err := decoder.NewDecoder().Decode(bits, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_CHARACTER_SET: "UTF-8"})
		if err != nil {
			t.Fatalf("QR(%q) does not decode: %v", data, err)
		}
		if got := res.GetText(); got != data {
			t.Fatalf("QR(%q) decodes as %q", data, got)
		}
	})
}

func TestBars(t *testing.T) {
	cases := []struct {
		name    string
		modules string // '1' a bar module
		want    []Bar
	}{
		{"Empty", "", nil},
		{"AllSpace", "000", nil},
		{"Edges", "1101", []Bar{{0, 2}, {3, 4}}},
		{"Inner", "0111001", []Bar{{1, 4}, {6, 7}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := make([]bool, len(tc.modules))
			for i, c := range tc.modules {
				m[i] = c == '1'
			}
			if got := Bars(m); !slices.Equal(got, tc.want) {
				t.Errorf("Bars(%s) = %v, want %v", tc.modules, got, tc.want)
			}
		})
	}
}
