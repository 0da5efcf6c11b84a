//go:build ignore

// Gendict prints the words of ICU's compiled Thai break dictionary, one a
// line, sorted. It reads the dictionary straight out of Debian's
// libicudata shared library, so the word list can be rebuilt from a Debian
// package with no ICU source tree:
//
//	go run gendict.go /usr/lib/x86_64-linux-gnu/libicudata.so.72 | gzip -9n > thaidict.txt.gz
//
// Words that cannot end a Thai cluster (a handful in ICU's list end with a
// leading vowel such as เ) and words with characters outside the Thai block
// are dropped, and printed to stderr.
package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run gendict.go LIBICUDATA.so")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendict:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	common, err := commonData(path)
	if err != nil {
		return err
	}
	dict, err := item(common, "/brkitr/thaidict.dict")
	if err != nil {
		return err
	}
	words, err := dictWords(dict)
	if err != nil {
		return err
	}
	var out strings.Builder
	for _, w := range words {
		if !plausible(w) {
			fmt.Fprintf(os.Stderr, "dropped %q\n", w)
			continue
		}
		out.WriteString(w)
		out.WriteByte('\n')
	}
	_, err = os.Stdout.WriteString(out.String())
	return err
}

// commonData returns the bytes of the icudtNN_dat symbol: ICU's whole data
// package, as genccode compiled it into the shared library.
func commonData(path string) ([]byte, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.DynamicSymbols()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range syms {
		if !strings.HasPrefix(s.Name, "icudt") || !strings.HasSuffix(s.Name, "_dat") {
			continue
		}
		sec := f.Sections[s.Section]
		data, err := sec.Data()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		start := s.Value - sec.Addr
		return data[start : start+s.Size], nil
	}
	return nil, fmt.Errorf("%s: no icudt*_dat symbol", path)
}

// item finds a file in an ICU common data package by the end of its name.
// The package is a data header followed by a table of contents whose
// offsets count from the table itself.
func item(common []byte, suffix string) ([]byte, error) {
	le := binary.LittleEndian
	toc := common[le.Uint16(common):]
	n := int(le.Uint32(toc))
	for i := 0; i < n; i++ {
		nameOff := le.Uint32(toc[4+8*i:])
		dataOff := le.Uint32(toc[8+8*i:])
		name := toc[nameOff:]
		name = name[:bytes.IndexByte(name, 0)]
		if strings.HasSuffix(string(name), suffix) {
			end := len(toc)
			if i+1 < n {
				end = int(le.Uint32(toc[8+8*(i+1):]))
			}
			return toc[dataOff:end], nil
		}
	}
	return nil, fmt.Errorf("no %s in the data package", suffix)
}

// dictWords decodes an ICU dictionary file (dictionarydata.h): a data
// header, eight int32 indexes, then a BytesTrie whose bytes are code points
// less an offset.
func dictWords(file []byte) ([]string, error) {
	le := binary.LittleEndian
	data := file[le.Uint16(file):]
	idx := func(i int) int { return int(int32(le.Uint32(data[4*i:]))) }
	trieOff, total, trieType, transform := idx(0), idx(3), idx(4), idx(5)
	if trieType&7 != 0 {
		return nil, fmt.Errorf("trie type %d is not a BytesTrie", trieType)
	}
	if transform>>24 != 1 {
		return nil, fmt.Errorf("transform %#x is not an offset", transform)
	}
	w := walker{d: data[trieOff:total]}
	w.node(0, nil)
	offset := rune(transform & 0x1fffff)
	words := make([]string, 0, len(w.words))
	for _, k := range w.words {
		var sb strings.Builder
		for _, b := range k {
			switch b {
			case 0xFF:
				sb.WriteRune(0x200D)
			case 0xFE:
				sb.WriteRune(0x200C)
			default:
				sb.WriteRune(rune(b) + offset)
			}
		}
		words = append(words, sb.String())
	}
	slices.Sort(words)
	return slices.Compact(words), nil
}

// walker enumerates a BytesTrie (ICU bytestrie.h): value nodes, linear
// matches, and branches that split into binary-search subtrees.
type walker struct {
	d     []byte
	words [][]byte
}

