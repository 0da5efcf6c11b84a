// Package thai finds the places where a line of Thai text may break.
//
// Thai is written without spaces between words, so a line breaker needs a
// dictionary: Dict holds a word list in a trie and Breaks runs maximal
// matching over it (fewest unknown characters, then fewest words), never
// breaking inside a Thai character cluster. Text in other scripts breaks at
// spaces only, and a change between Thai and another script is a break
// opportunity too, so mixed lines such as "ทุเรียนทอดกรอบ 100g" wrap well.
//
// The embedded word list is ICU's Thai break dictionary (Unicode licence; see
// data/README.md for where it comes from and data/LICENSE-ICU.txt).
package thai

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// embeddedWords is ICU's Thai dictionary; embeddedExtra holds the label
// vocabulary it lacks (data/README.md).
var (
	//go:embed data/thaidict.txt.gz
	embeddedWords []byte
	//go:embed data/extra.txt
	embeddedExtra string
)

// Dict is a Thai word list loaded into a trie. A Dict is read-only once
// built, so one value may be shared by any number of goroutines.
//
// The trie takes five bytes a node, some 360 KB for the embedded list: the
// children of a node are consecutive nodes, so a node needs only where its
// children start, how many there are and whether a word ends there, and
// the label of the edge into it.
type Dict struct {
	node  []uint32 // first child << 8 | children << 1 | 1 if a word ends here
	label []byte   // label[i]: the edge into node i, a Thai rune less U+0E00
	words int
}

// maxNodes bounds the trie: node packs the first child's index in 24 bits.
const maxNodes = 1 << 24

// Default parses the embedded word lists. It costs some ten milliseconds,
// so callers build it once and keep the result.
func Default() (*Dict, error) {
	zr, err := gzip.NewReader(bytes.NewReader(embeddedWords))
	if err != nil {
		return nil, fmt.Errorf("thai: embedded word list: %w", err)
	}
	d, err := Parse(io.MultiReader(zr, strings.NewReader("\n"+embeddedExtra)))
	if err != nil {
		return nil, fmt.Errorf("thai: embedded word list: %w", err)
	}
	return d, nil
}

// Parse reads a word list, one word a line, UTF-8. Blank lines and lines
// starting with '#' are skipped; surrounding white space is ignored. A word
// holding anything but Thai letters, vowels and marks (U+0E01..U+0E3A,
// U+0E40..U+0E4E) is an error naming the line, since a list that silently
// drops entries would segment worse without anyone noticing.
func Parse(r io.Reader) (*Dict, error) {
	// Keys go into one buffer, a byte a rune, and are cut out of it once
	// it has stopped growing: one allocation, not one a word.
	var buf []byte
	var ends []int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		w := bytes.TrimSpace(sc.Bytes())
		if len(w) == 0 || w[0] == '#' {
			continue
		}
		for i, r := range string(w) {
			if !inWordAlphabet(r) {
				return nil, fmt.Errorf("thai: line %d: %q: character %U at byte %d is not a Thai letter or mark", line, w, r, i)
			}
			buf = append(buf, byte(r-0x0E00))
		}
		ends = append(ends, len(buf))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("thai: line %d: %w", line+1, err)
	}
	words := make([][]byte, len(ends))
	start := 0
	for i, end := range ends {
		words[i] = buf[start:end:end]
		start = end
	}
	slices.SortFunc(words, bytes.Compare)
	words = slices.CompactFunc(words, bytes.Equal)
	// Each word adds a node for every byte past the prefix it shares with
	// the word before it in sorted order.
	nodes := 1
	var prev []byte
	for _, w := range words {
		nodes += len(w) - commonPrefix(prev, w)
		prev = w
	}
	if nodes > maxNodes {
		return nil, fmt.Errorf("thai: %d words make %d trie nodes, more than the %d a Dict holds", len(words), nodes, maxNodes)
	}
	d := &Dict{words: len(words), node: make([]uint32, 1, nodes), label: make([]byte, 1, nodes)}
	d.build(words, 0, 0)
	return d, nil
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// inWordAlphabet reports whether r may appear in a dictionary word: Thai
// letters, vowels, tone marks, ฯ and ๆ, but not digits (a number is never
// a Thai word), the baht sign or the Thai punctuation marks.
func inWordAlphabet(r rune) bool {
	return (r >= 0x0E01 && r <= 0x0E3A) || (r >= 0x0E40 && r <= 0x0E4E)
}

// build fills in node id for the sorted, distinct keys that share their
// first depth bytes. Its children are appended as one block before any of
// them is built, which keeps them consecutive.
func (d *Dict) build(keys [][]byte, depth int, id int32) {
	var v uint32
	if len(keys) > 0 && len(keys[0]) == depth {
		v = 1
		keys = keys[1:]
	}
	first := int32(len(d.node))
	for i := 0; i < len(keys); {
		label := keys[i][depth]
		for i < len(keys) && keys[i][depth] == label {
			i++
		}
		d.node = append(d.node, 0)
		d.label = append(d.label, label)
	}
	n := int32(len(d.node)) - first // at most 0x4E distinct labels
	d.node[id] = uint32(first)<<8 | uint32(n)<<1 | v
	child := first
	for i := 0; i < len(keys); child++ {
		j := i + 1
		for j < len(keys) && keys[j][depth] == keys[i][depth] {
			j++
		}
		d.build(keys[i:j], depth+1, child)
		i = j
	}
}

// child returns the node reached from node n by rune r, or -1.
func (d *Dict) child(n int32, r rune) int32 {
	if !inWordAlphabet(r) {
		return -1
	}
	label := byte(r - 0x0E00)
	v := d.node[n]
	first := int32(v >> 8)
	ls := d.label[first : first+int32(v>>1&0x7F)]
	lo, hi := 0, len(ls)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ls[m] < label {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ls) && ls[lo] == label {
		return first + int32(lo)
	}
	return -1
}

// isWord reports whether a dictionary word ends at node n.
func (d *Dict) isWord(n int32) bool { return d.node[n]&1 != 0 }

// Contains reports whether word is in the dictionary.
func (d *Dict) Contains(word string) bool {
	if word == "" || !utf8.ValidString(word) {
		return false
	}
	n := int32(0)
	for _, r := range word {
		if n = d.child(n, r); n < 0 {
			return false
		}
	}
	return d.isWord(n)
}

// Len returns the number of distinct words in the dictionary.
func (d *Dict) Len() int { return d.words }
