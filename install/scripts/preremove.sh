#!/bin/sh
# labelbridge preremove: before the files are removed (.deb: "remove",
# "upgrade", ...; .rpm: 0 on removal, 1 when an upgrade removes the old
# version). Only a removal stops and disables the service and withdraws the
# browsers' policy; an upgrade leaves them to the new version's
# postinstall.
#
# DPKG_ROOT is set when dpkg works on another root: see postinstall.
set -e
root="${DPKG_ROOT:-}"

case "$1" in
remove | 0) ;;
*) exit 0 ;;
esac

if [ -n "$root" ]; then
	if command -v systemctl >/dev/null; then
		systemctl --root="$root" disable labelbridge.service || true
	fi
elif command -v systemctl >/dev/null; then
	if [ -d /run/systemd/system ]; then
		# Each printer finishes the document it is sending; jobs not
		# finished stay in /var/lib/labelbridge.
		systemctl stop labelbridge.service || true
	fi
	systemctl disable labelbridge.service || true
fi
"$root/usr/bin/labelbridge" service policy --remove ${root:+--root "$root"} || true
exit 0
