package printer_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// simulator is what these tests ask of a simulated printer: printertest's
// TCP and Serial both have it.
type simulator interface {
	SetLanguage(labelbridge.Language)
	SetFault(labelbridge.Code)
	ClearFault()
	Silent(bool)
	SetConfirms(bool)
	Data() []byte
	Documents() []printertest.Document
	Queries() [][]byte
	Printed() int
	Wait(ctx context.Context, cond func(received []byte) bool) error
}

// statusLink is a kind of link status queries run over: a simulated
// printer and a connection to it.
type statusLink struct {
	name  string
	start func(t *testing.T) (printer.Conn, simulator)
}

// statusLinks lists the links that read back on this system.
func statusLinks() []statusLink {
	links := []statusLink{{"tcp", func(t *testing.T) (printer.Conn, simulator) {
		sim := printertest.NewTCP(t)
		c := mustOpen(t, sim.URL(), printer.Options{})
		t.Cleanup(func() { c.Close() })
		return c, sim
	}}}
	return append(links, systemStatusLinks()...)
}

var languages = []labelbridge.Language{labelbridge.ZPL, labelbridge.ESCPOS, labelbridge.TSPL}

// reported is the fault each language's status answer shows for a fault
// set on the simulator: the language's own flag, or its nearest one.
func reported(lang labelbridge.Language, set labelbridge.Code) labelbridge.Code {
	switch lang {
	case labelbridge.ZPL:
		switch set {
		case labelbridge.CodeCoverOpen:
			return labelbridge.CodeHeadOpen
		case labelbridge.CodePaperJam:
			return labelbridge.CodePaperOut
		case labelbridge.CodeOffline:
			return labelbridge.CodePaused
		}
	case labelbridge.ESCPOS:
		switch set {
		case labelbridge.CodeHeadOpen:
			return labelbridge.CodeCoverOpen
		case labelbridge.CodePaused, labelbridge.CodeOffline, labelbridge.CodeRibbonOut:
			return labelbridge.CodeOffline
		}
	}
	return set
}

func TestQueryStatus(t *testing.T) {
	faults := []labelbridge.Code{
		labelbridge.CodePaperOut, labelbridge.CodeHeadOpen, labelbridge.CodeCoverOpen, labelbridge.CodeRibbonOut,
		labelbridge.CodePaperJam, labelbridge.CodePaused, labelbridge.CodeOffline,
	}
	for _, link := range statusLinks() {
		for _, lang := range languages {
			t.Run(link.name+"/"+string(lang), func(t *testing.T) {
				c, sim := link.start(t)
				sim.SetLanguage(lang)
				st, err := printer.QueryStatus(context.Background(), c, lang)
				if err != nil || st.State != printer.StateReady || len(st.Faults) != 0 {
					t.Fatalf("QueryStatus = %+v, %v; want ready", st, err)
				}
				// One connection, many queries: each answer is read
				// whole, so the next starts clean.
				for _, fault := range faults {
					sim.SetFault(fault)
					st, err := printer.QueryStatus(context.Background(), c, lang)
					if err != nil {
						t.Fatalf("%s: %v", fault, err)
					}
					if want := reported(lang, fault); st.State != printer.StateFault || len(st.Faults) == 0 || st.Faults[0] != want {
						t.Errorf("%s: QueryStatus = %s %v (%q), want fault %s", fault, st.State, st.Faults, st.Detail, want)
					}
					if labelbridge.ErrorCode(st.Err()) != st.Faults[0] {
						t.Errorf("%s: Err() = %v", fault, st.Err())
					}
				}
				sim.ClearFault()
				if st, err := printer.QueryStatus(context.Background(), c, lang); err != nil || st.State != printer.StateReady {
					t.Errorf("after ClearFault: QueryStatus = %+v, %v; want ready", st, err)
				}
				perQuery := 1
				if lang == labelbridge.ESCPOS {
					perQuery = 4 // DLE EOT 1, 2, 3 and 4
				}
				if got, want := len(sim.Queries()), (len(faults)+2)*perQuery; got != want {
					t.Errorf("simulator saw %d queries, want %d", got, want)
				}
				if data := sim.Data(); len(data) != 0 {
					t.Errorf("status queries reached the printer as data: %q", data)
				}
			})
		}
	}
}

