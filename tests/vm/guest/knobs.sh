# knobs.sh - the fault knobs of ringledger's patched kernel (kernel/patches/
# 0003-*): which workload shows each one, which findings it must bring, and
# the ground truth the workload or the kernel gives.  Sourced (busybox sh) by
# patched.sh and matrix.sh; expects `ringledger features` output in
# $FEATURES.
RL_FAULTS=/sys/kernel/debug/rl_faults
FEATURES=${FEATURES:-/tmp/features.out}
KJ=/tmp/k.json		# the report of the last knob_run
KOUT=/tmp/k.out		# its output: the workload's GT lines, then the report

# One row per bug class: KNOB|EXPECTED FINDING IDS|WORKLOAD ARGS.
# KNOB "-" needs no knob: the stock kernel's own behaviour (RL006).
# mmap_noref runs twice: a one-page ring, and a two-page one (a compound
# page: SINGLE_REF region, one order-1 free).
KNOB_ROWS='mmap_noref|RL001 RL002|/workloads/pbuf_mmap 8 nowrite
mmap_noref|RL001 RL002|/workloads/pbuf_mmap 512 nowrite
pbuf_unregister_pinned|RL005|/workloads/bufpin
fixed_buf_no_unpin|RL004|/workloads/fixed_buffers anon
fixed_buf_double_unpin|RL009|/workloads/fixed_buffers anon
region_leak|RL003|/workloads/pbuf_mmap
unmapped_area_misalign|RL008|/workloads/ring_basic
arena_window_escape|RL008|/workloads/arena_mmap fits
-|RL006|/workloads/mmap_too_large'

KNOB_NAMES="mmap_noref pbuf_unregister_pinned fixed_buf_no_unpin region_leak unmapped_area_misalign
arena_window_escape fixed_buf_double_unpin"

knob_set() {	# knob 0|1
	echo "$2" > "$RL_FAULTS/$1"
}

knobs_all_off() {
	for k in $KNOB_NAMES; do
		[ -e "$RL_FAULTS/$k" ] && echo 0 > "$RL_FAULTS/$k"
	done
}

# GUP pins held system-wide: pins taken minus pins dropped (/proc/vmstat),
# after folding every CPU's pending counts into them (vm.stat_refresh):
# without it the two counters can each lag by a per-CPU batch
pins_held() {
	echo 1 > /proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired /{a=$2} /^nr_foll_pin_released /{r=$2} END{print a - r}' /proc/vmstat
}

# does the ledger implement this finding on this kernel?
finding_implemented() {	# RLxxx
	grep -q -E "^$1 +yes" "$FEATURES"
}

# the finding ids of a JSON report, sorted, one line, space separated
report_ids() {	# json
	grep -o -E '"id": *"RL[0-9]+"' "$1" 2>/dev/null | grep -o -E 'RL[0-9]+' | sort | tr '\n' ' ' | sed 's/ $//'
}

