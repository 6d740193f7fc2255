#!/bin/bash
# run-one.sh: one benchmark boot: QEMU + OVMF under -icount, prints the TSC the guest reported.
#
# Usage: run-one.sh --esp DIR --work DIR --kind payload|handoff|linux [--smp N] [--mem M]
#            [--timeout S] [--handoff-tool PATH]
# payload: reads "TSC-ENTRY N" from debugcon and prints "entry N".
# handoff: decodes the kernel-sample's handoff dump from debugcon with the handoff tool and
#          prints "entry JUMP loader LOADER_ENTRY exit BEFORE_EXIT park_start S park_end E"
#          (jump = TSC at kernel entry; S and E are 0 when the loader parked no APs).
# linux:   reads "TAGBOOT-LINUX-TSC N" (tests/linux/init.c, the TSC when Debian's kernel
#          started /init) from serial and prints "entry N".
# Exits 0 only when QEMU exited 33 (isa-debug-exit 0x10) and the TSC was found.
set -u

OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# isa-debug-exit: the guest's 0x10 becomes QEMU exit code (0x10 << 1) | 1.
EXIT_PASS=33
# Everything the guest can read that is not instructions is pinned, so runs repeat: the RTC
# starts at this date and follows the virtual clock, file times on the ESP are this date, and
# QEMU's random number source for the guest starts from a fixed seed.
FIXED_DATE="2024-01-01 00:00:00"
FIXED_RTC="base=2024-01-01T00:00:00,clock=vm"
FIXED_SEED=1
# Serial output of a boot that will never reach the payload: the UEFI shell (the boot manager
# ran out of options), GRUB's prompt, an OVMF exception dump, a tagboot error.
DEAD_ENDS='tagboot: error:|Shell> |grub> |!!!! X64 Exception'

esp="" work="" kind="" smp=1 mem=512M timeout_s=900 handoff_tool=""
while [ $# -gt 0 ]; do
	case "$1" in
	--esp) esp=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--kind) kind=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--handoff-tool) handoff_tool=$2; shift 2 ;;
	*) echo "run-one.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ -d "$esp" ] || { echo "run-one.sh: --esp: '$esp' is not a directory" >&2; exit 2; }
[ -n "$work" ] || { echo "run-one.sh: --work DIR is required" >&2; exit 2; }
case "$kind" in
payload|linux) ;;
handoff) [ -x "$handoff_tool" ] || { echo "run-one.sh: --handoff-tool: '$handoff_tool' is not executable" >&2; exit 2; } ;;
*) echo "run-one.sh: --kind: '$kind' is not payload, handoff or linux" >&2; exit 2 ;;
esac

# Every boot gets its own ESP copy (fat:rw may write to it) and its own variable store.
rm -rf "$work"
mkdir -p "$work/esp"
cp -r "$esp"/. "$work/esp/"
cp "$OVMF_VARS" "$work/vars.fd"
: >"$work/debugcon.log"
# QEMU's FAT view shows the host files' times; make them the same in every run.
find "$work/esp" -exec touch -h -d "$FIXED_DATE" {} +

