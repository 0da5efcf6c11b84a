package printer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labelbridge/labelbridge"
)

// DiscoverOptions say where Discover looks. The zero value lists the
// system's serial ports, Linux USB printers and Windows spooler printers
// without sending them anything, and scans no network.
type DiscoverOptions struct {
	// SerialPaths are serial devices to look at besides those the system
	// lists: the enumerator does not see pseudo-terminals, nor ports it
	// cannot tell are serial. Each is probed (see ProbeSerial).
	SerialPaths []string
	// ProbeSerial asks every serial port, listed or given, for its status
	// in TSPL, ESC/POS and ZPL, in that order, at Baud, until one answers,
	// to find the language it speaks. It writes to the ports: a printer
	// of another language, or a device that is no printer, gets a few
	// bytes it does not expect. Ports given in SerialPaths are probed
	// either way.
	ProbeSerial bool
	// Baud is the speed serial ports are probed at and suggested with.
	// Default 9600.
	Baud int
	// SysRoot is where sysfs is mounted, for Linux USB printers
	// (/dev/usb/lp*) and their IEEE 1284 device IDs. Default "/sys" on
	// Linux; elsewhere USB printers are looked for only when it is set.
	SysRoot string
	// Subnet, when set, is scanned for printers taking raw TCP on Port:
	// "192.168.1.0/24". At most 1024 addresses (a /22); every host that
	// accepts is asked ~HI. The scan sends ~HI to whatever listens on the
	// port, so a non-ZPL printer there may print those three characters.
	Subnet string
	// Port is the TCP port scanned. Default 9100.
	Port int
	// HostTimeout bounds connecting to each scanned host. Default 300ms.
	HostTimeout time.Duration
	// SkipSystem leaves out the system's own serial ports and spooler
	// printers, and its USB printers unless SysRoot is set: only
	// SerialPaths, SysRoot and Subnet are looked at. Tests set it, to see
	// only their own devices.
	SkipSystem bool
}

// Defaults for DiscoverOptions.
const (
	DefaultDiscoverPort   = 9100
	DefaultHostTimeout    = 300 * time.Millisecond
	defaultBaud           = 9600
	maxScanHosts          = 1024
	scanConcurrency       = 64
	probeTimeout          = 500 * time.Millisecond
	identityAnswerTimeout = time.Second
)

func (o DiscoverOptions) withDefaults() DiscoverOptions {
	if o.Baud <= 0 {
		o.Baud = defaultBaud
	}
	if o.Port <= 0 {
		o.Port = DefaultDiscoverPort
	}
	if o.HostTimeout <= 0 {
		o.HostTimeout = DefaultHostTimeout
	}
	return o
}

// Found is a printer, or a port that may hold one, that Discover came
// across.
type Found struct {
	// Connection is the connection string to reach it, as a config's
	// printers[].connection.
	Connection string `json:"connection"`
	// Language is the language it speaks, as far as discovery could tell;
	// "" when it could not.
	Language labelbridge.Language `json:"language,omitempty"`
	// Name is a suggested printer name: letters, digits, '.', '_', '-'.
	Name         string `json:"name"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	// Detail says how it was found and what it answered.
	Detail string `json:"detail,omitempty"`
	// VID and PID are the USB vendor and product IDs, upper-case hex,
	// when it hangs on USB.
	VID string `json:"vid,omitempty"`
	PID string `json:"pid,omitempty"`
	// DPI is the print head's resolution when the printer said it.
	DPI int `json:"dpi,omitempty"`
}

// Discover looks for printers attached to this computer and, when
// o.Subnet is set, on the network. It returns what it found even when a
// part failed (the serial enumerator, sysfs, the spooler): the error then
// joins those failures. A bad Subnet is an error before anything is
// looked at. Cancelling ctx stops probes and the scan.
func Discover(ctx context.Context, o DiscoverOptions) ([]Found, error) {
	o = o.withDefaults()
	var hosts []string
	if o.Subnet != "" {
		var err error
		if hosts, err = subnetHosts(o.Subnet); err != nil {
			return nil, err
		}
	}
	var found []Found
	var errs []error
	add := func(f []Found, err error) {
		found = append(found, f...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(discoverSerial(ctx, o))
	sysRoot := o.SysRoot
	if sysRoot == "" && !o.SkipSystem && runtime.GOOS == "linux" {
		sysRoot = "/sys"
	}
	if sysRoot != "" {
		add(discoverUSB(sysRoot))
	}
	if !o.SkipSystem {
		add(discoverSpooler())
	}
	if len(hosts) > 0 {
		add(scanHosts(ctx, hosts, o))
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return found, errors.Join(errs...)
}

// queryIdentity asks a ZPL printer who it is (~HI).
func queryIdentity(ctx context.Context, c Conn) (Identity, error) {
	r, ok := readBack(c)
	if !ok {
		return Identity{}, fmt.Errorf("%w: the link cannot read back", ErrNoAnswer)
	}
	ctx, cancel := context.WithTimeout(ctx, identityAnswerTimeout)
	defer cancel()
	if err := drain(ctx, r); err != nil {
		return Identity{}, err
	}
	if err := c.Write(ctx, []byte("~HI")); err != nil {
		return Identity{}, err
	}
	answer, err := readAnswer(ctx, r, func(b []byte) bool { f, _, _ := zplFrames(b, 1); return len(f) == 1 })
	if err != nil {
		if isTimeout(err) {
			return Identity{}, fmt.Errorf("%w: %w", ErrNoAnswer, err)
		}
		return Identity{}, err
	}
	id, err := ParseZPLHostIdentity(answer)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	return id, nil
}

// guessLanguage suggests a language from what a device says it is: an
// IEEE 1284 command set list, a manufacturer, a model, a driver name.
func guessLanguage(cmd []string, names ...string) labelbridge.Language {
	has := func(want ...string) bool {
		for _, c := range cmd {
			c = strings.ToUpper(strings.TrimSpace(c))
			for _, w := range want {
				if strings.HasPrefix(c, w) {
					return true
				}
			}
		}
		return false
	}
	// TSC printers that emulate ZPL list both; TSPL is their own.
	switch {
	case has("TSPL"):
		return labelbridge.TSPL
	case has("ZPL"):
		return labelbridge.ZPL
	case has("ESC/POS", "ESCPOS", "ESC POS"):
		return labelbridge.ESCPOS
	}
	all := strings.ToUpper(strings.Join(names, " "))
	switch {
	case strings.Contains(all, "ZEBRA") || strings.Contains(all, "ZDESIGNER"):
		return labelbridge.ZPL
	case strings.Contains(all, "EPSON") || strings.Contains(all, "TM-T") || strings.Contains(all, "BIXOLON"):
		return labelbridge.ESCPOS
	case slices.Contains(strings.FieldsFunc(all, func(r rune) bool { return !unicode.IsLetter(r) }), "TSC"):
		return labelbridge.TSPL
	}
	return ""
}

// vendorLanguage suggests a language from a USB vendor ID, for the makers
// whose printers speak one language.
func vendorLanguage(vid string) labelbridge.Language {
	switch strings.ToUpper(vid) {
	case "0A5F": // Zebra Technologies
		return labelbridge.ZPL
	case "04B8", "1504": // Seiko Epson, Bixolon
		return labelbridge.ESCPOS
	case "1203": // TSC Auto ID Technology
		return labelbridge.TSPL
	}
	return ""
}

// suggestName turns the first non-empty of names into a printer name:
// lower case, letters, digits, '.', '_' and '-'.
func suggestName(names ...string) string {
	for _, n := range names {
		var b strings.Builder
		dash := false
		for _, r := range strings.ToLower(n) {
			switch {
			case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_'):
				b.WriteRune(r)
				dash = false
			case !dash && b.Len() > 0:
				b.WriteByte('-')
				dash = true
			}
		}
		s := strings.Trim(b.String(), "-.")
		if len(s) > 40 {
			s = strings.TrimRight(s[:40], "-.")
		}
		if s != "" {
			return s
		}
	}
	return "printer"
}

// plainYAML matches values that YAML reads as the same plain string.
var plainYAML = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:/._?=&%+-]*$`)

