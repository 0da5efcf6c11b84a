package printer

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/labelbridge/labelbridge"
)

// probeOrder is the order languages are tried on a serial port, the one
// that leaves the least behind in a printer of another language: TSPL's
// ESC ! ? is a print mode command to an ESC/POS printer, which every
// document labelbridge sends resets with ESC @, and is ignored outside a
// format by a ZPL one; ESC/POS's DLE EOT is ignored by ZPL; ZPL's ~HS
// goes last, when the port stayed silent to both.
func probeOrder() []labelbridge.Language {
	return []labelbridge.Language{labelbridge.TSPL, labelbridge.ESCPOS, labelbridge.ZPL}
}

// discoverSerial lists the system's serial ports (unless o.SkipSystem) and
// o.SerialPaths, probing those o asks to.
func discoverSerial(ctx context.Context, o DiscoverOptions) ([]Found, error) {
	type port struct {
		found Found
		probe bool
	}
	var ports []port
	var listErr error
	seen := map[string]bool{}
	if !o.SkipSystem {
		details, err := listSerialPorts()
		if err != nil {
			listErr = fmt.Errorf("printer: list serial ports: %w", err)
		}
		for _, d := range details {
			if d.Name == "" || seen[d.Name] {
				continue
			}
			seen[d.Name] = true
			ports = append(ports, port{found: serialFound(d.Name, o.Baud, d), probe: o.ProbeSerial})
		}
	}
	for _, path := range o.SerialPaths {
		if path == "" || seen[path] {
			continue
		}
		seen[path] = true
		ports = append(ports, port{found: serialFound(path, o.Baud, listedPort{}), probe: true})
	}
	// Ports are probed side by side: each may take a few timeouts.
	var wg sync.WaitGroup
	for i := range ports {
		if !ports[i].probe {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			probeSerial(ctx, &ports[i].found, o.Baud)
		}()
	}
	wg.Wait()
	found := make([]Found, len(ports))
	for i, p := range ports {
		found[i] = p.found
	}
	return found, listErr
}

// listedPort is a serial port the system lists, with what it knows of the
// USB device behind it.
type listedPort struct {
	Name                  string
	IsUSB                 bool
	VID, PID              string
	Manufacturer, Product string
}

// serialFound describes the serial port at path, with what the system
// told of it, if anything.
func serialFound(path string, baud int, d listedPort) Found {
	f := Found{
		Connection: "serial://" + path + "?baud=" + strconv.Itoa(baud),
		Detail:     "serial port",
	}
	if d.IsUSB {
		f.VID, f.PID = strings.ToUpper(d.VID), strings.ToUpper(d.PID)
		f.Manufacturer, f.Model = d.Manufacturer, d.Product
		f.Detail = "USB serial port"
		f.Language = guessLanguage(nil, d.Manufacturer, d.Product)
		if f.Language == "" {
			f.Language = vendorLanguage(f.VID)
		}
	}
	f.Name = suggestName(f.Model, "serial-"+strings.TrimPrefix(filepath.ToSlash(path), "/dev/"))
	return f
}

// probeSerial opens the port and asks for a status in each language in
// turn; the first that answers names the language. A ZPL printer is also
// asked who it is.
func probeSerial(ctx context.Context, f *Found, baud int) {
	path := strings.TrimPrefix(f.Connection, "serial://")
	path, _, _ = strings.Cut(path, "?")
	c, err := OpenSerial(ctx, path, SerialParams{Baud: baud}, Options{WriteTimeout: probeTimeout})
	if err != nil {
		f.Detail += "; cannot open: " + err.Error()
		return
	}
	defer c.Close()
	for _, lang := range probeOrder() {
		qctx, cancel := context.WithTimeout(ctx, probeTimeout)
		st, err := QueryStatus(qctx, c, lang)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			continue
		}
		f.Language = lang
		f.Detail += fmt.Sprintf("; answers %s status queries at %d baud: %s", languageName(lang), baud, st.State)
		if st.Detail != "" {
			f.Detail += " (" + st.Detail + ")"
		}
		if lang == labelbridge.ZPL {
			if id, err := queryIdentity(ctx, c); err == nil {
				identify(f, id)
			}
		}
		return
	}
	f.Detail += fmt.Sprintf("; no answer to TSPL, ESC/POS or ZPL status queries at %d baud", baud)
}

// identify adds what a ZPL printer said of itself to f.
func identify(f *Found, id Identity) {
	f.Model = id.Model
	f.DPI = id.DPI
	f.Name = suggestName(id.Model)
	f.Detail += "; firmware " + id.Firmware
}

// languageName is how people write lang.
func languageName(lang labelbridge.Language) string {
	switch lang {
	case labelbridge.ESCPOS:
		return "ESC/POS"
	case labelbridge.ZPL, labelbridge.TSPL:
		return strings.ToUpper(string(lang))
	}
	return string(lang)
}
