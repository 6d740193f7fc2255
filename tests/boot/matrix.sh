#!/bin/bash
# matrix.sh: the QEMU boot test matrix: SMP, memory sizes, machines, chainload, loader errors.
#
# Usage: tests/boot/matrix.sh [-j N] [NAME...]   (default -j 2; names pick scenarios)
# Needs `make all` first (build/esp with BOOTX64.EFI and the kernel, build/payload/hello.efi).
# Prints one line per scenario, then "boot tests: N passed, M failed"; exits 1 on any failure.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
RUN=tests/boot/run-boot.sh
ESP=build/esp
MADE=build/boot/esps
jobs=2

while [ $# -gt 0 ]; do
	case "$1" in
	-j) jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	*) break ;;
	esac
done

for f in "$ESP/EFI/BOOT/BOOTX64.EFI" "$ESP/tagboot/kernel.elf" build/payload/hello.efi \
	build/payload/crash.efi build/payload/memmap.efi; do
	[ -f "$f" ] || { echo "matrix.sh: $f missing: run 'make all' first" >&2; exit 2; }
done

# ESPs for the scenarios that need a different configuration, built from build/esp.
rm -rf "$MADE"
mkdir -p "$MADE"

# efi-chainload: the default entry chainloads the hello payload.
make_esp_chainload() {
	local d="$MADE/chainload"
	cp -r "$ESP" "$d"
	mkdir -p "$d/EFI/tests"
	cp build/payload/hello.efi "$d/EFI/tests/hello.efi"
	printf 'default hello\ntimeout 0\n' >"$d/loader/loader.conf"
	printf 'title hello payload\nefi /EFI/tests/hello.efi\n' >"$d/loader/entries/hello.conf"
}

# missing-kernel: the entry names a kernel that is not on the ESP.
make_esp_missing_kernel() {
	local d="$MADE/missing-kernel"
	cp -r "$ESP" "$d"
	rm -f "$d/tagboot/kernel.elf"
}

# corrupt-elf: the program header offset points far past the end of the file.
make_esp_corrupt_elf() {
	local d="$MADE/corrupt-elf"
	cp -r "$ESP" "$d"
	# e_phoff is the u64 at offset 0x20 of an ELF64 header.
	printf '\x00\xff\xff\x7f\x00\x00\x00\x00' |
		dd of="$d/tagboot/kernel.elf" bs=1 seek=32 conv=notrunc status=none
}

# kernel-OPTS: the sample entry with other kernel options (the first argument names the ESP).
make_esp_kernel_options() {
	local d="$MADE/$1"
	cp -r "$ESP" "$d"
	sed -i "s|^options .*|options $2|" "$d/loader/entries/sample.conf"
	grep -q "^options $2\$" "$d/loader/entries/sample.conf" || {
		echo "matrix.sh: could not set options in $d/loader/entries/sample.conf" >&2
		exit 2
	}
}

# ap-park-*: the sample entry with `ap-park mailbox` (the loader parks the APs on its own MP
# wakeup mailbox) and the given kernel options.
make_esp_ap_park() {
	local d="$MADE/$1"
	make_esp_kernel_options "$1" "$2"
	printf 'ap-park mailbox\n' >>"$d/loader/entries/sample.conf"
}

# runner-firmware-exception: a payload that page-faults under the firmware, as BOOTX64.EFI.
make_esp_crash() {
	local d="$MADE/crash"
	mkdir -p "$d/EFI/BOOT"
	cp build/payload/crash.efi "$d/EFI/BOOT/BOOTX64.EFI"
}

# efi-shield*: an `efi` entry whose payload (memmap.efi) checks in its own GetMemoryMap that
# two ranges OVMF reports as conventional memory are EfiReservedMemoryType: with the entry's
# `reserve` lines (the shield, loader/core/shield.c) it must pass, without them it must fail.
make_esp_shield() {
	local d="$MADE/$1"
	cp -r "$ESP" "$d"
	mkdir -p "$d/EFI/tests"
	cp build/payload/memmap.efi "$d/EFI/tests/memmap.efi"
	printf 'default memmap\ntimeout 0\n' >"$d/loader/loader.conf"
	{
		printf 'title memory map payload\nefi /EFI/tests/memmap.efi\n'
		printf 'options expect 0x800000 0x6000 0 0x20000000 0x100000 0\n'
		[ "$2" = on ] && printf 'reserve 0x800000 0x6000 tdvf-page-tables\nreserve 0x20000000 0x100000 test-hole\n'
	} >"$d/loader/entries/memmap.conf"
}

