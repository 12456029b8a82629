// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_rules.c - every rule against its breaking and its correct replay
 * (tests/replays/), and the lifecycle orders that must stay clean.
 */
#include "tests.h"

#define CTX	0xffff888100a00000ULL
#define RINGS	0xffff888101000000ULL
#define SQES	0xffff888101002000ULL
#define PBUF	0xffff888101004000ULL
#define V_SQ	0xffff888102000000ULL
#define V_SQE	0xffff888102000200ULL
#define V_PBUF	0xffff888102000300ULL
#define V_CHILD	0xffff888102000900ULL

static void test_lifecycles(void)
{
	static const char *const clean[] = {
		"lifecycle_unmap_first", "lifecycle_unmap_after_close", "lifecycle_exit_zap",
	};
	struct rl_ledger_stats st;
	size_t i;

	for (i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		struct rl_ledger *l = t_replay(clean[i], false);
		char name[128];

		t_clean(l, clean[i]);
		rl_ledger_get_stats(l, &st);
		snprintf(name, sizeof(name), "%s: 2 regions created", clean[i]);
		T_EQ_U(name, st.regions_created, 2);
		snprintf(name, sizeof(name), "%s: 2 regions freed", clean[i]);
		T_EQ_U(name, st.regions_freed, 2);
		snprintf(name, sizeof(name), "%s: 3 mmaps", clean[i]);
		T_EQ_U(name, st.mmaps, 3);
		snprintf(name, sizeof(name), "%s: 3 vmas removed", clean[i]);
		T_EQ_U(name, st.vmas_removed, 3);
		snprintf(name, sizeof(name), "%s: 3 pages tracked", clean[i]);
		T_EQ_U(name, st.pages_tracked, 3);
		snprintf(name, sizeof(name), "%s: 3 pages freed", clean[i]);
		T_EQ_U(name, st.pages_freed, 3);
		snprintf(name, sizeof(name), "%s: ctx created and dead", clean[i]);
		T_OK(st.ctx_created == 1 && st.ctx_dead == 1 && rl_ledger_live_ctxs(l) == 0,
		     name);
		rl_ledger_free(l);
	}
}

static void test_seed000(void)
{
	struct rl_ledger *l = t_replay("seed000_nommu", false);
	const struct rl_finding *f;

	T_EQ_U("seed000: two RL002 (one per region)", t_count(l, RL002), 2);
	T_EQ_U("seed000: three RL001 (one per page free)", t_count(l, RL001), 3);
	T_EQ_U("seed000: nothing else", rl_ledger_nr_findings(l), 5);
	f = t_finding(l, RL002, 0);
	if (f) {
		T_EQ_U("seed000: RL002 first pfn", f->pfn, 0x10a000);
		T_EQ_U("seed000: RL002 both ring pages short", f->nr_pfns, 2);
		T_EQ_I("seed000: RL002 refcount seen", f->refcount_seen, 1);
		T_EQ_I("seed000: RL002 refcount expected (1 + SQ + CQ)", f->refcount_expected, 3);
		T_EQ_U("seed000: RL002 region", f->region, RINGS);
		T_EQ_U("seed000: RL002 ctx", f->ctx, CTX);
		T_EQ_U("seed000: RL002 region kind", f->region_kind, RL_RK_RINGS);
		T_EQ_U("seed000: RL002 carries the io_free_region stack", f->nr_stack, 3);
	}
	f = t_finding(l, RL002, 1);
	if (f) {
		T_EQ_U("seed000: second RL002 pfn", f->pfn, 0x10b000);
		T_EQ_I("seed000: second RL002 expected (1 + SQE)", f->refcount_expected, 2);
	}
	/* the order: RL002 at the free comes before the RL001 of its pages */
	T_EQ_U("seed000: first finding is RL002", rl_ledger_finding(l, 0)->id, RL002);
	f = t_finding(l, RL001, 0);
	if (f) {
		T_EQ_U("seed000: RL001 pfn", f->pfn, 0x10a000);
		T_EQ_U("seed000: RL001 region", f->region, RINGS);
		T_OK(f->vma == V_SQ || f->vma == V_SQ + 0x100, "seed000: RL001 names a ring vma");
		T_EQ_U("seed000: RL001 free stack kept", f->nr_stack, 2);
		T_EQ_U("seed000: RL001 setup stack is io_free_region's", f->nr_setup_stack, 3);
		T_EQ_U("seed000: RL001 setup stack frame", f->setup_stack[0], 0xffffffff81a00010ULL);
	}
	rl_ledger_free(l);
}