# the ids of a report, each once: "RL001 RL002"
report_id_set() {	# json
	report_ids "$1" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# how many findings of one id a report holds
report_count() {	# json id
	grep -o -E "\"id\": *\"$2\"" "$1" 2>/dev/null | wc -l | tr -d ' '
}

# the pfns the findings of one id name ("0x8154"), one per line
report_pfns() {	# json id
	grep -E "\"id\": *\"$2\"" "$1" 2>/dev/null | grep -o -E '"pfn": *"0x[0-9a-f]+"' | grep -o -E '0x[0-9a-f]+'
}

# the pfns a workload printed as ground truth (GT ... pfn=0x..), one per line
gt_pfns() {	# output
	grep -E '^GT .* pfn=0x[0-9a-f]+' "$1" | grep -o -E 'pfn=0x[0-9a-f]+' | cut -d= -f2
}

# the expected ids the ledger implements here (sets $want) and those it
# does not yet (sets $not_yet)
split_expected() {	# "RL001 RL002"
	want="" not_yet=""
	for id in $1; do
		if finding_implemented "$id"; then want="$want $id"; else not_yet="$not_yet $id"; fi
	done
	want=$(echo $want | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
	not_yet=$(echo $not_yet)
}

# knob_run KNOB WORKLOAD ARGS...: the workload under `ringledger check` with
# the knob on (off again afterwards, whatever happens).  Sets $rc (the
# check's exit status), $pins (GUP pins the run left held), $kmsg (kernel
# log lines that say something went wrong); report in $KJ, output in $KOUT.
# The report keeps raw addresses: its pfns are compared with the workload's
# ground truth (/proc/self/pagemap).
knob_run() {
	kr_knob=$1; shift
	dmesg -c > /dev/null 2>&1
	rm -f "$KJ"
	kr_p0=$(pins_held)
	[ "$kr_knob" = - ] || knob_set "$kr_knob" 1
	ringledger check --raw-addresses --json "$KJ" --settle 20 -- "$@" < /dev/null > "$KOUT" 2>&1
	rc=$?
	[ "$kr_knob" = - ] || knob_set "$kr_knob" 0
	pins=$(( $(pins_held) - kr_p0 ))
	kmsg=$(dmesg | grep -E 'BUG:|Bad page|WARNING:|Oops|refcount_t|underflow|rss-counter' | head -n 3)
}

# knob_truth KNOB: the ground truth of the last knob_run, from the
# workload's GT lines and the kernel; 0 if the bug really happened.
# Sets $truth to one line saying what was seen.
knob_truth() {
	case $1 in
	mmap_noref)
		# the ring was unregistered while mapped; with no reference held
		# by the VMA its page went back to the allocator (the workload
		# did not touch it again: "nowrite")
		truth="$(grep -o -E 'pbuf_unregister bgid=1 ret=-?[0-9]+' "$KOUT") while mapped, ring pfns $(gt_pfns "$KOUT" | tr '\n' ' ')"
		grep -q 'GT pbuf_unregister bgid=1 ret=0 (still mapped)' "$KOUT" &&
			grep -q 'GT no_write_after_unregister' "$KOUT" && grep -q 'GT done' "$KOUT" ;;
	pbuf_unregister_pinned)
		truth=$(grep -o -E 'pinned_unregister bgid=1 ret=-?[0-9]+ [A-Za-z]+' "$KOUT")
		grep -q 'GT pinned_unregister bgid=1 ret=0 ALLOWED' "$KOUT" ;;
	fixed_buf_no_unpin)
		truth="GUP pins left held after the run: $pins ($(grep -o -E 'unregister_buffers fd=[0-9]+ ret=-?[0-9]+' "$KOUT" | head -n 1))"
		[ "$pins" -gt 0 ] && grep -q -E 'GT unregister_buffers fd=[0-9]+ ret=0' "$KOUT" ;;
	fixed_buf_double_unpin)
		# every pin dropped twice, the second ones taken behind
		# io_pin_pages' back: GUP's own counts balance
		truth="$(dmesg | grep -o -E 'fixed_buf_double_unpin: [0-9]+ page\(s\) pinned a second time' | head -n 1), GUP pins left held after the run: $pins"
		[ "$pins" = 0 ] && dmesg | grep -q 'pinned a second time' &&
			grep -q -E 'GT unregister_buffers fd=[0-9]+ ret=0' "$KOUT" ;;
	region_leak)
		truth=$(grep -o -E 'pbuf_unregister bgid=1 ret=-?[0-9]+|write_after_unregister .*mismatches=[0-9]+' "$KOUT" | tr '\n' ' ')
		grep -q 'GT pbuf_unregister bgid=1 ret=0 (still mapped)' "$KOUT" &&
			grep -q 'mismatches=0' "$KOUT" && grep -q 'GT done' "$KOUT" ;;
	unmapped_area_misalign)
		truth=$(grep -o -E 'mmap sq .*' "$KOUT" | head -n 1)
		grep -q -E 'ring_basic: mmap sq .*: Invalid argument' "$KOUT" ;;
	arena_window_escape)
		# the arena landed outside the window its get_unmapped_area
		# reserved, on the workload's guard page, which it replaced
		truth=$(grep -o -E 'hint=0x[0-9a-f]+ len=[0-9]+ addr=0x[0-9a-f]+ .*' "$KOUT" | head -n 1)
		grep -q -E '^GT arena_mmap .* in_window=0 .* guard_intact=0' "$KOUT" ;;
	-)
		truth=$(grep -o -E 'mmap_oversize ret=-?[0-9]+ kind=[a-z]+' "$KOUT" | tr '\n' ' ')
		grep -q 'GT mmap_oversize ret=0' "$KOUT" ;;
	*)
		truth="unknown knob $1"; false ;;
	esac
}
