#!/bin/sh
# matrix.sh - the detection matrix of ringledger on its patched kernel: every
# fault knob (kernel/patches/0003-*) switched on in turn under `ringledger
# check`, each finding id counted.  Prints a Markdown table for the README.
#
# usage: tests/vm/matrix.sh [-l LOG]
#   -l  keep the whole guest output here
# Builds the patched kernel first if the cache lacks it (kernel/build-kernel.sh).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
log=""
while getopts l: opt; do
	case $opt in
	l) log=$OPTARG ;;
	*) echo "usage: tests/vm/matrix.sh [-l LOG]" >&2; exit 2 ;;
	esac
done
kdir=$("$top/kernel/build-kernel.sh")
out=$(mktemp /tmp/rl-matrix.XXXXXX)
trap 'rm -f "$out"' EXIT
status=0
sh "$top/tests/vm/run-guest.sh" -k "$kdir" -t 900 -- sh /tests/matrix.sh > "$out" 2>&1 || status=$?
[ -n "$log" ] && cp "$out" "$log"
if ! grep -q '^<!-- end matrix -->' "$out"; then
	echo "matrix: the guest did not finish the matrix (run-guest exit $status); last lines:" >&2
	tail -n 15 "$out" >&2
	exit 1
fi
tr -d '\r' < "$out" | sed -n '/^<!-- matrix -->$/,/^<!-- end matrix -->$/p' | sed '1d;$d'
grep '^run-guest:' "$out" >&2 || true
