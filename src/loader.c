// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * loader.c - the libbpf way: open -> set rodata and map sizes -> load ->
 * attach, every step checked, one cleanup path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "clock.h"
#include "record.h"
#include "ringledger.skel.h"

#define RL_GUEST_HINT "run it in a guest: `make vm-shell`, or tests/vm/run-guest.sh -- ringledger ..."

static int verbose_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	return vfprintf(stderr, fmt, args);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, args);
	return 0;
}

/* root, or CAP_BPF + CAP_PERFMON (CAP_SYS_ADMIN on older kernels) */
static bool have_bpf_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	uint64_t eff;

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	eff = (uint64_t)data[1].effective << 32 | data[0].effective;
	if (eff & (1ULL << CAP_SYS_ADMIN))
		return true;
	return (eff & (1ULL << 39 /* CAP_BPF */)) && (eff & (1ULL << 38 /* CAP_PERFMON */));
}

int rl_preflight(const char *btf_path, char *err, size_t len)
{
	const char *path = btf_path ? btf_path : "/sys/kernel/btf/vmlinux";

	if (!have_bpf_privileges()) {
		snprintf(err, len, "cannot load BPF programs: running as uid %u without "
			 "CAP_BPF and CAP_PERFMON; run as root (sudo ringledger ...)",
			 (unsigned)geteuid());
		return -EPERM;
	}
	if (access(path, R_OK)) {
		snprintf(err, len, "kernel type information missing: %s: %s; ringledger needs "
			 "a kernel built with CONFIG_DEBUG_INFO_BTF=y", path, strerror(errno));
		return -ENOENT;
	}
	return 0;
}

static int on_ring_record(void *cookie, void *data, size_t size)
{
	struct rl_session *s = cookie;
	struct rl_event ev;

	if (rl_record_decode(data, size, &ev)) {
		s->bad_records++;
		return 0;
	}
	s->on_event(&ev, s->cookie);
	return 0;
}

/* --debug: how long each step of the libbpf sequence took, "ringledger:
 * load: 2104 ms" (under software emulation the steps cost seconds) */
static double now_ms(void)
{
	return rl_mono_s() * 1e3;
}

static void step_done(const struct rl_session *s, const char *step, double *since)
{
	double t = now_ms();

	if (s->verbose)
		fprintf(stderr, "ringledger: %s: %.0f ms\n", step, t - *since);
	*since = t;
}

static void describe_refusal(const struct rl_kernel_caps *caps, char *err, size_t len)
{
	snprintf(err, len, "this kernel refuses function tracing (fentry: %s; kprobes: %s), "
		 "so ringledger cannot attach here; %s",
		 caps->fentry_ok ? "ok" : strerror(-caps->fentry_err),
		 caps->kprobe_ok ? "ok" : "not built in (CONFIG_KPROBES unset)", RL_GUEST_HINT);
}