# init-sipi: the default ESP's second entry, the APs left to the firmware (INIT-SIPI-SIPI).
make_esp_init_sipi() {
	local d="$MADE/init-sipi"
	cp -r "$ESP" "$d"
	printf 'default sample-init-sipi\ntimeout 0\n' >"$d/loader/loader.conf"
}

# ---- hostile ESPs (issue 13): each must end in a named error and a return to the firmware,
# or boot what it should, in bounded time; never a crash, hang or reset loop. ----

# patch_u64 FILE OFFSET VALUE: a little-endian u64 into a file (perl: in every Debian base).
patch_u64() {
	perl -e 'open(my $f, "+<", $ARGV[0]) or die "$ARGV[0]: $!"; binmode $f; seek($f, $ARGV[1], 0);
		print $f pack("Q<", hex($ARGV[2]));' "$1" "$2" "$3"
}

# hostile-last-page: PT_LOAD 2 of the sample kernel (program header at 64 + 2 * 56) moved to
# the last page of the address space: p_paddr 0xfffffffffffff000, p_memsz 0xfff.
make_esp_last_page() {
	local d="$MADE/hostile-last-page"
	cp -r "$ESP" "$d"
	patch_u64 "$d/tagboot/kernel.elf" 200 fffffffffffff000
	patch_u64 "$d/tagboot/kernel.elf" 208 14
	patch_u64 "$d/tagboot/kernel.elf" 216 fff
}

# hostile-NAME: the sample entry plus one line.
make_esp_entry_line() {
	local d="$MADE/$1"
	cp -r "$ESP" "$d"
	printf '%s\n' "$2" >>"$d/loader/entries/sample.conf"
}

# hostile-self: an efi entry that chainloads the loader itself (the default); hostile-self-copy:
# a copy with one byte more (another file, so only the nesting mark can stop it).
make_esp_self() {
	local d="$MADE/hostile-self" c="$MADE/hostile-self-copy"
	cp -r "$ESP" "$d"
	printf 'default self\ntimeout 0\n' >"$d/loader/loader.conf"
	printf 'title tagboot itself\nefi /EFI/BOOT/BOOTX64.EFI\n' >"$d/loader/entries/self.conf"
	cp -r "$d" "$c"
	cp "$c/EFI/BOOT/BOOTX64.EFI" "$c/EFI/tagboot-copy.efi"
	printf '\0' >>"$c/EFI/tagboot-copy.efi"
	printf 'title a copy of tagboot\nefi /EFI/tagboot-copy.efi\n' >"$c/loader/entries/self.conf"
}

# hostile-big-conf: 10 MB of bad lines in loader.conf, then the real keys; hostile-random-conf:
# 10 MB of random bytes (fixed seed), then the real keys. The sample kernel still boots.
make_esp_big_conf() {
	local d="$MADE/hostile-big-conf" r="$MADE/hostile-random-conf"
	cp -r "$ESP" "$d"
	cp -r "$ESP" "$r"
	yes 'not-a-key with a value' | head -c 10000000 >"$d/loader/loader.conf"
	printf '\ndefault sample\ntimeout 0\n' >>"$d/loader/loader.conf"
	perl -e 'srand(13); print map { chr(int(rand(256))) } 1 .. 10000000' >"$r/loader/loader.conf"
	printf '\ndefault sample\ntimeout 0\n' >>"$r/loader/loader.conf"
}

# hostile-many-entries: 80 entries that sort before the default one; the default (sample)
# must still be found and booted.
make_esp_many_entries() {
	local d="$MADE/hostile-many-entries" i
	cp -r "$ESP" "$d"
	for i in $(seq -w 1 80); do
		printf 'title filler %s\nefi /EFI/none-%s.efi\n' "$i" "$i" >"$d/loader/entries/aaa-$i.conf"
	done
}

# hostile-names: an entry file with a non-ASCII name, one with a 245-byte name, and the
# default in upper case (X.CONF is an entry too); hostile-dir-kernel: a directory as kernel.
make_esp_names() {
	local d="$MADE/hostile-names" x="$MADE/hostile-dir-kernel"
	cp -r "$ESP" "$d"
	local e="$d/loader/entries"
	printf 'title non-ascii\nefi /x.efi\n' >"$e/caf$(printf '\303\251').conf"
	printf 'title long\nefi /x.efi\n' >"$e/$(printf 'l%.0s' $(seq 1 245)).conf"
	mv "$e/sample.conf" "$e/UPPER.CONF"
	printf 'default UPPER\ntimeout 0\n' >"$d/loader/loader.conf"
	cp -r "$ESP" "$x"
	sed -i 's|^handoff-kernel .*|handoff-kernel /tagboot|' "$x/loader/entries/sample.conf"
}

