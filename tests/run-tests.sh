#!/bin/sh
# run-tests.sh - the whole suite: unit tests (sanitizers on), CLI tests on
# this host, make install and the Debian package, the guest runner's
# self-test, the guest tests on each Debian kernel series in $KERNELS, daily
# use (tests/vm/guest/daily.sh) on the newest 7.x, then the patched kernel's
# tests (built and cached by kernel/build-kernel.sh), and the real world:
# liburing's whole test suite under one check on the newest 7.x
# (tests/vm/realworld.sh), then without ringledger only the tests that did
# not pass under it (RL_RW_PLAIN=after: the suite runs once; `make
# realworld` runs it whole both ways).  RL_REALWORLD=0 leaves it out.
# Last, seed 000 on a riscv64 kernel without MMU (tests/nommu/test.sh).
# Counts every "ok"/"not ok" line and ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
KERNELS=${KERNELS:-7 7.2 7.0 6.12 6.1}
logdir=build/test-logs
mkdir -p "$logdir"
passed=0
failed=0
failures=$logdir/failures.txt	# every failed check, repeated at the end
: > "$failures"

# count ok/not ok lines of a log; a run that failed without a "not ok"
# line counts as one failure of its own
tally() {	# name log status
	p=$(tr -d '\r' < "$2" | grep -c '^ok ')
	f=$(tr -d '\r' < "$2" | grep -c '^not ok ')
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $1 exited with $3 (log: $2)"
	fi
	passed=$((passed + p)); failed=$((failed + f))
	# each failure with the line that says why (the end of a CI log is
	# often all that is kept)
	tr -d '\r' < "$2" | awk -v t="[$1]" '
		/^not ok / { print t " " $0; why = 1; next }
		why && /^#   [^ ]/ { print t "     " substr($0, 5) }
		{ why = 0 }' >> "$failures"
	if [ "$3" != 0 ] && [ "$f" = 1 ] && ! tr -d '\r' < "$2" | grep -q '^not ok '; then
		echo "[$1] exited with $3 (log: $2)" >> "$failures"
	fi
	tr -d '\r' < "$2" | grep -E '^(not ok |#   )' | sed "s|^|  [$1] |"
	echo "$1: $p passed, $f failed"
}

echo "== unit tests (ASan, UBSan)"
for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	"$t" > "$logdir/$n.log" 2>&1
	tally "$n" "$logdir/$n.log" $?
done

echo "== the replay fuzzer (libFuzzer, ASan, UBSan; FUZZ_SECS=${FUZZ_SECS:-20})"
sh tests/fuzz/run.sh build/fuzz/fuzz_replay "${FUZZ_SECS:-20}" > "$logdir/fuzz.log" 2>&1
tally fuzz "$logdir/fuzz.log" $?

echo "== CLI tests on this host"
sh tests/cli/host.sh > "$logdir/cli-host.log" 2>&1
tally cli-host "$logdir/cli-host.log" $?

echo "== make install (PREFIX, DESTDIR), --version, the man page, bash completion"
sh tests/cli/install.sh > "$logdir/cli-install.log" 2>&1
tally cli-install "$logdir/cli-install.log" $?

echo "== the Debian package: make deb, lintian, installed into a fresh root"
sh tests/cli/deb.sh > "$logdir/deb.log" 2>&1
tally deb "$logdir/deb.log" $?

echo "== golden outputs: every replay byte for byte (tests/golden/expected)"
sh tests/golden/run.sh > "$logdir/golden.log" 2>&1
tally golden "$logdir/golden.log" $?

echo "== --html in a real browser (headless Chromium): every page whole, one timeline per finding"
sh tests/cli/html.sh > "$logdir/html.log" 2>&1
tally html "$logdir/html.log" $?

echo "== the guest runner"
sh tests/vm/selftest.sh > "$logdir/vm-selftest.log" 2>&1
tally vm-selftest "$logdir/vm-selftest.log" $?

