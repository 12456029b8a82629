// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_replay.c - replay throughput on one core.
 *
 *   bench_replay [EVENTS [FILE]]     default 2000000 events,
 *                                    build/bench_replay.events or /tmp/...
 *
 * Writes a realistic recorded stream (many rings set up, mapped, unmapped
 * or closed first, a buffer ring now and then; 64 rings in flight at a
 * time), then times reading it back alone and reading it into a ledger,
 * ROUNDS times each, in CPU time of this process.  Prints the best and the
 * median events per second (other work on the machine lowers single runs);
 * never judges the time.  Exits non-zero only when the stream does not read
 * back or the ledger finds something in this clean workload.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "event_text.h"
#include "ledger.h"

#define IN_FLIGHT	64
#define PAGE		4096ULL
#define ROUNDS		3

struct gen {
	FILE *f;
	unsigned long long written, target;
	uint64_t ts, seq;
};

struct ring {
	uint64_t ctx, rings, sqes, pbuf, vma[4], base, pfn0;
	uint32_t pid, rings_pages, sqes_pages, pbuf_pages;
	int step;
	bool close_first, has_pbuf;
};

static void emit(struct gen *g, struct rl_event *ev, const struct ring *r)
{
	ev->h.ts_ns = ++g->ts * 1000;
	ev->h.seq = ++g->seq;
	ev->h.cpu = (uint32_t)(g->seq % 4);
	if (!ev->h.pid) {
		ev->h.pid = ev->h.tid = r->pid;
		memcpy(ev->h.comm, "io_bench_worker", 16);
	}
	if (rl_stream_write_event(g->f, ev))
		exit(2);
	g->written++;
}

static void ev_init(struct rl_event *ev, uint32_t type)
{
	memset(ev, 0, sizeof(*ev));
	ev->h.type = type;
}

static void as_kworker(struct rl_event *ev)
{
	ev->h.pid = ev->h.tid = 57;
	memcpy(ev->h.comm, "kworker/u8:3", 13);
}

static void stack(struct rl_event *ev, unsigned n)
{
	unsigned i;

	ev->nr_stack = n;
	for (i = 0; i < n; i++)
		ev->stack[i] = 0xffffffff81000000ULL + i * 0x1234 + ev->h.type;
}

static void region_create(struct gen *g, const struct ring *r, uint64_t key, uint64_t ctx,
			  uint32_t kind, uint32_t pages, uint32_t flags, uint64_t pfn)
{
	struct rl_event ev;
	uint32_t i;

	ev_init(&ev, RL_EV_REGION_CREATE);
	ev.region.region = key;
	ev.region.ctx = ctx;
	ev.region.mr = key + 0x800;
	ev.region.kind = kind;
	ev.region.bgid = kind == RL_RK_PBUF ? 1 : 0;
	ev.region.nr_pages = pages;
	ev.region.flags = flags;
	ev.region.head_refcount = 1;
	emit(g, &ev, r);
	ev_init(&ev, RL_EV_REGION_PAGES);
	ev.pages.region = key;
	ev.pages.count = pages;
	for (i = 0; i < pages; i++) {
		ev.pages.pfn[i] = pfn + i;
		ev.pages.refcount[i] = 1;
	}
	emit(g, &ev, r);
}

static void region_free(struct gen *g, const struct ring *r, uint64_t key, uint32_t kind,
			uint32_t pages, uint32_t flags, uint64_t pfn, uint32_t refs, bool frees)
{
	struct rl_event ev;
	uint32_t i;

	ev_init(&ev, RL_EV_REGION_FREE);
	as_kworker(&ev);
	ev.region.region = key;
	ev.region.ctx = r->ctx;
	ev.region.kind = kind;
	ev.region.nr_pages = pages;
	ev.region.flags = flags;
	stack(&ev, 12);
	emit(g, &ev, r);
	ev_init(&ev, RL_EV_REGION_PAGES);
	as_kworker(&ev);
	ev.pages.region = key;
	ev.pages.count = pages;
	ev.pages.at_free = 1;
	for (i = 0; i < pages; i++) {
		ev.pages.pfn[i] = pfn + i;
		ev.pages.refcount[i] = refs;
	}
	emit(g, &ev, r);
	if (!frees)
		return;
	for (i = 0; i < (flags & RL_REGION_F_SINGLE_REF ? 1u : pages); i++) {
		ev_init(&ev, RL_EV_PAGE_FREE);
		as_kworker(&ev);
		ev.page.pfn = pfn + i;
		ev.page.order = flags & RL_REGION_F_SINGLE_REF ? 2 : 0;
		stack(&ev, 8);
		emit(g, &ev, r);
	}
}