static void test_rl001(void)
{
	struct rl_ledger *l = t_replay("rl001_break", false);
	const struct rl_finding *f = t_only(l, RL001, "rl001_break");

	if (f) {
		T_EQ_U("rl001_break: pfn", f->pfn, 0x10b000);
		T_EQ_U("rl001_break: nr_pfns", f->nr_pfns, 1);
		T_EQ_U("rl001_break: ctx", f->ctx, CTX);
		T_EQ_U("rl001_break: region", f->region, SQES);
		T_EQ_U("rl001_break: kind", f->region_kind, RL_RK_SQES);
		T_EQ_U("rl001_break: vma", f->vma, V_SQE);
		T_EQ_U("rl001_break: vma start", f->vma_start, 0x7f0000020000ULL);
		T_EQ_U("rl001_break: vma end", f->vma_end, 0x7f0000021000ULL);
		T_EQ_U("rl001_break: vma pgoff", f->vma_pgoff, 0x10000);
		T_EQ_U("rl001_break: breaking stack", f->stack[0], 0xffffffff81300040ULL);
		T_EQ_U("rl001_break: setup stack", f->nr_setup_stack, 3);
		T_EQ_U("rl001_break: pid of the free", f->pid, 50);
		T_CONTAINS("rl001_break: detail names the pfn", f->detail, "0x10b000");
	}
	rl_ledger_free(l);
	l = t_replay("rl001_clean", false);
	t_clean(l, "rl001_clean");
	rl_ledger_free(l);
}

static void test_rl002(void)
{
	struct rl_ledger *l = t_replay("rl002_break", false);
	const struct rl_finding *f = t_only(l, RL002, "rl002_break");

	if (f) {
		T_EQ_U("rl002_break: pfn", f->pfn, 0x10b000);
		T_EQ_U("rl002_break: nr_pfns", f->nr_pfns, 1);
		T_EQ_I("rl002_break: seen", f->refcount_seen, 1);
		T_EQ_I("rl002_break: expected", f->refcount_expected, 2);
		T_EQ_U("rl002_break: region", f->region, SQES);
		T_EQ_U("rl002_break: the mapping vma", f->vma, V_SQE);
		T_EQ_U("rl002_break: pid of io_free_region", f->pid, 50);
	}
	rl_ledger_free(l);

	l = t_replay("rl002_create_break", false);
	f = t_only(l, RL002, "rl002_create_break");
	if (f) {
		T_EQ_U("rl002_create_break: pfn", f->pfn, 0x10a001);
		T_EQ_I("rl002_create_break: seen", f->refcount_seen, 0);
		T_EQ_I("rl002_create_break: expected", f->refcount_expected, 1);
		T_EQ_U("rl002_create_break: the creator", f->pid, 100);
	}
	rl_ledger_free(l);

	l = t_replay("rl002_clean", false);
	t_clean(l, "rl002_clean");
	rl_ledger_free(l);
}

