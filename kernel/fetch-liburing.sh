#!/bin/sh
# fetch-liburing.sh - Debian's liburing source package, its test suite built
# static for the guest, cached outside the clone.  Prints the directory of
# the built tests (for tests/vm/run-guest.sh -x); progress goes to stderr.
#
# usage: kernel/fetch-liburing.sh [VERSION]
#   VERSION  a Debian source version (2.15-1); default $RL_LIBURING_VERSION,
#            else the newest liburing of the suites apt-env.sh searches
#
# The result, $RL_CACHE_DIR/liburing/VERSION/:
#   src/         the unpacked source package (dpkg-source -x)
#   tests/       what the guest runs, copied to /extra by run-guest.sh -x:
#     *.t          every test program of test/Makefile, static, stripped
#     version      the source version
#     list         the tests in the order liburing's `make runtests` runs them
#     stamp        a hash of this script: a changed script builds again
#   build.log
#
# Source indexes: the private apt state of apt-env.sh reads binary indexes
# only, so this script keeps a second state beside it ($RL_CACHE_DIR/apt-src)
# whose sources.list is apt-env.sh's with each `deb` line made `deb-src`
# (the mirror is the machine's own, read at run time).  apt-get source
# checks the .dsc and tarballs against the signed Sources index.
#
# A warm run (tests already built for that version) only lists the source
# versions: about a second.  The tests are rebuilt when this script changes.
# The guest side (tests/vm/guest/liburing.sh) is in the guest's /tests.
#
# Environment: RL_CACHE_DIR (default /var/cache/ringledger),
#              RL_LIBURING_VERSION, RL_APT_MAX_AGE_MIN (see apt-env.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "fetch-liburing: $*" >&2; exit 1; }
say() { echo "fetch-liburing: $*" >&2; }

# the mirror, the private apt state (binary lists) and $apt_opts
# shellcheck source=kernel/apt-env.sh
. "$here/apt-env.sh"

# ---- a source-index twin of the private apt state ------------------------
srcdir_apt=$cache/apt-src
src_opts=$(printf '%s' "$apt_opts" | sed "s|$aptdir/|$srcdir_apt/|g")
mkdir -p "$srcdir_apt/state/lists/partial" "$srcdir_apt/cache/archives/partial" "$srcdir_apt/none"
[ -e "$srcdir_apt/status" ] || : > "$srcdir_apt/status"
sed -n 's/^deb /deb-src /p' "$aptdir/sources.list" > "$srcdir_apt/sources.list.new"
if ! cmp -s "$srcdir_apt/sources.list.new" "$srcdir_apt/sources.list" 2>/dev/null; then
	mv "$srcdir_apt/sources.list.new" "$srcdir_apt/sources.list"
	rm -f "$srcdir_apt/updated"
else
	rm -f "$srcdir_apt/sources.list.new"
fi
if [ ! -e "$srcdir_apt/updated" ] || [ -n "$(find "$srcdir_apt/updated" -mmin +"$max_age" 2>/dev/null)" ]; then
	say "updating the private source indexes"
	# shellcheck disable=SC2086
	apt-get $src_opts update -q >"$srcdir_apt/update.log" 2>&1 ||
		die "apt-get update of the private source indexes failed (log: $srcdir_apt/update.log); check the network or the machine's apt sources"
	touch "$srcdir_apt/updated"
fi

# ---- pick the version ---------------------------------------------------
version=${1:-${RL_LIBURING_VERSION:-}}
# shellcheck disable=SC2086
versions=$(apt-cache $src_opts showsrc liburing 2>/dev/null | sed -n 's/^Version: //p' | sort -u)
[ -n "$versions" ] || die "no liburing source package in the private source indexes (suites: $(own_suites | tr '\n' ' ')trixie trixie-backports sid)"
if [ -z "$version" ]; then
	for v in $versions; do
		if [ -z "$version" ] || dpkg --compare-versions "$v" gt "$version"; then version=$v; fi
	done
