#!/bin/sh
# bench.sh - `make bench`: the guest overhead figures on the newest 7.x kernel
# (tests/vm/guest/bench.sh [ROUNDS] [WORKLOAD...]: nop read churn page pin64).
# The figures are printed, never asserted: TCG timing is noisy.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
sh "$top/tests/vm/run-guest.sh" -k "${RL_BENCH_KERNEL:-7}" -m 3072 -t 1800 -- sh /tests/bench.sh "$@"
