#!/bin/sh
# deb.sh - the Debian package: `make deb` builds it from debian/ in a copy
# of the tree (scripts/build-deb.sh), lintian finds no error, dpkg installs
# it into a fresh root (its own dpkg database, nothing else in it), the
# installed binary runs from there (`--version`, `features`), and dpkg
# removes it without a trace.  Run from the repository root by
# tests/run-tests.sh; `make deb` installs debhelper, lintian and the other
# tools it needs once (build/.deps-deb).
. tests/vm/guest/lib.sh
tmp=$(mktemp -d /tmp/rl-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n '1{s/^[^ ]* (//;s/).*//;p}' debian/changelog)
revision=$(sh scripts/revision.sh)
deb=build/deb/ringledger_${version}_amd64.deb

# ---- build ---------------------------------------------------------------------
rm -f "$deb"
start=$(date +%s)
if make -s deb > "$tmp/make.log" 2>&1 && [ -f "$deb" ]; then
	t_ok "make deb builds $deb ($(( $(date +%s) - start )) s)"
else
	t_fail "make deb builds $deb" "make deb failed (build/deb/build.log)" "$tmp/make.log"
	t_done
	exit 1
fi
if [ -f build/deb/lintian.txt ] && ! grep -q '^E:' build/deb/lintian.txt; then
	t_ok "lintian: no error ($(grep -c '^W:' build/deb/lintian.txt) warnings)"
else
	t_fail "lintian: no error" "build/deb/lintian.txt:" build/deb/lintian.txt
fi
field_is() {	# field value
	got=$(dpkg-deb -f "$deb" "$1")
	if [ "$got" = "$2" ]; then t_ok "the package's $1 is $2"; else
		t_fail "the package's $1 is $2" "got '$got'"; fi
}
field_is Package ringledger
field_is Version "$version"
field_is Architecture amd64
dpkg-deb -c "$deb" | awk '{print $1, $6}' > "$tmp/contents"
for f in "-rwxr-xr-x ./usr/sbin/ringledger" \
	 "-rw-r--r-- ./usr/share/man/man8/ringledger.8.gz" \
	 "-rw-r--r-- ./usr/share/bash-completion/completions/ringledger" \
	 "-rw-r--r-- ./usr/share/doc/ringledger/README.md.gz" \
	 "-rw-r--r-- ./usr/share/doc/ringledger/copyright" \
	 "-rw-r--r-- ./usr/share/doc/ringledger/changelog.gz"; do
	if grep -q -x -F -- "$f" "$tmp/contents"; then t_ok "the package has $f"; else
		t_fail "the package has $f" "dpkg-deb -c:" "$tmp/contents"; fi
done

# ---- install into a fresh root ----------------------------------------------
root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: > "$root/var/lib/dpkg/status"
if dpkg --root="$root" --log=/dev/null -i "$deb" > "$tmp/dpkg.log" 2>&1 &&
   dpkg --root="$root" -s ringledger 2>&1 | grep -q -x 'Status: install ok installed'; then
	t_ok "dpkg --root installs it into a fresh root"
else
	t_fail "dpkg --root installs it into a fresh root" "dpkg -i failed" "$tmp/dpkg.log"
fi
rl=$root/usr/sbin/ringledger
want="ringledger $version (revision $revision)"
# chroot: the root holds nothing but the package; the binary is static
if [ "$(id -u)" = 0 ]; then
	chroot "$root" /usr/sbin/ringledger --version > "$tmp/version" 2>&1
else
	"$rl" --version > "$tmp/version" 2>&1
fi
if [ "$(cat "$tmp/version")" = "$want" ]; then t_ok "the installed ringledger --version: $want"; else
	t_fail "the installed ringledger --version says '$want'" "got:" "$tmp/version"; fi

# features: as tests/cli/host.sh expects of this host's kernel
"$rl" features > "$tmp/feat" 2>&1
rc=$?
if [ "$(id -u)" != 0 ]; then
	if [ $rc = 3 ] && [ "$(wc -l < "$tmp/feat")" = 1 ]; then t_ok "the installed ringledger features: not root, one line, exit 3"; else
		t_fail "the installed ringledger features: not root, one line, exit 3" "exit $rc" "$tmp/feat"; fi
elif ! [ -e /sys/bus/event_source/devices/kprobe ] && [ $rc = 3 ]; then
	if [ "$(wc -l < "$tmp/feat")" = 1 ] && grep -q 'refuses function tracing' "$tmp/feat"; then
		t_ok "the installed ringledger features: this kernel refuses function tracing (one line, exit 3)"
	else
		t_fail "the installed ringledger features: one line saying the kernel refuses function tracing" "exit $rc" "$tmp/feat"
	fi
elif [ $rc = 0 ] || [ $rc = 2 ]; then
	t_grep "the installed ringledger features plans the hooks (exit $rc)" 'mm_page_free|page' "$tmp/feat"
else
	t_fail "the installed ringledger features" "exit $rc" "$tmp/feat"
fi
if [ -r "$root/usr/share/man/man8/ringledger.8.gz" ] &&
   MANWIDTH=80 man --warnings -l "$root/usr/share/man/man8/ringledger.8.gz" 2> "$tmp/man.err" |
	tail -n 1 | grep -q "^ringledger $version " && [ ! -s "$tmp/man.err" ]; then
	t_ok "the installed man page renders, without warnings, for ringledger $version"
else
	t_fail "the installed man page renders, without warnings, for ringledger $version" "man:" "$tmp/man.err"
fi
got=$(bash -c '. "$1"; complete -p ringledger' sh "$root/usr/share/bash-completion/completions/ringledger" 2>&1)
if [ "$got" = "complete -F _ringledger ringledger" ]; then t_ok "the installed completion loads"; else
	t_fail "the installed completion loads" "complete -p: '$got'"; fi

# ---- remove -----------------------------------------------------------------
if dpkg --root="$root" --log=/dev/null -P ringledger > "$tmp/dpkg.log" 2>&1 &&
   [ -z "$(find "$root" -path "$root/var" -prune -o ! -type d -print)" ]; then
	t_ok "dpkg --root purges it, leaving nothing outside /var/lib/dpkg"
else
	find "$root" -path "$root/var" -prune -o ! -type d -print >> "$tmp/dpkg.log"
	t_fail "dpkg --root purges it, leaving nothing outside /var/lib/dpkg" "dpkg -P and what is left:" "$tmp/dpkg.log"
fi
t_done
