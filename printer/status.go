package printer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/labelbridge/labelbridge"
)

// State is what a printer is doing, as far as labelbridge knows.
type State string

// Printer states.
const (
	// StateReady: the printer answered and reports nothing wrong and
	// nothing waiting to print.
	StateReady State = "ready"
	// StateBusy: the printer answered and is printing or holds data still
	// to print.
	StateBusy State = "busy"
	// StateFault: the printer reports a fault (Status.Faults) and will not
	// print until someone mends it.
	StateFault State = "fault"
	// StateOffline: the link to the printer failed.
	StateOffline State = "offline"
	// StateUnknown: the printer did not answer, or cannot: a link that
	// does not read back, a printer that ignores status queries.
	StateUnknown State = "unknown"
)

// Status is a printer's answer to a status query, in labelbridge's words.
type Status struct {
	State State
	// Faults are the protocol codes of what holds the printer
	// (labelbridge.CodePaperOut, CodeHeadOpen, …), the most specific
	// first: a paused printer that is out of paper lists paper_out, then
	// paused. Empty unless State is StateFault.
	Faults []labelbridge.Code
	// Detail says it in words for people: "paper out, paused",
	// "2 labels to print", "paper near end".
	Detail string
	// LabelsRemaining and FormatsInBuffer are what a ZPL printer says is
	// still to print; zero for the other languages.
	LabelsRemaining int
	FormatsInBuffer int
	// Raw is the answer as received, for logs: text for ZPL, hex bytes for
	// ESC/POS and TSPL.
	Raw string
}

// Err returns nil unless s is a fault, and then a *labelbridge.Error whose
// code is the first fault, ready to be a job's waiting reason.
func (s Status) Err() error {
	if s.State != StateFault || len(s.Faults) == 0 {
		return nil
	}
	msg := s.Detail
	if msg == "" {
		msg = string(s.Faults[0])
	}
	return &labelbridge.Error{Code: s.Faults[0], Message: "printer reports " + msg}
}

// ErrNoAnswer means nothing usable came back from a status query in time:
// the link cannot read back, the printer said nothing, or it said something
// that is not a status in the language asked. The printer's state is
// unknown, which is not the same as fine.
var ErrNoAnswer = errors.New("printer: no answer to the status query")

// DefaultQueryTimeout bounds one status query when ctx allows longer.
const DefaultQueryTimeout = time.Second

// drainWait is how long draining waits for another stale byte on a
// network link: a late answer to an earlier query is in the socket by then,
// and this is paid before every document, so it stays short. Slower links
// say how long a pause must be to mean the printer has stopped talking
// (quietGapper). drainLimit bounds how much a printer that keeps talking can
// make it read.
const (
	drainWait  = 200 * time.Microsecond
	drainLimit = 64 << 10
)

// quietGapper is a link on which bytes arrive further apart than on a
// network: a serial line at 9600 baud takes a millisecond a byte.
type quietGapper interface {
	// QuietGap is how long without a byte means the printer has
	// finished sending.
	QuietGap() time.Duration
}

// statusQuery is one language's status query and how to read its answer.
type statusQuery struct {
	query string
	// answer reports whether b holds a whole answer.
	answer func(b []byte) bool
	parse  func(b []byte) (Status, error)
}

// Status queries, one per language.
const (
	// ~HS, host status return.
	zplQuery = "~HS"
	// DLE EOT 1 to 4: printer, offline cause, error cause and paper
	// sensor status. Epson allows the four in a row as long as nothing
	// else is sent before the answers are in.
	escposQuery = "\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
	// ESC ! ?, the one-byte status.
	tsplQuery = "\x1b!?"
)

func statusQueryFor(lang labelbridge.Language) (statusQuery, error) {
	switch lang {
	case labelbridge.ZPL:
		return statusQuery{
			query:  zplQuery,
			answer: func(b []byte) bool { f, _, _ := zplFrames(b, 3); return len(f) == 3 },
			parse:  ParseZPLHostStatus,
		}, nil
	case labelbridge.ESCPOS:
		return statusQuery{
			query: escposQuery,
			answer: func(b []byte) bool {
				s, _, _ := escposAnswers(b)
				return len(s) >= 4
			},
			parse: func(b []byte) (Status, error) {
				s, _, _ := escposAnswers(b)
				if len(s) < 4 {
					return Status{State: StateUnknown}, fmt.Errorf("escpos status: %d of 4 status bytes in % x", len(s), b)
				}
				return ParseESCPOSStatus(s[0], s[1], s[2], s[3])
			},
		}, nil
	case labelbridge.TSPL:
		return statusQuery{
			query:  tsplQuery,
			answer: func(b []byte) bool { return len(b) > 0 },
			parse: func(b []byte) (Status, error) {
				if len(b) == 0 {
					return Status{State: StateUnknown}, errors.New("tspl status: no byte")
				}
				return ParseTSPLStatus(b[0]), nil
			},
		}, nil
	}
	return statusQuery{}, fmt.Errorf("printer: no status query for language %q", lang)
}

