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
#   - every attach point of ringledger's NOMMU programs (bpf/nommu.bpf.c)
#     is in the kernel by its exact name;
#   - ringledger check -- seed000 (build/nommu/ringledger): clean on the
#     fixed kernel; on the pre-fix kernel RL002 at the unregister and RL001
#     at the free, with their stacks and the verdict so far, on the console
#     before the kernel dies (or the whole report, exit 1, if it does not);
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

	# every attach point of ringledger's NOMMU programs is in this kernel,
	# by its exact name (a static function the compiler renamed, such as
	# delete_vma.constprop.0, has no kprobe by its plain name)
	missing=""
	for sec in $(riscv64-linux-gnu-readelf -SW build/nommu/nommu.bpf.o 2>/dev/null |
		     sed -n 's/^ *\[ *[0-9]*\] \(k[a-z]*probe\/[^ ]*\|raw_tp\/[^ ]*\|tracepoint\/[^ ]*\) .*/\1/p'); do
		name=${sec#*/}
		case $sec in
		k*probe/*) grep -q " [tT] $name\$" "$k_fixed/System.map" || missing="$missing $sec" ;;
		*) grep -q " __tracepoint_${name##*/}\$" "$k_fixed/System.map" || missing="$missing $sec" ;;
		esac
		n_hooks=$(( ${n_hooks:-0} + 1 ))
	done
	if [ "${n_hooks:-0}" -gt 0 ] && [ -z "$missing" ]; then
		t_ok "fixed kernel: all ${n_hooks} attach points of bpf/nommu.bpf.c exist by name (System.map)"
	else
		echo "missing:$missing (of ${n_hooks:-0})" > "$logdir/hooks.txt"
		t_fail "fixed kernel: every attach point of bpf/nommu.bpf.c exists" "" "$logdir/hooks.txt"
	fi

	# a bad option and a command that cannot run: exit 3, one line each
	guest usage "$k_fixed" /ringledger check --settle x /seed000
	st_usage=$st
	guest norun "$k_fixed" /ringledger check /no-such-command
	if [ $st_usage = 3 ] && grep -q "^ringledger: --settle takes seconds between 0 and 3600, not 'x'$" "$logdir/usage.log" &&
	   [ $st = 3 ] && grep -q '^ringledger: cannot run /no-such-command: No such file or directory$' "$logdir/norun.log"; then
		t_ok "fixed kernel: ringledger check refuses a bad --settle and a command that cannot run (exit 3, one line)"
	else
		cat "$logdir/usage.log" "$logdir/norun.log" > "$logdir/usage-both.log"
		t_fail "fixed kernel: ringledger check's usage errors" "exit $st_usage and $st; the consoles:" "$logdir/usage-both.log"
	fi

	# ringledger itself: the same workload is clean where the kernel is
	guest check-fixed "$k_fixed" /ringledger check /seed000 1000
	if [ $st = 0 ] && grep -q '^  verdict    clean$' "$logdir/check-fixed.log" &&
	   grep -q '^  findings   none$' "$logdir/check-fixed.log" && grep -q '^  lost       0 events$' "$logdir/check-fixed.log" &&
	   grep -q '^  mappings   2 mmaps, 2 vmas removed$' "$logdir/check-fixed.log" && grep -q '^GT done$' "$logdir/check-fixed.log"; then
		t_ok "fixed kernel: ringledger check -- seed000: clean, exit 0 ($(sed -n 's/^  events     //p' "$logdir/check-fixed.log") events, 0 lost, $(sed -n 's/^  pages      //p' "$logdir/check-fixed.log"))"
	else
		t_fail "fixed kernel: ringledger check -- seed000 is clean" "exit $st; the console:" "$logdir/check-fixed.log"
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

	# ringledger catches it: RL002 at the unregister (io_free_region
	# reads refcount 1 where io_uring's and the mapping's make 2), RL001
	# when release_pages frees the page under the mapping, each with its
	# stack, and the verdict so far, all on the console before the kernel
	# dies (seed000 sleeps 1 s after the unregister: on one CPU the reader
	# needs the time).  What kills the kernel then varies: B's mmap on A's
	# page (BUG at mm/nommu.c:490), or seed000's write through the stale
	# mapping into memory the kernel reused (an Oops), or nothing yet.
	guest check-prefix "$k_prefix" /ringledger check /seed000 1000
	l=$logdir/check-prefix.log
	at() { grep -n -m 1 -e "$1" "$l" | cut -d: -f1; }
	rl002=$(at '^RL002 violation') rl001=$(at '^RL001 violation')
	sofar=$(at '^ringledger: verdict so far: findings: RL001 x1 RL002 x1')
	death=$(grep -n -m 1 -e 'kernel BUG at' -e 'Oops' -e 'Kernel panic' "$l" | cut -d: -f1)
	st002=$(sed -n "${rl002:-1},\$p" "$l" | sed -n '/stack of the breaking event/,/meaning/p' | sed -n '2,3p' | tr -d '\n')
	st001=$(sed -n "${rl001:-1},\$p" "$l" | sed -n '/stack of the breaking event/,/meaning/p' | grep -c -e 'release_pages' -e 'io_free_region' -e 'io_unregister_pbuf_ring')
	if [ -n "$rl002" ] && [ -n "$rl001" ] && [ -n "$sofar" ] && [ "$rl002" -lt "$rl001" ] &&
	   [ "$rl001" -lt "$sofar" ] &&
	   { { [ -n "$death" ] && [ "$sofar" -lt "$death" ]; } ||
	     { [ -z "$death" ] && [ $st = 1 ] && grep -q '^  verdict    findings$' "$l"; }; } &&
	   echo "$st002" | grep -q 'io_free_region.*io_unregister_pbuf_ring' && [ "$st001" -ge 3 ] &&
	   grep -q 'at io_free_region: .* has refcount 1, expected 2 = 1 (io_uring) + 1 mapped page' "$l"; then
		if [ -n "$death" ]; then
			end="then the kernel died: $(sed -n "${death}p" "$l" | sed 's/^\[[^]]*\] //')"
		else
			end="the kernel survived the run (exit $st)"
		fi
		t_ok "pre-fix kernel: ringledger check -- seed000: RL002 at the unregister, RL001 at the free, stacks and verdict on the console (line $sofar); $end"
	else
		t_fail "pre-fix kernel: ringledger catches seed 000's bug before the kernel dies" "RL002 at line ${rl002:-none}, RL001 at ${rl001:-none}, verdict so far at ${sofar:-none}, death at ${death:-none}; the console:" "$l"
	fi
fi
t_done
