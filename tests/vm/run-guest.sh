#!/bin/sh
# run-guest.sh - run one command inside a QEMU guest on a Debian kernel and
# return its exit status.
#
# usage: tests/vm/run-guest.sh [-k SERIES|DIR] [-t SECS] [-m MiB] [-i] [-l LOG] -- CMD...
#   -k  kernel: a series for kernel/fetch-kernel.sh (default 7 = newest 7.x)
#       or a directory holding vmlinuz (a kernel/build-kernel.sh output)
#   -t  kill the guest after SECS (default 300)
#   -m  guest memory (default 2048)
#   -i  interactive shell instead of CMD (make vm-shell)
#   -l  also write the whole console log here
#   -x  DIR: also copy DIR into the guest as /extra (a prebuilt test suite)
#
# One guest runs at a time on this host: the runner waits for a lock
# ($RL_GUEST_LOCK, default /run/lock/ringledger-guest.lock) before it boots,
# so concurrent callers (several checkouts, make targets) take turns
# instead of sharing two cores between emulated CPUs.
#
# The guest is an initramfs: busybox-static, build/ringledger, the workloads
# in /workloads, the guest scripts of tests/vm/guest in /tests, and
# /sbin/bpftool with its libraries when the host has it ($RL_BPFTOOL,
# default /usr/sbin/bpftool).  CMD runs as
# root from /, with proc, sys, dev, tracefs, debugfs and bpffs mounted.
# KVM is tried first; when QEMU cannot run with it (as on this project's
# dev hosts, where it aborts on an MSR assertion) the runner says so in one
# line, falls back to TCG and remembers that until reboot (in
# $RL_ACCEL_NOTE, default /run/ringledger-accel; $RL_KVM_DEV, default
# /dev/kvm, is the device it looks for: tests/vm/selftest.sh sets both).
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=7
timeout_s=300
mem=2048
interactive=0
log=""
extra=""
while getopts k:t:m:il:x: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	i) interactive=1 ;;
	l) log=$OPTARG ;;
	x) extra=$OPTARG ;;
	*) echo "usage: run-guest.sh [-k SERIES|DIR] [-t SECS] [-m MiB] [-i] [-l LOG] [-x DIR] -- CMD..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || [ $interactive = 1 ] || { echo "run-guest: missing command after --" >&2; exit 2; }

die() { echo "run-guest: $*" >&2; exit 125; }

if [ -d "$kernel" ]; then kdir=$kernel; else kdir=$("$top/kernel/fetch-kernel.sh" "$kernel"); fi
[ -s "$kdir/vmlinuz" ] || die "no vmlinuz in $kdir"
[ -x "$top/build/ringledger" ] || die "build/ringledger missing: run make first"

