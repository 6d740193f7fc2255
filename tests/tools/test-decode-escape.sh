#!/bin/sh
# test-decode-escape.sh: a valid blob whose text fields (cmdline, firmware vendor, hypervisor
# signature, loader name and version, module name and string, boot-device path) hold ESC
# sequences, other control bytes, bytes above 0x7e, backslashes and quotes: `handoff decode`
# prints each such byte as \xNN, so the output holds no byte outside 0x20..0x7e but newlines.
set -u
tool=build/bin/handoff
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_line() { grep -Fqx -- "$2" "$1" || fail "no line '$2' in $(basename "$1")"; }

"$tool" sample "$dir/sample.bin" >/dev/null || { echo "FAIL: handoff sample"; exit 1; }

# Same-length replacements inside the sample's text, then reseal with zlib's CRC-32.
python3 - "$dir/sample.bin" "$dir/hostile.bin" <<'PY' || { echo "FAIL: could not build the blob"; exit 1; }
import struct, sys, zlib
src, out = sys.argv[1:]
b = bytearray(open(src, "rb").read())
recs = {}
off = struct.unpack_from("<I", b, 12)[0]
while off < struct.unpack_from("<I", b, 16)[0]:
    t, _, _, size = struct.unpack_from("<HBBI", b, off)
    recs.setdefault(t, off)
    off += size
def put(at, old, new):
    assert bytes(b[at:at + len(old)]) == old, (at, bytes(b[at:at + len(old)]), old)
    assert len(new) == len(old), (old, new)
    b[at:at + len(new)] = new
c = recs[6]                                   # cmdline: length 24, text at offset
put(c + struct.unpack_from("<I", b, c + 12)[0], b"console=ttyS0 loglevel=7",
    b'\x1b[31mred\x1b[0m "q" \\ \x7f\xe9\x01!x')
p = recs[2]                                   # platform: signature at 24, vendor at 40
put(p + 24, b"IntelTDX    ", b"Intel\x1bTDX\x9b  ")
put(p + 40, b"EDK II\0\0\0\0", b"EDK\x1b[5mII\0")
l = recs[10]                                  # loader: name at 16, version at 40
put(l + 16, b"tagboot", b"tag\x07\x08ot")
put(l + 40, b"0.1.0-sample", b"0.1\r\n-\tample")
m = recs[7]                                   # module: name, string (version 2)
name_len, name_off, str_len, str_off = struct.unpack_from("<IIII", b, m + 24)
put(m + name_off, b"initrd.img", b"init\x1b]8;;x")
put(m + str_off, b"rdinit=/init", b"rd\x1b[Hinit=/x")
d = recs[15]                                  # boot device: path
put(d + struct.unpack_from("<I", b, d + 52)[0], b"/tagboot/kernel.elf", b"/tagboot/\x1b[?1049h.e")
b[28:32] = bytes(4)
struct.pack_into("<I", b, 28, zlib.crc32(bytes(b)))
open(out, "wb").write(b)
PY
python3 - "$dir/hostile.bin" <<'PY' || fail "the blob has no ESC byte: the test would prove nothing"
import sys
sys.exit(0 if open(sys.argv[1], "rb").read().count(b"\x1b") >= 6 else 1)
PY

"$tool" decode "$dir/hostile.bin" >"$dir/out" 2>"$dir/err"
rc=$?
[ "$rc" -eq 0 ] || fail "decode exited $rc, want 0 (the blob is valid)"
out=$dir/out
expect_line "$out" 'verdict: ok'
expect_line "$out" '      "\x1b[31mred\x1b[0m \x22q\x22 \x5c \x7f\xe9\x01!x" (24 bytes at +16)'
expect_line "$out" '      hypervisor "Intel\x1bTDX\x9b  " at CPUID leaf 0x21'
expect_line "$out" '      firmware "EDK\x1b[5mII" revision 0x00010000'
expect_line "$out" '      "tag\x07\x08ot" 0.1.0 "0.1\x0d\x0a-\x09ample"'
expect_line "$out" '      "init\x1b]8;;x" at 0x1200000, 1715255 bytes (name 10 bytes at +40)'
expect_line "$out" '      string "rd\x1b[Hinit=/x" (12 bytes at +51)'
expect_line "$out" '      path "/tagboot/\x1b[?1049h.e" (19 bytes at +56)'
# Not one byte of the output (stdout and stderr) outside printable ASCII, but newlines.
python3 - "$dir/out" "$dir/err" <<'PY' || fail "decode printed raw control or non-ASCII bytes"
import sys
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    bad = [(i, c) for i, c in enumerate(data) if c != 0x0a and not 0x20 <= c <= 0x7e]
    if bad:
        print("%s: %d raw bytes, first at %d: 0x%02x" % (path, len(bad), bad[0][0], bad[0][1]))
        sys.exit(1)
PY

# A real 1.1 boot (tests/fixtures/handoff-1.1): a module string with quotes from the entry.
gpt=tests/fixtures/handoff-1.1/handoff-1-1-gpt.bin
if [ -f "$gpt" ]; then
	"$tool" decode "$gpt" >"$dir/gpt.out" 2>&1 || fail "decode of $gpt failed"
	expect_line "$dir/gpt.out" '      string "a string  with spaces, = and \x22quotes\x22" (37 bytes at +56)'
	expect_line "$dir/gpt.out" '      path "/tagboot/kernel.elf" (19 bytes at +56)'
fi

if [ "$fails" -ne 0 ]; then
	echo "test-decode-escape: $fails failure(s)"
	exit 1
fi
echo "test-decode-escape: ok"