/* One mapping: get_unmapped_area, io_uring_mmap, vm_insert_pages. */
static void map(struct gen *g, const struct ring *r, int i, uint64_t pgoff, uint64_t region,
		uint32_t pages)
{
	uint64_t start = r->base + (uint64_t)i * 0x10000;
	struct rl_event ev;

	ev_init(&ev, RL_EV_MMAP_AREA);
	ev.mmap.ctx = r->ctx;
	ev.mmap.start = start;
	ev.mmap.end = start + pages * PAGE;
	ev.mmap.pgoff = pgoff;
	ev.mmap.ret = (int64_t)start;
	ev.mmap.flags = 1;
	emit(g, &ev, r);
	ev_init(&ev, RL_EV_MMAP);
	ev.mmap.ctx = r->ctx;
	ev.mmap.vma = r->vma[i];
	ev.mmap.start = start;
	ev.mmap.end = start + pages * PAGE;
	ev.mmap.pgoff = pgoff;
	ev.mmap.flags = 0x100000fb;
	emit(g, &ev, r);
	ev.h.type = RL_EV_INSERT_PAGES;
	ev.h.pid = 0;
	ev.mmap.region = region;
	ev.mmap.nr_pages = pages;
	emit(g, &ev, r);
}

static void unmap(struct gen *g, const struct ring *r, int i, uint64_t pgoff, uint32_t pages)
{
	uint64_t start = r->base + (uint64_t)i * 0x10000;
	struct rl_event ev;

	ev_init(&ev, RL_EV_VMA_ZAP);
	ev.vma.vma = r->vma[i];
	ev.vma.start = start;
	ev.vma.end = start + pages * PAGE;
	ev.vma.pgoff = pgoff;
	ev.vma.mm = 0xffff888200000000ULL + r->pid * 0x1000ULL;
	emit(g, &ev, r);
	ev.h.type = RL_EV_VMA_REMOVE;
	ev.h.pid = 0;
	stack(&ev, 10);
	emit(g, &ev, r);
}

#define PBUF_PGOFF ((0x80000000ULL | 1ULL << 16) >> 12)

