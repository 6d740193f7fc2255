#!/bin/sh
# deps.sh: install the Debian packages tagboot needs, only those that are missing.
# Usage: tools/deps.sh PACKAGE...   (the Makefile passes its list)
set -eu

missing=""
for pkg in "$@"; do
	# dpkg-query reports "install ok installed" only for a fully installed package.
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "tagboot: missing Debian packages:$missing" >&2
	echo "tagboot: run as root (or: sudo apt-get install$missing) and try again" >&2
	exit 1
fi

echo "tagboot: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
