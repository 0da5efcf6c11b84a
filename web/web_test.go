package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestStatusHoldsThePage(t *testing.T) {
	for _, name := range []string{"index.html", "status.js", "status.css", "favicon.svg"} {
		t.Run(name, func(t *testing.T) {
			b, err := fs.ReadFile(Status(), name)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) == 0 {
				t.Fatalf("%s is empty", name)
			}
		})
	}
}

// The page must work offline and under its own Content-Security-Policy:
// everything it loads comes from the daemon, and nothing is inline.
func TestPageLoadsOnlyFromItsOrigin(t *testing.T) {
	fsys := Status()
	index, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	html := string(index)
	refs := regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(html, -1)
	if len(refs) == 0 {
		t.Fatal("index.html references nothing; the pattern is broken")
	}
	for _, m := range refs {
		ref := m[1]
		t.Run(ref, func(t *testing.T) {
			switch {
			case strings.HasPrefix(ref, "#"):
			case strings.HasPrefix(ref, AssetPrefix):
				name := strings.TrimPrefix(ref, AssetPrefix)
				if _, err := fs.Stat(fsys, name); err != nil {
					t.Errorf("index.html loads %s, which Status() lacks: %v", ref, err)
				}
			case ref == "/metrics", ref == "/healthz":
				// The daemon's own endpoints, linked for people.
			default:
				t.Errorf("index.html references %q: want %s… or a daemon path", ref, AssetPrefix)
			}
		})
	}
	inline := regexp.MustCompile(`(?is)<style\b|<[^>]*\s(?:style|on[a-z]+)\s*=|javascript:`)
	if m := inline.FindString(html); m != "" {
		t.Errorf("index.html has inline style or script (%.60q); the CSP forbids it", m)
	}
	for _, tag := range regexp.MustCompile(`(?is)<script\b[^>]*>(.*?)</script>`).FindAllStringSubmatch(html, -1) {
		if strings.TrimSpace(tag[1]) != "" {
			t.Errorf("index.html has an inline script: %.60q", tag[1])
		}
	}
	js, err := fs.ReadFile(fsys, "status.js")
	if err != nil {
		t.Fatal(err)
	}
	imports := regexp.MustCompile(`(?m)^import\b.*?from\s+"([^"]+)"`).FindAllStringSubmatch(string(js), -1)
	if len(imports) == 0 {
		t.Fatal("status.js imports nothing; want the client from /v1/client.js")
	}
	for _, m := range imports {
		if m[1] != "/v1/client.js" {
			t.Errorf("status.js imports %q; want only /v1/client.js, the daemon's own client", m[1])
		}
	}
	for _, name := range []string{"status.js", "status.css"} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/`).FindString(string(b)); m != "" {
			t.Errorf("%s refers to another site (%s): the page must work offline", name, m)
		}
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	tests := []struct {
		path     string
		status   int
		typ      string
		contains string
	}{
		{"/", http.StatusOK, "text/html; charset=utf-8", "<title>labelbridge status</title>"},
		{"/ui/status.js", http.StatusOK, "text/javascript; charset=utf-8", `from "/v1/client.js"`},
		{"/ui/status.css", http.StatusOK, "text/css; charset=utf-8", ".printers"},
		{"/ui/favicon.svg", http.StatusOK, "image/svg+xml", "<svg"},
		{"/ui/", http.StatusNotFound, "", ""},
		{"/ui", http.StatusNotFound, "", ""},
		{"/ui/index.html", http.StatusNotFound, "", ""},
		{"/index.html", http.StatusNotFound, "", ""},
		{"/ui/missing.js", http.StatusNotFound, "", ""},
		{"/ui/../web.go", http.StatusNotFound, "", ""},
		{"/ui/%2e%2e/web.go", http.StatusNotFound, "", ""},
		{"/ui//status.js", http.StatusNotFound, "", ""},
		{"/ui/./status.js", http.StatusNotFound, "", ""},
		{"/status.js", http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Send the path exactly as written, without Go cleaning it.
			req.URL.Opaque = tt.path
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tt.typ {
				t.Errorf("Content-Type = %q, want %q", got, tt.typ)
			}
			if !strings.Contains(string(body), tt.contains) {
				t.Errorf("body lacks %q", tt.contains)
			}
			for h, want := range map[string]string{
				"Cache-Control":          "no-cache",
				"X-Frame-Options":        "DENY",
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
			} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			csp := resp.Header.Get("Content-Security-Policy")
			host := strings.TrimPrefix(srv.URL, "http://")
			for _, want := range []string{"frame-ancestors 'none'", "script-src 'self'", "connect-src 'self' ws://" + host + " wss://" + host + ";"} {
				if !strings.Contains(csp, want) {
					t.Errorf("Content-Security-Policy = %q, want it to contain %q", csp, want)
				}
			}
		})
	}
}

func TestContentSecurityPolicyHost(t *testing.T) {
	tests := []struct {
		name, host, want string
	}{
		{"Loopback", "127.0.0.1:9110", "connect-src 'self' ws://127.0.0.1:9110 wss://127.0.0.1:9110;"},
		{"IPv6", "[::1]:9110", "connect-src 'self' ws://[::1]:9110 wss://[::1]:9110;"},
		{"Name", "localhost", "connect-src 'self' ws://localhost wss://localhost;"},
		{"Empty", "", "connect-src 'self';"},
		{"DirectiveInjection", "x; script-src *", "connect-src 'self';"},
		{"Space", "a b", "connect-src 'self';"},
		{"Quote", "a'b", "connect-src 'self';"},
		{"TooLong", strings.Repeat("a", 256), "connect-src 'self';"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := contentSecurityPolicy(tt.host)
			if !strings.Contains(got, tt.want) {
				t.Errorf("contentSecurityPolicy(%q) = %q, want it to contain %q", tt.host, got, tt.want)
			}
			if strings.Count(got, "script-src") != 1 {
				t.Errorf("contentSecurityPolicy(%q) = %q: the host added a directive", tt.host, got)
			}
		})
	}
}