# run_guest KDIR SCRIPT LOG: the guest script on a kernel; sets $status.
# A guest kernel that panics is run once more, loudly: Debian's 6.12 has
# been seen (once in about ten TCG boots) to oops in the maple tree while
# the shell created a tmpfs file, before ringledger had loaded anything.
# The panic, its first log and the retry are printed; a second panic fails.
run_guest() {	# kdir script log [VAR=value...]
	kd=$1; sc=$2; lg=$3; shift 3
	sh tests/vm/run-guest.sh -k "$kd" -t 900 -- env "$@" sh "$sc" > "$lg" 2>&1
	status=$?
	if [ "$status" != 0 ] && grep -q 'Kernel panic - not syncing' "$lg"; then
		mv "$lg" "$lg.panic"
		echo "# the guest kernel panicked: $(tr -d '\r' < "$lg.panic" | grep -m 1 -E 'BUG:|Oops|panic' | sed 's/^\[ *[0-9.]*\] //')"
		echo "#   ($(tr -d '\r' < "$lg.panic" | grep -m 1 -o -E 'Comm: [^ ]+') ; log: $lg.panic); running the guest once more"
		sh tests/vm/run-guest.sh -k "$kd" -t 900 -- env "$@" sh "$sc" > "$lg" 2>&1
		status=$?
	fi
}

# What later stages build is built beside the guests: a TCG guest keeps one
# host core busy, this (one job, niced) takes the other.  liburing's tests,
# then the patched kernel; each stage's own call waits on that script's
# lock and finds its build cached (on a warm machine both return at once).
(
	[ "${RL_REALWORLD:-1}" = 1 ] && nice -n 19 kernel/fetch-liburing.sh > /dev/null 2> "$logdir/prebuild-liburing.log"
	RL_KERNEL_JOBS=${RL_KERNEL_JOBS:-1} nice -n 19 kernel/build-kernel.sh > /dev/null 2> "$logdir/prebuild-kernel.log"
	# then the NOMMU riscv64 kernels, fixed and pre-fix (tests/nommu/test.sh)
	if sh scripts/install-deps.sh nommu > "$logdir/prebuild-nommu.log" 2>&1; then
		for f in nommu nommu-prefix; do
			RL_KERNEL_JOBS=${RL_KERNEL_JOBS:-1} nice -n 19 kernel/build-kernel.sh $f > /dev/null 2>> "$logdir/prebuild-nommu.log"
		done
	fi
) &
prebuild=$!	# (the patched stage waits for its kernel, not for this job)

for k in $KERNELS; do
	echo "== guest tests on Debian kernel series $k"
	kdir=$(kernel/fetch-kernel.sh "$k" 2> "$logdir/fetch-$k.log")
	if [ -z "$kdir" ]; then
		echo "not ok - fetch kernel $k: $(tail -n 1 "$logdir/fetch-$k.log")" | tee "$logdir/guest-$k.log"
		tally "guest-$k" "$logdir/guest-$k.log" 1
		continue
	fi
	# the older 7.x run trampolines only (their own fentry plan; the pairs
	# are proven on 7.3, 6.12 and 6.1): about 4 s less per check on TCG
	case $k in 7.2|7.0) extra=RL_CHECK_ARGS=--attach=fentry ;; *) extra=RL_GUEST_MODE=default ;; esac
	run_guest "$kdir" /tests/suite.sh "$logdir/guest-$k.log" "$extra"
	tally "guest-$(cat "$kdir/version")" "$logdir/guest-$k.log" $status
	grep '^run-guest:' "$logdir/guest-$k.log"
done

# stage_on_7 TAG SCRIPT FIGURES: a guest script on the newest 7.x kernel,
# its "# " lines matching FIGURES printed
stage_on_7() {
	tag=$1; script=$2; figures=$3
	kdir=$(kernel/fetch-kernel.sh 7 2> "$logdir/fetch-$tag.log")
	if [ -z "$kdir" ]; then
		echo "not ok - fetch kernel 7: $(tail -n 1 "$logdir/fetch-$tag.log")" | tee "$logdir/guest-$tag.log"
		tally "$tag" "$logdir/guest-$tag.log" 1
		return
	fi
	run_guest "$kdir" "$script" "$logdir/guest-$tag.log"
	tally "$tag-$(cat "$kdir/version")" "$logdir/guest-$tag.log" $status
	tr -d '\r' < "$logdir/guest-$tag.log" | grep -E "^# ($figures)" | sed 's/^/  /'
	grep '^run-guest:' "$logdir/guest-$tag.log"
}

echo "== daily use on the newest 7.x kernel: stopping, check's child, --user"
stage_on_7 daily /tests/daily.sh 'kernel\.io_uring'

echo "== stat on the newest 7.x kernel: figures of known workloads, -p, machine-wide, OpenMetrics"
stage_on_7 stat /tests/stat.sh 'stat'
# the guest's --openmetrics file, read by a real OpenMetrics parser here
tr -d '\r' < "$logdir/guest-stat.log" | sed -n 's/^#om //p' > "$logdir/stat.prom"
if [ -s "$logdir/stat.prom" ]; then
	/usr/bin/python3 tests/cli/openmetrics_check.py "$logdir/stat.prom" > "$logdir/stat-openmetrics.log" 2>&1
	tally stat-openmetrics "$logdir/stat-openmetrics.log" $?
