#!/bin/sh
# patched.sh - the guest tests on ringledger's patched kernel:
#   tests/vm/run-guest.sh -k "$(kernel/build-kernel.sh)" -t 900 -- sh /tests/patched.sh
# Prints one TAP line per check.
#
# 1. The kernel: BTF, every attach point ringledger plans, the fault knobs
#    (all off), /dev/rl_bufpin.
# 2. Knobs off: every workload of suite.sh's clean list is clean, and so are
#    the buffer-ring pinning workloads; a pinned ring refuses to unregister
#    (-EBUSY) and a pin left behind is dropped when the device closes.
# 3. Each knob on, one at a time: the workload shows the bug's ground truth
#    and `ringledger check` reports exactly the expected finding ids.  An id
#    the ledger does not implement yet (features: "no") is not asserted; its
#    ground truth is, and the test says so with a "# RLxxx not implemented"
#    line.
. /tests/lib.sh
. /tests/knobs.sh

echo "# kernel $(uname -r)"
ringledger features > "$FEATURES" 2>&1
features_rc=$?

# ---- 1. the kernel ---------------------------------------------------------
if [ "$features_rc" = 0 ]; then t_ok "features: every implemented finding available"; else
	t_fail "features: every implemented finding available" "exit $features_rc" "$FEATURES"; fi
t_grep "features: BTF of the running kernel" '^btf +/sys/kernel/btf/vmlinux' "$FEATURES"
t_grep "features: fentry/fexit trampolines" '^trampolines +yes' "$FEATURES"
t_grep "features: kprobes" '^kprobes +yes' "$FEATURES"
# (the stand-ins of older kernels are off here: "not needed")
grep -v ' not needed: ' "$FEATURES" > "$FEATURES.own"
t_nogrep "features: no hook absent" '^[a-z-]+ +absent ' "$FEATURES.own"
t_grep "features: regions by fentry" '^region-create +fentry +io_create_region' "$FEATURES"
t_run "features --attach=kprobe" 0 ringledger features --attach=kprobe
for sym in io_uring_cmd_buf_ring_pin io_uring_cmd_buf_ring_unpin io_kbuf_ring_pin io_kbuf_ring_unpin; do
	if grep -q -E " [tT] $sym\$" /proc/kallsyms && grep -q -x "$sym" /sys/kernel/tracing/available_filter_functions; then
		t_ok "pin API: $sym is a traceable symbol"
	else
		t_fail "pin API: $sym is a traceable symbol" "not in kallsyms or available_filter_functions"
	fi
done

missing=""
for k in $KNOB_NAMES; do
	[ "$(cat "$RL_FAULTS/$k" 2>/dev/null)" = 0 ] || missing="$missing $k"
done
if [ -z "$missing" ]; then t_ok "rl_faults: every knob present and off"; else
	t_fail "rl_faults: every knob present and off" "missing or on:$missing"; fi
if echo 2 > "$RL_FAULTS/mmap_noref" 2>/dev/null; then
	t_fail "rl_faults: a knob takes only 0 or 1" "writing 2 succeeded"; knob_set mmap_noref 0
else t_ok "rl_faults: a knob takes only 0 or 1"; fi
if [ -c /dev/rl_bufpin ]; then t_ok "/dev/rl_bufpin exists"; else
	t_fail "/dev/rl_bufpin exists" "no such character device"; fi
knobs_all_off

# ---- 2. knobs off ------------------------------------------------------------
for w in $CLEAN_WORKLOADS; do
	expect_clean "$w" /workloads/$w
done
/workloads/ring_resize > /tmp/resize.out 2>&1
if [ $? = 77 ]; then t_ok "ring_resize: skipped, $(grep SKIP /tmp/resize.out)"; else
	expect_clean ring_resize /workloads/ring_resize; fi
expect_clean "pbuf_mmap, two pages (compound)" /workloads/pbuf_mmap 512
expect_clean "pbuf_mmap nowrite" /workloads/pbuf_mmap 8 nowrite
expect_clean "process tree in a new PID namespace" unshare -p -f /workloads/ring_fork_mapped
expect_clean "pbuf_mmap, upper half unmapped first (vma split)" /workloads/pbuf_mmap 512 split-high
expect_clean "BPF arena mmap that fits its window" /workloads/arena_mmap fits
expect_clean "BPF arena mmap rounded up to 4 GiB" /workloads/arena_mmap crosses
p0=$(pins_held)
expect_clean "fixed_buffers anon" /workloads/fixed_buffers anon
p1=$(pins_held)
if [ "$p1" = "$p0" ]; then t_ok "fixed_buffers anon: every GUP pin dropped"; else
	t_fail "fixed_buffers anon: every GUP pin dropped" "$((p1 - p0)) pins left held"; fi

