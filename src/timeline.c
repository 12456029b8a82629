// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * timeline.c - Chrome trace-event JSON of a run (timeline.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "ledger_map.h"
#include "names.h"
#include "report.h"
#include "timeline.h"


static const char *const tl_cat[RL_OBJ__MAX] = { "ring", "region", "mapping", "pin_set" };

struct tl_slice {
	uint64_t id;
	uint32_t pid;
	char name[48];
};

struct rl_timeline {
	FILE *f;
	const struct rl_addr *addr;
	struct rl_map open[RL_OBJ__MAX];	/* object key -> slice index      */
	struct rl_pool slices;
	struct rl_map named;		/* pids with a process_name        */
	uint64_t next_id, last_ts;
	bool any;			/* an event written: commas after  */
};

static void sep(struct rl_timeline *t)
{
	fputs(t->any ? ",\n" : "\n", t->f);
	t->any = true;
}

static double us(uint64_t ns)
{
	return ns / 1000.0;
}

static void name_process(struct rl_timeline *t, uint32_t pid, const char *comm)
{
	char c[RL_COMM_LEN + 1];

	if (rl_map_get(&t->named, pid, NULL) || rl_map_put(&t->named, pid, 1))
		return;
	memcpy(c, comm, RL_COMM_LEN);
	c[RL_COMM_LEN] = '\0';
	sep(t);
	fprintf(t->f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":",
		pid, pid);
	rl_json_str(t->f, c);
	fputs("}}", t->f);
}

/* A slice begins: what it is, its key, its name, one argument pair. */
static void begin(struct rl_timeline *t, const struct rl_event *ev, enum rl_obj w, uint64_t key,
		  const char *name, const char *args)
{
	struct tl_slice *s;
	uint32_t i;

	if (rl_map_get(&t->open[w], key, NULL))
		return;		/* begun already (a stream that repeats it) */
	i = rl_pool_alloc(&t->slices);
	if (i == RL_NIL || rl_map_put(&t->open[w], key, i)) {
		if (i != RL_NIL)
			rl_pool_release(&t->slices, i);
		return;
	}
	s = rl_pool_at(&t->slices, i);
	s->id = ++t->next_id;
	s->pid = ev->h.pid;
	snprintf(s->name, sizeof(s->name), "%s", name);
	name_process(t, ev->h.pid, ev->h.comm);
	sep(t);
	fprintf(t->f, "{\"ph\":\"b\",\"cat\":\"%s\",\"name\":", tl_cat[w]);
	rl_json_str(t->f, s->name);
	fprintf(t->f, ",\"id\":\"%" PRIu64 "\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,\"args\":{%s}}",
		s->id, s->pid, s->pid, us(ev->h.ts_ns), args);
}

static void end_slice(struct rl_timeline *t, enum rl_obj w, uint64_t key, uint32_t i,
		      uint64_t ts, bool at_end)
{
	struct tl_slice *s = rl_pool_at(&t->slices, i);

	sep(t);
	fprintf(t->f, "{\"ph\":\"e\",\"cat\":\"%s\",\"name\":", tl_cat[w]);
	rl_json_str(t->f, s->name);
	fprintf(t->f, ",\"id\":\"%" PRIu64 "\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f%s}", s->id,
		s->pid, s->pid, us(ts), at_end ? ",\"args\":{\"open_at_end\":true}" : "");
	rl_map_del(&t->open[w], key);
	rl_pool_release(&t->slices, i);
}

static void end(struct rl_timeline *t, const struct rl_event *ev, enum rl_obj w, uint64_t key)
{
	uint64_t i;

	if (rl_map_get(&t->open[w], key, &i))
		end_slice(t, w, key, (uint32_t)i, ev->h.ts_ns, false);
}

struct rl_timeline *rl_timeline_new(FILE *f, const struct rl_addr *addr)
{
	struct rl_timeline *t = calloc(1, sizeof(*t));
	int w;

	if (!t)
		return NULL;
	t->f = f;
	t->addr = addr;
	for (w = 0; w < RL_OBJ__MAX; w++)
		rl_map_init(&t->open[w]);
	rl_map_init(&t->named);
	rl_pool_init(&t->slices, sizeof(struct tl_slice));
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"ringledger\"},\"traceEvents\":[", f);
	return t;
}

