# shellcheck shell=sh
# guest-lock.sh - one guest at a time on this host.  Sourced (POSIX sh) by
# tests/vm/run-guest.sh and tests/nommu/run-guest.sh: guest_lock NAME waits
# for the lock ($RL_GUEST_LOCK, default /run/lock/ringledger-guest.lock) on
# fd 9 and holds it until the caller exits, so concurrent callers (several
# checkouts, make targets) take turns instead of sharing two cores between
# emulated CPUs.  NAME starts the one line said while it waits.
guest_lock() {
	lock=${RL_GUEST_LOCK:-/run/lock/ringledger-guest.lock}
	mkdir -p "$(dirname "$lock")"
	exec 9>"$lock"
	if ! flock -n 9; then
		echo "$1: waiting for the guest another run is using ($lock)" >&2
		flock 9
	fi
}