// readBack returns c's reader when c can read what the printer sends.
func readBack(c Conn) (Reader, bool) {
	r, ok := c.(Reader)
	if !ok {
		return nil, false
	}
	if cr, ok := c.(interface{ canRead() bool }); ok && !cr.canRead() {
		return nil, false
	}
	return r, true
}

// QueryStatus asks the printer at the other end of c for its status in
// lang's protocol (ZPL ~HS, ESC/POS DLE EOT 1-4, TSPL ESC ! ?) and parses
// the answer. It waits at most DefaultQueryTimeout, less when ctx says so.
//
// It first reads and throws away whatever the printer sent earlier (a late
// answer to a query that timed out, unasked status), so an old answer is
// never taken for this one. Call it between documents, never while one is
// being written: c is not safe for concurrent use.
//
// A printer that does not answer is unknown, not fine. Zebra's Link-OS
// manuals say such printers leave ~HS unanswered while media or ribbon is
// out or the head is open; their faults then read as no answer.
//
// Errors:
//   - ErrNoAnswer (wrapped; Status.State unknown) when c cannot read back,
//     nothing came in time, or what came is not a status in lang;
//   - a *Error with Status.State offline when the link failed: the caller
//     closes c and opens the printer again;
//   - ctx's error when ctx was cancelled.
func QueryStatus(ctx context.Context, c Conn, lang labelbridge.Language) (Status, error) {
	q, err := statusQueryFor(lang)
	if err != nil {
		return Status{State: StateUnknown}, err
	}
	r, ok := readBack(c)
	if !ok {
		return Status{State: StateUnknown}, fmt.Errorf("%w: the link cannot read back", ErrNoAnswer)
	}
	qctx, cancel := context.WithTimeout(ctx, DefaultQueryTimeout)
	defer cancel()
	if err := drain(qctx, r); err != nil {
		return linkFailure(ctx, err)
	}
	if err := c.Write(qctx, []byte(q.query)); err != nil {
		return linkFailure(ctx, err)
	}
	answer, err := readAnswer(qctx, r, q.answer)
	if err != nil {
		if len(answer) > 0 && isTimeout(err) && !errors.Is(ctx.Err(), context.Canceled) {
			return Status{State: StateUnknown, Raw: string(answer)}, fmt.Errorf("%w: incomplete answer %q", ErrNoAnswer, answer)
		}
		return linkFailure(ctx, err)
	}
	st, err := q.parse(answer)
	if err != nil {
		return Status{State: StateUnknown, Raw: string(answer)}, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	return st, nil
}

// linkFailure turns an error met while querying into QueryStatus's result.
// Time running out, the caller's or the query's own, means no answer; a
// caller that cancelled gets its error back.
func linkFailure(ctx context.Context, err error) (Status, error) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return Status{State: StateUnknown}, fmt.Errorf("printer: status query: %w", ctx.Err())
	}
	if errors.Is(err, ErrNoAnswer) {
		return Status{State: StateUnknown}, err
	}
	if isTimeout(err) {
		return Status{State: StateUnknown}, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	return Status{State: StateOffline, Detail: err.Error()}, err
}

// isTimeout reports whether err is a wait that ran out, rather than a link
// that failed.
func isTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, os.ErrDeadlineExceeded)
}

// drain reads and discards what the printer has already sent, until it
// stays quiet for drainWait, or the link's own quiet gap.
func drain(ctx context.Context, r Reader) error {
	gap := drainWait
	if q, ok := r.(quietGapper); ok {
		gap = max(gap, q.QuietGap())
	}
	buf := make([]byte, 4096)
	for total := 0; total < drainLimit; {
		dctx, cancel := context.WithTimeout(ctx, gap)
		n, err := r.Read(dctx, buf)
		cancel()
		total += n
		if err != nil {
			if isTimeout(err) && ctx.Err() == nil {
				return nil
			}
			return err
		}
	}
	return nil
}

