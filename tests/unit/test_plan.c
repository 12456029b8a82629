// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_plan.c - the attach plan (src/attach.c) for model kernels: a BTF
 * built here holds the functions and tracepoints each Debian series has
 * (read from its vmlinuz's BTF), and the plan must pick the hooks that
 * kernel needs: 7.x's io_create_region / io_free_region, or where those
 * are absent their stand-ins (6.12's and 6.1's page arrays), and say which
 * findings that leaves.  No kernel is needed; trampolines and kprobes are
 * assumed to work.
 */
#include <errno.h>
#include <bpf/btf.h>
#include "attach.h"
#include "rl_findings.h"
#include "stat.h"
#include "tests.h"

#define F(id) (1u << (id))

static const char *const tracepoints[] = {
	"io_uring_create", "mm_page_free", "sched_process_fork", "sched_process_exec",
	"sched_process_exit", NULL,
};

/* what every series has (Debian 6.1.176, 6.12.117, 7.0-7.3) */
static const char *const common_funcs[] = {
	"io_ring_exit_work", "__io_uring_register", "io_uring_mmap", "vm_insert_pages",
	"vm_area_dup", "__split_vma", "unmap_single_vma", "io_pin_pages",
	"io_sqe_buffer_register", "unpin_user_page", "unpin_user_pages",
	"io_register_pbuf_ring", "io_unregister_pbuf_ring", "vm_area_free", NULL,
};

static const char *const k73[] = {
	"io_create_region", "io_free_region", "io_uring_get_unmapped_area", "remove_vma",
	"__zap_vma_range", "arena_get_unmapped_area", "mm_get_unmapped_area",
	"io_free_rsrc_node", "unpin_user_folio", "io_napi_free",
	"__traceiter_mm_page_free", "__traceiter_io_uring_create", NULL,
};

static const char *const k612[] = {
	"io_pages_map", "__io_uaddr_map", "io_pages_unmap", "io_pages_free", "io_put_bl",
	"io_uring_get_unmapped_area", "remove_vma", "arena_get_unmapped_area",
	"mm_get_unmapped_area", "io_buffer_unmap", "unpin_user_folio", "io_napi_free", NULL,
};

/* 6.1.176: the rings from io_pages_map (a stable backport), no rings in
 * user memory, buffer rings only in user memory, remove_vma inlined */
static const char *const k61[] = {
	"io_pages_map", "io_pages_unmap", "__io_remove_buffers",
	"io_uring_mmu_get_unmapped_area", "vm_area_free", "io_buffer_unmap", NULL,
};

/* an older 6.1 (io_mem_alloc, remap_pfn_range): no region functions */
static const char *const k61_old[] = {
	"__io_remove_buffers", "io_uring_mmu_get_unmapped_area", "vm_area_free",
	"io_buffer_unmap", NULL,
};

/* Each function gets BTF and a line of available_filter_functions
 * (which, as there, begins with a newline: attach.c's read_whole_file). */
static void add_funcs(struct btf *btf, int proto, const char *const *names,
		      char *traceable, size_t len)
{
	for (; names && *names; names++) {
		btf__add_func(btf, *names, BTF_FUNC_GLOBAL, proto);
		snprintf(traceable + strlen(traceable), len - strlen(traceable), "%s\n", *names);
	}
}

/* whether the kernel plan_for fakes has fprobe on the function graph
 * (attach.c's fprobe_on_fgraph: 7.x) */
static bool fprobe_fgraph;

static void plan_for(struct rl_plan *plan, struct rl_kernel_caps *caps,
		     const char *const *funcs, enum rl_attach_pref pref)
{
	struct btf *btf = btf__new_empty();
	int i, proto, type = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	size_t len = 4096;
	char *traceable = calloc(1, len);

	traceable[0] = '\n';
	proto = btf__add_func_proto(btf, type);
	add_funcs(btf, proto, common_funcs, traceable, len);
	add_funcs(btf, proto, funcs, traceable, len);
	for (i = 0; tracepoints[i]; i++) {
		char name[64];

		snprintf(name, sizeof(name), "btf_trace_%s", tracepoints[i]);
		btf__add_typedef(btf, name, type);
	}
	memset(caps, 0, sizeof(*caps));
	caps->vmlinux = btf;
	caps->fentry_ok = caps->kprobe_ok = true;
	caps->kretprobe_multi_ok = fprobe_fgraph;
	caps->traceable = traceable;		/* rl_caps_free frees it */
	caps->traceable_len = strlen(traceable);
	rl_plan_make(plan, caps, pref);
}

static const struct rl_hook_plan *hook(const struct rl_plan *plan, const char *name)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (!strcmp(rl_hook_name(plan->hooks[i].hook), name))
			return &plan->hooks[i];
	return NULL;
}

