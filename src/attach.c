// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach.c - hook table and attach strategy: the only file that knows how
 * a hook reaches the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "rl_findings.h"

#define F(id) (1u << (id))

struct rl_hook {
	const char *name;		/* short, stable: shown by `features` */
	const char *what;		/* what the hook sees                  */
	const char *funcs[3];		/* candidates, first usable wins       */
	const char *tracepoint;		/* raw tracepoint instead of funcs     */
	/* program names in bpf/ringledger.bpf.c; NULL where not needed */
	const char *fentry, *fexit, *kprobe, *kretprobe, *tp_prog;
	uint32_t findings;		/* findings that need this hook        */
	/* the function exists only in kernels with the feature it watches
	 * (seed 001's buffer-ring pinning): where it is absent nothing can
	 * happen there, so its absence costs its findings, never the
	 * verdict */
	bool optional;
};

/* Findings the ledger implements. */
#define RL_IMPLEMENTED (F(RL001) | F(RL002) | F(RL003) | F(RL004) | F(RL005) | F(RL006) | \
			F(RL007) | F(RL008) | F(RL009) | F(RL010))
#define RL_PAGES (F(RL001) | F(RL002))
#define RL_PINS (F(RL004) | F(RL009))

static const struct rl_hook hook_table[] = {
	{ "ring-create", "ring context born (tracepoint io_uring:io_uring_create)",
	  .tracepoint = "io_uring_create", .tp_prog = "tp_io_uring_create",
	  .findings = RL_PAGES | F(RL003) | F(RL006) | F(RL008) },
	{ "ring-death", "ring context freed (end of io_ring_exit_work)",
	  { "io_ring_exit_work" }, .fexit = "fx_io_ring_exit_work",
	  .kprobe = "kp_io_ring_exit_work", .kretprobe = "krp_io_ring_exit_work",
	  .findings = F(RL003) },
	{ "register-scope", "io_uring_register op in progress (region owner and kind)",
	  { "__io_uring_register" }, .fentry = "fe_io_uring_register",
	  .fexit = "fx_io_uring_register", .kprobe = "kp_io_uring_register",
	  .kretprobe = "krp_io_uring_register", .findings = F(RL003) | F(RL006) },
	{ "region-create", "region allocated or pinned: pages, pfns, kind",
	  { "io_create_region" }, .fexit = "fx_io_create_region",
	  .kprobe = "kp_io_create_region", .kretprobe = "krp_io_create_region",
	  .findings = RL_PAGES | F(RL003) | F(RL006) },
	{ "region-free", "region released: refcounts at io_uring's last reference, its unpins",
	  { "io_free_region" }, .fentry = "fe_io_free_region", .fexit = "fx_io_free_region",
	  .kprobe = "kp_io_free_region", .kretprobe = "krp_io_free_region",
	  .findings = RL_PAGES | F(RL003) | RL_PINS },
	{ "mmap-area", "address chosen for a ring mmap (get_unmapped_area)",
	  { "io_uring_get_unmapped_area" }, .fexit = "fx_io_uring_get_unmapped_area",
	  .kprobe = "kp_io_uring_get_unmapped_area",
	  .kretprobe = "krp_io_uring_get_unmapped_area", .findings = F(RL008) },
	{ "mmap", "ring mmap: vma, offset, range",
	  { "io_uring_mmap" }, .fentry = "fe_io_uring_mmap", .fexit = "fx_io_uring_mmap",
	  .kprobe = "kp_io_uring_mmap", .kretprobe = "krp_io_uring_mmap",
	  .findings = RL_PAGES | F(RL006) | F(RL008) },
	{ "insert-pages", "pages inserted into a ring vma (vm_insert_pages)",
	  { "vm_insert_pages" }, .fentry = "fe_vm_insert_pages",
	  .fexit = "fx_vm_insert_pages", .kprobe = "kp_vm_insert_pages",
	  .kretprobe = "krp_vm_insert_pages", .findings = RL_PAGES | F(RL006) },
	{ "vma-copy", "ring vma copied by fork or split (vm_area_dup)",
	  { "vm_area_dup" }, .fexit = "fx_vm_area_dup", .kprobe = "kp_vm_area_dup",
	  .kretprobe = "krp_vm_area_dup", .findings = RL_PAGES },
	{ "vma-split", "ring vma cut in two: the copy shares its pages (__split_vma)",
	  { "__split_vma" }, .fexit = "fx_split_vma", .kprobe = "kp_split_vma",
	  .kretprobe = "krp_split_vma", .findings = RL_PAGES },
	{ "vma-zap", "page tables of a ring vma torn down",
	  { "__zap_vma_range", "unmap_single_vma" }, .fentry = "fe_zap_vma",
	  .kprobe = "kp_zap_vma", .findings = RL_PAGES },
	{ "vma-remove", "ring vma destroyed (remove_vma)",
	  { "remove_vma" }, .fentry = "fe_remove_vma", .kprobe = "kp_remove_vma",
	  .findings = RL_PAGES },
	{ "arena-area", "BPF arena mmap address and its checks (arena_get_unmapped_area)",
	  { "arena_get_unmapped_area" }, .fentry = "fe_arena_area", .fexit = "fx_arena_area",
	  .kprobe = "kp_arena_area", .kretprobe = "krp_arena_area", .optional = true },
	{ "arena-window", "the window an arena mmap reserved (mm_get_unmapped_area in it)",
	  { "mm_get_unmapped_area" }, .fexit = "fx_arena_window",
	  .kretprobe = "krp_arena_window", .optional = true },
	{ "page-free", "tracked page returned to the allocator (kmem:mm_page_free)",
	  .tracepoint = "mm_page_free", .tp_prog = "tp_mm_page_free",
	  .findings = F(RL001) },
	{ "pin", "user pages pinned for io_uring: folios, backing, owner",
	  { "io_pin_pages" }, .fexit = "fx_io_pin_pages", .kprobe = "kp_io_pin_pages",
	  .kretprobe = "krp_io_pin_pages", .findings = RL_PINS | F(RL007) },
	{ "buf-register", "registered buffer: table index and the imu holding its pins",
	  { "io_sqe_buffer_register" }, .fentry = "fe_io_sqe_buffer_register",
	  .fexit = "fx_io_sqe_buffer_register", .kprobe = "kp_io_sqe_buffer_register",
	  .kretprobe = "krp_io_sqe_buffer_register", .findings = RL_PINS },
	{ "buf-release", "a ring drops a registered buffer (last drop unpins)",
	  { "io_free_rsrc_node", "io_buffer_unmap" }, .fentry = "fe_buf_release",
	  .fexit = "fx_buf_release", .kprobe = "kp_buf_release",
	  .kretprobe = "krp_buf_release", .findings = RL_PINS },
	{ "unpin-folio", "pins dropped inside a release (unpin_user_folio)",
	  { "unpin_user_folio" }, .fentry = "fe_unpin_user_folio",
	  .kprobe = "kp_unpin_user_folio", .findings = RL_PINS },
	{ "unpin-page", "pins dropped inside a release (unpin_user_page)",
	  { "unpin_user_page" }, .fentry = "fe_unpin_user_page",
	  .kprobe = "kp_unpin_user_page", .findings = RL_PINS },
	{ "unpin-pages", "pins dropped inside a release (unpin_user_pages)",
	  { "unpin_user_pages" }, .fentry = "fe_unpin_user_pages",
	  .kprobe = "kp_unpin_user_pages", .findings = RL_PINS },
	{ "pbuf-register", "buffer ring registered: bgid, ring memory, result",
	  { "io_register_pbuf_ring" }, .fentry = "fe_io_register_pbuf_ring",
	  .fexit = "fx_io_register_pbuf_ring", .kprobe = "kp_io_register_pbuf_ring",
	  .kretprobe = "krp_io_register_pbuf_ring", .findings = F(RL005) },
	{ "pbuf-unregister", "buffer ring unregistered: bgid, result",
	  { "io_unregister_pbuf_ring", "io_unregister_buf_ring" },
	  .fentry = "fe_io_unregister_pbuf_ring", .fexit = "fx_io_unregister_pbuf_ring",
	  .kprobe = "kp_io_unregister_pbuf_ring", .kretprobe = "krp_io_unregister_pbuf_ring",
	  .findings = F(RL005) },
	{ "bufring-pin", "a kernel user pins a buffer ring (seed 001)",
	  { "io_uring_cmd_buf_ring_pin" }, .fexit = "fx_bufring_pin",
	  .kprobe = "kp_bufring_pin", .kretprobe = "krp_bufring_pin",
	  .findings = F(RL005), .optional = true },
	{ "bufring-unpin", "a kernel user unpins a buffer ring (seed 001)",
	  { "io_uring_cmd_buf_ring_unpin" }, .fexit = "fx_bufring_unpin",
	  .kprobe = "kp_bufring_unpin", .kretprobe = "krp_bufring_unpin",
	  .findings = F(RL005), .optional = true },
	{ "bufring-release", "a buffer ring unpinned outside a command (->release)",
	  { "io_uring_ctx_buf_ring_unpin" }, .fexit = "fx_bufring_unpin_ctx",
	  .kprobe = "kp_bufring_unpin_ctx", .kretprobe = "krp_bufring_unpin_ctx",
	  .optional = true },
	{ "proc-fork", "followed process forks (sched:sched_process_fork)",
	  .tracepoint = "sched_process_fork", .tp_prog = "tp_sched_process_fork" },
	{ "proc-exec", "followed process execs (sched:sched_process_exec)",
	  .tracepoint = "sched_process_exec", .tp_prog = "tp_sched_process_exec" },
	{ "proc-exit", "followed process exits (sched:sched_process_exit)",
	  .tracepoint = "sched_process_exit", .tp_prog = "tp_sched_process_exit" },
};

