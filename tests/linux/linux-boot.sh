#!/bin/bash
# linux-boot.sh: boots Debian 12's own vmlinuz through the loader's `linux` entry, EFI stub and native protocol, with test initrds (QEMU+OVMF).
#
# Usage: tests/linux/linux-boot.sh [--build DIR] [--timeout S] [SCENARIO...]
#   EFI stub: linux-one-initrd linux-two-initrds linux-initrd2-missing linux-unpadded-concat
#             linux-shield
#   UKI:      uki (a Type #2 entry built from the kernel and initrd with systemd-stub)
#   bootctl:  bootctl bootctl-oneshot (Debian's bootctl inside the booted kernel)
#   native:   native-one-initrd native-two-initrds native-mailbox-smp{2,4,8}
#             native-unreported-smp{2,4,8} native-bad-{truncated,magic,32bit}   (default: all)
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
	-h|--help) sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	-*) echo "linux-boot.sh: unknown option '$1'" >&2; exit 2 ;;
	*) scenarios+=("$1"); shift ;;
	esac
done
[ ${#scenarios[@]} -gt 0 ] || scenarios=(linux-one-initrd linux-two-initrds linux-initrd2-missing
	linux-unpadded-concat linux-shield uki bootctl bootctl-oneshot native-one-initrd native-two-initrds native-mailbox-smp2
	native-mailbox-smp4 native-mailbox-smp8 native-unreported-smp2 native-unreported-smp4
	native-unreported-smp8 native-bad-truncated native-bad-magic native-bad-32bit)

work="$build/linux"
mkdir -p "$work"
die() { echo "linux-boot.sh: $*" >&2; exit 2; }

[ -d "$build/esp/EFI/BOOT" ] || die "$build/esp missing: run 'make all' first"
for tool in cpio gzip gcc dpkg-deb tar python3; do
	command -v "$tool" >/dev/null || die "'$tool' missing (make deps installs it)"
done

# Debian's kernel, downloaded once (tests/linux/fetch-kernel.sh).
vmlinuz=$(tests/linux/fetch-kernel.sh --build "$build") || die "no Debian kernel"
kver=${vmlinuz##*/vmlinuz-}
echo "linux-boot.sh: kernel $kver ($vmlinuz, $(stat -c %s "$vmlinuz") bytes)"
# The bzImage checks on the real kernel (tests/unit/test_bzimage.c skips it without one).
if [ -x "$build/tests/test_bzimage" ]; then
	TAGBOOT_VMLINUZ=$vmlinuz "$build/tests/test_bzimage" >"$work/test_bzimage.out" 2>&1 &&
		! grep -q SKIPPED "$work/test_bzimage.out" ||
		{ cat "$work/test_bzimage.out"; die "tests/unit/test_bzimage.c failed on $vmlinuz"; }
	echo "linux-boot.sh: bzimage_check accepts $kver and refuses it cut in half"
fi

# The initrds. A fresh nonce per run goes into the second one and the command line, so only
# this run's files and options can produce the expected lines.
nonce="$(date +%s)-$$-$RANDOM"
rm -rf "$work/root1" "$work/root2"
mkdir -p "$work/root1" "$work/root2/tagboot-second"
gcc -static -O2 -Ihandoff/include -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
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
# $ENTRY_EXTRA (lines) goes into the entry as well.
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
		[ -z "${ENTRY_EXTRA:-}" ] || printf '%s\n' "$ENTRY_EXTRA"
	} >"$d/loader/entries/debian.conf"
	echo "$d"
}

# The lines a boot left on the serial log, escapes and CRs removed.
serial_of() {
	sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' "build/boot/$1/serial.log" | tr -d '\000'
}

