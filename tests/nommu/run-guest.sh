#!/bin/sh
# run-guest.sh - run one command in ringledger's NOMMU riscv64 guest and
# return its exit status.
#
# usage: tests/nommu/run-guest.sh -k DIR [-t SECS] [-l LOG] [-x DIR] -- CMD...
#   -k  a kernel/build-kernel.sh nommu|nommu-prefix output (holds Image)
#   -t  kill the guest after SECS (default 120)
#   -l  also write the whole console log here
#   -x  also copy DIR's files into the guest as /extra
#
# The guest is qemu-system-riscv64 -M virt -bios none (the kernel runs in
# M-mode, no MMU) with an initramfs of build/nommu/: init (PID 1, which runs
# CMD and powers off), the workloads and, when built, ringledger.  CMD runs
# from /, with /proc, /sys and tracefs mounted; its path must be absolute
# (there is no shell).  The console from init's start on goes to stdout; a
# kernel that dies before init reports shows its last lines, exit 124.
# One guest at a time: the lock of tests/vm/run-guest.sh.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
kdir="" timeout_s=120 log="" extra=""
while getopts k:t:l:x: opt; do
	case $opt in
	k) kdir=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	l) log=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) echo "usage: run-guest.sh -k DIR [-t SECS] [-l LOG] [-x DIR] -- CMD..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
die() { echo "nommu run-guest: $*" >&2; exit 125; }
[ $# -gt 0 ] || die "missing command after --"
[ -s "$kdir/Image" ] || die "no Image in '${kdir}': give -k a kernel/build-kernel.sh nommu output"
bin=$top/build/nommu
[ -x "$bin/init" ] || die "$bin/init missing: run make nommu first"
command -v qemu-system-riscv64 >/dev/null || die "qemu-system-riscv64 missing (Debian's qemu-system-misc; make nommu-deps installs it)"

work=$(mktemp -d /tmp/rl-nommu.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$bin"/* "$root/"
if [ -n "$extra" ]; then
	[ -d "$extra" ] || die "-x $extra: not a directory"
	mkdir -p "$root/extra"
	find "$extra" -maxdepth 1 -type f -exec cp {} "$root/extra/" \;
fi
# the kernel opens /dev/console for init before anything is mounted
[ "$(id -u)" = 0 ] && mknod "$root/dev/console" c 5 1
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initramfs.cpio.gz"

# shellcheck source=tests/vm/guest-lock.sh
. "$top/tests/vm/guest-lock.sh"
guest_lock "nommu run-guest"

start=$(date +%s)
# everything after "--" on the command line is init's argv.  An M-mode
# kernel that panics does not always reset the machine: the console is
# watched, and QEMU stopped a second after a panic or after the power-off.
qemu-system-riscv64 -M virt -bios none -m 128 -smp 1 \
	-nographic -no-reboot -kernel "$kdir/Image" -initrd "$work/initramfs.cpio.gz" \
	-append "earlycon=uart8250,mmio,0x10000000,115200n8 console=ttyS0 panic=-1 -- $*" \
	</dev/null > "$work/console" 2>&1 &
qemu=$!
ticks=0 end=""
while kill -0 $qemu 2>/dev/null; do
	if [ -z "$end" ] && grep -q -e 'Kernel panic - not syncing' -e 'reboot: Power down' "$work/console"; then
		end=$ticks
	fi
	if [ $ticks -ge $((timeout_s * 5)) ] || { [ -n "$end" ] && [ $ticks -ge $((end + 5)) ]; }; then
		kill -KILL $qemu 2>/dev/null || true
		break
	fi
	sleep 0.2
	ticks=$((ticks + 1))
done
wait $qemu 2>/dev/null || true
tr -d '\r' < "$work/console" > "$work/console.txt"
[ -n "$log" ] && cp "$work/console.txt" "$log"
sed -n '/Run \/init as init process/,$p' "$work/console.txt" | sed '1d'

status=$(sed -n 's/^INIT status=\([0-9]*\)$/\1/p' "$work/console.txt" | tail -n 1)
if [ -z "$status" ]; then
	if grep -q 'Run /init' "$work/console.txt"; then
		sig=$(sed -n 's/^INIT signal=\([0-9]*\)$/\1/p' "$work/console.txt" | tail -n 1)
		[ -n "$sig" ] && { echo "nommu run-guest: $1 died of signal $sig" >&2; exit $((128 + sig)); }
		if grep -q 'Kernel panic - not syncing' "$work/console.txt"; then
			echo "nommu run-guest: the kernel died: $(grep -m 1 -E 'kernel BUG|Oops|Unable to handle|Kernel panic' "$work/console.txt" | sed 's/^\[ *[0-9.]*\] //') (kernel $(cat "$kdir/version" 2>/dev/null || echo "$kdir"))" >&2
		else
			echo "nommu run-guest: the command did not finish in ${timeout_s}s (kernel $(cat "$kdir/version" 2>/dev/null || echo "$kdir"))" >&2
		fi
	else
		echo "nommu run-guest: the guest never reached init (kernel $kdir); last lines:" >&2
		tail -n 15 "$work/console.txt" >&2
	fi
	exit 124
fi
echo "nommu run-guest: kernel $(cat "$kdir/version" 2>/dev/null || basename "$kdir"), $(( $(date +%s) - start ))s wall, exit $status" >&2
exit "$status"
