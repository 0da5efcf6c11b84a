package thai

import (
	"unicode"
	"unicode/utf8"
)

// class is a rune's line-breaking class, a small subset of UAX #14 that is
// enough for label text: Latin, Vietnamese, Malay and Thai with digits,
// spaces and punctuation.
type class uint8

const (
	clsAL class = iota // letters, digits, symbols: glue to each other
	clsTH              // Thai letters and vowels: the dictionary decides
	clsSP              // spaces: a break may follow
	clsNL              // line separators: a break follows
	clsZW              // zero width space: a break may follow
	clsGL              // no-break space, word joiner, straight quotes: glue both sides
	clsCM              // combining marks and joiners: belong to what precedes
	clsOP              // opening brackets and quotes: no break after
	clsCL              // closing brackets and punctuation: no break before
)

const zwj = '\u200D'

func classOf(r rune) class {
	switch {
	case r >= 0x0E00 && r <= 0x0E7F:
		return thaiClass(r)
	case r == ' ' || r == '\t' || r == 0x1680 || (r >= 0x2000 && r <= 0x200A && r != 0x2007) || r == 0x205F || r == 0x3000:
		return clsSP
	case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
		return clsNL
	case r == 0x200B:
		return clsZW
	case r == 0xA0 || r == 0x2007 || r == 0x2011 || r == 0x202F || r == 0x2060 || r == 0xFEFF || r == '"' || r == '\'':
		return clsGL
	case isCombining(r):
		return clsCM
	case r == '.' || r == ',' || r == ':' || r == ';' || r == '!' || r == '?' || r == '%' || r == 0x2030 || r == 0x3001 || r == 0x3002:
		return clsCL
	case unicode.In(r, unicode.Pe, unicode.Pf):
		return clsCL
	case unicode.In(r, unicode.Ps, unicode.Pi) || r == 0xBF || r == 0xA1:
		return clsOP
	}
	return clsAL
}

func thaiClass(r rune) class {
	switch {
	case isThaiMark(r):
		return clsCM
	case r >= 0x0E50 && r <= 0x0E59, r == 0x0E3F: // Thai digits, baht sign
		return clsAL
	case r == 0x0E4F: // fongman opens a paragraph
		return clsOP
	case r == 0x0E5A || r == 0x0E5B: // angkhankhu, khomut close one
		return clsCL
	case r >= 0x0E01 && r <= 0x0E3A, r >= 0x0E40 && r <= 0x0E4E:
		return clsTH
	}
	return clsAL // unassigned code points in the block
}

// isCombining reports whether r joins the character before it: marks,
// joiners, variation selectors, emoji modifiers and tags. Breaking before
// one would split a grapheme cluster.
func isCombining(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) ||
		r == 0x200C || r == zwj ||
		(r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF) ||
		(r >= 0x1F3FB && r <= 0x1F3FF) || (r >= 0xE0020 && r <= 0xE007F)
}

// isThaiMark reports whether r is a Thai vowel or sign written above or
// below the consonant, or SARA AM, which Unicode makes a spacing mark.
func isThaiMark(r rune) bool {
	return r == 0x0E31 || r == 0x0E33 || (r >= 0x0E34 && r <= 0x0E3A) || (r >= 0x0E47 && r <= 0x0E4E)
}

func isThaiConsonant(r rune) bool { return r >= 0x0E01 && r <= 0x0E2E }

// isLeadingVowel reports whether r is เ แ โ ใ ไ, written before the
// consonant it is pronounced after: it can never end a cluster.
func isLeadingVowel(r rune) bool { return r >= 0x0E40 && r <= 0x0E44 }

// isFollowing reports whether r is written after a syllable and never
// begins one: ะ า ๅ, and the signs ฯ and ๆ.
func isFollowing(r rune) bool {
	return r == 0x0E30 || r == 0x0E32 || r == 0x0E45 || r == 0x0E2F || r == 0x0E46
}

// text is s decoded once: runes, the byte offset of each, and the
// effective class of each, combining marks taking the class of their base.
type text struct {
	runes []rune
	offs  []int
	cls   []class
}

