#!/bin/sh
# daily.sh - daily use on a box someone cares about, in the QEMU guest
# (tests/run-tests.sh runs it on the newest 7.x kernel):
#   tests/vm/run-guest.sh -k 7 -- sh /tests/daily.sh
# Stopping (SIGINT/SIGTERM/SIGHUP, a second SIGINT, kill -9) leaves no BPF
# program, link or map of ours behind (bpftool); check's child: its own
# process group, a death by signal reported and judged, SIGTERM when
# ringledger dies, --user.  One TAP line per check.  Load and soak are in
# soak.sh (make soak).
. /tests/lib.sh

now() { read -r up _ < /proc/uptime; echo "$up"; }
secs_since() { awk "BEGIN{printf \"%.1f\", $(now) - $1}"; }

# ---- what of ours bpftool lists ------------------------------------------------
# Our programs are named tp_/fe_/fx_/kp_/krp_ + the hook; our maps as in
# bpf/globals.bpf.c (the kernel keeps 15 characters of a name), plus the
# skeleton's .rodata and .bss.  Links carry no name: ours are the ones whose
# program is ours.
OUR_PROGS=' name (tp|fe|fx|kp|krp)_[a-z0-9_]+ '
OUR_MAPS=' name (events|followed_pids|tracked_ctxs|tracked_regions|tracked_vmas|tracked_pfns|task_scopes|kprobe_stash|event_seq|tracked_imus|tracked_pin_arr|pin_scopes|pin_scratch|stat_procs|stat_births|stat_hists|stat_scratch|stat_busy|cgroup_of|ringledg\.[a-z]+) '

# bpf_list DIR: bpftool's lists of programs, links and maps in DIR, and
# in DIR/ours the lines of ours (programs, links of our programs, maps)
bpf_list() {
	mkdir -p "$1"
	bpftool prog show > "$1/prog" 2>&1
	bpftool link show > "$1/link" 2>&1
	bpftool map show > "$1/map" 2>&1
	grep -E "^[0-9]+: .*$OUR_PROGS" "$1/prog" > "$1/ours.prog"
	grep -E "^[0-9]+: .*$OUR_MAPS" "$1/map" > "$1/ours.map"
	# "7: tracing  name fx_..." -> "prog 7"; a link line names "prog 7"
	ids=$(sed -n 's/^\([0-9]*\): .*/\1/p' "$1/ours.prog" | tr '\n' '|')
	grep -E "^[0-9]+: .* prog (${ids%|}) " "$1/link" > "$1/ours.link" 2>/dev/null
	cat "$1/ours.prog" "$1/ours.link" "$1/ours.map" > "$1/ours"
}

# expect_ours_loaded NAME DIR: while ringledger runs, bpftool lists our
# programs, their links and our maps (so that their absence later means
# something)
expect_ours_loaded() {
	bpf_list "$2"
	np=$(wc -l < "$2/ours.prog"); nl=$(wc -l < "$2/ours.link"); nm=$(wc -l < "$2/ours.map")
	if [ "$np" -gt 0 ] && [ "$nl" -gt 0 ] && grep -q ' name events ' "$2/ours.map" &&
		grep -q ' name tracked_pfns ' "$2/ours.map"; then
		t_ok "$1: while it runs bpftool lists $np programs, $nl links, $nm maps of ours"
	else
		t_fail "$1: while it runs bpftool lists our programs, links and maps" \
			"$np programs, $nl links, $nm maps of ours" "$2/prog"
	fi
}

# expect_ours_gone NAME DIR: after ringledger is gone nothing of ours is
# listed (the kernel releases what a closed fd held: wait up to 5 s)
expect_ours_gone() {
	i=0
	while bpf_list "$2" && [ -s "$2/ours" ] && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
	if [ ! -s "$2/ours" ] && ! grep -q -i error "$2/prog" "$2/link" "$2/map"; then
		t_ok "$1: bpftool lists no program, link or map of ours"
	else
		t_fail "$1: bpftool lists no program, link or map of ours" "still listed after 5 s:" "$2/ours"
	fi
}

