#!/bin/sh
# selftest.sh - the guest runner itself: a KVM attempt that aborts is one
# line of the runner's, then TCG (a stand-in QEMU, no boot); exit status
# passes through; a hung guest is killed at its timeout with a clear message.
. "$(dirname "$0")/guest/lib.sh"
run=$(dirname "$0")/run-guest.sh
k=${1:-7}

# QEMU whose KVM attempt dies of SIGABRT as on this project's hosts (MSR
# assertion), and whose TCG "guest" prints the runner's markers: the runner
# says once that KVM does not work, shows no "Aborted" of the shell's, uses
# TCG, remembers it, and the next run goes straight to TCG.  No guest boots.
fake=$(mktemp -d /tmp/rl-fakeqemu.XXXXXX)
mkdir -p "$fake/bin" "$fake/kernel"
cat > "$fake/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
case " $* " in *" -accel kvm "*)
	echo "qemu-system-x86_64: error: failed to set MSR 0x38f to 0x7000000ff" >&2
	echo "qemu-system-x86_64: kvm_buf_set_msrs: Assertion failed." >&2
	kill -ABRT $$ ;;
esac
echo "RL-GUEST-BOOT fake 0.1s"
echo "RL-GUEST-EXIT=7"
EOF
chmod +x "$fake/bin/qemu-system-x86_64"
echo fake > "$fake/kernel/vmlinuz"
echo fake-kernel > "$fake/kernel/version"
: > "$fake/kvm"
fake_run() {
	# its own lock: a fake guest waits for no real one (another checkout's)
	PATH=$fake/bin:$PATH RL_KVM_DEV=$fake/kvm RL_ACCEL_NOTE=$fake/accel RL_GUEST_LOCK=$fake/lock \
		sh "$run" -k "$fake/kernel" -t 20 -- true > "$fake/out" 2> "$fake/err"
}
fake_run
rc=$?
if [ $rc = 7 ] && [ "$(grep -c . "$fake/err")" = 2 ] &&
   grep -q '^run-guest: KVM does not work here (qemu-system-x86_64: error: failed to set MSR' "$fake/err" &&
   grep -q '^run-guest: kernel fake-kernel, tcg, ' "$fake/err" && ! grep -q -i abort "$fake/out" "$fake/err" &&
   [ "$(cat "$fake/accel" 2>/dev/null)" = tcg ]; then
	t_ok "a KVM attempt that aborts: one line of the runner's, no 'Aborted', then TCG, remembered"
else
	cat "$fake/out" "$fake/err" > "$fake/all" 2>&1
	t_fail "a KVM attempt that aborts: one line of the runner's, no 'Aborted', then TCG, remembered" \
		"exit $rc (want 7), accel note '$(cat "$fake/accel" 2>/dev/null)'; stdout, then stderr:" "$fake/all"
fi
fake_run
if ! grep -q KVM "$fake/err" && grep -q ', tcg, ' "$fake/err"; then
	t_ok "after that, the runner goes straight to TCG"
else
	t_fail "after that, the runner goes straight to TCG" "stderr:" "$fake/err"
fi
rm -rf "$fake"

sh "$run" -k "$k" -t 120 -- sh -c 'exit 42' > /tmp/rl-self.out 2>&1
rc=$?
if [ $rc = 42 ]; then t_ok "run-guest returns the guest command's status"; else
	t_fail "run-guest returns the guest command's status" "expected 42, got $rc" /tmp/rl-self.out; fi

start=$(date +%s)
sh "$run" -k "$k" -t 20 -- sleep 600 > /tmp/rl-self.out 2>&1
rc=$?
took=$(( $(date +%s) - start ))
if [ $rc = 124 ] && grep -q 'did not finish: killed after 20s' /tmp/rl-self.out && [ $took -lt 120 ]; then
	t_ok "a hung guest is killed at its timeout (${took}s) with a clear message"
else
	t_fail "a hung guest is killed at its timeout" "exit $rc after ${took}s" /tmp/rl-self.out
fi
t_done
