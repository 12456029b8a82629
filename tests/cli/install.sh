#!/bin/sh
# install.sh - what a user installs, checked on this host without a package:
# `make install` with PREFIX and DESTDIR (files, modes), `--version` and its
# revision, the man page (renders without warnings, has its sections, and
# EXIT STATUS says what README's exit code table says), the bash completion.
# Run from the repository root by tests/run-tests.sh, after `make`.
. tests/vm/guest/lib.sh
RL=build/ringledger
tmp=$(mktemp -d /tmp/rl-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n '1{s/^[^ ]* (//;s/).*//;p}' debian/changelog)
revision=$(sh scripts/revision.sh)

# ---- make install ----------------------------------------------------------
mode_is() {	# name file mode
	if [ -f "$2" ] && [ "$(stat -c %a "$2")" = "$3" ]; then t_ok "$1"; else
		t_fail "$1" "expected $2 with mode $3, got: $(ls -l "$2" 2>&1)"; fi
}
if make -s install DESTDIR="$tmp/d" PREFIX=/opt/rl > "$tmp/make.log" 2>&1; then
	t_ok "make install DESTDIR=... PREFIX=/opt/rl"
else
	t_fail "make install DESTDIR=... PREFIX=/opt/rl" "make failed" "$tmp/make.log"
fi
p=$tmp/d/opt/rl
mode_is "the binary in PREFIX/sbin, 0755" "$p/sbin/ringledger" 755
mode_is "the man page in PREFIX/share/man/man8, 0644" "$p/share/man/man8/ringledger.8" 644
mode_is "the completion in PREFIX/share/bash-completion/completions, 0644" \
	"$p/share/bash-completion/completions/ringledger" 644
n=$(cd "$tmp/d" && find . -type f | wc -l)
if [ "$n" = 3 ] && [ "$(ls "$tmp/d")" = opt ]; then t_ok "nothing installed outside DESTDIR/PREFIX"; else
	(cd "$tmp/d" && find . -type f) > "$tmp/files"
	t_fail "nothing installed outside DESTDIR/PREFIX" "$n files" "$tmp/files"; fi
if cmp -s "$RL" "$p/sbin/ringledger"; then t_ok "the installed binary is build/ringledger"; else
	t_fail "the installed binary is build/ringledger" "they differ"; fi
make -s install DESTDIR="$tmp/default" > "$tmp/make.log" 2>&1
mode_is "PREFIX defaults to /usr/local" "$tmp/default/usr/local/sbin/ringledger" 755

# ---- --version ----------------------------------------------------------------
want="ringledger $version (revision $revision)"
"$p/sbin/ringledger" --version > "$tmp/version" 2>&1
if [ "$(cat "$tmp/version")" = "$want" ]; then t_ok "--version: $want"; else
	t_fail "--version prints the version and revision" "expected '$want'" "$tmp/version"; fi
if [ -d .git ] || [ -f .git ]; then
	if [ "$revision" = "$(git describe --always --dirty)" ]; then t_ok "the revision is git describe --always --dirty"; else
		t_fail "the revision is git describe --always --dirty" "got '$revision'"; fi
fi
# an exported tree (no .git): REVISION as git archive fills it in, else unknown
mkdir -p "$tmp/export/scripts"
cp scripts/revision.sh "$tmp/export/scripts/"
cp REVISION "$tmp/export/"
rev=$(sh "$tmp/export/scripts/revision.sh")
if [ "$rev" = unknown ]; then t_ok "an exported tree with REVISION unexpanded: revision unknown"; else
	t_fail "an exported tree with REVISION unexpanded: revision unknown" "got '$rev'"; fi
echo 1a2b3c4 > "$tmp/export/REVISION"
rev=$(sh "$tmp/export/scripts/revision.sh")
if [ "$rev" = 1a2b3c4 ]; then t_ok "an exported tree: the revision from REVISION"; else
	t_fail "an exported tree: the revision from REVISION" "got '$rev'"; fi

