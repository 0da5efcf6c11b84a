#!/usr/bin/env bash
# Runs the browser end-to-end tests: the status page and the example
# dashboard in headless Chromium, against the daemon built from this
# checkout and TCP printer simulators. Installs what they need first, from
# the package registries only: the Debian package chromium (when
# /usr/bin/chromium is missing; needs root) and playwright-core, pinned in
# package-lock.json (when node_modules is missing). No browser is
# downloaded. Screenshots go to e2e/screenshots/.
set -euo pipefail
cd "$(dirname "$0")"

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "e2e: $chromium is missing; install it as root: apt-get update && apt-get install -y chromium" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d node_modules ]; then
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi

# One daemon binary for every test file (they would each build it).
if [ -z "${LABELBRIDGE_BIN:-}" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd .. && go build -o "$tmp/labelbridge" ./cmd/labelbridge)
	export LABELBRIDGE_BIN="$tmp/labelbridge"
fi

# One file at a time: each starts its own Chromium and daemon, and two
# cores are enough for one of each.
node --test --test-concurrency=1 ./*.test.js
