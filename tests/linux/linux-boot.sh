#!/bin/bash
# linux-boot.sh: boots Debian 12's own EFI-stub vmlinuz through the loader's `linux` entry with test initrds (QEMU+OVMF).
#
# Usage: tests/linux/linux-boot.sh [--build DIR] [--timeout S] [SCENARIO...]
#   scenarios: linux-one-initrd linux-two-initrds linux-initrd2-missing linux-unpadded-concat (default: all)
# The kernel is downloaded once (apt-get download, not installed) and cached in DIR/linux/.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
build=build timeout_s=180
scenarios=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	-h|--help) sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	-*) echo "linux-boot.sh: unknown option '$1'" >&2; exit 2 ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(linux-one-initrd linux-two-initrds linux-initrd2-missing linux-unpadded-concat)

work="$build/linux"
kdir="$work/kernel"
mkdir -p "$work" "$kdir"
die() { echo "linux-boot.sh: $*" >&2; exit 2; }
# The first file a glob matches, or nothing.
first_match() {
	local f
	for f in "$@"; do [ -e "$f" ] && { echo "$f"; return; }; done
}

[ -d "$build/esp/EFI/BOOT" ] || die "$build/esp missing: run 'make all' first"
for tool in cpio gzip gcc dpkg-deb tar; do
	command -v "$tool" >/dev/null || die "'$tool' missing (make deps installs it)"
done

# Debian's kernel: the package linux-image-amd64 points at, downloaded (never installed) and
# only boot/vmlinuz-* taken out of it. A cached vmlinuz is used as is, without apt.
fetch_kernel() {
	local pkg deb
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-amd64 (apt-get update as root)"
	rm -f "$work"/dl/*.deb
	mkdir -p "$work/dl"
	if ! (cd "$work/dl" && apt-get download -q "$pkg"); then
		[ "$(id -u)" = 0 ] || die "apt-get download $pkg failed (stale package lists? run apt-get update as root)"
		apt-get update -qq || die "apt-get update failed"
		(cd "$work/dl" && apt-get download -q "$pkg") || die "apt-get download $pkg failed"
	fi
	deb=$(first_match "$work"/dl/"$pkg"_*.deb)
	[ -n "$deb" ] || die "apt-get download left no $pkg .deb in $work/dl"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" --wildcards './boot/vmlinuz-*' ||
		die "$deb: no ./boot/vmlinuz-* in the package"
	# Only the 8 MiB vmlinuz is kept; the 70 MiB .deb goes.
	rm -f "$deb"
}
vmlinuz=$(first_match "$kdir"/boot/vmlinuz-*)
if [ -z "$vmlinuz" ]; then
	fetch_kernel
	vmlinuz=$(first_match "$kdir"/boot/vmlinuz-*)
	[ -n "$vmlinuz" ] || die "no vmlinuz after the download"
fi
kver=${vmlinuz##*/vmlinuz-}
echo "linux-boot.sh: kernel $kver ($vmlinuz, $(stat -c %s "$vmlinuz") bytes)"

# The initrds. A fresh nonce per run goes into the second one and the command line, so only
# this run's files and options can produce the expected lines.
nonce="$(date +%s)-$$-$RANDOM"
rm -rf "$work/root1" "$work/root2"
mkdir -p "$work/root1" "$work/root2/tagboot-second"
gcc -static -O2 -Iloader/core -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-o "$work/root1/init" tests/linux/init.c || die "cannot build tests/linux/init.c statically (libc6-dev has libc.a)"
echo "$nonce" >"$work/root2/tagboot-second/nonce"
# The first initrd compressed, the second a plain cpio: the kernel finds the second only if the
# loader padded the first to 4 bytes as cpio concatenation requires. So the first must have a
# length that is not a multiple of 4; a filler file of growing size gets it there.
for fill in 0 1 2 3 4 5 6 7 8; do
	[ "$fill" = 8 ] && die "$work/initrd.img: could not get a length that is not a multiple of 4"
	head -c "$fill" /dev/zero | tr '\0' x >"$work/root1/filler"
	(cd "$work/root1" && printf 'init\nfiller\n' | cpio -o -H newc --quiet --owner=0:0) |
		gzip -9n >"$work/initrd.img" || die "cannot pack $work/initrd.img"
	[ $(($(stat -c %s "$work/initrd.img") % 4)) != 0 ] && break
done
(cd "$work/root2" && printf 'tagboot-second\ntagboot-second/nonce\n' |
	cpio -o -H newc --quiet --owner=0:0) >"$work/initrd2.cpio" || die "cannot pack $work/initrd2.cpio"
echo "linux-boot.sh: initrd.img $(stat -c %s "$work/initrd.img") bytes (not a multiple of 4), initrd2.cpio $(stat -c %s "$work/initrd2.cpio") bytes"

# Copies build/esp, adds the kernel and initrds and makes a `linux` entry the default.
make_esp() {
	local d="$work/esp-$1" options=$2
	shift 2
	rm -rf "$d"
	cp -r "$build/esp" "$d"
	mkdir -p "$d/linux"
	cp "$vmlinuz" "$d/linux/vmlinuz"
	cp "$work/initrd.img" "$work/initrd2.cpio" "$d/linux/"
	printf 'default debian\ntimeout 0\n' >"$d/loader/loader.conf"
	{
		printf 'title Debian GNU/Linux 12 (tagboot test)\nversion %s\nlinux /linux/vmlinuz\n' "$kver"
		for i in "$@"; do printf 'initrd %s\n' "$i"; done
		printf 'options %s\n' "$options"
	} >"$d/loader/entries/debian.conf"
	echo "$d"
}

