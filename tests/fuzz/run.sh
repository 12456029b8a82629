#!/bin/sh
# run.sh - run the inputs the fuzzer once crashed on (tests/fuzz/regressions,
# each kept with the fix it needed), then the replay fuzzer for SECS
# seconds, seeded with a copy of tests/replays (libFuzzer adds what it finds
# to the copy, never to the repository).  Prints two TAP lines; a crash
# input is kept in build/fuzz/.
#   tests/fuzz/run.sh build/fuzz/fuzz_replay SECS
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=${2:-60}
work=$top/build/fuzz
mkdir -p "$work/corpus"
n=$(ls "$top"/tests/fuzz/regressions/* 2> /dev/null | wc -l)
if "$bin" "$top"/tests/fuzz/regressions/* > "$work/regressions.log" 2>&1; then
	echo "ok - the $n inputs the fuzzer once crashed on run clean"
else
	echo "not ok - an input the fuzzer once crashed on fails again (log: $work/regressions.log)"
	grep -E 'ERROR|SUMMARY|Running:' "$work/regressions.log" | head -n 5 | sed 's/^/#   /'
fi
cp "$top"/tests/replays/*.events "$work/corpus/"
cd "$work" || exit 1
"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/" corpus > "$work/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/fuzz.log" | tail -n 1)
if [ "$rc" = 0 ] && [ -n "$runs" ]; then
	echo "ok - replay fuzzer: $runs inputs in ${secs} s, no crash, sanitizer report or leak"
else
	echo "not ok - replay fuzzer: exit $rc (log: $work/fuzz.log)"
	grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$work/fuzz.log" | head -n 5 | sed 's/^/#   /'
fi
