#!/bin/sh
# test-decode-resealed.sh: change one field of the sample blob, recompute the CRC with zlib, and
# check that `handoff decode` reports the validator's error code and offset for that field.
set -u
tool=build/bin/handoff
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$tool" sample "$dir/sample.bin" >/dev/null || { echo "FAIL: handoff sample"; exit 1; }

# patch OUT FORMAT OFFSET VALUE: struct-pack VALUE at OFFSET of the sample, then reseal.
patch() {
	python3 - "$dir/sample.bin" "$dir/$1.bin" "$2" "$3" "$4" <<'PY'
import struct, sys, zlib
src, out, fmt, off, value = sys.argv[1:]
b = bytearray(open(src, "rb").read())
struct.pack_into("<" + fmt, b, int(off, 0), int(value, 0))
b[28:32] = bytes(4)
struct.pack_into("<I", b, 28, zlib.crc32(bytes(b)))
open(out, "wb").write(b)
PY
}

# grow OUT TYPE VERSION N: the first record of TYPE made N bytes longer (bytes 0xa0, 0xa1, ...
# appended at its end) and given VERSION, as a newer minor's writer would append fields; the
# header's total_size follows, then reseal.
grow() {
	python3 - "$dir/sample.bin" "$dir/$1.bin" "$2" "$3" "$4" <<'PY'
import struct, sys, zlib
src, out, rtype, version, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
b = bytearray(open(src, "rb").read())
off = struct.unpack_from("<I", b, 12)[0]
while True:
    t, _, _, size = struct.unpack_from("<HBBI", b, off)
    if t == rtype:
        break
    off += size
b[off + size:off + size] = bytes(0xa0 + i for i in range(n))
struct.pack_into("<HBBI", b, off, rtype, version, 0, size + n)
struct.pack_into("<I", b, 16, len(b))
b[28:32] = bytes(4)
struct.pack_into("<I", b, 28, zlib.crc32(bytes(b)))
open(out, "wb").write(b)
PY
}

# wide_map OUT: every memory-map entry 40 bytes apart, the 8 bytes after each entry's known
# fields 0x10 + entry index, 0x11, ... (a newer minor's longer entries), then reseal.
wide_map() {
	python3 tests/tools/handoff_blob.py wide-map "$dir/sample.bin" "$dir/$1.bin"
}

# record_offset TYPE: byte offset of the first record of TYPE in the sample (walks sizes).
record_offset() {
	python3 - "$dir/sample.bin" "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
off = struct.unpack_from("<I", b, 12)[0]
while off < len(b):
    rtype, _, _, size = struct.unpack_from("<HBBI", b, off)
    if rtype == int(sys.argv[2]):
        print(off); break
    off += size
PY
}

# check NAME WANT_RC REGEX
check() {
	"$tool" decode "$dir/$1.bin" >"$dir/$1.out" 2>&1
	rc=$?
	[ "$rc" -eq "$2" ] || fail "$1: decode exited $rc, want $2"
	grep -Eq -- "$3" "$dir/$1.out" || fail "$1: no line matching '$3'"
}

map=$(record_offset 1)
cmdline=$(record_offset 6)
mp=$(record_offset 4)
module=$(record_offset 7)
efimap=$(record_offset 13)
bootdev=$(record_offset 15)