// doc returns a small document in lang, the way its encoder writes one.
func doc(lang labelbridge.Language, text string) []byte {
	switch lang {
	case labelbridge.ZPL:
		return []byte("^XA\n^FO10,10^FD" + text + "^FS\n^XZ")
	case labelbridge.ESCPOS:
		// A 1x2 raster whose image bytes spell DLE EOT 1: image data,
		// not a query.
		return append([]byte("\x1b@"+text+"\n\x1dv0\x00\x01\x00\x03\x00\x10\x04\x01"), 0x1d, 'V', 66, 0)
	default:
		return []byte("SIZE 50 mm,30 mm\r\nCLS\r\nTEXT 10,10,\"0\",0,1,1,\"" + text + "\"\r\nPRINT 1,1\r\n")
	}
}

func TestQueryStatusBetweenDocuments(t *testing.T) {
	for _, link := range statusLinks() {
		for _, lang := range languages {
			t.Run(link.name+"/"+string(lang), func(t *testing.T) {
				c, sim := link.start(t)
				sim.SetLanguage(lang)
				var want [][]byte
				for i, text := range []string{"one", "two", "three"} {
					d := doc(lang, text)
					if err := c.Write(context.Background(), d); err != nil {
						t.Fatal(err)
					}
					want = append(want, d)
					if _, err := printer.QueryStatus(context.Background(), c, lang); err != nil {
						t.Fatalf("QueryStatus after document %d: %v", i, err)
					}
				}
				docs := sim.Documents()
				var got [][]byte
				for _, d := range docs {
					got = append(got, d.Data)
				}
				if !slices.EqualFunc(got, want, bytes.Equal) {
					t.Errorf("simulator split the stream into %q\nwant %q", got, want)
				}
				if !bytes.Equal(sim.Data(), bytes.Join(want, nil)) {
					t.Errorf("Data() = %q, want the documents without the queries", sim.Data())
				}
			})
		}
	}
}

func TestQueryStatusNoAnswer(t *testing.T) {
	for _, link := range statusLinks() {
		for _, lang := range languages {
			t.Run(link.name+"/"+string(lang), func(t *testing.T) {
				c, sim := link.start(t)
				sim.SetLanguage(lang)
				sim.Silent(true)
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				st, err := printer.QueryStatus(ctx, c, lang)
				if !errors.Is(err, printer.ErrNoAnswer) || st.State != printer.StateUnknown {
					t.Errorf("QueryStatus of a silent printer = %+v, %v; want unknown and ErrNoAnswer", st, err)
				}
				// The link survives a query nobody answered.
				sim.Silent(false)
				if st, err := printer.QueryStatus(context.Background(), c, lang); err != nil || st.State != printer.StateReady {
					t.Errorf("QueryStatus once it answers again = %+v, %v; want ready", st, err)
				}
			})
		}
	}
	t.Run("WrongLanguage", func(t *testing.T) {
		c, sim := statusLinks()[0].start(t)
		sim.SetLanguage(labelbridge.ZPL)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		st, err := printer.QueryStatus(ctx, c, labelbridge.ESCPOS)
		if !errors.Is(err, printer.ErrNoAnswer) || st.State != printer.StateUnknown {
			t.Errorf("QueryStatus in ESC/POS of a ZPL printer = %+v, %v; want unknown and ErrNoAnswer", st, err)
		}
	})
	t.Run("NoReadBack", func(t *testing.T) {
		c := mustOpen(t, "file://"+filepath.Join(t.TempDir(), "out.prn"), printer.Options{})
		defer c.Close()
		st, err := printer.QueryStatus(context.Background(), c, labelbridge.ZPL)
		if !errors.Is(err, printer.ErrNoAnswer) || st.State != printer.StateUnknown {
			t.Errorf("QueryStatus over a file = %+v, %v; want unknown and ErrNoAnswer", st, err)
		}
	})
	t.Run("UnknownLanguage", func(t *testing.T) {
		c, _ := statusLinks()[0].start(t)
		if _, err := printer.QueryStatus(context.Background(), c, "epl"); err == nil || errors.Is(err, printer.ErrNoAnswer) {
			t.Errorf("QueryStatus(epl) = %v, want an error about the language", err)
		}
	})
}