# attempt-fallback: the default entry runs a payload that writes tagboot's boot-attempt record
# for itself and resets, as a tagboot that died after ExitBootServices would have left it; the
# next start must report it and boot the other entry (the sample kernel), not loop.
make_esp_attempt() {
	local d="$MADE/attempt-fallback"
	cp -r "$ESP" "$d"
	mkdir -p "$d/EFI/tests"
	cp build/payload/attempt.efi "$d/EFI/tests/attempt.efi"
	printf 'default failing\ntimeout 0\n' >"$d/loader/loader.conf"
	printf 'title dies after ExitBootServices\nefi /EFI/tests/attempt.efi\noptions failing\n' \
		>"$d/loader/entries/failing.conf"
	rm -f "$d/loader/entries/sample-init-sipi.conf"
}

# handoff-1-1: the checks of the 1.1 records that need to know the test's setup: two modules
# whose files begin with their strings, the kernel's path, the GPT disk and partition GUIDs
# run-boot.sh --gpt writes.
make_esp_handoff_1_1() {
	local d="$MADE/handoff-1-1"
	make_esp_kernel_options handoff-1-1 "console=ttyS0 selftest=off check-modules expect-boot-path=/tagboot/kernel.elf expect-partition=4a1ae9d5-b0c4-4c3a-8f07-7a3a6d2b1c01 expect-disk=9b1f6e3a-4c2d-4f8e-a1b0-3d5c7e9f2a14"
	printf 'first-module' >"$d/tagboot/m1.bin"
	printf 'a string  with spaces, = and "quotes"' >"$d/tagboot/m2.bin"
	printf 'module /tagboot/m1.bin first-module\nmodule /tagboot/m2.bin a string  with spaces, = and "quotes"\n' \
		>>"$d/loader/entries/sample.conf"
}

# request-NAME: the default entry with a sample kernel whose request note differs
# (Makefile KERNEL_VARIANTS); a third argument replaces the entry's ap-park line.
make_esp_request() {
	local d="$MADE/request-$1"
	cp -r "$ESP" "$d"
	cp "build/kernel/kernel-$2.elf" "$d/tagboot/kernel.elf"
	sed -i '/^ap-park /d' "$d/loader/entries/sample.conf"
	[ -n "${3:-}" ] && printf 'ap-park %s\n' "$3" >>"$d/loader/entries/sample.conf"
	rm -f "$d/loader/entries/sample-init-sipi.conf"
}

make_esp_handoff_1_1
make_esp_request future future
make_esp_request bad-park bad-park
make_esp_request parks parks
make_esp_request parks-overridden parks none
make_esp_request nofb nofb mailbox
make_esp_request needfb needfb mailbox
make_esp_last_page
make_esp_entry_line hostile-reserve-all 'reserve 0 0xffffffffffffffff x'
make_esp_self
make_esp_big_conf
make_esp_many_entries
make_esp_names
make_esp_attempt
make_esp_chainload
make_esp_init_sipi
make_esp_shield shield on
make_esp_shield shield-off off
make_esp_crash
make_esp_missing_kernel
make_esp_corrupt_elf
make_esp_kernel_options selftest-off "console=ttyS0 selftest=off"
make_esp_kernel_options bad-option "console=ttyS0 selftest=maybe"
make_esp_kernel_options test-fault "console=ttyS0 test-fault"
make_esp_kernel_options triple-fault "console=ttyS0 test-triple-fault"
make_esp_ap_park ap-park "console=ttyS0 selftest=on"
make_esp_ap_park ap-park-ignore "console=ttyS0 selftest=on ignore-ap-held"
for c in mailbox loop-code page-tables stacks; do
	make_esp_ap_park "poison-$c" "console=ttyS0 selftest=on poison=$c"
done
# The firmware-bug emulator with the handoff kernel: the parking area is reported usable, the
# sample kernel's self-test (honouring every tag) overwrites it, no AP can check in.
make_esp_kernel_options ap-park-unreported "console=ttyS0 selftest=on"
printf 'ap-park mailbox-unreported\n' >>"$MADE/ap-park-unreported/loader/entries/sample.conf"

