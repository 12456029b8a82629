#!/bin/sh
# build-deb.sh - `make deb`: the Debian package, from debian/.
#
# dpkg-buildpackage runs in a copy of this tree (git's tracked and new, not
# ignored, files as they are now; without git, every file but build/) in
# build/deb/ringledger-VERSION, with REVISION holding the revision
# (scripts/revision.sh), as an exported tree without .git would; so the
# package is built from clean, the way a Debian build machine builds it, and
# nothing of it lands outside build/.  Then lintian over the .deb: any error
# fails.  Output: build/deb/ringledger_VERSION_amd64.deb, the build log
# build/deb/build.log, lintian's build/deb/lintian.txt.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$top"
version=$(sed -n '1{s/^[^ ]* (//;s/).*//;p}' debian/changelog)
rev=$(sh scripts/revision.sh)
out=build/deb
src=$out/ringledger-$version
rm -rf "$out"
mkdir -p "$src"

if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
echo "$rev" > "$src/REVISION"

echo "deb: building ringledger $version (revision $rev) in $src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc --jobs=auto) > "$out/build.log" 2>&1; then
	tail -n 25 "$out/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log: $out/build.log" >&2
	exit 1
fi
deb=$out/ringledger_${version}_amd64.deb
[ -f "$deb" ] || { echo "deb: dpkg-buildpackage made no $deb" >&2; exit 1; }

# lintian as nobody when we are root (it warns against root, and needs nothing of it)
as_user=""
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$deb"; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp TMPDIR=/tmp"
fi
status=0
$as_user lintian --fail-on error "$deb" > "$out/lintian.txt" 2>&1 || status=$?
sed 's/^/  lintian: /' "$out/lintian.txt"
if [ $status != 0 ]; then
	echo "deb: lintian found errors in $deb (exit $status)" >&2
	exit 1
fi
echo "deb: $deb ($(du -k "$deb" | cut -f1) KiB): $(grep -c '^E:' "$out/lintian.txt") lintian errors, $(grep -c '^W:' "$out/lintian.txt") warnings"