int rl_timeline_edge(const struct rl_event *ev, const struct rl_addr *addr, struct rl_edge *e)
{
	char a1[RL_ADDR_STRLEN];
	uint32_t bgid = 0;

	memset(e, 0, sizeof(*e));
	switch (ev->h.type) {
	case RL_EV_CTX_CREATE:
		e->what = RL_OBJ_RING;
		e->key = ev->ctx.ctx;
		snprintf(e->name, sizeof(e->name), "ring");
		snprintf(e->args, sizeof(e->args), "\"ctx\":\"%s\",\"sq_entries\":%u,\"cq_entries\":%u",
			 rl_addr_str(addr, ev->ctx.ctx, a1), ev->ctx.sq_entries, ev->ctx.cq_entries);
		return RL_EDGE_BEGIN;
	case RL_EV_CTX_DEAD:
		e->what = RL_OBJ_RING;
		e->key = ev->ctx.ctx;
		return RL_EDGE_END;
	case RL_EV_REGION_CREATE:
		if (ev->region.ret)
			return RL_EDGE_NONE;
		e->what = RL_OBJ_REGION;
		e->key = ev->region.region;
		snprintf(e->name, sizeof(e->name), "region %s", rl_region_kind_name(ev->region.kind));
		snprintf(e->args, sizeof(e->args), "\"region\":\"%s\",\"pages\":%u",
			 rl_addr_str(addr, ev->region.region, a1), ev->region.nr_pages);
		return RL_EDGE_BEGIN;
	case RL_EV_REGION_FREE:
		e->what = RL_OBJ_REGION;
		e->key = ev->region.region;
		return RL_EDGE_END;
	case RL_EV_MMAP:
		if (ev->mmap.ret)
			return RL_EDGE_NONE;
		e->what = RL_OBJ_MAPPING;
		e->key = ev->mmap.vma;
		snprintf(e->name, sizeof(e->name), "mapping %s",
			 rl_region_kind_name(rl_mmap_offset_kind(ev->mmap.pgoff << 12, &bgid)));
		snprintf(e->args, sizeof(e->args), "\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\"",
			 (uint64_t)ev->mmap.start, (uint64_t)ev->mmap.end);
		return RL_EDGE_BEGIN;
	case RL_EV_VMA_REMOVE:
	case RL_EV_VMA_FREE:
		e->what = RL_OBJ_MAPPING;
		e->key = ev->vma.vma;
		return RL_EDGE_END;
	case RL_EV_PIN:
		if (ev->pin.first)
			return RL_EDGE_NONE;
		e->what = RL_OBJ_PIN_SET;
		e->key = ev->pin.key;
		snprintf(e->name, sizeof(e->name), "pin set (%s %u)", rl_pin_owner_name(ev->pin.owner),
			 ev->pin.owner_id);
		snprintf(e->args, sizeof(e->args), "\"pin_set\":%" PRIu64 ",\"pages\":%u",
			 (uint64_t)ev->pin.key, ev->pin.nr_pages);
		return RL_EDGE_BEGIN;
	case RL_EV_UNPIN:
		if (!(ev->unpin.flags & RL_UNPIN_F_RELEASED) || (ev->unpin.flags & RL_UNPIN_F_SHARED))
			return RL_EDGE_NONE;
		e->what = RL_OBJ_PIN_SET;
		e->key = ev->unpin.key;
		return RL_EDGE_END;
	}
	return RL_EDGE_NONE;
}

void rl_timeline_event(struct rl_timeline *t, const struct rl_event *ev)
{
	struct rl_edge e;

	if (ev->h.type == RL_EV_LOST)
		return;
	if (ev->h.ts_ns > t->last_ts)
		t->last_ts = ev->h.ts_ns;
	switch (rl_timeline_edge(ev, t->addr, &e)) {
	case RL_EDGE_BEGIN:
		begin(t, ev, e.what, e.key, e.name, e.args);
		break;
	case RL_EDGE_END:
		end(t, ev, e.what, e.key);
		break;
	}
}

static void finding(struct rl_timeline *t, const struct rl_finding *f)
{
	uint32_t pid = f->owner_pid ? f->owner_pid : f->pid;
	char title[320], detail[300];

	snprintf(title, sizeof(title), "%s %s", rl_finding_name(f->id), rl_finding_title(f->id));
	rl_addr_scrub(t->addr, f->detail, sizeof(f->detail), detail, sizeof(detail));
	name_process(t, pid, f->owner_pid ? f->owner_comm : f->comm);
	sep(t);
	fputs("{\"ph\":\"i\",\"s\":\"p\",\"cat\":\"finding\",\"name\":", t->f);
	rl_json_str(t->f, title);
	fprintf(t->f, ",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,\"args\":{\"id\":\"%s\",\"detail\":", pid,
		pid, us(f->ts_ns), rl_finding_name(f->id));
	rl_json_str(t->f, detail);
	fputs("}}", t->f);
}

void rl_timeline_finish(struct rl_timeline *t, const struct rl_ledger *l)
{
	size_t i, n = l ? rl_ledger_nr_findings(l) : 0;
	uint64_t key, idx;
	int w;

	for (i = 0; i < n; i++)
		finding(t, rl_ledger_finding(l, i));
	for (w = 0; w < RL_OBJ__MAX; w++) {
		size_t it = 0;

		/* a delete moves entries: start over after each */
		while (rl_map_next(&t->open[w], &it, &key, &idx)) {
			end_slice(t, w, key, (uint32_t)idx, t->last_ts, true);
			it = 0;		/* the map changed: start over */
		}
		rl_map_free(&t->open[w]);
	}
	fputs("\n]}\n", t->f);
	rl_map_free(&t->named);
	rl_pool_free(&t->slices);
	free(t);
}
