#!/bin/sh
# matrix.sh - the detection matrix, in the guest on ringledger's patched
# kernel (tests/vm/matrix.sh runs it): each bug class's workload under
# `ringledger check`, first with every knob off, then with its knob on; a
# Markdown table of how many findings of each id the report held.
# The table is printed between "<!-- matrix -->" and "<!-- end matrix -->".
. /tests/knobs.sh

ringledger features > "$FEATURES" 2>&1
knobs_all_off
ids="RL001 RL002 RL003 RL004 RL005 RL006 RL007 RL008 RL009 RL010"

row() {	# knob-cell workload expected state
	line="| $1 | \`$(echo "$2" | sed 's|/workloads/||')\` |"
	for id in $ids; do
		n=$(report_count "$KJ" "$id")
		[ "$n" = 0 ] && n=.
		line="$line $n |"
	done
	got=$(report_id_set "$KJ")
	split_expected "$3"
	if [ "$4" = off ]; then want=""; fi
	if [ "$got" = "$want" ]; then verdict=yes; else verdict="**no**"; fi
	note=""
	[ "$4" = on ] && [ -n "$not_yet" ] && note="$not_yet not in the ledger yet"
	[ "$4" = on ] && ! knob_truth "$5" && note="$note ground truth NOT seen"
	[ -n "$kmsg" ] && note="$note kernel log: $kmsg"
	exp=$3
	[ "$4" = off ] && exp=none
	echo "$line $exp | $verdict | $note |"
}

echo "<!-- matrix -->"
echo "kernel $(uname -r); cell = findings of that id in \`ringledger check --json\`; . = none"
echo
printf '| knob | workload |'
for id in $ids; do printf ' %s |' "$id"; done
echo " expected | as expected | note |"
printf '|---|---|'
for id in $ids; do printf -- '---:|'; done
echo "---|---|---|"
while IFS='|' read -r knob expected workload; do
	# shellcheck disable=SC2086
	knob_run - $workload
	if [ "$knob" = - ]; then
		# no knob: the stock kernel's behaviour is the bug
		row "none (stock kernel)" "$workload" "$expected" on -
		continue
	fi
	row "off" "$workload" "$expected" off
	# shellcheck disable=SC2086
	knob_run "$knob" $workload
	row "\`$knob\`" "$workload" "$expected" on "$knob"
done <<EOF
$KNOB_ROWS
EOF
echo "<!-- end matrix -->"
