#!/bin/sh
# run-fuzz.sh: run libFuzzer harnesses for a fixed time each over their seeds; fail on the first crash.
# Usage: tests/fuzz/run-fuzz.sh FUZZ_OUT SECONDS NAME...   (run from the repository root)
# New inputs go to FUZZ_OUT/corpus/NAME (first directory, the only one libFuzzer writes);
# FUZZ_OUT/seeds/NAME, tests/fuzz/regressions/NAME and tests/fuzz/dict/NAME.dict are read.
# A crash leaves FUZZ_OUT/artifacts/NAME-crash-<sha1>; the log is FUZZ_OUT/NAME.log.
set -u

out=$1
seconds=$2
shift 2
mkdir -p "$out/artifacts"
for name in "$@"; do
	mkdir -p "$out/corpus/$name"
	set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-"
	[ -f "tests/fuzz/dict/$name.dict" ] && set -- "$@" -dict="tests/fuzz/dict/$name.dict"
	set -- "$@" "$out/corpus/$name"
	[ -d "$out/seeds/$name" ] && set -- "$@" "$out/seeds/$name"
	[ -d "tests/fuzz/regressions/$name" ] && set -- "$@" "tests/fuzz/regressions/$name"
	echo "== fuzz $name for ${seconds}s"
	if ! "$out/fuzz_$name" "$@" >"$out/$name.log" 2>&1; then
		tail -n 60 "$out/$name.log"
		echo "fuzz $name: FAILED (log $out/$name.log; input in $out/artifacts/)" >&2
		exit 1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
	cov=$(grep -o 'cov: [0-9]*' "$out/$name.log" | tail -n 1)
	echo "   $runs runs, $cov, corpus $(ls "$out/corpus/$name" | wc -l) files"
done
