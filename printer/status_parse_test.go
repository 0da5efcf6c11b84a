package printer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
)

// Answers under testdata/status follow the layouts the manuals print: ZPL
// II Programming Guide (~HS, ~HI), Epson ESC/POS reference (DLE EOT, GS ( H,
// automatic status back).

func readStatusFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "status", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// statusFiles returns the names of the files under testdata/status that
// match pattern.
func statusFiles(tb testing.TB, pattern string) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "status", pattern))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no testdata/status/%s: %v", pattern, err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

type wantStatus struct {
	state   State
	faults  []labelbridge.Code
	labels  int
	formats int
	detail  string
}

func checkStatus(t *testing.T, got Status, want wantStatus) {
	t.Helper()
	if got.State != want.state || !slices.Equal(got.Faults, want.faults) ||
		got.LabelsRemaining != want.labels || got.FormatsInBuffer != want.formats || got.Detail != want.detail {
		t.Errorf("got  %s %v labels %d formats %d %q\nwant %s %v labels %d formats %d %q",
			got.State, got.Faults, got.LabelsRemaining, got.FormatsInBuffer, got.Detail,
			want.state, want.faults, want.labels, want.formats, want.detail)
	}
}

func TestParseZPLHostStatus(t *testing.T) {
	tests := map[string]wantStatus{
		"zpl-ready.hs":            {state: StateReady},
		"zpl-paper-out-paused.hs": {StateFault, []labelbridge.Code{labelbridge.CodePaperOut, labelbridge.CodePaused}, 1, 1, "paper out, paused, 1 format in buffer, 1 label to print"},
		"zpl-head-open.hs":        {StateFault, []labelbridge.Code{labelbridge.CodeHeadOpen}, 0, 0, "head open"},
		"zpl-ribbon-out.hs":       {StateFault, []labelbridge.Code{labelbridge.CodeRibbonOut, labelbridge.CodePaused}, 0, 0, "ribbon out, paused"},
		"zpl-paused.hs":           {StateFault, []labelbridge.Code{labelbridge.CodePaused}, 0, 0, "paused"},
		"zpl-printing.hs":         {StateBusy, nil, 5, 2, "2 formats in buffer, 5 labels to print"},
		"zpl-buffer-full.hs":      {StateBusy, nil, 0, 99, "99 formats in buffer, receive buffer full"},
		"zpl-partial-format.hs":   {state: StateBusy},
		"zpl-too-hot.hs":          {state: StateReady, detail: "head over temperature"},
		"zpl-short-string1.hs":    {state: StateReady},
		"zpl-noise-before.hs":     {state: StateReady},
		"zpl-no-crlf.hs":          {state: StateReady},
	}
	for _, name := range statusFiles(t, "*.hs") {
		t.Run(name, func(t *testing.T) {
			b := readStatusFile(t, name)
			got, err := ParseZPLHostStatus(b)
			if strings.HasPrefix(name, "bad-") {
				if err == nil {
					t.Fatalf("ParseZPLHostStatus(%q) = %+v, want an error", b, got)
				}
				if got.State != StateUnknown {
					t.Errorf("State = %s on error, want unknown", got.State)
				}
				return
			}
			want, ok := tests[name]
			if !ok {
				t.Fatalf("no expectation for testdata/status/%s", name)
			}
			if err != nil {
				t.Fatalf("ParseZPLHostStatus(%q): %v", b, err)
			}
			checkStatus(t, got, want)
			if !strings.HasSuffix(string(b), got.Raw) || strings.Count(got.Raw, "\x02") != 3 {
				t.Errorf("Raw = %q, want the three strings answered", got.Raw)
			}
		})
	}
}

