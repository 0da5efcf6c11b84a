package printertest

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/labelbridge/labelbridge"
)

// PrintTime is how long a simulated printer takes to print one label once
// it has received it, when no fault holds it.
const PrintTime = 20 * time.Millisecond

// DefaultIdentity is what a ZPL simulator answers to ~HI until
// SetIdentity changes it.
const DefaultIdentity = "ZD421-300dpi,V84.20.18Z,12,8176KB"

// Document is one document a simulated printer received: a ZPL format
// (^XA … ^XZ), a TSPL label (up to and with its PRINT line), an ESC/POS
// run (from ESC @, or from the first byte after a status query, to the
// next of either).
type Document struct {
	Data []byte
	// Faulted is true when a fault was set as the document's first byte
	// arrived: a document the sender should have held back.
	Faulted bool
	// Complete is false for a document still being received. ESC/POS has
	// no end marker: its last document stays incomplete until the next
	// ESC @ or status query.
	Complete bool
	// At is when the document's first byte arrived.
	At time.Time
}

// model is the part of a simulated printer that understands its language:
// it tells status queries from documents, answers the queries from its
// state (fault, labels waiting), and "prints" what it received, one label
// every PrintTime, unless a fault holds it. TCP and Serial share it; its
// methods are theirs.
type model struct {
	mu        sync.Mutex
	lang      labelbridge.Language
	gen       int // bumped by SetLanguage: scanners of the old language start over
	fault     labelbridge.Code
	silent    bool
	noConfirm bool
	identity  string

	data    []byte // received bytes minus status queries
	docs    []docSpan
	queries [][]byte

	queue    []printItem // labels to print and process IDs to answer, in order
	headFree time.Time   // when the print head finished its last label
	printed  int
	wake     chan struct{} // tells run the queue or the fault changed
}

type docSpan struct {
	start, end int // in data; end -1 while open
	faulted    bool
	at         time.Time
}

// printItem is a label to print or, when label is false, an ESC/POS
// process ID to send to w once every label before it has printed.
type printItem struct {
	arrived time.Time
	label   bool
	reply   []byte
	w       io.Writer
}

// send is an answer to write to a connection.
type send struct {
	w io.Writer
	b []byte
}

func newModel() *model {
	return &model{identity: DefaultIdentity, wake: make(chan struct{}, 1)}
}

// signal wakes run without blocking. The caller holds m.mu or not; it does
// not matter.
func (m *model) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// SetLanguage makes the printer speak lang: it answers lang's status
// queries (ZPL ~HS and ~HI; ESC/POS DLE EOT 1-4 and GS ( H function 48;
// TSPL ESC ! ?), leaves them out of Data and Documents, and splits what
// else it receives into Documents. Until it is called the printer
// understands nothing and records only bytes.
func (m *model) SetLanguage(lang labelbridge.Language) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lang = lang
	m.gen++
}

// SetFault makes the printer report code in its language's status answer
// and stop printing, as a real printer with paper out, its head open or
// paused would. It still takes in the bytes sent to it, into its buffer,
// as a real one does: holding documents back is the sender's job.
//
// Where the language has no such flag the nearest one is reported: ZPL
// shows cover_open as head up, paper_jam as paper out and offline as
// paused; ESC/POS shows head_open as cover open, paper_jam as an
// autocutter error, and paused, offline and ribbon_out as offline; TSPL
// shows offline as its temperature bit.
func (m *model) SetFault(code labelbridge.Code) {
	m.mu.Lock()
	// What printed before the fault stays printed.
	sends := m.advance(time.Now())
	m.fault = code
	m.signal()
	m.mu.Unlock()
	write(sends)
}

// ClearFault ends the fault: printing resumes where it stopped.
func (m *model) ClearFault() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fault == "" {
		return
	}
	m.fault = ""
	m.headFree = time.Now()
	m.signal()
}

// Fault returns the fault set, or "".
func (m *model) Fault() labelbridge.Code {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fault
}

// Silent makes the printer ignore every status query (on), like a
// printer that has no way back or does not speak the language asked, or
// answer them again (off).
func (m *model) Silent(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.silent = on
	m.signal()
}

// SetConfirms says whether the printer lets the sender see that a label
// has printed (on, the default). A ZPL printer's ~HS answer then shows
// formats in buffer and labels remaining dropping to 0 once its labels
// printed; off, it always reports at least one format in the buffer. An
// ESC/POS printer answers a GS ( H process ID once what came before it
// printed; off, it ignores the command, as printers without it do.
func (m *model) SetConfirms(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.noConfirm = !on
}

// SetIdentity sets what a ZPL printer answers to ~HI, without the STX,
// ETX: "model,firmware,dots per mm,memory".
func (m *model) SetIdentity(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.identity = s
}

// Data returns everything received except status queries, in arrival
// order. Without SetLanguage it is all bytes received.
func (m *model) Data() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data...)
}

