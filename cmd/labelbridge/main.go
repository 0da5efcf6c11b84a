// Command labelbridge is the label-printer bridge: a daemon that takes print
// jobs over WebSocket and HTTP and sends them to thermal printers, and the
// client commands that talk to it.
//
// Usage:
//
//	labelbridge demo                     print a sample batch to virtual printers
//	labelbridge run --config PATH        run the daemon in the foreground
//	labelbridge preview DOC.json -o OUT.png
//	labelbridge token new NAME
//	labelbridge print [flags] FILE...    send files or a JSON job to a running daemon
//	labelbridge printers                 list the daemon's printers and their status
//	labelbridge config check --config PATH
//	labelbridge version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runCLI(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `labelbridge — label printer bridge

Commands:
  demo                       print a sample batch to virtual printers and show the PNGs
  run --config PATH          run the daemon in the foreground
  preview DOC.json -o OUT.png render a document to PNG, as it would print
  token new|revoke|list      manage access tokens
  cert trust [--print]       trust the local CA behind wss:// on this PC
  install [--config PATH]    install as a system service (also uninstall, start, stop, restart, status)
  print [flags] FILE...      send raw printer files or a JSON job to a running daemon
  printers                   list the daemon's printers and their status
  discover [--subnet CIDR] [--serial PATH]  find printers, print ready-to-paste config
  config check --config PATH validate a config file
  version                    print the version

Run "labelbridge COMMAND -h" for a command's flags.
`

// runCLI runs one command and returns the process exit code: 0 success,
// 1 failure, 2 usage error.
func runCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, stdout, stderr)
	case "preview":
		return cmdPreview(ctx, rest, stdout, stderr)
	case "token":
		return cmdToken(rest, stdout, stderr)
	case "cert":
		return cmdCert(rest, stdout, stderr)
	case "install", "uninstall", "start", "stop", "restart", "status", "service":
		return cmdService(ctx, cmd, rest, stdout, stderr)
	case "print":
		return cmdPrint(ctx, rest, stdout, stderr)
	case "printers":
		return cmdPrinters(ctx, rest, stdout, stderr)
	case "discover":
		return cmdDiscover(ctx, rest, stdout, stderr)
	case "config":
		if len(rest) == 0 || rest[0] != "check" {
			fmt.Fprintln(stderr, "usage: labelbridge config check --config PATH")
			return 2
		}
		return cmdConfigCheck(rest[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "labelbridge %s\n", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "labelbridge: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}
