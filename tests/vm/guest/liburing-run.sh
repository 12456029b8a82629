#!/bin/sh
# liburing-run.sh - run liburing's test suite the way its own `make
# runtests` does (test/runtests.sh), in busybox sh: the guest has no bash.
#
# usage: sh /tests/liburing-run.sh TESTDIR RESULTS
#   TESTDIR  kernel/fetch-liburing.sh's output (in the guest: /extra): the
#            static tests and `list`, in the order runtests.sh gets them
#   RESULTS  one line per test: NAME OUTCOME STATUS SECS PID START END [CHECK]
#            OUTCOME pass | fail | skip | timeout | dmesg; START and END in
#            seconds of /proc/uptime (the clock of the findings' ts_ns)
#   RL_RW_TESTS="A.t B.t": only those tests (default: all of TESTDIR/list)
#   RL_RW_EACH=1: each test under its own `ringledger check --json
#            RESULTS.logs/NAME.json` (default options); STATUS is then the
#            test's own (the report's child_status) and CHECK check's exit
#
# As runtests.sh does: each test as ./NAME from the directory holding the
# tests (exec-target.t is exec'd from there), no argument (no TEST_FILES or
# TEST_MAP are configured), a timeout of $RL_RW_TIMEOUT s (default 60,
# runtests.sh's TIMEOUT) after which the test gets SIGINT and later SIGKILL
# (see below), or of $RL_RW_SLOW_TIMEOUT s (default 180) for the tests named
# in $RL_RW_SLOW_TESTS (default futex.t: it makes 18,016 rings, each from a
# thread of its own, and takes 38-70 s in a TCG guest without ringledger,
# 1.4 times that under check, so 60 s decides it by the guest's speed
# alone); exit 0 passes, 77 (T_EXIT_SKIP in test/helpers.h) skips,
# anything else fails; a test that passes but leaves "kernel BUG at",
# "WARNING:", "BUG:", "Oops:" ... in the kernel log after its marker (written
# to /dev/kmsg) fails ("dmesg"), as runtests.sh's _check_dmesg.
#
# Unlike runtests.sh: the directory is a fresh one under /tmp holding links
# to the tests (the suite writes its scratch files into it), and each test
# runs in a session of its own whose whole process group is killed when the
# test ends, so nothing a test forked outlives it into the next test; and
# SIGKILL follows the timeout's SIGINT after $RL_RW_KILL_AFTER s (default 10),
# not a second timeout: the outcome is a timeout either way, and the wait
# cost up to 60 s a timed-out test (send-zerocopy.t ignores SIGINT).
set -u
tdir=${1:?usage: liburing-run.sh TESTDIR RESULTS}
res=${2:?usage: liburing-run.sh TESTDIR RESULTS}
TO=${RL_RW_TIMEOUT:-60}
KA=${RL_RW_KILL_AFTER:-10}
SLOW=" ${RL_RW_SLOW_TESTS-futex.t} "
SLOW_TO=${RL_RW_SLOW_TIMEOUT:-180}
logs=${res%.*}.logs

work=$(mktemp -d /tmp/liburing.XXXXXX)
mkdir -p "$logs"
for t in $(cat "$tdir/list"); do ln -s "$tdir/$t" "$work/$t"; done
# RL_RW_TESTS: only these (names of the list), in the order given
tests=${RL_RW_TESTS:-$(cat "$tdir/list")}
cd "$work" || exit 1
: > "$res"

