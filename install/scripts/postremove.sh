#!/bin/sh
# labelbridge postremove: after the files are removed (.deb: "remove",
# "purge", "upgrade", ...; .rpm: 0 on removal, 1 on upgrade).
#
# A purge (.deb only) deletes the job store, /var/lib/labelbridge; dpkg
# deletes the config file itself. A removal keeps both, so that installing
# again carries on where it stopped. The labelbridge user is kept: files
# it owned elsewhere would otherwise pass to the next user created.
#
# DPKG_ROOT is set when dpkg works on another root: see postinstall.
set -e
root="${DPKG_ROOT:-}"

case "$1" in
remove | 0)
	if [ -z "$root" ] && [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	;;
purge)
	rm -rf "$root/var/lib/labelbridge"
	rmdir "$root/etc/labelbridge" 2>/dev/null || true
	;;
esac
exit 0
