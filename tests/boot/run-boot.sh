#!/bin/bash
# run-boot.sh: boots one scenario in QEMU + OVMF (TCG) and judges it by exit code and log lines.
#
# Usage: tests/boot/run-boot.sh --esp DIR [--name N] [--smp N] [--mem M] [--machine q35|pc]
#            [--timeout S] [--expect pass|fail|loader-error|efi-pass|firmware-refused|reset] [--expect-text TEXT]
#            [--expect-cpus N] [--live] [--secure-boot] [--qemu-arg ARG]...
#            [--allow-reboot] [--max-starts N] [--expect-no-text TEXT] [--gpt] [--xbootldr DIR]
# Prints "PASS name (Ns)" or "FAIL name: reason" (then the log) and exits 0 or 1.
# Everything of a run lives in build/boot/NAME/; the last run is also kept in build/last-boot/.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# QEMU isa-debug-exit: the guest writes v, QEMU exits (v << 1) | 1 (hw/misc/debugexit.c).
EXIT_PASS=33
EXIT_FAIL=35
# After "tagboot: error:" the loader announces its return to the firmware (it waits 10 s or a
# key); the boot manager then moves on to the next option, ending at the EFI shell.
# Secure Boot refusal of the loader itself (OVMF BdsDxe on serial, seen with Debian's 2022.11).
FIRMWARE_REFUSED='BdsDxe: failed to (load|start) Boot[0-9A-F]+ "UEFI QEMU HARDDISK[^"]*" .*: (Access Denied|Security Violation)'
LOADER_GAVE_UP='returning to (the )?firmware|return to the firmware|BdsDxe: failed to start|Shell> '

name=boot esp="" smp=1 mem=512M machine=q35 timeout_s=180 expect=pass expect_text=""
expect_cpus="" live=0 allow_reboot=0 max_starts="" expect_no_text="" gpt=0 xbootldr=""
extra_qemu=()

usage() {
	sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=$2; shift 2 ;;
	--esp) esp=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--machine) machine=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--expect) expect=$2; shift 2 ;;
	--expect-text) expect_text=$2; shift 2 ;;
	--expect-cpus) expect_cpus=$2; shift 2 ;;
	--live) live=1; shift ;;
	# Without -no-reboot: a reset boots the machine again (the reset-loop cases); together
	# with --max-starts N, which fails the run if tagboot started more than N times.
	--allow-reboot) allow_reboot=1; shift ;;
	--max-starts) max_starts=$2; shift 2 ;;
	--expect-no-text) expect_no_text=$2; shift 2 ;;
	# A GPT disk image with the ESP as an EFI System partition instead of QEMU's vvfat (an
	# MBR disk): the loader then has a partition GUID (LoaderDevicePartUUID). Writes stay in
	# the image.
	--gpt) gpt=1; shift ;;
	# With --gpt: a second partition of the XBOOTLDR type (bc13c2ff-...) holding DIR.
	--xbootldr) xbootldr=$2; gpt=1; shift 2 ;;
	# Debian's snakeoil OVMF: Secure Boot on, PK/KEK/db = /usr/share/ovmf/PkKek-1-snakeoil.pem.
	--secure-boot) OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd
		OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd; shift ;;
	--qemu-arg) extra_qemu+=("$2"); shift 2 ;;
	-h|--help) usage ;;
	*) echo "run-boot.sh: unknown option '$1'" >&2; usage ;;
	esac
done

[ -n "$esp" ] || { echo "run-boot.sh: --esp DIR is required" >&2; usage; }
case "$machine" in q35|pc) ;; *) echo "run-boot.sh: --machine: '$machine' is not q35 or pc" >&2; exit 2 ;; esac
case "$expect" in pass|fail|loader-error|efi-pass|firmware-refused|reset) ;;
*) echo "run-boot.sh: --expect: '$expect' is not pass, fail, loader-error, efi-pass, firmware-refused or reset" >&2; exit 2 ;; esac
case "$name" in *[!A-Za-z0-9._-]*|"") echo "run-boot.sh: --name: '$name' must be [A-Za-z0-9._-]+" >&2; exit 2 ;; esac
[ -n "$expect_cpus" ] || expect_cpus=$smp
[ -d "$esp" ] || { echo "run-boot.sh: --esp: '$esp' is not a directory" >&2; exit 2; }
for f in "$OVMF_CODE" "$OVMF_VARS"; do
	[ -r "$f" ] || { echo "run-boot.sh: $f missing (apt-get install ovmf)" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "run-boot.sh: qemu-system-x86_64 missing" >&2; exit 2; }

