#!/bin/sh
# fetch-kernel.sh - fetch a Debian cloud kernel image by series and cache it
# outside the clone.  Prints the cache directory, which then holds:
#   vmlinuz  config  System.map  version
#
# usage: kernel/fetch-kernel.sh SERIES
#   SERIES  6.1 | 6.12 | 7.2 | 7.3 | 7 (newest 7.x) | an exact version
#           (7.3.4+deb13; 6.1.176-1 for Debian 12's ABI-named kernels)
#
# The mirror is the one the machine's own apt sources use (read at run time);
# the suites searched are the machine's own (bookworm: 6.1) plus trixie, trixie-backports and
# sid.  Downloads go through a private apt state directory: the system's apt
# configuration is never touched.
#
# Environment: RL_CACHE_DIR (default /var/cache/ringledger),
#              RL_APT_MAX_AGE_MIN (refresh the private package lists after
#              this many minutes, default 1440).
set -eu

series=${1:?usage: fetch-kernel.sh SERIES (6.1, 6.12, 7.2, 7.3, 7 for the newest 7.x)}
die() { echo "fetch-kernel: $*" >&2; exit 1; }

# the mirror, the private apt state and fresh package lists
# shellcheck source=kernel/apt-env.sh
. "$(dirname "$0")/apt-env.sh"

# ---- pick the version ---------------------------------------------------
# cloud kernel packages: linux-image-V-cloud-amd64 (6.12: holds everything),
# linux-binary[-unsigned]-V-cloud-amd64 (vmlinuz) + linux-base-V-cloud-amd64
# (config, System.map) from 7.x on.
# shellcheck disable=SC2086
versions=$(apt-cache $apt_opts pkgnames linux- 2>/dev/null |
	sed -n 's/^linux-\(image\|binary\|binary-unsigned\)-\([0-9][0-9.]*+deb[0-9]*\)-cloud-amd64$/\2/p' | sort -u)
case $series in
7) pattern='^7\.' ;;
*+deb*) pattern="^$(printf '%s' "$series" | sed 's/[.+]/\\&/g')\$" ;;
*) pattern="^$(printf '%s' "$series" | sed 's/\./\\./g')\\." ;;
esac
best=""
for v in $(printf '%s\n' $versions | grep -E "$pattern" || true); do
	if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
done
# Debian 12 and older name their kernels by ABI, not version:
# linux-image-6.1.0-N-cloud-amd64 (Debian version 6.1.V-R); the newest ABI of
# the series is cached under its Debian version.
abi_pkg=""
if [ -z "$best" ]; then
	case $series in
	*+deb*|7) ;;
	*)	# shellcheck disable=SC2086
		abi_pkg=$(apt-cache $apt_opts pkgnames linux-image- 2>/dev/null |
			grep -E "^linux-image-$(printf '%s' "$series" | sed 's/\./\\./g')\.0-[0-9]+-cloud-amd64\$" |
			sort -V | tail -n 1)
		if [ -n "$abi_pkg" ]; then
			# shellcheck disable=SC2086
			best=$(apt-cache $apt_opts policy "$abi_pkg" 2>/dev/null | sed -n 's/^ *Candidate: \([0-9].*\)/\1/p')
			[ -n "$best" ] || abi_pkg=""
		fi ;;
	esac
	if [ -z "$best" ]; then
		# an exact Debian version of an ABI-named kernel (6.1.176-1)
		for d in "$cache"/kernels/"$series"; do
			[ -s "$d/vmlinuz" ] && [ -s "$d/version" ] && { echo "$d"; exit 0; }
		done
	fi
fi
[ -n "$best" ] || die "no Debian cloud kernel of series $series on the mirror (suites: $(own_suites | tr '\n' ' ')trixie trixie-backports sid)"

dir=$cache/kernels/$best
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/version" ]; then
	echo "$dir"
	exit 0
fi

# ---- download and take apart --------------------------------------------
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkgs=${abi_pkg:+ $abi_pkg}
[ -n "$abi_pkg" ] || for p in linux-image-$best-cloud-amd64 linux-binary-$best-cloud-amd64 \
	 linux-binary-unsigned-$best-cloud-amd64 linux-base-$best-cloud-amd64; do
	# only real packages with a candidate (some names are only referenced)
	# shellcheck disable=SC2086
	if apt-cache $apt_opts policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then pkgs="$pkgs $p"; fi
done
echo "fetch-kernel: downloading$pkgs" >&2
# shellcheck disable=SC2086
(cd "$work" && apt-get $apt_opts download $pkgs >"$work/download.log" 2>&1) ||
	die "download of$pkgs failed: $(tail -n 1 "$work/download.log")"
for deb in "$work"/*.deb; do
	dpkg-deb -x "$deb" "$work/root"
done
vmlinuz=$(find "$work/root" -name 'vmlinuz*' -type f | head -n 1)
config=$(find "$work/root" \( -name 'config' -o -name 'config-*' \) -type f | head -n 1)
sysmap=$(find "$work/root" -name 'System.map*' -type f | head -n 1)
[ -n "$vmlinuz" ] || die "no vmlinuz in$pkgs"
[ -n "$config" ] || echo "fetch-kernel: note: no kernel config in$pkgs (the guest does not need it)" >&2
mkdir -p "$dir.tmp"
cp "$vmlinuz" "$dir.tmp/vmlinuz"
[ -n "$config" ] && cp "$config" "$dir.tmp/config"
[ -n "$sysmap" ] && cp "$sysmap" "$dir.tmp/System.map"
echo "$best" > "$dir.tmp/version"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
