#!/bin/sh
# labelbridge preinstall: before the files are unpacked, on install and on
# upgrade (.deb: "install" or "upgrade"; .rpm: 1 or 2). Creates the system
# user the service runs as; files are owned by root, and the service writes
# only to /var/lib/labelbridge.
#
# DPKG_ROOT is set when dpkg installs into another root (dpkg --root with
# --force-script-chrootless): every path is then taken under it.
set -e
root="${DPKG_ROOT:-}"

has_user() {
	if [ -n "$root" ]; then
		grep -q '^labelbridge:' "$root/etc/passwd" 2>/dev/null
	else
		getent passwd labelbridge >/dev/null
	fi
}

if ! has_user; then
	set -- --system --user-group --home-dir /var/lib/labelbridge --no-create-home \
		--shell /usr/sbin/nologin --comment "labelbridge label printer bridge" labelbridge
	if [ -n "$root" ]; then
		useradd --prefix "$root" "$@"
	else
		useradd "$@"
	fi
fi
exit 0