static void test_rl003(void)
{
	struct rl_ledger *l = t_replay("rl003_break", false);
	const struct rl_finding *f = t_only(l, RL003, "rl003_break");

	if (f) {
		T_EQ_U("rl003_break: region", f->region, SQES);
		T_EQ_U("rl003_break: kind", f->region_kind, RL_RK_SQES);
		T_EQ_U("rl003_break: ctx", f->ctx, CTX);
		T_EQ_U("rl003_break: its page", f->pfn, 0x10b000);
		T_EQ_U("rl003_break: ring's creator", f->pid, 100);
		T_EQ_U("rl003_break: class is leak", rl_finding_class_of(f->id), RL_CLASS_LEAK);
	}
	rl_ledger_free(l);
	l = t_replay("rl003_clean", false);
	t_clean(l, "rl003_clean");
	rl_ledger_free(l);
}

static void test_rl004(void)
{
	struct rl_ledger *l = t_replay("rl004_break", false);
	const struct rl_finding *f = t_only(l, RL004, "rl004_break");
	struct rl_ledger_stats st;

	if (f) {
		T_EQ_U("rl004_break: ctx", f->ctx, CTX);
		T_EQ_U("rl004_break: pin set", f->pin_set, 1);
		T_EQ_U("rl004_break: owner is a fixed buffer", f->pin_owner, RL_PO_BUFFER);
		T_EQ_U("rl004_break: buffer index", f->pin_owner_id, 0);
		T_EQ_U("rl004_break: first folio held", f->pfn, 0x20a000);
		T_EQ_U("rl004_break: 4 folios held", f->nr_pfns, 4);
		T_EQ_U("rl004_break: who pinned", f->pid, 100);
		T_EQ_U("rl004_break: judged at ctx death", f->ts_ns, 1200);
		T_EQ_U("rl004_break: the release's stack", f->stack[0], 0xffffffff81600010ULL);
		T_EQ_U("rl004_break: the pin's stack", f->nr_setup_stack, 3);
		T_CONTAINS("rl004_break: says released", f->detail, "io_uring released it");
		T_EQ_U("rl004_break: class is leak", rl_finding_class_of(f->id), RL_CLASS_LEAK);
	}
	rl_ledger_get_stats(l, &st);
	T_EQ_U("rl004_break: one pin set", st.pin_sets, 1);
	T_EQ_U("rl004_break: 4 pins taken", st.pins_taken, 4);
	T_EQ_U("rl004_break: none dropped", st.pins_dropped, 0);
	rl_ledger_free(l);

	l = t_replay("rl004_exit_break", false);
	f = t_only(l, RL004, "rl004_exit_break");
	if (f)
		T_CONTAINS("rl004_exit_break: says the ring died", f->detail,
			   "its ring context 0xffff888100a00000 died");
	rl_ledger_free(l);

	l = t_replay("rl004_clean", false);
	t_clean(l, "rl004_clean");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("rl004_clean: 4 pins dropped", st.pins_dropped, 4);
	rl_ledger_free(l);
}

static void test_rl004_clone(void)
{
	struct rl_ledger *l = t_replay("rl004_clone_clean", false);
	const struct rl_finding *f;

	t_clean(l, "rl004_clone_clean");
	rl_ledger_free(l);

	l = t_replay("rl004_clone_break", false);
	f = t_only(l, RL004, "rl004_clone_break");
	if (f) {
		T_EQ_U("rl004_clone_break: pin set", f->pin_set, 1);
		T_CONTAINS("rl004_clone_break: shared", f->detail, "every ring sharing it died");
	}
	rl_ledger_free(l);
}

static void test_rl005(void)
{
	struct rl_ledger *l = t_replay("rl005_break", false);
	const struct rl_finding *f = t_only(l, RL005, "rl005_break");

	if (f) {
		T_EQ_U("rl005_break: ctx", f->ctx, CTX);
		T_EQ_U("rl005_break: bgid", f->bgid, 1);
		T_EQ_U("rl005_break: kind pbuf", f->region_kind, RL_RK_PBUF);
		T_EQ_U("rl005_break: at the unregister", f->ts_ns, 1012);
		T_EQ_U("rl005_break: the unregister's stack", f->nr_stack, 2);
		T_EQ_U("rl005_break: the pin's stack", f->nr_setup_stack, 2);
		T_CONTAINS("rl005_break: says -EBUSY", f->detail, "-EBUSY");
	}
	rl_ledger_free(l);
	l = t_replay("rl005_clean", false);
	t_clean(l, "rl005_clean");
	rl_ledger_free(l);
}

