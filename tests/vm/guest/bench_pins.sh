#!/bin/sh
# bench_pins.sh - overhead of the pin ledger, run in the guest:
#   tests/vm/run-guest.sh -k 7 -m 3072 -t 1800 -- sh /tests/bench_pins.sh [N] [ROUNDS] [thp]
# `fixed_buffers bench N` registers and unregisters one 64 MiB anonymous
# buffer N times (16384 single-page GUP pins and unpins each time, every one
# of them seen by the pin, unpin and release programs); with "thp" the
# buffer may use transparent huge pages (the registration then coalesces
# each 2 MiB folio to one pin).  It runs alone and under `ringledger check`,
# ROUNDS times each, and the medians are compared.
# Prints the ratio (with the tool / without); asserts nothing about time.
# Where the time goes (Debian 7.3.4, TCG, 20 iterations, one boot, medians;
# variants built for the measurement only): without 0.12 s; every program
# returning at once 0.25 s (the 327,680 fentry trampolines of
# unpin_user_folio alone: about 380 ns a call, as much as the kernel's own
# unpin); the pin walk adds 0.06 s, the unpin programs' bodies 0.04 s and
# the ledger in user space 0.035 s (both vCPUs share one host thread, so
# the reader's CPU is the benchmark's wall time).  Seeing each unpin of the
# release is what finds a double unpin (RL009), so the trampolines stay.
N=${1:-20}
ROUNDS=${2:-3}
THP=${3:-}

secs() { sed -n 's/^GT bench fixed_buffers .*seconds=\([0-9.]*\).*/\1/p' "$1" | tail -n 1; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

/workloads/fixed_buffers bench 2 $THP > /dev/null	# warm up
: > /tmp/pins_without; : > /tmp/pins_with
r=0
while [ $r -lt "$ROUNDS" ]; do
	/workloads/fixed_buffers bench "$N" $THP > /tmp/pb.out && secs /tmp/pb.out >> /tmp/pins_without
	ringledger check --settle 5 -- /workloads/fixed_buffers bench "$N" $THP > /tmp/pb.out 2>&1
	rc=$?
	secs /tmp/pb.out >> /tmp/pins_with
	if [ $rc != 0 ]; then
		echo "# round $r: ringledger check exited $rc (the figure still counts):"
		grep -E '^(RL0|  (pins|lost|findings|verdict))' /tmp/pb.out | sed 's/^/#   /' | head -n 6
	fi
	r=$((r + 1))
done
wo=$(median < /tmp/pins_without); wi=$(median < /tmp/pins_with)
if [ -z "$wo" ] || [ -z "$wi" ]; then
	echo "BENCH fixed_buffers: no figure (without='$wo' with='$wi')"
	exit 1
fi
echo "BENCH fixed_buffers mib=64${THP:+ thp} iterations=$N rounds=$ROUNDS without=${wo}s with=${wi}s ratio=$(awk "BEGIN{printf \"%.3f\", $wi / $wo}") (median; $(uname -r))"
