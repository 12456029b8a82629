#!/bin/sh
# liburing.sh - the real-world stage, in the QEMU guest: liburing's whole
# test suite (kernel/fetch-liburing.sh's build, copied in as /extra by
# tests/vm/realworld.sh) first without ringledger, then under ONE
# `ringledger check --json` with default options.
#
#   tests/vm/run-guest.sh -k 7 -m 3072 -t 2400 -x "$(kernel/fetch-liburing.sh)" -- sh /tests/liburing.sh
#
# The TAP lines: the suite ran to its end both times, check's verdict is
# clean (exit 0), no event lost, no finding, and the suite's own outcome of
# every test is the same under check as without it.  A test that fails or
# times out without ringledger too is listed, not counted against us.  "#"
# lines: the suite's pass / fail / skip / timeout beside our verdict, the
# findings by id and by the test they came from, the two wall times and
# their ratio.
#
# Environment (run-guest: `-- env RL_RW_MODE=each sh /tests/liburing.sh`):
#   RL_RW_TIMEOUT  per test, seconds (default 60, as liburing's runtests.sh)
#   RL_RW_SLOW_TESTS, RL_RW_SLOW_TIMEOUT  tests given longer (default
#                  futex.t, 180 s: see liburing-run.sh)
#   RL_RW_MODE     whole (default): the above; each: each test under its own
#                  `check` instead of one over the suite, and every test whose
#                  verdict is not clean listed (after the run without)
#   RL_RW_TESTS    "A.t B.t": only those tests (a targeted measurement)
#   RL_RW_PLAIN    1 (default): the whole suite without ringledger first;
#                  after: under check first, then without ringledger only
#                  the tests that did not pass under it (make test: the
#                  suite once, and a test that fails without the tool too
#                  still listed as not ours); 0: no run without (and no
#                  comparison)
#   RL_RW_EXPORT   1: the reports and results, tar+gzip+base64 between
#                  RL-EXPORT-BEGIN / RL-EXPORT-END lines on the console
#                  (tests/vm/realworld.sh unpacks them into build/realworld/)
#
# Nothing is left out silently: every test of the build runs.  Tests that
# cannot do their work in this guest skip themselves (exit 77), and are
# counted as skips both times; the known ones:
#   napi-test.t    its veth/namespace script needs bash, ip and ethtool
#                  (runtests.sh runs it only where napi-test.sh is in the
#                  test directory; here it is not, and the test skips)
#   O_DIRECT tests the scratch directory is tmpfs (no O_DIRECT; they skip
#                  or fall back as they do on tmpfs anywhere)
# and the tests liburing's Makefile has but this build lacks are named in a
# "#" line (bpf_*.tt: configure wants a clang that takes -mcpu=v4; Debian
# 12's is 14).  Every test that skipped itself is listed with its last line.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
T=${RL_RW_DIR:-/extra}
MODE=${RL_RW_MODE:-whole}
out=/tmp/rw
mkdir -p "$out"

now() { read -r up _ < /proc/uptime; echo "$up"; }

[ -s "$T/list" ] || { t_fail "liburing's tests in $T" "no $T/list: run with -x \"\$(kernel/fetch-liburing.sh)\""; t_done; exit 1; }
n_tests=$(wc -l < "$T/list")
if [ -n "${RL_RW_TESTS:-}" ]; then
	# a subset (a targeted measurement): every name must be a test of the build
	for t in $RL_RW_TESTS; do
		grep -qxF "$t" "$T/list" || { t_fail "RL_RW_TESTS: $t" "no test $t in $T/list"; t_done; exit 1; }
	done
	echo "# only RL_RW_TESTS: $RL_RW_TESTS"
	n_tests=$(echo $RL_RW_TESTS | wc -w)
fi
echo "# kernel $(uname -r), liburing $(cat "$T/version" 2>/dev/null) ($n_tests tests), ringledger $(ringledger --version 2>&1 | head -n 1)"
echo "# per-test timeout ${RL_RW_TIMEOUT:-60} s (${RL_RW_SLOW_TESTS-futex.t}: ${RL_RW_SLOW_TIMEOUT:-180} s); mode $MODE"
# the suite's network tests talk over loopback
ip link set lo up 2>/dev/null || echo "# note: could not bring lo up"

export_out() {
	echo "RL-EXPORT-BEGIN realworld-$MODE.tar.gz"
	(cd "$out" && tar czf - .) | base64
	echo "RL-EXPORT-END"
}

# the tests of liburing's Makefile that this build could not make
grep -q '^bpf_' "$T/list" || echo "# not built: bpf_nops.tt, bpf_cp.tt (liburing's configure builds them only with a clang that takes -mcpu=v4; the build host's does not)"