# The AP parking pairs: honouring the AP_HELD tags wakes every AP through the loader's mailbox
# and reclaims the parking area afterwards; ignoring them overwrites it before the wakeup and
# must fail naming the APs (if it passed, the tags would be decoration). The failing boots get
# 512M: the more memory lies between the low mailbox and the high parking code, the longer
# the parked APs have to see the overwritten mailbox and stop (docs/loader.md).
AP_PARK_PASS='ap_held=[1-9][0-9]* reclaimed_pages=[1-9]'
ap_park_pair() {
	local n=$1 ids=$2 aps=$(($1 - 1)) list c
	list=$(seq -s, 1 "$aps")
	echo "ap-park-smp$n|--log-regex '$AP_PARK_PASS' --esp $MADE/ap-park --machine q35 --smp $n --mem 256M --expect pass --expect-text '$aps of $aps found their page tables, stack and code intact'"
	# One poison boot per AP-held class: the kernel overwrites exactly that class just before
	# the wakeup; the boot must fail naming the class and every AP. The loop code holds the
	# parked APs' IDT too: overwritten, the next exception shuts the CPU down and QEMU resets,
	# which only the expected-reset verdict can observe (the log names the class first).
	for c in mailbox page-tables stacks; do
		echo "poison-$c-smp$n|--esp $MADE/poison-$c --machine q35 --smp $n --mem 256M --expect fail --expect-text 'RESULT: FAIL class=$c aps=$list:'"
	done
	echo "poison-loop-code-smp$n|--esp $MADE/poison-loop-code --machine q35 --smp $n --mem 256M --expect reset --expect-text 'poison: class=loop-code'"
	echo "ap-park-ignore-smp$n|--esp $MADE/ap-park-ignore --machine q35 --smp $n --mem 512M --expect fail --expect-text 'RESULT: FAIL cpus=1/$n: $aps APs did not check in: apic id $ids'"
}