#define NR_HOOKS (sizeof(hook_table) / sizeof(hook_table[0]))
_Static_assert(NR_HOOKS <= RL_MAX_HOOKS, "raise RL_MAX_HOOKS");

size_t rl_hook_count(void) { return NR_HOOKS; }
const char *rl_hook_name(const struct rl_hook *h) { return h->name; }
const char *rl_hook_what(const struct rl_hook *h) { return h->what; }

const char *rl_mech_name(enum rl_mech m)
{
	switch (m) {
	case RL_MECH_FENTRY: return "fentry";
	case RL_MECH_KPROBE: return "kprobe";
	case RL_MECH_TRACEPOINT: return "tracepoint";
	default: return "absent";
	}
}

/* ---- kernel capabilities ---------------------------------------------- */

static char *read_whole_file(const char *path, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap + 1);
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	buf[0] = '\n';			/* every name is preceded by '\n' */
	n = 1;
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Can a trampoline attach at all?  Load and link a two-instruction fentry
 * program on a function the kernel has BTF for; the kernels of this
 * project's dev hosts refuse it with EPERM before verification. */
static int probe_fentry(struct btf *vmlinux)
{
	static const char *const candidates[] = {
		"io_uring_mmap", "remove_vma", "vm_insert_pages", "schedule_tail",
	};
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY);
	int id = -1, prog_fd, link_fd, err;
	size_t i;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]) && id < 0; i++)
		id = btf__find_by_name_kind(vmlinux, candidates[i], BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	opts.attach_btf_id = id;
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "rl_probe", "GPL", insns, 2, &opts);
	if (prog_fd < 0)
		return -errno;
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_FENTRY, NULL);
	err = link_fd < 0 ? -errno : 0;
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}

