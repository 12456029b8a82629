#!/bin/sh
# run.sh - behaviour kept byte for byte: every replay in tests/replays/ is
# run through `ringledger replay --raw-addresses -v --json --junit` and
# through dump_events (each event's stream, text and JSON line, raw), and the outputs are compared
# with tests/golden/expected/.  `sh tests/golden/run.sh --update` writes
# them anew: do that only for a change that means to alter an output, and
# say so in its commit.
# Each v1 replay has a v2 twin in tests/replays/v2/ (dump_events
# --restream: what `record` writes today): the twin must be exactly what
# the writer makes of the v1 file, and replay to the same report.
# Run from the repository root by tests/run-tests.sh (needs build/ringledger
# and build/golden/dump_events).
. tests/vm/guest/lib.sh
RL=build/ringledger
DUMP=build/golden/dump_events
exp=tests/golden/expected
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
update=0
[ "${1:-}" = --update ] && update=1
mkdir -p "$exp"

for f in tests/replays/*.events; do
	n=$(basename "$f" .events)
	# the report's command line is the file's name: keep it relative;
	# --raw-addresses: hashed addresses change with every run
	$RL replay --raw-addresses -v --json "$out/$n.json" --junit "$out/$n.xml" "$f" > "$out/$n.out" 2>&1
	echo "exit $?" >> "$out/$n.out"
	$DUMP "$f" > "$out/$n.dump" 2>&1
	for ext in out json xml dump; do
		if [ "$update" = 1 ]; then
			cp "$out/$n.$ext" "$exp/$n.$ext"
		elif cmp -s "$out/$n.$ext" "$exp/$n.$ext"; then
			t_ok "golden $n.$ext"
		else
			diff -u "$exp/$n.$ext" "$out/$n.$ext" > "$out/diff" 2>&1
			t_fail "golden $n.$ext" "output differs from $exp/$n.$ext" "$out/diff"
		fi
	done
done
# ---- the v2 twins -------------------------------------------------------
mkdir -p tests/replays/v2
for f in tests/replays/*.events; do
	head -n 1 "$f" | grep -q ' v1$' || continue
	n=$(basename "$f" .events)
	twin=tests/replays/v2/$n.events
	$DUMP --restream "$f" > "$out/$n.v2" 2>&1
	if [ "$update" = 1 ]; then
		cp "$out/$n.v2" "$twin"
		continue
	fi
	if cmp -s "$out/$n.v2" "$twin"; then
		t_ok "v2 twin $n: what the writer makes of the v1 file"
	else
		diff -u "$twin" "$out/$n.v2" > "$out/diff" 2>&1
		t_fail "v2 twin $n: what the writer makes of the v1 file" "differs from $twin" "$out/diff"
	fi
	$RL replay --raw-addresses -v --json "$out/$n.v2.json" "$twin" > "$out/$n.v2.out" 2>&1
	echo "exit $?" >> "$out/$n.v2.out"
	for ext in out json; do
		sed "s|tests/replays/v2/$n.events|tests/replays/$n.events|g" "$out/$n.v2.$ext" > "$out/$n.v2.$ext.norm"
		if cmp -s "$out/$n.v2.$ext.norm" "$exp/$n.$ext"; then
			t_ok "v2 twin $n: the same $ext as the v1 file"
		else
			diff -u "$exp/$n.$ext" "$out/$n.v2.$ext.norm" > "$out/diff" 2>&1
			t_fail "v2 twin $n: the same $ext as the v1 file" "differs" "$out/diff"
		fi
	done
done
[ "$update" = 1 ] && { echo "golden outputs written to $exp and tests/replays/v2"; exit 0; }
t_done
