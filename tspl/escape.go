package tspl

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// escapeText returns s as the content of a quoted TSPL string:
//
//   - control bytes (0x00-0x1F, 0x7F) are dropped: CR and LF end a command;
//   - every other rune outside printable ASCII becomes one '?': font "0"
//     holds no other glyphs and the bytes would be read in the printer's
//     code page;
//   - '"' becomes \["] (TSPL manual, TEXT: "If there is any double quote (")
//     within the text, please change it to \["]");
//   - a '\' is dropped where it would stand before '\', '[' or '"', or at
//     the end: there it could start or swallow an escape, and the manual gives
//     no way to print it.
//
// So the only '"' left ends the string, and the only "\[" is the quote escape.
func escapeText(s string) string {
	var kept []byte
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7F:
		case r == utf8.RuneError || r > 0x7E:
			kept = append(kept, '?')
		default:
			kept = append(kept, byte(r))
		}
	}
	// Walk backwards so that "next" is the byte written after the current
	// one; the string's closing quote follows the last.
	out := make([]byte, 0, len(kept))
	next := byte('"')
	for i := len(kept) - 1; i >= 0; i-- {
		switch c := kept[i]; c {
		case '"':
			out = append(out, ']', '"', '[', '\\')
			next = '\\'
		case '\\':
			if strings.IndexByte(`\["`, next) >= 0 {
				continue
			}
			out = append(out, c)
			next = c
		default:
			out = append(out, c)
			next = c
		}
	}
	slices.Reverse(out)
	return string(out)
}
