#!/bin/sh
# host.sh - CLI tests that need no attach: bad input, the refusal on a kernel
# that denies function tracing, and replays of recorded streams.
# Run from the repository root by tests/run-tests.sh.
. tests/vm/guest/lib.sh
RL=build/ringledger

one_line_error() {	# name cmd...: exit 3 and exactly one line on stderr
	name=$1; shift
	"$@" > /tmp/rl-err.out 2> /tmp/rl-err.err
	got=$?
	lines=$(wc -l < /tmp/rl-err.err)
	if [ "$got" = 3 ] && [ "$lines" = 1 ] && grep -q '^ringledger: ' /tmp/rl-err.err; then
		t_ok "$name: one line, exit 3"
	else
		t_fail "$name: one line, exit 3" "exit $got, $lines lines on stderr" /tmp/rl-err.err
	fi
}

one_line_error "unknown subcommand" $RL frobnicate
one_line_error "check without a command" $RL check
one_line_error "command that does not exist" $RL check -- ./no/such/command
one_line_error "kernel without BTF" $RL check --btf /nonexistent/vmlinux -- true
one_line_error "replay of a missing file" $RL replay /nonexistent.events
one_line_error "replay of a file that is not a stream" $RL replay Makefile
if command -v setpriv > /dev/null; then
	one_line_error "not root" setpriv --reuid=65534 --regid=65534 --clear-groups $RL check -- true
fi

# This project's dev hosts refuse fentry and have no kprobes: features must
# say so in one line and point at the guest.
if ! [ -e /sys/bus/event_source/devices/kprobe ] && [ "$(id -u)" = 0 ]; then
	$RL features > /tmp/rl-feat.out 2>&1
	rc=$?
	if [ $rc = 3 ] && [ "$(wc -l < /tmp/rl-feat.out)" = 1 ] && grep -q 'refuses function tracing.*guest' /tmp/rl-feat.out; then
		t_ok "features on a kernel that refuses function tracing"
	elif $RL features --attach=auto > /dev/null 2>&1; then
		t_ok "features: this host can trace (no refusal to test)"
	else
		t_fail "features on a kernel that refuses function tracing" "exit $rc" /tmp/rl-feat.out
	fi
	one_line_error "check on a kernel that refuses function tracing" $RL check -- true
fi

$RL --help > /tmp/rl-help.out 2>&1
t_grep "--help lists the commands" '^  check ' /tmp/rl-help.out
t_run "check --help has examples" 0 $RL check --help
t_grep "check --help shows an example" 'ringledger check --' 

# replays: every recorded stream in tests/replays names its expected exit
# code in a "# expect-exit: N" line
for f in tests/replays/*.events; do
	[ -f "$f" ] || continue
	want=$(sed -n 's/^# expect-exit: *\([0-9]\).*/\1/p' "$f" | head -n 1)
	[ -n "$want" ] || continue
	t_run "replay $(basename "$f")" "$want" $RL replay "$f"
done
printf 'ringledger-events v1\nctx_create ts=12 ctx=0x10\nregion_create ts=zz\n' > /tmp/rl-bad.events
one_line_error "replay of a malformed stream" $RL replay /tmp/rl-bad.events
t_grep "the error names the line" 'line 3' /tmp/rl-err.err