// Documents returns the documents received so far, split the way the
// language's encoder writes them (see Document). Bytes between documents
// that are no document, such as the newline after a ZPL ^XZ, are in Data
// only.
func (m *model) Documents() []Document {
	m.mu.Lock()
	defer m.mu.Unlock()
	docs := make([]Document, len(m.docs))
	for i, d := range m.docs {
		end := d.end
		if end < 0 {
			end = len(m.data)
		}
		docs[i] = Document{
			Data:     append([]byte(nil), m.data[d.start:end]...),
			Faulted:  d.faulted,
			Complete: d.end >= 0,
			At:       d.at,
		}
	}
	return docs
}

// Queries returns the status queries received, each as its bytes.
func (m *model) Queries() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := make([][]byte, len(m.queries))
	for i, b := range m.queries {
		q[i] = append([]byte(nil), b...)
	}
	return q
}

// Printed returns how many labels the printer has printed: ZPL formats,
// TSPL PRINT commands, ESC/POS documents.
func (m *model) Printed() int {
	m.mu.Lock()
	sends := m.advance(time.Now())
	n := m.printed
	m.mu.Unlock()
	write(sends)
	return n
}

// feed takes a chunk received on the connection sc reads, records it and
// returns the answers to write back. The caller writes them after
// recording the chunk, so that whoever waits for bytes sees the model
// already up to date.
func (m *model) feed(sc *scanner, chunk []byte, w io.Writer) []send {
	m.mu.Lock()
	defer m.mu.Unlock()
	if sc.gen != m.gen || sc.lang != m.lang {
		*sc = scanner{lang: m.lang, gen: m.gen}
	}
	now := time.Now()
	var sends []send
	for _, t := range sc.scan(chunk) {
		switch t.kind {
		case tokData:
			m.data = append(m.data, t.b...)
		case tokDocStart:
			m.docs = append(m.docs, docSpan{start: len(m.data), end: -1, faulted: m.fault != "", at: now})
		case tokDocEnd:
			if n := len(m.docs); n > 0 && m.docs[n-1].end < 0 {
				m.docs[n-1].end = len(m.data)
			}
			m.queue = append(m.queue, printItem{arrived: now, label: true})
		case tokQuery:
			m.queries = append(m.queries, t.b)
			sends = append(sends, m.advance(now)...)
			if out := m.answer(t.b, now, w); len(out) > 0 {
				sends = append(sends, send{w, out})
			}
		}
	}
	return sends
}

// advance prints what is due by now and returns the process IDs reached.
// Nothing moves while a fault is set. The caller holds m.mu.
func (m *model) advance(now time.Time) []send {
	if m.fault != "" {
		return nil
	}
	var sends []send
	for len(m.queue) > 0 {
		it := m.queue[0]
		start := m.headFree
		if it.arrived.After(start) {
			start = it.arrived
		}
		if it.label {
			done := start.Add(PrintTime)
			if done.After(now) {
				break
			}
			m.headFree = done
			m.printed++
		} else {
			if start.After(now) {
				break
			}
			m.headFree = start
			if !m.silent {
				sends = append(sends, send{it.w, it.reply})
			}
		}
		m.queue = m.queue[1:]
	}
	return sends
}

// nextReply returns when the first process ID in the queue will be
// reached, if one is and nothing holds it. The caller holds m.mu.
func (m *model) nextReply() (time.Time, bool) {
	if m.fault != "" {
		return time.Time{}, false
	}
	t := m.headFree
	for _, it := range m.queue {
		if it.arrived.After(t) {
			t = it.arrived
		}
		if !it.label {
			return t, true
		}
		t = t.Add(PrintTime)
	}
	return time.Time{}, false
}

// run sends process ID answers when they come due, until done is closed.
func (m *model) run(done <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		m.mu.Lock()
		sends := m.advance(time.Now())
		next, ok := m.nextReply()
		m.mu.Unlock()
		write(sends)
		wait := time.Hour
		if ok {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-done:
			return
		case <-m.wake:
		case <-timer.C:
		}
	}
}

// write sends answers, ignoring connections that have gone.
func write(sends []send) {
	for _, s := range sends {
		s.w.Write(s.b)
	}
}

// pending returns how many labels wait to print. The caller holds m.mu.
func (m *model) pending() int {
	n := 0
	for _, it := range m.queue {
		if it.label {
			n++
		}
	}
	return n
}

