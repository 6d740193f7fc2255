#!/bin/sh
# test-decode.sh: `handoff sample` then `handoff decode`: key lines, totals computed by hand,
# the CRC checked against zlib, and the exit codes for corrupt, truncated and missing files.
set -u
tool=build/bin/handoff
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect_line FILE REGEX: some line of FILE matches the extended regex.
expect_line() { grep -Eq -- "$2" "$1" || fail "no line matching '$2' in $1"; }
# run_decode NAME FILE: decode into $dir/NAME.out / .err, exit status in $rc.
run_decode() { "$tool" decode "$2" >"$dir/$1.out" 2>"$dir/$1.err"; rc=$?; }

"$tool" sample "$dir/sample.bin" >/dev/null || { echo "FAIL: handoff sample"; exit 1; }

# --- the valid sample ---
run_decode ok "$dir/sample.bin"
[ "$rc" -eq 0 ] || fail "decode of the sample exited $rc, want 0"
out="$dir/ok.out"
expect_line "$out" '^verdict: ok$'
expect_line "$out" '^  magic +0x31544f4f42474154 "TAGBOOT1"$'
expect_line "$out" '^  version +1\.0$'
expect_line "$out" "^  total_size +$(stat -c %s "$dir/sample.bin")\$"
expect_line "$out" '^  record_count +11$'
expect_line "$out" '^  flags +0x1 \(boot-services-exited\)$'
expect_line "$out" '^      kind tdx \(1\), flags 0x1 \(hypervisor\)$'
expect_line "$out" '^      RSDP at 0x7e07f014, revision 2 \(XSDT\)$'
expect_line "$out" '^      mailbox 0x7e0ff000 version 1, reset vector 0x7e0fe000, flags 0x5 \(mailbox, reset-vector\)$'
expect_line "$out" '^      BSP APIC ID 0, 3 APs, APIC IDs: 1 2 3$'
expect_line "$out" '^      0x80000000, 3145728 bytes, 1024x768, pitch 4096, 32 bpp, format bgrx8$'
expect_line "$out" '^      "console=ttyS0 loglevel=7" \(24 bytes\)$'
expect_line "$out" '^      "initrd.img" at 0x1200000, 1715255 bytes$'
expect_line "$out" '^      runtime: efi type 5, phys 0x7f000000, 1024 pages, virt 0x0, attr 0x800000000000000f$'
expect_line "$out" '^      "tagboot" 0\.1\.0 "0\.1\.0-sample"$'
expect_line "$out" '^  \[10\] @[0-9]+ unknown type 99, skipped \(version 1, 24 bytes\)$'
expect_line "$out" '^memory map: 28 entries$'
# The TDVF page tables the firmware called usable, now AP-held (background.md section 2).
expect_line "$out" '^  0x0000000000800000 0x0000000000806000 +24 KiB +ap-held +firmware +page-tables +after-ap-wakeup-no-reset +usable +tdvf-metadata$'
# The mailbox inside ACPI NVS returns to ACPI NVS, never to usable.
expect_line "$out" '^  0x000000007e0ff000 0x000000007e100000 +4 KiB +ap-held +firmware +mailbox +after-ap-wakeup-no-reset +acpi-nvs +acpi$'
expect_line "$out" '^  0x000000007e080000 0x000000007e0ff000 +508 KiB +ap-held +firmware +ap-loop-code +after-ap-wakeup-no-reset +acpi-nvs +efi-map$'
expect_line "$out" '^  0x000000007dfc0000 0x000000007dfd0000 +64 KiB +loader-reclaimable +loader +stack +after-handoff +usable +loader$'
expect_line "$out" '^  0x0000000100000000 0x0000000180000000 +2 GiB +unaccepted '

# Totals from the sample's inputs, by hand: usable pieces between the tags.
usable=$(( 0xa0000 + (0x800000 - 0x100000) + (0x809000 - 0x806000) + (0x1000000 - 0x80d000) \
	+ (0x7dfc0000 - 0x13a3000) + (0x7dfe0000 - 0x7dfd0000) + (0x7dff0000 - 0x7dfe7000) \
	+ (0x7e000000 - 0x7dff3000) ))
