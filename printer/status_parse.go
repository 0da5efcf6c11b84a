package printer

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/labelbridge/labelbridge"
)

// The parsers in this file are pure: they read bytes a printer sent and
// never touch a link, so they are table- and fuzz-tested against the
// answers the manuals print.

// Control bytes of the answers.
const (
	stx = 0x02
	etx = 0x03
)

// zplFrames returns the contents of the complete STX…ETX frames in b, in
// order, where the first begins and where the last ends (after its CR LF
// when present). Bytes before an STX are skipped: what a printer said
// before it started answering. At most max frames are returned.
func zplFrames(b []byte, max int) (frames [][]byte, begin, end int) {
	i := 0
	for len(frames) < max {
		start := bytes.IndexByte(b[i:], stx)
		if start < 0 {
			break
		}
		start += i
		stop := bytes.IndexByte(b[start+1:], etx)
		if stop < 0 {
			break
		}
		stop += start + 1
		// A second STX before the ETX means the first frame was cut
		// off: start again from the later one.
		if again := bytes.LastIndexByte(b[start+1:stop], stx); again >= 0 {
			i = start + 1 + again
			continue
		}
		if len(frames) == 0 {
			begin = start
		}
		frames = append(frames, b[start+1:stop])
		i = stop + 1
		end = i
		for _, c := range []byte{'\r', '\n'} {
			if end < len(b) && b[end] == c {
				end++
			}
		}
	}
	return frames, begin, end
}

// zplFields splits one ~HS string at its commas. It wants at least min and
// at most max fields, each of digits only, and returns them as numbers.
func zplFields(frame []byte, name string, min, max int) ([]int, error) {
	parts := strings.Split(string(frame), ",")
	if len(parts) < min || len(parts) > max {
		return nil, fmt.Errorf("%s %q: %d fields, want %d to %d", name, frame, len(parts), min, max)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" || len(p) > 9 || strings.Trim(p, "0123456789") != "" {
			return nil, fmt.Errorf("%s %q: field %d %q is not a number", name, frame, i+1, p)
		}
		nums[i], _ = strconv.Atoi(p)
	}
	return nums, nil
}

// ParseZPLHostStatus reads a Zebra printer's answer to ~HS (ZPL II
// Programming Guide, ~HS Host Status Return): three strings, each framed as
// STX … ETX CR LF.
//
//	STX aaa,b,c,dddd,eee,f,g,h,iii,j,k,l ETX   b paper out, c paused,
//	                                           eee formats in the receive
//	                                           buffer, f buffer full,
//	                                           h partial format, k/l under/
//	                                           over temperature
//	STX mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www ETX   o head up, p ribbon out,
//	                                           uuuuuuuu labels remaining
//	STX xxxx,y ETX                             password, static RAM
//
// Anything before the first STX is skipped; the first three frames are
// the answer. The Status is a fault when paper or ribbon is out, the head
// is up or the printer is paused; busy while formats or labels wait to
// print; ready otherwise.
func ParseZPLHostStatus(b []byte) (Status, error) {
	frames, begin, end := zplFrames(b, 3)
	if len(frames) < 3 {
		return Status{State: StateUnknown}, fmt.Errorf("zpl host status: %d of 3 STX…ETX strings in %q", len(frames), b)
	}
	// Field counts: the guide gives 12, 11 and 2; a few firmware versions
	// add fields at the end, so more are accepted, within reason.
	s1, err := zplFields(frames[0], "zpl host status string 1", 8, 16)
	if err != nil {
		return Status{State: StateUnknown}, err
	}
	s2, err := zplFields(frames[1], "zpl host status string 2", 9, 16)
	if err != nil {
		return Status{State: StateUnknown}, err
	}
	if _, err := zplFields(frames[2], "zpl host status string 3", 1, 8); err != nil {
		return Status{State: StateUnknown}, err
	}
	for _, f := range []struct {
		v    int
		name string
	}{{s1[1], "paper out"}, {s1[2], "pause"}, {s1[5], "buffer full"}, {s1[7], "partial format"}, {s2[2], "head up"}, {s2[3], "ribbon out"}} {
		if f.v > 1 {
			return Status{State: StateUnknown}, fmt.Errorf("zpl host status: %s flag is %d, want 0 or 1", f.name, f.v)
		}
	}
	paperOut, paused, formats, bufferFull, partial := s1[1] == 1, s1[2] == 1, s1[4], s1[5] == 1, s1[7] == 1
	headUp, ribbonOut, labels := s2[2] == 1, s2[3] == 1, s2[8]

	st := Status{LabelsRemaining: labels, FormatsInBuffer: formats, Raw: string(b[begin:end])}
	var d detail
	if paperOut {
		st.Faults = append(st.Faults, labelbridge.CodePaperOut)
		d.add("paper out")
	}
	if ribbonOut {
		st.Faults = append(st.Faults, labelbridge.CodeRibbonOut)
		d.add("ribbon out")
	}
	if headUp {
		st.Faults = append(st.Faults, labelbridge.CodeHeadOpen)
		d.add("head open")
	}
	if paused {
		st.Faults = append(st.Faults, labelbridge.CodePaused)
		d.add("paused")
	}
	if len(s1) >= 12 {
		if s1[10] == 1 {
			d.add("head under temperature")
		}
		if s1[11] == 1 {
			d.add("head over temperature")
		}
	}
	switch {
	case len(st.Faults) > 0:
		st.State = StateFault
	case formats > 0 || labels > 0 || bufferFull || partial:
		st.State = StateBusy
	default:
		st.State = StateReady
	}
	if formats > 0 {
		d.add(plural(formats, "format") + " in buffer")
	}
	if labels > 0 {
		d.add(plural(labels, "label") + " to print")
	}
	if bufferFull {
		d.add("receive buffer full")
	}
	st.Detail = d.String()
	return st, nil
}