int rl_caps_probe(struct rl_kernel_caps *caps, const char *btf_path)
{
	static const char *const filter_files[] = {
		"/sys/kernel/tracing/available_filter_functions",
		"/sys/kernel/debug/tracing/available_filter_functions",
	};
	size_t i;

	memset(caps, 0, sizeof(*caps));
	snprintf(caps->btf_path, sizeof(caps->btf_path), "%s",
		 btf_path ? btf_path : "/sys/kernel/btf/vmlinux");
	caps->vmlinux = btf__parse(caps->btf_path, NULL);
	if (!caps->vmlinux) {
		caps->btf_err = -errno;
		return caps->btf_err;
	}
	caps->fentry_err = probe_fentry(caps->vmlinux);
	caps->fentry_ok = caps->fentry_err == 0;
	caps->kprobe_ok = access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
	for (i = 0; i < 2 && !caps->traceable; i++)
		caps->traceable = read_whole_file(filter_files[i], &caps->traceable_len);
	return 0;
}

void rl_caps_free(struct rl_kernel_caps *caps)
{
	btf__free(caps->vmlinux);
	free(caps->traceable);
	memset(caps, 0, sizeof(*caps));
}

bool rl_caps_function_tracing_refused(const struct rl_kernel_caps *caps)
{
	return caps->vmlinux && !caps->fentry_ok && !caps->kprobe_ok;
}

