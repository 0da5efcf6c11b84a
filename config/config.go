// Package config reads labelbridge's one configuration file, YAML or TOML,
// into a checked Config.
//
// The file's keys are a contract with installers (see DESIGN.md,
// "Configuration"), so the package is strict: an unknown key, a value of the
// wrong type or out of range, a duplicate printer name, anything it would
// otherwise have to guess about, is an error naming the file, the line and
// the key path ("printers[1].language"), and every such problem in a file is
// reported at once, so that `labelbridge config check` can list them all.
//
// Both formats are first turned into one small tree of values that carries
// line numbers, then one set of rules checks that tree. That is what makes a
// YAML file and its TOML twin give the same Config and the same errors.
package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labelbridge/labelbridge"
	"github.com/labelbridge/labelbridge/printer"
)

// Defaults for settings the file leaves out.
const (
	DefaultListen    = "127.0.0.1:9110"
	DefaultRetention = 7 * 24 * time.Hour
	DefaultDPI       = 203
	DefaultMedia     = "100x150mm" // label printers (zpl, tspl)
	DefaultWidth     = "80mm"      // receipt printers (escpos)
	DefaultText      = "auto"
	DefaultLogLevel  = "info"
	DefaultLogFormat = "auto"
)

// maxFileBytes bounds the file Load and Parse accept. A real config is a few
// kilobytes; the bound keeps a mistaken path (a log, a disk image) from being
// read whole.
const maxFileBytes = 1 << 20

// Config is labelbridge's configuration: defaults, then the file. The caller
// applies command-line flags on top by setting fields.
type Config struct {
	// Listen is the host:port the daemon listens on.
	Listen string
	// DataDir is the folder for the job store and virtual printers' output,
	// as written in the file; "" when the file does not set it, and the
	// caller picks the operating system's default.
	DataDir string
	// AllowedOrigins are the browser origins allowed to connect, normalised:
	// lower case, no default port ("https://seller.example.com",
	// "http://127.0.0.1:8080"). "https://*.example.com" allows every
	// subdomain of example.com over https.
	AllowedOrigins []string
	Printers       []Printer
	Limits         Limits
	// Retention is how long events and finished jobs are kept.
	Retention time.Duration
	Log       Log
	// TLS, when TLS.Listen is set, also serves wss:// and https:// there
	// with a certificate from a local CA kept in the data folder.
	TLS TLS
	// Source is the file the config came from ("" for defaults).
	Source string
}

// Printer is one configured printer.
type Printer struct {
	// Name is unique (ignoring case) and made of [A-Za-z0-9._-], since it
	// appears in URLs and file names.
	Name string
	// Connection is the connection string as written, and Address is the
	// same string parsed.
	Connection string
	Address    printer.Address
	Language   labelbridge.Language
	// DPI is the print head's resolution: 152, 203, 300 or 600.
	DPI int
	// Media is a label printer's label size, lower case, as "WxHmm" or
	// "WxHin" ("100x150mm", "4x6in"); "" for receipt printers.
	Media string
	// Width is a receipt printer's paper width, "80mm" or "58mm"; "" for
	// label printers.
	Width string
	// Text is how text is printed: "auto" (the printer's own font where it
	// prints the text exactly, raster otherwise), "raster" or "native".
	Text string
}

// Limits bound what clients may ask of the daemon.
type Limits struct {
	MaxFrameBytes     int64
	MaxJobBytes       int64
	MaxDocuments      int // at most labelbridge.MaxDocuments
	MaxConnections    int
	RequestsPerSecond float64 // per connection
	IdleTimeout       time.Duration
	WriteTimeout      time.Duration
}

// Log says how the daemon logs.
// TLS configures the encrypted listener (key "tls").
type TLS struct {
	// Listen is host:port, e.g. "127.0.0.1:9111". Beyond loopback it needs
	// access tokens.
	Listen string
	// Hosts are the names and addresses clients use to reach this PC
	// besides localhost: they go in the certificate and pass the Host check.
	Hosts []string
}

type Log struct {
	Level  string // debug, info, warn or error
	Format string // auto (console on a terminal, JSON otherwise), console or json
}

// Default returns the configuration used when there is no file, or for every
// setting a file leaves out.
func Default() *Config {
	return &Config{
		Listen: DefaultListen,
		Limits: Limits{
			MaxFrameBytes:     64 << 20,
			MaxJobBytes:       256 << 20,
			MaxDocuments:      labelbridge.MaxDocuments,
			MaxConnections:    256,
			RequestsPerSecond: 200,
			IdleTimeout:       10 * time.Minute,
			WriteTimeout:      10 * time.Second,
		},
		Retention: DefaultRetention,
		Log:       Log{Level: DefaultLogLevel, Format: DefaultLogFormat},
	}
}

// Load reads and checks the config file at path; its extension (.yaml, .yml
// or .toml) picks the format. Problems with the file's content are returned
// as Errors; a file that cannot be read gives the operating system's error.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse checks the config in data. name is the file's name: its extension
// picks the format and it prefixes every error. An empty file gives the
// defaults. Any problem makes Parse return a nil Config and Errors listing
// every problem found, in line order.
func Parse(name string, data []byte) (*Config, error) {
	d := &decoder{file: name}
	if len(data) > maxFileBytes {
		d.add(0, "", "the file is larger than %d bytes; is it the right file?", maxFileBytes)
		return nil, d.result()
	}
	data, err := decodeText(data)
	if err != nil {
		d.add(0, "", "%v", err)
		return nil, d.result()
	}
	var root *node
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".yaml", ".yml":
		d.mapWord = "a mapping"
		root = yamlTree(d, data)
	case ".toml":
		d.mapWord = "a table"
		root = tomlTree(d, data)
	default:
		d.add(0, "", "unknown config format %q: want a .yaml, .yml or .toml file", ext)
	}
	if err := d.result(); err != nil {
		return nil, err
	}
	c := d.config(root)
	if err := d.result(); err != nil {
		return nil, err
	}
	c.Source = name
	return c, nil
}