// escposStatusByte reports whether b looks like an answer to DLE EOT: the
// fixed bits are bit 1 and bit 4 on, bits 0 and 7 off (Epson, Transmission
// status identification). That pattern also tells these bytes apart from
// automatic status back blocks, whose first byte has bit 1 off.
func escposStatusByte(b byte) bool { return b&0x93 == 0x12 }

// ParseESCPOSStatus reads the four bytes an ESC/POS printer answers to
// DLE EOT 1, 2, 3 and 4 (Epson ESC/POS reference, DLE EOT):
//
//	n1 printer status   bit 3 offline
//	n2 offline cause    bit 2 cover open, bit 3 paper fed by the FEED
//	                    button, bit 5 stopped at paper end, bit 6 error
//	n3 error cause      bit 2 recoverable (mechanical) error, bit 3
//	                    autocutter error, bit 5 unrecoverable error, bit 6
//	                    automatically recoverable error (head too hot)
//	n4 paper sensors    bits 2-3 paper near end, bits 5-6 paper end
//
// A byte without the fixed bits (bits 1 and 4 on, 0 and 7 off) is not such
// an answer and makes an error. Paper near end is a warning in Detail, not
// a fault.
func ParseESCPOSStatus(n1, n2, n3, n4 byte) (Status, error) {
	for i, b := range []byte{n1, n2, n3, n4} {
		if !escposStatusByte(b) {
			return Status{State: StateUnknown}, fmt.Errorf("escpos status: byte %d (DLE EOT %d) is %#02x, not a real-time status", i+1, i+1, b)
		}
	}
	st := Status{Raw: fmt.Sprintf("% x", []byte{n1, n2, n3, n4})}
	var d detail
	if n2&0x20 != 0 || n4&0x60 != 0 {
		st.Faults = append(st.Faults, labelbridge.CodePaperOut)
		d.add("paper out")
	}
	if n2&0x04 != 0 {
		st.Faults = append(st.Faults, labelbridge.CodeCoverOpen)
		d.add("cover open")
	}
	if n3&0x04 != 0 || n3&0x08 != 0 {
		st.Faults = append(st.Faults, labelbridge.CodePaperJam)
		if n3&0x08 != 0 {
			d.add("autocutter error")
		} else {
			d.add("mechanical error")
		}
	}
	if n3&0x20 != 0 {
		d.add("unrecoverable error")
	}
	if n3&0x40 != 0 {
		d.add("head too hot")
	}
	if n2&0x40 != 0 && n3&0x6C == 0 {
		d.add("error")
	}
	// An offline printer with no cause named above (unrecoverable error,
	// head too hot, an error the other bytes do not name) is offline.
	offline := n1&0x08 != 0 || n3&0x60 != 0 || n2&0x40 != 0
	if offline && len(st.Faults) == 0 {
		st.Faults = append(st.Faults, labelbridge.CodeOffline)
		if d.empty() {
			d.add("offline")
		}
	}
	if n4&0x0C != 0 && n4&0x60 == 0 {
		d.add("paper near end")
	}
	switch {
	case len(st.Faults) > 0:
		st.State = StateFault
	case n2&0x08 != 0:
		st.State = StateBusy
		d.add("feeding paper")
	default:
		st.State = StateReady
	}
	st.Detail = d.String()
	return st, nil
}

