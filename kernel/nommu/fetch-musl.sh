#!/bin/sh
# fetch-musl.sh - the C library of the NOMMU riscv64 guest's programs:
# Debian's musl-dev for riscv64 (trixie or newer: bookworm has no riscv64),
# fetched through the project's private apt state (kernel/apt-env.sh with
# RL_APT_ARCH=riscv64) and cached outside the clone.  Prints the directory:
#   include/   musl's headers
#   lib/       rcrt1.o crti.o crtn.o libc.a, debug sections stripped
#   version    the package version
#
# Why musl: the ELF FDPIC loader of a NOMMU kernel runs a static PIE, which
# must relocate itself.  Debian's riscv64 cross glibc (bookworm) has no
# rcrt1.o; musl's rcrt1.o does the relocation (measured: a program with a
# table of pointers, malloc and stdio runs in the guest).  Why stripped:
# trixie's objects carry R_RISCV_SET_ULEB128 / SUB_ULEB128 (60, 61) in their
# debug sections, which bookworm's riscv64 ld (binutils 2.40) crashes on
# and ld.lld 14 refuses; objcopy --strip-debug leaves code and data as built.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "fetch-musl: $*" >&2; exit 1; }
say() { echo "fetch-musl: $*" >&2; }
command -v riscv64-linux-gnu-objcopy >/dev/null || die "riscv64-linux-gnu-objcopy missing (scripts/install-deps.sh nommu installs the cross toolchain)"

# shellcheck disable=SC2034,SC2154
RL_APT_ARCH=riscv64
# shellcheck source=kernel/apt-env.sh
. "$top/kernel/apt-env.sh"
# shellcheck disable=SC2154,SC2086
ver=$(apt-cache $apt_opts show musl-dev 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
# shellcheck disable=SC2154
[ -n "$ver" ] || die "no musl-dev for riscv64 in the private package lists ($aptdir)"
# shellcheck disable=SC2154
dir=$cache/nommu/musl-$ver
if [ -s "$dir/lib/libc.a" ] && [ -s "$dir/version" ]; then
	echo "$dir"
	exit 0
fi
say "downloading musl-dev $ver (riscv64)"
dl=$(mktemp -d "$cache/nommu-dl.XXXXXX")
trap 'rm -rf "$dl" "$dir.tmp"' EXIT
# shellcheck disable=SC2086
(cd "$dl" && apt-get $apt_opts download "musl-dev=$ver" > "$dl/log" 2>&1) ||
	die "download of musl-dev $ver failed: $(tail -n 1 "$dl/log")"
dpkg-deb -x "$dl"/musl-dev_*.deb "$dl/root"
rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/lib"
cp -a "$dl/root/usr/include/riscv64-linux-musl" "$dir.tmp/include"
for f in rcrt1.o crti.o crtn.o libc.a; do
	riscv64-linux-gnu-objcopy --strip-debug "$dl/root/usr/lib/riscv64-linux-musl/$f" "$dir.tmp/lib/$f"
done
echo "$ver" > "$dir.tmp/version"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