# wait_for_line FILE PATTERN: up to 120 s (loading is slow under emulation)
wait_for_line() {
	i=0
	while ! grep -q -E -- "$2" "$1" 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q -E -- "$2" "$1" 2>/dev/null
}

# running PID: the process exists and is not a zombie
running() {
	read -r line < /proc/$1/stat 2>/dev/null || return 1
	case ${line##*) } in Z*) return 1 ;; esac
}

# wait_exit PID TENTHS: its exit status in $rc; one that does not end in
# time is killed, and $rc says "timeout"
wait_exit() {
	i=0
	while running $1 && [ $i -lt $2 ]; do sleep 0.1; i=$((i + 1)); done
	if running $1; then
		kill -KILL $1; wait $1; rc="timeout after $(($2 / 10)) s"
		return 1
	fi
	wait $1
	rc=$?
}

# group_of PID: PID and its children (the command's shell and its sleep)
group_of() {
	echo "$1"
	for st in /proc/[0-9]*/stat; do
		read -r line < "$st" 2>/dev/null || continue
		set -- ${line##*) }
		[ "$2" = "$PGRP_SH" ] && echo "${st#/proc/}" | sed 's|/stat||'
	done
}

# any_running PID...: one of them is alive
any_running() {
	for p in "$@"; do running "$p" && return 0; done
	return 1
}

# start_trace ERR: a background `ringledger trace`, ready; $tpid
start_trace() {
	rm -f "$1"	# the last tracer's readiness line must not pass for this one's
	ringledger trace > /tmp/trace.out 2> "$1" &
	tpid=$!
	wait_for_line "$1" 'Ctrl-C to stop'
}

echo "# kernel $(uname -r)"
if bpftool version > /tmp/bpftool.out 2>&1; then
	t_ok "bpftool runs in the guest: $(head -n 1 /tmp/bpftool.out)"
else
	t_fail "bpftool runs in the guest" "bpftool version failed" /tmp/bpftool.out
fi

# ---- stopping trace: SIGINT, SIGTERM, SIGHUP ---------------------------------
for sig in INT TERM HUP; do
	if ! start_trace /tmp/trace.err; then
		t_fail "trace, SIG$sig: ready within 120 s" "no 'Ctrl-C to stop' line" /tmp/trace.err
		kill -KILL $tpid 2>/dev/null; wait $tpid
		continue
	fi
	expect_ours_loaded "trace, SIG$sig" /tmp/bpf.$sig.run
	kill -$sig $tpid
	wait_exit $tpid 300
	if [ "$rc" = 0 ]; then t_ok "trace, SIG$sig: exits 0"; else
		t_fail "trace, SIG$sig: exits 0" "exit $rc" /tmp/trace.err; fi
	t_grep "trace, SIG$sig: the summary names the signal" \
		"^ringledger: traced [0-9]+ events, 0 finding\(s\), 0 event\(s\) lost; stopped by SIG$sig\$" /tmp/trace.err
	expect_ours_gone "trace, SIG$sig" /tmp/bpf.$sig.after
done

# ---- kill -9: the file descriptors held everything -----------------------------
if start_trace /tmp/trace.err; then
	expect_ours_loaded "trace, SIGKILL" /tmp/bpf.KILL.run
	t0=$(now)
	kill -KILL $tpid
	wait_exit $tpid 300
	kill_took=$(secs_since "$t0")
	if [ "$rc" = 137 ]; then t_ok "trace, SIGKILL: killed (137)"; else
		t_fail "trace, SIGKILL: killed (137)" "exit $rc" /tmp/trace.err; fi
	expect_ours_gone "trace, SIGKILL" /tmp/bpf.KILL.after
else
	t_fail "trace, SIGKILL: ready within 120 s" "no 'Ctrl-C to stop' line" /tmp/trace.err
	kill -KILL $tpid 2>/dev/null; wait $tpid
fi

# ---- a second SIGINT: at once, the child's group with it -----------------------
rm -f /tmp/int2.pid
ringledger check -- sh -c 'trap "" INT; echo $$ > /tmp/int2.pid; sleep 60; sleep 60' \
	> /tmp/int2.out 2>&1 &
cpid=$!
if wait_for_file /tmp/int2.pid; then
	PGRP_SH=$(cat /tmp/int2.pid)
	i=0
	while members=$(group_of "$PGRP_SH" | tr '\n' ' ') && [ "$(echo $members | wc -w)" -lt 2 ] && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1)); done
	expect_ours_loaded "check, two SIGINTs" /tmp/bpf.INT2.run
	kill -INT $cpid
	sleep 2
	if running $cpid && [ "$(echo $members | wc -w)" = 2 ] && any_running $members; then
		t_ok "check, one SIGINT: a command that ignores it keeps running, and check waits"
	else
		t_fail "check, one SIGINT: a command that ignores it keeps running, and check waits" \
			"check or its command is gone (the command: $members)" /tmp/int2.out
	fi
	t0=$(now)
	kill -INT $cpid
	wait_exit $cpid 100
	took=$(secs_since "$t0")
	# "at once" is as fast as a kill -9 of trace (measured above, this
	# boot): what is left after _exit is the kernel releasing the links,
	# ~2 s on TCG with the kprobe pairs, which no exit path can skip; a
	# check that waited for its command (which ignores SIGINT and sleeps
	# 60 s) would take a minute more.
	limit=$(awk "BEGIN{printf \"%.1f\", ${kill_took:-2} + 1.5}")
	if [ "$rc" = 130 ] && awk "BEGIN{exit !($took < $limit)}"; then
		t_ok "check, a second SIGINT: exit 130 at once (${took} s; a kill -9: ${kill_took:-?} s)"
	else
		t_fail "check, a second SIGINT: exit 130 at once" \
			"exit $rc after $took s (a kill -9 of trace took ${kill_took:-?} s)" /tmp/int2.out
	fi
	i=0
	while any_running $members && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
	if any_running $members; then
		t_fail "check, a second SIGINT: the command and its child are gone" \
			"of $members, some live on"
		kill -KILL $members 2>/dev/null
	else
		t_ok "check, a second SIGINT: the command and its child are gone"
	fi
	expect_ours_gone "check, two SIGINTs" /tmp/bpf.INT2.after