static void expect_mech(const char *kernel, const struct rl_plan *plan, const char *name,
			enum rl_mech mech, const char *func)
{
	const struct rl_hook_plan *hp = hook(plan, name);
	char check[160];

	snprintf(check, sizeof(check), "%s: %s by %s %s", kernel, name, rl_mech_name(mech),
		 func ? func : "-");
	if (!t_ok(hp && hp->mech == mech && (func ? hp->func && !strcmp(hp->func, func) :
					     !hp->func), check) && hp)
		printf("#   got %s %s (%s)\n", rl_mech_name(hp->mech), hp->func ? hp->func : "-",
		       hp->why);
}

/* A tracepoint hook's kprobe on its iterator ("" for none), and its bit
 * in the mask the BPF side reads (slot = table index + 1). */
static void expect_iterator(const char *kernel, const struct rl_plan *plan, const char *name,
			    const char *iter)
{
	const struct rl_hook_plan *hp = hook(plan, name);
	char check[160];
	size_t i = hp ? (size_t)(hp - plan->hooks) : 0;

	snprintf(check, sizeof(check), "%s: %s's kprobe %s%s", kernel, name, *iter ? "on " : "none",
		 iter);
	if (!t_ok(hp && !strcmp(hp->iter, iter), check) && hp)
		printf("#   got '%s'\n", hp->iter);
	snprintf(check, sizeof(check), "%s: %s's bit in tp_kprobe_slots %s", kernel, name,
		 *iter ? "set" : "clear");
	T_OK(hp && !!(rl_plan_tp_kprobe_slots(plan) & (1ull << (i + 1))) == !!*iter, check);
}

/* Findings available, and those missing that are not moot. */
static void expect_findings(const char *kernel, const struct rl_plan *plan,
			    uint32_t want_available, uint32_t want_lost)
{
	uint32_t lost = 0, avail = rl_plan_findings_available(plan);
	char check[160], gap[256];
	int f;

	for (f = RL001; f < RL_F__MAX; f++)
		if (rl_plan_finding_gap(plan, f, gap, sizeof(gap)) && !rl_plan_finding_moot(plan, f))
			lost |= F(f);
	snprintf(check, sizeof(check), "%s: the findings available", kernel);
	T_EQ_U(check, avail, want_available);
	snprintf(check, sizeof(check), "%s: the findings lost (not moot)", kernel);
	T_EQ_U(check, lost, want_lost);
}

#define ALL_BUT_RL005 (F(RL001) | F(RL002) | F(RL003) | F(RL004) | F(RL006) | F(RL007) | \
		       F(RL008) | F(RL009) | F(RL010))