# TDVF page tables, TD HOB, work area, initial mailbox, and the whole ACPI NVS allocation
# (AP loop code + mailbox).
ap_held=$(( 0x6000 + 0x2000 + 0x1000 + 0x1000 + 0x80000 ))
loader=$(( 0x10000 + 0x6000 + 0x1000 + 0x2000 + 0x1000 ))
# The TDVF regions become usable after wakeup; the NVS allocation returns to ACPI NVS.
after_wakeup=$(( 0x6000 + 0x2000 + 0x1000 + 0x1000 ))
expect_line "$out" "^  usable +$usable bytes"
expect_line "$out" "^  ap-held +$ap_held bytes"
expect_line "$out" "^  loader-reclaimable +$loader bytes"
expect_line "$out" "^  usable-after-wakeup +$after_wakeup bytes"

# The CRC is zlib's CRC-32 over the blob with the crc32 field (offset 28) read as zero.
want_crc=$(python3 -c '
import sys, zlib
b = bytearray(open(sys.argv[1], "rb").read()); b[28:32] = bytes(4)
print("0x%08x" % zlib.crc32(bytes(b)))' "$dir/sample.bin")
expect_line "$out" "^  crc32 +$want_crc\$"

# --- one corrupted byte (inside the platform record) ---
cp "$dir/sample.bin" "$dir/corrupt.bin"
printf 'X' | dd of="$dir/corrupt.bin" bs=1 seek=900 conv=notrunc status=none
run_decode crc "$dir/corrupt.bin"
[ "$rc" -eq 1 ] || fail "decode of a corrupted blob exited $rc, want 1"
expect_line "$dir/crc.out" '^verdict: invalid: TB_ERR_CRC \(7\): CRC mismatch at offset 28 \(0x1c\)$'
grep -q "corrupt.bin" "$dir/crc.err" || fail "the CRC error does not name the file"
if grep -q '^records:' "$dir/crc.out"; then fail "records printed for an invalid blob"; fi

# --- truncated: shorter than total_size, and shorter than the header ---
head -c 1000 "$dir/sample.bin" >"$dir/short.bin"
run_decode short "$dir/short.bin"
[ "$rc" -eq 1 ] || fail "decode of a truncated blob exited $rc, want 1"
expect_line "$dir/short.out" '^verdict: invalid: TB_ERR_TRUNCATED \(2\): .* at offset 16 '
head -c 20 "$dir/sample.bin" >"$dir/tiny.bin"
run_decode tiny "$dir/tiny.bin"
[ "$rc" -eq 1 ] || fail "decode of a 20-byte file exited $rc, want 1"
expect_line "$dir/tiny.out" '^verdict: invalid: TB_ERR_TRUNCATED \(2\): .* at offset 0 '
: >"$dir/empty.bin"
run_decode empty "$dir/empty.bin"
[ "$rc" -eq 1 ] || fail "decode of an empty file exited $rc, want 1"

# --- missing file, usage errors ---
run_decode missing "$dir/no-such-file.bin"
[ "$rc" -eq 2 ] || fail "decode of a missing file exited $rc, want 2"
grep -q "no-such-file.bin" "$dir/missing.err" || fail "the I/O error does not name the file"
"$tool" decode >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "decode without FILE exited $rc, want 2"
"$tool" frobnicate >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "an unknown command exited $rc, want 2"
"$tool" help >"$dir/help.out" 2>&1; rc=$?
[ "$rc" -eq 0 ] || fail "help exited $rc, want 0"
expect_line "$dir/help.out" '^  decode +FILE'
expect_line "$dir/help.out" '^  sample +OUT'

if [ "$fails" -ne 0 ]; then
	echo "test-decode: $fails failure(s)"
	exit 1
fi
echo "test-decode: ok"
