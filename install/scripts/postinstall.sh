#!/bin/sh
# labelbridge postinstall: after the files are in place (.deb: "configure"
# with the version configured before, empty on a first install; .rpm: 1 on
# install, 2 on upgrade).
#
# A first install enables the service and, where systemd is running, starts
# it. An upgrade restarts it if it was running and leaves it disabled if the
# administrator disabled it. /etc/labelbridge/labelbridge.yaml is the
# administrator's file: upgrades never replace it, and this script never
# writes it. The browsers' managed policy is written from its
# allowed_origins.
#
# DPKG_ROOT is set when dpkg installs into another root (dpkg --root with
# --force-script-chrootless): every path is then taken under it, and the
# running system's systemd is left alone.
set -e
root="${DPKG_ROOT:-}"

first=false
case "$1" in
configure) [ -z "${2:-}" ] && first=true ;;
1) first=true ;;
2) ;;
*) exit 0 ;; # abort-upgrade, abort-remove, ...: nothing was changed
esac

# The data folder. systemd creates it too (StateDirectory=), but only when
# the service starts; the package owns its permissions from the start.
uid=$(awk -F: '$1 == "labelbridge" { print $3 }' "$root/etc/passwd")
gid=$(awk -F: '$1 == "labelbridge" { print $3 }' "$root/etc/group")
mkdir -p "$root/var/lib/labelbridge"
chown "$uid:$gid" "$root/var/lib/labelbridge"
chmod 0750 "$root/var/lib/labelbridge"

# Chrome, Chromium and Edge may let the allowed dashboards reach the bridge
# on this PC without asking each user.
if ! "$root/usr/bin/labelbridge" service policy --config "$root/etc/labelbridge/labelbridge.yaml" ${root:+--root "$root"}; then
	echo "labelbridge: the browsers' policy was not written; fix the config, then run: sudo labelbridge service policy" >&2
fi

if [ -n "$root" ]; then
	if $first && command -v systemctl >/dev/null; then
		systemctl --root="$root" enable labelbridge.service
	fi
elif [ -d /run/systemd/system ]; then
	systemctl daemon-reload
	if command -v udevadm >/dev/null; then
		udevadm control --reload-rules || true
		udevadm trigger --action=change --subsystem-match=usbmisc || true
	fi
	if $first; then
		systemctl enable labelbridge.service
		systemctl start labelbridge.service ||
			echo "labelbridge: the service did not start; see: journalctl -u labelbridge" >&2
	else
		systemctl try-restart labelbridge.service ||
			echo "labelbridge: the service did not restart; see: journalctl -u labelbridge" >&2
	fi
elif $first && command -v systemctl >/dev/null; then
	# systemd is installed but not running (a container, a chroot, an
	# image being built): enable the service for the next boot.
	systemctl enable labelbridge.service || true
fi
exit 0
