// Command lbbench measures labelbridge for scripts/bench: end to end through
// a running daemon (e2e), rendering throughput and bytes on the wire
// (render), and image conversion on the same PNG the npm peers convert
// (image). Each subcommand prints one JSON object on stdout; scripts/bench
// turns them into BENCHMARKS.md. gen writes that PNG.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: lbbench e2e|render|image|gen [flags]")
		os.Exit(2)
	}
	var (
		out any
		err error
	)
	args := os.Args[2:]
	switch os.Args[1] {
	case "e2e":
		out, err = runE2E(args)
	case "render":
		out, err = runRender(args)
	case "image":
		out, err = runImage(args)
	case "gen":
		err = runGen(args)
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lbbench:", err)
		os.Exit(1)
	}
	if out != nil {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(os.Stderr, "lbbench:", err)
			os.Exit(1)
		}
	}
}
