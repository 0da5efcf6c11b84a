// Package web holds the daemon's status page: plain HTML, CSS and an ES
// module, embedded in the binary so the page works offline, with no CDN
// and no build step. The page talks to the daemon that serves it over the
// same origin: the WebSocket protocol at /v1/ws (through the JavaScript
// client the daemon serves at /v1/client.js) and the HTTP API under /v1/.
//
// This package serves files only. Who may load the page and call the API
// (loopback, allowed origins, tokens) is the daemon's guard's business.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// files is only read: go:embed needs a package-level variable, and an
// embed.FS cannot be changed.
//
//go:embed status
var files embed.FS

// Status returns the status page's files: index.html and the assets it
// loads (status.css, status.js, favicon.svg), at the root of the
// returned FS.
func Status() fs.FS {
	sub, err := fs.Sub(files, "status")
	if err != nil {
		// fs.Sub fails only on an invalid directory name, a constant here.
		panic(err)
	}
	return sub
}

// AssetPrefix is the URL path under which Handler serves every file of
// Status() but index.html, which it serves at "/".
const AssetPrefix = "/ui/"

// Handler serves the status page: Status()'s index.html at "/" and its
// other files under AssetPrefix ("/ui/status.js"). Any other path, a
// directory or a missing file is 404. Every answer is marked no-cache, so
// a daemon upgrade shows its own page at once, and carries headers that keep
// other sites from framing the page (its buttons change settings) and keep
// the page from loading anything but its own origin's files.
func Handler() http.Handler {
	fsys := Status()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := fileName(r.URL.Path)
		if ok {
			if st, err := fs.Stat(fsys, name); err != nil || st.IsDir() {
				ok = false
			}
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy(r.Host))
		http.ServeFileFS(w, r, fsys, name)
	})
}

// fileName maps a request path to a file of Status().
func fileName(urlPath string) (string, bool) {
	if urlPath == "/" {
		return "index.html", true
	}
	rest, ok := strings.CutPrefix(urlPath, AssetPrefix)
	if !ok || rest == "" || rest == "index.html" {
		return "", false
	}
	// The FS refuses "..", but a cleaned path that differs means the
	// request was not a plain file name.
	if path.Clean(rest) != rest || !fs.ValidPath(rest) {
		return "", false
	}
	return rest, true
}

// contentSecurityPolicy allows the page's own files, previews (blob: URLs)
// and the WebSocket on the same host. 'self' covers ws: in current
// browsers; the host is named as well for those that do not, but only
// when it is a plain host[:port], never anything that could add a directive.
func contentSecurityPolicy(host string) string {
	connect := "'self'"
	if plainHost(host) {
		connect += " ws://" + host + " wss://" + host
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
		"connect-src " + connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

func plainHost(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	for _, c := range host {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '-', c == ':', c == '[', c == ']':
		default:
			return false
		}
	}
	return true
}