# -icount shift=0,sleep=off: one instruction per virtual nanosecond and no sleeping in idle
# loops, so the guest TSC counts executed instructions (docs/bench.md).
# shellcheck disable=SC2054 # the commas are QEMU's option syntax
cmd=(qemu-system-x86_64 -machine q35 -accel tcg -icount shift=0,sleep=off
	-smp "$smp" -m "$mem" -rtc "$FIXED_RTC" -seed "$FIXED_SEED"
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
	-drive "if=pflash,format=raw,unit=1,file=$work/vars.fd"
	-drive "format=raw,file=fat:rw:$work/esp"
	-display none -no-reboot -net none -monitor none
	-serial "file:$work/serial.log" -debugcon "file:$work/debugcon.log"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
printf '%q ' "${cmd[@]}" >"$work/qemu.cmd"
echo >>"$work/qemu.cmd"

start=$(date +%s)
timeout --kill-after=5 "$timeout_s" "${cmd[@]}" >"$work/qemu.out" 2>&1 &
qpid=$!
# A boot that went wrong ends at a prompt or in an exception dump and would sit there until
# the timeout: stop it as soon as the serial log shows one.
dead_end=""
while kill -0 "$qpid" 2>/dev/null; do
	sleep 1
	dead_end=$(grep -aoE "$DEAD_ENDS" "$work/serial.log" 2>/dev/null | head -n 1)
	if [ -n "$dead_end" ]; then
		kill "$qpid" 2>/dev/null
		break
	fi
done
wait "$qpid"
rc=$?
echo "$rc $(( $(date +%s) - start ))" >"$work/exit"

fail() {
	echo "run-one.sh: $work: $1 (qemu exit $rc; logs in $work)" >&2
	exit 1
}

[ -n "$dead_end" ] && fail "the guest stopped at '$dead_end' on serial"
[ "$rc" = 124 ] && fail "no exit within ${timeout_s}s"
[ "$rc" = "$EXIT_PASS" ] || fail "expected qemu exit $EXIT_PASS (guest wrote 0x10 to port 0xf4)"

if [ "$kind" = linux ]; then
	tsc=$(grep -ao 'TAGBOOT-LINUX-TSC [0-9][0-9]*' "$work/serial.log" | tail -n 1 | cut -d' ' -f2)
	[ -n "$tsc" ] || fail "no 'TAGBOOT-LINUX-TSC <decimal>' line on serial"
	echo "entry $tsc"
	exit 0
fi
if [ "$kind" = payload ]; then
	# Other writers share port 0xE9 (GRUB's chainloader prints the device path there).
	tsc=$(grep -ao 'TSC-ENTRY [0-9][0-9]*' "$work/debugcon.log" | tail -n 1 | cut -d' ' -f2)
	[ -n "$tsc" ] || fail "no 'TSC-ENTRY <decimal>' line on debugcon"
	echo "entry $tsc"
	exit 0
fi

# The kernel-sample dumps its handoff between HANDOFF-BEGIN and HANDOFF-END as hex lines.
perl -ne 'BEGIN { binmode STDOUT } $in = 1, next if /^HANDOFF-BEGIN /; $in = 0 if /^HANDOFF-END/;
	print pack("H*", $1) if $in && /^([0-9a-f]+)\s*$/' "$work/debugcon.log" >"$work/handoff.bin"
[ -s "$work/handoff.bin" ] || fail "no HANDOFF-BEGIN/HANDOFF-END dump on debugcon"
"$handoff_tool" decode "$work/handoff.bin" >"$work/handoff.txt" 2>&1 ||
	fail "$handoff_tool decode $work/handoff.bin failed (see $work/handoff.txt)"
# "TSC: loader entry A, before exit B, jump C" (tools/handoff/records.c)
line=$(grep -a 'TSC: loader entry' "$work/handoff.txt" | head -n 1)
loader=$(printf '%s\n' "$line" | sed -n 's/.*loader entry \([0-9][0-9]*\).*/\1/p')
before_exit=$(printf '%s\n' "$line" | sed -n 's/.*before exit \([0-9][0-9]*\).*/\1/p')
jump=$(printf '%s\n' "$line" | sed -n 's/.*jump \([0-9][0-9]*\).*/\1/p')
if [ -z "$loader" ] || [ -z "$before_exit" ] || [ -z "$jump" ]; then
	fail "no 'TSC: loader entry A, before exit B, jump C' in $work/handoff.txt"
fi
[ "$jump" != 0 ] || fail "the handoff's timestamps record has jump TSC 0"
# "TSC: AP parking S .. E" (0 .. 0 without ap-park mailbox)
park=$(grep -a 'TSC: AP parking' "$work/handoff.txt" | head -n 1)
park_start=$(printf '%s\n' "$park" | sed -n 's/.*AP parking \([0-9][0-9]*\) \.\. \([0-9][0-9]*\).*/\1/p')
park_end=$(printf '%s\n' "$park" | sed -n 's/.*AP parking \([0-9][0-9]*\) \.\. \([0-9][0-9]*\).*/\2/p')
if [ -z "$park_start" ] || [ -z "$park_end" ]; then
	fail "no 'TSC: AP parking S .. E' in $work/handoff.txt"
fi
echo "entry $jump loader $loader exit $before_exit park_start $park_start park_end $park_end"
