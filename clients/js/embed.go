// Package js holds labelbridge.js, the JavaScript client for dashboards, so
// that the daemon can serve it from inside its binary at /v1/client.js.
// The source of truth is the file itself; this package only embeds it.
package js

import _ "embed"

// source is a string, not a byte slice, so that nothing can change it.
//
//go:embed labelbridge.js
var source string

// Source returns labelbridge.js, an ES module with no dependencies, as the
// daemon serves it (Content-Type text/javascript). Each call returns a new
// copy.
func Source() []byte { return []byte(source) }