else
	t_fail "check, two SIGINTs: the command started within 120 s" "no pid file" /tmp/int2.out
	kill -KILL $cpid 2>/dev/null; wait $cpid
fi

# ---- check's child ---------------------------------------------------------------
t_run "check: a command killed by a signal is still judged (clean)" 0 \
	ringledger check -- sh -c 'kill -9 $$'
t_grep "check: the command's death by signal is reported" 'killed by signal 9'
t_grep "check: ... and the report is clean" '^  verdict +clean'

# its own process group: the child's pgrp is its pid, not ringledger's
rm -f /tmp/pg.out
t_run "check: a command that reports its process group" 0 ringledger check -- \
	sh -c 'set -- $(sed "s/^.*) //" /proc/$$/stat); echo "child $$ pgrp $3 parent $2" > /tmp/pg.out;
		set -- $(sed "s/^.*) //" /proc/$2/stat); echo "parent_pgrp $3 parent_comm $(cat /proc/$PPID/comm)" >> /tmp/pg.out'
set -- $(cat /tmp/pg.out 2>/dev/null) x x x x x x x x x
if [ "$1" = child ] && [ "$2" = "$4" ] && [ "$4" != "$8" ] && [ "${10}" = ringledger ]; then
	t_ok "check: the command runs in its own process group (pgrp $4, ringledger's $8)"
else
	t_fail "check: the command runs in its own process group" "seen: $(cat /tmp/pg.out 2>/dev/null)"
fi

