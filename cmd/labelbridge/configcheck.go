package main

import (
	"flag"
	"fmt"
	"io"
)

func cmdConfigCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file to check")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *path == "" && fs.NArg() == 1 {
		*path = fs.Arg(0)
	}
	if *path == "" {
		fmt.Fprintln(stderr, "usage: labelbridge config check --config PATH")
		return 2
	}
	cfg, err := loadConfig(*path, "", "")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: ok (listen %s, data_dir %s, %d printers)\n", *path, cfg.Listen, cfg.DataDir, len(cfg.Printers))
	for _, p := range cfg.Printers {
		fmt.Fprintf(stdout, "  %s: %s over %s\n", p.Name, p.Language, p.Connection)
	}
	return 0
}
