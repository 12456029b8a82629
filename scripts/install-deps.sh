#!/bin/sh
# install-deps.sh - install the Debian packages ringledger's build, tests and
# guest need.  Idempotent: does nothing when all are present, runs
# `apt-get update` at most once per day otherwise.  The fourth line of PKGS is
# for kernel/build-kernel.sh (pahole: dwarves' real package, for BTF).
#
# `install-deps.sh deb`: only the tools `make deb` adds (the package's
# Build-Depends are among the default set), in a stamp of their own
# (build/.deps-deb) so that `make` and `make test`'s build never wait for them.
# `install-deps.sh browser`: headless Chromium, for the test that loads
# `check --html`'s page in a real browser (tests/cli/html.sh) and nothing else.
# `install-deps.sh nommu`: the riscv64 cross compiler, its kernel headers and
# qemu-system-riscv64, for the NOMMU guest (make nommu, make nommu-test).
set -eu

case ${1:-} in
"")
	PKGS="clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev gcc make \
pkg-config qemu-system-x86 busybox-static cpio zstd xz-utils gzip util-linux \
ca-certificates man-db \
flex bison bc libssl-dev pahole python3 patch \
python3-prometheus-client" ;;
deb)
	PKGS="debhelper dpkg-dev fakeroot lintian" ;;
browser)
	PKGS="chromium" ;;
nommu)
	PKGS="gcc-riscv64-linux-gnu linux-libc-dev-riscv64-cross qemu-system-misc" ;;
*)
	echo "usage: install-deps.sh [deb|browser|nommu]" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing; run as root or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
stamp=/var/lib/apt/periodic/ringledger-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
	apt-get update -q >/dev/null
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "install-deps: done"