// ParseTSPLStatus reads the byte a TSC printer answers to ESC ! ? (TSPL/
// TSPL2 Programming Manual, <ESC>!?): bit 0 head open, 1 paper jam, 2 out
// of paper, 3 out of ribbon, 4 paused, 5 printing, 6 cover open, 7
// environment temperature out of range. Zero means ready. Every byte is a
// valid answer.
func ParseTSPLStatus(b byte) Status {
	st := Status{Raw: fmt.Sprintf("%02x", b)}
	var d detail
	for _, f := range []struct {
		bit  byte
		code labelbridge.Code
		text string
	}{
		{0x04, labelbridge.CodePaperOut, "paper out"},
		{0x08, labelbridge.CodeRibbonOut, "ribbon out"},
		{0x01, labelbridge.CodeHeadOpen, "head open"},
		{0x40, labelbridge.CodeCoverOpen, "cover open"},
		{0x02, labelbridge.CodePaperJam, "paper jam"},
		{0x10, labelbridge.CodePaused, "paused"},
		{0x80, labelbridge.CodeOffline, "temperature out of range"},
	} {
		if b&f.bit != 0 {
			st.Faults = append(st.Faults, f.code)
			d.add(f.text)
		}
	}
	switch {
	case len(st.Faults) > 0:
		st.State = StateFault
	case b&0x20 != 0:
		st.State = StateBusy
		d.add("printing")
	default:
		st.State = StateReady
	}
	st.Detail = d.String()
	return st
}

// escposAnswers sorts what an ESC/POS printer sent into answers to DLE EOT
// (status) and process ID responses to GS ( H function 48 (ids), and skips
// what else it may send unasked: automatic status back blocks and other
// "header … NUL" responses. used is how much of b it read; an incomplete
// block at the end is left for when the rest arrives.
func escposAnswers(b []byte) (status []byte, ids []string, used int) {
	i := 0
	for i < len(b) {
		c := b[i]
		switch {
		case c == 0x37 || c == 0x5F:
			// Header 37h or 5Fh, then data up to a NUL (Epson,
			// GS ( H, GS I and friends). 37h 22h is a process ID.
			nul := bytes.IndexByte(b[i:], 0)
			if nul < 0 {
				if len(b)-i > 80 {
					i++ // no response is that long: not one
					continue
				}
				return status, ids, i
			}
			block := b[i : i+nul]
			if len(block) == 6 && block[0] == 0x37 && block[1] == 0x22 {
				ids = append(ids, string(block[2:]))
			}
			i += nul + 1
		case c&0x93 == 0x10:
			// Automatic status back: four bytes, the first 0xx1xx00.
			if len(b)-i < 4 {
				return status, ids, i
			}
			i += 4
		case escposStatusByte(c):
			status = append(status, c)
			i++
		default:
			i++
		}
	}
	return status, ids, i
}

// Identity is what a printer says about itself.
type Identity struct {
	Model    string
	Firmware string
	// DPI is the print head's resolution, 0 when not said.
	DPI    int
	Memory string
	Raw    string
}

// ParseZPLHostIdentity reads a Zebra printer's answer to ~HI (ZPL II
// Programming Guide, ~HI Host Identification): STX model,firmware,dots per
// millimetre,memory[,options] ETX, such as
// "\x02ZD421-300dpi,V84.20.18Z,12,8176KB\x03".
func ParseZPLHostIdentity(b []byte) (Identity, error) {
	frames, begin, end := zplFrames(b, 1)
	if len(frames) == 0 {
		return Identity{}, fmt.Errorf("zpl host identification: no STX…ETX string in %q", b)
	}
	parts := strings.Split(string(frames[0]), ",")
	if len(parts) < 3 || len(parts) > 8 {
		return Identity{}, fmt.Errorf("zpl host identification %q: %d fields, want model,version,dpm,memory", frames[0], len(parts))
	}
	id := Identity{Model: strings.TrimSpace(parts[0]), Firmware: strings.TrimSpace(parts[1]), Raw: string(b[begin:end])}
	if id.Model == "" || !printable(id.Model) || !printable(id.Firmware) {
		return Identity{}, fmt.Errorf("zpl host identification %q: model or version is not text", frames[0])
	}
	// Print heads come in 6, 8, 12 and 24 dots per millimetre.
	switch strings.TrimSpace(parts[2]) {
	case "6":
		id.DPI = 152
	case "8":
		id.DPI = 203
	case "12":
		id.DPI = 300
	case "24":
		id.DPI = 600
	default:
		return Identity{}, fmt.Errorf("zpl host identification %q: %q dots per millimetre, want 6, 8, 12 or 24", frames[0], parts[2])
	}
	if len(parts) > 3 {
		id.Memory = strings.TrimSpace(parts[3])
	}
	return id, nil
}

// printable reports whether s is plain text: no control bytes.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7F {
			return false
		}
	}
	return true
}

// detail joins the phrases of a Status's Detail.
type detail struct{ parts []string }

func (d *detail) add(s string)   { d.parts = append(d.parts, s) }
func (d *detail) empty() bool    { return len(d.parts) == 0 }
func (d *detail) String() string { return strings.Join(d.parts, ", ") }
func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}
