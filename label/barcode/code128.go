// Package barcode encodes the symbols labelbridge prints — Code 128 for
// tracking numbers and batch ids, QR codes for order ids — as module
// patterns. It draws nothing: layout decides how many dots a module takes,
// so bars stay whole dots and encoders may draw them as native boxes.
package barcode

import (
	"errors"
	"fmt"
)

// MaxCode128Len bounds the characters Code128 accepts. Longer symbols do not
// fit any label labelbridge prints, and the bound keeps encoding cheap.
const MaxCode128Len = 80

// code128Patterns holds the bar and space widths, in modules, of each Code
// 128 symbol value (ISO/IEC 15417, table 1), bar first. Values 103 to 105 are
// the start symbols; 106 is the stop symbol with its final 2-module bar.
var code128Patterns = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

// Code 128 symbol values with a fixed meaning.
const (
	codeC  = 99  // in set B: switch to set C
	codeB  = 100 // in set C: switch to set B
	startB = 104
	startC = 105
	stop   = 106
)

// code set is the Code 128 character set a symbol is read in. Set A (control
// characters) is never needed for printable ASCII.
type codeSet int

const (
	setB codeSet = iota
	setC
)

// Code128 encodes data, printable ASCII (0x20 to 0x7E), as a Code 128 symbol
// and returns its modules from the first bar to the end of the stop pattern,
// true for a bar. Runs of digits go in set C, two digits a symbol, wherever
// that makes the symbol shorter. The quiet zone (at least 10 modules each
// side) is the caller's to leave.
func Code128(data string) ([]bool, error) {
	if data == "" {
		return nil, errors.New("code 128: empty data")
	}
	if len(data) > MaxCode128Len {
		return nil, fmt.Errorf("code 128: %d characters, more than %d", len(data), MaxCode128Len)
	}
	for i := 0; i < len(data); i++ {
		if c := data[i]; c < 0x20 || c > 0x7E {
			return nil, fmt.Errorf("code 128: byte %#02x at offset %d is not printable ASCII", c, i)
		}
	}
	values := code128Values(data)
	sum := values[0]
	for i, v := range values[1:] {
		sum += (i + 1) * v
	}
	values = append(values, sum%103, stop)

	modules := make([]bool, 0, 11*len(values)+2)
	for _, v := range values {
		bar := true
		for _, w := range code128Patterns[v] {
			for range int(w - '0') {
				modules = append(modules, bar)
			}
			bar = !bar
		}
	}
	return modules, nil
}

// code128Values returns the symbol values for data, start symbol first,
// without check symbol and stop. It picks the code set changes that give the
// fewest symbols by dynamic programming over (position, current set).
func code128Values(data string) []int {
	n := len(data)
	isDigit := func(i int) bool { return data[i] >= '0' && data[i] <= '9' }
	pairAt := func(i int) bool { return i+1 < n && isDigit(i) && isDigit(i+1) }

	// cost[i][s] is the fewest symbols that encode data[i:] when the
	// reader is in set s before position i.
	const inf = 1 << 30
	cost := make([][2]int, n+1)
	for i := n - 1; i >= 0; i-- {
		inB := 1 + cost[i+1][setB]
		inC := inf
		if pairAt(i) {
			inC = 1 + cost[i+2][setC]
		}
		// A set change costs one symbol and then encodes in the other set.
		cost[i][setB] = min(inB, 1+inC)
		cost[i][setC] = min(inC, 1+inB)
	}

	set := setB
	values := []int{startB}
	if cost[0][setC] < cost[0][setB] {
		set, values[0] = setC, startC
	}
	for i := 0; i < n; {
		stay := inf
		if set == setB {
			stay = 1 + cost[i+1][setB]
		} else if pairAt(i) {
			stay = 1 + cost[i+2][setC]
		}
		if stay > cost[i][set] {
			if set == setB {
				set = setC
				values = append(values, codeC)
			} else {
				set = setB
				values = append(values, codeB)
			}
		}
		if set == setC {
			values = append(values, int(data[i]-'0')*10+int(data[i+1]-'0'))
			i += 2
		} else {
			values = append(values, int(data[i])-32)
			i++
		}
	}
	return values
}

// Bar is one bar of a linear symbol: modules Start up to End (exclusive).
type Bar struct{ Start, End int }

// Bars returns the bars of modules, left to right: each run of dark
// modules once, so a bar is drawn as one rectangle whatever its width.
func Bars(modules []bool) []Bar {
	var bars []Bar
	for i := 0; i < len(modules); {
		if !modules[i] {
			i++
			continue
		}
		j := i
		for j < len(modules) && modules[j] {
			j++
		}
		bars = append(bars, Bar{i, j})
		i = j
	}
	return bars
}