else
	printf '%s\n' $versions | grep -qxF "$version" ||
		die "liburing $version is not in the private source indexes (there: $(echo $versions)); pick one of those"
fi

dir=$cache/liburing/$version
stamp=$(sha256sum < "$0" | cut -c1-12)
if [ -s "$dir/tests/list" ] && [ "$(cat "$dir/tests/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$dir/tests"
	exit 0
fi

# ---- download and unpack ------------------------------------------------
mkdir -p "$dir"
lock=$cache/liburing/.lock
exec 8>"$lock"
flock 8
if [ ! -d "$dir/src/test" ]; then
	work=$(mktemp -d "$cache/liburing/fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	say "downloading the liburing $version source package"
	# shellcheck disable=SC2086
	(cd "$work" && apt-get $src_opts source --download-only "liburing=$version" >"$work/download.log" 2>&1) ||
		die "apt-get source liburing=$version failed: $(tail -n 1 "$work/download.log")"
	dsc=$(ls "$work"/liburing_*.dsc 2>/dev/null | head -n 1)
	[ -n "$dsc" ] || die "no .dsc among the downloaded files of liburing $version"
	# the hashes were checked by apt against the signed Sources index; the
	# maintainer's signature is not (no keyring of Debian's developers here)
	(cd "$work" && dpkg-source --no-check -x "$dsc" src >"$work/unpack.log" 2>&1) ||
		die "dpkg-source -x of $dsc failed: $(tail -n 1 "$work/unpack.log")"
	rm -rf "$dir/src"
	mv "$work/src" "$dir/src"
fi

# ---- build static, strip ------------------------------------------------
# The guest is a busybox initramfs: no glibc, no libgcc_s, no libstdc++.
# liburing.a and every test are linked -static; a fresh build each time
# (the tree is small: about a minute on two cores).
say "building liburing $version and its tests (static; log: $dir/build.log)"
bld=$dir/build
rm -rf "$bld" "$dir/tests.new"
cp -a "$dir/src" "$bld"
start=$(date +%s)
{
	cd "$bld"
	./configure --use-libc --cc="${CC:-cc}" --cxx="${CXX:-c++}" &&
	make -j"$(nproc)" -C src liburing.a &&
	make -j"$(nproc)" -C test LDFLAGS=-static all
} > "$dir/build.log" 2>&1 || die "the build of liburing $version failed: $(tail -n 1 "$dir/build.log") (log: $dir/build.log)"
mkdir -p "$dir/tests.new"
# the test list, as liburing's test/Makefile has it (make -p: its
# $(test_targets) after the config-dependent filters)
make -s -C "$bld/test" -p -n all 2>/dev/null | sed -n 's/^test_targets := //p' | tail -n 1 |
	tr ' ' '\n' | sed -n 's/\(.*\.t\)$/\1/p' > "$dir/tests.new/list.want"
[ -s "$dir/tests.new/list.want" ] || die "could not read the test list from $bld/test/Makefile (make -p printed no test_targets)"
: > "$dir/tests.new/list"
for t in $(cat "$dir/tests.new/list.want"); do
	[ -x "$bld/test/$t" ] || die "test $t was not built (log: $dir/build.log)"
	file "$bld/test/$t" | grep -q 'statically linked' || die "test $t is not static: $(file -b "$bld/test/$t")"
	strip -o "$dir/tests.new/$t" "$bld/test/$t"
	echo "$t" >> "$dir/tests.new/list"
done
rm -f "$dir/tests.new/list.want"
echo "$version" > "$dir/tests.new/version"
echo "$stamp" > "$dir/tests.new/stamp"
rm -rf "$dir/tests" "$bld"
mv "$dir/tests.new" "$dir/tests"
say "built $(wc -l < "$dir/tests/list") tests in $(( $(date +%s) - start )) s ($(du -sh "$dir/tests" | cut -f1))"
echo "$dir/tests"
