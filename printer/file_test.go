package printer_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelbridge/labelbridge/printer"
)

func TestFileAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.zpl")
	if err := os.WriteFile(path, []byte("kept\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, docs := range [][]string{{"^XA1^XZ\n", "^XA2^XZ\n"}, {"^XA3^XZ\n"}} {
		c, err := printer.OpenFile(context.Background(), path, printer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			if err := c.Write(context.Background(), []byte(doc)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	want := "kept\n^XA1^XZ\n^XA2^XZ\n^XA3^XZ\n"
	if got := string(mustRead(t, path)); got != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
}

func TestFileMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no such folder", "out.zpl")
	_, err := printer.OpenFile(context.Background(), path, printer.Options{})
	if pe := asError(t, err); pe.Op != "open" || pe.Addr != "file://"+path {
		t.Errorf("OpenFile = %v (Op %q, Addr %q), want an open error naming file://%s", err, pe.Op, pe.Addr, path)
	}
}