func TestParseESCPOSStatus(t *testing.T) {
	// Bytes from the Epson tables: bits 1 and 4 always on (0x12).
	tests := []struct {
		name           string
		n1, n2, n3, n4 byte
		want           wantStatus
	}{
		{"Ready", 0x12, 0x12, 0x12, 0x12, wantStatus{state: StateReady}},
		{"DrawerHigh", 0x16, 0x12, 0x12, 0x12, wantStatus{state: StateReady}},
		{"PaperEndStop", 0x1A, 0x32, 0x12, 0x72, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut}, 0, 0, "paper out"}},
		{"PaperEndSensorOnly", 0x12, 0x12, 0x12, 0x60 | 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut}, 0, 0, "paper out"}},
		{"CoverOpen", 0x1A, 0x16, 0x12, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeCoverOpen}, 0, 0, "cover open"}},
		{"CoverOpenWhilePrinting", 0x1A, 0x56, 0x52, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeCoverOpen}, 0, 0, "cover open, head too hot"}},
		{"Autocutter", 0x1A, 0x52, 0x1A, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperJam}, 0, 0, "autocutter error"}},
		{"Mechanical", 0x1A, 0x52, 0x16, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperJam}, 0, 0, "mechanical error"}},
		{"Unrecoverable", 0x1A, 0x52, 0x32, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeOffline}, 0, 0, "unrecoverable error"}},
		{"HeadTooHot", 0x1A, 0x52, 0x52, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeOffline}, 0, 0, "head too hot"}},
		{"OfflineNoCause", 0x1A, 0x12, 0x12, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeOffline}, 0, 0, "offline"}},
		{"NearEnd", 0x12, 0x12, 0x12, 0x1E, wantStatus{state: StateReady, detail: "paper near end"}},
		{"FeedButton", 0x1A, 0x1A, 0x12, 0x12, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeOffline}, 0, 0, "offline"}},
		{"FeedButtonOnline", 0x12, 0x1A, 0x12, 0x12, wantStatus{state: StateBusy, detail: "feeding paper"}},
		{"PaperOutAndCover", 0x1A, 0x36, 0x12, 0x7E, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut, labelbridge.CodeCoverOpen}, 0, 0, "paper out, cover open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseESCPOSStatus(tt.n1, tt.n2, tt.n3, tt.n4)
			if err != nil {
				t.Fatal(err)
			}
			checkStatus(t, got, tt.want)
		})
	}
	bad := []struct {
		name           string
		n1, n2, n3, n4 byte
	}{
		{"Zero", 0x00, 0x12, 0x12, 0x12},
		{"ASBFirstByte", 0x12, 0x10, 0x12, 0x12},
		{"Bit7", 0x12, 0x12, 0x92, 0x12},
		{"Bit0", 0x12, 0x12, 0x12, 0x13},
		{"Text", 'O', 'K', '\r', '\n'},
	}
	for _, tt := range bad {
		t.Run("Err"+tt.name, func(t *testing.T) {
			if got, err := ParseESCPOSStatus(tt.n1, tt.n2, tt.n3, tt.n4); err == nil || got.State != StateUnknown {
				t.Errorf("ParseESCPOSStatus(%#x %#x %#x %#x) = %+v, %v; want unknown and an error", tt.n1, tt.n2, tt.n3, tt.n4, got, err)
			}
		})
	}
}

