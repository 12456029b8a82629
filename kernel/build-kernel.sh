#!/bin/sh
# build-kernel.sh - build one of ringledger's own kernels from Debian's
# newest linux-source-7.x and cache it outside the clone.  Prints the cache
# directory as the last line of stdout (progress goes to stderr), so that
#   tests/vm/run-guest.sh -k "$(kernel/build-kernel.sh)" -- CMD
# works.  The directory holds:
#   vmlinuz (x86: the bzImage) or Image (riscv64)  config  System.map
#   version  build.log
#
# usage: kernel/build-kernel.sh [-f] [x86|nommu|nommu-prefix]
#   -f  build again even when the cache holds this build
#   x86           (default) x86_64, tinyconfig + kernel/config/ringledger.config,
#                 kernel/patches/*.patch: the patched kernel of the guest suite
#   nommu         riscv64 without MMU: the kernel's nommu_virt_defconfig +
#                 kernel/nommu/nommu.config, no patch (7.3 carries seed 000's fix)
#   nommu-prefix  the same with kernel/nommu/*.patch: seed 000's fix reverted
#
# Steps: the linux-source package through fetch-kernel.sh's private apt
# state (kernel/apt-env.sh: the mirror of the machine's own apt sources,
# never the system's apt state); its tarball extracted under the cache;
# kernel/patches/*.patch applied in order, each dry-run first; `make
# tinyconfig` + kernel/config/ringledger.config (merge_config.sh, then
# olddefconfig), checked afterwards: every option the fragment sets to y must
# be y, every one it unsets must not be y; `make bzImage` (riscv64: `Image`).
#
# The result lives in $RL_CACHE_DIR/built/<source version>-<hash12>, where
# hash12 starts the sha256 over the patches, the fragment and this script:
# change any of them and the next run builds anew; a warm run prints the
# directory at once.  The kernel calls itself <version>-ringledger-<hash12>.
#
# Environment: RL_CACHE_DIR (default /var/cache/ringledger),
#              RL_APT_MAX_AGE_MIN (see fetch-kernel.sh),
#              RL_KERNEL_JOBS (make -j, default nproc),
#              RL_KEEP_TREE=1 (keep the patched source and object tree in
#              $RL_CACHE_DIR/build/ for partial rebuilds; removed otherwise).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "build-kernel: $*" >&2; exit 1; }
say() { echo "build-kernel: $*" >&2; }

usage() { echo "usage: kernel/build-kernel.sh [-f] [x86|nommu|nommu-prefix]" >&2; exit 2; }
force=0
[ "${1:-}" = -f ] && { force=1; shift; }
flavor=${1:-x86}
[ $# -le 1 ] || usage

# ---- the flavor: architecture, base config, fragment, patches, image -----
patchdir=""
case $flavor in
x86)
	arch=x86_64 cross="" base=tinyconfig target=bzImage
	image=arch/x86/boot/bzImage out=vmlinuz prefix=""
	fragment=$top/kernel/config/ringledger.config patchdir=$top/kernel/patches ;;
nommu|nommu-prefix)
	arch=riscv cross=riscv64-linux-gnu- base=nommu_virt_defconfig target=Image
	image=arch/riscv/boot/Image out=Image prefix=$flavor-
	fragment=$top/kernel/nommu/nommu.config
	[ $flavor = nommu-prefix ] && patchdir=$top/kernel/nommu ;;