# SIGKILL of ringledger: the command gets SIGTERM (PR_SET_PDEATHSIG), also
# when it runs as another user (the uid change clears the death signal)
for who in root nobody; do
	rm -f /tmp/pd.pid /tmp/pd.mark
	opt=""; [ $who = nobody ] && opt="--user nobody"
	ringledger check $opt -- sh -c 'trap "echo TERM > /tmp/pd.mark; exit 0" TERM;
		echo $$ > /tmp/pd.pid; while :; do sleep 0.2; done' > /tmp/pd.out 2>&1 &
	cpid=$!
	if ! wait_for_file /tmp/pd.pid; then
		t_fail "check as $who, SIGKILL: the command started within 120 s" "no pid file" /tmp/pd.out
		kill -KILL $cpid 2>/dev/null; wait $cpid
		continue
	fi
	kill -KILL $cpid
	wait_exit $cpid 100
	wait_for_file /tmp/pd.mark 50
	if [ "$(cat /tmp/pd.mark 2>/dev/null)" = TERM ]; then
		t_ok "check as $who, SIGKILL: the command gets SIGTERM"
	else
		t_fail "check as $who, SIGKILL: the command gets SIGTERM" "no marker from its TERM trap within 5 s" /tmp/pd.out
		kill -KILL -"$(cat /tmp/pd.pid)" 2>/dev/null
	fi
	[ $who = root ] && expect_ours_gone "check, SIGKILL" /tmp/bpf.checkKILL.after
done

# SIGTERM and SIGHUP to check: forwarded to the command, inconclusive
for sig in TERM HUP; do
	rm -f /tmp/cs.pid /tmp/cs.mark
	ringledger check -- sh -c "trap 'echo $sig > /tmp/cs.mark; exit 0' $sig;
		echo \$\$ > /tmp/cs.pid; while :; do sleep 0.2; done" > /tmp/cs.out 2>&1 &
	cpid=$!
	if ! wait_for_file /tmp/cs.pid; then
		t_fail "check, SIG$sig: the command started within 120 s" "no pid file" /tmp/cs.out
		kill -KILL $cpid 2>/dev/null; wait $cpid
		continue
	fi
	kill -$sig $cpid
	wait_exit $cpid 600
	if [ "$rc" = 2 ]; then t_ok "check, SIG$sig: inconclusive (exit 2)"; else
		t_fail "check, SIG$sig: inconclusive (exit 2)" "exit $rc" /tmp/cs.out; fi
	if [ "$(cat /tmp/cs.mark 2>/dev/null)" = $sig ]; then
		t_ok "check, SIG$sig: the command got SIG$sig"
	else
		t_fail "check, SIG$sig: the command got SIG$sig" "no marker from its trap" /tmp/cs.out
	fi
	t_grep "check, SIG$sig: the report says it was interrupted" "interrupted by SIG$sig" /tmp/cs.out
	t_grep "check, SIG$sig: ... and how the command ended" 'exited with 0' /tmp/cs.out
done

# ---- --user: io_uring without root --------------------------------------------
echo "# kernel.io_uring_disabled = $(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo absent)"
rm -f /tmp/uid
t_run "check --user nobody: ring_basic" 0 \
	ringledger check --user nobody -- sh -c 'id -u > /tmp/uid; exec /workloads/ring_basic'
t_grep "check --user nobody: the report is clean" '^  verdict +clean'
if [ "$(cat /tmp/uid 2>/dev/null)" = 65534 ]; then t_ok "check --user nobody: the command runs as uid 65534"; else
	t_fail "check --user nobody: the command runs as uid 65534" "uid $(cat /tmp/uid 2>/dev/null)"; fi
t_run "check --user nobody: lifecycles with buffer rings, fixed buffers, fork" 0 \
	ringledger check --user nobody -- /workloads/ring_soak cycles 20 1
t_grep "check --user nobody: ... all of them" '^GT soak mode=cycles rings=20 processes=1 done=20 failed=0'

t_done