# seed 001: a pinned buffer ring cannot be unregistered
t_run "bufpin" 0 /workloads/bufpin
t_grep "bufpin: pin res=0" '^GT bufpin_cmd op=pin bgid=1 res=0$'
t_grep "bufpin: unregister of a pinned ring: -EBUSY" '^GT pinned_unregister bgid=1 ret=-16 refused$'
t_grep "bufpin: a second pin: -EALREADY" '^GT bufpin_cmd op=pin bgid=1 res=-114$'
t_grep "bufpin: pin of a group with no ring: -EINVAL" '^GT bufpin_cmd op=pin bgid=2 res=-22$'
t_grep "bufpin: unpin res=0" '^GT bufpin_cmd op=unpin bgid=1 res=0$'
t_grep "bufpin: unregister once unpinned: 0" '^GT pbuf_unregister bgid=1 ret=0 \(unpinned\)$'
dmesg -c > /dev/null 2>&1
t_run "bufpin leave-pinned" 0 /workloads/bufpin leave-pinned
t_grep "bufpin leave-pinned: exits while pinned" '^GT exit pinned=1'
sleep 1
dmesg > /tmp/dmesg.out 2>&1
t_grep "bufpin leave-pinned: the device unpinned on release" 'rl_bufpin: unpinned buffer group 1 on release: 0' /tmp/dmesg.out
expect_clean "bufpin" /workloads/bufpin
expect_clean "bufpin leave-pinned" /workloads/bufpin leave-pinned

# ---- 3. each knob on ------------------------------------------------------------
while IFS='|' read -r knob expected workload; do
	label="$knob, $(echo "$workload" | sed 's|/workloads/||')"
	[ "$knob" = - ] && label="no knob (stock behaviour), $(echo "$workload" | sed 's|/workloads/||')"
	# shellcheck disable=SC2086
	knob_run "$knob" $workload
	if knob_truth "$knob"; then t_ok "$label: ground truth: $truth"; else
		t_fail "$label: ground truth" "not seen; saw: ${truth:-nothing}" "$KOUT"; fi
	split_expected "$expected"
	got=$(report_id_set "$KJ")
	if [ -n "$want" ]; then
		if [ "$rc" = 1 ] && [ "$got" = "$want" ]; then
			t_ok "$label: reports $want and nothing else ($(report_ids "$KJ"))"
		else
			t_fail "$label: reports $want and nothing else" "exit $rc, ids: ${got:-none}" "$KOUT"
		fi
	else
		# nothing the ledger can report: it must not invent something else
		if [ -z "$got" ] && [ "$rc" = 0 ]; then
			t_ok "$label: no other finding"
		else
			t_fail "$label: no other finding" "exit $rc, ids: ${got:-none}" "$KOUT"
		fi
	fi
	if [ "$knob" = mmap_noref ] && finding_implemented RL001; then
		# the page the ledger saw freed is the one the workload mapped
		gt=" $(gt_pfns "$KOUT" | tr '\n' ' ') " seen=$(report_pfns "$KJ" RL001 | tr '\n' ' ')
		bad=""
		for p in $seen; do case $gt in *" $p "*) ;; *) bad="$bad $p" ;; esac; done
		if [ -n "$seen" ] && [ -z "$bad" ]; then t_ok "$label: RL001 names the mapped pfn ($seen)"; else
			t_fail "$label: RL001 names the mapped pfn" "RL001 pfns: ${seen:-none}; workload's:$gt" "$KOUT"; fi
	fi
	for id in $not_yet; do echo "# $id not implemented in the ledger yet"; done
	if [ -z "$kmsg" ]; then t_ok "$label: no kernel complaint"; else
		t_fail "$label: no kernel complaint" "$kmsg"; fi
done <<EOF
$KNOB_ROWS
EOF

# after all that, the knobs are off again and the kernel still works
knobs_all_off
expect_clean "after the knobs: pbuf_mmap" /workloads/pbuf_mmap
expect_clean "after the knobs: ring_fork_mapped" /workloads/ring_fork_mapped

t_done