patch major H 8 2
check major 1 '^verdict: invalid: TB_ERR_MAJOR \(4\): .* at offset 8 '
# A newer minor version is read: additions are skipped.
patch minor H 10 7
check minor 0 '^  version +1\.7 \(newer than this reader'"'"'s 1\.1'
patch count I 20 12
check count 1 '^verdict: invalid: TB_ERR_RECORD_COUNT \(11\): .* at offset 20 '
patch entrysize I $((map + 8)) 36
check entrysize 1 "^verdict: invalid: TB_ERR_ENTRY_SIZE \\(14\\): .* at offset $((map + 8)) "
# Entry 1 (reserved at 0xa0000) moved below entry 0's end: overlap, reported at entry 1.
patch overlap Q $((map + 16 + 32)) 0x9f000
check overlap 1 "^verdict: invalid: TB_ERR_MAP_OVERLAP \\(20\\): .* at offset $((map + 16 + 32)) "
# Entry 2 (usable at 0x100000) moved to base 0, below entry 1.
patch unsorted Q $((map + 16 + 64)) 0x0
check unsorted 1 "^verdict: invalid: TB_ERR_MAP_UNSORTED \\(19\\): .* at offset $((map + 16 + 64)) "
patch align Q $((map + 16 + 32 + 8)) 0x60001
check align 1 "^verdict: invalid: TB_ERR_MAP_ALIGN \\(16\\): .* at offset $((map + 16 + 32)) "
# Entry 0 (usable) given a reclaim rule.
patch usabletag B $((map + 16 + 26)) 1
check usabletag 1 "^verdict: invalid: TB_ERR_MAP_USABLE_TAG \\(21\\): .* at offset $((map + 16)) "
patch cmdline I $((cmdline + 8)) 100
check cmdline 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $cmdline "
patch apcount I $((mp + 36)) 30
check apcount 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $mp "
# 1.1: a data offset pointing into the record's own fixed fields is refused.
patch cmdline_into_fixed I $((cmdline + 12)) 8
check cmdline_into_fixed 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $cmdline "
patch module_string_into_fixed I $((module + 36)) 0
check module_string_into_fixed 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $module "
patch mp_cpus_into_fixed I $((mp + 52)) 40
check mp_cpus_into_fixed 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $mp "
patch mp_cpus_misaligned I $((mp + 52)) 78
check mp_cpus_misaligned 1 "^verdict: invalid: TB_ERR_RECORD_ALIGN \\(8\\): .* at offset $mp "
patch efimap_count I $((efimap + 16)) 10
check efimap_count 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $efimap "
patch bootdev_path I $((bootdev + 52)) 20
check bootdev_path 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $bootdev "
# 1.1: a usable entry with a reason (entry 0's reason byte) or another after_type.
patch usable_reason B $((map + 16 + 25)) 9
check usable_reason 1 "^verdict: invalid: TB_ERR_MAP_USABLE_TAG \\(21\\): .* at offset $((map + 16)) "
patch usable_after I $((map + 16 + 20)) 2
check usable_after 1 "^verdict: invalid: TB_ERR_MAP_USABLE_TAG \\(21\\): .* at offset $((map + 16)) "
# A second TSC record in place of the unknown type 99 (both 24 bytes).
future=$(record_offset 99)
patch duplicate_tsc H "$future" 16
check duplicate_tsc 1 "^verdict: invalid: TB_ERR_DUPLICATE \\(13\\): .* at offset $future "

# A newer version of a known record: its known fields, and how many bytes were added.
grow time_v2 17 2 16
check time_v2 0 '^  \[16\] @[0-9]+ time \(version 2, 56 bytes\)$'
check time_v2 0 '^      \(16 more bytes of a newer version\)$'
check time_v2 0 '^      2025-11-21T09:30:00\.250000000Z \(unix 1763717400'
# MP version 3: the v2 fields and the CPU list are still read; the list starts right after
# the IDs, so nothing unknown lies between the fields and the data.
grow mp_v3 4 3 8
check mp_v3 0 '^      cpu 3: APIC ID 3, ACPI UID 3, flags 0xa \(enabled, x2apic\)$'
if grep -q 'more bytes of a newer version' "$dir/mp_v3.out"; then fail "mp_v3: bytes after the data counted as fields"; fi
# Memory-map entries of 40 bytes: the 8 unknown bytes of each as hex, totals unchanged.
wide_map widemap
check widemap 0 '^      29 entries of 40 bytes \(table below; the 8 bytes past each entry'"'"'s known fields as hex\)$'
check widemap 0 '^    \+32  10 11 12 13 14 15 16 17$'
check widemap 0 '^    \+32  2c 2d 2e 2f 30 31 32 33$'
check widemap 0 '^  0x0000000100000000 0x0000000180000000 +2 GiB +unaccepted '
check widemap 0 '^  usable +2109575168 bytes'

# A memory type this reader does not know is shown as reserved, and the blob is valid.
patch unknowntype I $((map + 16 + 32 + 16)) 200
check unknowntype 0 '^  0x00000000000a0000 0x0000000000100000 +384 KiB +unknown\(200\)=reserved '

if [ "$fails" -ne 0 ]; then
	echo "test-decode-resealed: $fails failure(s)"
	exit 1
fi
echo "test-decode-resealed: ok"
