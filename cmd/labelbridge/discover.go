package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/labelbridge/labelbridge/printer"
)

// pathList is a flag that may be given more than once.
type pathList []string

func (l *pathList) String() string     { return strings.Join(*l, ",") }
func (l *pathList) Set(s string) error { *l = append(*l, s); return nil }

// cmdDiscover lists the printers attached to this PC, and on a subnet when
// asked, as printer entries ready to paste into the config file.
func cmdDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var serial pathList
	fs.Var(&serial, "serial", "also probe the serial device at `PATH` (repeatable), for ports the system does not list")
	subnet := fs.String("subnet", "", "scan this `CIDR` (such as 192.168.1.0/24, at most a /22) for raw TCP printers")
	port := fs.Int("port", printer.DefaultDiscoverPort, "TCP port to scan")
	probe := fs.Bool("probe", false, "ask every serial port for its status in each language, to find the one it speaks (writes to the ports)")
	baud := fs.Int("baud", 9600, "serial speed to probe at and suggest")
	timeout := fs.Duration("timeout", printer.DefaultHostTimeout, "how long to wait for each scanned host to accept")
	asJSON := fs.Bool("json", false, "print what was found as JSON instead of config entries")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: labelbridge discover [--subnet CIDR] [--serial PATH]... [--probe] [--json]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	// Probing and scanning are bounded per device; this bounds the whole.
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	found, err := printer.Discover(ctx, printer.DiscoverOptions{
		SerialPaths: serial,
		ProbeSerial: *probe,
		Baud:        *baud,
		Subnet:      *subnet,
		Port:        *port,
		HostTimeout: *timeout,
	})
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge discover: %v\n", err)
		if len(found) == 0 {
			return 1
		}
	}
	if *asJSON {
		if found == nil {
			found = []printer.Found{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(found); err != nil {
			fmt.Fprintf(stderr, "labelbridge discover: %v\n", err)
			return 1
		}
		return 0
	}
	if len(found) == 0 {
		fmt.Fprintln(stderr, "labelbridge discover: no printers found; try --probe, --serial PATH or --subnet CIDR")
		return 0
	}
	fmt.Fprintf(stdout, "# Found by labelbridge discover. Paste the printers you want into the\n"+
		"# config file, check each language and name, then run: labelbridge config check\n")
	fmt.Fprint(stdout, printer.ConfigYAML(found))
	return 0
}
