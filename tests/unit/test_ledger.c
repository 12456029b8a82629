// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_ledger.c - ledger behaviour beyond one rule per replay file: the
 * other event orders, end-of-run rules, user-provided and reused regions,
 * partial zaps, callbacks, and many ledgers side by side.
 */
#include "tests.h"

#define APP "pid=100 tid=100 comm=app "
#define KW  "pid=50 tid=50 comm=kworker "

/* The usual setup: rings (2 pages) and SQEs (1 page) regions, then ctx C. */
#define SETUP \
	"region_create " APP "region=0xa000 kind=rings nr_pages=2 flags=1\n" \
	"region_pages " APP "region=0xa000 count=2 pfn=0x100,0x101 refcount=1,1\n" \
	"region_create " APP "region=0xb000 kind=sqes nr_pages=1 flags=1\n" \
	"region_pages " APP "region=0xb000 count=1 pfn=0x200 refcount=1\n" \
	"ctx_create " APP "ctx=0xc000\n"

#define FREE_SQES(refs) \
	"region_free " KW "region=0xb000 ctx=0xc000 kind=sqes nr_pages=1\n" \
	"region_pages " KW "region=0xb000 count=1 at_free=1 pfn=0x200 refcount=" refs "\n"

#define FREE_RINGS(refs) \
	"region_free " KW "region=0xa000 ctx=0xc000 kind=rings nr_pages=2\n" \
	"region_pages " KW "region=0xa000 count=2 at_free=1 pfn=0x100,0x101 refcount=" refs "\n"


static void test_ctx_wait_timeout(void)
{
	static const char body[] = SETUP;
	struct rl_ledger *l = t_replay_text(body, true, NULL);
	const struct rl_finding *f = t_only(l, RL010, "ctx outlived the wait");

	if (f) {
		T_EQ_U("timeout: names the ctx", f->ctx, 0xc000);
		T_CONTAINS("timeout: says why (no kill seen, nobody running: missed)", f->detail,
			   "was missed by us: no kill of it was seen");
	}
	T_EQ_U("timeout: one live ctx", rl_ledger_live_ctxs(l), 1);
	rl_ledger_finish(l, true);
	T_EQ_U("timeout: finish is idempotent", rl_ledger_nr_findings(l), 1);
	rl_ledger_free(l);

	l = t_replay_text(body, false, NULL);
	t_clean(l, "ctx alive at the end of a trace (no wait)");
	rl_ledger_free(l);
}

/* vm_insert_pages inside io_uring_mmap can be reported before the mmap's
 * return: both orders give the same books. */
static void test_insert_before_mmap(void)
{
	static const char clean[] = SETUP
		"insert_pages " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 region=0xb000 nr_pages=1\n"
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 ret=0\n"
		FREE_SQES("2")
		"vma_remove " APP "vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000\n"
		"page_free " APP "pfn=0x200\n";
	static const char mismatch[] = SETUP
		"insert_pages " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 region=0xa000 nr_pages=1\n"
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 ret=0\n";
	struct rl_ledger *l = t_replay_text(clean, false, NULL);

	t_clean(l, "insert before mmap, refcount 1 + 1");
	rl_ledger_free(l);
	l = t_replay_text(mismatch, false, NULL);
	t_only(l, RL006, "insert of the rings pages before an SQES mmap");
	rl_ledger_free(l);
}

/* A failed mmap never reached user space: its inserts claim nothing. */
static void test_failed_mmap(void)
{
	static const char body[] = SETUP
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 ret=-12\n"
		"insert_pages " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 region=0xb000 nr_pages=1 nr_left=1 ret=-12\n"
		FREE_SQES("1")
		"page_free " KW "pfn=0x200\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	struct rl_ledger_stats st;

	t_clean(l, "failed mmap");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("failed mmap: not counted as an mmap", st.mmaps, 0);
	rl_ledger_free(l);
}

/* User memory (IORING_SETUP_NO_MMAP): pins are issue 4's; mapping it is
 * RL006; its frees and refcounts are not judged here. */
