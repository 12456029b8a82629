# apt-env.sh - the private apt state shared by fetch-kernel.sh and
# build-kernel.sh.  Sourced (POSIX sh), not run.
#
# The mirror is the one the machine's own apt sources use, read at run time
# (no host name is written in any file of the project); the suites searched
# are the machine's own plus trixie, trixie-backports and sid.  Everything
# goes through a private apt state directory under the cache: the system's
# apt configuration is never touched.
#
# The sourcing script defines die() first.  After sourcing:
#   cache      RL_CACHE_DIR (default /var/cache/ringledger)
#   aptdir     $cache/apt (RL_APT_ARCH other than amd64: $cache/apt-ARCH)
#   mirror     the Debian mirror of the machine's apt sources
#   apt_opts   options that point apt-get / apt-cache at the private state
# and the package lists are at most RL_APT_MAX_AGE_MIN minutes old
# (default 1440).  own_suites() lists the machine's suites.
# RL_APT_ARCH (default amd64) is the architecture of the lists: riscv64 for
# the NOMMU guest's C library (kernel/nommu/fetch-musl.sh).

cache=${RL_CACHE_DIR:-/var/cache/ringledger}
apt_arch=${RL_APT_ARCH:-amd64}
aptdir=$cache/apt
[ "$apt_arch" = amd64 ] || aptdir=$cache/apt-$apt_arch
max_age=${RL_APT_MAX_AGE_MIN:-1440}

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
# (with its own binary package cache: container images often switch apt's
# off, and every apt-cache call would parse all the lists again)
apt_opts="-o Dir::State=$aptdir/state -o Dir::Cache=$aptdir/cache \
-o Dir::Etc::SourceList=$aptdir/sources.list -o Dir::Etc::SourceParts=$aptdir/none \
-o Dir::State::status=$aptdir/status -o Debug::NoLocking=1 -o APT::Architecture=$apt_arch -o APT::Architectures=$apt_arch \
-o APT::Sandbox::User=root -o Acquire::Languages=none \
-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=srcpkgcache.bin"
mkdir -p "$aptdir/state/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/none"
[ -e "$aptdir/status" ] || : > "$aptdir/status"	# touching it would make apt rebuild its cache each call
# one writer of the sources and the lists at a time (make realworld beside
# make test: two fetches rewrote sources.list at once and one mv failed);
# held until the lists are fresh, not while the caller downloads; on fd 7,
# as its callers hold their own locks on 8 (fetch-liburing.sh) and 9
# (build-kernel.sh, run-guest.sh)
exec 7> "$aptdir/lock"
flock 7 || die "cannot lock $aptdir/lock"
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
flock -u 7
exec 7>&-