static void test_rl007(void)
{
	struct rl_ledger *l = t_replay("rl007_break", false);
	const struct rl_finding *f = t_only(l, RL007, "rl007_break");

	if (f) {
		T_EQ_U("rl007_break: the memfd page", f->pfn, 0x30d000);
		T_EQ_U("rl007_break: pin set", f->pin_set, 1);
		T_EQ_U("rl007_break: buffer 0", f->pin_owner, RL_PO_BUFFER);
		T_EQ_U("rl007_break: at the pin", f->ts_ns, 1010);
		T_EQ_U("rl007_break: the pin's stack", f->nr_stack, 3);
		T_CONTAINS("rl007_break: anon vs shmem", f->detail,
			   "page 0 is anonymous memory but page 1 (pfn 0x30d000) is shmem of "
			   "mapping 0xffff888105000000");
	}
	rl_ledger_free(l);

	l = t_replay("rl007_file_break", false);
	f = t_only(l, RL007, "rl007_file_break");
	if (f)
		T_CONTAINS("rl007_file_break: a file page", f->detail, "neither shmem nor hugetlb");
	rl_ledger_free(l);

	l = t_replay("rl007_clean", false);
	t_clean(l, "rl007_clean");
	rl_ledger_free(l);
}

static void test_rl009(void)
{
	struct rl_ledger *l = t_replay("rl009_break", false);
	const struct rl_finding *f = t_only(l, RL009, "rl009_break");

	if (f) {
		T_EQ_U("rl009_break: the folio unpinned twice", f->pfn, 0x20a000);
		T_EQ_U("rl009_break: pin set", f->pin_set, 1);
		T_EQ_U("rl009_break: the release's stack", f->stack[0], 0xffffffff81600010ULL);
		T_CONTAINS("rl009_break: no pin left", f->detail, "held no more pins of it");
	}
	rl_ledger_free(l);

	l = t_replay("rl009_late_break", false);
	f = t_only(l, RL009, "rl009_late_break");
	if (f)
		T_CONTAINS("rl009_late_break: after the release", f->detail, "already dropped every pin");
	rl_ledger_free(l);

	l = t_replay("rl009_release_break", false);
	f = t_only(l, RL009, "rl009_release_break");
	if (f) {
		T_EQ_U("rl009_release_break: the page released", f->pfn, 0x10f000);
		T_EQ_U("rl009_release_break: region", f->region, SQES);
		T_CONTAINS("rl009_release_break: names the page it had", f->detail, "0x10a001");
	}
	rl_ledger_free(l);

	l = t_replay("rl009_clean", false);
	t_clean(l, "rl009_clean");
	rl_ledger_free(l);
}

static void test_rl006(void)
{
	struct rl_ledger *l = t_replay("rl006_break", false);
	const struct rl_finding *f = t_only(l, RL006, "rl006_break");

	if (f) {
		T_EQ_U("rl006_break: vma", f->vma, V_SQE);
		T_EQ_U("rl006_break: region", f->region, SQES);
		T_EQ_U("rl006_break: vma pages", f->nr_pfns, 2);
		T_CONTAINS("rl006_break: says larger", f->detail, "larger");
	}
	rl_ledger_free(l);

	l = t_replay("rl006_mismatch_break", false);
	f = t_only(l, RL006, "rl006_mismatch_break");
	if (f) {
		T_EQ_U("rl006_mismatch_break: vma", f->vma, V_SQE);
		T_CONTAINS("rl006_mismatch_break: says which pages", f->detail,
			   "pages of rings region");
	}
	rl_ledger_free(l);

	l = t_replay("rl006_noregion_break", false);
	f = t_only(l, RL006, "rl006_noregion_break");
	if (f) {
		T_EQ_U("rl006_noregion_break: kind", f->region_kind, RL_RK_PBUF);
		T_EQ_U("rl006_noregion_break: bgid", f->bgid, 3);
		T_EQ_U("rl006_noregion_break: ctx", f->ctx, CTX);
		T_CONTAINS("rl006_noregion_break: says no region", f->detail, "no live region");
	}
	rl_ledger_free(l);

	l = t_replay("rl006_clean", false);
	t_clean(l, "rl006_clean");
	rl_ledger_free(l);
}