# kernel addresses are hashed per run unless --raw-addresses: no kernel
# pointer of a replayed file (a 16-digit value in the kernel half) is left in
# its report, its event lines (-v), its --json or its --junit
h=/tmp/rl-hash
leaked=""
for f in tests/replays/*.events; do
	$RL replay -v --json $h.json --junit $h.xml "$f" > $h.out 2>&1
	grep -o -E '0x[89a-f][0-9a-f]{15}' "$f" | sort -u > $h.ptrs
	if grep -q -F -f $h.ptrs $h.out $h.json $h.xml; then
		leaked="$leaked $(basename "$f")"
		grep -F -f $h.ptrs $h.out $h.json $h.xml | head -n 5 > $h.leak
	fi
done
if [ -z "$leaked" ]; then t_ok "replay: no kernel pointer of any replay in stdout, --json, --junit"; else
	t_fail "replay: no kernel pointer of any replay in stdout, --json, --junit" "printed raw in:$leaked" $h.leak; fi
# (t_grep sets f: the stream is $seed)
seed=tests/replays/seed000_nommu.events
$RL replay -v --json $h.json "$seed" > $h.out 2>&1
t_grep "replay: kernel addresses printed as k: tokens" ' ctx=k:[0-9a-f]{16} ' $h.out
t_grep "replay --json: the finding's ctx is a token" '"ctx":"k:[0-9a-f]{16}"' $h.json
$RL replay -v --json $h.json "$seed" > $h.out2 2>&1
if cmp -s $h.out $h.out2; then t_fail "replay: a new key every run" "two runs printed the same tokens"; else
	t_ok "replay: a new key every run"; fi
$RL replay --raw-addresses -v "$seed" > $h.out 2>&1
t_grep "replay --raw-addresses: kernel addresses as they are" ' ctx=0xffff[0-9a-f]{12} ' $h.out

# colour: never into a file or a pipe (auto), NO_COLOR, --color
esc=$(printf '\033')
$RL replay "$seed" > $h.out 2>&1
t_nogrep "replay into a file: no colour" "$esc" $h.out
$RL replay --color=always --json $h.json --junit $h.xml "$seed" > $h.out 2>&1
t_grep "replay --color=always: the verdict coloured" "verdict    $esc\[" $h.out
t_nogrep "--color=always never colours the --json file" "$esc" $h.json
t_nogrep "--color=always never colours the --junit file" "$esc" $h.xml
NO_COLOR=1 $RL replay --color=auto "$seed" > $h.out 2>&1
t_nogrep "NO_COLOR=1: no colour" "$esc" $h.out
one_line_error "replay --color=sometimes" $RL replay --color=sometimes "$seed"
rm -f $h.json $h.xml $h.out $h.out2 $h.ptrs $h.leak

# stat: usage errors, and its OpenMetrics text read by a real parser
# (python3-prometheus-client) from the unit test's sample snapshot
one_line_error "stat -i 0" $RL stat -i 0
one_line_error "stat -p and a command" $RL stat -p 1 -- true
one_line_error "stat of a pid that does not exist" $RL stat -p 999999999
one_line_error "stat of a command that does not exist" $RL stat -- ./no/such/command
build/unit/test_stat --openmetrics $h.prom
/usr/bin/python3 tests/cli/openmetrics_check.py $h.prom \
	'ringledger_pinned_bytes{comm=fio "x"\y,pid=7}=67108864' \
	'ringledger_rings_created_total{comm=done,pid=99}=3' \
	'ringledger_pin_duration_seconds_count{}=4' > $h.om 2>&1
if [ $? = 0 ]; then t_ok "stat --openmetrics: the OpenMetrics parser reads it, each family and value ($(grep -c '^ok' $h.om) checks)"; else
	t_fail "stat --openmetrics: the OpenMetrics parser reads it" "see below" $h.om; fi
rm -f $h.prom $h.om

# replay --trace-json: every replay's timeline read back as Perfetto would
# (slices close, processes named), a breaking one with its findings
bad=""
for f in tests/replays/*.events tests/replays/v2/*.events; do
	$RL replay --trace-json $h.tl "$f" > /dev/null 2>&1
	want=0
	case $f in *_break.events) want=1 ;; esac
	/usr/bin/python3 tests/cli/trace_json_check.py $h.tl $want > $h.tlc 2>&1 || {
		bad="$bad $(basename "$f")"; cp $h.tlc $h.tlbad; }
done
if [ -z "$bad" ]; then t_ok "replay --trace-json: every replay's timeline closes its slices, names its processes, shows its findings"; else
	t_fail "replay --trace-json: every replay's timeline" "failed:$bad" $h.tlbad; fi
one_line_error "replay --trace-json into a directory that does not exist" $RL replay --trace-json /nonexistent/t.json tests/replays/rl001_break.events
one_line_error "replay --html into a directory that does not exist" $RL replay --html /nonexistent/p.html tests/replays/rl001_break.events
one_line_error "replay --json into a directory that does not exist" $RL replay --json /nonexistent/r.json tests/replays/rl001_break.events
rm -f $h.tl $h.tlc $h.tlbad

# --baseline / --diff: a run's findings saved, the same run known, another
# run's finding new and the saved one gone
$RL replay --baseline $h.base tests/replays/rl006_break.events > /dev/null 2>&1
t_grep "--baseline writes the finding's key" '^RL006 command=ring_basic region=sqes$' $h.base
$RL replay --diff $h.base --junit $h.xml tests/replays/rl006_break.events > $h.out 2>&1
rc=$?
if [ $rc = 0 ]; then t_ok "--diff: the same finding is known, exit 0"; else t_fail "--diff: the same finding is known, exit 0" "exit $rc" $h.out; fi
t_grep "--diff: the finding marked known" '^RL006 .*\(known\)' $h.out
t_grep "--diff: the summary line" '^  baseline   .*: 1 finding\(s\) known, 0 new, 0 of its 1 gone$' $h.out
t_nogrep "--diff: no failed testcase in the JUnit report" '<failure' $h.xml
$RL replay --diff $h.base tests/replays/rl001_break.events > $h.out 2>&1
rc=$?
if [ $rc = 1 ]; then t_ok "--diff: a new finding fails, exit 1"; else t_fail "--diff: a new finding fails, exit 1" "exit $rc" $h.out; fi
t_grep "--diff: the key not made again is listed gone" '^             gone: RL006 command=ring_basic region=sqes$' $h.out
one_line_error "--diff of a file that is not a baseline" $RL replay --diff Makefile tests/replays/rl001_break.events
rm -f $h.base $h.out $h.xml
t_done