func TestQueryStatusDrainsStaleAnswers(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.TSPL)
	c := mustOpen(t, sim.URL(), printer.Options{})
	defer c.Close()
	// After the first query the printer says more than was asked: a
	// "paper out" left unread would answer the next query.
	first := true
	sim.Reply(func(chunk []byte) []byte {
		if first {
			first = false
			return []byte{0x04}
		}
		return nil
	})
	for i := range 2 {
		st, err := printer.QueryStatus(context.Background(), c, labelbridge.TSPL)
		if err != nil || st.State != printer.StateReady {
			t.Errorf("query %d: QueryStatus = %+v, %v; want ready", i, st, err)
		}
		time.Sleep(20 * time.Millisecond) // let the extra byte arrive
	}
}

func TestQueryStatusLinkLost(t *testing.T) {
	sim := printertest.NewTCP(t)
	sim.SetLanguage(labelbridge.ZPL)
	c := mustOpen(t, sim.URL(), printer.Options{})
	defer c.Close()
	if _, err := printer.QueryStatus(context.Background(), c, labelbridge.ZPL); err != nil {
		t.Fatal(err)
	}
	sim.DropAfter(0)
	sim.Refuse()
	var st printer.Status
	var err error
	// The hang-up may take a moment to reach this side.
	for range 10 {
		st, err = printer.QueryStatus(context.Background(), c, labelbridge.ZPL)
		if !errors.Is(err, printer.ErrNoAnswer) {
			break
		}
	}
	pe := asError(t, err)
	if st.State != printer.StateOffline || !pe.Temporary() || errors.Is(err, printer.ErrNoAnswer) {
		t.Errorf("QueryStatus after the printer hung up = %+v, %v; want offline and a temporary *Error", st, err)
	}
	if err := c.Write(context.Background(), []byte("^XA^XZ")); err == nil {
		t.Error("Write after the link was lost = nil, want an error")
	}
}

func TestReadTimeoutKeepsLink(t *testing.T) {
	sim := printertest.NewTCP(t)
	c, err := printer.OpenTCP(context.Background(), sim.Addr(), printer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n, err := c.Read(ctx, make([]byte, 8))
	if n != 0 || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Read with nothing to read = %d, %v; want 0 and context.DeadlineExceeded", n, err)
	}
	if err := c.Write(context.Background(), []byte("after")); err != nil {
		t.Fatalf("Write after a timed-out Read: %v", err)
	}
	if err := sim.Wait(waitCtx(t), hasLen(5)); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Read(cctx, make([]byte, 8)); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestConfirmPrinted(t *testing.T) {
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name    string
		lang    labelbridge.Language
		setup   func(simulator)
		want    bool
		wantErr func(error) bool
	}{
		{"ZPL/Confirms", labelbridge.ZPL, func(simulator) {}, true, isNil},
		{"ZPL/CannotConfirm", labelbridge.ZPL, func(s simulator) { s.SetConfirms(false) }, false, isNil},
		{"ZPL/Silent", labelbridge.ZPL, func(s simulator) { s.Silent(true) }, false, isNoAnswer},
		{"ZPL/PaperOut", labelbridge.ZPL, func(s simulator) { s.SetFault(labelbridge.CodePaperOut) }, false, isCode(labelbridge.CodePaperOut)},
		{"ESCPOS/Confirms", labelbridge.ESCPOS, func(simulator) {}, true, isNil},
		{"ESCPOS/CannotConfirm", labelbridge.ESCPOS, func(s simulator) { s.SetConfirms(false) }, false, isNil},
		{"ESCPOS/Silent", labelbridge.ESCPOS, func(s simulator) { s.Silent(true) }, false, isNoAnswer},
		{"ESCPOS/CoverOpen", labelbridge.ESCPOS, func(s simulator) { s.SetFault(labelbridge.CodeCoverOpen) }, false, isCode(labelbridge.CodeCoverOpen)},
		{"TSPL/NeverConfirms", labelbridge.TSPL, func(simulator) {}, false, isNil},
	}
	for _, link := range statusLinks() {
		for _, tt := range tests {
			t.Run(link.name+"/"+tt.name, func(t *testing.T) {
				c, sim := link.start(t)
				sim.SetLanguage(tt.lang)
				tt.setup(sim)
				if err := c.Write(context.Background(), doc(tt.lang, "label")); err != nil {
					t.Fatal(err)
				}
				got, err := printer.ConfirmPrinted(context.Background(), c, tt.lang, timeout)
				if got != tt.want || !tt.wantErr(err) {
					t.Errorf("ConfirmPrinted = %v, %v; want %v", got, err, tt.want)
				}
				if err := sim.Wait(waitCtx(t), func([]byte) bool { return len(sim.Documents()) > 0 }); err != nil {
					t.Fatal(err)
				}
				if docs := sim.Documents(); len(docs) != 1 {
					t.Errorf("simulator received %d documents, want 1 (queries are no documents)", len(docs))
				}
			})
		}
	}
	t.Run("NoReadBack", func(t *testing.T) {
		c := mustOpen(t, "file://"+filepath.Join(t.TempDir(), "out.prn"), printer.Options{})
		defer c.Close()
		if got, err := printer.ConfirmPrinted(context.Background(), c, labelbridge.ZPL, timeout); got || err != nil {
			t.Errorf("ConfirmPrinted over a file = %v, %v; want false, nil", got, err)
		}
	})
}