static void test_rl008(void)
{
	struct rl_ledger *l = t_replay("rl008_break", false);
	const struct rl_finding *f = t_only(l, RL008, "rl008_break");

	if (f) {
		T_CONTAINS("rl008_break: alignment", f->detail, "not page aligned");
		T_EQ_U("rl008_break: ctx", f->ctx, CTX);
		T_EQ_U("rl008_break: kind from pgoff", f->region_kind, RL_RK_SQES);
	}
	rl_ledger_free(l);

	l = t_replay("rl008_landed_break", false);
	f = t_only(l, RL008, "rl008_landed_break");
	if (f) {
		T_CONTAINS("rl008_landed_break: says where", f->detail, "landed at 0x7f0000020000");
		T_EQ_U("rl008_landed_break: vma", f->vma, V_SQE);
	}
	rl_ledger_free(l);

	l = t_replay("rl008_window_break", false);
	f = t_only(l, RL008, "rl008_window_break");
	if (f)
		T_CONTAINS("rl008_window_break: window", f->detail, "leaves the user address space");
	rl_ledger_free(l);

	/* the window is the task's own: 5-level paging widens it ... */
	l = t_replay("rl008_window_la57_clean", false);
	t_clean(l, "rl008_window_la57_clean");
	rl_ledger_free(l);

	/* ... and a compat task's ends at 4 GiB */
	l = t_replay("rl008_window_compat_break", false);
	f = t_only(l, RL008, "rl008_window_compat_break");
	if (f)
		T_CONTAINS("rl008_window_compat_break: the task's window", f->detail,
			   "ends above 0xffffe000");
	rl_ledger_free(l);

	l = t_replay("rl008_clean", false);
	t_clean(l, "rl008_clean");
	rl_ledger_free(l);

	/* BPF arenas (seed 004): inside the reserved window and 4 GiB ... */
	l = t_replay("rl008_arena_clean", false);
	t_clean(l, "rl008_arena_clean");
	rl_ledger_free(l);

	/* ... or not */
	l = t_replay("rl008_arena_break", false);
	f = t_only(l, RL008, "rl008_arena_break");
	if (f) {
		T_CONTAINS("rl008_arena_break: names the arena", f->detail,
			   "BPF arena map 0xffff888104000000");
		T_CONTAINS("rl008_arena_break: leaves the window", f->detail,
			   "leaves the window [0x3f00001000, +0x8000)");
	}
	rl_ledger_free(l);

	l = t_replay("rl008_arena_cross_break", false);
	f = t_only(l, RL008, "rl008_arena_cross_break");
	if (f)
		T_CONTAINS("rl008_arena_cross_break: 4 GiB", f->detail, "crosses a 4 GiB boundary");
	rl_ledger_free(l);
}

static void test_rl010(void)
{
	struct rl_ledger *l = t_replay("rl010_break", false);
	const struct rl_finding *f = t_only(l, RL010, "rl010_break");
	struct rl_ledger_stats st;

	if (f) {
		T_CONTAINS("rl010_break: total lost", f->detail, "7 event(s) lost");
		T_CONTAINS("rl010_break: counter name", f->detail, "ringbuf_full");
	}
	rl_ledger_get_stats(l, &st);
	T_EQ_U("rl010_break: stats lost", st.lost_events, 7);
	T_EQ_U("rl010_break: counted once", st.findings[RL010], 1);
	rl_ledger_free(l);

	l = t_replay("rl010_clean", false);
	t_clean(l, "rl010_clean");
	rl_ledger_free(l);
	/* a ctx that died is never "timed out", even if check's wait was */
	l = t_replay("rl010_clean", true);
	t_clean(l, "rl010_clean with the wait timed out");
	rl_ledger_free(l);
}