func TestESCPOSAnswers(t *testing.T) {
	tests := map[string]wantStatus{
		"escpos-ready.bin":         {state: StateReady},
		"escpos-paper-out.bin":     {StateFault, []labelbridge.Code{labelbridge.CodePaperOut}, 0, 0, "paper out"},
		"escpos-cover-open.bin":    {StateFault, []labelbridge.Code{labelbridge.CodeCoverOpen}, 0, 0, "cover open"},
		"escpos-autocutter.bin":    {StateFault, []labelbridge.Code{labelbridge.CodePaperJam}, 0, 0, "autocutter error"},
		"escpos-near-end.bin":      {state: StateReady, detail: "paper near end"},
		"escpos-unrecoverable.bin": {StateFault, []labelbridge.Code{labelbridge.CodeOffline}, 0, 0, "unrecoverable error"},
		"escpos-asb-and-id.bin":    {state: StateReady},
	}
	q, err := statusQueryFor(labelbridge.ESCPOS)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range statusFiles(t, "*escpos-*.bin") {
		t.Run(name, func(t *testing.T) {
			b := readStatusFile(t, name)
			got, err := q.parse(b)
			if strings.HasPrefix(name, "bad-") {
				if err == nil || q.answer(b) {
					t.Errorf("parse(% x) = %+v, %v; want an error and no whole answer", b, got, err)
				}
				return
			}
			if !q.answer(b) {
				t.Errorf("answer(% x) = false, want a whole answer", b)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkStatus(t, got, tests[name])
		})
	}
	t.Run("ProcessID", func(t *testing.T) {
		b := readStatusFile(t, "escpos-asb-and-id.bin")
		status, ids, used := escposAnswers(b)
		if len(status) != 4 || !slices.Equal(ids, []string{"AB12"}) || used != len(b) {
			t.Errorf("escposAnswers = status % x, ids %q, used %d; want 4 bytes, [AB12], %d", status, ids, used, len(b))
		}
		// A response cut short waits for the rest.
		_, ids, used = escposAnswers([]byte("7\"AB"))
		if len(ids) != 0 || used != 0 {
			t.Errorf("escposAnswers(half a process ID) = ids %q, used %d; want none, 0", ids, used)
		}
	})
}

func TestParseTSPLStatus(t *testing.T) {
	// The TSPL manual's table of <ESC>!? answers.
	tests := []struct {
		b    byte
		want wantStatus
	}{
		{0x00, wantStatus{state: StateReady}},
		{0x01, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeHeadOpen}, 0, 0, "head open"}},
		{0x02, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperJam}, 0, 0, "paper jam"}},
		{0x03, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeHeadOpen, labelbridge.CodePaperJam}, 0, 0, "head open, paper jam"}},
		{0x04, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut}, 0, 0, "paper out"}},
		{0x05, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut, labelbridge.CodeHeadOpen}, 0, 0, "paper out, head open"}},
		{0x08, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeRibbonOut}, 0, 0, "ribbon out"}},
		{0x0C, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut, labelbridge.CodeRibbonOut}, 0, 0, "paper out, ribbon out"}},
		{0x10, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaused}, 0, 0, "paused"}},
		{0x20, wantStatus{state: StateBusy, detail: "printing"}},
		{0x40, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeCoverOpen}, 0, 0, "cover open"}},
		{0x80, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodeOffline}, 0, 0, "temperature out of range"}},
		{0x14, wantStatus{StateFault, []labelbridge.Code{labelbridge.CodePaperOut, labelbridge.CodePaused}, 0, 0, "paper out, paused"}},
	}
	for _, tt := range tests {
		t.Run(tt.want.detail+"/"+string(tt.want.state), func(t *testing.T) {
			checkStatus(t, ParseTSPLStatus(tt.b), tt.want)
		})
	}
	t.Run("EveryByte", func(t *testing.T) {
		for b := range 256 {
			st := ParseTSPLStatus(byte(b))
			if (st.State == StateFault) != (b&^0x20 != 0) || (st.State == StateFault) != (st.Err() != nil) {
				t.Errorf("ParseTSPLStatus(%#02x) = %s %v", b, st.State, st.Faults)
			}
		}
	})
}