static void test_user_provided(void)
{
	static const char body[] =
		"region_create " APP "region=0xe000 kind=rings nr_pages=1 flags=2\n"
		"region_pages " APP "region=0xe000 count=1 pfn=0x300 refcount=1025\n"
		"ctx_create " APP "ctx=0xc000\n"
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0 ret=0\n"
		"region_free " KW "region=0xe000 ctx=0xc000 kind=rings nr_pages=1 flags=2\n"
		"region_pages " KW "region=0xe000 count=1 at_free=1 pfn=0x300 refcount=1\n"
		"page_free " KW "pfn=0x300\n"
		"ctx_dead " KW "ctx=0xc000\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL006, "user-provided region mmapped");
	struct rl_ledger_stats st;

	if (f)
		T_CONTAINS("user-provided: says so", f->detail, "user-provided");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("user-provided: pages not tracked for frees", st.pages_tracked, 0);
	rl_ledger_free(l);
}

static void test_page_freed_under_live_region(void)
{
	static const char body[] = SETUP
		"page_free " KW "pfn=0x101 stack=0xffffffff81000001\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL002, "page freed under a live region");

	if (f) {
		T_EQ_U("live free: pfn", f->pfn, 0x101);
		T_EQ_I("live free: seen", f->refcount_seen, 0);
		T_EQ_I("live free: expected", f->refcount_expected, 1);
		T_EQ_U("live free: stack", f->stack[0], 0xffffffff81000001ULL);
	}
	rl_ledger_free(l);
}

/* The kernel reuses pages[] arrays: ring 1 is closed while still mapped,
 * ring 2 gets the same pages[] pointer, then ring 1's mapping goes. */
static void test_region_key_reuse(void)
{
	static const char body[] = SETUP
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 ret=0\n"
		"insert_pages " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000 region=0xb000 nr_pages=1\n"
		FREE_RINGS("1,1")
		"page_free " KW "pfn=0x100\n"
		"page_free " KW "pfn=0x101\n"
		FREE_SQES("2")
		"ctx_dead " KW "ctx=0xc000\n"
		"region_create pid=100 tid=100 region=0xb000 kind=sqes nr_pages=1\n"
		"region_pages pid=100 tid=100 region=0xb000 count=1 pfn=0x400 refcount=1\n"
		"region_create pid=100 tid=100 region=0xa000 kind=rings nr_pages=1\n"
		"region_pages pid=100 tid=100 region=0xa000 count=1 pfn=0x401 refcount=1\n"
		"ctx_create pid=100 tid=100 ctx=0xc100\n"
		"vma_remove " APP "vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000\n"
		"page_free " APP "pfn=0x200\n"
		"region_free " KW "region=0xb000 ctx=0xc100 kind=sqes nr_pages=1\n"
		"region_pages " KW "region=0xb000 count=1 at_free=1 pfn=0x400 refcount=1\n"
		"page_free " KW "pfn=0x400\n"
		"region_free " KW "region=0xa000 ctx=0xc100 kind=rings nr_pages=1\n"
		"region_pages " KW "region=0xa000 count=1 at_free=1 pfn=0x401 refcount=1\n"
		"page_free " KW "pfn=0x401\n"
		"ctx_dead " KW "ctx=0xc100\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	struct rl_ledger_stats st;

	t_clean(l, "pages[] pointer reused by the next ring");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("key reuse: all 5 pages freed", st.pages_freed, 5);
	T_EQ_U("key reuse: both rings dead", st.ctx_dead, 2);
	rl_ledger_free(l);
}

/* A zap of part of a vma drops the references of that part only. */
static void test_partial_zap(void)
{
	static const char body[] = SETUP
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000002000 pgoff=0 ret=0\n"
		"insert_pages " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000002000 pgoff=0 region=0xa000 nr_pages=2\n"
		FREE_RINGS("2,2")
		"vma_zap " APP "vma=0xd000 start=0x7f0000000000 end=0x7f0000001000\n"
		"page_free " APP "pfn=0x100\n"
		"page_free " APP "pfn=0x101\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL001, "free after a partial zap");

	if (f)
		T_EQ_U("partial zap: only the unzapped page", f->pfn, 0x101);
	rl_ledger_free(l);
}