/* Step `step` of ring r's life; false once it is over. */
static bool ring_step(struct gen *g, struct ring *r)
{
	uint32_t maps = r->has_pbuf ? 4 : 3, refs;
	struct rl_event ev;
	int i;

	switch (r->step++) {
	case 0:
		region_create(g, r, r->rings, 0, RL_RK_RINGS, r->rings_pages, 1, r->pfn0);
		region_create(g, r, r->sqes, 0, RL_RK_SQES, r->sqes_pages, 1, r->pfn0 + 64);
		ev_init(&ev, RL_EV_CTX_CREATE);
		ev.ctx.ctx = r->ctx;
		ev.ctx.sq_entries = 64;
		ev.ctx.cq_entries = 128;
		ev.ctx.fd = 3;
		emit(g, &ev, r);
		return true;
	case 1:
		map(g, r, 0, 0, r->rings, r->rings_pages);
		map(g, r, 1, RL_OFF_CQ_RING >> 12, r->rings, r->rings_pages);
		map(g, r, 2, RL_OFF_SQES >> 12, r->sqes, r->sqes_pages);
		return true;
	case 2:
		if (r->has_pbuf) {
			region_create(g, r, r->pbuf, r->ctx, RL_RK_PBUF, r->pbuf_pages, 5,
				      r->pfn0 + 128);
			map(g, r, 3, PBUF_PGOFF, r->pbuf, r->pbuf_pages);
		}
		return true;
	case 3:
		if (r->close_first)
			return true;
		unmap(g, r, 0, 0, r->rings_pages);
		unmap(g, r, 1, RL_OFF_CQ_RING >> 12, r->rings_pages);
		unmap(g, r, 2, RL_OFF_SQES >> 12, r->sqes_pages);
		if (r->has_pbuf)
			unmap(g, r, 3, PBUF_PGOFF, r->pbuf_pages);
		return true;
	case 4:
		refs = r->close_first ? 3 : 1;
		region_free(g, r, r->rings, RL_RK_RINGS, r->rings_pages, 1, r->pfn0, refs,
			    !r->close_first);
		region_free(g, r, r->sqes, RL_RK_SQES, r->sqes_pages, 1, r->pfn0 + 64, refs - 1 + !r->close_first,
			    !r->close_first);
		if (r->has_pbuf)
			region_free(g, r, r->pbuf, RL_RK_PBUF, r->pbuf_pages, 5, r->pfn0 + 128,
				    r->close_first ? 1 + r->pbuf_pages : 1, !r->close_first);
		ev_init(&ev, RL_EV_CTX_DEAD);
		as_kworker(&ev);
		ev.ctx.ctx = r->ctx;
		emit(g, &ev, r);
		return true;
	case 5:
		if (!r->close_first)
			return false;
		/* exit after close: zap and free, then remove */
		for (i = 0; i < (int)maps; i++) {
			uint64_t pgoff = i == 0 ? 0 : i == 1 ? RL_OFF_CQ_RING >> 12 :
					 i == 2 ? RL_OFF_SQES >> 12 : PBUF_PGOFF;
			uint32_t pages = i < 2 ? r->rings_pages : i == 2 ? r->sqes_pages : r->pbuf_pages;
			uint64_t start = r->base + (uint64_t)i * 0x10000;
			uint32_t p;

			ev_init(&ev, RL_EV_VMA_ZAP);
			ev.vma.vma = r->vma[i];
			ev.vma.start = start;
			ev.vma.end = start + pages * PAGE;
			ev.vma.pgoff = pgoff;
			emit(g, &ev, r);
			if (i == 0)
				continue;	/* the CQ mapping still holds the ring pages */
			for (p = 0; p < (i == 3 ? 1 : pages); p++) {
				uint64_t pfn0 = i == 1 ? r->pfn0 : i == 2 ? r->pfn0 + 64 : r->pfn0 + 128;

				ev_init(&ev, RL_EV_PAGE_FREE);
				ev.page.pfn = pfn0 + p;
				ev.page.order = i == 3 ? 2 : 0;
				emit(g, &ev, r);
			}
		}
		for (i = 0; i < (int)maps; i++) {
			ev_init(&ev, RL_EV_VMA_REMOVE);
			ev.vma.vma = r->vma[i];
			ev.vma.start = r->base + (uint64_t)i * 0x10000;
			emit(g, &ev, r);
		}
		ev_init(&ev, RL_EV_PROC_EXIT);
		ev.proc.parent_pid = 1;
		emit(g, &ev, r);
		return false;
	default:
		return false;
	}
}

static void ring_new(struct ring *r, unsigned long long n)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->pid = 1000 + (uint32_t)(n % 30000);
	/* kernel addresses get reused: keys repeat every 4096 rings */
	r->ctx = 0xffff888110000000ULL + (n % 4096) * 0x2000;
	r->rings = 0xffff888120000000ULL + (n % 4096) * 0x1000;
	r->sqes = r->rings + 0x800;
	r->pbuf = 0xffff888130000000ULL + (n % 4096) * 0x1000;
	for (i = 0; i < 4; i++)
		r->vma[i] = 0xffff888140000000ULL + (n % 4096) * 0x400 + (uint64_t)i * 0x100;
	r->base = 0x7f0000000000ULL + (n % 1024) * 0x100000;
	r->pfn0 = 0x100000 + (n % 65536) * 256;	/* pfns are reused too */
	r->rings_pages = 1 + (uint32_t)(n % 3);
	r->sqes_pages = 1 + (uint32_t)(n % 2);
	r->pbuf_pages = 4;
	r->has_pbuf = n % 4 == 0;
	r->close_first = n % 2 == 1;
}

