#!/usr/bin/env bash
# Runs the JavaScript client's tests with Node's test runner. They build the
# daemon with go and start it, so run from a checkout with Go installed.
# Installs the one dev dependency (ws, pinned in package-lock.json) only when
# node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then
	npm ci --ignore-scripts --no-audit --no-fund
fi
exec node --test test/*.test.js