func (w *walker) node(pos int, prefix []byte) {
	d := w.d
	for {
		n := int(d[pos])
		pos++
		switch {
		case n >= 0x20: // value node; the low bit says it is the last node
			w.words = append(w.words, slices.Clone(prefix))
			if n&1 != 0 {
				return
			}
			pos = w.skipValue(pos, n)
		case n >= 0x10: // linear match of n-0x10+1 bytes
			l := n - 0x10 + 1
			prefix = append(slices.Clone(prefix), d[pos:pos+l]...)
			pos += l
		default: // branch of n+1 bytes, n read from the next byte when 0
			if n == 0 {
				n = int(d[pos])
				pos++
			}
			w.branch(pos, n+1, prefix)
			return
		}
	}
}

func (w *walker) branch(pos, length int, prefix []byte) {
	d := w.d
	for length > 5 { // binary split: the lower half is behind a jump
		pos++
		w.branch(w.jump(pos), length>>1, prefix)
		length -= length >> 1
		pos = w.skipDelta(pos)
	}
	for ; length > 1; length-- {
		key := d[pos]
		v := int(d[pos+1])
		next := append(slices.Clone(prefix), key)
		if v&1 != 0 {
			w.words = append(w.words, next)
		} else {
			delta, after := w.readValue(pos+2, v>>1)
			w.node(after+delta, next)
		}
		pos = w.skipValue(pos+2, v)
	}
	w.node(pos+1, append(slices.Clone(prefix), d[pos]))
}

func (w *walker) readValue(pos, lead int) (int, int) {
	d := w.d
	switch {
	case lead < 0x51:
		return lead - 0x10, pos
	case lead < 0x6c:
		return (lead-0x51)<<8 | int(d[pos]), pos + 1
	case lead < 0x7e:
		return (lead-0x6c)<<16 | int(d[pos])<<8 | int(d[pos+1]), pos + 2
	case lead == 0x7e:
		return int(d[pos])<<16 | int(d[pos+1])<<8 | int(d[pos+2]), pos + 3
	}
	return int(d[pos])<<24 | int(d[pos+1])<<16 | int(d[pos+2])<<8 | int(d[pos+3]), pos + 4
}

func (w *walker) skipValue(pos, lead int) int {
	switch {
	case lead < 0xa2:
	case lead < 0xd8:
		pos++
	case lead < 0xfc:
		pos += 2
	default:
		pos += 3 + (lead>>1)&1
	}
	return pos
}

func (w *walker) jump(pos int) int {
	d := w.d
	delta := int(d[pos])
	pos++
	switch {
	case delta < 0xc0:
	case delta < 0xf0:
		delta = (delta-0xc0)<<8 | int(d[pos])
		pos++
	case delta < 0xfe:
		delta = (delta-0xf0)<<16 | int(d[pos])<<8 | int(d[pos+1])
		pos += 2
	case delta == 0xfe:
		delta = int(d[pos])<<16 | int(d[pos+1])<<8 | int(d[pos+2])
		pos += 3
	default:
		delta = int(d[pos])<<24 | int(d[pos+1])<<16 | int(d[pos+2])<<8 | int(d[pos+3])
		pos += 4
	}
	return pos + delta
}

func (w *walker) skipDelta(pos int) int {
	delta := int(w.d[pos])
	pos++
	switch {
	case delta < 0xc0:
	case delta < 0xf0:
		pos++
	case delta < 0xfe:
		pos += 2
	default:
		pos += 3 + delta&1
	}
	return pos
}

// plausible reports whether w can be a dictionary word for package thai:
// Thai letters and marks only, not starting with a mark or a following
// vowel (ฯ may: ฯลฯ), not ending with a leading vowel.
func plausible(w string) bool {
	rs := []rune(w)
	for _, r := range rs {
		if !(r >= 0x0E01 && r <= 0x0E3A) && !(r >= 0x0E40 && r <= 0x0E4E) {
			return false
		}
	}
	first, last := rs[0], rs[len(rs)-1]
	startsBad := first == 0x0E31 || (first >= 0x0E33 && first <= 0x0E3A) || (first >= 0x0E47 && first <= 0x0E4E) ||
		first == 0x0E30 || first == 0x0E32 || first == 0x0E45 || first == 0x0E46
	return !startsBad && !(last >= 0x0E40 && last <= 0x0E44)
}
