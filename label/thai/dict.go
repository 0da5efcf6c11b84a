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
type Dict struct {
	nodes []trieNode
	edges []trieEdge
	words int
}

// trieNode's children are edges[first : first+n], sorted by label.
type trieNode struct {
	first int32
	n     uint8
	word  bool
}

// trieEdge labels are Thai runes less U+0E00: every rune of a Thai word
// lies in U+0E01..U+0E4E, so one byte holds it.
type trieEdge struct {
	label byte
	child int32
}

// Default parses the embedded word lists. It costs a few tens of
// milliseconds, so callers build it once and keep the result.
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
	var words [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		w := strings.TrimSpace(sc.Text())
		if w == "" || w[0] == '#' {
			continue
		}
		key := make([]byte, 0, len(w)/3)
		for i, r := range w {
			if !inWordAlphabet(r) {
				return nil, fmt.Errorf("thai: line %d: %q: character %U at byte %d is not a Thai letter or mark", line, w, r, i)
			}
			key = append(key, byte(r-0x0E00))
		}
		words = append(words, key)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("thai: line %d: %w", line+1, err)
	}
	slices.SortFunc(words, bytes.Compare)
	words = slices.CompactFunc(words, bytes.Equal)
	d := &Dict{words: len(words)}
	d.nodes = make([]trieNode, 0, len(words)*3)
	d.edges = make([]trieEdge, 0, len(words)*3)
	d.build(words, 0)
	return d, nil
}

// inWordAlphabet reports whether r may appear in a dictionary word: Thai
// letters, vowels, tone marks, ฯ and ๆ, but not digits (a number is never
// a Thai word), the baht sign or the Thai punctuation marks.
func inWordAlphabet(r rune) bool {
	return (r >= 0x0E01 && r <= 0x0E3A) || (r >= 0x0E40 && r <= 0x0E4E)
}

// build adds the node for the sorted, distinct keys that share their first
// depth bytes and returns its index. Children's edges are reserved as one
// block before recursing so that a node's edges stay contiguous.
func (d *Dict) build(keys [][]byte, depth int) int32 {
	id := int32(len(d.nodes))
	d.nodes = append(d.nodes, trieNode{})
	if len(keys) > 0 && len(keys[0]) == depth {
		d.nodes[id].word = true
		keys = keys[1:]
	}
	var groups [][][]byte
	for len(keys) > 0 {
		label := keys[0][depth]
		n := 1
		for n < len(keys) && keys[n][depth] == label {
			n++
		}
		groups = append(groups, keys[:n])
		keys = keys[n:]
	}
	first := int32(len(d.edges))
	d.nodes[id].first = first
	d.nodes[id].n = uint8(len(groups)) // at most 0x4E distinct labels
	for _, g := range groups {
		d.edges = append(d.edges, trieEdge{label: g[0][depth]})
	}
	for i, g := range groups {
		child := d.build(g, depth+1)
		d.edges[first+int32(i)].child = child
	}
	return id
}

// child returns the node reached from node n by rune r, or -1.
func (d *Dict) child(n int32, r rune) int32 {
	if !inWordAlphabet(r) {
		return -1
	}
	label := byte(r - 0x0E00)
	nd := d.nodes[n]
	es := d.edges[nd.first : nd.first+int32(nd.n)]
	lo, hi := 0, len(es)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if es[m].label < label {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(es) && es[lo].label == label {
		return es[lo].child
	}
	return -1
}

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
	return d.nodes[n].word
}

// Len returns the number of distinct words in the dictionary.
func (d *Dict) Len() int { return d.words }
