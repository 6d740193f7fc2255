#!/bin/bash
# enroll-tool.sh: tools/secure/tagboot-enroll.py: canonical hash by hand, the patched block, and its refusals.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
TOOL=tools/secure/tagboot-enroll.py
W=build/secure-enroll
rm -rf "$W"
mkdir -p "$W/esp/loader/entries"
fails=0
check() { if [ "$1" = "$2" ]; then echo "ok   $3"; else echo "FAIL $3: got '$1', want '$2'"; fails=$((fails + 1)); fi; }

printf 'default b\n' >"$W/esp/loader/loader.conf"
printf 'title b\nefi /b.efi\n' >"$W/esp/loader/entries/b.conf"
printf 'title a\nefi /a.efi\n' >"$W/esp/loader/entries/A.CONF"
printf 'not an entry\n' >"$W/esp/loader/entries/notes.txt"
mkdir "$W/esp/loader/entries/dir.conf"

# By hand with coreutils: sha256sum lines, sorted by path (bytewise), hashed.
want=$( (cd "$W/esp" && for f in loader/entries/A.CONF loader/entries/b.conf loader/loader.conf; do
	printf '%s  /%s\n' "$(sha256sum "$f" | cut -d' ' -f1)" "$f"; done) | LC_ALL=C sort -k2 | sha256sum | cut -d' ' -f1)
got=$(python3 "$TOOL" hash "$W/esp" | sed -n 's/^config-hash  //p')
check "$got" "$want" "hash = sha256 of sorted sha256sum lines (.txt and directories left out)"

# Enroll into a fake image: marker, version 1, enrolled 0, zero digest, between other bytes.
python3 - "$W/in.efi" <<'PY'
import struct, sys
block = b"TAGBOOT-CFGHASH\0" + struct.pack("<II", 1, 0) + bytes(32)
open(sys.argv[1], "wb").write(b"MZ" + bytes(1000) + block + b"\xee" * 100)
PY
python3 "$TOOL" enroll "$W/esp" "$W/in.efi" "$W/out.efi" >/dev/null
check "$(cmp -l "$W/in.efi" "$W/out.efi" | wc -l | tr -d ' ')" \
	"$(python3 -c "import sys; d=bytes.fromhex('01'+'$want'); print(sum(1 for b in d if b))")" \
	"only the enrolled flag and digest bytes change"
check "$(od -An -tx1 -j $((1002 + 20)) -N 36 "$W/out.efi" | tr -d ' \n')" "01000000$want" \
	"block holds enrolled=1 and the hash"
check "$(stat -c %s "$W/out.efi")" "$(stat -c %s "$W/in.efi")" "size unchanged"

# Refusals: two markers, wrong version, no marker.
cat "$W/in.efi" "$W/in.efi" >"$W/two.efi"
python3 "$TOOL" enroll "$W/esp" "$W/two.efi" "$W/x.efi" 2>"$W/err" && fails=$((fails + 1))
check "$(grep -c 'occurs twice' "$W/err")" 1 "two markers refused"
python3 -c "
import sys; d=bytearray(open('$W/in.efi','rb').read()); d[1002+16]=2; open('$W/v2.efi','wb').write(d)"
python3 "$TOOL" enroll "$W/esp" "$W/v2.efi" "$W/x.efi" 2>"$W/err" && fails=$((fails + 1))
check "$(grep -c 'block version 2' "$W/err")" 1 "unknown block version refused"
head -c 500 /dev/zero >"$W/none.efi"
python3 "$TOOL" enroll "$W/esp" "$W/none.efi" "$W/x.efi" 2>"$W/err" && fails=$((fails + 1))
check "$(grep -c 'no config hash block' "$W/err")" 1 "image without a block refused"
# The real loader has exactly one block.
check "$(grep -ao TAGBOOT-CFGHASH build/esp/EFI/BOOT/BOOTX64.EFI | wc -l | tr -d " ")" 1 "BOOTX64.EFI holds one marker"

echo "enroll tool tests: $fails failed"
[ "$fails" = 0 ]
