#!/bin/sh
# realworld.sh - the real-world stage (make realworld; tests/run-tests.sh):
# liburing's test suite from Debian's source package (kernel/fetch-liburing.sh,
# built once and cached), first without ringledger, then under one
# `ringledger check`, in a guest on a stock Debian kernel
# (tests/vm/guest/liburing.sh prints the TAP lines).
#
# usage: tests/vm/realworld.sh [-k SERIES|DIR] [-e]
#   -k  the guest's kernel (default 7: the newest Debian 7.x)
#   -e  each test under its own check instead (RL_RW_MODE=each)
#
# Into build/realworld/: console-MODE.log (the guest's whole console) and
# what the guest exported (rw.json, each.logs/*.json, the per-test results
# plain.res / check.res / each.res, findings.txt: id, test, comm, pid).
# Environment: RL_RW_TIMEOUT (per test, default 60 s), RL_RW_SLOW_TESTS and
# RL_RW_SLOW_TIMEOUT (tests given longer, default futex.t: 180 s; see
# tests/vm/guest/liburing-run.sh), RL_RW_TIMING_TESTS
# (the tests whose outcome is printed, not compared; default min-timeout.t
# min-timeout-wait.t), RL_RW_PLAIN (after: without ringledger only the tests
# that did not pass under check; 0: no
# run without ringledger), RL_RW_TESTS (only these tests), RL_RW_GUEST_TIMEOUT (the guest, default 3000 s,
# 4800 with -e), RL_RW_MEM (MiB, default 3072:
# the tests are about 180 MB of static binaries in the initramfs).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
kernel=7
mode=whole
while getopts k:e opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	e) mode=each ;;
	*) echo "usage: realworld.sh [-k SERIES|DIR] [-e]" >&2; exit 2 ;;
	esac
done
out=build/realworld
mkdir -p "$out"
start=$(date +%s)

tests=$(kernel/fetch-liburing.sh 2> "$out/fetch.log") || {
	echo "not ok 1 - liburing's test suite from Debian's source package: $(tail -n 1 "$out/fetch.log")"
	exit 1
}
[ "$mode" = each ] && gt=${RL_RW_GUEST_TIMEOUT:-4800} || gt=${RL_RW_GUEST_TIMEOUT:-3000}
echo "# liburing $(cat "$tests/version"), $(wc -l < "$tests/list") tests from $tests (ready in $(( $(date +%s) - start )) s)"
log=$out/console-$mode.log
rm -rf "${out:?}/$mode"
# The guest's lines are printed from the console log once it is done, not
# as they come: about 9 KB of NULs reach the console at the end of each pass
# over the suite (from what, not known yet), and the runner's own filter
# (grep) takes the stream for binary from there on and prints nothing more.
sh tests/vm/run-guest.sh -k "$kernel" -m "${RL_RW_MEM:-3072}" -t "$gt" -l "$log" -x "$tests" -- \
	env RL_RW_MODE="$mode" RL_RW_EXPORT=1 RL_RW_TIMEOUT="${RL_RW_TIMEOUT:-60}" \
	RL_RW_PLAIN="${RL_RW_PLAIN:-1}" RL_RW_TESTS="${RL_RW_TESTS:-}" RL_RW_TIMING_TESTS="${RL_RW_TIMING_TESTS:-}" \
	${RL_RW_SLOW_TESTS+RL_RW_SLOW_TESTS="$RL_RW_SLOW_TESTS"} RL_RW_SLOW_TIMEOUT="${RL_RW_SLOW_TIMEOUT:-180}" sh /tests/liburing.sh > "$out/guest-$mode.out"
gstatus=$?
[ -s "$log" ] || : > "$log"	# (no log: the runner failed before the guest ran)
tr -d '\r\000' < "$log" 2>/dev/null | sed -n 's/^.*\(RL-GUEST-BOOT\)/\1/; /RL-GUEST-BOOT/,/^RL-GUEST-EXIT=/p' |
	sed '/^RL-EXPORT-BEGIN/,/^RL-EXPORT-END/d; /^RL-GUEST-EXIT=/d; s/^ *//'
status=$(tr -d '\r\000' < "$log" 2>/dev/null | sed -n 's/^RL-GUEST-EXIT=\([0-9]*\)$/\1/p' | tail -n 1)
[ -n "$status" ] || echo "not ok - the guest ran liburing's suite to its end (run-guest exited $gstatus)"
mkdir -p "$out/$mode"
if tr -d '\r\000' < "$log" 2>/dev/null | sed -n '/^RL-EXPORT-BEGIN/,/^RL-EXPORT-END/{/^RL-EXPORT-/d;p}' |
	grep -E '^[A-Za-z0-9+/=]+$' | base64 -d 2>/dev/null | tar xzf - -C "$out/$mode" 2>/dev/null; then
	echo "# reports and results in $out/$mode/, console in $log"
else
	echo "# nothing exported by the guest (console in $log)"
fi
echo "# realworld ($mode, kernel $kernel): $(( $(date +%s) - start )) s wall in all"
[ "${status:-1}" = 0 ]
