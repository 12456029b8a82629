// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach.c - hook table and attach strategy: the only file that knows how
 * a hook reaches the kernel.  The hooks themselves are described once, in
 * include/rl_hooks.h; the table below is built from that list.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "rl_findings.h"
#include "rl_hooks.h"
#include "ringledger.skel.h"

#define F(id) (1u << (id))

/* A program of the skeleton: its name, and where the skeleton keeps it
 * (offsetof(struct ringledger_bpf, progs.<name>): the build fails for a
 * name the BPF side does not define). */
struct rl_hook_prog {
	const char *name;		/* NULL: the hook has none here        */
	size_t off;
};

struct rl_hook {
	const char *name;		/* short, stable: shown by `features` */
	const char *what;		/* what the hook sees                  */
	const char *funcs[3];		/* candidates, first usable wins       */
	const char *tracepoint;		/* raw tracepoint instead of funcs     */
	struct {
		struct rl_hook_prog fentry, fexit, kprobe, kretprobe, tp, tp2;
		bool paired;		/* kprobes beside the trampolines  */
	} progs;
	uint32_t findings;		/* findings that need this hook        */
	bool optional;			/* see include/rl_hooks.h              */
};

/* Findings the ledger implements. */
#define RL_IMPLEMENTED (F(RL001) | F(RL002) | F(RL003) | F(RL004) | F(RL005) | F(RL006) | \
			F(RL007) | F(RL008) | F(RL009) | F(RL010))

/* the columns of include/rl_hooks.h */
#define FUNCS(...)	.funcs = { __VA_ARGS__ }
#define TP(tp)		.tracepoint = (tp)
#define PROGS(...)	.progs = { __VA_ARGS__ }
#define P(p)		{ #p, offsetof(struct ringledger_bpf, progs.p) }
#define HOOK_ROW(id, name_, what_, where, progs_, findings_, optional_) \
	{ .name = (name_), .what = (what_), where, progs_, .findings = (findings_), \
	  .optional = (optional_) },

static const struct rl_hook hook_table[] = {
	RL_HOOK_LIST(HOOK_ROW)
};

#undef FUNCS
#undef TP
#undef PROGS
#undef P
#undef HOOK_ROW

#define NR_HOOKS (sizeof(hook_table) / sizeof(hook_table[0]))

/* hook_table's index of each hook, and the stand-in pairs by index */
enum {
#define HOOK_IDX(id, ...) HOOK_##id,
	RL_HOOK_LIST(HOOK_IDX)
#undef HOOK_IDX
};