static void test_single_ref(void)
{
	struct rl_ledger *l = t_replay("single_ref_clean", false);
	const struct rl_finding *f;
	struct rl_ledger_stats st;

	t_clean(l, "single_ref_clean");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("single_ref_clean: the order-2 free covers all 4 pages", st.pages_freed, 7);
	rl_ledger_free(l);

	l = t_replay("single_ref_break", false);
	T_EQ_U("single_ref_break: two findings", rl_ledger_nr_findings(l), 2);
	f = t_finding(l, RL002, 0);
	T_OK(f != NULL, "single_ref_break: RL002");
	if (f) {
		T_EQ_U("single_ref_break: RL002 judged on the head", f->pfn, 0x200000);
		T_EQ_U("single_ref_break: RL002 one folio", f->nr_pfns, 1);
		T_EQ_I("single_ref_break: RL002 seen", f->refcount_seen, 1);
		T_EQ_I("single_ref_break: RL002 expected 1 + 4 mapped pages",
		       f->refcount_expected, 5);
		T_EQ_U("single_ref_break: RL002 pbuf", f->region_kind, RL_RK_PBUF);
		T_EQ_U("single_ref_break: RL002 bgid", f->bgid, 1);
	}
	f = t_finding(l, RL001, 0);
	T_OK(f != NULL, "single_ref_break: RL001");
	if (f) {
		T_EQ_U("single_ref_break: RL001 head pfn", f->pfn, 0x200000);
		T_EQ_U("single_ref_break: RL001 all 4 pages mapped", f->nr_pfns, 4);
		T_EQ_U("single_ref_break: RL001 vma", f->vma, V_PBUF);
		T_EQ_U("single_ref_break: RL001 region", f->region, PBUF);
	}
	rl_ledger_free(l);
}

static void test_fork(void)
{
	struct rl_ledger *l = t_replay("fork_clean", false);
	const struct rl_finding *f;

	t_clean(l, "fork_clean");
	rl_ledger_free(l);

	l = t_replay("fork_break", false);
	T_EQ_U("fork_break: two findings", rl_ledger_nr_findings(l), 2);
	f = t_finding(l, RL002, 0);
	T_OK(f != NULL, "fork_break: RL002");
	if (f) {
		T_EQ_I("fork_break: RL002 seen", f->refcount_seen, 1);
		T_EQ_I("fork_break: RL002 expected counts the child", f->refcount_expected, 2);
		T_EQ_U("fork_break: RL002 names the child's vma", f->vma, V_CHILD);
	}
	f = t_finding(l, RL001, 0);
	T_OK(f != NULL, "fork_break: RL001");
	if (f) {
		T_EQ_U("fork_break: RL001 pfn", f->pfn, 0x10b000);
		T_EQ_U("fork_break: RL001 names the child's vma", f->vma, V_CHILD);
	}
	rl_ledger_free(l);
}

/* A partial munmap splits a ring vma: the pieces share its page
 * references, each for its own range (vma_dup + vma_split). */
