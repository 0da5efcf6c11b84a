package printer

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Scheme names a kind of transport.
type Scheme string

// Transport schemes a printer connection string may use.
const (
	SchemeTCP     Scheme = "tcp"
	SchemeSerial  Scheme = "serial"
	SchemeUSB     Scheme = "usb"
	SchemeSpooler Scheme = "spooler"
	SchemeFile    Scheme = "file"
	SchemeVirtual Scheme = "virtual"
)

// Parity of a serial line.
type Parity string

// Serial parities.
const (
	ParityNone Parity = "none"
	ParityEven Parity = "even"
	ParityOdd  Parity = "odd"
)

// Flow is a serial line's flow control.
type Flow string

// Serial flow controls.
const (
	FlowNone    Flow = "none"
	FlowRTSCTS  Flow = "rtscts"
	FlowXonXoff Flow = "xonxoff"
)

// SerialParams are a serial link's settings.
type SerialParams struct {
	Baud     int
	DataBits int
	Parity   Parity
	StopBits int
	Flow     Flow
}

// Address is a parsed printer connection string such as
// "tcp://192.168.1.50:9100" or "serial:///dev/ttyUSB0?baud=115200".
type Address struct {
	Scheme Scheme
	// Target is host:port for tcp, the device path or port name for serial
	// and usb, the printer name for spooler, the file path for file, and
	// the printer name for virtual.
	Target string
	Serial SerialParams // only for serial
	Raw    string
}

func (a Address) String() string { return a.Raw }

// ParseAddress parses a printer connection string. Errors name the part of
// the string that is wrong.
func ParseAddress(s string) (Address, error) {
	a := Address{Raw: s}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return a, fmt.Errorf("connection %q: want scheme://target (tcp, serial, usb, spooler, file, virtual)", s)
	}
	a.Scheme = Scheme(strings.ToLower(scheme))
	var query string
	if a.Scheme == SchemeSpooler || a.Scheme == SchemeVirtual {
		// Windows printer names may hold spaces and other characters a URL
		// would escape; take the rest verbatim.
		a.Target = rest
	} else {
		rest, query, _ = strings.Cut(rest, "?")
		a.Target = rest
	}
	if a.Target == "" {
		return a, fmt.Errorf("connection %q: missing target after %s://", s, scheme)
	}
	switch a.Scheme {
	case SchemeTCP:
		host, port, err := net.SplitHostPort(a.Target)
		if err != nil {
			// A bare host means the JetDirect port.
			if strings.Contains(err.Error(), "missing port") {
				// "[fe80::1]" has its brackets already; JoinHostPort
				// adds its own.
				host := strings.TrimSuffix(strings.TrimPrefix(a.Target, "["), "]")
				if host == "" || strings.ContainsAny(host, "[]") {
					return a, fmt.Errorf("connection %q: host %q is not a host name or address", s, a.Target)
				}
				a.Target = net.JoinHostPort(host, "9100")
				break
			}
			return a, fmt.Errorf("connection %q: %v", s, err)
		}
		if host == "" {
			return a, fmt.Errorf("connection %q: missing host", s)
		}
		if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			return a, fmt.Errorf("connection %q: port %q is not a number from 1 to 65535", s, port)
		}
	case SchemeSerial:
		p, err := parseSerialQuery(query)
		if err != nil {
			return a, fmt.Errorf("connection %q: %w", s, err)
		}
		a.Serial = p
		// serial://COM3 and serial:///dev/ttyUSB0 both name a port.
	case SchemeUSB, SchemeFile:
		if query != "" {
			return a, fmt.Errorf("connection %q: %s takes no options", s, a.Scheme)
		}
	case SchemeVirtual:
		if err := checkVirtualName(a.Target); err != nil {
			return a, fmt.Errorf("connection %q: %w", s, err)
		}
	case SchemeSpooler:
	default:
		return a, fmt.Errorf("connection %q: unknown scheme %q (want tcp, serial, usb, spooler, file or virtual)", s, scheme)
	}
	if a.Scheme != SchemeSerial && query != "" {
		return a, fmt.Errorf("connection %q: %s takes no options", s, a.Scheme)
	}
	return a, nil
}

func parseSerialQuery(query string) (SerialParams, error) {
	p := SerialParams{Baud: 9600, DataBits: 8, Parity: ParityNone, StopBits: 1, Flow: FlowNone}
	q, err := url.ParseQuery(query)
	if err != nil {
		return p, fmt.Errorf("options: %v", err)
	}
	for key, vals := range q {
		v := vals[len(vals)-1]
		switch key {
		case "baud":
			n, err := strconv.Atoi(v)
			if err != nil || n < 50 || n > 4000000 {
				return p, fmt.Errorf("baud %q: want a rate such as 9600 or 115200", v)
			}
			p.Baud = n
		case "data_bits":
			n, err := strconv.Atoi(v)
			if err != nil || n < 5 || n > 8 {
				return p, fmt.Errorf("data_bits %q: want 5, 6, 7 or 8", v)
			}
			p.DataBits = n
		case "parity":
			switch Parity(v) {
			case ParityNone, ParityEven, ParityOdd:
				p.Parity = Parity(v)
			default:
				return p, fmt.Errorf("parity %q: want none, even or odd", v)
			}
		case "stop_bits":
			switch v {
			case "1":
				p.StopBits = 1
			case "2":
				p.StopBits = 2
			default:
				return p, fmt.Errorf("stop_bits %q: want 1 or 2", v)
			}
		case "flow":
			switch Flow(v) {
			case FlowNone, FlowRTSCTS, FlowXonXoff:
				p.Flow = Flow(v)
			default:
				return p, fmt.Errorf("flow %q: want none, rtscts or xonxoff", v)
			}
		default:
			return p, fmt.Errorf("unknown option %q (want baud, data_bits, parity, stop_bits, flow)", key)
		}
	}
	return p, nil
}
