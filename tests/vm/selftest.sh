#!/bin/sh
# selftest.sh - the guest runner itself: exit status passes through, and a
# hung guest is killed at its timeout with a clear message.
. "$(dirname "$0")/guest/lib.sh"
run=$(dirname "$0")/run-guest.sh
k=${1:-7}

sh "$run" -k "$k" -t 120 -- sh -c 'exit 42' > /tmp/rl-self.out 2>&1
rc=$?
if [ $rc = 42 ]; then t_ok "run-guest returns the guest command's status"; else
	t_fail "run-guest returns the guest command's status" "expected 42, got $rc" /tmp/rl-self.out; fi

start=$(date +%s)
sh "$run" -k "$k" -t 20 -- sleep 600 > /tmp/rl-self.out 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc = 124 ] && grep -q 'did not finish: killed after 20s' /tmp/rl-self.out && [ $took -lt 120 ]; then
	t_ok "a hung guest is killed at its timeout (${took}s) with a clear message"
else
	t_fail "a hung guest is killed at its timeout" "exit $rc after ${took}s" /tmp/rl-self.out
fi
t_done