# the tests that skipped themselves, each with the last line it printed
skips() {	# RESULTS
	awk '$2 == "skip" { print $1 }' "$1" | while read -r name; do
		why=$(tail -n 1 "${1%.*}.logs/$name.log" 2>/dev/null | cut -c1-120)
		echo "#   skipped itself: $name: ${why:-(printed nothing)}"
	done
}

# ---- (a) the suite without ringledger ---------------------------------------
PLAIN=${RL_RW_PLAIN:-1}
plain_s=0
# run_plain [TESTS]: the suite without ringledger, all of it or these tests
run_plain() {
	t0=$(now)
	RL_RW_TESTS="${1:-${RL_RW_TESTS:-}}" sh "$here/liburing-run.sh" "$T" "$out/plain.res" > "$out/plain.out" 2>&1
	t1=$(now)
	plain_s=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
	want=$( [ -n "${1:-}" ] && echo $1 | wc -w || echo "$n_tests")
	n=$(wc -l < "$out/plain.res")
	if [ "$n" = "$want" ]; then t_ok "without ringledger: every test ran ($n of $want)"; else
		t_fail "without ringledger: every test ran" "$n of $want results" "$out/plain.out"; fi
	echo "# without ringledger: $(tally "$out/plain.res") in $plain_s s${1:+ (only the $want tests that did not pass under check)}"
	awk '$2 != "pass" && $2 != "skip" { printf "#   without ringledger: %s %s (exit %s, %s s)\n", $1, $2, $3, $4 }' "$out/plain.res"
	skips "$out/plain.res"
}
case $PLAIN in
1) run_plain ;;
after) ;;	# below, after the run under check
*)	# RL_RW_PLAIN=0 (a measurement that has the run without from
	# elsewhere): no comparison of outcomes below
	echo "# without ringledger: not run (RL_RW_PLAIN=0)" ;;
esac

# ---- (b) under check ----------------------------------------------------------------
if [ "$MODE" = each ]; then
	t0=$(now)
	RL_RW_EACH=1 sh "$here/liburing-run.sh" "$T" "$out/each.res" > "$out/each.out" 2>&1
	t1=$(now)
	each_s=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
	n=$(wc -l < "$out/each.res")
	if [ "$n" = "$n_tests" ]; then t_ok "each under its own check: every test ran ($n of $n_tests)"; else
		t_fail "each under its own check: every test ran" "$n of $n_tests results" "$out/each.out"; fi
	# per test: the verdict, lost events and finding ids of its report
	: > "$out/each.verdicts"
	while read -r name _ _ _ _ _ _ chk; do
		j=$out/each.logs/$name.json
		v=$(sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p' "$j" 2>/dev/null | head -n 1)
		lost=$(sed -n 's/.*"lost_events":\([0-9]*\).*/\1/p' "$j" 2>/dev/null | head -n 1)
		ids=$(grep -o '^{"id":"RL[0-9]*"' "$j" 2>/dev/null | cut -d'"' -f4 | sort | uniq -c |
			awk '{ printf "%s%s x%s", (NR > 1 ? " " : ""), $2, $1 }')
		echo "$name ${v:-none} ${lost:-?} $chk ${ids:-}" >> "$out/each.verdicts"
	done < "$out/each.res"
	bad=$(awk '$2 != "clean" || $4 != 0' "$out/each.verdicts" | wc -l)
	if [ "$bad" = 0 ]; then t_ok "each test under its own check: clean"; else
		t_fail "each test under its own check: clean" "$bad of $n_tests tests not clean"; fi
	awk '$2 != "clean" || $4 != 0 { rest = ""; for (i = 5; i <= NF; i++) rest = rest " " $i
		printf "#   %s: verdict %s, lost %s, check exit %s;%s\n", $1, $2, $3, $4, (rest == "" ? " no finding" : rest) }' \
		"$out/each.verdicts"
	cres=$out/each.res
	check_s=$each_s
	label="each under its own check"
