#!/bin/sh
# test-decode-fuzz.sh: `handoff decode` (built with ASan/UBSan) on 400 resealed mutations of the
# sample: every one must end in "valid" (0) or "invalid" (1) with a verdict line, never in a
# sanitizer report or a crash. Fixed seed, so a failure reproduces.
set -u
tool=build/bin/handoff
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Sanitizer reports get their own exit codes, so they cannot pass for "invalid" (1).
ASAN_OPTIONS=exitcode=97:detect_leaks=1
UBSAN_OPTIONS=exitcode=98:halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

"$tool" sample "$dir/sample.bin" >/dev/null || { echo "FAIL: handoff sample"; exit 1; }

python3 - "$dir/sample.bin" "$dir" <<'PY' || { echo "FAIL: could not write the mutations"; exit 1; }
import random, struct, sys, zlib
src, out = sys.argv[1], sys.argv[2]
base = open(src, "rb").read()
rng = random.Random(20261121)
for i in range(400):
    b = bytearray(base)
    kind = i % 4
    if kind == 0:      # a few random bytes anywhere after the magic
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(8, len(b))] = rng.randrange(256)
    elif kind == 1:    # one u32 field somewhere set to an edge value
        off = rng.randrange(8, len(b) - 4) & ~3
        struct.pack_into("<I", b, off, rng.choice([0, 1, 7, 8, 0x7fffffff, 0xfffffff8, 0xffffffff]))
    elif kind == 2:    # cut the blob short and claim the new size
        cut = rng.randrange(32, len(b)) & ~7
        b = b[:cut]
        struct.pack_into("<I", b, 16, cut)
    else:              # one u64 of the memory map set to an edge value
        off = 48 + 8 * rng.randrange(0, 100)
        struct.pack_into("<Q", b, off, rng.choice([0, 0xfff, 0x1000, 2**63, 2**64 - 4096, 2**64 - 1]))
    b[28:32] = bytes(4)
    struct.pack_into("<I", b, 28, zlib.crc32(bytes(b[:struct.unpack_from("<I", b, 16)[0]])))
    open("%s/m%03d.bin" % (out, i), "wb").write(b)
PY

fails=0 valid=0 invalid=0
for f in "$dir"/m*.bin; do
	"$tool" decode "$f" >"$dir/out" 2>"$dir/err"
	rc=$?
	case $rc in
	0) valid=$((valid + 1)) ;;
	1) invalid=$((invalid + 1)) ;;
	*) echo "FAIL: $(basename "$f"): exit $rc"; head -20 "$dir/err"; fails=$((fails + 1)); continue ;;
	esac
	grep -q '^verdict: ' "$dir/out" || { echo "FAIL: $(basename "$f"): no verdict"; fails=$((fails + 1)); }
done
echo "test-decode-fuzz: $valid valid, $invalid invalid, $fails failures"
[ "$fails" -eq 0 ]
