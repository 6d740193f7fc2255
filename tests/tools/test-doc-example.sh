#!/bin/sh
# test-doc-example.sh: every line of the decode excerpt in docs/handoff.md ("## Example") still
# appears, verbatim, in `handoff decode` of a fresh `handoff sample`.
set -u
doc=${1:-docs/handoff.md}
tool=build/bin/handoff
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$tool" sample "$dir/sample.bin" >/dev/null || { echo "FAIL: handoff sample"; exit 1; }
"$tool" decode "$dir/sample.bin" >"$dir/decode.txt" || { echo "FAIL: decode of the sample"; exit 1; }

# The first fenced block after the "## Example" heading, without the "  ..." elisions.
awk '/^## Example/ { in_section = 1; next }
     in_section && /^```/ { if (in_block) exit; in_block = 1; next }
     in_block && $0 != "  ..." { print }' "$doc" >"$dir/excerpt.txt"
lines=$(wc -l <"$dir/excerpt.txt")
[ "$lines" -ge 10 ] || { echo "FAIL: $doc: no decode excerpt under '## Example'"; exit 1; }

fails=0
while IFS= read -r line; do
	grep -qxF -- "$line" "$dir/decode.txt" || { echo "FAIL: $doc: stale example line: $line"; fails=$((fails + 1)); }
done <"$dir/excerpt.txt"
[ "$fails" -eq 0 ] || exit 1
echo "test-doc-example: ok ($lines lines)"