int rl_session_open(struct rl_session *s, const struct rl_session_opts *o,
		    char *err, size_t len)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf_path);
	struct ringledger_bpf *skel = NULL;
	double t = now_ms();
	int ret;

	memset(s, 0, sizeof(*s));
	s->on_event = o->on_event;
	s->cookie = o->cookie;
	s->verbose = o->verbose;
	libbpf_set_print(o->verbose ? verbose_print : quiet_print);

	ret = rl_preflight(o->btf_path, err, len);
	if (ret)
		return ret;
	ret = rl_caps_probe(&s->caps, o->btf_path);
	if (ret) {
		snprintf(err, len, "cannot read kernel type information from %s: %s; ringledger "
			 "needs CONFIG_DEBUG_INFO_BTF=y", s->caps.btf_path, strerror(-ret));
		goto cleanup;
	}
	if (rl_caps_function_tracing_refused(&s->caps)) {
		describe_refusal(&s->caps, err, len);
		ret = -EPERM;
		goto cleanup;
	}
	rl_plan_make(&s->plan, &s->caps, o->pref);
	if (o->leave_out && rl_plan_leave_out(&s->plan, o->leave_out, "not needed by this mode")) {
		snprintf(err, len, "internal error: a hook left out is not in the hook table");
		ret = -EINVAL;
		goto cleanup;
	}
	step_done(s, "kernel probe", &t);

	/* open */
	skel = ringledger_bpf__open_opts(&open_opts);
	if (!skel) {
		ret = -errno;
		snprintf(err, len, "cannot open the BPF object: %s", strerror(-ret));
		goto cleanup;
	}
	s->skel = skel;

	/* configure: rodata and map sizes */
	skel->rodata->follow_only = o->follow_only;
	skel->rodata->capture_stacks = o->stacks && !o->stat;
	skel->rodata->stat_mode = o->stat;
	skel->rodata->kprobe_seconds = rl_plan_has_pairs(&s->plan);
	skel->rodata->tp_kprobe_slots = rl_plan_tp_kprobe_slots(&s->plan);
	skel->rodata->cgroup_filter = o->cgroup != NULL;
	/* a kernel without CONFIG_CGROUPS refuses a cgroup array: without
	 * --cgroup the map is a plain array its (dead) filter never reads */
	if (!o->cgroup)
		bpf_map__set_type(skel->maps.cgroup_of, BPF_MAP_TYPE_ARRAY);
	if (o->comm) {
		skel->rodata->comm_filter = true;
		strncpy((char *)skel->rodata->target_comm, o->comm, RL_COMM_LEN - 1);
	}
	if (o->max_pages)
		bpf_map__set_max_entries(skel->maps.tracked_pfns, o->max_pages);
	if (o->ringbuf_kib)
		bpf_map__set_max_entries(skel->maps.events, o->ringbuf_kib * 1024);
	if (o->stat) {
		/* nothing is sent, no page tracked: the smallest of each */
		bpf_map__set_max_entries(skel->maps.events, 4096);
		bpf_map__set_max_entries(skel->maps.tracked_pfns, 1);
	} else {
		/* nothing is folded in (stat.bpf.h): none of stat's maps */
		bpf_map__set_max_entries(skel->maps.stat_procs, 1);
		bpf_map__set_max_entries(skel->maps.stat_births, 1);
	}
	/* the kernel side wakes us when an eighth of the buffer waits */
	skel->rodata->wakeup_bytes = bpf_map__max_entries(skel->maps.events) / 8;
	ret = rl_plan_apply(&s->plan, skel);
	if (ret) {
		snprintf(err, len, "cannot configure BPF programs: %s", strerror(-ret));
		goto cleanup;
	}
	step_done(s, "open", &t);

	/* load */
	ret = ringledger_bpf__load(skel);
	if (ret) {
		snprintf(err, len, "cannot load BPF programs: %s; rerun with --debug for the "
			 "verifier log", strerror(-ret));
		goto cleanup;
	}
	step_done(s, "load", &t);
	if (o->cgroup) {
		__u32 zero = 0;
		int fd = open(o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		ret = fd < 0 ? -errno : bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_of), &zero,
							    &fd, BPF_ANY) ? -errno : 0;
		if (fd >= 0)
			close(fd);
		if (ret) {
			snprintf(err, len, "--cgroup %s: %s; give a cgroup v2 directory (under "
				 "/sys/fs/cgroup)", o->cgroup, strerror(-ret));
			goto cleanup;
		}
	}

	/* attach: a hook that fails is recorded, the verdict becomes inconclusive */
	s->attach_failures = rl_plan_attach(&s->plan, skel);
	step_done(s, "attach", &t);

	s->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_ring_record, s, NULL);
	if (!s->rb) {
		ret = -errno;
		snprintf(err, len, "cannot open the event ring buffer: %s", strerror(-ret));
		goto cleanup;
	}
	return 0;

cleanup:
	rl_session_close(s);
	return ret ? ret : -EINVAL;
}

int rl_session_follow(struct rl_session *s, pid_t pid)
{
	__u32 key = pid;
	__u8 one = 1;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.followed_pids), &key, &one, BPF_ANY);
}

int rl_session_poll(struct rl_session *s, int timeout_ms)
{
	int n = ring_buffer__poll(s->rb, timeout_ms);

	/* the kernel side wakes us only for a filling buffer (wakeup_flags()
	 * in bpf/common.bpf.h): what came since is read when the wait
	 * times out */
	if (n == 0 || n == -EINTR)
		n = ring_buffer__consume(s->rb);
	return n;
}

/* "ringledger: hook vma-copy: skipped by fexit 972, kprobe 0, kretprobe
 * 84: at most 84 calls lost" */
