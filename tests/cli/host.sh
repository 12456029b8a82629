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
t_done