# name | run-boot.sh arguments, as shell words
SCENARIOS=(
	"q35-smp1-256m|--esp $ESP --machine q35 --smp 1 --mem 256M --expect pass"
	"q35-smp2-2g|--esp $ESP --machine q35 --smp 2 --mem 2G --expect pass"
	"q35-smp4-2g|--esp $ESP --machine q35 --smp 4 --mem 2G --expect pass"
	"q35-smp8-2g|--esp $ESP --machine q35 --smp 8 --mem 2G --expect pass"
	"q35-smp2-6g|--esp $ESP --machine q35 --smp 2 --mem 6G --expect pass"
	"pc-smp1-256m|--esp $ESP --machine pc --smp 1 --mem 256M --expect pass"
	"pc-smp4-2g|--esp $ESP --machine pc --smp 4 --mem 2G --expect pass"
	"pc-smp2-6g|--esp $ESP --machine pc --smp 2 --mem 6G --expect pass"
	"init-sipi-q35-smp4-2g|--log-regex 'ap_held=0 reclaimed_pages=0' --esp $MADE/init-sipi --machine q35 --smp 4 --mem 2G --expect pass --expect-text 'with INIT-SIPI-SIPI'"
	"init-sipi-pc-smp3-1g|--log-regex 'ap_held=0' --esp $MADE/init-sipi --machine pc --smp 3 --mem 1G --expect pass --expect-text 'with INIT-SIPI-SIPI'"
	"efi-chainload|--esp $MADE/chainload --machine q35 --smp 1 --mem 512M --expect efi-pass --expect-text HELLO:"
	"efi-shield|--esp $MADE/shield --machine q35 --smp 1 --mem 1G --expect efi-pass --expect-text 'MEMMAP-CHECK ok 2 ranges'"
	"efi-shield-off|--runner-must-fail 'exit code 35' --esp $MADE/shield-off --machine q35 --smp 1 --mem 1G --expect efi-pass"
	"missing-kernel|--esp $MADE/missing-kernel --machine q35 --smp 1 --mem 512M --expect loader-error --expect-text kernel.elf"
	"corrupt-elf|--esp $MADE/corrupt-elf --machine q35 --smp 1 --mem 512M --expect loader-error --expect-text e_phoff"
	"selftest-off|--esp $MADE/selftest-off --machine q35 --smp 4 --mem 1G --expect pass --expect-text selftest=off"
	"bad-option|--esp $MADE/bad-option --machine q35 --smp 1 --mem 512M --expect fail --expect-text 'RESULT: FAIL options: selftest='"
	"ap-park-unreported-smp4|--esp $MADE/ap-park-unreported --machine q35 --smp 4 --mem 512M --expect fail --expect-text 'RESULT: FAIL cpus=1/4: 3 APs did not check in'"
	"test-fault|--esp $MADE/test-fault --machine q35 --smp 2 --mem 512M --expect fail --expect-text 'RESULT: FAIL exception vector=14'"
	# The runner itself: each of these boots must make run-boot.sh fail with the given reason.
	"runner-firmware-exception|--runner-must-fail 'firmware exception' --esp $MADE/crash --smp 1 --mem 512M --expect efi-pass"
	"runner-triple-fault|--runner-must-fail 'QEMU exited 0' --esp $MADE/triple-fault --smp 1 --mem 512M --expect pass"
	"expected-reset|--esp $MADE/triple-fault --smp 1 --mem 512M --expect reset --expect-text test-triple-fault"
	"runner-reset-not-seen|--runner-must-fail 'exit code 33, expected a reset' --esp $ESP --smp 1 --mem 256M --expect reset"
	"runner-cpus-mismatch|--runner-must-fail 'expected cpus=3/3' --esp $ESP --smp 2 --mem 512M --expect pass --expect-cpus 3"
	"runner-timeout|--runner-must-fail 'timeout after 3s' --esp $ESP --smp 1 --mem 512M --timeout 3"
	# Hostile ESPs: a named error and back to the firmware (or the right boot), in bounded time.
	# The reset-loop cases run without -no-reboot: tagboot must start once, not loop.
	"hostile-last-page|--esp $MADE/hostile-last-page --smp 1 --mem 256M --timeout 120 --expect loader-error --expect-text 'program header 2: p_paddr (0xfffffffffffff000) + p_memsz runs past the top of the address space'"
	"hostile-reserve-all|--esp $MADE/hostile-reserve-all --smp 1 --mem 256M --timeout 120 --allow-reboot --max-starts 1 --expect loader-error --expect-text \"sample.conf:7: key 'reserve'\""
	"hostile-self|--esp $MADE/hostile-self --smp 1 --mem 256M --timeout 120 --allow-reboot --max-starts 1 --expect loader-error --expect-text 'is tagboot itself'"
	"hostile-self-copy|--esp $MADE/hostile-self-copy --smp 1 --mem 256M --timeout 120 --allow-reboot --max-starts 2 --expect loader-error --expect-text 'which chainloads tagboot'"
	"hostile-big-conf|--esp $MADE/hostile-big-conf --smp 1 --mem 256M --timeout 120 --expect pass --expect-text '0 more errors and 434775 more warnings not shown'"
	"hostile-random-conf|--esp $MADE/hostile-random-conf --smp 1 --mem 256M --timeout 120 --expect pass --expect-text 'not shown'"
	"hostile-many-entries|--esp $MADE/hostile-many-entries --smp 1 --mem 256M --timeout 120 --expect pass --expect-no-text 'too many entries'"
	"hostile-names|--esp $MADE/hostile-names --smp 1 --mem 256M --timeout 120 --expect pass --expect-text 'characters other than ASCII'"
	"hostile-dir-kernel|--esp $MADE/hostile-dir-kernel --smp 1 --mem 256M --timeout 120 --expect loader-error --expect-text '/tagboot: is a directory, not a file'"
	# Handoff 1.1: the sample kernel checks every new record (its load address, reads and
	# writes through the direct map, the EFI map against the handoff map, SMBIOS anchors, TSC
	# against the HPET, time against the RTC, the CPU list, disk and partition GUIDs, module
	# strings); a note asking the impossible is refused before ExitBootServices; a note's
	# ap-park is honoured, and an entry's ap-park line overrides it.
	"handoff-1-1-gpt|--esp $MADE/handoff-1-1 --gpt --machine q35 --smp 2 --mem 1G --expect pass --expect-text 'verify: modules ok: 2 strings match their files'"
	"handoff-1-1-pc|--esp $ESP --machine pc --smp 3 --mem 700M --expect pass --expect-text 'verify: handoff 1.1: every new record agrees'"
	"request-future|--esp $MADE/request-future --smp 1 --mem 256M --expect loader-error --expect-text 'request note: min_minor 99: the kernel needs a newer handoff'"
	"request-bad-park|--esp $MADE/request-bad-park --smp 1 --mem 256M --expect loader-error --expect-text 'request note: ap_park 7: no such mode'"
	"request-parks|--log-regex 'ap_held=[1-9][0-9]* reclaimed_pages=[1-9]' --esp $MADE/request-parks --machine q35 --smp 4 --mem 512M --expect pass --expect-text '3 of 3 found their page tables, stack and code intact'"
	"request-parks-overridden|--log-regex 'ap_held=0 ' --esp $MADE/request-parks-overridden --machine q35 --smp 2 --mem 512M --expect pass --expect-text 'with INIT-SIPI-SIPI'"
	"request-no-framebuffer|--esp $MADE/request-nofb --smp 2 --mem 512M --expect pass --expect-text 'framebuffer not passed (asked 2)'"
	"request-framebuffer-given|--esp $MADE/request-needfb --smp 1 --mem 512M --expect pass --expect-text 'framebuffer passed (asked 1)'"
	"request-framebuffer-missing|--esp $MADE/request-needfb --qemu-arg -vga --qemu-arg none --smp 1 --mem 512M --expect loader-error --expect-text 'request note: framebuffer 1: required, but the firmware has no graphics output'"
	"attempt-fallback|--esp $MADE/attempt-fallback --smp 2 --mem 256M --timeout 180 --allow-reboot --max-starts 2 --expect pass --expect-text \"the last boot of entry 'failing' did not reach its kernel\""
)
while IFS= read -r s; do SCENARIOS+=("$s"); done < <(ap_park_pair 2 "1"; ap_park_pair 4 "1, 2, 3";
	ap_park_pair 8 "1, 2, 3, 4, 5, 6, 7")