func decode(s string) text {
	n := utf8.RuneCountInString(s)
	t := text{runes: make([]rune, 0, n), offs: make([]int, 0, n), cls: make([]class, 0, n)}
	for off, r := range s {
		c := classOf(r)
		if c == clsCM {
			c = clsAL // a mark at the start or after a space stands alone (UAX #14 LB10)
			if k := len(t.cls); k > 0 {
				switch prev := t.cls[k-1]; prev {
				case clsSP, clsNL, clsZW:
				default:
					c = prev
				}
			}
		}
		t.runes = append(t.runes, r)
		t.offs = append(t.offs, off)
		t.cls = append(t.cls, c)
	}
	return t
}

// Breaks returns the byte offsets in s before which a line may break, in
// increasing order, each strictly between 0 and len(s). Breaks fall after
// spaces and line separators, between Thai words, and where Thai meets
// another script; never inside a Latin word or a number, before closing
// punctuation, after opening punctuation, inside a Thai character cluster
// or before a combining mark. Spaces stay at the end of the line they
// follow. Invalid UTF-8 is treated as one character per bad byte.
func (d *Dict) Breaks(s string) []int {
	t := decode(s)
	n := len(t.runes)
	if n < 2 {
		return nil
	}
	brk := make([]bool, n) // brk[i]: a line may start with rune i
	for i := 1; i < n; i++ {
		p, c := t.cls[i-1], t.cls[i]
		switch {
		case p == clsTH && c == clsTH:
			// decided by the dictionary below
		case p == clsNL:
			brk[i] = t.runes[i-1] != '\r' || t.runes[i] != '\n'
		case c == clsSP || c == clsNL || c == clsZW:
		case p == clsSP || p == clsZW:
			brk[i] = c != clsCL
		case p == clsGL || c == clsGL || p == clsOP || c == clsCL:
		case p == clsTH || c == clsTH:
			brk[i] = true
		}
	}
	for i := 0; i < n; {
		if t.cls[i] != clsTH {
			i++
			continue
		}
		j := i + 1
		for j < n && t.cls[j] == clsTH {
			j++
		}
		d.segmentRun(t.runes[i:j], brk[i:j])
		i = j
	}
	var out []int
	for i := 1; i < n; i++ {
		// Whatever the rules above said, a mark or the character after a
		// joiner belongs to the cluster before it.
		if brk[i] && !isCombining(t.runes[i]) && !isThaiMark(t.runes[i]) && t.runes[i-1] != zwj {
			out = append(out, t.offs[i])
		}
	}
	return out
}

// Segment cuts s at every offset Breaks returns. The pieces concatenate to
// s; spaces stay with the piece they follow.
func (d *Dict) Segment(s string) []string {
	var out []string
	last := 0
	for _, b := range d.Breaks(s) {
		out = append(out, s[last:b])
		last = b
	}
	if last < len(s) {
		out = append(out, s[last:])
	}
	return out
}

// Clusters returns the byte offsets in s where it may be cut when no word
// break is left: between characters, but never inside a Thai character
// cluster (a consonant with its vowels and tone marks, a leading vowel with
// the consonant after it), before a combining mark, after a joiner or
// inside CR LF. Callers that need full Unicode grapheme rules (emoji flags,
// Hangul syllables) intersect the result with UAX #29 boundaries.
func Clusters(s string) []int {
	t := decode(s)
	n := len(t.runes)
	cut := make([]bool, n+1)
	for i := 1; i < n; i++ {
		cut[i] = true
	}
	for i := 0; i < n; {
		if t.cls[i] != clsTH {
			i++
			continue
		}
		j := i + 1
		for j < n && t.cls[j] == clsTH {
			j++
		}
		b := clusterBounds(t.runes[i:j])
		for k := 1; k < j-i; k++ {
			cut[i+k] = b[k]
		}
		i = j
	}
	var out []int
	for i := 1; i < n; i++ {
		r, prev := t.runes[i], t.runes[i-1]
		if cut[i] && !isCombining(r) && !isThaiMark(r) && prev != zwj && (prev != '\r' || r != '\n') {
			out = append(out, t.offs[i])
		}
	}
	return out
}

