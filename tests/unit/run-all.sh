#!/bin/sh
# run-all.sh: run every cmocka unit-test binary given, print its summary, fail if any failed.
set -u
failed=0
total=0
for bin in "$@"; do
	total=$((total + 1))
	echo "== $(basename "$bin")"
	if ! "$bin"; then
		echo "FAILED: $bin" >&2
		failed=$((failed + 1))
	fi
done
echo "unit test binaries: $((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