# What /init must have printed: the stub took the initrd from the loader's LoadFile2 device
# path, the kernel is the downloaded one, the options arrived, the second initrd did or did not.
# $3: stub (the EFI stub took the initrd from LoadFile2) or native (tagboot's boot_params).
check_lines() {
	local log=$1 second=$2 how=${3:-stub} ok_line release_line second_line why=""
	ok_line=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-OK cmdline=' | tail -n 1)
	release_line=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-RELEASE ' | tail -n 1)
	second_line=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-INITRD2 ' | tail -n 1)
	if [ "$how" = stub ]; then
		printf '%s\n' "$log" | grep -aqF 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' ||
			why="no 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' line"
	else
		! printf '%s\n' "$log" | grep -aqF 'EFI stub:' || why="the EFI stub ran in a native boot"
		printf '%s\n' "$log" | grep -aqE '^tagboot: linux: boot protocol 2\.[0-9]+, kernel at ' ||
			why="no 'tagboot: linux: boot protocol' line from the loader"
	fi
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
# checks the lines /init printed. $2: the second initrd's nonce, or "absent"; $4: stub or
# native; $5: SMP (default 2); $6: one more check to run on the log (a function name).
boot() {
	local name=$1 second=$2 esp=$3 how=${4:-stub} smp=${5:-2} extra=${6:-} why log
	# $RUN_EXTRA: more run-boot.sh options (the bootctl scenario boots a GPT disk).
	# shellcheck disable=SC2086
	if ! tests/boot/run-boot.sh --esp "$esp" --name "$name" --mem 1G --smp "$smp" --timeout "$timeout_s" \
		--expect efi-pass --expect-text 'TAGBOOT-LINUX-OK cmdline=' ${RUN_EXTRA:-}; then
		failed=$((failed + 1))
		return
	fi
	log=$(serial_of "$name")
	why=$(check_lines "$log" "$second" "$how")
	[ -z "$why" ] && [ "$how" = native ] && why=$(check_e820 "$log" "$name")
	[ -z "$why" ] && [ -n "$extra" ] && why=$("$extra" "$log" "$smp")
	if [ -n "$why" ]; then
		echo "FAIL $name: $why"
		failed=$((failed + 1))
		return
	fi
	printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-' | grep -v 'exiting\|HANDOFF\|MEMMAP' | sed "s/^/  $name: /"
	passed=$((passed + 1))
}

# Native boots: the handoff blob Linux received as setup_data (printed by /init in hex) must
# be valid, and Linux's /sys/firmware/memmap must be exactly the e820 table the documented
# mapping gives for its map (`handoff e820`, docs/linux.md), entry by entry.
check_e820() {
	local log=$1 name=$2 blob="$work/$name.handoff.bin" want got
	printf '%s\n' "$log" | sed -n 's/^TAGBOOT-LINUX-HANDOFF \([0-9a-f]*\)$/\1/p' |
		python3 -c 'import sys,binascii; sys.stdout.buffer.write(binascii.unhexlify("".join(sys.stdin.read().split())))' >"$blob"
	[ -s "$blob" ] || { echo "no tagboot handoff among Linux's setup_data (/sys/kernel/boot_params)"; return; }
	"$build/bin/handoff" decode "$blob" >"$blob.txt" 2>&1 ||
		{ echo "the handoff Linux received does not validate: $(tail -n 1 "$blob.txt")"; return; }
	want=$("$build/bin/handoff" e820 "$blob")
	got=$(printf '%s\n' "$log" | sed -n 's/^TAGBOOT-LINUX-MEMMAP //p')
	[ -n "$got" ] || { echo "no /sys/firmware/memmap lines from /init"; return; }
	if [ "$want" != "$got" ]; then
		echo "Linux's memmap differs from the e820 of the handoff map:"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/    /'
	fi
}

# The memmap type of the entry that holds address $2 (hex).
memmap_type_at() {
	local log=$1 addr=$(($2)) start end type
	while read -r start end type; do
		if [ $((start)) -le "$addr" ] && [ "$addr" -le $((end)) ]; then
			echo "$type"
			return
		fi
	done < <(printf '%s\n' "$log" | sed -n 's/^TAGBOOT-LINUX-MEMMAP //p')
}

# ap-park mailbox: every CPU online, and woken through tagboot's mailbox: Linux read the
# mailbox from the MADT tagboot published, and the parked loop logged one wakeup per AP in
# the mailbox's firmware half (an AP started by INIT-SIPI leaves no entry). The parking memory
# is ACPI NVS in Linux's memmap; memtest=1 ran over all RAM first; efifb found the
# framebuffer tagboot described in screen_info.
check_wakeup() {
	local log=$1 smp=$2 aps mailbox high_lo high_hi madt wake ids checks want_ids t
	aps=$((smp - 1))
	mailbox=$(printf '%s\n' "$log" | sed -n "s/^tagboot: ap-park: $aps of $aps APs parked on mailbox \(0x[0-9a-f]*\) .*/\1/p" | tail -n 1)
	[ -n "$mailbox" ] || { echo "the loader did not park $aps APs"; return; }
	read -r high_lo high_hi < <(printf '%s\n' "$log" |
		sed -n 's/^tagboot: ap-park: .*code, page tables and stacks \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)$/\1 \2/p' | tail -n 1)
	madt=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-MADT-WAKEUP ' | tail -n 1)
	[ "$madt" = "TAGBOOT-LINUX-MADT-WAKEUP mailbox=$mailbox version=0" ] ||
		{ echo "Linux's MADT does not carry tagboot's mailbox $mailbox: '${madt:-nothing}'"; return; }
	printf '%s\n' "$log" | grep -aqx "TAGBOOT-LINUX-CPUS online=$smp list=0-$aps" ||
		{ echo "not all $smp CPUs online: '$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-CPUS' | tail -n 1)'"; return; }
	wake=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-WAKELOG ' | tail -n 1)
	want_ids=$(seq -s, 1 "$aps")
	ids=$(printf '%s\n' "$wake" | sed -n 's/.* ids=\([0-9,]*\) checks=.*/\1/p' | tr , '\n' | sort -n | paste -sd, -)
	checks=$(printf '%s\n' "$wake" | sed -n 's/.* checks=\([0-9,]*\)$/\1/p' | tr , '\n' | sort -u | paste -sd, -)
	case "$wake" in
	"TAGBOOT-LINUX-WAKELOG count=$aps vector="*) ;;
	*) echo "the mailbox's wakeup log does not hold $aps wakeups: '${wake:-nothing}'"; return ;;
	esac
	[ "$ids" = "$want_ids" ] || { echo "woken APIC IDs '$ids', expected '$want_ids'"; return; }
	# Each AP checked its page tables, stack canary and code (APPARK_CHECK_ALL = 7) before it
	# jumped into Linux.
	[ "$checks" = 7 ] || { echo "the APs' self-checks were '$checks', not all 7 (page tables, stack, code)"; return; }
	printf '%s\n' "$log" | grep -aq 'early_memtest: # of tests: 1' || { echo "memtest=1 did not run"; return; }
	# screen_info from GOP reached Linux: efifb found the framebuffer.
	printf '%s\n' "$log" | grep -aqE 'efifb: mode is [0-9]+x[0-9]+x32' ||
		{ echo "no 'efifb: mode is WxHx32': Linux did not get the GOP framebuffer in screen_info"; return; }
	for t in "$mailbox" "$high_lo" "$high_hi"; do
		[ "$(memmap_type_at "$log" "$t")" = "ACPI Non-volatile Storage" ] ||
			{ echo "parking memory at $t is '$(memmap_type_at "$log" "$t")' in Linux's memmap, not ACPI NVS"; return; }
	done
}

