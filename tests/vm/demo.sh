#!/bin/sh
# demo.sh - `make demo`: boot the newest Debian 7.x cloud kernel under QEMU and
# run `ringledger check` over a workload that maps its rings, forks and exits.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
echo "demo: fetching the newest Debian 7.x cloud kernel (cached in ${RL_CACHE_DIR:-/var/cache/ringledger})"
kdir=$(kernel/fetch-kernel.sh 7)
echo "demo: booting $(cat "$kdir/version") under QEMU; in the guest: ringledger check -v -- /workloads/ring_basic,"
echo "      then ringledger check -- /workloads/mmap_too_large (the stock kernel accepts an mmap larger than its region: RL006)"
start=$(date +%s.%N)
status=0
# the guest's console is a terminal, whatever ours is: colour only if ours is
color=never
[ -t 1 ] && color=auto
sh tests/vm/run-guest.sh -k "$kdir" -- env RL_DEMO_COLOR=$color sh -c 'ringledger features | head -n 4; echo; ringledger check --color=$RL_DEMO_COLOR -v -- /workloads/ring_basic; echo "ringledger check exit: $?"; echo; ringledger check --color=$RL_DEMO_COLOR -- /workloads/mmap_too_large; echo "ringledger check exit: $?"' || status=$?
end=$(date +%s.%N)
echo "demo: cold guest run (boot, check, power-off): $(awk "BEGIN{printf \"%.1f\", $end - $start}") s"
exit $status