else
	t0=$(now)
	ringledger check --json "$out/rw.json" -- sh "$here/liburing-run.sh" "$T" "$out/check.res" > "$out/check.out" 2>&1
	rc=$?
	t1=$(now)
	check_s=$(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")
	cres=$out/check.res
	label="under one check"
	n=$(wc -l < "$cres" 2>/dev/null || echo 0)
	if [ "$n" = "$n_tests" ]; then t_ok "under one check: every test ran ($n of $n_tests)"; else
		t_fail "under one check: every test ran" "$n of $n_tests results" "$out/check.out"; fi

	# the report's figures
	j=$out/rw.json
	verdict=$(sed -n '1s/.*"verdict":"\([a-z]*\)".*/\1/p' "$j" 2>/dev/null)
	why=$(sed -n '1s/.*"inconclusive_why":\("[^"]*"\|null\).*/\1/p' "$j" 2>/dev/null)
	stats=$(grep -o '"stats":{.*' "$j" 2>/dev/null | head -n 1)
	jstat() { printf '%s' "$stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
	events=$(jstat events); lost=$(jstat lost_events)
	echo "# under one check: exit $rc, verdict ${verdict:-none} (why: ${why:-?}), $events events, $lost lost, contexts $(jstat contexts_created) created / $(jstat contexts_dead) dead / $(jstat contexts_live) live"
	sed -n '/^ringledger summary/,$s/^/#   report: /p' "$out/check.out" | head -n 40

	if [ "$rc" = 0 ] && [ "$verdict" = clean ]; then t_ok "liburing's suite under one check: verdict clean (exit 0)"; else
		t_fail "liburing's suite under one check: verdict clean (exit 0)" "check exited $rc, verdict ${verdict:-none}, why: ${why:-?}"; fi
	if [ "$lost" = 0 ]; then t_ok "liburing's suite under one check: 0 events lost"; else
		t_fail "liburing's suite under one check: 0 events lost" "${lost:-no figure} of ${events:-?} events lost"; fi

	# each finding: id, the test it came from (by pid, else by comm, else
	# "~NAME": the test running at its time, e.g. for a kworker's ring exit)
	awk -v res="$cres" '
		BEGIN { while ((getline l < res) > 0) { split(l, f, " "); nt++
				name[nt] = f[1]; pid2t[f[5]] = f[1]; s[nt] = f[6]; e[nt] = f[7]
				comm2t[substr(f[1], 1, 15)] = f[1] } }
		/^\{"id":"RL/ {
			id = $0; sub(/^\{"id":"/, "", id); sub(/".*/, "", id)
			p = $0; sub(/.*"pid":/, "", p); sub(/[^0-9].*/, "", p)
			c = $0; sub(/.*"comm":"/, "", c); sub(/".*/, "", c)
			ts = $0; sub(/.*"ts_ns":/, "", ts); sub(/[^0-9].*/, "", ts); ts /= 1e9
			t = ""
			if (p in pid2t) t = pid2t[p]
			else if (c in comm2t) t = comm2t[c]
			else { for (i = 1; i <= nt; i++) if (ts >= s[i] && ts <= e[i] + 0.05) { t = "~" name[i]; break }
			       if (t == "") t = "~between-tests" }
			print id, t, c, p
		}' "$j" > "$out/findings.txt" 2>/dev/null
	# the counts of the report's stats (the report keeps the first
	# findings of a long run in full; the counts are of all)
	counts=$(printf '%s' "$stats" | sed -n 's/.*"findings":{\([^}]*\)}.*/\1/p' | tr ',' '\n' |
		tr -d '"' | awk -F: '$2 > 0 { printf "%s x%s ", $1, $2 }')
	nf=$(wc -l < "$out/findings.txt")
	if [ -n "$stats" ] && [ -z "$counts" ] && [ "$nf" = 0 ]; then
		t_ok "liburing's suite under one check: no finding"
	else
		t_fail "liburing's suite under one check: no finding" \
			"findings: ${counts:-no figures}($nf kept in the report, by the test they came from below)"
		for id in $(cut -d' ' -f1 "$out/findings.txt" | sort -u); do
			echo "#   $id x$(grep -c "^$id " "$out/findings.txt") kept: $(grep "^$id " "$out/findings.txt" |
				cut -d' ' -f2 | sort | uniq -c | sort -rn | head -n 12 | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')"
		done
	fi
fi

# ---- (c) the suite's own outcomes, with and without -------------------------------
[ -e "$cres" ] || : > "$cres"
echo "# $label: $(tally "$cres") in $check_s s"
awk '$2 != "pass" && $2 != "skip" { printf "#   %s: %s %s (exit %s, %s s)\n", L, $1, $2, $3, $4 }' L="$label" "$cres"
if [ "$PLAIN" = after ]; then
	rerun=$(awk '$2 != "pass" { print $1 }' "$cres" | tr '\n' ' ')
	if [ -n "$rerun" ]; then run_plain "$rerun"; else
		: > "$out/plain.res"; echo "# without ringledger: not needed (every test passed under check)"; fi
fi
case $PLAIN in 1|after) ;; *) [ "${RL_RW_EXPORT:-0}" = 1 ] && export_out; t_done; exit $? ;; esac
# after: a test that passed under check was not run without; its outcome
# is taken to be the same
# The suite's wall-clock assertions: their outcomes are printed, never
# compared.  They allow a few milliseconds (min-timeout-wait.t: "elapsed=57,
# min=45, max=55"; min-timeout.t: "Expected 20 msec, got 31 msec"), which
# tracing under software emulation moves: min-timeout-wait.t failed under
# check in two runs of two, and once of two without.  Their verdicts count.
TIMING_TESTS=${RL_RW_TIMING_TESTS:-min-timeout.t min-timeout-wait.t}
awk -v plain="$out/plain.res" -v after="$([ "$PLAIN" = after ] && echo 1)" -v timing=" $TIMING_TESTS " '
	BEGIN { while ((getline l < plain) > 0) { split(l, f, " "); o[f[1]] = f[2]; x[f[1]] = f[3] } }
	{ seen[$1] = 1
	  if (!($1 in o)) { if (!after || $2 != "pass") print (index(timing, " " $1 " ") ? "timing" : "new"), $1, "-", $2, "-", $3 }
	  else if (o[$1] != $2) print (index(timing, " " $1 " ") ? "timing" : o[$1] == "pass" || o[$1] == "skip" ? "diff" : "known"), $1, o[$1], $2, x[$1], $3 }
	END { for (t in o) if (!(t in seen)) print "diff", t, o[t], "missing", x[t], "-" }
' "$cres" 2>/dev/null > "$out/diff.txt"
# A test whose outcome differs is run once more under one check (whole
# mode): the suite has timing tests (min-timeout.t: "Expected 20 msec, got
# 31 msec") that tracing under emulation can push over their bound.  One
# that then has its outcome without ringledger, under a clean verdict, is
# listed ("again") and not counted; one that differs again is.
retry=$(awk '$1 == "diff" && $4 != "missing" { print $2 }' "$out/diff.txt" | tr '\n' ' ')
if [ -n "$retry" ] && [ "$MODE" = whole ]; then
	ringledger check --json "$out/retry.json" -- env RL_RW_TESTS="$retry" \
		sh "$here/liburing-run.sh" "$T" "$out/retry.res" > "$out/retry.out" 2>&1
	rrc=$?
	rv=$(sed -n '1s/.*"verdict":"\([a-z]*\)".*/\1/p' "$out/retry.json" 2>/dev/null)
	if [ "$rrc" = 0 ] && [ "$rv" = clean ]; then t_ok "run again under one check ($retry): verdict clean"; else
		t_fail "run again under one check ($retry): verdict clean" "check exited $rrc, verdict ${rv:-none}" "$out/retry.out"; fi
	if [ "$rrc" = 0 ] && [ "$rv" = clean ]; then
		awk -v res="$out/retry.res" '
			BEGIN { while ((getline l < res) > 0) { split(l, f, " "); again[f[1]] = f[2] } }
			$1 == "diff" && ($2 in again) && again[$2] == $3 { $1 = "again"; $0 = $0 " " again[$2] }
			{ print }' "$out/diff.txt" > "$out/diff.txt.new" && mv "$out/diff.txt.new" "$out/diff.txt"
	fi
fi
ndiff=$(grep -c '^diff \|^new ' "$out/diff.txt")
if [ "$ndiff" = 0 ]; then t_ok "$label: the suite's own outcomes are those without ringledger"; else
	t_fail "$label: the suite's own outcomes are those without ringledger" "$ndiff tests differ"; fi
awk '$1 == "again" { printf "#   differed once, then as without (not counted): %s %s without, %s under check, %s when run again under check\n", $2, $3, $4, $7 }
     $1 == "diff" || $1 == "new" { printf "#   differs: %s %s without, %s under check (exit %s / %s)\n", $2, $3, $4, $5, $6 }
     $1 == "timing" { printf "#   a timing test, not compared: %s %s without, %s under check\n", $2, $3, $4 }
     $1 == "known" { printf "#   not ours (fails without ringledger too): %s %s without, %s under check\n", $2, $3, $4 }' "$out/diff.txt"
awk '$2 != "pass" && $2 != "skip" { print $1 }' "$out/plain.res" | while read -r name; do
	grep -q "^[a-z]* $name " "$out/diff.txt" ||
		echo "#   not ours (fails without ringledger too): $name, $(awk -v n="$name" '$1 == n { print $2 }' "$cres" 2>/dev/null) under check"
done
if [ "$PLAIN" = after ]; then
	echo "# wall time: $check_s s $label, $plain_s s without for the tests that did not pass"
else
	echo "# wall time: $plain_s s without, $check_s s $label, ratio $(awk "BEGIN{printf \"%.2f\", $check_s / ($plain_s > 0 ? $plain_s : 1)}")"
fi

[ "${RL_RW_EXPORT:-0}" = 1 ] && export_out
t_done