// answer returns the printer's answer to query q, or nil. A process ID
// request is queued instead, to be answered once the labels before it have
// printed. The caller holds m.mu.
func (m *model) answer(q []byte, now time.Time, w io.Writer) []byte {
	if m.silent {
		return nil
	}
	f := m.fault
	switch m.lang {
	case labelbridge.ZPL:
		if bytes.EqualFold(q, []byte("~HI")) {
			return []byte("\x02" + m.identity + "\x03\r\n")
		}
		flag := func(codes ...labelbridge.Code) int {
			for _, c := range codes {
				if f == c {
					return 1
				}
			}
			return 0
		}
		labels := m.pending()
		formats := labels
		if m.noConfirm {
			formats = max(formats, 1)
		}
		return fmt.Appendf(nil, "\x02030,%d,%d,1218,%03d,0,0,0,000,0,0,0\x03\r\n\x02001,0,%d,%d,0,2,6,0,%08d,1,000\x03\r\n\x021234,0\x03\r\n",
			flag(labelbridge.CodePaperOut, labelbridge.CodePaperJam),
			flag(labelbridge.CodePaused, labelbridge.CodeOffline),
			formats,
			flag(labelbridge.CodeHeadOpen, labelbridge.CodeCoverOpen),
			flag(labelbridge.CodeRibbonOut),
			labels)
	case labelbridge.ESCPOS:
		if q[0] == 0x1D { // GS ( H: process ID
			if m.noConfirm {
				return nil
			}
			m.queue = append(m.queue, printItem{arrived: now, reply: append([]byte{0x37, 0x22}, append(q[7:11:11], 0)...), w: w})
			m.signal()
			return nil
		}
		// DLE EOT n: bits 1 and 4 always on.
		b := byte(0x12)
		switch q[2] {
		case 1:
			if f != "" {
				b |= 0x08 // offline
			}
		case 2:
			switch f {
			case labelbridge.CodeCoverOpen, labelbridge.CodeHeadOpen:
				b |= 0x04
			case labelbridge.CodePaperOut:
				b |= 0x20
			case labelbridge.CodePaperJam:
				b |= 0x40
			}
		case 3:
			if f == labelbridge.CodePaperJam {
				b |= 0x08 // autocutter
			}
		case 4:
			if f == labelbridge.CodePaperOut {
				b |= 0x6C // near end and end
			}
		}
		return []byte{b}
	case labelbridge.TSPL:
		var b byte
		switch f {
		case labelbridge.CodeHeadOpen:
			b = 0x01
		case labelbridge.CodePaperJam:
			b = 0x02
		case labelbridge.CodePaperOut:
			b = 0x04
		case labelbridge.CodeRibbonOut:
			b = 0x08
		case labelbridge.CodePaused:
			b = 0x10
		case labelbridge.CodeCoverOpen:
			b = 0x40
		case labelbridge.CodeOffline:
			b = 0x80
		case "":
			if m.pending() > 0 {
				b = 0x20 // printing
			}
		}
		return []byte{b}
	}
	return nil
}

// Token kinds a scanner finds.
const (
	tokData     = iota // bytes of a document, or stray bytes between documents
	tokQuery           // a status query
	tokDocStart        // a document begins with the next data
	tokDocEnd          // the document ends here: one label to print
)

type token struct {
	kind int
	b    []byte
}

// scanner splits one connection's byte stream into documents and status
// queries. Queries are only looked for between documents (ZPL) or outside
// image data (ESC/POS GS v 0, TSPL BITMAP), where the daemon sends them;
// that keeps image bytes that happen to spell a query from being taken for
// one. A token cut by the end of a chunk waits in tail for the next one.
type scanner struct {
	lang  labelbridge.Language
	gen   int
	tail  []byte
	inDoc bool
	skip  int    // image bytes still to pass as data
	line  []byte // TSPL: the command line so far
}

// Outcomes of a scanner step.
const (
	stepData  = iota // n bytes of data
	stepQuery        // n bytes of status query
	stepStart        // n bytes of data that start a document
	stepEnd          // n bytes of data that end a document
	stepMore         // the bytes so far could be a token: wait for more
)

func (s *scanner) scan(chunk []byte) []token {
	b := append(s.tail, chunk...)
	s.tail = nil
	var toks []token
	run := 0 // start of data not yet emitted
	flush := func(i int) {
		if i > run {
			toks = append(toks, token{tokData, b[run:i]})
		}
		run = i
	}
	i := 0
	for i < len(b) {
		if s.skip > 0 {
			n := min(s.skip, len(b)-i)
			s.skip -= n
			i += n
			continue
		}
		kind, n := s.step(b[i:])
		switch kind {
		case stepMore:
			flush(i)
			s.tail = append([]byte(nil), b[i:]...)
			return toks
		case stepQuery:
			if s.inDoc && s.lang == labelbridge.ESCPOS {
				// A query ends an ESC/POS document: it has no end
				// marker of its own.
				flush(i)
				toks = append(toks, token{kind: tokDocEnd})
				s.inDoc = false
			}
			flush(i)
			toks = append(toks, token{tokQuery, b[i : i+n]})
			run = i + n
		case stepStart:
			if s.inDoc { // ESC/POS: ESC @ ends the one before
				flush(i)
				toks = append(toks, token{kind: tokDocEnd})
			}
			flush(i)
			toks = append(toks, token{kind: tokDocStart})
			s.inDoc = true
		case stepEnd:
			flush(i + n)
			toks = append(toks, token{kind: tokDocEnd})
			s.inDoc = false
		case stepData:
			if !s.inDoc && s.implicitStart(b[i]) {
				flush(i)
				toks = append(toks, token{kind: tokDocStart})
				s.inDoc = true
			}
		}
		i += n
	}
	flush(i)
	return toks
}