*) usage ;;
esac
[ -r "$fragment" ] || die "missing $fragment"
# sorted by the shell's glob: 0001-..., 0002-..., applied in this order
patches=""
if [ -n "$patchdir" ]; then
	for p in "$patchdir"/*.patch; do
		[ -e "$p" ] && patches="$patches $p"
	done
	[ -n "$patches" ] || die "no patch in $patchdir"
fi

# ---- what this build is: source version + hash of its inputs -------------
hash=$({
	printf '%s\n' "$flavor"
	for f in "$0" "$fragment" $patches; do
		printf '== %s\n' "$(basename "$f")"
		cat "$f"
	done
} | sha256sum | cut -c1-12)

cache=${RL_CACHE_DIR:-/var/cache/ringledger}
built=$cache/built

# Newest linux-source-7.* in the private package lists: "PACKAGE VERSION".
# In a subshell, so that a failing apt (offline) can fall back to the cache.
pick_source() {
	# shellcheck source=kernel/apt-env.sh
	. "$top/kernel/apt-env.sh"
	best_pkg="" best_ver=""
	# shellcheck disable=SC2086
	for pkg in $(apt-cache $apt_opts pkgnames linux-source-7. 2>/dev/null | grep -E '^linux-source-7\.[0-9]+$'); do
		# shellcheck disable=SC2086
		for v in $(apt-cache $apt_opts show "$pkg" 2>/dev/null | sed -n 's/^Version: //p'); do
			if [ -z "$best_ver" ] || dpkg --compare-versions "$v" gt "$best_ver"; then
				best_pkg=$pkg best_ver=$v
			fi
		done
	done
	[ -n "$best_pkg" ] || die "no linux-source-7.* package on the mirror (suites: $(own_suites | tr '\n' ' ')trixie trixie-backports sid)"
	echo "$best_pkg $best_ver"
}

if src=$(pick_source); then
	srcpkg=${src% *}
	srcver=${src#* }
else
	# offline: the newest cached build of these very inputs will do
	dir=$(ls -1dt "$built"/"$prefix"*-"$hash" 2>/dev/null | head -n 1 || true)
	[ -n "$dir" ] && [ -s "$dir/$out" ] || exit 1
	say "package lists unavailable; using the cached build $(basename "$dir")"
	echo "$dir"
	exit 0
fi

dir=$built/$prefix$srcver-$hash
if [ $force = 0 ] && [ -s "$dir/$out" ] && [ -s "$dir/version" ]; then
	echo "$dir"
	exit 0
fi

# ---- a cold build ----------------------------------------------------------
start=$(date +%s)
# shellcheck source=kernel/apt-env.sh
. "$top/kernel/apt-env.sh"
mkdir -p "$built" "$cache/src" "$cache/build"
exec 9>"$cache/build-kernel.lock"
if command -v flock >/dev/null 2>&1; then
	flock -n 9 || { say "another build-kernel.sh is running; waiting"; flock 9; }
	# it may have built this very kernel meanwhile
	if [ $force = 0 ] && [ -s "$dir/$out" ] && [ -s "$dir/version" ]; then
		echo "$dir"
		exit 0
	fi
fi

missing=""
for t in gcc make flex bison bc pahole patch xz tar python3 dpkg-deb; do
	command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -e /usr/include/gelf.h ] || missing="$missing libelf-dev"
[ -e /usr/include/openssl/opensslv.h ] || missing="$missing libssl-dev"
[ -z "$cross" ] || command -v "${cross}gcc" >/dev/null 2>&1 || missing="$missing ${cross}gcc"
[ -z "$missing" ] || die "missing build tools:$missing (scripts/install-deps.sh installs them)"

# the source tarball, kept per source version
srcdir=$cache/src/$srcver
tarball=$(ls "$srcdir"/linux-source-*.tar.xz 2>/dev/null | head -n 1 || true)
if [ -z "$tarball" ]; then
	say "downloading $srcpkg $srcver"
	dl=$(mktemp -d "$cache/src/dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	# shellcheck disable=SC2086
	(cd "$dl" && apt-get $apt_opts download "$srcpkg=$srcver" >"$dl/download.log" 2>&1) ||
		die "download of $srcpkg $srcver failed: $(tail -n 1 "$dl/download.log")"
	dpkg-deb -x "$dl"/*.deb "$dl/root"
	t=$(find "$dl/root" -name 'linux-source-*.tar.xz' -type f | head -n 1)
	[ -n "$t" ] || die "no linux-source-*.tar.xz in $srcpkg $srcver"
	mkdir -p "$srcdir"
	mv "$t" "$srcdir/"
	rm -rf "$dl"
	trap - EXIT
	tarball=$(ls "$srcdir"/linux-source-*.tar.xz | head -n 1)
fi

# a fresh tree per build: patches never meet a tree patched before
tree=$cache/build/$prefix$srcver-$hash
rm -rf "$tree"
mkdir -p "$tree/src" "$tree/obj"
trap '[ "${RL_KEEP_TREE:-0}" = 1 ] || rm -rf "$tree"; rm -rf "$dir.tmp"' EXIT
say "extracting $(basename "$tarball") ($srcver)"
tar -xf "$tarball" -C "$tree/src" --strip-components=1
kver=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$tree/src/Makefile" | paste -sd.)

for p in $patches; do
	name=$(basename "$p")
	patch -p1 -N --dry-run -s -d "$tree/src" < "$p" >/dev/null 2>&1 ||
		die "$name does not apply to linux-source $srcver ($kver)"
	say "applying $name"
	patch -p1 -N -s -d "$tree/src" < "$p" >/dev/null
done

log=$tree/build.log
mk() { make -C "$tree/src" O="$tree/obj" ARCH=$arch CROSS_COMPILE=$cross "$@"; }
say "configuring: $base + $(basename "$fragment")"
{
	mk $base
	printf 'CONFIG_LOCALVERSION="-ringledger-%s"\n# CONFIG_LOCALVERSION_AUTO is not set\n' "$hash" \
		> "$tree/localversion.config"
	(cd "$tree/src" && scripts/kconfig/merge_config.sh -m -O "$tree/obj" \
		"$tree/obj/.config" "$fragment" "$tree/localversion.config")
	mk olddefconfig
} > "$log" 2>&1 || die "configuration failed (log: $log)"

# every =y of the fragment must be y, every "is not set" must not be y
lost=""
for opt in $(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=y$/\1/p' "$fragment"); do
	grep -qx "$opt=y" "$tree/obj/.config" || lost="$lost $opt"
done
for opt in $(sed -n 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1/p' "$fragment"); do
	grep -qx "$opt=y" "$tree/obj/.config" && lost="$lost !$opt"
done
if [ -n "$lost" ]; then
	case $lost in *DEBUG_INFO_BTF*) lost="$lost (DEBUG_INFO_BTF needs pahole >= 1.22; this one: $(pahole --version 2>/dev/null || echo none))" ;; esac
	die "options of $(basename "$fragment") that did not stick:$lost"
fi

jobs=${RL_KERNEL_JOBS:-$(nproc)}
say "building $kver ($flavor) with $(echo $patches | wc -w) patches, make -j$jobs $target (x86 about 10 min on 2 cores, nommu about 4; log: $log)"
mk -j"$jobs" KBUILD_BUILD_USER=ringledger KBUILD_BUILD_HOST=ringledger $target >> "$log" 2>&1 || {
	tail -n 20 "$log" | sed 's/^/  /' >&2
	die "make $target failed (log: $log)"
}
release=$(mk -s kernelrelease 2>/dev/null)

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp"
cp "$tree/obj/$image" "$dir.tmp/$out"
cp "$tree/obj/.config" "$dir.tmp/config"
cp "$tree/obj/System.map" "$dir.tmp/System.map"
cp "$log" "$dir.tmp/build.log"
echo "$release" > "$dir.tmp/version"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
say "$release: $(wc -c < "$dir/$out") byte $target"
say "built in $(( $(date +%s) - start )) s"
echo "$dir"
