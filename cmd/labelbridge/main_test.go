package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// pdfiumCache is the one compilation cache of PDFium every test of this
// package shares: compiling PDFium takes seconds (tens under -race), once.
// `labelbridge preview` finds it through XDG_CACHE_HOME, daemons started by
// startMain through their data folder.
var pdfiumCache string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "labelbridge-cmd-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	pdfiumCache = filepath.Join(dir, "labelbridge", "pdfium")
	if err := os.MkdirAll(pdfiumCache, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