# ap-park mailbox-unreported + memtest=1: the parking memory is RAM to Linux, so memtest
# overwrites the APs' code and page tables before SMP bring-up; not every CPU may come
# online. Outcomes, named: "reset" (a parked AP faulted, the machine reset during memtest),
# "missing" (/init saw fewer CPUs), "hang" (Linux waits forever for an AP to acknowledge).
# Every other outcome, above all every CPU online, fails the test.
boot_unreported() {
	local name=$1 esp=$2 smp=$3 out log first lo hi verdict="" start end cpus
	out="$work/$name.out"
	tests/boot/run-boot.sh --esp "$esp" --name "$name" --mem 1G --smp "$smp" --timeout "$timeout_s" \
		--expect efi-pass --expect-text 'TAGBOOT-LINUX-OK cmdline=' >"$out" 2>&1
	log=$(serial_of "$name")
	first=$(head -n 1 "$out")
	if ! printf '%s\n' "$log" | grep -aqF 'tagboot LIES ON PURPOSE'; then
		echo "FAIL $name: the loader did not announce mailbox-unreported"
		failed=$((failed + 1))
		return
	fi
	read -r lo hi < <(printf '%s\n' "$log" |
		sed -n 's/^tagboot: ap-park: .*code, page tables and stacks \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)$/\1 \2/p' | tail -n 1)
	cpus=$(printf '%s\n' "$log" | grep -a '^TAGBOOT-LINUX-CPUS ' | tail -n 1)
	case "$first" in
	"PASS "*) echo "FAIL $name: every CPU came online although the parking memory was reported usable ($cpus)"
		failed=$((failed + 1)); return ;;
	*"triple fault or reset"*)
		# memtest must have written over the parking area before the reset.
		while read -r start end; do
			if [ $((start)) -le $((hi)) ] && [ $((end)) -gt $((lo)) ]; then
				verdict="reset: memtest wrote $start-$end over the parking area $lo-$hi, a parked AP faulted and the machine reset before SMP bring-up"
				break
			fi
		done < <(printf '%s\n' "$log" | sed -n 's/^\[ *[0-9.]*\] *\(0x[0-9a-f]*\) - \(0x[0-9a-f]*\) pattern .*/\1 \2/p')
		[ -n "$verdict" ] || verdict="" ;;
	*"exit code 35"*)
		case "$cpus" in
		"TAGBOOT-LINUX-CPUS online="*) [ "${cpus#*online=}" != "${cpus#*online=$smp }" ] ||
			verdict="missing: $cpus of $smp" ;;
		esac ;;
	*"timeout after"*)
		printf '%s\n' "$log" | grep -aq 'smp: Bringing up secondary CPUs' &&
			! printf '%s\n' "$log" | grep -aq 'smp: Brought up' &&
			verdict="hang: Linux waits for a parked AP that memtest destroyed" ;;
	esac
	if [ -z "$verdict" ]; then
		echo "FAIL $name: not the outcome of the destroyed parking area: $first"
		cat "$out"
		failed=$((failed + 1))
		return
	fi
	echo "PASS $name ($verdict)"
	passed=$((passed + 1))
}

