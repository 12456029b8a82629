# lib.sh - assertions for the guest and host test scripts (busybox sh).
# Each check prints one TAP line: "ok N - name" or "not ok N - name", and on
# failure what was expected and what was seen, indented with '#'.
T_N=0
T_FAILED=0

# The workloads that must be clean on every kernel that runs them, stock or
# patched with its knobs off (suite.sh, patched.sh).
CLEAN_WORKLOADS="ring_basic ring_single_mmap ring_unmap_after_close ring_exit_mapped
ring_fork_mapped ring_exec_mapped pbuf_mmap pbuf_user"

t_ok() {	# name
	T_N=$((T_N + 1)); echo "ok $T_N - $1"
}

t_fail() {	# name why [file-to-show]
	T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	echo "#   $2"
	if [ -n "${3:-}" ] && [ -f "$3" ]; then sed 's/^/#     /' "$3" | head -n 40; fi
}

# t_run NAME EXPECTED_STATUS CMD... : runs CMD with output in $T_OUT
T_OUT=/tmp/t.out
t_run() {
	name=$1; want=$2; shift 2
	"$@" > "$T_OUT" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then t_ok "$name"; else
		t_fail "$name" "expected exit $want, got $got from: $*" "$T_OUT"; fi
}

# check_json CMD...: `ringledger check` of CMD (in the guest) with its JSON
# report in $J; sets $rc, the output in $T_OUT
J=/tmp/report.json
check_json() {
	# RL_CHECK_ARGS: options for every check here (tests/run-tests.sh
	# runs the older 7.x kernels with --attach=fentry: trampolines only,
	# no kprobe pairs, whose attach and detach cost ~4 s a check on TCG)
	ringledger check --json "$J" --settle 20 ${RL_CHECK_ARGS:-} -- "$@" > "$T_OUT" 2>&1
	rc=$?
}

# with_pairs CMD...: CMD (a function of these) with the default attach plan,
# the kprobe pairs beside the trampolines, even where RL_CHECK_ARGS chooses
# trampolines alone (--attach=fentry): for loads whose concurrent teardowns
# make a preempted trampoline skip calls that nothing else would then take
with_pairs() {
	pairs_saved=${RL_CHECK_ARGS:-}
	RL_CHECK_ARGS=
	"$@"
	RL_CHECK_ARGS=$pairs_saved
}

# expect_clean NAME CMD...: CMD must be clean: exit 0, verdict clean (no
# finding, nothing lost); on failure, the finding ids the report holds.  A
# workload that says SKIP (the kernel lacks its feature) is reported so.
expect_clean() {
	name=$1; shift
	check_json "$@"
	if grep -q '^SKIP' "$T_OUT"; then
		# the kernel lacks what the workload needs: say so, never "clean"
		t_ok "$name: skipped, $(grep -m1 '^SKIP' "$T_OUT")"
	elif [ "$rc" = 0 ] && grep -q -E '"verdict": *"clean"' "$J"; then
		t_ok "$name: clean"
	else
		clean_ids=$(grep -o -E '"id": *"RL[0-9]+"' "$J" 2>/dev/null | grep -o -E 'RL[0-9]+' |
			sort | tr '\n' ' ')
		t_fail "$name: clean" "ringledger check exited $rc, ids: ${clean_ids:-none}" "$T_OUT"
		# what each finding said (the report above may be cut short)
		grep -o -E '"detail": *"[^"]*"' "$J" 2>/dev/null | head -n 6 | sed 's/^/#     /' 
	fi
}

# t_grep NAME PATTERN [FILE]: FILE (default $T_OUT) has a line matching PATTERN
t_grep() {
	f=${3:-$T_OUT}
	if grep -q -E -- "$2" "$f"; then t_ok "$1"; else
		t_fail "$1" "no line matches /$2/ in $f" "$f"; fi
}

# t_nogrep NAME PATTERN [FILE]
t_nogrep() {
	f=${3:-$T_OUT}
	if grep -q -E -- "$2" "$f"; then t_fail "$1" "a line matches /$2/ in $f" "$f"; else
		t_ok "$1"; fi
}

# t_lines NAME PATTERN N [FILE]: exactly N lines match
t_lines() {
	f=${4:-$T_OUT}
	n=$(grep -c -E -- "$2" "$f")
	if [ "$n" = "$3" ]; then t_ok "$1"; else
		t_fail "$1" "expected $3 lines matching /$2/, got $n" "$f"; fi
}

# wait_for_file FILE [TENTHS]: default 120 s
wait_for_file() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt "${2:-1200}" ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

t_done() {
	echo "# $T_N checks, $T_FAILED failed"
	[ "$T_FAILED" = 0 ]
}

# tally RESULTS: liburing-run.sh's results as "P pass, F fail, S skip, T
# timeout" (dmesg failures are failures: runtests.sh's _check_dmesg)
tally() {
	awk '{ n[($2 == "dmesg" ? "fail" : $2)]++ } END {
		printf "%d pass, %d fail, %d skip, %d timeout", n["pass"], n["fail"], n["skip"], n["timeout"] }' "$1"
}
