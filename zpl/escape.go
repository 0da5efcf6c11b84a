package zpl

import "strings"

// escapeField returns s as ^FD data for a field opened with ^FH\: letters,
// digits, space and a few punctuation marks stand for themselves and every
// other byte is written as '\' and two hex digits (ZPL II Programming Guide
// vol. 1, ^FH: "the hexadecimal indicator must precede each hexadecimal
// value"). That covers the format and control prefixes '^' and '~', the
// indicator '\' itself, and every control byte, so no field text can end
// the field or start a command.
//
// The safe set is kept small on purpose: anything the printer could read
// other than as a character is escaped, at the cost of three bytes for a
// rare mark.
func escapeField(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if fieldSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('\\')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0x0F])
	}
	return b.String()
}

// fieldSafe reports whether c may appear unescaped in field data.
func fieldSafe(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte(" .,-/:#()+&*'?!%=@", c) >= 0
}
