package printertest_test

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// waitFor polls cond until it holds, failing the test after ten seconds:
// for state that changes with time (printing) rather than with bytes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFaultHoldsPrinting(t *testing.T) {
	s := printertest.NewTCP(t)
	s.SetLanguage(labelbridge.ZPL)
	c := dial(t, s)
	send := func(doc string) {
		t.Helper()
		if _, err := c.Write([]byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	docs := func(n int) func() bool { return func() bool { return len(s.Documents()) == n } }

	send("^XA^FDone^FS^XZ")
	waitFor(t, "the first label to print", func() bool { return s.Printed() == 1 })
	s.SetFault(labelbridge.CodePaperOut)
	if got := s.Fault(); got != labelbridge.CodePaperOut {
		t.Errorf("Fault() = %q, want paper_out", got)
	}
	send("^XA^FDtwo^FS^XZ")
	waitFor(t, "the second document", docs(2))
	// A printer out of paper takes the document into its buffer and
	// prints nothing.
	time.Sleep(5 * printertest.PrintTime)
	if got := s.Printed(); got != 1 {
		t.Errorf("Printed() while out of paper = %d, want 1", got)
	}
	s.ClearFault()
	send("^XA^FDthree^FS^XZ")
	waitFor(t, "every label to print", func() bool { return s.Printed() == 3 })

	var faulted []bool
	for _, d := range s.Documents() {
		faulted = append(faulted, d.Faulted)
		if !d.Complete {
			t.Errorf("document %q is not complete", d.Data)
		}
	}
	if want := []bool{false, true, false}; !slices.Equal(faulted, want) {
		t.Errorf("Faulted of each document = %v, want %v", faulted, want)
	}
}

func TestZPLAnswers(t *testing.T) {
	s := printertest.NewTCP(t)
	s.SetLanguage(labelbridge.ZPL)
	s.SetIdentity("GK420d,V61.17.16Z,8,8176KB")
	c := dial(t, s)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	if _, err := c.Write([]byte("~HI")); err != nil {
		t.Fatal(err)
	}
	line, err := r.ReadString('\n')
	if want := "\x02GK420d,V61.17.16Z,8,8176KB\x03\r\n"; err != nil || line != want {
		t.Errorf("~HI answer = %q, %v; want %q", line, err, want)
	}
	s.SetConfirms(false)
	if _, err := c.Write([]byte("~HS")); err != nil {
		t.Fatal(err)
	}
	line, err = r.ReadString('\n')
	// Nothing was sent, yet a printer that cannot confirm reports one
	// format in its buffer.
	if want := "\x02030,0,0,1218,001,0,0,0,000,0,0,0\x03\r\n"; err != nil || line != want {
		t.Errorf("~HS first string = %q, %v; want %q", line, err, want)
	}
}

func TestESCPOSProcessIDWaitsForPrinting(t *testing.T) {
	s := printertest.NewTCP(t)
	s.SetLanguage(labelbridge.ESCPOS)
	s.SetFault(labelbridge.CodeCoverOpen)
	c := dial(t, s)
	if _, err := c.Write([]byte("\x1b@receipt\n\x1dV\x42\x00\x1d(H\x06\x00\x30\x30WXYZ")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), func([]byte) bool { return len(s.Queries()) == 1 }); err != nil {
		t.Fatal(err)
	}
	// Held by the fault: no answer yet.
	c.SetReadDeadline(time.Now().Add(5 * printertest.PrintTime))
	if n, _ := c.Read(make([]byte, 8)); n != 0 {
		t.Fatalf("the printer answered the process ID while its cover was open")
	}
	s.ClearFault()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, 7)
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if want := []byte("7\"WXYZ\x00"); !bytes.Equal(got, want) {
		t.Errorf("process ID response = %q, want %q", got, want)
	}
	if n := s.Printed(); n != 1 {
		t.Errorf("Printed() = %d, want 1", n)
	}
}

func TestSilentAnswersNothing(t *testing.T) {
	s := printertest.NewTCP(t)
	s.SetLanguage(labelbridge.TSPL)
	s.Silent(true)
	c := dial(t, s)
	if _, err := c.Write([]byte("\x1b!?")); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(waitCtx(t), func([]byte) bool { return len(s.Queries()) == 1 }); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * printertest.PrintTime))
	if n, _ := c.Read(make([]byte, 1)); n != 0 {
		t.Errorf("a silent printer answered")
	}
}
