#!/bin/sh
# fetch-kernel.sh - fetch a Debian cloud kernel image by series and cache it
# outside the clone.  Prints the cache directory, which then holds:
#   vmlinuz  config  System.map  version
#
# usage: kernel/fetch-kernel.sh SERIES
#   SERIES  6.12 | 7.2 | 7.3 | 7 (newest 7.x) | an exact version (7.3.4+deb13)
#
# The mirror is the one the machine's own apt sources use (read at run time);
# the suites searched are the machine's own plus trixie, trixie-backports and
# sid.  Downloads go through a private apt state directory: the system's apt
# configuration is never touched.
#
# Environment: RL_CACHE_DIR (default /var/cache/ringledger),
#              RL_APT_MAX_AGE_MIN (refresh the private package lists after
#              this many minutes, default 1440).
set -eu

series=${1:?usage: fetch-kernel.sh SERIES (6.12, 7.2, 7.3, 7 for the newest 7.x)}
cache=${RL_CACHE_DIR:-/var/cache/ringledger}
aptdir=$cache/apt
max_age=${RL_APT_MAX_AGE_MIN:-1440}
die() { echo "fetch-kernel: $*" >&2; exit 1; }

# ---- the mirror, from the machine's apt configuration -------------------
debian_mirror() {
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			# deb822: a stanza's URIs and Suites
			awk '/^URIs:/{u=$2} /^Suites:/{s=$2} /^$/{if(u&&s)print u" "s; u=s=""} END{if(u&&s)print u" "s}' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) \([^ ]*\).*/\2 \3/p' "$f"
		done
	} | while read -r uri suite; do
		case $suite in *-security|*/updates) continue ;; esac
		case $uri in *debian*) echo "$uri"; break ;; esac
	done | head -n 1
}

own_suites() {
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -r "$f" ] || continue
			awk '/^Suites:/{for(i=2;i<=NF;i++)print $i}' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -r "$f" ] || continue
			sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}[^ ]* \([^ ]*\).*/\2/p' "$f"
		done
	} | grep -v -e '-security$' -e '/updates$' | sort -u
}

mirror=$(debian_mirror)
[ -n "$mirror" ] || die "no Debian mirror in /etc/apt/sources.list{,.d}; add one or set up apt first"

# ---- a private apt state ------------------------------------------------
apt_opts="-o Dir::State=$aptdir/state -o Dir::Cache=$aptdir/cache \
-o Dir::Etc::SourceList=$aptdir/sources.list -o Dir::Etc::SourceParts=$aptdir/none \
-o Dir::State::status=$aptdir/status -o Debug::NoLocking=1 -o APT::Architecture=amd64 \
-o APT::Sandbox::User=root -o Acquire::Languages=none"
mkdir -p "$aptdir/state/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/none"
touch "$aptdir/status"
{
	for s in $(own_suites) trixie trixie-backports sid; do echo "$s"; done | awk '!seen[$0]++' |
	while read -r s; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
	done
} > "$aptdir/sources.list.new"
if ! cmp -s "$aptdir/sources.list.new" "$aptdir/sources.list" 2>/dev/null; then
	mv "$aptdir/sources.list.new" "$aptdir/sources.list"
	rm -f "$aptdir/updated"
else
	rm -f "$aptdir/sources.list.new"
fi
if [ ! -e "$aptdir/updated" ] || [ -n "$(find "$aptdir/updated" -mmin +"$max_age" 2>/dev/null)" ]; then
	# shellcheck disable=SC2086
	apt-get $apt_opts update -q >"$aptdir/update.log" 2>&1 ||
		die "apt-get update of the private package lists failed (log: $aptdir/update.log)"
	touch "$aptdir/updated"
fi

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
[ -n "$best" ] || die "no Debian cloud kernel of series $series on the mirror (suites: $(own_suites | tr '\n' ' ')trixie trixie-backports sid)"

dir=$cache/kernels/$best
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/config" ]; then
	echo "$dir"
	exit 0
fi

# ---- download and take apart --------------------------------------------
work=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkgs=""
for p in linux-image-$best-cloud-amd64 linux-binary-$best-cloud-amd64 \
	 linux-binary-unsigned-$best-cloud-amd64 linux-base-$best-cloud-amd64; do
	# shellcheck disable=SC2086
	if apt-cache $apt_opts show "$p" >/dev/null 2>&1; then pkgs="$pkgs $p"; fi
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
[ -n "$config" ] || die "no kernel config in$pkgs"
mkdir -p "$dir.tmp"
cp "$vmlinuz" "$dir.tmp/vmlinuz"
cp "$config" "$dir.tmp/config"
[ -n "$sysmap" ] && cp "$sysmap" "$dir.tmp/System.map"
echo "$best" > "$dir.tmp/version"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