static void generate(struct gen *g)
{
	struct ring rings[IN_FLIGHT];
	unsigned long long born = 0;
	int i;

	for (i = 0; i < IN_FLIGHT; i++)
		ring_new(&rings[i], born++);
	while (g->written < g->target) {
		for (i = 0; i < IN_FLIGHT && g->written < g->target; i++) {
			if (!ring_step(g, &rings[i]))
				ring_new(&rings[i], born++);
		}
	}
}

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read the stream, into a ledger or not; returns events read or -1. */
static long long replay(const char *path, struct rl_ledger *l, double *cpu_s)
{
	FILE *f = fopen(path, "r");
	struct rl_stream_reader *r;
	enum rl_read_status st;
	struct rl_event ev;
	long long n = 0;
	double t0;

	if (!f)
		return -1;
	r = rl_stream_open(f);
	t0 = now(CLOCK_PROCESS_CPUTIME_ID);
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
		if (l)
			rl_ledger_feed(l, &ev);
		n++;
	}
	if (l)
		rl_ledger_finish(l, false);
	*cpu_s = now(CLOCK_PROCESS_CPUTIME_ID) - t0;
	if (st != RL_READ_END) {
		fprintf(stderr, "bench_replay: %s\n", rl_stream_error(r));
		n = -1;
	}
	rl_stream_close(r);
	fclose(f);
	return n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Replay ROUNDS times (into a fresh ledger each time when with_ledger);
 * prints best and median; returns false if a replay failed or found
 * something.  *last gets the last ledger (the caller frees it). */
static bool measure(const char *what, const char *path, bool with_ledger,
		    struct rl_ledger **last)
{
	double rate[ROUNDS], cpu_s;
	long long n = 0;
	int i;

	*last = NULL;
	for (i = 0; i < ROUNDS; i++) {
		struct rl_ledger *l = with_ledger ? rl_ledger_new(NULL) : NULL;

		n = replay(path, l, &cpu_s);
		if (n <= 0 || (l && rl_ledger_nr_findings(l))) {
			*last = l;
			return false;
		}
		rate[i] = (double)n / cpu_s;
		rl_ledger_free(*last);
		*last = l;
	}
	qsort(rate, ROUNDS, sizeof(rate[0]), by_value);
	printf("bench_replay: %-14s best %9.0f events/s, median %9.0f events/s "
	       "(%d runs, CPU time, one core)\n", what, rate[ROUNDS - 1], rate[ROUNDS / 2],
	       ROUNDS);
	return true;
}

int main(int argc, char **argv)
{
	struct gen g = { .target = 2000000 };
	const char *path;
	struct stat sb;
	struct rl_ledger *l = NULL;
	struct rl_ledger_stats st;
	double gen_s;
	int rc = 0;

	if (argc > 1) {
		char *end;

		g.target = strtoull(argv[1], &end, 10);
		if (*end || !g.target || argc > 3) {
			fprintf(stderr, "usage: bench_replay [EVENTS [FILE]]  (EVENTS > 0, "
				"default 2000000)\n");
			return 2;
		}
	}
	if (argc > 2)
		path = argv[2];
	else if (!stat("build", &sb) && S_ISDIR(sb.st_mode))
		path = "build/bench_replay.events";
	else
		path = "/tmp/ringledger-bench_replay.events";

	g.f = fopen(path, "w");
	if (!g.f) {
		perror(path);
		return 2;
	}
	gen_s = now(CLOCK_MONOTONIC);
	rl_stream_write_header(g.f);
	generate(&g);
	rl_stream_write_trailer(g.f, g.written);
	fclose(g.f);
	gen_s = now(CLOCK_MONOTONIC) - gen_s;
	stat(path, &sb);
	printf("bench_replay: %llu events, %.1f MiB, %.0f bytes/event (written in %.2f s)\n",
	       g.written, (double)sb.st_size / (1 << 20), (double)sb.st_size / (double)g.written,
	       gen_s);

	if (!measure("read only", path, false, &l) || !measure("read + ledger", path, true, &l))
		rc = 1;
	if (l) {
		rl_ledger_get_stats(l, &st);
		printf("bench_replay: %llu contexts, %llu regions, %llu mmaps, %llu pages "
		       "freed, %zu findings\n", (unsigned long long)st.ctx_created,
		       (unsigned long long)st.regions_created, (unsigned long long)st.mmaps,
		       (unsigned long long)st.pages_freed, rl_ledger_nr_findings(l));
	}
	if (rc)
		fprintf(stderr, "bench_replay: the clean workload did not replay cleanly\n");
	rl_ledger_free(l);
	unlink(path);
	return rc;
}