selected=()
for s in "${SCENARIOS[@]}"; do
	n=${s%%|*}
	if [ $# -eq 0 ]; then
		selected+=("$s")
	else
		for want in "$@"; do [ "$want" = "$n" ] && selected+=("$s"); done
	fi
done
[ ${#selected[@]} -gt 0 ] || { echo "matrix.sh: no scenario matches: $*" >&2; exit 2; }

results=build/boot/results
rm -rf "$results"
mkdir -p "$results"
start=$(date +%s)

# Each scenario writes its verdict line and log to build/boot/results/NAME.out; at most
# $jobs QEMUs run at once.
run_one() {
	local n=${1%%|*} args
	# The argument text is shell words (quotes group --expect-text values with spaces).
	eval "args=(${1#*|})"
	local must_fail="" log_regex=""
	if [ "${args[0]}" = --runner-must-fail ]; then
		must_fail=${args[1]}
		args=("${args[@]:2}")
	fi
	if [ "${args[0]}" = --log-regex ]; then
		log_regex=${args[1]}
		args=("${args[@]:2}")
	fi
	"$RUN" --name "$n" "${args[@]}" >"$results/$n.out" 2>&1
	local rc=$?
	# A passing boot whose RESULT line must also match a pattern (run-boot.sh matches fixed
	# text only).
	if [ $rc = 0 ] && [ -n "$log_regex" ]; then
		local result
		result=$(sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' "build/boot/$n/serial.log" |
			grep -a '^RESULT: ' | tail -n 1)
		if ! printf '%s\n' "$result" | grep -Eq -- "$log_regex"; then
			printf 'FAIL %s: the RESULT line does not match /%s/: %s\n' "$n" "$log_regex" \
				"$result" >"$results/$n.out"
			rc=1
		fi
	fi
	if [ -n "$must_fail" ]; then
		local verdict
		verdict=$(head -n 1 "$results/$n.out")
		if [ $rc = 1 ] && [[ "$verdict" == "FAIL $n: $must_fail"* ]]; then
			printf 'PASS %s (run-boot.sh failed as it must: %s)\n' "$n" "${verdict#"FAIL $n: "}" \
				>"$results/$n.out"
			rc=0
		else
			printf 'FAIL %s: run-boot.sh should have failed with "%s", got: %s\n' "$n" \
				"$must_fail" "$verdict" | cat - "$results/$n.out" >"$results/$n.tmp"
			mv "$results/$n.tmp" "$results/$n.out"
			rc=1
		fi
	fi
	echo $rc >"$results/$n.rc"
	head -n 1 "$results/$n.out"
}

running=0
for s in "${selected[@]}"; do
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	run_one "$s" &
	running=$((running + 1))
done
wait

passed=0 failed=0
for s in "${selected[@]}"; do
	n=${s%%|*}
	if [ "$(cat "$results/$n.rc" 2>/dev/null)" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo
		cat "$results/$n.out"
	fi
done
echo "boot matrix: $(( $(date +%s) - start ))s wall clock with -j $jobs"
echo "boot tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
