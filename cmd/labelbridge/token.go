package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/labelbridge/labelbridge/auth"
)

const tokenUsage = `usage:
  labelbridge token new NAME [--origin https://app.example.com] [--admin] [--config PATH | --data-dir DIR]
  labelbridge token revoke NAME [--config PATH | --data-dir DIR]
  labelbridge token list [--config PATH | --data-dir DIR]`

// cmdToken manages access tokens. `token new` prints the secret alone on the
// first line of stdout (scripts read it from there); it is never shown again.
func cmdToken(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, tokenUsage)
		return 2
	}
	action := args[0]
	fs := flag.NewFlagSet("token "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (its data_dir holds the tokens)")
	dataDir := fs.String("data-dir", "", "data folder, overrides the config")
	origin := fs.String("origin", "", "only browsers from this origin may use the token")
	admin := fs.Bool("admin", false, "the token may change settings (allowed origins) from the status page")
	if err := fs.Parse(reorder(args[1:], "admin")); err != nil {
		return 2
	}
	cfg, err := loadConfig(*configPath, "", *dataDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	store, err := auth.Open(filepath.Join(cfg.DataDir, "tokens.json"))
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge token: %v\n", err)
		return 1
	}
	switch action {
	case "new":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, tokenUsage)
			return 2
		}
		secret, err := store.New(fs.Arg(0), *origin, *admin)
		if err != nil {
			fmt.Fprintf(stderr, "labelbridge token: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, secret)
		fmt.Fprintf(stderr, "token %q created; it is shown only now. From now on every client must present a token.\n", fs.Arg(0))
	case "revoke":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, tokenUsage)
			return 2
		}
		if err := store.Revoke(fs.Arg(0)); err != nil {
			fmt.Fprintf(stderr, "labelbridge token: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "token %q revoked\n", fs.Arg(0))
	case "list":
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tORIGIN\tADMIN\tCREATED\tSTATE")
		for _, t := range store.List() {
			state := "active"
			if !t.Active() {
				state = "revoked " + t.Revoked.Format("2006-01-02")
			}
			fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%s\n", t.Name, t.Origin, t.Admin, t.Created.Format("2006-01-02 15:04"), state)
		}
		tw.Flush()
	default:
		fmt.Fprintln(stderr, tokenUsage)
		return 2
	}
	return 0
}
