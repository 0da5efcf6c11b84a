package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/labelbridge/labelbridge/certs"
)

const certUsage = `usage:
  labelbridge cert trust [--print] [--config PATH | --data-dir DIR]   trust the local CA on this PC
  labelbridge cert path [--config PATH | --data-dir DIR]              print the local CA's file`

// cmdCert manages the local CA behind wss://. `trust` adds it to this PC's
// trust store (as administrator) or, with --print, says how.
func cmdCert(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "trust" && args[0] != "path") {
		fmt.Fprintln(stderr, certUsage)
		return 2
	}
	action := args[0]
	fs := flag.NewFlagSet("cert "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (its data_dir holds the CA)")
	dataDir := fs.String("data-dir", "", "data folder, overrides the config")
	printOnly := fs.Bool("print", false, "print the commands instead of running them")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cfg, err := loadConfig(*configPath, "", *dataDir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	_, files, err := certs.Ensure(filepath.Join(cfg.DataDir, "tls"), cfg.TLS.Hosts, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "labelbridge cert: %v\n", err)
		return 1
	}
	if action == "path" {
		fmt.Fprintln(stdout, files.CA)
		return 0
	}
	cmds := trustCommands(files.CA)
	if *printOnly {
		fmt.Fprintf(stdout, "# Trust labelbridge's local CA (%s), as administrator:\n", files.CA)
		for _, c := range cmds {
			fmt.Fprintln(stdout, c.describe())
		}
		return 0
	}
	for _, c := range cmds {
		if c.optional {
			fmt.Fprintf(stdout, "also, for each user whose Chrome or Firefox should trust it:\n  %s\n", c.describe())
			continue
		}
		if err := c.run(stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "labelbridge cert trust: %s: %v\nrun it as administrator, or see: labelbridge cert trust --print\n", c.describe(), err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "trusted %s\n", files.CA)
	return 0
}

// trustStep is one command that adds the CA to a trust store; a copy step
// has no program and copies from to to.
type trustStep struct {
	prog     string
	args     []string
	from, to string
	optional bool // per user, not run for the whole machine
}

func (c trustStep) describe() string {
	if c.prog == "" {
		return fmt.Sprintf("cp %s %s", c.from, c.to)
	}
	s := c.prog
	for _, a := range c.args {
		s += " " + fmt.Sprintf("%q", a)
	}
	return s
}

func (c trustStep) run(stdout, stderr io.Writer) error {
	if c.prog == "" {
		data, err := os.ReadFile(c.from)
		if err != nil {
			return err
		}
		return os.WriteFile(c.to, data, 0o644)
	}
	cmd := exec.Command(c.prog, c.args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd.Run()
}

// trustCommands lists how each OS adds a CA to its machine-wide store.
func trustCommands(ca string) []trustStep {
	switch runtime.GOOS {
	case "windows":
		return []trustStep{{prog: "certutil", args: []string{"-addstore", "-f", "Root", ca}}}
	case "darwin":
		return []trustStep{{prog: "security", args: []string{"add-trusted-cert", "-d", "-r", "trustRoot", "-k", "/Library/Keychains/System.keychain", ca}}}
	default:
		return []trustStep{
			{from: ca, to: "/usr/local/share/ca-certificates/labelbridge-local-ca.crt"},
			{prog: "update-ca-certificates"},
			// Chrome and Firefox on Linux read each user's NSS database.
			{prog: "certutil", args: []string{"-d", "sql:$HOME/.pki/nssdb", "-A", "-t", "C,,", "-n", "labelbridge local CA", "-i", ca}, optional: true},
		}
	}
}