else
	echo "not ok - the guest's --openmetrics file is not in its log" > "$logdir/stat-openmetrics.log"
	tally stat-openmetrics "$logdir/stat-openmetrics.log" 1
fi
# ... and the guest's check --html page in Chromium, its --trace-json read back
tr -d '\r' < "$logdir/guest-stat.log" | sed -n 's/^#html //p' > "$logdir/stat-check.html"
tr -d '\r' < "$logdir/guest-stat.log" | sed -n 's/^#tl //p' > "$logdir/stat-check.tl"
n=$(tr -d '\r' < "$logdir/guest-stat.log" | sed -n 's/^#findings //p')
{
	/usr/bin/python3 tests/cli/trace_json_check.py "$logdir/stat-check.tl" "${n:-1}"
	got=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$logdir/chromium" --dump-dom "file://$top/$logdir/stat-check.html" 2> /dev/null |
		grep -o '<svg class="timeline"' | wc -l)
	if [ -n "$n" ] && [ "$got" = "$n" ]; then echo "ok - the guest's --html page in Chromium: $got timelines, one per finding"; else
		echo "not ok - the guest's --html page in Chromium: $got timelines, ${n:-?} findings"; fi
} > "$logdir/stat-pictures.log" 2>&1
tally stat-pictures "$logdir/stat-pictures.log" 0

echo "== load and soak on the newest 7.x kernel: 10,000 ring lifecycles, 256 rings alive at once"
stage_on_7 soak /tests/soak.sh 'soak: GT|RSS|alive: GT'

if [ "${RL_REALWORLD:-1}" = 1 ]; then
echo "== the real world: liburing's test suite under one check on the newest 7.x, and without it the tests that did not pass"
rw_start=$(date +%s)
kdir=$(kernel/fetch-kernel.sh 7 2> "$logdir/fetch-realworld.log")
if [ -n "$kdir" ]; then
	RL_RW_PLAIN=${RL_RW_PLAIN:-after} sh tests/vm/realworld.sh -k "$kdir" > "$logdir/realworld.log" 2>&1
	tally "realworld-$(cat "$kdir/version")" "$logdir/realworld.log" $?
	tr -d '\r' < "$logdir/realworld.log" | grep -E '^# (liburing |without ringledger:|under one check:|wall time|realworld)|^#   (not ours|differs|differed once|a timing test)' | sed 's/^/  /'
	grep '^run-guest:' "$logdir/realworld.log"
else
	echo "not ok - fetch kernel 7: $(tail -n 1 "$logdir/fetch-realworld.log")" | tee "$logdir/realworld.log"
	tally realworld "$logdir/realworld.log" 1
fi
echo "realworld: $(( $(date +%s) - rw_start )) s wall"
else
echo "== the real world: left out (RL_REALWORLD=0)"
fi

echo "== guest tests on the patched kernel (seed features, fault knobs)"
kdir=$(kernel/build-kernel.sh 2> "$logdir/build-kernel.log") || kdir=""
if [ -n "$kdir" ]; then
	cat "$logdir/prebuild-kernel.log" "$logdir/build-kernel.log" 2>/dev/null | grep 'built in' || true
	run_guest "$kdir" /tests/patched.sh "$logdir/guest-patched.log"
	tally "guest-$(cat "$kdir/version")" "$logdir/guest-patched.log" $status
	grep '^run-guest:' "$logdir/guest-patched.log"
else
	echo "not ok - build the patched kernel: $(tail -n 1 "$logdir/build-kernel.log")" | tee "$logdir/guest-patched.log"
	tally guest-patched "$logdir/guest-patched.log" 1
fi

echo "== seed 000 on its own ground: the NOMMU riscv64 guest, fixed and pre-fix kernels"
wait "$prebuild" 2>/dev/null
nommu_start=$(date +%s)
make -s nommu-test > "$logdir/nommu.log" 2>&1
tally nommu "$logdir/nommu.log" $?
grep 'built in' "$logdir/prebuild-nommu.log" 2>/dev/null | sed 's/^/  /' || true
echo "nommu: $(( $(date +%s) - nommu_start )) s wall"

echo
if [ -s "$failures" ]; then
	echo "failed checks (logs in $logdir):"
	head -n 40 "$failures" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