# The shield (loader/core/shield.c): a stub-booted kernel's own e820 shows the `reserve`
# ranges that OVMF reports as conventional memory as reserved; the one over boot-services
# data cannot be covered and the console says so. linux-one-initrd, without the lines, is the
# control: there the same ranges are RAM.
SHIELD_RANGES="0x800000 0x805fff 0x20000000 0x200fffff"
SHIELD_BS="0x1000000 0x1000fff"
SHIELD_LINES=$(printf 'reserve 0x800000 0x6000 tdvf-page-tables\nreserve 0x20000000 0x100000 test-hole\nreserve 0x1000000 0x1000 bs-data')
check_shielded() {
	local log=$1 a b t
	set -- $SHIELD_RANGES
	while [ $# -gt 0 ]; do
		a=$1 b=$2
		shift 2
		printf '%s\n' "$log" | grep -aqF "tagboot: shield: $a-$b " ||
			{ echo "no 'shield: $a-$b' line from the loader"; return; }
		for t in "$a" "$b"; do
			[ "$(memmap_type_at "$log" "$t")" = Reserved ] ||
				{ echo "$t is '$(memmap_type_at "$log" "$t")' in Linux's memmap, not Reserved"; return; }
		done
	done
	set -- $SHIELD_BS
	printf '%s\n' "$log" | grep -aqF "tagboot: warning: shield: cannot cover $1-$2 bs-data (reserve line): the firmware has it as BootServicesData" ||
		{ echo "no 'cannot cover $1-$2' line for the boot-services range"; return; }
}
# A unified kernel image (Type #2 entry) in /EFI/Linux, built as the systemd-stub(7) manual of
# Debian 12 shows: objcopy of the stub from systemd-boot-efi with .osrel, .cmdline, .linux and
# .initrd. No Type #1 entry names it: tagboot must find it, list it from its .osrel and boot it
# with its own .cmdline (tagboot passes no options).
make_uki_esp() {
	local d="$work/esp-uki" stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
	[ -f "$stub" ] || die "$stub missing (make deps installs systemd-boot-efi)"
	rm -rf "$d"
	cp -r "$build/esp" "$d"
	mkdir -p "$d/EFI/Linux"
	printf 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (tagboot UKI test)"\nID=debian\nVERSION_ID="12"\n' >"$work/uki-osrel"
	printf '%s' "$base" >"$work/uki-cmdline"
	objcopy --add-section .osrel="$work/uki-osrel" --change-section-vma .osrel=0x20000 \
		--add-section .cmdline="$work/uki-cmdline" --change-section-vma .cmdline=0x30000 \
		--add-section .linux="$vmlinuz" --change-section-vma .linux=0x2000000 \
		--add-section .initrd="$work/initrd.img" --change-section-vma .initrd=0x3000000 \
		"$stub" "$d/EFI/Linux/debian-$kver.efi" || die "objcopy could not build the UKI"
	printf 'default debian-*\ntimeout 0\n' >"$d/loader/loader.conf"
	echo "$d"
}
check_uki() {
	local log=$1
	printf '%s\n' "$log" | grep -aqF "tagboot: booting entry 'debian-$kver': /EFI/Linux/debian-$kver.efi" ||
		echo "no 'booting entry 'debian-$kver': /EFI/Linux/debian-$kver.efi' line"
}

# bootctl: Debian's bootctl and its libraries (tests/linux/fetch-bootctl.sh), efivarfs.ko and
# the ESP's entries at /esp, as a third initrd; /init runs `bootctl status` and `bootctl list`
# (tagboot.bootctl=1) and `bootctl set-oneshot` (tagboot.oneshot=ID).
make_bootctl_esp() {
	local name=$1 options=$2 d r="$work/root-bootctl" ko
	d=$(make_esp "$name" "$options" /linux/initrd.img /linux/bootctl.cpio)
	mkdir -p "$d/EFI/tests"
	cp "$build/payload/probe.efi" "$d/EFI/tests/probe.efi"
	printf 'title probe\nefi /EFI/tests/probe.efi\noptions id=probe pass\n' >"$d/loader/entries/probe.conf"
	tests/linux/fetch-bootctl.sh --build "$build" "$r" || die "no bootctl"
	ko=$(ls "$build"/linux/kernel/lib/modules/*/kernel/fs/efivarfs/efivarfs.ko 2>/dev/null | head -n 1)
	[ -n "$ko" ] || die "no efivarfs.ko next to the kernel (tests/linux/fetch-kernel.sh)"
	cp "$ko" "$r/efivarfs.ko"
	mkdir -p "$r/esp"
	cp -r "$d/loader" "$r/esp/"
	(cd "$r" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc --quiet --owner=0:0) >"$d/linux/bootctl.cpio" ||
		die "cannot pack bootctl.cpio"
	echo "$d"
}
# What Debian's bootctl said about the running boot loader and its entries.
check_bootctl() {
	local log=$1 want why=""
	for want in 'BOOTCTL:       Product: tagboot 0.1.0' 'BOOTCTL:      Features: ✓ Boot counting' \
		'BOOTCTL:                ✓ Menu timeout control' 'BOOTCTL:                ✓ One-shot menu timeout control' \
		'BOOTCTL:                ✓ Default entry control' 'BOOTCTL:                ✓ One-shot entry control' \
		'BOOTCTL:                ✓ Support for XBOOTLDR partition' \
		'BOOTCTL:                ✗ Support for passing random seed to OS' \
		'BOOTCTL:                ✓ Support Type #1 sort-key field' 'BOOTCTL:                ✓ Support @saved pseudo-entry' \
		'BOOTCTL:       Firmware: UEFI 2.70 (EDK II 1.00)' 'BOOTCTL:          File: └─/EFI/BOOT/BOOTX64.EFI' \
		'BOOTCTL:            id: debian.conf' 'BOOTCTL:        source: /esp/loader/entries/debian.conf' \
		'BOOTCTL:         title: Debian GNU/Linux 12 (tagboot test) (selected)' \
		'BOOTCTL:            id: auto-reboot-to-firmware-setup' \
		'BOOTCTL:                ✓ Boot loader sets ESP information' \
		'BOOTCTL:           ESP: /dev/disk/by-partuuid/4a1ae9d5-b0c4-4c3a-8f07-7a3a6d2b1c01'; do
		printf '%s\n' "$log" | grep -aqF -- "$want" || why="${why:+$why; }no '$want'"
	done
	! printf '%s\n' "$log" | grep -aqF 'not reported/new' || why="${why:+$why; }bootctl list marks an entry 'not reported/new'"
	echo "$why"
}
# bootctl set-oneshot probe.conf in the first boot: the second start boots the probe once.
boot_oneshot() {
	local name=$1 esp=$2 log
	if ! tests/boot/run-boot.sh --esp "$esp" --name "$name" --mem 1G --smp 2 --timeout "$timeout_s" \
		--allow-reboot --max-starts 2 --expect efi-pass --expect-text 'PROBE-OPTIONS id=probe pass'; then
		failed=$((failed + 1))
		return
	fi
	log=$(serial_of "$name")
	if ! printf '%s\n' "$log" | grep -aqF 'TAGBOOT-LINUX-BOOTCTL set-oneshot rc=0'; then
		echo "FAIL $name: bootctl set-oneshot did not succeed"
		failed=$((failed + 1))
	elif printf '%s\n' "$log" | grep -aq '^PROBE-VAR LoaderEntryOneShot='; then
		echo "FAIL $name: LoaderEntryOneShot is still set when the one-shot entry runs"
		failed=$((failed + 1))
	else
		echo "PASS $name (bootctl set-oneshot probe.conf, then the probe booted once)"
		passed=$((passed + 1))
	fi
}

check_unshielded() {
	local log=$1 t
	for t in $SHIELD_RANGES; do
		[ "$(memmap_type_at "$log" "$t")" = "System RAM" ] ||
			{ echo "control: $t is '$(memmap_type_at "$log" "$t")' without reserve lines, not System RAM (the shield test proves nothing here)"; return; }
	done
	! printf '%s\n' "$log" | grep -aq 'tagboot: shield:' || echo "control: a shield line without reserve lines"
}

# A broken bzImage: the loader names file and field before ExitBootServices and returns to
# the firmware. $3: the text the error must hold.
boot_bad() {
	local name=$1 esp=$2 text=$3
	if tests/boot/run-boot.sh --esp "$esp" --name "$name" --mem 1G --smp 1 --timeout "$timeout_s" \
		--expect loader-error --expect-text "$text"; then
		serial_of "$name" | grep -a 'tagboot: error:' | head -n 1 | sed "s/^/  $name: /"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
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
# The memtest pairs: the same kernel, initrd and command line, only ap-park differs. nokaslr
# keeps the decompressed kernel where tagboot loaded it, so that memtest, not the
# decompressor, is what meets the parking area; earlyprintk shows memtest's ranges before a
# reset can cut the log short.
memtest="console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr memtest=1 tagboot.test=1 tagboot.nonce=$nonce panic=-1"
native="linux-protocol native"
# A copy of the kernel with one change for the broken-image scenarios.
bad_kernel() {
	local esp=$1 how=$2
	case "$how" in
	truncated) head -c $(($(stat -c %s "$vmlinuz") / 2)) "$vmlinuz" >"$esp/linux/vmlinuz" ;;
	magic) printf 'XXXX' | dd of="$esp/linux/vmlinuz" bs=1 seek=$((0x202)) conv=notrunc status=none ;;
	32bit) printf '\000' | dd of="$esp/linux/vmlinuz" bs=1 seek=$((0x236)) conv=notrunc status=none ;;
	esac
}
for s in "${scenarios[@]}"; do
	case "$s" in
	linux-one-initrd)
		boot "$s" absent "$(make_esp "$s" "$base" /linux/initrd.img)" stub 2 check_unshielded ;;
	uki)
		boot "$s" absent "$(make_uki_esp)" stub 2 check_uki ;;
	bootctl)
		# On a GPT disk, so that tagboot has a partition GUID to report (run-boot.sh --gpt).
		RUN_EXTRA=--gpt boot "$s" absent "$(make_bootctl_esp "$s" "$base tagboot.bootctl=1")" stub 2 check_bootctl ;;
	bootctl-oneshot)
		boot_oneshot "$s" "$(make_bootctl_esp "$s" "$base tagboot.bootctl=1 tagboot.oneshot=probe.conf")" ;;
	linux-shield)
		boot "$s" absent "$(ENTRY_EXTRA=$SHIELD_LINES make_esp "$s" "$base" /linux/initrd.img)" stub 2 check_shielded ;;
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
	native-one-initrd)
		boot "$s" absent "$(ENTRY_EXTRA=$native make_esp "$s" "$base" /linux/initrd.img)" native ;;
	native-two-initrds)
		boot "$s" "$nonce" "$(ENTRY_EXTRA=$native make_esp "$s" "$base tagboot.initrd2=1" /linux/initrd.img /linux/initrd2.cpio)" native ;;
	native-mailbox-smp*)
		n=${s#native-mailbox-smp}
		boot "$s" absent "$(ENTRY_EXTRA=$(printf '%s\nap-park mailbox' "$native") make_esp "$s" "$memtest tagboot.expect-cpus=$n" /linux/initrd.img)" native "$n" check_wakeup ;;
	native-unreported-smp*)
		n=${s#native-unreported-smp}
		boot_unreported "$s" "$(ENTRY_EXTRA=$(printf '%s\nap-park mailbox-unreported' "$native") make_esp "$s" "$memtest tagboot.expect-cpus=$n" /linux/initrd.img)" "$n" ;;
	native-bad-truncated|native-bad-magic|native-bad-32bit)
		esp=$(ENTRY_EXTRA=$native make_esp "$s" "$base" /linux/initrd.img)
		bad_kernel "$esp" "${s#native-bad-}"
		case "$s" in
		*truncated) text='/linux/vmlinuz: setup header field syssize (0x1f4)' ;;
		*magic) text='/linux/vmlinuz: setup header field header (0x202)' ;;
		*32bit) text='/linux/vmlinuz: setup header field xloadflags (0x236): XLF_KERNEL_64 is not set' ;;
		esac
		boot_bad "$s" "$esp" "$text" ;;
	*) echo "linux-boot.sh: unknown scenario '$s'" >&2; failed=$((failed + 1)) ;;
	esac
done
echo "linux boot tests ($kver): $passed passed, $failed failed"
[ "$failed" = 0 ]