// clusterBounds marks where Thai character clusters begin in rs: b[k] is
// true when a cluster starts at rune k, and b[0] and b[len(rs)] are true.
// The rules are those a reader would never split: marks and ะ า ำ ๅ ฯ ๆ
// belong to what precedes them; a leading vowel takes the consonant after
// it; a consonant silenced by ์ (with an optional ิ or ุ under it) joins
// the cluster before; a cluster with ั takes its final consonant.
func clusterBounds(rs []rune) []bool {
	n := len(rs)
	b := make([]bool, n+1)
	b[n] = true
	for i := 0; i < n; {
		b[i] = true
		j := i + 1
		if isLeadingVowel(rs[i]) && j < n && isThaiConsonant(rs[j]) {
			j++
		}
		closed := false
		for j < n {
			r := rs[j]
			if isThaiMark(r) || isCombining(r) || isFollowing(r) {
				j++
				continue
			}
			if isThaiConsonant(r) {
				if k := karanEnd(rs, j); k > 0 {
					j = k
					continue
				}
				if !closed && hasMaiHanAkat(rs[i:j]) && !(j+1 < n && isVowelMark(rs[j+1])) {
					j++
					closed = true
					continue
				}
			}
			break
		}
		i = j
	}
	return b
}

// karanEnd returns the end of a consonant at j silenced by ์ (possibly
// with ิ or ุ between), or 0 if the consonant at j is pronounced.
func karanEnd(rs []rune, j int) int {
	k := j + 1
	if k < len(rs) && (rs[k] == 0x0E34 || rs[k] == 0x0E38) {
		k++
	}
	if k < len(rs) && rs[k] == 0x0E4C {
		return k + 1
	}
	return 0
}

func hasMaiHanAkat(rs []rune) bool {
	for _, r := range rs {
		if r == 0x0E31 {
			return true
		}
	}
	return false
}

// isVowelMark reports whether r is a vowel written above or below a
// consonant, which makes that consonant begin a syllable of its own.
func isVowelMark(r rune) bool { return r == 0x0E31 || (r >= 0x0E34 && r <= 0x0E39) }

// cell is one state of the segmentation search: the best way found to
// segment a Thai run up to some position, ending in a dictionary word
// (state 0) or in unknown characters (state 1).
type cell struct {
	ok        bool
	unknown   int32 // runes not covered by a dictionary word
	words     int32 // segments, a run of unknown clusters counting once
	start     int32 // where the last segment starts; earlier is better
	prev      int32 // position before the last step
	prevState uint8
}

func (c cell) better(o cell) bool {
	if !o.ok {
		return true
	}
	if c.unknown != o.unknown {
		return c.unknown < o.unknown
	}
	if c.words != o.words {
		return c.words < o.words
	}
	return c.start < o.start
}

// segmentRun marks in brk the word starts inside the Thai run rs, using
// maximal matching: fewest runes outside dictionary words, then fewest
// words, then the longest last word (backward matching is the better
// tie-break for Thai, where prefixes of compounds are often words too).
// Unknown clusters next to each other form one segment, so a name missing
// from the dictionary is kept whole rather than cut into letters.
func (d *Dict) segmentRun(rs []rune, brk []bool) {
	n := len(rs)
	bound := clusterBounds(rs)
	dp := make([][2]cell, n+1)
	dp[0][0] = cell{ok: true}
	relax := func(j, st int, c cell) {
		if c.better(dp[j][st]) {
			dp[j][st] = c
		}
	}
	for i := 0; i < n; i++ {
		if !bound[i] {
			continue
		}
		next := i + 1
		for !bound[next] {
			next++
		}
		for st := 0; st < 2; st++ {
			cur := dp[i][st]
			if !cur.ok {
				continue
			}
			node := int32(0)
			for k := i; k < n; k++ {
				if node = d.child(node, rs[k]); node < 0 {
					break
				}
				if !d.isWord(node) {
					continue
				}
				// ๆ and ฯ cling to the cluster before them, so a word
				// followed by one ends where they do.
				end := k + 1
				for end < n && !bound[end] && (rs[end] == 0x0E46 || rs[end] == 0x0E2F) {
					end++
				}
				if bound[end] {
					relax(end, 0, cell{ok: true, unknown: cur.unknown, words: cur.words + 1,
						start: int32(i), prev: int32(i), prevState: uint8(st)})
				}
			}
			u := cell{ok: true, unknown: cur.unknown + int32(next-i), words: cur.words + 1,
				start: int32(i), prev: int32(i), prevState: uint8(st)}
			if st == 1 {
				u.words, u.start = cur.words, cur.start
			}
			relax(next, 1, u)
		}
	}
	st := 0
	if dp[n][1].better(dp[n][0]) {
		st = 1
	}
	for pos := n; pos > 0; {
		c := dp[pos][st]
		if !(st == 1 && c.prevState == 1) && c.prev > 0 {
			brk[c.prev] = true
		}
		pos, st = int(c.prev), int(c.prevState)
	}
}
