#!/bin/sh
# html.sh - `--html`'s page in a real browser: headless Chromium (Debian's,
# installed by `scripts/install-deps.sh browser`) loads each page from a
# file, its DOM is dumped and a screenshot taken.  The page is whole by
# itself (no script, nothing fetched), has one timeline per finding (as
# many as the JSON report lists), and a browser draws it.
# Run from the repository root by tests/run-tests.sh.
. tests/vm/guest/lib.sh
RL=build/ringledger
d=$(mktemp -d /tmp/rl-html.XXXXXX)

if ! sh scripts/install-deps.sh browser > $d/deps.log 2>&1 || ! command -v chromium > /dev/null; then
	t_fail "headless Chromium installed" "scripts/install-deps.sh browser failed" $d/deps.log
	t_done
	exit 1
fi
browser() {	# what file: chromium's --dump-dom or --screenshot of a file
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir=$d/profile "$@" 2>> $d/chromium.err
}
for r in fork_break split_break rl001_break rl009_release_break rl002_clean; do
	f=tests/replays/$r.events
	$RL replay --html $d/$r.html --json $d/$r.json "$f" > /dev/null 2>&1
	want=$(grep -o '"id":"RL0[0-9]*"' $d/$r.json | wc -l)
	if grep -q -i -E '<script|<link|<img|<iframe| src=| href=|@import|url\(' $d/$r.html; then
		t_fail "$r: the page is whole by itself" "it loads or runs something" $d/$r.html
	else
		t_ok "$r: the page is whole by itself (no script, nothing fetched)"
	fi
	browser --dump-dom "file://$d/$r.html" > $d/$r.dom
	got=$(grep -o '<svg class="timeline"' $d/$r.dom | wc -l)
	if [ -s $d/$r.dom ] && [ "$got" = "$want" ]; then
		t_ok "$r: Chromium's DOM has one timeline per finding ($got)"
	else
		t_fail "$r: Chromium's DOM has one timeline per finding" "$got timelines, $want findings" $d/chromium.err
	fi
	browser --window-size=1000,1400 --screenshot=$d/$r.png "file://$d/$r.html" > /dev/null
	if [ "$(head -c 8 $d/$r.png 2> /dev/null | od -A n -t x1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
	   [ "$(wc -c < $d/$r.png)" -gt 10000 ]; then
		t_ok "$r: Chromium draws it (a $(wc -c < $d/$r.png)-byte screenshot)"
	else
		t_fail "$r: Chromium draws it" "no PNG screenshot" $d/chromium.err
	fi
done
t_grep "a finding's picture marks the event that broke the rule" '<text class="break"[^>]*>broke the rule</text>' $d/fork_break.dom
t_grep "... and the one that set it up" '<text class="setup"[^>]*>set up</text>' $d/fork_break.dom
t_grep "... with the evidence beside" '<pre class="evidence">RL0' $d/fork_break.dom
t_grep "a clean run's page says so" 'class="verdict v-clean">clean<' $d/rl002_clean.dom
rm -rf "$d"
t_done
