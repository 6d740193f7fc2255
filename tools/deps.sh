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

# One line per step on the terminal; apt's hundreds of lines go to the log, shown only when a
# step fails.
mkdir -p build
log=build/deps.log
: >"$log"
count=$(echo $missing | wc -w)
echo "tagboot: installing $count missing Debian packages:$missing (full log: $log)"
export DEBIAN_FRONTEND=noninteractive
step() {
	what=$1
	shift
	start=$(date +%s)
	printf 'tagboot: %s ... ' "$what"
	if "$@" >>"$log" 2>&1; then
		echo "done ($(( $(date +%s) - start )) s)"
	else
		echo "FAILED after $(( $(date +%s) - start )) s; the end of $log:"
		tail -n 30 "$log"
		exit 1
	fi
}
step "apt-get update" apt-get update -q
# shellcheck disable=SC2086
step "apt-get install" apt-get install -y -q --no-install-recommends $missing