static void print_hook_misses(const struct rl_plan *plan, size_t i, const struct rl_hook_misses *m)
{
	char buf[256];
	size_t j, off = 0;

	buf[0] = '\0';
	for (j = 0; j < RL_PLAN_SLOTS && off < sizeof(buf); j++) {
		enum rl_prog_role r = rl_plan_slot_role(plan, i, j);

		if (r == RL_PROG__MAX || !plan->links[i][j])
			continue;
		off += snprintf(buf + off, sizeof(buf) - off, "%s%s%s %llu%s", off ? ", " : "",
				plan->hooks[i].mech == RL_MECH_TRACEPOINT && r == RL_PROG_KPROBE ?
				"iterator " : "", rl_prog_role_name(r),
				(unsigned long long)m->slot[j],
				m->counted & (1u << j) ? "" : " (its own misses not reported)");
	}
	if (!off)
		return;		/* nothing attached: a stand-in's primary, an absent hook */
	fprintf(stderr, "ringledger: hook %s: skipped by %s: %s%llu calls lost\n",
		rl_hook_name(plan->hooks[i].hook), buf, m->lost ? "at most " : "",
		(unsigned long long)m->lost);
}

void rl_session_losses(struct rl_session *s, struct rl_losses *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < RL_CNT__MAX; i++)
		out->counter[i] = __atomic_load_n(&s->skel->bss->counters[i], __ATOMIC_RELAXED);
	out->bad_records = s->bad_records;
	out->ringbuf_peak = __atomic_load_n(&s->skel->bss->ringbuf_peak, __ATOMIC_RELAXED);
	out->ringbuf_bytes = bpf_map__max_entries(s->skel->maps.events);

	/* calls the kernel skipped our programs for, hook by hook: lost only
	 * where no program beside took them (rl_plan_hook_misses) */
	for (i = 0; i < s->plan.nr; i++) {
		const struct rl_hook *h = s->plan.hooks[i].hook;
		struct rl_hook_misses m;
		uint64_t any;
		size_t j;

		rl_plan_hook_misses(&s->plan, s->skel, i, &m);
		out->kprobe_misses_blind |= m.blind;
		for (j = 0, any = 0; j < RL_PLAN_SLOTS; j++)
			any |= m.slot[j];
		if (!any && !s->verbose)
			continue;
		/* the arena window hook runs for every mmap of the system and
		 * does work only inside an arena mmap: none, nothing lost */
		if (m.lost && rl_hook_prog(h, RL_PROG_FEXIT, s->skel) == s->skel->progs.fx_arena_window &&
		    !__atomic_load_n(&s->skel->bss->arena_scopes_opened, __ATOMIC_RELAXED))
			m.lost = 0;
		/* a hook that may have lost calls says so: it is why the
		 * verdict is inconclusive; --debug says it for every hook */
		if (s->verbose || m.lost)
			print_hook_misses(&s->plan, i, &m);
		if (rl_hook_prog(h, RL_PROG_TP, s->skel) == s->skel->progs.tp_mm_page_free)
			out->page_free_misses += m.lost;
		else
			out->recursion_misses += m.lost;
	}
}

void rl_losses_note_blind(const struct rl_losses *lo)
{
	if (lo->kprobe_misses_blind)
		fprintf(stderr, "ringledger: note: this kernel does not report a kprobe's own "
			"misses (6.7 and later do): a kretprobe out of return instances, with many "
			"tasks inside its function at once, would lose a call uncounted\n");
}

void rl_reader_priority(void)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) > -10 && !errno)
		(void)setpriority(PRIO_PROCESS, 0, -10);	/* best effort */
}

void rl_session_close(struct rl_session *s)
{
	double t = now_ms();

	ring_buffer__free(s->rb);
	s->rb = NULL;
	rl_plan_detach(&s->plan);
	step_done(s, "detach", &t);
	ringledger_bpf__destroy(s->skel);
	s->skel = NULL;
	step_done(s, "unload", &t);
	rl_caps_free(&s->caps);
}

size_t rl_losses_to_events(const struct rl_losses *lo, struct rl_event *out, size_t max)
{
	size_t n = 0, i;

	for (i = 0; i < RL_CNT__MAX && n < max; i++) {
		if (!lo->counter[i])
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].h.type = RL_EV_LOST;
		out[n].lost.counter = i;
		out[n].lost.count = lo->counter[i];
		n++;
	}
	if (lo->recursion_misses && n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].h.type = RL_EV_LOST;
		out[n].lost.counter = RL_LOST_RECURSION;
		out[n].lost.count = lo->recursion_misses;
		n++;
	}
	if (lo->bad_records && n < max) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].h.type = RL_EV_LOST;
		out[n].lost.counter = RL_LOST_BAD_RECORD;
		out[n].lost.count = lo->bad_records;
		n++;
	}
	return n;
}
