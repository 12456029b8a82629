#!/bin/sh
# bench.sh - overhead figures, run in the guest by tests/vm/bench.sh
# (`make bench`): each workload alone, under `ringledger check` and under
# `ringledger stat`, alternating, ROUNDS times, in one boot; the medians of
# the workload's own timing (tool start-up not included) and the throughput
# under each tool as a fraction of the throughput without.  Asserts nothing
# about time: guest figures come from software emulation (TCG), and only
# the ratios mean anything.
#   nop       uring_bench nop: NOPs, 32 per io_uring_enter
#   read      uring_bench read: 4 KiB READ_FIXED, registered buffers and file
#   churn     uring_bench churn: ring lifecycles with a buffer ring
#   page      page_churn: anonymous mmap + touch + munmap, no io_uring (every
#             page free passes the page-free program under check)
#   pin64     fixed_buffers bench: 64 MiB registered and unregistered
# usage: bench.sh [ROUNDS] [WORKLOAD...]   (default 3, all)
. "$(dirname "$0")/bench-lib.sh"
ROUNDS=${1:-3}
[ $# -gt 0 ] && shift
WORKLOADS=${*:-nop read churn page pin64}

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.3f\", $1 / $2; else print \"-\" }"; }

bench_setup

echo "# bench: $(uname -r), $(nproc) vCPUs, $ROUNDS rounds, medians; throughput under the tool / without"
for w in $WORKLOADS; do
	c=$(bench_cmd "$w")
	[ -n "$c" ] || { echo "# bench: unknown workload $w"; continue; }
	$c > /dev/null 2>&1	# warm up
	: > /tmp/b.none; : > /tmp/b.check; : > /tmp/b.stat
	r=0; bad=""
	while [ $r -lt "$ROUNDS" ]; do
		$c > /tmp/b.out 2>&1 && bench_secs /tmp/b.out >> /tmp/b.none
		ringledger check --settle 5 -- $c > /tmp/b.out 2>&1
		rc=$?
		bench_secs /tmp/b.out >> /tmp/b.check
		[ $rc = 0 ] || bad="$bad check:$rc"
		ringledger stat -q --settle 5 -- $c > /tmp/b.out 2>&1
		rc=$?
		bench_secs /tmp/b.out >> /tmp/b.stat
		[ $rc = 0 ] || bad="$bad stat:$rc"
		r=$((r + 1))
	done
	wo=$(median < /tmp/b.none); wc=$(median < /tmp/b.check); ws=$(median < /tmp/b.stat)
	echo "BENCH $w without=${wo}s check=${wc}s stat=${ws}s check_ratio=$(ratio "$wo" "$wc") stat_ratio=$(ratio "$wo" "$ws")${bad:+ (exit codes:$bad)} [$c]"
done
