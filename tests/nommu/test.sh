#!/bin/sh
# test.sh - make nommu-test: seed 000 on its own ground, a riscv64 kernel
# without MMU (Debian's linux-source-7.3, kernel/build-kernel.sh nommu and
# nommu-prefix), booted in qemu-system-riscv64 by tests/nommu/run-guest.sh.
#
# What it establishes, on both kernels:
#   - the fixed kernel (7.3 as Debian ships it) runs seed000 to "GT done":
#     A's pages outlive the unregister until munmap, B's ring gets others;
#   - the pre-fix kernel (the fix reverted) frees A's pages under A's
#     mapping: B's mapping lands on them and mm/nommu.c's
#     add_nommu_region() BUG()s on the duplicate vm_start;
#   - the ledger and its rules (plain C, built with Debian's riscv64 musl)
#     replay every stream of tests/replays/ in the guest to the very bytes
#     the same source built for this host prints;
#   - the transport: a queue map read by syscalls works; a ring buffer map
#     (the MMU build's transport) does not: its creation takes the kernel
#     down (vmap() is BUG() without an MMU), or, on a kernel that refuses
#     it, the create or the shared mapping fails.  A kernel where it maps
#     fails this check: the NOMMU build's choice would then be stale.
# Each check is a TAP line of tests/vm/guest/lib.sh; exit 1 when one failed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/vm/guest/lib.sh
logdir=build/test-logs/nommu
mkdir -p "$logdir"

# kernel FLAVOR: kernel/build-kernel.sh FLAVOR (cached: at once), one check;
# sets $kd to its directory, or to "" when it failed
kernel() {
	start=$(date +%s)
	if kd=$(kernel/build-kernel.sh "$1" 2> "$logdir/build-$1.log"); then
		t_ok "kernel/build-kernel.sh $1: $(cat "$kd/version") ($(( $(date +%s) - start )) s)"
	else
		kd=""
		tail -n 8 "$logdir/build-$1.log" > "$logdir/build-$1.tail"
		t_fail "kernel/build-kernel.sh $1" "failed; the end of its log:" "$logdir/build-$1.tail"
	fi
}
kernel nommu
k_fixed=$kd
kernel nommu-prefix
k_prefix=$kd

# guest TAG KDIR [-x DIR] CMD...: run it, console in $logdir/TAG.log (the
# runner's own lines in TAG.err), status in $st
guest() {
	tag=$1 kd=$2 x=""
	shift 2
	[ "$1" = -x ] && { x="-x $2"; shift 2; }
	# shellcheck disable=SC2086
	sh tests/nommu/run-guest.sh -k "$kd" -t 60 $x -- "$@" > "$logdir/$tag.log" 2> "$logdir/$tag.err"
	st=$?
	cat "$logdir/$tag.err" >> "$logdir/$tag.log"
}

if [ -n "$k_fixed" ]; then
	guest queue "$k_fixed" /probe queue
	if [ $st = 0 ] && grep -q '^GT queue push=0 pop=0 value=0x5eed000$' "$logdir/queue.log"; then
		t_ok "fixed kernel: a queue map pushed and popped by syscalls alone"
	else
		t_fail "fixed kernel: a queue map pushed and popped by syscalls alone" "exit $st; the console:" "$logdir/queue.log"
	fi

	guest ringbuf "$k_fixed" /probe ringbuf
	if grep -q 'kernel BUG at mm/nommu.c' "$logdir/ringbuf.log" && grep -q 'ringbuf_map_alloc' "$logdir/ringbuf.log"; then
		t_ok "fixed kernel: creating a ring buffer map BUG()s in vmap() (ringbuf_map_alloc): the NOMMU build must not use one"
	elif grep -q -e '^GT ringbuf_create ret=-' -e '^GT ringbuf_mmap_shared ret=-' "$logdir/ringbuf.log"; then
		t_ok "fixed kernel: the ring buffer map is refused: $(grep -m 1 '^GT ringbuf_[a-z_]* ret=-' "$logdir/ringbuf.log")"
	else
		t_fail "fixed kernel: no ring buffer map without an MMU" "one was created and mapped shared: the NOMMU transport choice is stale; the console:" "$logdir/ringbuf.log"
	fi

	guest ledger "$k_fixed" -x tests/replays /ledger_replay /extra
	build/nommu-host/ledger_replay tests/replays > "$logdir/ledger-host.out" 2>&1
	sed -e '/^INIT status=/d' -e '/reboot: Power down$/d' -e '/^nommu run-guest:/d' "$logdir/ledger.log" > "$logdir/ledger-guest.out"
	n=$(sed -n 's/^== \([0-9]*\) streams$/\1/p' "$logdir/ledger-host.out")
	if [ $st = 0 ] && [ "${n:-0}" -gt 0 ] && cmp -s "$logdir/ledger-host.out" "$logdir/ledger-guest.out"; then
		t_ok "fixed kernel: the ledger and its rules (musl, static PIE) replay $n streams to the host's very bytes ($(grep -c '^RL0[0-9][0-9] ' "$logdir/ledger-host.out") findings)"
	else
		diff "$logdir/ledger-host.out" "$logdir/ledger-guest.out" > "$logdir/ledger.diff" 2>&1
		t_fail "fixed kernel: the ledger's replay in the guest is the host's" "exit $st, $n streams; host vs guest:" "$logdir/ledger.diff"
	fi

	guest seed000-fixed "$k_fixed" /seed000
	if [ $st = 0 ] && grep -q '^GT done$' "$logdir/seed000-fixed.log" && ! grep -q '^GT alias' "$logdir/seed000-fixed.log"; then
		t_ok "fixed kernel: seed000 survives: A's pages live until munmap, B maps others"
	else
		t_fail "fixed kernel: seed000 survives" "exit $st; the console:" "$logdir/seed000-fixed.log"
	fi
fi

if [ -n "$k_prefix" ]; then
	guest seed000-prefix "$k_prefix" /seed000
	bug=$(grep -m 1 -o 'kernel BUG at mm/nommu.c:[0-9]*' "$logdir/seed000-prefix.log" || true)
	if [ -n "$bug" ] && grep -q 'add_nommu_region' "$logdir/seed000-prefix.log" && ! grep -q '^GT done$' "$logdir/seed000-prefix.log"; then
		t_ok "pre-fix kernel: seed000 frees A's pages under its mapping; B's mmap lands on them: $bug in add_nommu_region"
	else
		t_fail "pre-fix kernel: seed 000's bug shows" "exit $st, no BUG in add_nommu_region; the console:" "$logdir/seed000-prefix.log"
	fi
fi
t_done