# ---- the man page -----------------------------------------------------------
man=$p/share/man/man8/ringledger.8
MANWIDTH=80 man --warnings -l doc/ringledger.8 > "$tmp/man.txt" 2> "$tmp/man.err"
if [ $? = 0 ] && [ ! -s "$tmp/man.err" ] && [ -s "$tmp/man.txt" ]; then
	t_ok "doc/ringledger.8 renders without warnings (man --warnings, 80 columns)"
else
	t_fail "doc/ringledger.8 renders without warnings (man --warnings, 80 columns)" "warnings:" "$tmp/man.err"
fi
for s in SYNOPSIS COMMANDS OPTIONS "EXIT STATUS" OVERHEAD FILES EXAMPLES; do
	t_grep "the man page has $s" "^$s\$" "$tmp/man.txt"
done
MANWIDTH=80 man -l "$man" 2> /dev/null | tail -n 1 > "$tmp/footer"
t_grep "the installed man page's footer says ringledger $version" "^ringledger $version " "$tmp/footer"
# EXIT STATUS: each code's first word(s) as in README's table
sed -n '/^EXIT STATUS$/,/^[A-Z]/p' "$tmp/man.txt" > "$tmp/exit.txt"
for c in "0:[Cc]lean" "1:[Ff]indings" "2:[Ii]nconclusive" "3:[Tt]ool error"; do
	code=${c%%:*}; word=${c#*:}
	if grep -q -E "^\| $code \| $word" README.md &&
	   grep -A1 -E "^ +$code( |$)" "$tmp/exit.txt" | grep -q -E "$word"; then
		t_ok "exit status $code means the same in README and the man page"
	else
		t_fail "exit status $code means the same in README and the man page" \
			"README: $(grep -E "^\| $code \|" README.md | cut -c1-60)" "$tmp/exit.txt"
	fi
done
# the rendered page wraps where it likes: these phrases are looked for in
# its text as one line
tr -s '\n ' '  ' < "$tmp/man.txt" > "$tmp/man.line"
t_grep "OVERHEAD: the page-free tracepoint and its one lookup" 'one hash lookup' "$tmp/man.line"
t_grep "OVERHEAD: pins observed per page" 'per page at pin time' "$tmp/man.txt"

# ---- bash completion --------------------------------------------------------
comp=$p/share/bash-completion/completions/ringledger
complete_words() {	# words...: what completing the last word offers
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ringledger; echo "${COMPREPLY[*]}"' sh "$comp" "$@" 2>&1
}
got=$(bash -c '. "$1"; complete -p ringledger' sh "$comp" 2>&1)
if [ "$got" = "complete -F _ringledger ringledger" ]; then t_ok "complete -p ringledger: $got"; else
	t_fail "the completion registers _ringledger" "complete -p: '$got'"; fi
comp_is() {	# expected words...
	want=$1; shift
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then t_ok "completing '$*' gives '$want'"; else
		t_fail "completing '$*' gives '$want'" "got '$got'"; fi
}
comp_is "check" ringledger ch
comp_is "--json --junit" ringledger check --j
comp_is "check trace stat record replay features --help --version" ringledger ""
comp_is "--interval" ringledger stat --int
comp_is "kprobe" ringledger check --attach = k
comp_is "--attach=fentry" ringledger trace --attach=f
comp_is "RL008,RL010" ringledger check --allow RL008,RL01
comp_is "--" ringledger check --json r.json ""
comp_is "--json" ringledger trace --j
# every long option of each subcommand's --help is completed, and no other
for c in check trace stat record replay features; do
	"$RL" $c --help | grep -o -E -- '--[a-z][a-z-]*' | sort -u > "$tmp/help"
	complete_words ringledger $c -- | tr ' ' '\n' | grep -E -- '^--[a-z]' | sort -u > "$tmp/comp"
	if diff "$tmp/help" "$tmp/comp" > "$tmp/diff"; then
		t_ok "the completion offers exactly $c --help's long options"
	else
		t_fail "the completion offers exactly $c --help's long options" \
			"< in --help only, > in the completion only" "$tmp/diff"
	fi
done
t_done
