package printer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
)

func openVirtual(t *testing.T, name string, o printer.Options) *printer.Virtual {
	t.Helper()
	v, err := printer.OpenVirtual(context.Background(), name, o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func writeDocs(t *testing.T, v *printer.Virtual, docs ...string) {
	t.Helper()
	for _, doc := range docs {
		if err := v.Write(context.Background(), []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVirtualNumberingContinuesAfterReopen(t *testing.T) {
	o := printer.Options{DataDir: t.TempDir(), Language: labelbridge.ZPL}
	dir := filepath.Join(o.DataDir, "virtual", "demo")

	v := openVirtual(t, "demo", o)
	if got := v.LastPath(); got != "" {
		t.Errorf("LastPath() before any document = %q, want empty", got)
	}
	writeDocs(t, v, "^XA1^XZ", "^XA2^XZ")
	if got, want := v.LastPath(), filepath.Join(dir, "000002.zpl"); got != want {
		t.Errorf("LastPath() = %q, want %q", got, want)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	// What a crash mid-write leaves behind, and a picture of document 2
	// that a preview put beside it.
	for _, name := range []string{".tmp-123456", "000002.png"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	v = openVirtual(t, "demo", o)
	writeDocs(t, v, "^XA3^XZ")

	var got []string
	for _, doc := range virtualDocs(t, dir) {
		got = append(got, doc.name+"="+string(doc.data))
	}
	want := []string{"000001.zpl=^XA1^XZ", "000002.png=x", "000002.zpl=^XA2^XZ", "000003.zpl=^XA3^XZ"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("folder holds %q, want %q", got, want)
	}
}

func TestVirtualExtensionFollowsLanguage(t *testing.T) {
	tests := []struct {
		lang labelbridge.Language
		want string
	}{
		{labelbridge.ZPL, "000001.zpl"},
		{labelbridge.ESCPOS, "000001.escpos"},
		{labelbridge.TSPL, "000001.tspl"},
		{"", "000001.bin"},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			v := openVirtual(t, "p", printer.Options{DataDir: t.TempDir(), Language: tt.lang})
			writeDocs(t, v, "doc")
			if got := filepath.Base(v.LastPath()); got != tt.want {
				t.Errorf("document written as %s, want %s", got, tt.want)
			}
		})
	}
}

func TestVirtualRejects(t *testing.T) {
	tests := []struct {
		name, printer string
		o             printer.Options
		mention       string
	}{
		{"ParentFolder", "..", printer.Options{DataDir: "data"}, "plain name"},
		{"PathInName", "../../etc", printer.Options{DataDir: "data"}, "must not hold"},
		{"WindowsPath", `C:\temp`, printer.Options{DataDir: "data"}, "must not hold"},
		{"NoDataDir", "demo", printer.Options{}, "data directory"},
		{"Language", "demo", printer.Options{DataDir: "data", Language: "pdf"}, `language "pdf"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			if o.DataDir != "" {
				o.DataDir = filepath.Join(t.TempDir(), o.DataDir)
			}
			_, err := printer.OpenVirtual(context.Background(), tt.printer, o)
			pe := asError(t, err)
			if !strings.Contains(err.Error(), tt.mention) || pe.Temporary() {
				t.Errorf("OpenVirtual(%q) = %v (Temporary %v), want a permanent error mentioning %s",
					tt.printer, err, pe.Temporary(), tt.mention)
			}
			if o.DataDir != "" {
				if _, err := os.Stat(o.DataDir); !os.IsNotExist(err) {
					t.Errorf("OpenVirtual(%q) created %s", tt.printer, o.DataDir)
				}
			}
		})
	}
}