int main(void)
{
	struct rl_kernel_caps caps;
	struct rl_plan plan;

	plan_for(&plan, &caps, k73, RL_PREF_AUTO);
	expect_mech("7.3", &plan, "region-create", RL_MECH_FENTRY, "io_create_region");
	expect_mech("7.3", &plan, "region-free", RL_MECH_FENTRY, "io_free_region");
	expect_mech("7.3", &plan, "pages-map", RL_MECH_ABSENT, NULL);
	T_CONTAINS("7.3: a stand-in says it is not needed", hook(&plan, "pages-map")->why,
		   "not needed: region-create");
	expect_mech("7.3", &plan, "ring-death", RL_MECH_FENTRY, "io_napi_free");
	expect_mech("7.3", &plan, "ring-exit-work", RL_MECH_ABSENT, NULL);
	expect_findings("7.3", &plan, ALL_BUT_RL005, 0);
	expect_iterator("7.3", &plan, "page-free", "__traceiter_mm_page_free");
	expect_iterator("7.3", &plan, "ring-create", "__traceiter_io_uring_create");
	expect_iterator("7.3, its iterator not traceable", &plan, "proc-exit", "");
	rl_caps_free(&caps);

	/* stat's plan: its left-out hooks are each in the table, absent, and
	 * no loss; what it folds in still attaches, paired */
	plan_for(&plan, &caps, k73, RL_PREF_AUTO);
	T_EQ_I("stat: every hook it leaves out is in the table",
	       rl_plan_leave_out(&plan, rl_stat_leave_out, "not needed"), 0);
	T_EQ_U("stat: the hooks left out are no loss", rl_plan_failures(&plan, NULL, 0), 0);
	T_OK(rl_plan_has_pairs(&plan), "stat: the pairs stay (a churn of rings without them loses calls)");
	expect_mech("7.3 stat", &plan, "page-free", RL_MECH_ABSENT, NULL);
	expect_mech("7.3 stat", &plan, "unpin-folio", RL_MECH_ABSENT, NULL);
	expect_mech("7.3 stat", &plan, "region-create", RL_MECH_FENTRY, "io_create_region");
	expect_mech("7.3 stat", &plan, "buf-release", RL_MECH_FENTRY, "io_free_rsrc_node");
	rl_caps_free(&caps);
	{
		static const char *const bogus[] = { "no-such-hook", NULL };

		plan_for(&plan, &caps, k73, RL_PREF_AUTO);
		T_EQ_I("a name no hook has is refused", rl_plan_leave_out(&plan, bogus, "x"), -ENOENT);
		rl_caps_free(&caps);
	}

	fprobe_fgraph = true;
	plan_for(&plan, &caps, k73, RL_PREF_AUTO);
	T_OK(hook(&plan, "vma-copy")->ret_multi && hook(&plan, "register-scope")->ret_multi,
	     "7.3, fprobe on the function graph: the pairs' kretprobes attach as kprobe.multi");
	T_OK(!hook(&plan, "vma-split")->ret_multi,
	     "7.3: an unpaired hook's kretprobe is not planned (trampolines only)");
	rl_caps_free(&caps);
	plan_for(&plan, &caps, k73, RL_PREF_KPROBE);
	T_OK(hook(&plan, "vma-copy")->ret_multi,
	     "7.3 --attach=kprobe: kretprobes attach as kprobe.multi");
	rl_caps_free(&caps);
	fprobe_fgraph = false;
	plan_for(&plan, &caps, k73, RL_PREF_AUTO);
	T_OK(!hook(&plan, "vma-copy")->ret_multi,
	     "older fprobe (a rethook pool): kretprobes stay perf kprobes");
	rl_caps_free(&caps);

	plan_for(&plan, &caps, k73, RL_PREF_FENTRY);
	expect_iterator("7.3, --attach=fentry", &plan, "page-free", "");
	T_EQ_U("7.3, --attach=fentry: no tracepoint has its iterator's kprobe",
	       rl_plan_tp_kprobe_slots(&plan), 0);
	rl_caps_free(&caps);

	plan_for(&plan, &caps, k612, RL_PREF_AUTO);
	expect_mech("6.12", &plan, "region-create", RL_MECH_STANDIN, NULL);
	expect_mech("6.12", &plan, "region-free", RL_MECH_STANDIN, NULL);
	expect_mech("6.12", &plan, "pages-map", RL_MECH_FENTRY, "io_pages_map");
	expect_mech("6.12", &plan, "uaddr-map", RL_MECH_FENTRY, "__io_uaddr_map");
	expect_mech("6.12", &plan, "pages-unmap", RL_MECH_FENTRY, "io_pages_unmap");
	expect_mech("6.12", &plan, "pages-free", RL_MECH_FENTRY, "io_pages_free");
	expect_mech("6.12", &plan, "put-bl", RL_MECH_FENTRY, "io_put_bl");
	expect_mech("6.12", &plan, "buf-release", RL_MECH_FENTRY, "io_buffer_unmap");
	expect_mech("6.12", &plan, "ring-death", RL_MECH_FENTRY, "io_napi_free");
	T_CONTAINS("6.12: region-free names its stand-ins", hook(&plan, "region-free")->why,
		   "seen through pages-unmap pages-free put-bl");
	expect_findings("6.12", &plan, ALL_BUT_RL005, 0);
	rl_caps_free(&caps);

	plan_for(&plan, &caps, k612, RL_PREF_KPROBE);
	expect_mech("6.12 --attach=kprobe", &plan, "pages-map", RL_MECH_KPROBE, "io_pages_map");
	expect_mech("6.12 --attach=kprobe", &plan, "region-create", RL_MECH_STANDIN, NULL);
	rl_caps_free(&caps);

	/* a required stand-in missing: the primary's findings are lost */
	{
		static const char *const k612_no_unmap[] = {
			"io_pages_map", "__io_uaddr_map", "io_pages_free", "io_put_bl",
			"io_uring_get_unmapped_area", "remove_vma", "io_buffer_unmap",
			"unpin_user_folio", NULL,
		};

		plan_for(&plan, &caps, k612_no_unmap, RL_PREF_AUTO);
		expect_mech("6.12 without io_pages_unmap", &plan, "region-free", RL_MECH_ABSENT, NULL);
		expect_mech("6.12 without io_pages_unmap: its other stand-ins off", &plan, "put-bl",
			    RL_MECH_ABSENT, NULL);
		expect_mech("6.12 without io_pages_unmap", &plan, "region-create", RL_MECH_STANDIN,
			    NULL);
		expect_findings("6.12 without io_pages_unmap", &plan,
				F(RL006) | F(RL007) | F(RL008) | F(RL010),
				F(RL001) | F(RL002) | F(RL003) | F(RL004) | F(RL009));
		rl_caps_free(&caps);
	}

	plan_for(&plan, &caps, k61, RL_PREF_AUTO);
	expect_mech("6.1", &plan, "region-create", RL_MECH_STANDIN, NULL);
	expect_mech("6.1", &plan, "region-free", RL_MECH_STANDIN, NULL);
	expect_mech("6.1", &plan, "uaddr-map", RL_MECH_ABSENT, NULL);
	expect_mech("6.1", &plan, "put-bl", RL_MECH_FENTRY, "__io_remove_buffers");
	expect_mech("6.1", &plan, "vma-remove", RL_MECH_FENTRY, "vm_area_free");
	expect_mech("6.1", &plan, "mmap-area", RL_MECH_FENTRY, "io_uring_mmu_get_unmapped_area");
	expect_mech("6.1", &plan, "unpin-folio", RL_MECH_ABSENT, NULL);
	/* no io_napi_free before 6.9: the death is io_ring_exit_work's return */
	expect_mech("6.1", &plan, "ring-death", RL_MECH_STANDIN, NULL);
	expect_mech("6.1", &plan, "ring-exit-work", RL_MECH_FENTRY, "io_ring_exit_work");
	expect_findings("6.1", &plan, ALL_BUT_RL005, 0);
	rl_caps_free(&caps);

	plan_for(&plan, &caps, k61_old, RL_PREF_AUTO);
	expect_mech("6.1 with io_mem_alloc", &plan, "region-create", RL_MECH_ABSENT, NULL);
	expect_findings("6.1 with io_mem_alloc", &plan, F(RL007) | F(RL008) | F(RL010),
			F(RL001) | F(RL002) | F(RL003) | F(RL004) | F(RL006) | F(RL009));
	rl_caps_free(&caps);

	return t_done();
}
