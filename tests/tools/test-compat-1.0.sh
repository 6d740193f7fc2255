#!/bin/sh
# test-compat-1.0.sh: the 1.0 -> 1.1 compatibility promise, both ways.
#   (a) the 1.0 reader as it shipped (tests/handoff-1.0, built as build/bin/handoff10-read)
#       accepts 1.1 blobs: `handoff sample`, the same with 40-byte map entries, and every blob
#       from a real 1.1 boot in tests/fixtures/handoff-1.1/*.bin (none yet is fine); it skips
#       the new record types and counts the same usable bytes as the 1.1 `handoff decode`.
#   (b) the 1.1 reader (`handoff decode`) accepts every 1.0 blob in
#       tests/fixtures/handoff-1.0/*.bin, and both readers count the same usable bytes.
set -u
tool=build/bin/handoff
old=build/bin/handoff10-read
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 checked=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -x "$old" ] || { echo "FAIL: $old is not built (make $old)"; exit 1; }

# usable_new FILE: the "usable" total of `handoff decode`, or empty when decode refused it.
usable_new() {
	"$tool" decode "$1" >"$dir/new.out" 2>"$dir/new.err" || return 0
	sed -n 's/^  usable  *\([0-9][0-9]*\) bytes.*/\1/p' "$dir/new.out"
}

# both NAME FILE WANT_MINOR: each reader accepts FILE and they agree on the usable bytes.
both() {
	name=$1 file=$2 minor=$3
	checked=$((checked + 1))
	"$old" "$file" >"$dir/old.out" 2>"$dir/old.err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$name: the 1.0 reader refused it (exit $rc): $(head -n 1 "$dir/old.out") $(head -n 1 "$dir/old.err")"
		return
	fi
	grep -qx 'verdict: ok' "$dir/old.out" || fail "$name: the 1.0 reader printed no 'verdict: ok'"
	grep -qx "version: 1\\.$minor" "$dir/old.out" ||
		fail "$name: not a 1.$minor blob ($(grep '^version:' "$dir/old.out"))"
	new=$(usable_new "$file")
	if [ -z "$new" ]; then
		fail "$name: the 1.1 reader refused it: $(grep '^verdict' "$dir/new.out") $(head -n 1 "$dir/new.err")"
		return
	fi
	grep -qx 'verdict: ok' "$dir/new.out" || fail "$name: the 1.1 reader printed no 'verdict: ok'"
	was=$(sed -n 's/^usable: \([0-9][0-9]*\) bytes$/\1/p' "$dir/old.out")
	[ "$was" = "$new" ] || fail "$name: usable bytes differ: 1.0 reader $was, 1.1 reader $new"
	entries=$(sed -n 's/^memory map: \([0-9]*\) entries$/\1/p' "$dir/new.out")
	grep -q "^map entries: $entries of " "$dir/old.out" ||
		fail "$name: the readers disagree on the map entries ($(grep '^map entries' "$dir/old.out"), 1.1: $entries)"
	echo "  $name: 1.$minor, usable $new bytes, $(sed -n 's/^records: //p' "$dir/old.out")"
}

# --- (a) 1.1 blobs read by the 1.0 reader ---
"$tool" sample "$dir/sample.bin" >/dev/null || { echo "FAIL: handoff sample"; exit 1; }
minor=$(python3 -c 'import struct,sys; print(struct.unpack_from("<HH", open(sys.argv[1],"rb").read(), 8)[1])' "$dir/sample.bin")
[ "$minor" = 1 ] || { echo "FAIL: handoff sample writes minor version $minor, not 1 (the test needs a 1.1 blob)"; exit 1; }
both "handoff sample" "$dir/sample.bin" 1
# Every record type 1.1 added (11..18) and the sample's type 99 are skipped by the 1.0 reader.
grep -qx 'records: 19 (10 known, 9 skipped)' "$dir/old.out" ||
	fail "handoff sample: the 1.0 reader saw $(sed -n 's/^records: //p' "$dir/old.out"), want 19 (10 known, 9 skipped)"
grep -qx 'mp: 3 APs (APIC ID sum 6)' "$dir/old.out" ||
	fail "handoff sample: the 1.0 reader did not read the AP IDs of the version-2 MP record"
grep -qx 'module: 10-byte name, 1715255 bytes at 0x1200000' "$dir/old.out" ||
	fail "handoff sample: the 1.0 reader did not read the version-2 module record"

# The sample with 40-byte map entries (what a later minor may write): the 1.0 reader steps by
# entry_size and still counts the same bytes.
python3 tests/tools/handoff_blob.py wide-map "$dir/sample.bin" "$dir/wide.bin" ||
	fail "could not build the wide-entry blob"
both "handoff sample, 40-byte map entries" "$dir/wide.bin" 1
grep -q '^map entries: 29 of 40 bytes$' "$dir/old.out" || fail "wide entries: the 1.0 reader did not see 40-byte entries"

n11=0
for f in tests/fixtures/handoff-1.1/*.bin; do
	[ -f "$f" ] || continue
	both "$f" "$f" 1
	# The 1.1 reader knows every record a 1.1 loader writes.
	if grep -Eq 'unknown type (1[1-8]|[1-9]),' "$dir/new.out"; then
		fail "$f: the 1.1 reader calls a 1.1 record type unknown"
	fi
	n11=$((n11 + 1))
done
echo "  tests/fixtures/handoff-1.1: $n11 blobs from real boots"

# --- (b) 1.0 blobs read by the 1.1 reader ---
n10=0
for f in tests/fixtures/handoff-1.0/*.bin; do
	[ -f "$f" ] || continue
	both "$f" "$f" 0
	grep -Eq '^  version +1\.0$' "$dir/new.out" || fail "$f: the 1.1 reader does not show version 1.0"
	n10=$((n10 + 1))
done
[ "$n10" -gt 0 ] || fail "no 1.0 blobs in tests/fixtures/handoff-1.0"

if [ "$fails" -ne 0 ]; then
	echo "test-compat-1.0: $fails failure(s) in $checked blobs"
	exit 1
fi
echo "test-compat-1.0: ok ($checked blobs: $n10 of 1.0, $((checked - n10)) of 1.1)"