/* Tracing attached late: objects born before it are not judged. */
static void test_unknown_objects(void)
{
	static const char body[] =
		"mmap " APP "ctx=0xc000 vma=0xd000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x80030 ret=0\n"
		"region_free " KW "region=0xa000 ctx=0xc000 nr_pages=1\n"
		"region_pages " KW "region=0xa000 count=1 at_free=1 pfn=0x100 refcount=0\n"
		"page_free " KW "pfn=0x100\n"
		"vma_remove " APP "vma=0xd000\n"
		"ctx_dead " KW "ctx=0xc000\n"
		"proc_exit " APP "exit_code=0\n"
		"pbuf_reg " APP "ctx=0xc000 bgid=1\n"
		"pin " APP "ctx=0xc000 nr_pages=4\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	struct rl_ledger_stats st;

	t_clean(l, "objects born before tracing");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("unknown objects: every event counted", st.events, 9);
	T_EQ_U("unknown objects: no ctx counted", st.ctx_created, 0);
	rl_ledger_free(l);
}

/* A region registered on a ctx born before tracing still has its books:
 * its ctx's death judges it, but it is no "live ctx" to wait for. */
static void test_region_of_unobserved_ctx(void)
{
	static const char body[] =
		"region_create " APP "region=0xf000 ctx=0xc000 kind=pbuf bgid=2 nr_pages=1\n"
		"region_pages " APP "region=0xf000 count=1 pfn=0x500 refcount=1\n";
	static const char dead[] = "ctx_dead " KW "ctx=0xc000\n";
	char both[512];
	struct rl_ledger *l = t_replay_text(body, true, NULL);
	const struct rl_finding *f;

	T_EQ_U("unobserved ctx: not waited for", rl_ledger_live_ctxs(l), 0);
	t_clean(l, "unobserved ctx, wait timed out");
	rl_ledger_free(l);
	snprintf(both, sizeof(both), "%s%s", body, dead);
	l = t_replay_text(both, false, NULL);
	f = t_only(l, RL003, "buffer ring leaked by an unobserved ctx");
	if (f)
		T_EQ_U("unobserved ctx: bgid", f->bgid, 2);
	rl_ledger_free(l);
}

/* Setup regions belong to the ctx their own thread announces. */
static void test_pending_regions_by_tid(void)
{
	static const char body[] =
		"region_create pid=100 tid=101 region=0xa000 kind=rings nr_pages=1\n"
		"region_create pid=100 tid=100 region=0xb000 kind=sqes nr_pages=1\n"
		"ctx_create pid=100 tid=100 ctx=0xc000\n"
		"ctx_dead " KW "ctx=0xc000\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL003, "only the announcing thread's region");

	if (f)
		T_EQ_U("pending: the sqes region of tid 100", f->region, 0xb000);
	rl_ledger_free(l);
}

static void test_lost_counter_names(void)
{
	static const char body[] =
		"lost count=3 counter=recursion_miss\n"
		"lost count=1 counter=pfn_map_full\n"
		"lost count=2 counter=99\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f;

	T_EQ_U("lost: one finding per counter", t_count(l, RL010), 3);
	f = t_finding(l, RL010, 0);
	if (f)
		T_CONTAINS("lost: recursion misses by name", f->detail, "counter recursion_miss)");
	f = t_finding(l, RL010, 1);
	if (f)
		T_CONTAINS("lost: counter name", f->detail, "pfn_map_full");
	f = t_finding(l, RL010, 2);
	if (f)
		T_CONTAINS("lost: a counter past the names, by number", f->detail, "counter 99)");
	rl_ledger_free(l);
}

struct callback_log {
	int calls;
	enum rl_finding_id ids[8];
};

static void on_finding(const struct rl_finding *f, void *cookie)
{
	struct callback_log *log = cookie;

	if (log->calls < 8)
		log->ids[log->calls] = f->id;
	log->calls++;
}

static void test_callback(void)
{
	static const char body[] = SETUP
		"page_free " KW "pfn=0x100\n"
		"ctx_dead " KW "ctx=0xc000\n";
	struct callback_log log = { 0 };
	struct rl_ledger_opts opts = { .on_finding = on_finding, .cookie = &log };
	struct rl_ledger *l = t_replay_text(body, false, &opts);

	T_EQ_I("callback: one call per finding", log.calls, (int)rl_ledger_nr_findings(l));
	T_EQ_U("callback: RL002 first", log.ids[0], RL002);
	T_EQ_U("callback: then RL003 x2", log.ids[1] == RL003 && log.ids[2] == RL003, 1);
	rl_ledger_free(l);
}

