#!/bin/bash
# bench-boot.sh: boots each loader case RUNS times under QEMU -icount and prints the table of
# TSC at payload/kernel entry (docs/bench.md). Fails only when a boot fails, never on timing.
#
# Usage: bench-boot.sh --out DIR --payload TSC.EFI --tagboot BOOTX64.EFI --kernel KERNEL.ELF
#            --handoff-tool PATH --sdboot SYSTEMD-BOOTX64.EFI --grub-mkstandalone PROGRAM
#            [--normalize BENCH_NORMALIZE] [--runs N] [--smp N] [--mem M] [--jobs N] [--timeout S]
#            [--vmlinuz VMLINUZ]
# With --vmlinuz, also Debian's kernel to its /init (tests/linux/init.c) through tagboot
# native, tagboot efi-stub, systemd-boot and GRUB (the linux-* cases).
# Writes the report to DIR/boot.txt, DIR/boot.md and the chart to DIR/boot.svg; the normalize
# benchmark's output (when given) to DIR/normalize.txt; each boot's logs stay in
# DIR/boot/runs/CASE-N/.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# Case order is the table's order; the tagboot-native cases report through the handoff, the
# others through the payload's TSC-ENTRY line.
CASES="direct tagboot-efi tagboot-native tagboot-native-park systemd-boot grub"

out="" payload="" tagboot="" kernel="" handoff_tool="" sdboot="" mkstandalone="" normalize=""
vmlinuz=""
runs=3 smp=1 mem=512M jobs=1 timeout_s=900
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--tagboot) tagboot=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--handoff-tool) handoff_tool=$2; shift 2 ;;
	--sdboot) sdboot=$2; shift 2 ;;
	--grub-mkstandalone) mkstandalone=$2; shift 2 ;;
	--normalize) normalize=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--vmlinuz) vmlinuz=$2; shift 2 ;;
	*) echo "bench-boot.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
for pair in "runs:$runs" "smp:$smp" "jobs:$jobs" "timeout:$timeout_s"; do
	case "${pair#*:}" in
	''|*[!0-9]*|0) echo "bench-boot.sh: --${pair%%:*}: '${pair#*:}' is not a positive integer" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "bench-boot.sh: --out DIR is required" >&2; exit 2; }

work="$out/boot"
mkdir -p "$work"
linux_args=()
if [ -n "$vmlinuz" ]; then
	# The test initramfs: /init reads the TSC first thing and exits QEMU (tests/linux/init.c).
	root="$work/linux-root"
	rm -rf "$root"
	mkdir -p "$root"
	gcc -static -O2 -I"$HERE/../../../handoff/include" -o "$root/init" "$HERE/../../linux/init.c" ||
		{ echo "bench-boot.sh: cannot build tests/linux/init.c" >&2; exit 1; }
	(cd "$root" && echo init | cpio -o -H newc --quiet --owner=0:0) | gzip -9n >"$work/linux-initrd.img"
	linux_args=(--vmlinuz "$vmlinuz" --initrd "$work/linux-initrd.img")
	CASES="$CASES linux-tagboot-native linux-tagboot-efi linux-systemd-boot linux-grub"
fi
"$HERE/stage-esps.sh" --out "$work" --payload "$payload" --tagboot "$tagboot" \
	--kernel "$kernel" --sdboot "$sdboot" --grub-mkstandalone "$mkstandalone" \
	"${linux_args[@]}" || exit 1
rm -rf "$work/runs" "$out/boot.txt" "$out/boot.md" "$out/boot.svg" "$out/normalize.txt"
# The normalize benchmark takes seconds; its output goes into the same report.
normalize_args=()
if [ -n "$normalize" ]; then
	[ -x "$normalize" ] || { echo "bench-boot.sh: --normalize: '$normalize' is not executable" >&2; exit 2; }
	"$normalize" >"$out/normalize.txt" 2>&1 || {
		cat "$out/normalize.txt" >&2
		echo "bench-boot.sh: $normalize failed" >&2
		exit 1
	}
	normalize_args=(--normalize "$out/normalize.txt")
fi
mkdir -p "$work/runs"

# boot_one CASE N: one boot; its result line goes to runs/CASE-N.result, errors to .error.
boot_one() {
	local kind=payload cpus=$smp
	# Linux runs on one CPU: with two vCPUs under -icount its INIT-SIPI bring-up of the AP
	# never completes (seen: stuck after "x86: Booting SMP configuration"), whichever loader
	# started it.
	case "$1" in tagboot-native*) kind=handoff ;; linux-*) kind=linux cpus=1 ;; esac
	"$HERE/run-one.sh" --esp "$work/esp/$1" --work "$work/runs/$1-$2" --kind "$kind" \
		--smp "$cpus" --mem "$mem" --timeout "$timeout_s" --handoff-tool "$handoff_tool" \
		>"$work/runs/$1-$2.result" 2>"$work/runs/$1-$2.error"
}

total=0
for case_name in $CASES; do total=$((total + runs)); done
echo "bench-boot: $total boots (${runs} per case, smp $smp, mem $mem, $jobs at a time;" \
	"the guest TSC counts instructions, so a loaded host changes only the wall time)"
start=$(date +%s)
# Round-robin over the cases, so an interrupted run still has every case at least once.
running=0
for n in $(seq 1 "$runs"); do
	for case_name in $CASES; do
		if [ "$running" -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
		boot_one "$case_name" "$n" &
		running=$((running + 1))
	done
done
wait

failed=0
for n in $(seq 1 "$runs"); do
	for case_name in $CASES; do
		if [ ! -s "$work/runs/$case_name-$n.result" ]; then
			failed=$((failed + 1))
			echo "FAIL boot $case_name run $n:" >&2
			sed 's/^/  /' "$work/runs/$case_name-$n.error" >&2
		fi
	done
done
echo "bench-boot: boots took $(( $(date +%s) - start )) s of wall time"
if [ "$failed" -ne 0 ]; then
	echo "bench-boot: $failed of $total boots failed" >&2
	exit 1
fi

python3 "$HERE/table.py" --results "$work/runs" --runs "$runs" --cases "$CASES" \
	--settings "q35, TCG, -icount shift=0,sleep=off, -smp $smp (Linux cases: 1), -m $mem, OVMF_CODE_4M.fd" \
	--md "$out/boot.md" --svg "$out/boot.svg" \
	--size "tagboot BOOTX64.EFI=$tagboot" --size "systemd-boot=$sdboot" \
	--size "GRUB (grub-mkstandalone)=$work/grub/grubx64.efi" \
	"${normalize_args[@]}" >"$out/boot.txt" || exit 1
cat "$out/boot.txt"
echo "bench-boot: report written to $out/boot.txt, $out/boot.md, chart $out/boot.svg"
