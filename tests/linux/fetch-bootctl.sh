#!/bin/bash
# fetch-bootctl.sh: Debian 12's own bootctl and the libraries it loads, as a directory tree for a test initrd (downloaded once with apt-get download, never installed).
#
# Usage: tests/linux/fetch-bootctl.sh [--build DIR] OUT_DIR
# Fills OUT_DIR with usr/bin/bootctl, lib64/ld-linux-x86-64.so.2 and every shared library
# bootctl needs (resolved from the packages' NEEDED entries), at the paths Debian has them.
set -u

build=build
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	-*) echo "fetch-bootctl.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
out=${1:?usage: fetch-bootctl.sh [--build DIR] OUT_DIR}
work="$build/linux/bootctl"
die() { echo "fetch-bootctl.sh: $*" >&2; exit 2; }

# bootctl is in systemd-boot; libsystemd-shared-252.so and the libraries it needs (its
# NEEDED list on Debian 12) come from these packages.
pkgs="systemd-boot libsystemd-shared libc6 libacl1 libblkid1 libcap2 libcrypt1 libgcrypt20
      libgpg-error0 libip4tc2 libkmod2 liblz4-1 libmount1 libssl3 libpam0g libseccomp2
      libselinux1 libzstd1 liblzma5 libpcre2-8-0 libaudit1 libcap-ng0"
if [ ! -f "$work/root/usr/bin/bootctl" ]; then
	rm -rf "$work"
	mkdir -p "$work/dl" "$work/root"
	# shellcheck disable=SC2086
	(cd "$work/dl" && apt-get download -q $pkgs >/dev/null 2>&1) ||
		die "apt-get download failed ($pkgs)"
	for deb in "$work"/dl/*.deb; do
		dpkg-deb -x "$deb" "$work/root" || die "cannot unpack $deb"
	done
	[ -f "$work/root/usr/bin/bootctl" ] || die "no usr/bin/bootctl in systemd-boot"
fi

rm -rf "$out"
mkdir -p "$out/usr/bin" "$out/lib64" "$out/lib/x86_64-linux-gnu" "$out/usr/lib/x86_64-linux-gnu/systemd"
cp "$work/root/usr/bin/bootctl" "$out/usr/bin/"
cp -L "$work/root/lib64/ld-linux-x86-64.so.2" "$out/lib64/" || die "no ld-linux in libc6"
dirs="$work/root/lib/x86_64-linux-gnu $work/root/usr/lib/x86_64-linux-gnu $work/root/usr/lib/x86_64-linux-gnu/systemd"
find_lib() {
	local d
	for d in $dirs; do [ -e "$d/$1" ] && { echo "$d/$1"; return; }; done
}
# Breadth-first over NEEDED entries.
todo="$out/usr/bin/bootctl" done_libs=" "
while [ -n "$todo" ]; do
	set -- $todo
	todo=""
	for f in "$@"; do
		for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case "$done_libs" in *" $lib "*) continue ;; esac
			done_libs="$done_libs$lib "
			[ "$lib" = ld-linux-x86-64.so.2 ] && continue
			src=$(find_lib "$lib")
			[ -n "$src" ] || die "$lib (needed by $(basename "$f")) is in none of the packages"
			dst="$out/lib/x86_64-linux-gnu/$lib"
			case "$lib" in libsystemd-shared-*) dst="$out/usr/lib/x86_64-linux-gnu/systemd/$lib" ;; esac
			cp -L "$src" "$dst"
			todo="$todo $dst"
		done
	done
done
echo "fetch-bootctl.sh: bootctl and $(echo "$done_libs" | wc -w) libraries in $out" >&2
