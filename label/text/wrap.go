package text

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-text/typesetting/segmenter"
	"golang.org/x/image/math/fixed"

	"github.com/labelbridge/labelbridge/label/thai"
)

// Wrap breaks s into lines no wider than maxWidth dots, filling each line
// as far as it goes. Lines break at line separators in s (LF, CR LF, CR,
// U+2028, U+2029, VT, FF, NEL), after spaces, between Thai words and where
// Thai meets another script; never inside a Latin word or a number. A word
// wider than a whole line is cut between characters (never inside a Thai
// cluster or a grapheme); only a single character wider than maxWidth
// makes a line that does not fit. Spaces at the start and end of a line
// are dropped. An empty s gives no lines; an empty or blank paragraph an
// empty line.
func (r *Renderer) Wrap(s string, st Style, maxWidth int) []string {
	if s == "" {
		return nil
	}
	var lines []string
	for _, p := range paragraphs(s) {
		lines = r.wrapParagraph(lines, p, st, maxWidth)
	}
	return lines
}

// breaks returns the offsets in p where a line may break, and len(p), from
// the cache or found now: they do not depend on the size, and layout wraps
// a paragraph at several sizes. The slice is shared and must not be
// modified; it is full to capacity, so appending copies it.
func (r *Renderer) breaks(p string) []int {
	if b, ok := r.paraBreaks.get(p); ok {
		return b
	}
	b := slices.Clip(append(r.thaiDict().Breaks(p), len(p)))
	r.paraBreaks.put(p, b, len(b))
	return b
}

// paragraphs splits s at line separators, CR LF counting as one.
func paragraphs(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		switch c {
		case '\n', '\v', '\f', 0x85, 0x2028, 0x2029:
		case '\r':
			if strings.HasPrefix(s[i+1:], "\n") {
				n++
			}
		default:
			i += n
			continue
		}
		out = append(out, s[start:i])
		i += n
		start = i
	}
	return append(out, s[start:])
}

// isTrailingSpace reports whether c is dropped at the end of a line.
func isTrailingSpace(c rune) bool {
	return c == ' ' || c == '\t' || c == 0x3000 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B && c != 0x2007) || c == 0x205F
}

func trimTrailingSpace(s string) string {
	return strings.TrimRightFunc(s, isTrailingSpace)
}

// leadingSpace returns the length of the spaces that open p, less one
// that carries a combining mark: a stray mark after a space is drawn on
// the space, and dropping the space would leave it floating.
func leadingSpace(p string) int {
	i := 0
	for i < len(p) {
		c, n := utf8.DecodeRuneInString(p[i:])
		if !isTrailingSpace(c) {
			break
		}
		if _, m := utf8.DecodeRuneInString(p[i+n:]); m > 0 && len(thai.Clusters(p[i:i+n+m])) == 0 {
			break // the space and the next rune form one cluster
		}
		i += n
	}
	return i
}

// wrapParagraph appends the lines of p, which has no line separators.
// Widths of candidate lines come from one shaping of p, summing cluster
// advances; each chosen line is then measured on its own, since kerning
// and shaping at its ends can make it a little wider, and shortened to the
// previous break when it no longer fits.
func (r *Renderer) wrapParagraph(lines []string, p string, st Style, maxWidth int) []string {
	if trimTrailingSpace(p) == "" {
		return append(lines, "")
	}
	rs := []rune(p)
	// runeAt maps a byte offset of p that starts a rune to its index;
	// prefix[i] is the advance of the runes before rune i.
	runeAt := make([]int, len(p)+1)
	offs := make([]int, 0, len(rs))
	for off := range p {
		runeAt[off] = len(offs)
		offs = append(offs, off)
	}
	runeAt[len(p)] = len(rs)
	prefix := make([]fixed.Int26_6, len(rs)+1)
	glyphs, _ := r.shape(p, st)
	for _, g := range glyphs {
		if g.runeI >= 0 && int(g.runeI) < len(rs) {
			prefix[g.runeI+1] += g.adv
		}
	}
	for i := 1; i <= len(rs); i++ {
		prefix[i] += prefix[i-1]
	}
	limit := fixed.I(maxWidth) + 32 // Measure rounds to the nearest dot
	width := func(a, b int) fixed.Int26_6 {
		b = a + len(trimTrailingSpace(p[a:b]))
		return prefix[runeAt[b]] - prefix[runeAt[a]]
	}
	fits := func(a, b int) bool {
		_, w := r.shape(trimTrailingSpace(p[a:b]), st)
		return w.Round() <= maxWidth
	}

	breaks := r.breaks(p)
	var cuts []int // character boundaries, computed when a word is too wide
	for start := leadingSpace(p); start < len(p); {
		// Candidates are the word breaks after start; when even the first
		// word is too wide, the character boundaries inside it.
		cand := breaks
		for len(cand) > 0 && cand[0] <= start {
			cand = cand[1:]
		}
		breaks = cand
		if wordEnd := cand[0]; width(start, wordEnd) > limit || !fits(start, wordEnd) {
			if cuts == nil {
				cuts = characterBounds(p, rs, offs)
			}
			// Cut inside the word, not between it and its spaces, or
			// the next line would be blank.
			inner := cand[:0:0]
			for _, c := range cuts {
				if c > start && c < wordEnd && trimTrailingSpace(p[c:wordEnd]) != "" {
					inner = append(inner, c)
				}
			}
			cand = append(inner, wordEnd)
		}
		n := 1 // candidates that fit by the summed advances; the first always goes
		for n < len(cand) && width(start, cand[n]) <= limit {
			n++
		}
		for n > 1 && !fits(start, cand[n-1]) {
			n--
		}
		end := cand[n-1]
		lines = append(lines, trimTrailingSpace(p[start:end]))
		start = end
	}
	return lines
}

// characterBounds returns the offsets where p may be cut inside a word:
// UAX #29 grapheme boundaries that are also Thai cluster boundaries, and
// len(p). rs is p's runes and offs their byte offsets.
func characterBounds(p string, rs []rune, offs []int) []int {
	var seg segmenter.Segmenter
	seg.Init(rs)
	grapheme := make(map[int]bool, len(rs))
	for it := seg.GraphemeIterator(); it.Next(); {
		grapheme[offs[it.Grapheme().Offset]] = true
	}
	var out []int
	for _, c := range thai.Clusters(p) {
		if grapheme[c] {
			out = append(out, c)
		}
	}
	return append(out, len(p))
}