/* available_filter_functions lists "name" or "name [module]" per line.
 * Unknown list (tracefs not mounted): assume traceable, attach will tell. */
static bool func_traceable(const struct rl_kernel_caps *caps, const char *func)
{
	size_t n = strlen(func);
	const char *p = caps->traceable;

	if (!p)
		return true;
	while ((p = strstr(p, func))) {
		if (p[-1] == '\n' && (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static bool func_has_btf(const struct rl_kernel_caps *caps, const char *func)
{
	return btf__find_by_name_kind(caps->vmlinux, func, BTF_KIND_FUNC) > 0;
}

static bool tracepoint_exists(const struct rl_kernel_caps *caps, const char *tp)
{
	char name[128];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(caps->vmlinux, name, BTF_KIND_TYPEDEF) > 0;
}

/* ---- the plan ---------------------------------------------------------- */

static void plan_hook(struct rl_hook_plan *hp, const struct rl_kernel_caps *caps,
		      enum rl_attach_pref pref)
{
	const struct rl_hook *h = hp->hook;
	const char *seen = NULL;
	size_t i;

	if (h->tracepoint) {
		if (tracepoint_exists(caps, h->tracepoint)) {
			hp->mech = RL_MECH_TRACEPOINT;
			hp->func = h->tracepoint;
		} else {
			snprintf(hp->why, sizeof(hp->why),
				 "tracepoint %s not in this kernel's BTF", h->tracepoint);
		}
		return;
	}
	for (i = 0; i < 3 && h->funcs[i]; i++) {
		const char *f = h->funcs[i];
		bool btf = func_has_btf(caps, f), traceable = func_traceable(caps, f);

		if (btf || traceable)
			seen = f;
		if (pref != RL_PREF_KPROBE && caps->fentry_ok && btf && traceable) {
			hp->mech = RL_MECH_FENTRY;
			hp->func = f;
			return;
		}
		if (pref != RL_PREF_FENTRY && caps->kprobe_ok && traceable) {
			hp->mech = RL_MECH_KPROBE;
			hp->func = f;
			snprintf(hp->why, sizeof(hp->why), "%s",
				 pref == RL_PREF_KPROBE ? "kprobe requested" :
				 !caps->fentry_ok ? "trampolines refused" : "no BTF for it");
			return;
		}
	}
	if (!seen && h->optional)
		snprintf(hp->why, sizeof(hp->why), "%s: not in this kernel (it lacks the feature)",
			 h->funcs[0]);
	else if (!seen)
		snprintf(hp->why, sizeof(hp->why), "%s%s%s: not in this kernel (inlined or renamed)",
			 h->funcs[0], h->funcs[1] ? " / " : "", h->funcs[1] ? h->funcs[1] : "");
	else if (pref == RL_PREF_FENTRY)
		snprintf(hp->why, sizeof(hp->why), "%s: fentry requested but %s", seen,
			 caps->fentry_ok ? "it has no BTF or is not traceable" : "trampolines are refused");
	else
		snprintf(hp->why, sizeof(hp->why), "%s: neither fentry nor kprobe can attach", seen);
}

void rl_plan_make(struct rl_plan *plan, const struct rl_kernel_caps *caps,
		  enum rl_attach_pref pref)
{
	size_t i;

	memset(plan, 0, sizeof(*plan));
	plan->nr = NR_HOOKS;
	for (i = 0; i < NR_HOOKS; i++) {
		plan->hooks[i].hook = &hook_table[i];
		plan_hook(&plan->hooks[i], caps, pref);
	}
}

static const char *const *hook_progs(const struct rl_hook *h, enum rl_mech m,
				     const char *out[3])
{
	out[0] = out[1] = out[2] = NULL;
	if (m == RL_MECH_FENTRY) {
		out[0] = h->fentry;
		out[1] = h->fexit;
	} else if (m == RL_MECH_KPROBE) {
		out[0] = h->kprobe;
		out[1] = h->kretprobe;
	} else if (m == RL_MECH_TRACEPOINT) {
		out[0] = h->tp_prog;
	}
	return out;
}

int rl_plan_apply(struct rl_plan *plan, struct bpf_object *obj)
{
	struct bpf_program *prog;
	size_t i, j;
	int err;

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, false);

	for (i = 0; i < plan->nr; i++) {
		struct rl_hook_plan *hp = &plan->hooks[i];
		const char *names[3];

		hook_progs(hp->hook, hp->mech, names);
		for (j = 0; j < 2; j++) {
			if (!names[j])
				continue;
			prog = bpf_object__find_program_by_name(obj, names[j]);
			if (!prog) {
				fprintf(stderr, "ringledger: internal error: BPF program %s missing\n",
					names[j]);
				return -ENOENT;
			}
			bpf_program__set_autoload(prog, true);
			if (hp->mech == RL_MECH_FENTRY) {
				err = bpf_program__set_attach_target(prog, 0, hp->func);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int rl_plan_attach(struct rl_plan *plan, struct bpf_object *obj)
{
	int failures = 0;
	size_t i, j;

	for (i = 0; i < plan->nr; i++) {
		struct rl_hook_plan *hp = &plan->hooks[i];
		const char *names[3];

		hook_progs(hp->hook, hp->mech, names);
		for (j = 0; j < 2; j++) {
			struct bpf_program *prog;
			struct bpf_link *link;

			if (!names[j])
				continue;
			prog = bpf_object__find_program_by_name(obj, names[j]);
			if (hp->mech == RL_MECH_FENTRY)
				link = bpf_program__attach_trace(prog);
			else if (hp->mech == RL_MECH_KPROBE)
				link = bpf_program__attach_kprobe(prog, j == 1, hp->func);
			else
				link = bpf_program__attach_raw_tracepoint(prog, hp->func);
			if (!link) {
				hp->attach_err = -errno;
				snprintf(hp->why, sizeof(hp->why), "%s %s: attach failed: %s",
					 rl_mech_name(hp->mech), hp->func, strerror(errno));
				failures++;
				break;
			}
			plan->links[plan->nr_links++] = link;
		}
	}
	return failures;
}

void rl_plan_detach(struct rl_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr_links; i++)
		bpf_link__destroy(plan->links[i]);
	plan->nr_links = 0;
}

static bool hook_ok(const struct rl_hook_plan *hp)
{
	return hp->mech != RL_MECH_ABSENT && !hp->attach_err;
}

/* Absent because the kernel lacks what it watches: not a loss. */
static bool hook_moot(const struct rl_hook_plan *hp)
{
	return hp->hook->optional && hp->mech == RL_MECH_ABSENT && !hp->attach_err;
}

bool rl_plan_finding_moot(const struct rl_plan *plan, int finding)
{
	bool moot = false;
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		const struct rl_hook_plan *hp = &plan->hooks[i];

		if (!(hp->hook->findings & F(finding)) || hook_ok(hp))
			continue;
		if (!hook_moot(hp))
			return false;
		moot = true;
	}
	return moot;
}

const char *rl_plan_finding_gap(const struct rl_plan *plan, int finding,
				char *buf, size_t len)
{
	size_t i;

	if (!(RL_IMPLEMENTED & F(finding))) {
		snprintf(buf, len, "not implemented yet");
		return buf;
	}
	for (i = 0; i < plan->nr; i++) {
		const struct rl_hook_plan *hp = &plan->hooks[i];

		if ((hp->hook->findings & F(finding)) && !hook_ok(hp)) {
			snprintf(buf, len, "needs %s: %s", hp->hook->name, hp->why);
			return buf;
		}
	}
	return NULL;
}

uint32_t rl_plan_findings_available(const struct rl_plan *plan)
{
	uint32_t mask = 0;
	char buf[8];
	int f;

	for (f = RL001; f < RL_F__MAX; f++)
		if (!rl_plan_finding_gap(plan, f, buf, sizeof(buf)))
			mask |= F(f);
	return mask;
}

size_t rl_plan_failures(const struct rl_plan *plan, char *buf, size_t len)
{
	size_t i, n = 0, off = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < plan->nr; i++) {
		const struct rl_hook_plan *hp = &plan->hooks[i];

		if (hook_ok(hp) || hook_moot(hp))
			continue;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s%s (%s)",
					n ? "; " : "", hp->hook->name, hp->why);
		n++;
	}
	return n;
}
