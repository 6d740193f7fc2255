#!/bin/bash
# fetch-kernel.sh: Debian's own kernel for the Linux tests and the benchmark: downloaded once (apt-get download, never installed), cached, its path printed.
#
# Usage: tests/linux/fetch-kernel.sh [--build DIR]
# Prints the path of DIR/linux/kernel/boot/vmlinuz-VERSION on stdout; messages go to stderr.
# The package is the one linux-image-amd64 depends on; only ./boot/vmlinuz-* and the efivarfs
# module (for bootctl in tests/linux) are kept (8 MiB, the 70 MiB .deb is deleted). A cached
# vmlinuz with its module is used as is, without apt.
set -u

build=build
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	*) echo "fetch-kernel.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
work="$build/linux"
kdir="$work/kernel"
mkdir -p "$kdir"
die() { echo "fetch-kernel.sh: $*" >&2; exit 2; }
first_match() {
	local f
	for f in "$@"; do [ -e "$f" ] && { echo "$f"; return; }; done
}

vmlinuz=$(first_match "$kdir"/boot/vmlinuz-*)
[ -n "$(first_match "$kdir"/lib/modules/*/kernel/fs/efivarfs/efivarfs.ko)" ] || vmlinuz=""
if [ -z "$vmlinuz" ]; then
	for tool in apt-cache apt-get dpkg-deb tar; do
		command -v "$tool" >/dev/null || die "'$tool' missing"
	done
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >&2 || die "apt-get update failed"
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	fi
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-amd64 (apt-get update as root)"
	rm -f "$work"/dl/*.deb
	mkdir -p "$work/dl"
	if ! (cd "$work/dl" && apt-get download -q "$pkg" >&2); then
		[ "$(id -u)" = 0 ] || die "apt-get download $pkg failed (stale package lists? run apt-get update as root)"
		apt-get update -qq >&2 || die "apt-get update failed"
		(cd "$work/dl" && apt-get download -q "$pkg" >&2) || die "apt-get download $pkg failed"
	fi
	deb=$(first_match "$work"/dl/"$pkg"_*.deb)
	[ -n "$deb" ] || die "apt-get download left no $pkg .deb in $work/dl"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" --wildcards './boot/vmlinuz-*' \
		'./lib/modules/*/kernel/fs/efivarfs/efivarfs.ko' ||
		die "$deb: no ./boot/vmlinuz-* or efivarfs.ko in the package"
	rm -f "$deb"
	vmlinuz=$(first_match "$kdir"/boot/vmlinuz-*)
	[ -n "$vmlinuz" ] || die "no vmlinuz after the download"
fi
echo "$vmlinuz"