for t in $tests; do
	marker="Running test $t ($res):"
	echo "$marker" > /dev/kmsg 2>/dev/null
	rm -f "$logs/$t.timedout"
	to=$TO
	case $SLOW in *" $t "*) to=$SLOW_TO ;; esac
	read -r s0 _ < /proc/uptime
	if [ "${RL_RW_EACH:-0}" = 1 ]; then
		rm -f "$logs/$t.json"
		setsid ringledger check --json "$logs/$t.json" -- "./$t" < /dev/null > "$logs/$t.log" 2>&1 &
	else
		setsid "./$t" < /dev/null > "$logs/$t.log" 2>&1 &
	fi
	pid=$!
	# the watchdog, in a session of its own: SIGINT to the test's group at
	# the timeout, SIGKILL $KA s after; killed with its sleep when
	# the test is done (few processes: every fork here is one more process
	# for check to follow).  Under check the test is check's child, in a
	# group of its own: the watchdog finds it (the process whose parent is
	# check, from /proc, no fork) and signals that group, never check, which
	# then judges a test that was killed as it judges any (interrupting
	# check itself makes its verdict "interrupted", not the test's); check
	# gets SIGKILL only if it is still there a timeout period after that.  The test's
	# group goes to $logs/$t.group, for the kill after the test.
	setsid sh -c 'child() { for d in /proc/[0-9]*; do
			read -r l < "$d/stat" 2>/dev/null || continue
			l=${l##*) }; p=${l#* }; [ "${p%% *}" = "$1" ] && echo "${d#/proc/}" && return
			done; }
		c=$1
		if [ "$5" = 1 ]; then
			i=0; c=""; while [ -z "$c" ] && [ $i -lt 50 ]; do c=$(child $1); [ -n "$c" ] ||
				sleep 0.1; i=$((i + 1)); done
		fi
		echo "$c" > "$4"
		sleep $2; echo timeout > "$3"
		[ -n "$c" ] && kill -INT -$c; sleep $6; [ -n "$c" ] && kill -KILL -$c
		[ "$c" = "$1" ] || { sleep $2; kill -KILL -$1; }' \
		watchdog "$pid" "$to" "$logs/$t.timedout" "$logs/$t.group" "${RL_RW_EACH:-0}" "$KA" \
		> /dev/null 2>&1 &
	wd=$!
	wait "$pid"
	st=$?
	read -r s1 _ < /proc/uptime
	kill -KILL -"$wd" 2>/dev/null
	kill -KILL -"$pid" 2>/dev/null	# whatever the test left running
	# (under check: in the test's own group, which the watchdog found)
	[ -s "$logs/$t.group" ] && kill -KILL -"$(cat "$logs/$t.group")" 2>/dev/null
	rm -f "$logs/$t.group"
	chk=""
	if [ "${RL_RW_EACH:-0}" = 1 ]; then
		# check's own exit, then the test's from the report (a wait status)
		chk=$st
		ws=$(sed -n 's/.*"child_status":\(-\{0,1\}[0-9]*\).*/\1/p' "$logs/$t.json" 2>/dev/null | head -n 1)
		if [ -z "$ws" ] || [ "$ws" -lt 0 ]; then st=255
		elif [ $((ws & 127)) = 0 ]; then st=$(((ws >> 8) & 255))
		else st=$((128 + (ws & 127)))
		fi
	fi
	if [ -e "$logs/$t.timedout" ]; then out=timeout
	elif [ "$st" = 77 ]; then out=skip
	elif [ "$st" != 0 ]; then out=fail
	elif dmesg 2>/dev/null | sed -n "\\|$marker|,\$p" | grep -q -e 'kernel BUG at' -e 'WARNING:' \
		-e 'BUG:' -e 'Oops:' -e 'possible recursive locking detected' -e 'Internal error' \
		-e 'INFO: suspicious RCU usage' -e 'INFO: possible circular locking dependency detected' \
		-e 'general protection fault:'; then out=dmesg
	else out=pass
	fi
	secs=$(awk "BEGIN{printf \"%.1f\", $s1 - $s0}")
	echo "$t $out $st $secs $pid $s0 $s1${chk:+ $chk}" >> "$res"
	echo "liburing: $t $out (exit $st, $secs s)"
done
cd / && rm -rf "$work"
# the suite's own verdict, as runtests.sh: a failure fails it
! grep -q -E ' (fail|dmesg) ' "$res"