# Staging: a private copy of the ESP (QEMU's fat:rw may write to it) and of the variable store.
work="$ROOT/build/boot/$name"
rm -rf "$work"
mkdir -p "$work/esp"
cp -r "$esp"/. "$work/esp/"
cp "$OVMF_VARS" "$work/vars.fd"
serial="$work/serial.log"
debugcon="$work/debugcon.log"
: >"$serial"
: >"$debugcon"

# A readable log: OVMF draws its console with ANSI escapes and CRLF.
clean_log() {
	sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' "$1" | tr -d '\000'
}

# Decode the HANDOFF-BEGIN/-END hex frame of the debugcon log into a binary file.
extract_handoff() {
	perl -ne 'BEGIN { binmode STDOUT } $in = 1, next if /^HANDOFF-BEGIN /; $in = 0 if /^HANDOFF-END/;
		print pack("H*", $1) if $in && /^([0-9a-f]+)\s*$/' "$debugcon" >"$work/handoff.bin"
	[ -s "$work/handoff.bin" ] || { rm -f "$work/handoff.bin"; return; }
	# A kernel that died in the middle of the dump leaves a short file: say so.
	local announced got
	announced=$(sed -n 's/^HANDOFF-BEGIN \([0-9][0-9]*\).*/\1/p' "$debugcon" | tail -n 1)
	got=$(stat -c %s "$work/handoff.bin")
	if [ -n "$announced" ] && [ "$announced" != "$got" ]; then
		echo "run-boot.sh: $name: handoff dump has $got of $announced bytes" >&2
	fi
}

save_last_boot() {
	extract_handoff
	local last="$ROOT/build/last-boot"
	mkdir -p "$last"
	rm -f "$last/handoff.bin"
	clean_log "$serial" >"$last/serial.log"
	cp "$debugcon" "$last/debugcon.log"
	[ -f "$work/handoff.bin" ] && cp "$work/handoff.bin" "$last/handoff.bin"
	true
}