# ---- initramfs ------------------------------------------------------------
work=$(mktemp -d /tmp/rl-guest.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/run" "$root/workloads" "$root/tests" "$root/out" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
cp "$top/build/ringledger" "$root/bin/ringledger"
[ -d "$top/build/workloads" ] && cp "$top"/build/workloads/* "$root/workloads/" 2>/dev/null || true
if [ -n "$extra" ]; then
	[ -d "$extra" ] || die "-x $extra: not a directory"
	cp -a "$extra" "$root/extra"
fi
[ -d "$top/tests/vm/guest" ] && cp "$top"/tests/vm/guest/* "$root/tests/" 2>/dev/null || true
# bpftool, when the host has it, with the shared libraries it needs and
# the dynamic loader (from ldd), at their own paths: guest scripts list
# BPF programs, links and maps with it (tests/vm/guest/daily.sh)
bpftool=${RL_BPFTOOL:-/usr/sbin/bpftool}
if [ -x "$bpftool" ]; then
	cp "$bpftool" "$root/sbin/bpftool"
	for lib in $(ldd "$bpftool" 2>/dev/null | sed -n 's/.*[[:space:]]\(\/[^ ]*\) (0x.*/\1/p'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
fi
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

if [ $interactive = 1 ]; then
	printf '%s\n' 'exec setsid cttyhack sh -l' > "$root/rl-cmd"
else
	# the command, quoted for sh
	for a in "$@"; do printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"; done > "$root/rl-cmd"
	echo >> "$root/rl-cmd"
fi
cat > "$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/workloads
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
echo 1 > /proc/sys/kernel/panic_on_oops 2>/dev/null
echo "RL-GUEST-BOOT $(uname -r) $(cut -d' ' -f1 /proc/uptime)s"
cd /
sh /rl-cmd
echo "RL-GUEST-EXIT=$?"
sync
reboot -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initramfs.cpio.gz"

# ---- accelerator ------------------------------------------------------------
accel_note=${RL_ACCEL_NOTE:-/run/ringledger-accel}
accel=tcg
if [ -w "${RL_KVM_DEV:-/dev/kvm}" ] && [ "$(cat "$accel_note" 2>/dev/null || true)" != tcg ]; then accel=kvm; fi

boot() { # $1 accel; console to $work/console
	# TCG runs both vCPUs on one host thread (RL_TCG_THREAD=multi: one
	# thread per vCPU).  With a thread per vCPU, a vCPU can run a
	# translated block that still holds the int3 text_poke_bp() put in
	# the kernel's text after the patching has finished, and the guest
	# dies with "Oops: int3" (Debian's 7.3.4: 3 of 30 boots died in
	# sched_clock_cpu at 1.5 s as static keys were switched; 0 of 32 on
	# one thread).  BPF trampolines and kprobes patch text the same way.
	if [ "$1" = kvm ]; then a="-accel kvm -cpu host"; else a="-accel tcg,thread=${RL_TCG_THREAD:-single} -cpu max"; fi
	set -- $a -m "$mem" -smp 2 -nographic -no-reboot \
		-kernel "$kdir/vmlinuz" -initrd "$work/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 hugepages=16 ${RL_GUEST_APPEND:-}"
	if [ $interactive = 1 ]; then
		qemu-system-x86_64 "$@"
		return 0
	fi
	# QEMU's output goes to the console log, and from the guest's boot line
	# on to stdout.  The pipeline runs in a subshell whose stderr is a file:
	# when QEMU dies of a signal (its KVM attempt aborts here) the shell
	# reports it ("Aborted"), and that line is ours to explain, not to show.
	( timeout -s KILL "$timeout_s" qemu-system-x86_64 "$@" </dev/null 2>&1 |
		tee "$work/console" | sed -u -n 's/^.*\(RL-GUEST-BOOT\)/\1/; /RL-GUEST-BOOT/,$p' |
		tr -d '\r' | grep -v '^RL-GUEST-EXIT=' ) 2> "$work/boot-$1.err"
}

# shellcheck source=tests/vm/guest-lock.sh
. "$top/tests/vm/guest-lock.sh"
guest_lock "run-guest"

start=$(date +%s.%N)
boot $accel || true
if [ $interactive = 0 ] && [ $accel = kvm ] && ! grep -q 'RL-GUEST-BOOT' "$work/console"; then
	why=$(tr -d '\r' < "$work/console" | grep -m1 -i error || true)
	[ -n "$why" ] || why="no boot$(sed -n '1s/^/: QEMU: /p' "$work/boot-kvm.err")"
	echo "run-guest: KVM does not work here ($why); using TCG" >&2
	mkdir -p "$(dirname "$accel_note")" && echo tcg > "$accel_note" || true
	accel=tcg
	boot tcg || true
fi
[ $interactive = 1 ] && exit 0
end=$(date +%s.%N)
[ -n "$log" ] && cp "$work/console" "$log"

status=$(tr -d '\r' < "$work/console" | sed -n 's/^RL-GUEST-EXIT=\([0-9]*\)$/\1/p' | tail -n 1)
secs=$(awk "BEGIN{printf \"%.1f\", $end - $start}")
if [ -z "$status" ]; then
	if grep -q 'RL-GUEST-BOOT' "$work/console"; then
		echo "run-guest: the guest command did not finish: killed after ${timeout_s}s or the kernel died (kernel $(cat "$kdir/version" 2>/dev/null || echo "$kdir"), $accel); last lines:" >&2
	else
		echo "run-guest: the guest never booted (kernel $kdir, $accel$(sed -n '1s/^/, QEMU: /p' "$work/boot-$accel.err")); last lines:" >&2
	fi
	tr -d '\r' < "$work/console" | tail -n 15 >&2
	exit 124
fi
echo "run-guest: kernel $(cat "$kdir/version" 2>/dev/null || basename "$kdir"), $accel, ${secs}s wall, guest exit $status" >&2
exit "$status"
