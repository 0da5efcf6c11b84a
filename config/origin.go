package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// parseOrigin checks an allowed browser origin and returns it as browsers
// send it in the Origin header: lower case, without the scheme's default
// port, so the daemon compares strings. A host may start with "*." to allow
// every subdomain.
func parseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", errors.New("want an origin, scheme://host[:port], such as https://seller.example.com")
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("scheme %q: want https:// or http://", u.Scheme)
	}
	if u.User != nil {
		return "", errors.New("an origin has no user name")
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if host == "" {
		return "", errors.New("missing host")
	}
	if p, err := strconv.Atoi(port); port != "" && (err != nil || p < 1 || p > 65535) {
		return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	if scheme == "http" && port == "80" || scheme == "https" && port == "443" {
		port = ""
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != "" {
		hostport += ":" + port
	}
	origin := scheme + "://" + hostport
	if u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(s, "#") {
		return "", fmt.Errorf("an origin has no path, query or fragment; write %q", origin)
	}
	if i := strings.IndexByte(host, '*'); i >= 0 {
		if !strings.HasPrefix(host, "*.") || len(host) == 2 || strings.Contains(host[1:], "*") {
			return "", errors.New(`a wildcard must be the whole first part of the host, as in https://*.example.com`)
		}
	}
	return origin, nil
}