disk="fat:rw:$work/esp"
if [ "$gpt" = 1 ]; then
	for tool in sfdisk mkfs.vfat mcopy; do
		command -v "$tool" >/dev/null || { echo "run-boot.sh: $tool missing (make deps)" >&2; exit 2; }
	done
	disk="$work/disk.img"
	esp_mb=$(( $(du -sm "$work/esp" | cut -f1) * 2 + 64 ))
	x_mb=0
	if [ -n "$xbootldr" ]; then
		[ -d "$xbootldr" ] || { echo "run-boot.sh: --xbootldr: '$xbootldr' is not a directory" >&2; exit 2; }
		x_mb=$(( $(du -sm "$xbootldr" | cut -f1) * 2 + 64 ))
	fi
	rm -f "$disk"
	truncate -s "$(( esp_mb + x_mb + 2 ))M" "$disk"
	# The ESP from 1 MiB, then (--xbootldr) the XBOOTLDR partition, with fixed GUIDs the
	# tests can expect.
	{
		printf 'label: gpt\nlabel-id: 9b1f6e3a-4c2d-4f8e-a1b0-3d5c7e9f2a14\n'
		printf 'start=2048, size=%dMiB, type=U, uuid=4a1ae9d5-b0c4-4c3a-8f07-7a3a6d2b1c01\n' "$esp_mb"
		[ -n "$xbootldr" ] && printf 'size=%dMiB, type=bc13c2ff-59e6-4262-a352-b275fd6f7172, uuid=7d3f0b6e-2c1a-4e55-9b8a-0f61e2c4d702\n' "$x_mb"
	} | sfdisk -q "$disk" >/dev/null || { echo "run-boot.sh: sfdisk failed" >&2; exit 2; }
	mkfs.vfat -F 32 --offset 2048 "$disk" $(( esp_mb * 1024 )) >"$work/mkfs.log" 2>&1 ||
		{ echo "run-boot.sh: mkfs.vfat failed" >&2; exit 2; }
	MTOOLS_SKIP_CHECK=1 mcopy -s -Q -i "$disk@@1M" "$work/esp"/* ::/ ||
		{ echo "run-boot.sh: mcopy failed" >&2; exit 2; }
	if [ -n "$xbootldr" ]; then
		off=$(( 2048 + esp_mb * 2048 ))
		mkfs.vfat -F 32 --offset "$off" "$disk" $(( x_mb * 1024 )) >>"$work/mkfs.log" 2>&1 ||
			{ echo "run-boot.sh: mkfs.vfat (XBOOTLDR) failed" >&2; exit 2; }
		MTOOLS_SKIP_CHECK=1 mcopy -s -Q -i "$disk@@$(( off * 512 ))" "$xbootldr"/* ::/ ||
			{ echo "run-boot.sh: mcopy (XBOOTLDR) failed" >&2; exit 2; }
	fi
fi

start=$(date +%s)
# shellcheck disable=SC2054 # the commas are QEMU's option syntax
cmd=(qemu-system-x86_64 -machine "$machine" -accel tcg -smp "$smp" -m "$mem"
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
	-drive "if=pflash,format=raw,unit=1,file=$work/vars.fd"
	-drive "format=raw,file=$disk"
	-display none -net none -monitor none
	-serial "file:$serial" -debugcon "file:$debugcon"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${extra_qemu[@]}")
[ "$allow_reboot" = 1 ] || cmd+=(-no-reboot)
printf '%q ' "${cmd[@]}" >"$work/qemu.cmd"
echo >>"$work/qemu.cmd"

timeout --kill-after=5 "$timeout_s" "${cmd[@]}" >"$work/qemu.out" 2>&1 &
qpid=$!
tail_pid=""
if [ "$live" = 1 ]; then
	tail -n +1 -f --pid="$qpid" "$serial" 2>/dev/null | sed -u -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' &
	tail_pid=$!
fi

# Watch the log while QEMU runs: stop early on a firmware exception, and once a loader error
# has sent us back to firmware (the boot manager would go on to other boot options).
killed_reason=""
while kill -0 "$qpid" 2>/dev/null; do
	sleep 0.5
	if grep -aq '!!!! X64 Exception' "$serial"; then
		killed_reason="firmware exception (OVMF exception dump on serial)"
	elif [ "$expect" = loader-error ] && grep -aq 'tagboot: error:' "$serial" &&
		grep -aEq "$LOADER_GAVE_UP" "$serial"; then
		killed_reason="loader-error-seen"
	elif [ "$expect" = firmware-refused ] && grep -aEq "$FIRMWARE_REFUSED" "$serial"; then
		killed_reason="firmware-refused-seen"
	fi
	if [ -n "$killed_reason" ]; then
		sleep 0.5
		kill "$qpid" 2>/dev/null
		break
	fi
done
wait "$qpid"
rc=$?
[ -n "$tail_pid" ] && { sleep 0.3; kill "$tail_pid" 2>/dev/null; wait "$tail_pid" 2>/dev/null; }
elapsed=$(( $(date +%s) - start ))
save_last_boot

log=$(clean_log "$serial")
result_line=$(printf '%s\n' "$log" | grep -a '^RESULT: ' | tail -n 1)
last_line=$(printf '%s\n' "$log" | grep -av '^[[:space:]]*$' | tail -n 1)

fail() {
	local how="qemu exit $rc"
	[ -n "$killed_reason" ] && how="stopped by the runner"
	echo "FAIL $name: $1 (${elapsed}s, $how)"
	if [ "$live" = 0 ]; then
		echo "---- $work/serial.log (last 80 lines) ----"
		printf '%s\n' "$log" | tail -n 80
		if [ -s "$work/qemu.out" ]; then
			echo "---- qemu stderr ----"
			cat "$work/qemu.out"
		fi
		echo "---- end of $name ----"
	fi
	exit 1
}

has_text() { printf '%s\n' "$log" | grep -aqF -- "$1"; }

if [ "$killed_reason" = "firmware exception (OVMF exception dump on serial)" ]; then
	fail "$killed_reason"
fi
if [ "$killed_reason" != loader-error-seen ] && [ "$killed_reason" != firmware-refused-seen ]; then
	case $rc in
	124|137) fail "timeout after ${timeout_s}s" ;;
	0) [ "$expect" = reset ] || fail "QEMU exited 0: triple fault or reset (-no-reboot), no isa-debug-exit" ;;
	esac
fi
if [ -n "$expect_text" ] && ! has_text "$expect_text"; then
	fail "expected text '$expect_text' not in the serial log"
fi
if [ -n "$expect_no_text" ] && has_text "$expect_no_text"; then
	fail "text '$expect_no_text' must not be in the serial log"
fi
if [ -n "$max_starts" ]; then
	starts=$(printf '%s\n' "$log" | grep -ac 'tagboot: tagboot [0-9][0-9.]* on ')
	[ "$starts" -le "$max_starts" ] || fail "tagboot started $starts times (at most $max_starts): a boot loop"
fi

case "$expect" in
pass)
	[ $rc = $EXIT_PASS ] || fail "exit code $rc, expected $EXIT_PASS; ${result_line:-no RESULT line}"
	case "$result_line" in
	"RESULT: PASS "*) ;;
	*) fail "no 'RESULT: PASS' line (${result_line:-no RESULT line})" ;;
	esac
	[ "$last_line" = "$result_line" ] || fail "the RESULT line is not the last serial line"
	case "$result_line" in
	"RESULT: PASS cpus=$expect_cpus/$expect_cpus "*) ;;
	*) fail "expected cpus=$expect_cpus/$expect_cpus: $result_line" ;;
	esac
	;;
fail)
	[ $rc = $EXIT_FAIL ] || fail "exit code $rc, expected $EXIT_FAIL; ${result_line:-no RESULT line}"
	case "$result_line" in
	"RESULT: FAIL"*) ;;
	*) fail "no 'RESULT: FAIL' line (${result_line:-no RESULT line})" ;;
	esac
	;;
loader-error)
	has_text 'tagboot: error:' || fail "no 'tagboot: error:' line from the loader"
	[ -z "$result_line" ] || fail "a kernel ran although the loader should have refused: $result_line"
	;;
firmware-refused)
	printf '%s\n' "$log" | grep -aEq "$FIRMWARE_REFUSED" ||
		fail "no Secure Boot refusal of the loader by the firmware"
	! has_text 'tagboot ' || fail "the loader ran although the firmware should have refused it"
	;;
efi-pass)
	[ $rc = $EXIT_PASS ] || fail "exit code $rc, expected $EXIT_PASS from the EFI payload"
	[ -z "$result_line" ] || fail "unexpected kernel RESULT line: $result_line"
	;;
reset)
	# Where the hardware leaves nothing else to observe: a CPU shut down (triple fault) and
	# reset the machine, which -no-reboot turns into QEMU exiting 0. Anything else, a
	# verdict from the kernel above all, is not the expected outcome.
	[ $rc = 0 ] || fail "exit code $rc, expected a reset (QEMU exit 0 under -no-reboot); ${result_line:-no RESULT line}"
	[ -z "$result_line" ] || fail "the kernel reached a verdict although a reset was expected: $result_line"
	echo "PASS $name (${elapsed}s; expected reset: the machine reset (a CPU shut down) after '$(printf '%s\n' "$log" | grep -av '^[[:space:]]*$' | tail -n 1 | cut -c1-120)')"
	exit 0
	;;
esac

echo "PASS $name (${elapsed}s)"
# Live runs (make run): the kernel's verdict stays the last line on the terminal.
[ "$live" = 1 ] && [ -n "$result_line" ] && echo "$result_line"
exit 0
