#!/bin/sh
# liburing-series.sh - the same verdict every time: liburing's whole suite
# under one `ringledger check --json` (default options) RUNS times in one
# boot; each run's exit, verdict, events, losses, findings by id, contexts
# and the suite's own tally (the tests that did not pass by name), then
# whether every run had the same exit, verdict and findings (issue 11: "ten
# runs, ten identical verdicts").
# usage: sh /tests/liburing-series.sh [RUNS]   (default 10; tests in /extra,
# from kernel/fetch-liburing.sh: `make realworld-series RUNS=N`)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
T=${RL_RW_DIR:-/extra}
RUNS=${1:-10}
out=/tmp/rws
mkdir -p "$out"
ip link set lo up 2>/dev/null || echo "# note: could not bring lo up"
[ -s "$T/list" ] || { t_fail "liburing's tests in $T" "no $T/list"; t_done; exit 1; }
echo "# kernel $(uname -r), liburing $(cat "$T/version" 2>/dev/null) ($(wc -l < "$T/list") tests), $RUNS runs"
i=1
while [ "$i" -le "$RUNS" ]; do
	j=$out/run$i.json
	read -r t0 _ < /proc/uptime
	ringledger check --json "$j" -- sh "$here/liburing-run.sh" "$T" "$out/run$i.res" > "$out/run$i.out" 2>&1
	rc=$?
	read -r t1 _ < /proc/uptime
	verdict=$(sed -n '1s/.*"verdict":"\([a-z]*\)".*/\1/p' "$j" 2>/dev/null)
	stats=$(grep -o '"stats":{.*' "$j" 2>/dev/null | head -n 1)
	jstat() { printf '%s' "$stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
	findings=$(printf '%s' "$stats" | sed -n 's/.*"findings":{\([^}]*\)}.*/\1/p' | tr -d '"')
	# what decides "identical": the exit, the verdict and the findings by id
	key="exit $rc, verdict ${verdict:-none}, findings {${findings}}"
	echo "$key" > "$out/run$i.key"
	echo "# run $i: $key; $(jstat events) events, $(jstat lost_events) lost, contexts $(jstat contexts_created) created / $(jstat contexts_dead) dead / $(jstat contexts_live) live; suite $(tally "$out/run$i.res"); $(awk "BEGIN{printf \"%.0f\", $t1 - $t0}") s"
	awk '$2 != "pass" && $2 != "skip" { printf "#   run %s: %s %s (exit %s, %s s)\n", r, $1, $2, $3, $4 }' \
		r="$i" "$out/run$i.res"
	if [ "$rc" = 0 ] && [ "$verdict" = clean ]; then t_ok "run $i: verdict clean (exit 0)"; else
		t_fail "run $i: verdict clean (exit 0)" "$key" "$out/run$i.out"; fi
	i=$((i + 1))
done
kinds=$(cat "$out"/run*.key | sort | uniq -c)
echo "$kinds" | sed 's/^/# verdicts: /'
if [ "$(echo "$kinds" | wc -l)" = 1 ]; then t_ok "$RUNS runs, one verdict"; else
	t_fail "$RUNS runs, one verdict" "$(echo "$kinds" | wc -l) different"; fi
t_done