static const struct { unsigned short standin, primary; bool required; } standins[] = {
#define STANDIN_ROW(standin_, primary_, required_) \
	{ HOOK_##standin_, HOOK_##primary_, (required_) },
	RL_HOOK_STANDINS(STANDIN_ROW)
#undef STANDIN_ROW
};
#define NR_STANDINS (sizeof(standins) / sizeof(standins[0]))

_Static_assert(NR_HOOKS <= RL_MAX_HOOKS, "raise RL_MAX_HOOKS");

size_t rl_hook_count(void) { return NR_HOOKS; }
const struct rl_hook *rl_hook_at(size_t i) { return i < NR_HOOKS ? &hook_table[i] : NULL; }
const char *rl_hook_name(const struct rl_hook *h) { return h->name; }
const char *rl_hook_what(const struct rl_hook *h) { return h->what; }
const char *rl_hook_target(const struct rl_hook *h)
{
	return h->tracepoint ? h->tracepoint : h->funcs[0];
}

static const struct rl_hook_prog *hook_prog(const struct rl_hook *h, enum rl_prog_role r)
{
	static const struct rl_hook_prog none;

	switch (r) {
	case RL_PROG_FENTRY: return &h->progs.fentry;
	case RL_PROG_FEXIT: return &h->progs.fexit;
	case RL_PROG_KPROBE: return &h->progs.kprobe;
	case RL_PROG_KRETPROBE: return &h->progs.kretprobe;
	case RL_PROG_TP: return &h->progs.tp;
	case RL_PROG_TP2: return &h->progs.tp2;
	default: return &none;
	}
}

bool rl_hook_paired(const struct rl_hook *h)
{
	return h->progs.paired;
}

const char *rl_hook_prog_name(const struct rl_hook *h, enum rl_prog_role r)
{
	return hook_prog(h, r)->name;
}

struct bpf_program *rl_hook_prog(const struct rl_hook *h, enum rl_prog_role r,
				 const struct ringledger_bpf *skel)
{
	const struct rl_hook_prog *p = hook_prog(h, r);

	if (!p->name)
		return NULL;
	return *(struct bpf_program *const *)((const char *)skel + p->off);
}

const char *rl_mech_name(enum rl_mech m)
{
	switch (m) {
	case RL_MECH_FENTRY: return "fentry";
	case RL_MECH_KPROBE: return "kprobe";
	case RL_MECH_TRACEPOINT: return "tracepoint";
	case RL_MECH_STANDIN: return "stand-in";
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

/* A kretprobe takes a return instance from a pool of its own at each
 * entry (a perf kprobe gets max(10, 2 x CPUs)): with more tasks than that
 * inside the function at once, the rest go unseen.  Where fprobe runs on
 * the function graph (struct fprobe keeps an hlist_array, 6.14 on), a
 * kprobe.multi return probe keeps its return on the task's shadow stack,
 * and runs with preemption off like a kprobe.  Earlier fprobes take theirs
 * from a rethook pool of two per CPU: worse than a kretprobe's. */
static bool fprobe_on_fgraph(const struct btf *btf)
{
	const struct btf_type *t;
	const struct btf_member *m;
	int id, i;

	id = btf__find_by_name_kind(btf, "fprobe", BTF_KIND_STRUCT);
	if (id < 0 || !(t = btf__type_by_id(btf, id)))
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "hlist_array"))
			return true;
	return false;
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
	caps->kretprobe_multi_ok = caps->kprobe_ok && fprobe_on_fgraph(caps->vmlinux);
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

/* A tracepoint hook's kprobe goes on the tracepoint's iterator
 * (__traceiter_<tp>, rl_hooks.h), where kprobes attach and the iterator is
 * known to be traceable; --attach=fentry runs no kprobe. */
static void plan_iterator(struct rl_hook_plan *hp, const struct rl_kernel_caps *caps,
			  enum rl_attach_pref pref)
{
	hp->iter[0] = '\0';
	if (!hp->hook->progs.kprobe.name || !caps->kprobe_ok || pref == RL_PREF_FENTRY ||
	    !caps->traceable)
		return;
	snprintf(hp->iter, sizeof(hp->iter), "__traceiter_%s", hp->hook->tracepoint);
	if (!func_traceable(caps, hp->iter))
		hp->iter[0] = '\0';
}

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
			plan_iterator(hp, caps, pref);
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
			hp->paired = h->progs.paired && caps->kprobe_ok && pref != RL_PREF_FENTRY;
			hp->ret_multi = hp->paired && caps->kretprobe_multi_ok;
			return;
		}
		if (pref != RL_PREF_FENTRY && caps->kprobe_ok && traceable) {
			hp->mech = RL_MECH_KPROBE;
			hp->func = f;
			hp->ret_multi = caps->kretprobe_multi_ok;
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

/* A primary that cannot attach is seen through its stand-ins when every
 * required one can; a primary that can attach keeps its stand-ins off. */
static void plan_standins(struct rl_plan *plan)
{
	size_t i, j;

	for (i = 0; i < NR_STANDINS; i++) {
		struct rl_hook_plan *sp = &plan->hooks[standins[i].standin];
		struct rl_hook_plan *pp = &plan->hooks[standins[i].primary];

		if (pp->mech == RL_MECH_ABSENT || pp->mech == RL_MECH_STANDIN)
			continue;
		sp->mech = RL_MECH_ABSENT;
		sp->func = NULL;
		snprintf(sp->why, sizeof(sp->why), "not needed: %s sees it here (%s)",
			 pp->hook->name, pp->func);
	}
	for (i = 0; i < NR_STANDINS; i++) {
		struct rl_hook_plan *pp = &plan->hooks[standins[i].primary];
		size_t off, len = sizeof(pp->why);
		bool all = true;

		if (pp->mech != RL_MECH_ABSENT)
			continue;
		for (j = 0; j < NR_STANDINS; j++)
			if (standins[j].primary == standins[i].primary && standins[j].required &&
			    plan->hooks[standins[j].standin].mech == RL_MECH_ABSENT)
				all = false;
		if (!all) {
			/* half a view is worse than none: those that could attach stay off */
			for (j = 0; j < NR_STANDINS; j++) {
				struct rl_hook_plan *sp = &plan->hooks[standins[j].standin];

				if (standins[j].primary != standins[i].primary ||
				    sp->mech == RL_MECH_ABSENT)
					continue;
				sp->mech = RL_MECH_ABSENT;
				snprintf(sp->why, sizeof(sp->why), "off: %s's other stand-ins are missing",
					 pp->hook->name);
				sp->func = NULL;
			}
			continue;
		}
		off = snprintf(pp->why, len, "%s absent; seen through", pp->hook->funcs[0]);
		for (j = 0; j < NR_STANDINS && off < len; j++)
			if (standins[j].primary == standins[i].primary &&
			    plan->hooks[standins[j].standin].mech != RL_MECH_ABSENT)
				off += snprintf(pp->why + off, len - off, " %s",
						plan->hooks[standins[j].standin].hook->name);
		pp->mech = RL_MECH_STANDIN;
		pp->func = NULL;
	}
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
	plan_standins(plan);
}

/* The programs a hook's plan runs by slot (attach.h: a tracepoint's
 * second program is attached after its first); RL_PROG__MAX where it
 * runs none. */
#define NR_MECH_ROLES RL_PLAN_SLOTS
static void plan_roles(const struct rl_hook_plan *hp, enum rl_prog_role roles[NR_MECH_ROLES])
{
	roles[0] = roles[1] = roles[2] = roles[3] = RL_PROG__MAX;
	if (hp->mech == RL_MECH_FENTRY) {
		roles[0] = RL_PROG_FENTRY;
		roles[1] = RL_PROG_FEXIT;
		if (hp->paired) {
			roles[2] = RL_PROG_KPROBE;
			roles[3] = RL_PROG_KRETPROBE;
		}
	} else if (hp->mech == RL_MECH_KPROBE) {
		roles[0] = RL_PROG_KPROBE;
		roles[1] = RL_PROG_KRETPROBE;
	} else if (hp->mech == RL_MECH_TRACEPOINT) {
		roles[0] = RL_PROG_TP;
		roles[2] = RL_PROG_TP2;
		if (hp->iter[0])
			roles[3] = RL_PROG_KPROBE;	/* attached last: see rl_plan_attach */
	}
}

uint64_t rl_plan_tp_kprobe_slots(const struct rl_plan *plan)
{
	uint64_t mask = 0;
	size_t i;

	/* the BPF side's stash slots: RL_STASH_NONE, then one per hook in
	 * table order (bpf/state.bpf.h) */
	for (i = 0; i < plan->nr && i + 1 < 64; i++)
		if (plan->hooks[i].mech == RL_MECH_TRACEPOINT && plan->hooks[i].iter[0])
			mask |= 1ull << (i + 1);
	return mask;
}

enum rl_prog_role rl_plan_slot_role(const struct rl_plan *plan, size_t i, size_t slot)
{
	enum rl_prog_role roles[NR_MECH_ROLES];

	if (i >= plan->nr || slot >= NR_MECH_ROLES)
		return RL_PROG__MAX;
	plan_roles(&plan->hooks[i], roles);
	return roles[slot];
}

const char *rl_prog_role_name(enum rl_prog_role r)
{
	switch (r) {
	case RL_PROG_FENTRY: return "fentry";
	case RL_PROG_FEXIT: return "fexit";
	case RL_PROG_KPROBE: return "kprobe";
	case RL_PROG_KRETPROBE: return "kretprobe";
	case RL_PROG_TP: return "tracepoint";
	case RL_PROG_TP2: return "tracepoint's second";
	default: return "-";
	}
}

bool rl_plan_has_pairs(const struct rl_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		if (plan->hooks[i].paired)
			return true;
	}
	return false;
}

bool rl_plan_has_second(const struct rl_plan *plan, size_t i)
{
	enum rl_prog_role roles[NR_MECH_ROLES];

	if (i >= plan->nr || plan->hooks[i].attach_err)
		return false;
	plan_roles(&plan->hooks[i], roles);
	return roles[2] != RL_PROG__MAX &&
	       rl_hook_prog_name(plan->hooks[i].hook, roles[2]) != NULL;
}

int rl_plan_apply(struct rl_plan *plan, struct ringledger_bpf *skel)
{
	struct bpf_program *prog;
	size_t i, j;
	int err;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);

	for (i = 0; i < plan->nr; i++) {
		struct rl_hook_plan *hp = &plan->hooks[i];
		enum rl_prog_role roles[NR_MECH_ROLES];

		plan_roles(hp, roles);
		for (j = 0; j < NR_MECH_ROLES; j++) {
			const char *name = rl_hook_prog_name(hp->hook, roles[j]);

			if (!name)
				continue;
			prog = rl_hook_prog(hp->hook, roles[j], skel);
			if (!prog) {
				fprintf(stderr, "ringledger: internal error: BPF program %s missing\n",
					name);
				return -ENOENT;
			}
			bpf_program__set_autoload(prog, true);
			if (roles[j] == RL_PROG_KRETPROBE && hp->ret_multi) {
				err = bpf_program__set_expected_attach_type(prog,
									    BPF_TRACE_KPROBE_MULTI);
				if (err)
					return err;
			}
			if (roles[j] == RL_PROG_FENTRY || roles[j] == RL_PROG_FEXIT) {
				err = bpf_program__set_attach_target(prog, 0, hp->func);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

/* A return probe on one function through fprobe (fprobe_on_fgraph). */
static struct bpf_link *attach_return_multi(struct bpf_program *prog, const char *func)
{
	const char *syms[1] = { func };
	LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .syms = syms, .cnt = 1, .retprobe = true);

	return bpf_program__attach_kprobe_multi_opts(prog, NULL, &opts);
}

int rl_plan_attach(struct rl_plan *plan, struct ringledger_bpf *skel)
{
	int failures = 0;
	size_t i, j;

	for (i = 0; i < plan->nr; i++) {
		struct rl_hook_plan *hp = &plan->hooks[i];
		enum rl_prog_role roles[NR_MECH_ROLES];

		plan_roles(hp, roles);
		for (j = 0; j < NR_MECH_ROLES; j++) {
			struct bpf_program *prog = rl_hook_prog(hp->hook, roles[j], skel);
			struct bpf_link *link;

			if (!prog)
				continue;
			if (roles[j] == RL_PROG_FENTRY || roles[j] == RL_PROG_FEXIT)
				link = bpf_program__attach_trace(prog);
			else if (roles[j] == RL_PROG_KRETPROBE && hp->ret_multi)
				link = attach_return_multi(prog, hp->func);
			else if (roles[j] == RL_PROG_KPROBE || roles[j] == RL_PROG_KRETPROBE)
				/* a tracepoint's iterator kprobe (slot 3) after its
				 * two programs: with two probes the kernel calls the
				 * iterator, with one it would call the probe */
				link = bpf_program__attach_kprobe(prog, roles[j] == RL_PROG_KRETPROBE,
								  hp->mech == RL_MECH_TRACEPOINT ?
								  hp->iter : hp->func);
			else
				link = bpf_program__attach_raw_tracepoint(prog, hp->func);
			if (!link) {
				hp->attach_err = -errno;
				snprintf(hp->why, sizeof(hp->why), "%s %s: attach failed: %s",
					 rl_mech_name(hp->mech), hp->func, strerror(errno));
				failures++;
				break;
			}
			plan->links[i][j] = link;
		}
	}
	return failures;
}

/* Detaching waits: a kprobe's removal ends with an RCU grace period, a
 * trampoline's with a text patch, one link after another.  A few threads
 * share the links, so the waits overlap. */
#define RL_DETACH_THREADS 4

struct detach_share {
	struct rl_plan *plan;
	unsigned int nth;
};

static void *detach_share(void *arg)
{
	struct detach_share *d = arg;
	size_t i, j, n = 0;

	for (i = 0; i < d->plan->nr; i++)
		for (j = 0; j < RL_PLAN_SLOTS; j++, n++) {
			if (n % RL_DETACH_THREADS != d->nth)
				continue;
			bpf_link__destroy(d->plan->links[i][j]);
			d->plan->links[i][j] = NULL;
		}
	return NULL;
}

void rl_plan_detach(struct rl_plan *plan)
{
	struct detach_share share[RL_DETACH_THREADS];
	pthread_t tid[RL_DETACH_THREADS];
	bool started[RL_DETACH_THREADS] = {};
	unsigned int t;

	for (t = 0; t < RL_DETACH_THREADS; t++) {
		share[t] = (struct detach_share){ .plan = plan, .nth = t };
		if (t > 0)	/* the caller takes share 0 */
			started[t] = !pthread_create(&tid[t], NULL, detach_share, &share[t]);
	}
	detach_share(&share[0]);
	for (t = 1; t < RL_DETACH_THREADS; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			detach_share(&share[t]);	/* no thread: done here */
	}
}

static bool hook_ok(const struct rl_hook_plan *hp)
{
	const struct rl_hook_plan *first;
	size_t i;

	if (hp->mech != RL_MECH_STANDIN)
		return hp->mech != RL_MECH_ABSENT && !hp->attach_err;
	/* seen through its stand-ins: every one planned must have attached
	 * (a plan's hooks[i] is hook_table[i]'s) */
	first = hp - (hp->hook - hook_table);
	for (i = 0; i < NR_STANDINS; i++) {
		const struct rl_hook_plan *sp = &first[standins[i].standin];

		if (&hook_table[standins[i].primary] == hp->hook &&
		    (sp->mech != RL_MECH_ABSENT || standins[i].required) && !hook_ok(sp))
			return false;
	}
	return true;
}

/* Absent because the kernel lacks what it watches, or left out by the
 * mode that runs (rl_plan_leave_out): not a loss. */
static bool hook_moot(const struct rl_hook_plan *hp)
{
	return (hp->hook->optional || hp->left_out) && hp->mech == RL_MECH_ABSENT &&
	       !hp->attach_err;
}

int rl_plan_leave_out(struct rl_plan *plan, const char *const *names, const char *why)
{
	size_t i, j;

	for (j = 0; names[j]; j++) {
		for (i = 0; i < plan->nr; i++) {
			struct rl_hook_plan *hp = &plan->hooks[i];

			if (strcmp(hp->hook->name, names[j]))
				continue;
			hp->mech = RL_MECH_ABSENT;
			hp->func = NULL;
			hp->paired = false;
			hp->iter[0] = '\0';
			hp->left_out = true;
			snprintf(hp->why, sizeof(hp->why), "%s", why);
			break;
		}
		if (i == plan->nr)
			return -ENOENT;
	}
	return 0;
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