// yamlString writes s as a YAML scalar: plain when that reads back the
// same, double-quoted otherwise.
func yamlString(s string) string {
	if plainYAML.MatchString(s) && !strings.Contains(s, ": ") {
		return s
	}
	return strconv.Quote(s)
}

// Config returns a ready-to-paste entry for a config file's printers list,
// the lines below "printers:" here:
//
//	printers:
//	  - name: zd421-300dpi
//	    connection: tcp://192.168.1.50:9100
//	    language: zpl
//	    dpi: 300
//	    # ZD421-300dpi; answered ~HI; firmware V84.20.18Z
//
// When the language is not known the language line is a comment that
// says to choose one: config check then fails until someone does, rather
// than printing in a guessed language.
func (f Found) Config() string {
	var b strings.Builder
	name := f.Name
	if name == "" {
		name = suggestName(f.Model, f.Connection)
	}
	fmt.Fprintf(&b, "  - name: %s\n", yamlString(name))
	fmt.Fprintf(&b, "    connection: %s\n", yamlString(f.Connection))
	if f.Language != "" {
		fmt.Fprintf(&b, "    language: %s\n", f.Language)
	} else {
		b.WriteString("    # language: zpl | escpos | tspl   (not detected: choose one)\n")
	}
	switch f.DPI {
	case 152, 203, 300, 600:
		if f.Language != labelbridge.ESCPOS {
			fmt.Fprintf(&b, "    dpi: %d\n", f.DPI)
		}
	}
	var about []string
	for _, s := range []string{strings.TrimSpace(f.Manufacturer + " " + f.Model), f.Detail} {
		if s = comment(s); s != "" {
			about = append(about, s)
		}
	}
	if f.VID != "" {
		about = append(about, "USB "+comment(f.VID)+":"+comment(f.PID))
	}
	if len(about) > 0 {
		fmt.Fprintf(&b, "    # %s\n", strings.Join(about, "; "))
	}
	return b.String()
}

// comment makes s safe inside a one-line YAML comment.
func comment(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// ConfigYAML returns the printers: section of a config file for found,
// names made unique by a -2, -3, … suffix.
func ConfigYAML(found []Found) string {
	var b strings.Builder
	b.WriteString("printers:\n")
	seen := map[string]bool{}
	for _, f := range found {
		if f.Connection == "" {
			continue
		}
		base := f.Name
		if base == "" {
			base = suggestName(f.Model, f.Connection)
		}
		name := base
		for i := 2; seen[strings.ToLower(name)]; i++ {
			name = base + "-" + strconv.Itoa(i)
		}
		seen[strings.ToLower(name)] = true
		f.Name = name
		b.WriteString(f.Config())
	}
	return b.String()
}
