package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
)

// FuzzParse checks that no file makes Parse panic, that a failure is always
// Errors of *Error placed inside the file, and that a success is a Config
// that keeps every rule.
func FuzzParse(f *testing.F) {
	var files []string
	for _, pattern := range []string{"example.*", "good/*", "bad/*"} {
		matches, _ := filepath.Glob(filepath.Join("testdata", pattern))
		files = append(files, matches...)
	}
	if len(files) == 0 {
		f.Fatal("no seed files in testdata")
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.HasSuffix(path, ".toml"), data)
	}
	f.Fuzz(func(t *testing.T, isTOML bool, data []byte) {
		name := "fuzz.yaml"
		if isTOML {
			name = "fuzz.toml"
		}
		c, err := Parse(name, data)
		if err != nil {
			checkErrors(t, name, data, c, err)
			return
		}
		checkConfig(t, c)
	})
}

func checkErrors(t *testing.T, name string, data []byte, c *Config, err error) {
	t.Helper()
	if c != nil {
		t.Errorf("Parse returned a Config with error %v", err)
	}
	var errs Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("error %T %v, want non-empty Errors", err, err)
	}
	// YAML also breaks lines at a lone CR, NEL, LS and PS; counting CRLF
	// twice keeps this an upper bound.
	text, err := decodeText(data)
	if err != nil {
		text = data
	}
	lines := 1
	for _, br := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		lines += bytes.Count(text, []byte(br))
	}
	for _, e := range errs {
		if e == nil || e.File != name || e.Msg == "" || e.Line < 0 || e.Line > lines {
			t.Errorf("bad error %#v in a %d-line file", e, lines)
		}
	}
}

// checkConfig checks the rules a parsed Config keeps.
func checkConfig(t *testing.T, c *Config) {
	t.Helper()
	if c.Listen == "" || c.Retention <= 0 || c.Source == "" {
		t.Errorf("Listen %q, Retention %v, Source %q", c.Listen, c.Retention, c.Source)
	}
	for _, o := range c.AllowedOrigins {
		if got, err := parseOrigin(o); err != nil || got != o {
			t.Errorf("origin %q is not normalised: %q, %v", o, got, err)
		}
	}
	names := make(map[string]bool)
	for _, p := range c.Printers {
		if err := checkPrinter(p); err != "" {
			t.Errorf("printer %+v: %s", p, err)
		}
		if names[strings.ToLower(p.Name)] {
			t.Errorf("printer name %q twice", p.Name)
		}
		names[strings.ToLower(p.Name)] = true
	}
	l := c.Limits
	if l.MaxFrameBytes < 1 || l.MaxJobBytes < 1 || l.MaxDocuments < 1 || l.MaxDocuments > labelbridge.MaxDocuments ||
		l.MaxConnections < 1 || !(l.RequestsPerSecond > 0) || l.IdleTimeout <= 0 || l.WriteTimeout <= 0 {
		t.Errorf("Limits %+v", l)
	}
	if !strings.Contains(" debug info warn error ", " "+c.Log.Level+" ") || !strings.Contains(" auto console json ", " "+c.Log.Format+" ") {
		t.Errorf("Log %+v", c.Log)
	}
}

func checkPrinter(p Printer) string {
	switch {
	case p.Name == "" || p.Name == "." || p.Name == ".." || strings.Trim(p.Name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "":
		return "bad name"
	case !p.Language.Valid():
		return "bad language"
	case p.Address.Raw != p.Connection || p.Address.Scheme == "":
		return "address does not match connection"
	case p.DPI != 152 && p.DPI != 203 && p.DPI != 300 && p.DPI != 600:
		return "bad dpi"
	case p.Text != "auto" && p.Text != "raster" && p.Text != "native":
		return "bad text"
	case p.Language == labelbridge.ESCPOS && (p.Media != "" || (p.Width != "80mm" && p.Width != "58mm")):
		return "bad receipt size"
	case p.Language != labelbridge.ESCPOS && p.Width != "":
		return "width on a label printer"
	}
	if p.Language != labelbridge.ESCPOS {
		if m, err := parseMedia(p.Media); err != nil || m != p.Media {
			return "bad media"
		}
	}
	return ""
}