/* No global state: ledgers fed in turn keep separate books. */
static void test_many_ledgers(void)
{
	static const char broken[] = SETUP "page_free " KW "pfn=0x100\n";
	static const char clean[] = SETUP;
	struct rl_ledger *ls[40];
	size_t i, ok = 0;

	for (i = 0; i < 40; i++)
		ls[i] = t_replay_text(i % 2 ? broken : clean, false, NULL);
	for (i = 0; i < 40; i++) {
		ok += rl_ledger_nr_findings(ls[i]) == (i % 2 ? 1u : 0u);
		rl_ledger_free(ls[i]);
	}
	T_EQ_U("many ledgers: each has its own findings", ok, 40);
}

/* A hugetlb folio's pins split over two PIN chunks are one folio; the
 * release may come in another order than the pins (the pfn index). */
static void test_pin_chunks_and_order(void)
{
	static const char body[] =
		"ctx_create ctx=0xc000\n"
		"pin ctx=0xc000 key=1 owner=buffer nr_pages=20 first=0 count=2 pfn=0x500,0x600 "
		"npins=4,12 backing=anon,hugetlb file=0x0,0x0\n"
		"pin ctx=0xc000 key=1 owner=buffer nr_pages=20 first=16 count=1 pfn=0x600 npins=4 "
		"backing=hugetlb file=0x0\n"
		"unpin ctx=0xc000 key=1 owner=buffer count=2 pfn=0x600,0x500 npins=16,4 flags=0x3\n"
		"ctx_dead ctx=0xc000\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	struct rl_ledger_stats st;

	t_clean(l, "pin chunks: a folio split by chunks, unpinned out of order");
	rl_ledger_get_stats(l, &st);
	T_EQ_U("pin chunks: 20 pins taken", st.pins_taken, 20);
	T_EQ_U("pin chunks: 20 dropped", st.pins_dropped, 20);
	rl_ledger_free(l);
}

/* Pins taken while a ring is set up (NO_MMAP rings) join the ring its
 * thread announces; left pinned, they are that ring's leak. */
static void test_pins_of_ring_setup(void)
{
	static const char body[] =
		"pin tid=7 ctx=0x0 key=3 owner=rings nr_pages=1 count=1 pfn=0x700 npins=1 "
		"backing=anon file=0x0\n"
		"ctx_create tid=7 ctx=0xc000\n"
		"ctx_dead ctx=0xc000\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL004, "setup pins");

	if (f) {
		T_EQ_U("setup pins: the ring announced by the thread", f->ctx, 0xc000);
		T_EQ_U("setup pins: rings memory", f->pin_owner, RL_PO_RINGS);
	}
	rl_ledger_free(l);
}

/* One pfn pinned twice in one set (two runs apart) is unpinned twice. */
static void test_pin_same_folio_twice(void)
{
	static const char body[] =
		"ctx_create ctx=0xc000\n"
		"pin ctx=0xc000 key=1 owner=buffer nr_pages=3 count=3 pfn=0x800,0x801,0x800 "
		"npins=1,1,1 backing=anon,anon,anon file=0x0,0x0,0x0\n"
		"unpin ctx=0xc000 key=1 owner=buffer count=3 pfn=0x800,0x800,0x801 npins=1,1,1 "
		"flags=0x3\n"
		"ctx_dead ctx=0xc000\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);

	t_clean(l, "one folio twice in a pin set");
	rl_ledger_free(l);
}

/* Two rings drop a cloned buffer at once (clone_race): io_release_ubuf
 * makes exactly one drop the release (flags 0x3) and the other a shared
 * drop (0x5), in either order on the wire.  Either way the set is
 * released and retired: a later unpin of it is RL009 of a retired set.
 * Both drops booked shared (the refcount guess both rings made before
 * io_release_ubuf decided) leave the set unreleased. */
#define CLONE_PIN \
	"ctx_create ctx=0xa000\n" \
	"ctx_create ctx=0xb000\n" \
	"pin ctx=0xa000 key=1 owner=buffer nr_pages=2 count=2 pfn=0x900,0x901 npins=1,1 " \
	"backing=anon,anon file=0x0,0x0\n"
#define CLONE_RELEASE \
	"unpin " KW "ctx=0xb000 key=1 owner=buffer count=2 pfn=0x900,0x901 npins=1,1 flags=0x3\n"
