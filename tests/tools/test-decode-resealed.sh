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

patch major H 8 2
check major 1 '^verdict: invalid: TB_ERR_MAJOR \(4\): .* at offset 8 '
# A newer minor version is read: additions are skipped.
patch minor H 10 7
check minor 0 '^  version +1\.7 \(newer than this reader'"'"'s 1\.0'
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
patch apcount I $((mp + 36)) 5
check apcount 1 "^verdict: invalid: TB_ERR_DATA_PAST_END \\(22\\): .* at offset $mp "
# A memory type this reader does not know is shown as reserved, and the blob is valid.
patch unknowntype I $((map + 16 + 32 + 16)) 200
check unknowntype 0 '^  0x00000000000a0000 0x0000000000100000 +384 KiB +unknown\(200\)=reserved '

if [ "$fails" -ne 0 ]; then
	echo "test-decode-resealed: $fails failure(s)"
	exit 1
fi
echo "test-decode-resealed: ok"