static void test_vma_split(void)
{
	static const char *const clean[] = { "split_clean", "split_low_clean",
					     "split_failed_clean" };
	const uint64_t v_kept = 0xffff888102000300ULL;
	struct rl_ledger_stats st;
	const struct rl_finding *f;
	struct rl_ledger *l;
	size_t i;

	for (i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		l = t_replay(clean[i], false);
		t_clean(l, clean[i]);
		rl_ledger_get_stats(l, &st);
		T_EQ_U("split: counted", st.vmas_split, i < 2 ? 1 : 0);
		rl_ledger_free(l);
	}

	l = t_replay("split_break", false);
	T_EQ_U("split_break: two findings", rl_ledger_nr_findings(l), 2);
	f = t_finding(l, RL002, 0);
	T_OK(f != NULL, "split_break: RL002");
	if (f) {
		T_EQ_U("split_break: RL002 pfn (the mapped page only)", f->pfn, 0x200000);
		T_EQ_I("split_break: RL002 expected counts one mapping", f->refcount_expected, 2);
	}
	f = t_finding(l, RL001, 0);
	T_OK(f != NULL, "split_break: RL001");
	if (f) {
		T_EQ_U("split_break: RL001 pfn", f->pfn, 0x200000);
		T_EQ_U("split_break: RL001 names the kept piece", f->vma, v_kept);
		T_EQ_U("split_break: RL001 the piece's start", f->vma_start, 0x7f0000030000ULL);
		T_EQ_U("split_break: RL001 the piece's end", f->vma_end, 0x7f0000031000ULL);
	}
	rl_ledger_free(l);
}

/* The shape the rules keep (src/rules.h): each id is emitted by one
 * function of src/rules.c with the id in its name, the findings of a
 * case are built only in that function or its rlNNN_ helpers, no other
 * file emits, and the books know nothing of rules or handlers. */
static void test_one_emitter_per_id(void)
{
	static const char *const books[] = {
		"src/books_ctx.c", "src/books_region.c", "src/books_vma.c", "src/books_pin.c",
	};
	int emitters[RL_F__MAX] = { 0 }, misplaced = 0, id, i;
	char line[512], fn[128] = "", name[64];
	FILE *f = fopen("src/rules.c", "r");

	if (!T_OK(f, "src/rules.c opens"))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *at;

		if (line[0] >= 'a' && line[0] <= 'z' && strchr(line, '(')) {
			at = strchr(line, '(');
			while (at > line && at[-1] != ' ' && at[-1] != '*')
				at--;
			snprintf(fn, sizeof(fn), "%.*s", (int)strcspn(at, "("), at);
		}
		if (strstr(line, "finding_emit(") && sscanf(fn, "rule_rl%3d_", &id) == 1 &&
		    id > 0 && id < RL_F__MAX)
			emitters[id]++;
		else if (strstr(line, "finding_emit("))
			misplaced++;
		at = strstr(line, "finding_init(");
		if (at && (at = strstr(at, ", RL0")) && sscanf(at, ", RL%3d", &id) == 1) {
			snprintf(name, sizeof(name), "rl%03d_", id);
			misplaced += !strstr(fn, name);
		}
	}
	fclose(f);
	for (id = RL001; id < RL_F__MAX; id++) {
		snprintf(name, sizeof(name), "RL%03d is emitted by one rule_rl%03d_ function", id, id);
		T_EQ_U(name, emitters[id], 1);
	}
	T_EQ_U("no finding is started or emitted outside its own rule", misplaced, 0);
	for (i = 0; i < (int)(sizeof(books) / sizeof(books[0])); i++) {
		int bad = 0;

		f = fopen(books[i], "r");
		if (!T_OK(f, books[i]))
			continue;
		while (fgets(line, sizeof(line), f))
			bad += strstr(line, "finding_") || strstr(line, "rule_rl") ||
			       strstr(line, "\"rules.h\"") || strstr(line, "\"handlers.h\"");
		fclose(f);
		snprintf(line, sizeof(line), "%s makes no findings and calls no rule", books[i]);
		T_EQ_U(line, bad, 0);
	}
}

int main(void)
{
	test_lifecycles();
	test_seed000();
	test_rl001();
	test_rl002();
	test_rl003();
	test_rl004();
	test_rl004_clone();
	test_rl005();
	test_rl006();
	test_rl007();
	test_rl008();
	test_rl009();
	test_rl010();
	test_single_ref();
	test_fork();
	test_vma_split();
	test_one_emitter_per_id();
	return t_done();
}
