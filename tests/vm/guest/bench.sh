#!/bin/sh
# bench.sh - overhead figures, run in the guest by tests/vm/bench.sh.
# Prints ratios (with the tool / without); asserts nothing about time.
#   page churn: anonymous mmap + touch + munmap of MIB in a loop, every page
#   free passes through the mm_page_free program (one map lookup).
MIB=${1:-1024}
LOOPS=${2:-4}
ROUNDS=${3:-3}

secs() { sed -n 's/^GT churn .*seconds=\([0-9.]*\).*/\1/p' "$1" | tail -n 1; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

/workloads/page_churn "$MIB" 1 > /dev/null	# warm up
: > /tmp/without; : > /tmp/with
r=0
while [ $r -lt "$ROUNDS" ]; do
	/workloads/page_churn "$MIB" "$LOOPS" > /tmp/b.out && secs /tmp/b.out >> /tmp/without
	ringledger check --settle 1 -- /workloads/page_churn "$MIB" "$LOOPS" > /tmp/b.out 2>&1 && secs /tmp/b.out >> /tmp/with
	r=$((r + 1))
done
wo=$(median < /tmp/without); wi=$(median < /tmp/with)
echo "BENCH page_churn mib=$MIB loops=$LOOPS rounds=$ROUNDS without=${wo}s with=${wi}s ratio=$(awk "BEGIN{printf \"%.3f\", $wi / $wo}") (median; $(uname -r))"