#define CLONE_SHARED_DROP "unpin " KW "ctx=0xa000 key=1 owner=buffer count=0 flags=0x5\n"
#define CLONE_DEATHS "ctx_dead ctx=0xa000\nctx_dead ctx=0xb000\n"
#define CLONE_LATE "unpin " KW "ctx=0xb000 key=1 owner=buffer count=1 pfn=0x900 npins=1 flags=0x0\n"

static void test_clone_race_orders(void)
{
	static const char *const clean[] = {
		CLONE_PIN CLONE_RELEASE CLONE_SHARED_DROP CLONE_DEATHS,
		CLONE_PIN CLONE_SHARED_DROP CLONE_RELEASE CLONE_DEATHS,
	};
	static const char *const late[] = {
		CLONE_PIN CLONE_RELEASE CLONE_SHARED_DROP CLONE_DEATHS CLONE_LATE,
		CLONE_PIN CLONE_SHARED_DROP CLONE_RELEASE CLONE_DEATHS CLONE_LATE,
	};
	static const char guessed[] =
		CLONE_PIN
		"unpin " KW "ctx=0xb000 key=1 owner=buffer count=2 pfn=0x900,0x901 npins=1,1 flags=0x5\n"
		CLONE_SHARED_DROP CLONE_DEATHS CLONE_LATE;
	const struct rl_finding *f;
	struct rl_ledger *l;
	unsigned i;

	for (i = 0; i < 2; i++) {
		l = t_replay_text(clean[i], false, NULL);
		t_clean(l, i ? "clone race: shared drop, then the release"
			     : "clone race: the release, then the shared drop");
		rl_ledger_free(l);
		l = t_replay_text(late[i], false, NULL);
		f = t_only(l, RL009, "clone race: an unpin after the release");
		if (f)
			T_CONTAINS("clone race: the set was released and retired", f->detail,
				   "already dropped every pin it took and been released");
		rl_ledger_free(l);
	}
	l = t_replay_text(guessed, false, NULL);
	f = t_only(l, RL009, "clone race, both drops guessed shared: a later unpin");
	if (f)
		T_CONTAINS("clone race, both guessed shared: the set was never released",
			   f->detail, "held no more pins of it");
	rl_ledger_free(l);
}

/* A buffer ring pinned but never unregistered, and a pin of a ring the
 * ledger never saw registered: nothing to say (RL005 is about the
 * unregister).  Its record goes with the ring. */
static void test_bufring_without_unregister(void)
{
	static const char body[] =
		"ctx_create ctx=0xc000\n"
		"bufring_pin ctx=0xc000 bgid=4 ret=0\n"
		"ctx_dead ctx=0xc000\n"
		"ctx_create ctx=0xc000\n"
		"pbuf_unreg ctx=0xc000 bgid=4 ret=0\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);

	t_clean(l, "a pinned ring that died, and a new ring at its address");
	rl_ledger_free(l);
}

/* A freed region whose page 0 was never freed, then a create-time chunk
 * naming that pfn as its page 1: the region stops being retirable only
 * once the page is described again, so describing it must not retire the
 * region under itself (ASan found a use after free here). */
static void test_pfn_moves_within_region(void)
{
	static const char body[] =
		"region_create " APP "region=0xa000 kind=rings nr_pages=2 flags=1\n"
		"region_pages " APP "region=0xa000 count=1 pfn=0x100 refcount=1\n"
		"region_free " KW "region=0xa000 kind=rings nr_pages=2\n"
		"region_pages " APP "region=0xa000 first=1 count=1 pfn=0x100 refcount=1\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);

	T_OK(rl_ledger_nr_findings(l) < 16, "a pfn named twice in one region: no crash");
	rl_ledger_free(l);
}

int main(void)
{
	test_ctx_wait_timeout();
	test_insert_before_mmap();
	test_failed_mmap();
	test_user_provided();
	test_page_freed_under_live_region();
	test_region_key_reuse();
	test_partial_zap();
	test_unknown_objects();
	test_region_of_unobserved_ctx();
	test_pending_regions_by_tid();
	test_lost_counter_names();
	test_callback();
	test_many_ledgers();
	test_pin_chunks_and_order();
	test_pins_of_ring_setup();
	test_pin_same_folio_twice();
	test_clone_race_orders();
	test_bufring_without_unregister();
	test_pfn_moves_within_region();
	return t_done();
}
