package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/labelbridge/labelbridge"
)

func cmdPrinters(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("printers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9110", "daemon address")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+*addr+"/v1/printers", nil)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge printers: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge printers: %v (is the daemon running?)\n", err)
		return 1
	}
	defer resp.Body.Close()
	var body struct {
		Printers []labelbridge.PrinterInfo `json:"printers"`
	}
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "labelbridge printers: daemon answered %s\n", resp.Status)
		return 1
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		fmt.Fprintf(stderr, "labelbridge printers: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(body)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tLANGUAGE\tCONNECTION\tSTATUS")
	for _, p := range body.Printers {
		st := p.Status.State
		if p.Status.Detail != "" {
			st += " (" + p.Status.Detail + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Language, p.Connection, st)
	}
	tw.Flush()
	return 0
}
