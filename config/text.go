package config

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeText returns a config file's text as UTF-8 without a byte order
// mark. Windows tools write config files with a UTF-8 mark (Notepad) or in
// UTF-16 (PowerShell 5's Out-File and ">"); the marks tell which.
func decodeText(data []byte) ([]byte, error) {
	var order func([]byte) uint16
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")):
		order = func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
	case bytes.HasPrefix(data, []byte("\xfe\xff")):
		order = func(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
	default:
		return data, nil
	}
	data = data[2:]
	if len(data)%2 != 0 {
		return nil, errors.New("the file starts with a UTF-16 byte order mark but has an odd number of bytes")
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order(data[2*i:])
	}
	out := make([]byte, 0, len(data))
	for _, r := range utf16.Decode(units) {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}
