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
expect_line "$out" '^  version +1\.1$'
expect_line "$out" "^  total_size +$(stat -c %s "$dir/sample.bin")\$"
expect_line "$out" '^  record_count +19$'
expect_line "$out" '^  flags +0x1 \(boot-services-exited\)$'
expect_line "$out" '^      kind tdx \(1\), flags 0x1 \(hypervisor\)$'
expect_line "$out" '^      RSDP at 0x7e07f014, revision 2 \(XSDT\)$'
expect_line "$out" '^  \[3\] @[0-9]+ mp \(version 2, 144 bytes\)$'
expect_line "$out" '^      mailbox 0x7e0ff000 version 1, reset vector 0x7e0fe000, flags 0xd \(mailbox, reset-vector, x2apic-mode\)$'
expect_line "$out" '^      BSP APIC ID 0, 3 APs, APIC IDs: 1 2 3$'
expect_line "$out" '^      AP IDs at \+64$'
expect_line "$out" '^      4 CPUs of 16 bytes at \+76:$'
expect_line "$out" '^      cpu 0: APIC ID 0, ACPI UID 0, flags 0x3 \(bsp, enabled\)$'
expect_line "$out" '^      cpu 2: APIC ID 2, ACPI UID 2, flags 0x2 \(enabled\)$'
expect_line "$out" '^      cpu 3: APIC ID 3, ACPI UID 3, flags 0xa \(enabled, x2apic\)$'
expect_line "$out" '^      0x80000000, 3145728 bytes, 1024x768, pitch 4096, 32 bpp, format bgrx8$'
expect_line "$out" '^      masks: red 0x00ff0000 green 0x0000ff00 blue 0x000000ff$'
expect_line "$out" '^      "console=ttyS0 loglevel=7" \(24 bytes at \+16\)$'
expect_line "$out" '^  \[6\] @[0-9]+ module \(version 2, 64 bytes\)$'
expect_line "$out" '^      "initrd.img" at 0x1200000, 1715255 bytes \(name 10 bytes at \+40\)$'
expect_line "$out" '^      string "rdinit=/init" \(12 bytes at \+51\)$'
expect_line "$out" '^      system table 0x7f7ee018, 2 runtime descriptors of 48 bytes \(version 1\) at \+32$'
expect_line "$out" '^      runtime: efi type 5 \(RuntimeServicesCode\), phys 0x7f000000, 1024 pages, virt 0x0, attr 0x800000000000000f$'
expect_line "$out" '^      "tagboot" 0\.1\.0 "0\.1\.0-sample"$'
# The records new in 1.1, one of each.
expect_line "$out" '^  \[10\] @[0-9]+ kernel \(version 1, 56 bytes\)$'
expect_line "$out" '^      image phys 0x200000 virt 0xffffffff80200000, 2097152 bytes \(2 MiB\), entry 0xffffffff80201000$'
expect_line "$out" '^      stack 0x7dfc0000, 65536 bytes \(64 KiB\), RSP at entry 0x7dfcfff8$'
expect_line "$out" '^  \[11\] @[0-9]+ direct-map \(version 1, 32 bytes\)$'
expect_line "$out" '^      offset 0xffff800000000000, 4294967296 bytes \(4 GiB\) from physical 0, pages of 2097152 bytes \(2 MiB\)$'
expect_line "$out" '^  \[12\] @[0-9]+ efi-map \(version 1, 456 bytes\)$'
expect_line "$out" '^      9 descriptors of 48 bytes \(version 1\) at \+24$'
expect_line "$out" '^      efi-map: efi type 7 \(ConventionalMemory\), phys 0x0, 160 pages, virt 0x0, attr 0xf$'
expect_line "$out" '^      efi-map: efi type 15 \(UnacceptedMemoryType\), phys 0x100000000, 524288 pages, virt 0x0, attr 0xf$'
# An OEM type has no UEFI name.
expect_line "$out" '^      efi-map: efi type 2147483649, phys 0x7f800000, 2048 pages, virt 0x0, attr 0x1$'
[ "$(grep -c '^      efi-map: ' "$out")" -eq 9 ] || fail "not 9 efi-map descriptor lines"
expect_line "$out" '^  \[13\] @[0-9]+ smbios \(version 1, 24 bytes\)$'
expect_line "$out" '^      SMBIOS 2\.x entry \(_SM_\) none, SMBIOS 3\.x entry \(_SM3_\) 0x7f6f0000$'
expect_line "$out" '^  \[14\] @[0-9]+ boot-device \(version 1, 80 bytes\)$'
expect_line "$out" '^      disk GUID 4a1ae9d5-b0c4-4c3a-8f07-7a3a6d2b1c01, partition GUID 9f3c2b1a-5d4e-4f60-a1b2-c3d4e5f60718$'
expect_line "$out" '^      partition 1, flags 0x5 \(gpt, disk-guid\)$'
expect_line "$out" '^      path "/tagboot/kernel\.elf" \(19 bytes at \+56\)$'
expect_line "$out" '^  \[15\] @[0-9]+ tsc \(version 1, 24 bytes\)$'
expect_line "$out" '^      2100000000 Hz \(2100\.000 MHz\), source cpuid-15h \(1\), flags 0x1 \(invariant\)$'
expect_line "$out" '^  \[16\] @[0-9]+ time \(version 1, 40 bytes\)$'
expect_line "$out" '^      2025-11-21T09:30:00\.250000000Z \(unix 1763717400, nanosecond 250000000\), TSC 40000000$'
expect_line "$out" '^      firmware 2025-11-21T09:30:00\.250000000, time zone unspecified \(2047\), daylight 0x0, flags 0x3 \(valid, zone-unspecified\)$'
expect_line "$out" '^  \[17\] @[0-9]+ request \(version 1, 72 bytes\)$'
expect_line "$out" '^      flags 0x1 \(note-found\)$'
expect_line "$out" '^      asked: note size 32, flags 0x0$'
expect_line "$out" '^      min_minor: asked 1, granted minor 1$'
expect_line "$out" '^      ap_park: asked default \(0\), granted none \(1\)$'
expect_line "$out" '^      framebuffer: asked default \(0\), granted 1 \(record present\)$'
expect_line "$out" '^      direct_map: asked yes \(1\), granted 1 \(record present\)$'
expect_line "$out" '^      stack_size: asked 0 \(default\), granted 65536 bytes$'
expect_line "$out" '^      direct_map_offset: asked 0x0 \(default\), granted 0xffff800000000000$'
expect_line "$out" '^  \[18\] @[0-9]+ unknown type 99, skipped \(version 1, 24 bytes\)$'
# Nothing in the sample is of a newer record version or has nonzero reserved fields.
if grep -q 'more bytes of a newer version\|reserved field' "$out"; then fail "unexpected newer-version or reserved-field note"; fi
expect_line "$out" '^memory map: 29 entries$'
# The kernel's own regions are `never`; after_type says what they are once it gives them up:
# RAM for the image, not memory for the framebuffer in a hole (docs/handoff.md).
expect_line "$out" '^  0x0000000000200000 0x0000000000400000 +2 MiB +kernel +loader +kernel-image +never +usable +loader$'
expect_line "$out" '^  0x0000000080000000 0x0000000080300000 +3 MiB +framebuffer +loader +framebuffer +never +reserved +loader$'
# The TDVF page tables the firmware called usable, now AP-held (background.md section 2).
expect_line "$out" '^  0x0000000000800000 0x0000000000806000 +24 KiB +ap-held +firmware +page-tables +after-ap-wakeup-no-reset +usable +tdvf-metadata$'
# The mailbox inside ACPI NVS returns to ACPI NVS, never to usable.
expect_line "$out" '^  0x000000007e0ff000 0x000000007e100000 +4 KiB +ap-held +firmware +mailbox +after-ap-wakeup-no-reset +acpi-nvs +acpi$'
expect_line "$out" '^  0x000000007e080000 0x000000007e0ff000 +508 KiB +ap-held +firmware +ap-loop-code +after-ap-wakeup-no-reset +acpi-nvs +efi-map$'
expect_line "$out" '^  0x000000007dfc0000 0x000000007dfd0000 +64 KiB +loader-reclaimable +loader +stack +after-handoff +usable +loader$'
expect_line "$out" '^  0x0000000100000000 0x0000000180000000 +2 GiB +unaccepted '

# Totals from the sample's inputs, by hand: usable pieces between the tags.
# The kernel (0x200000, 2 MiB) and the module (0x1200000) cut the low usable range.
usable=$(( 0xa0000 + (0x200000 - 0x100000) + (0x800000 - 0x400000) + (0x809000 - 0x806000) \
	+ (0x1200000 - 0x80d000) \
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

# --- one corrupted byte (inside the platform record, at 976) ---
cp "$dir/sample.bin" "$dir/corrupt.bin"
printf 'X' | dd of="$dir/corrupt.bin" bs=1 seek=1000 conv=notrunc status=none
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