# The lines a boot left on the serial log, escapes and CRs removed.
serial_of() {
	sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' "build/boot/$1/serial.log" | tr -d '\000'
}

# What /init must have printed: the stub took the initrd from the loader's LoadFile2 device
# path, the kernel is the downloaded one, the options arrived, the second initrd did or did not.
check_lines() {
	local log=$1 second=$2 ok_line release_line second_line why=""
	ok_line=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-OK cmdline=' | tail -n 1)
	release_line=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-RELEASE ' | tail -n 1)
	second_line=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-INITRD2 ' | tail -n 1)
	printf '%s\n' "$log" | grep -aqF 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' ||
		why="no 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' line"
	[ "$release_line" = "TAGBOOT-LINUX-RELEASE $kver" ] ||
		why="${why:+$why; }expected 'TAGBOOT-LINUX-RELEASE $kver', got '${release_line:-nothing}'"
	local word
	for word in tagboot.test=1 "tagboot.nonce=$nonce"; do
		case " ${ok_line#TAGBOOT-LINUX-OK cmdline=} " in
		*" $word "*) ;;
		*) why="${why:+$why; }the cmdline lacks $word: '${ok_line:-nothing}'" ;;
		esac
	done
	[ "$second_line" = "TAGBOOT-LINUX-INITRD2 $second" ] ||
		why="${why:+$why; }expected 'TAGBOOT-LINUX-INITRD2 $second', got '${second_line:-nothing}'"
	echo "$why"
}

passed=0 failed=0
# Boots one scenario through tests/boot/run-boot.sh (exit 33 from /init, no RESULT line), then
# checks the lines /init printed. $2: the second initrd's nonce, or "absent".
boot() {
	local name=$1 second=$2 esp=$3 why
	if ! tests/boot/run-boot.sh --esp "$esp" --name "$name" --mem 1G --smp 2 --timeout "$timeout_s" \
		--expect efi-pass --expect-text 'TAGBOOT-LINUX-OK cmdline='; then
		failed=$((failed + 1))
		return
	fi
	why=$(check_lines "$(serial_of "$name")" "$second")
	if [ -n "$why" ]; then
		echo "FAIL $name: $why"
		failed=$((failed + 1))
		return
	fi
	serial_of "$name" | grep -a '^TAGBOOT-LINUX-' | grep -v exiting | sed "s/^/  $name: /"
	passed=$((passed + 1))
}

# A negative boot: the command line announces a second initrd that does not arrive. /init must
# notice and exit 35, so run-boot.sh must fail; this proves the check can fail. $3: one more
# line the serial log must hold (empty: none).
boot_must_fail() {
	local name=$1 esp=$2 also=$3 out log
	out="$work/$name.out"
	if tests/boot/run-boot.sh --esp "$esp" --name "$name" --mem 1G --smp 2 --timeout "$timeout_s" \
		--expect efi-pass --expect-text 'TAGBOOT-LINUX-OK cmdline=' >"$out" 2>&1; then
		echo "FAIL $name: run-boot.sh passed although the second initrd is missing"
		failed=$((failed + 1))
		return
	fi
	log=$(serial_of "$name")
	if head -n 1 "$out" | grep -q 'exit code 35, expected 33' &&
		printf '%s\n' "$log" | grep -aqx 'TAGBOOT-LINUX-INITRD2 absent' &&
		printf '%s\n' "$log" | grep -aqx 'TAGBOOT-LINUX: exiting QEMU (fail)' &&
		{ [ -z "$also" ] || printf '%s\n' "$log" | grep -aqF -- "$also"; }; then
		echo "PASS $name (run-boot.sh failed as it must: $(head -n 1 "$out"))"
		passed=$((passed + 1))
	else
		echo "FAIL $name: expected a failure with exit code 35, 'TAGBOOT-LINUX-INITRD2 absent'${also:+ and \"$also\"}; got:"
		cat "$out"
		failed=$((failed + 1))
	fi
}

base="console=ttyS0 tagboot.test=1 tagboot.nonce=$nonce panic=-1 loglevel=3"
for s in "${scenarios[@]}"; do
	case "$s" in
	linux-one-initrd)
		boot "$s" absent "$(make_esp "$s" "$base" /linux/initrd.img)" ;;
	linux-two-initrds)
		boot "$s" "$nonce" "$(make_esp "$s" "$base tagboot.initrd2=1" /linux/initrd.img /linux/initrd2.cpio)" ;;
	linux-initrd2-missing)
		boot_must_fail "$s" "$(make_esp "$s" "$base tagboot.initrd2=1" /linux/initrd.img)" "" ;;
	linux-unpadded-concat)
		# Both archives in one file without the 4-byte padding: the kernel loses the second,
		# which is why linux-two-initrds proves that the loader pads.
		cat "$work/initrd.img" "$work/initrd2.cpio" >"$work/unpadded.img"
		esp=$(make_esp "$s" "$base tagboot.initrd2=1" /linux/unpadded.img)
		cp "$work/unpadded.img" "$esp/linux/"
		boot_must_fail "$s" "$esp" 'Initramfs unpacking failed: invalid magic at start of compressed archive' ;;
	*) echo "linux-boot.sh: unknown scenario '$s'" >&2; failed=$((failed + 1)) ;;
	esac
done
echo "linux boot tests ($kver): $passed passed, $failed failed"
[ "$failed" = 0 ]
