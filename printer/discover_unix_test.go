//go:build linux || darwin || freebsd || openbsd

package printer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
	"github.com/labelbridge/labelbridge/printer/printertest"
)

// The serial enumerator does not list pseudo-terminals: they are given by
// path, and probed.
func TestDiscoverSerialProbe(t *testing.T) {
	langs := []labelbridge.Language{labelbridge.ZPL, labelbridge.ESCPOS, labelbridge.TSPL, ""}
	sims := make([]*printertest.Serial, len(langs))
	var paths []string
	for i, lang := range langs {
		sims[i] = printertest.NewSerial(t)
		sims[i].SetLanguage(lang) // "": a device that never answers
		paths = append(paths, sims[i].Path())
	}
	found, err := printer.Discover(context.Background(), printer.DiscoverOptions{SkipSystem: true, SerialPaths: paths, Baud: 19200})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != len(langs) {
		t.Fatalf("found %d ports, want %d: %+v", len(found), len(langs), found)
	}
	for i, f := range found {
		if want := "serial://" + paths[i] + "?baud=19200"; f.Connection != want || f.Language != langs[i] {
			t.Errorf("found[%d] = %s %q (%s), want %s %q", i, f.Connection, f.Language, f.Detail, want, langs[i])
		}
	}
	if f := found[0]; f.Model != "ZD421-300dpi" || f.DPI != 300 {
		t.Errorf("ZPL printer found as model %q, %d dpi; want its ~HI answer", f.Model, f.DPI)
	}
	if !strings.Contains(found[3].Detail, "no answer") {
		t.Errorf("Detail of a silent port = %q, want it to say so", found[3].Detail)
	}
	// What probing left behind does not spoil the first document.
	printsThroughConfig(t, found[:3], func(printer.Conn) {})
	for i, s := range sims[:3] {
		want := doc(langs[i], found[i].Name)
		err := s.Wait(waitCtx(t), func([]byte) bool {
			docs := s.Documents()
			return len(docs) > 0 && bytes.Equal(docs[len(docs)-1].Data, want)
		})
		if err != nil {
			t.Errorf("%s printer: %v; documents %+v", langs[i], err, s.Documents())
		}
	}
}