// readAnswer reads until whole(b) holds or ctx is done. It returns what it
// read, also on error.
func readAnswer(ctx context.Context, r Reader, whole func([]byte) bool) ([]byte, error) {
	var got []byte
	buf := make([]byte, 512)
	for len(got) < drainLimit {
		n, err := r.Read(ctx, buf)
		got = append(got, buf[:n]...)
		if n > 0 && whole(got) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
	return got, fmt.Errorf("%w: %d bytes and still no whole answer", ErrNoAnswer, len(got))
}

// confirmPoll is how often ConfirmPrinted asks.
const confirmPoll = 200 * time.Millisecond

// ConfirmPrinted waits, for at most timeout, until the printer says the
// documents sent to it so far have printed. Call it right after a document
// was written.
//
// Which printers confirm:
//   - ZPL: every Zebra answering ~HS. Printed means no format waits in the
//     receive buffer, no label remains in the batch, nothing is partly
//     received and the printer is neither paused nor faulted. Link-OS
//     firmware may leave ~HS unanswered while media is out or the head is
//     open; that reads as no answer.
//   - ESC/POS: printers implementing GS ( H function 48, the process ID
//     response (Epson TM-T20 and later, TM-T88IV and later, TM-m30, TM-L90
//     and others of the Epson list). The ID is answered once the data
//     before it has printed. A printer that does not know the command
//     ignores it when it follows the standard's length rule, but a clone
//     may print its bytes: call it only for printers known to answer.
//   - TSPL: no command says a label has printed; ConfirmPrinted returns
//     false, nil at once.
//
// It returns (true, nil) when the printer confirmed; (false, nil) when it
// answers but cannot confirm in time or at all; (false, err) with
// errors.Is(err, ErrNoAnswer) when it never answered; (false, a
// *labelbridge.Error with the fault's code) when it reports a fault while
// the document waits; a *Error when the link failed.
func ConfirmPrinted(ctx context.Context, c Conn, lang labelbridge.Language, timeout time.Duration) (bool, error) {
	switch lang {
	case labelbridge.ZPL, labelbridge.ESCPOS:
	case labelbridge.TSPL:
		return false, nil
	default:
		return false, fmt.Errorf("printer: no print confirmation for language %q", lang)
	}
	r, ok := readBack(c)
	if !ok {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if lang == labelbridge.ESCPOS {
		return confirmESCPOS(ctx, c, r)
	}
	return confirmZPL(ctx, c)
}

// confirmZPL asks ~HS until the printer has nothing left to print.
func confirmZPL(ctx context.Context, c Conn) (bool, error) {
	answered := false
	var lastErr error
	for {
		st, err := QueryStatus(ctx, c, labelbridge.ZPL)
		switch {
		case err == nil:
			answered = true
			if err := st.Err(); err != nil {
				return false, err
			}
			if st.State == StateReady {
				return true, nil
			}
		case errors.Is(err, ErrNoAnswer):
			lastErr = err
		default:
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return confirmTimedOut(answered, lastErr)
			}
			return false, err
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return false, fmt.Errorf("printer: print confirmation: %w", ctx.Err())
			}
			return confirmTimedOut(answered, lastErr)
		case <-time.After(confirmPoll):
		}
	}
}

// confirmTimedOut is ConfirmPrinted's result when time ran out.
func confirmTimedOut(answered bool, lastErr error) (bool, error) {
	if answered {
		return false, nil
	}
	if lastErr == nil {
		lastErr = ErrNoAnswer
	}
	return false, lastErr
}

// confirmESCPOS sends a process ID (GS ( H function 48) and waits for the
// printer to send it back, asking DLE EOT between times to hear of faults
// and to tell a printer that cannot confirm from one that is silent.
func confirmESCPOS(ctx context.Context, c Conn, r Reader) (bool, error) {
	if err := drain(ctx, r); err != nil {
		return confirmLinkFailure(ctx, false, err)
	}
	id := processID()
	cmd := append([]byte{0x1D, '(', 'H', 6, 0, 48, 48}, id...)
	if err := c.Write(ctx, cmd); err != nil {
		return confirmLinkFailure(ctx, false, err)
	}
	answered := false
	var pending []byte
	buf := make([]byte, 512)
	for {
		if err := c.Write(ctx, []byte(escposQuery)); err != nil {
			return confirmLinkFailure(ctx, answered, err)
		}
		pctx, cancel := context.WithTimeout(ctx, confirmPoll)
		var status []byte
		for {
			n, err := r.Read(pctx, buf)
			pending = append(pending, buf[:n]...)
			s, ids, used := escposAnswers(pending)
			pending = pending[used:]
			status = append(status, s...)
			for _, got := range ids {
				if got == string(id) {
					cancel()
					return true, nil
				}
			}
			if len(status) >= 4 {
				answered = true
				st, perr := ParseESCPOSStatus(status[0], status[1], status[2], status[3])
				status = status[4:]
				if perr == nil && st.Err() != nil {
					cancel()
					return false, st.Err()
				}
			}
			if err != nil {
				if !isTimeout(err) {
					cancel()
					return confirmLinkFailure(ctx, answered, err)
				}
				break
			}
		}
		cancel()
		if err := ctx.Err(); err != nil {
			return confirmLinkFailure(ctx, answered, err)
		}
	}
}

// confirmLinkFailure is ConfirmPrinted's result for an error met on the
// link: time running out is the end of waiting, anything else a failure.
func confirmLinkFailure(ctx context.Context, answered bool, err error) (bool, error) {
	if errors.Is(ctx.Err(), context.Canceled) {
		return false, fmt.Errorf("printer: print confirmation: %w", ctx.Err())
	}
	if isTimeout(err) {
		return confirmTimedOut(answered, fmt.Errorf("%w: %w", ErrNoAnswer, err))
	}
	return false, err
}

// processID returns a fresh four-character process ID, each from the 32 to
// 126 range GS ( H allows; letters and digits, to read well in logs.
func processID() []byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	id := make([]byte, 4)
	rand.Read(id)
	for i, b := range id {
		id[i] = alphabet[int(b)%len(alphabet)]
	}
	return id
}
