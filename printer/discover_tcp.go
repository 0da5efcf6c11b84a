package printer

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/labelbridge/labelbridge"
)

// subnetHosts returns the host addresses of subnet ("192.168.1.0/24"), in
// order: for IPv4 prefixes up to /30, without the network and broadcast
// addresses. It refuses subnets of more than maxScanHosts addresses, so
// that a typo cannot start a scan of a whole network.
func subnetHosts(subnet string) ([]string, error) {
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return nil, fmt.Errorf("printer: subnet %q: want an address and prefix such as 192.168.1.0/24", subnet)
	}
	p = p.Masked()
	hostBits := p.Addr().BitLen() - p.Bits()
	if hostBits > 10 {
		return nil, fmt.Errorf("printer: subnet %s has more than %d addresses; scan a /22 or smaller", p, maxScanHosts)
	}
	var hosts []string
	a := p.Addr()
	for range 1 << hostBits {
		hosts = append(hosts, a.String())
		a = a.Next()
	}
	if p.Addr().Is4() && hostBits >= 2 {
		hosts = hosts[1 : len(hosts)-1]
	}
	return hosts, nil
}

// scanHosts tries port on every host, scanConcurrency at a time, and asks
// each that accepts who it is. Found printers come in host order.
func scanHosts(ctx context.Context, hosts []string, o DiscoverOptions) ([]Found, error) {
	results := make([]*Found, len(hosts))
	sem := make(chan struct{}, scanConcurrency)
	var wg sync.WaitGroup
	for i, host := range hosts {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = probeTCP(ctx, net.JoinHostPort(host, strconv.Itoa(o.Port)), o.HostTimeout)
		}()
	}
	wg.Wait()
	var found []Found
	for _, f := range results {
		if f != nil {
			found = append(found, *f)
		}
	}
	return found, nil
}

// probeTCP connects to hostport and, when something accepts, asks it ~HI.
// It returns nil when nothing listens there.
func probeTCP(ctx context.Context, hostport string, timeout time.Duration) *Found {
	c, err := OpenTCP(ctx, hostport, Options{DialTimeout: timeout, WriteTimeout: timeout})
	if err != nil {
		return nil
	}
	defer c.Close()
	host, _, _ := net.SplitHostPort(hostport)
	f := &Found{
		Connection: "tcp://" + hostport,
		Name:       suggestName("printer-" + host),
		Detail:     "accepts raw TCP",
	}
	id, err := queryIdentity(ctx, c)
	if err != nil {
		f.Detail += "; no answer to ~HI: not a ZPL printer, or one that does not answer"
		return f
	}
	f.Language = labelbridge.ZPL
	f.Detail = "answered ~HI"
	identify(f, id)
	return f
}