// ConfirmPrinted waits for a held printer and confirms once the fault is
// cleared and the label printed.
func TestConfirmPrintedAfterFaultClears(t *testing.T) {
	for _, lang := range []labelbridge.Language{labelbridge.ZPL, labelbridge.ESCPOS} {
		t.Run(string(lang), func(t *testing.T) {
			sim := printertest.NewTCP(t)
			sim.SetLanguage(lang)
			c := mustOpen(t, sim.URL(), printer.Options{})
			defer c.Close()
			if err := c.Write(context.Background(), doc(lang, "label")); err != nil {
				t.Fatal(err)
			}
			// Set after the document arrived and before it printed:
			// the printer holds the label.
			if err := sim.Wait(waitCtx(t), func([]byte) bool { return len(sim.Documents()) == 1 }); err != nil {
				t.Fatal(err)
			}
			sim.SetFault(labelbridge.CodePaused)
			if got, err := printer.ConfirmPrinted(context.Background(), c, lang, time.Second); got || labelbridge.ErrorCode(err) == labelbridge.CodeInternal {
				t.Fatalf("ConfirmPrinted while paused = %v, %v; want false and the fault", got, err)
			}
			sim.ClearFault()
			if got, err := printer.ConfirmPrinted(context.Background(), c, lang, 2*time.Second); !got || err != nil {
				t.Errorf("ConfirmPrinted after the fault cleared = %v, %v; want true", got, err)
			}
			if n := sim.Printed(); n != 1 {
				t.Errorf("Printed() = %d, want 1", n)
			}
		})
	}
}

func TestStatusCancelled(t *testing.T) {
	for _, lang := range languages {
		t.Run(string(lang), func(t *testing.T) {
			sim := printertest.NewTCP(t)
			sim.SetLanguage(lang)
			sim.Silent(true)
			c := mustOpen(t, sim.URL(), printer.Options{})
			defer c.Close()
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			if _, err := printer.QueryStatus(ctx, c, lang); !errors.Is(err, context.Canceled) || errors.Is(err, printer.ErrNoAnswer) {
				t.Errorf("QueryStatus cancelled = %v, want context.Canceled", err)
			}
			if lang == labelbridge.TSPL {
				return
			}
			ctx, cancel = context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			if ok, err := printer.ConfirmPrinted(ctx, c, lang, time.Minute); ok || !errors.Is(err, context.Canceled) {
				t.Errorf("ConfirmPrinted cancelled = %v, %v; want false, context.Canceled", ok, err)
			}
		})
	}
}

func isNil(err error) bool      { return err == nil }
func isNoAnswer(err error) bool { return errors.Is(err, printer.ErrNoAnswer) }
func isCode(c labelbridge.Code) func(error) bool {
	return func(err error) bool { return labelbridge.ErrorCode(err) == c }
}