// implicitStart reports whether data byte c, outside a document, starts
// one. ZPL documents start only with ^XA; TSPL ones with their first
// command; ESC/POS ones with any byte.
func (s *scanner) implicitStart(c byte) bool {
	switch s.lang {
	case labelbridge.ESCPOS:
		return true
	case labelbridge.TSPL:
		return c != '\r' && c != '\n' && c != ' ' && c != '\t'
	}
	return false
}

// step looks at the start of b and says what it is and how long.
func (s *scanner) step(b []byte) (kind, n int) {
	switch s.lang {
	case labelbridge.ZPL:
		return s.stepZPL(b)
	case labelbridge.ESCPOS:
		return s.stepESCPOS(b)
	case labelbridge.TSPL:
		return s.stepTSPL(b)
	}
	return stepData, len(b)
}

func (s *scanner) stepZPL(b []byte) (int, int) {
	if b[0] != '~' && b[0] != '^' {
		return stepData, 1
	}
	if len(b) < 3 {
		return stepMore, 0
	}
	cmd := string(bytes.ToUpper(b[:3]))
	switch {
	case !s.inDoc && (cmd == "~HS" || cmd == "~HI"):
		return stepQuery, 3
	case !s.inDoc && cmd == "^XA":
		return stepStart, 3
	case s.inDoc && cmd == "^XZ":
		return stepEnd, 3
	}
	return stepData, 1
}

func (s *scanner) stepESCPOS(b []byte) (int, int) {
	switch b[0] {
	case 0x10: // DLE EOT n
		if len(b) < 3 {
			return stepMore, 0
		}
		if b[1] == 0x04 && b[2] >= 1 && b[2] <= 4 {
			return stepQuery, 3
		}
	case 0x1B: // ESC @ starts a document
		if len(b) < 2 {
			return stepMore, 0
		}
		if b[1] == '@' {
			return stepStart, 2
		}
	case 0x1D:
		if len(b) < 2 {
			return stepMore, 0
		}
		switch b[1] {
		case 'v': // GS v 0 m xL xH yL yH, then xL+xH*256 by yL+yH*256 bytes
			if len(b) < 8 {
				return stepMore, 0
			}
			if b[2] == '0' {
				s.skip = (int(b[4]) | int(b[5])<<8) * (int(b[6]) | int(b[7])<<8)
				return stepData, 8
			}
		case '(': // GS ( H pL pH fn m d1…
			if len(b) < 5 {
				return stepMore, 0
			}
			if b[2] != 'H' {
				break
			}
			size := 5 + (int(b[3]) | int(b[4])<<8)
			if size == 11 {
				if len(b) < 11 {
					return stepMore, 0
				}
				if b[5] == 48 && b[6] == 48 {
					return stepQuery, 11
				}
			}
			s.skip = size - 5
			return stepData, 5
		}
	}
	return stepData, 1
}

func (s *scanner) stepTSPL(b []byte) (int, int) {
	if b[0] == 0x1B {
		if len(b) < 3 {
			return stepMore, 0
		}
		if b[1] == '!' && b[2] == '?' {
			return stepQuery, 3
		}
		return stepData, 1
	}
	c := b[0]
	if c == '\n' {
		line := bytes.ToUpper(bytes.TrimSpace(s.line))
		s.line = s.line[:0]
		if bytes.HasPrefix(line, []byte("PRINT")) && s.inDoc {
			return stepEnd, 1
		}
		return stepData, 1
	}
	if len(s.line) < 256 {
		s.line = append(s.line, c)
	}
	// BITMAP x,y,width,height,mode, then width*height bytes of image.
	if c == ',' && bytes.HasPrefix(bytes.ToUpper(bytes.TrimSpace(s.line)), []byte("BITMAP ")) && bytes.Count(s.line, []byte(",")) == 5 {
		f := bytes.Split(bytes.TrimSpace(s.line[len("BITMAP "):]), []byte(","))
		w, err1 := strconv.Atoi(string(bytes.TrimSpace(f[2])))
		h, err2 := strconv.Atoi(string(bytes.TrimSpace(f[3])))
		if err1 == nil && err2 == nil && w > 0 && h > 0 {
			s.skip = w * h
		}
	}
	return stepData, 1
}