func TestParseZPLHostIdentity(t *testing.T) {
	tests := map[string]Identity{
		"zpl-zd421.hi":   {Model: "ZD421-300dpi", Firmware: "V84.20.18Z", DPI: 300, Memory: "8176KB"},
		"zpl-gk420d.hi":  {Model: "GK420d", Firmware: "V61.17.16Z", DPI: 203, Memory: "8176KB"},
		"zpl-options.hi": {Model: "ZT410-203dpi", Firmware: "V75.20.01Z", DPI: 203, Memory: "512KB"},
	}
	for _, name := range statusFiles(t, "*.hi") {
		t.Run(name, func(t *testing.T) {
			b := readStatusFile(t, name)
			got, err := ParseZPLHostIdentity(b)
			if strings.HasPrefix(name, "bad-") {
				if err == nil {
					t.Errorf("ParseZPLHostIdentity(%q) = %+v, want an error", b, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.Raw = ""
			if want := tests[name]; got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestStatusErr(t *testing.T) {
	st := ParseTSPLStatus(0x14)
	err := st.Err()
	if got := labelbridge.ErrorCode(err); got != labelbridge.CodePaperOut {
		t.Errorf("ErrorCode(Err()) = %q, want paper_out", got)
	}
	if got := labelbridge.ErrorMessage(err); got != "printer reports paper out, paused" {
		t.Errorf("ErrorMessage(Err()) = %q", got)
	}
	for _, st := range []Status{{State: StateReady}, {State: StateBusy}, {State: StateUnknown}, {State: StateOffline}} {
		if err := st.Err(); err != nil {
			t.Errorf("Status{%s}.Err() = %v, want nil", st.State, err)
		}
	}
}

// FuzzParseZPLHostStatus checks that no answer makes the parser panic, and
// that a parsed one keeps Status's rules.
func FuzzParseZPLHostStatus(f *testing.F) {
	for _, name := range statusFiles(f, "*.hs") {
		f.Add(readStatusFile(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseZPLHostStatus(b)
		checkParsed(t, b, st, err)
		if err == nil && (st.LabelsRemaining < 0 || st.FormatsInBuffer < 0) {
			t.Errorf("negative counters: %+v", st)
		}
	})
}

// FuzzESCPOSAnswer checks the ESC/POS answer reader on any stream.
func FuzzESCPOSAnswer(f *testing.F) {
	for _, name := range statusFiles(f, "*escpos-*.bin") {
		f.Add(readStatusFile(f, name))
	}
	q, err := statusQueryFor(labelbridge.ESCPOS)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		status, ids, used := escposAnswers(b)
		if used < 0 || used > len(b) || len(status) > len(b) {
			t.Fatalf("escposAnswers(% x) = %d status bytes, used %d", b, len(status), used)
		}
		for _, id := range ids {
			if len(id) != 4 {
				t.Errorf("process ID %q is not 4 bytes", id)
			}
		}
		st, err := q.parse(b)
		checkParsed(t, b, st, err)
		if q.answer(b) != (len(status) >= 4) {
			t.Errorf("answer(% x) = %v with %d status bytes", b, q.answer(b), len(status))
		}
	})
}

// FuzzParseZPLHostIdentity checks the ~HI reader on any answer.
func FuzzParseZPLHostIdentity(f *testing.F) {
	for _, name := range statusFiles(f, "*.hi") {
		f.Add(readStatusFile(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := ParseZPLHostIdentity(b)
		if err != nil {
			return
		}
		if id.Model == "" || !printable(id.Model) || !printable(id.Firmware) {
			t.Errorf("identity %+v from %q", id, b)
		}
		switch id.DPI {
		case 152, 203, 300, 600:
		default:
			t.Errorf("DPI %d from %q", id.DPI, b)
		}
	})
}

// checkParsed holds for every parser result: an error leaves the state
// unknown; a success has a known state, faults exactly when it is a fault,
// and Err agrees.
func checkParsed(t *testing.T, b []byte, st Status, err error) {
	t.Helper()
	if err != nil {
		if st.State != StateUnknown || errors.Is(err, ErrNoAnswer) {
			t.Errorf("parse(%q) = %+v, %v", b, st, err)
		}
		return
	}
	switch st.State {
	case StateReady, StateBusy:
		if len(st.Faults) != 0 || st.Err() != nil {
			t.Errorf("parse(%q) = %s with faults %v", b, st.State, st.Faults)
		}
	case StateFault:
		if len(st.Faults) == 0 || st.Err() == nil || st.Detail == "" {
			t.Errorf("parse(%q) = fault without faults or detail: %+v", b, st)
		}
	default:
		t.Errorf("parse(%q) = state %q", b, st.State)
	}
}
