// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_text.c - the human report: findings with their evidence, then the
 * totals and the verdict; and one line per lifecycle event for `trace`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <sys/wait.h>
#include "report.h"
#include "ledger_names.h"

const char *rl_verdict_name(int verdict)
{
	switch (verdict) {
	case 0:
		return "clean";
	case 1:
		return "findings";
	default:
		return "inconclusive";
	}
}

static bool is_allowed(const struct rl_report_ctx *rc, enum rl_finding_id id)
{
	return rc && id < 32 && (rc->allow_mask >> id) & 1;
}

/* comm as printable text: the kernel lets a task name itself anything */
static void put_comm(FILE *f, const char *comm)
{
	size_t i;

	for (i = 0; i < RL_COMM_LEN && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		fputc(c > 0x20 && c < 0x7f ? c : '?', f);
	}
}

static void put_stack(FILE *f, const char *title, uint32_t nr, const uint64_t *stack,
		      const struct rl_report_ctx *rc)
{
	char buf[256];
	uint32_t i;

	if (!nr)
		return;
	fprintf(f, "    %s:\n", title);
	for (i = 0; i < nr && i < RL_STACK_DEPTH; i++) {
		const char *sym = NULL;

		if (rc && rc->symbolize)
			sym = rc->symbolize(stack[i], buf, sizeof(buf), rc->sym_cookie);
		if (sym)
			fprintf(f, "      #%-2u %s (0x%" PRIx64 ")\n", i, sym, stack[i]);
		else
			fprintf(f, "      #%-2u 0x%" PRIx64 "\n", i, stack[i]);
	}
}

/* What set a finding up, for the title of its second stack. */
static const char *setup_stack_title(enum rl_finding_id id)
{
	switch (id) {
	case RL004:
	case RL009:
		return "stack of the setup (the pin)";
	case RL005:
		return "stack of the setup (the buffer-ring pin)";
	default:
		return "stack of the setup (io_free_region)";
	}
}

void rl_report_text_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc)
{
	fprintf(f, "%s %s: %s%s\n", rl_finding_name(fi->id),
		rl_finding_class_name(rl_finding_class_of(fi->id)), rl_finding_title(fi->id),
		is_allowed(rc, fi->id) ? " (allowed)" : "");
	fprintf(f, "    process   pid %u tid %u comm ", fi->pid, fi->tid);
	put_comm(f, fi->comm);
	fputc('\n', f);
	if (fi->ctx)
		fprintf(f, "    ctx       0x%" PRIx64 "\n", fi->ctx);
	if (fi->region || fi->region_kind) {
		fprintf(f, "    region    %s", rl_region_kind_name(fi->region_kind));
		if (fi->region)
			fprintf(f, " 0x%" PRIx64, fi->region);
		if (fi->region_kind == RL_RK_PBUF)
			fprintf(f, " bgid %u", fi->bgid);
		fputc('\n', f);
	}
	if (fi->vma)
		fprintf(f, "    vma       0x%" PRIx64 " [0x%" PRIx64 "-0x%" PRIx64 ") pgoff 0x%"
			PRIx64 "\n", fi->vma, fi->vma_start, fi->vma_end, fi->vma_pgoff);
	else if (fi->vma_pgoff)
		fprintf(f, "    pgoff     0x%" PRIx64 "\n", fi->vma_pgoff);
	if (fi->pfn) {
		fprintf(f, "    pfn       0x%" PRIx64, fi->pfn);
		if (fi->nr_pfns > 1)
			fprintf(f, " (%u pages)", fi->nr_pfns);
		fputc('\n', f);
	}
	if (fi->pin_set) {
		fprintf(f, "    pins      set %" PRIu64 ", %s", fi->pin_set,
			rl_pin_owner_name(fi->pin_owner));
		if (fi->pin_owner == RL_PO_BUFFER || fi->pin_owner == RL_PO_PBUF)
			fprintf(f, " %u", fi->pin_owner_id);
		fputc('\n', f);
	}
	if (fi->refcount_seen >= 0 || fi->refcount_expected >= 0)
		fprintf(f, "    refcount  seen %" PRId64 ", expected >= %" PRId64 "\n",
			fi->refcount_seen, fi->refcount_expected);
	if (fi->detail[0])
		fprintf(f, "    evidence  %.*s\n", (int)sizeof(fi->detail), fi->detail);
	put_stack(f, "stack of the breaking event", fi->nr_stack, fi->stack, rc);
	put_stack(f, setup_stack_title(fi->id), fi->nr_setup_stack, fi->setup_stack, rc);
	fprintf(f, "    meaning   %s\n", rl_finding_explain(fi->id));
}

static void put_child_status(FILE *f, int status)
{
	if (status < 0)
		return;
	if (WIFEXITED(status))
		fprintf(f, " (exited with %d)", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(f, " (killed by signal %d)", WTERMSIG(status));
}

static void put_findings_summary(FILE *f, const struct rl_ledger_stats *st,
				 const struct rl_report_ctx *rc)
{
	bool any = false;
	int id;

	fprintf(f, "  findings   ");
	for (id = RL001; id < RL_F__MAX; id++) {
		if (!st->findings[id])
			continue;
		fprintf(f, "%s%s x%" PRIu64 "%s", any ? ", " : "", rl_finding_name(id),
			st->findings[id], is_allowed(rc, id) ? " (allowed)" : "");
		any = true;
	}
	fprintf(f, "%s\n", any ? "" : "none");
}

void rl_report_text(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	struct rl_ledger_stats st;
	size_t i, n = rl_ledger_nr_findings(l);
	uint64_t total = 0;
	int id;

	rl_ledger_get_stats(l, &st);
	for (i = 0; i < n; i++) {
		rl_report_text_finding(f, rl_ledger_finding(l, i), rc);
		fputc('\n', f);
	}
	for (id = RL001; id < RL_F__MAX; id++)
		total += st.findings[id];
	if (total > n)
		fprintf(f, "(%" PRIu64 " more findings were counted but not kept)\n\n",
			total - n);
	fprintf(f, "ringledger summary\n");
	if (rc && rc->command) {
		fprintf(f, "  command    %s", rc->command);
		put_child_status(f, rc->child_status);
		fputc('\n', f);
	}
	if (rc && rc->elapsed_s > 0)
		fprintf(f, "  elapsed    %.3f s\n", rc->elapsed_s);
	fprintf(f, "  events     %" PRIu64 "\n", st.events);
	fprintf(f, "  contexts   %" PRIu64 " created, %" PRIu64 " dead, %zu live\n",
		st.ctx_created, st.ctx_dead, rl_ledger_live_ctxs(l));
	fprintf(f, "  regions    %" PRIu64 " created, %" PRIu64 " freed\n",
		st.regions_created, st.regions_freed);
	fprintf(f, "  mappings   %" PRIu64 " mmaps, %" PRIu64 " vmas removed", st.mmaps,
		st.vmas_removed);
	if (st.vmas_split)
		fprintf(f, ", %" PRIu64 " split", st.vmas_split);
	fputc('\n', f);
	fprintf(f, "  pages      %" PRIu64 " tracked, %" PRIu64 " freed\n",
		st.pages_tracked, st.pages_freed);
	if (st.pin_sets)
		fprintf(f, "  pins       %" PRIu64 " taken, %" PRIu64 " dropped, in %" PRIu64
			" pin set(s)\n", st.pins_taken, st.pins_dropped, st.pin_sets);
	fprintf(f, "  lost       %" PRIu64 " events\n", st.lost_events);
	put_findings_summary(f, &st, rc);
	if (rc) {
		fprintf(f, "  verdict    %s", rl_verdict_name(rc->verdict));
		if (rc->verdict == 2 && rc->inconclusive_why)
			fprintf(f, " (%s)", rc->inconclusive_why);
		fputc('\n', f);
	}
}

/* ---- one line per lifecycle event ------------------------------------ */

static void event_region(FILE *f, const struct rl_event *ev)
{
	const struct rl_ev_region *r = &ev->region;
	char flags[64];

	rl_region_flags_str(r->flags, flags, sizeof(flags));
	fprintf(f, " ctx=0x%llx kind=%s region=0x%llx pages=%u flags=%s",
		(unsigned long long)r->ctx, rl_region_kind_name(r->kind),
		(unsigned long long)r->region, r->nr_pages, flags);
	if (r->kind == RL_RK_PBUF)
		fprintf(f, " bgid=%u", r->bgid);
	if (ev->h.type == RL_EV_REGION_CREATE)
		fprintf(f, " head_refcount=%u", r->head_refcount);
}

static void event_pages(FILE *f, const struct rl_ev_pages *p)
{
	uint32_t i, n = p->count < RL_PFNS_PER_EVENT ? p->count : RL_PFNS_PER_EVENT;

	fprintf(f, " region=0x%llx at=%s pages=[%u,%u) pfn=", (unsigned long long)p->region,
		p->at_free ? "free" : "create", p->first, p->first + n);
	for (i = 0; i < n && i < 4; i++)
		fprintf(f, "%s0x%llx", i ? "," : "", (unsigned long long)p->pfn[i]);
	fprintf(f, "%s refcount=", n > 4 ? ",..." : "");
	for (i = 0; i < n && i < 4; i++)
		fprintf(f, "%s%u", i ? "," : "", p->refcount[i]);
	fprintf(f, "%s", n > 4 ? ",..." : "");
}

static void event_mmap(FILE *f, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t bgid = 0;
	enum rl_region_kind kind = rl_mmap_offset_kind(m->pgoff << RL_PAGE_SHIFT, &bgid);

	fprintf(f, " ctx=0x%llx", (unsigned long long)m->ctx);
	if (ev->h.type == RL_EV_MMAP_AREA) {
		if (m->ret < 0 && m->ret >= -4095)
			fprintf(f, " ret=%lld", (long long)m->ret);
		else
			fprintf(f, " addr=0x%llx", (unsigned long long)m->ret);
		fprintf(f, " len=0x%llx", (unsigned long long)(m->end - m->start));
	} else {
		fprintf(f, " vma=0x%llx [0x%llx-0x%llx)", (unsigned long long)m->vma,
			(unsigned long long)m->start, (unsigned long long)m->end);
	}
	fprintf(f, " pgoff=0x%llx kind=%s", (unsigned long long)m->pgoff,
		rl_region_kind_name(kind));
	if (kind == RL_RK_PBUF)
		fprintf(f, " bgid=%u", bgid);
	if (ev->h.type == RL_EV_INSERT_PAGES)
		fprintf(f, " region=0x%llx inserted=%u/%u ret=%lld",
			(unsigned long long)m->region,
			m->nr_pages > m->nr_left ? m->nr_pages - m->nr_left : 0, m->nr_pages,
			(long long)m->ret);
	else if (ev->h.type == RL_EV_MMAP)
		fprintf(f, " ret=%lld", (long long)m->ret);
}

static void event_vma(FILE *f, const struct rl_event *ev)
{
	const struct rl_ev_vma *v = &ev->vma;

	fprintf(f, " vma=0x%llx", (unsigned long long)v->vma);
	if (ev->h.type == RL_EV_VMA_DUP)
		fprintf(f, " new_vma=0x%llx", (unsigned long long)v->new_vma);
	fprintf(f, " [0x%llx-0x%llx) pgoff=0x%llx mm=0x%llx", (unsigned long long)v->start,
		(unsigned long long)v->end, (unsigned long long)v->pgoff,
		(unsigned long long)v->mm);
	if (ev->h.type == RL_EV_VMA_SPLIT)
		fprintf(f, " ret=%lld", (long long)v->ret);
}

static void event_pin(FILE *f, const struct rl_ev_pin *p)
{
	uint32_t i, n = p->count < RL_PINS_PER_EVENT ? p->count : RL_PINS_PER_EVENT;

	fprintf(f, " ctx=0x%llx set=%llu owner=%s", (unsigned long long)p->ctx,
		(unsigned long long)p->key, rl_pin_owner_name(p->owner));
	if (p->owner == RL_PO_BUFFER || p->owner == RL_PO_PBUF)
		fprintf(f, "/%u", p->owner_id);
	fprintf(f, " uaddr=0x%llx nr_pages=%u from=%u folios=", (unsigned long long)p->uaddr,
		p->nr_pages, p->first);
	for (i = 0; i < n && i < 4; i++)
		fprintf(f, "%s0x%llx*%u:%s", i ? "," : "", (unsigned long long)p->pfn[i],
			p->npins[i], rl_backing_name(p->backing[i]));
	fprintf(f, "%s", n > 4 ? ",..." : "");
}

static void event_unpin(FILE *f, const struct rl_ev_unpin *u)
{
	uint32_t i, n = u->count < RL_UNPINS_PER_EVENT ? u->count : RL_UNPINS_PER_EVENT;

	fprintf(f, " ctx=0x%llx set=%llu owner=%s", (unsigned long long)u->ctx,
		(unsigned long long)u->key, rl_pin_owner_name(u->owner));
	if (u->owner == RL_PO_BUFFER || u->owner == RL_PO_PBUF)
		fprintf(f, "/%u", u->owner_id);
	fprintf(f, " folios=");
	for (i = 0; i < n && i < 4; i++)
		fprintf(f, "%s0x%llx*%u", i ? "," : "", (unsigned long long)u->pfn[i],
			u->npins[i]);
	fprintf(f, "%s%s%s%s%s", n > 4 ? ",..." : "", n ? "" : "-",
		u->flags & RL_UNPIN_F_END ? " end" : "",
		u->flags & RL_UNPIN_F_RELEASED ? " released" : "",
		u->flags & RL_UNPIN_F_SHARED ? " shared" : "");
}

static void event_payload(FILE *f, const struct rl_event *ev)
{
	const char *counter;

	switch (ev->h.type) {
	case RL_EV_CTX_CREATE:
	case RL_EV_CTX_DEAD:
		fprintf(f, " ctx=0x%llx", (unsigned long long)ev->ctx.ctx);
		if (ev->h.type == RL_EV_CTX_CREATE)
			fprintf(f, " sq_entries=%u cq_entries=%u flags=0x%x fd=%d",
				ev->ctx.sq_entries, ev->ctx.cq_entries, ev->ctx.flags,
				ev->ctx.fd);
		break;
	case RL_EV_REGION_CREATE:
	case RL_EV_REGION_FREE:
		event_region(f, ev);
		break;
	case RL_EV_REGION_PAGES:
		event_pages(f, &ev->pages);
		break;
	case RL_EV_MMAP_AREA:
	case RL_EV_MMAP:
	case RL_EV_INSERT_PAGES:
		event_mmap(f, ev);
		break;
	case RL_EV_VMA_DUP:
	case RL_EV_VMA_ZAP:
	case RL_EV_VMA_REMOVE:
	case RL_EV_VMA_SPLIT:
		event_vma(f, ev);
		break;
	case RL_EV_ARENA_AREA:
		fprintf(f, " map=0x%llx addr=0x%llx len=0x%llx window=[0x%llx,+0x%llx) ret=",
			(unsigned long long)ev->arena.map, (unsigned long long)ev->arena.addr,
			(unsigned long long)ev->arena.len, (unsigned long long)ev->arena.window,
			(unsigned long long)ev->arena.window_len);
		if (ev->arena.ret < 0 && ev->arena.ret >= -4095)
			fprintf(f, "%lld", (long long)ev->arena.ret);
		else
			fprintf(f, "0x%llx", (unsigned long long)ev->arena.ret);
		break;
	case RL_EV_PAGE_FREE:
		fprintf(f, " pfn=0x%llx order=%u", (unsigned long long)ev->page.pfn,
			ev->page.order);
		break;
	case RL_EV_PROC_FORK:
		fprintf(f, " parent=%u child=%u", ev->proc.parent_pid, ev->proc.child_pid);
		break;
	case RL_EV_PROC_EXEC:
		fprintf(f, " parent=%u", ev->proc.parent_pid);
		break;
	case RL_EV_PROC_EXIT:
		fprintf(f, " parent=%u exit_code=%d", ev->proc.parent_pid, ev->proc.exit_code);
		break;
	case RL_EV_PBUF_REG:
		fprintf(f, " ctx=0x%llx bgid=%u ring_addr=0x%llx entries=%u flags=0x%x ret=%d",
			(unsigned long long)ev->pbuf.ctx, ev->pbuf.bgid,
			(unsigned long long)ev->pbuf.ring_addr, ev->pbuf.ring_entries,
			ev->pbuf.flags, ev->pbuf.ret);
		break;
	case RL_EV_PBUF_UNREG:
	case RL_EV_BUFRING_PIN:
	case RL_EV_BUFRING_UNPIN:
		fprintf(f, " ctx=0x%llx bgid=%u ret=%d", (unsigned long long)ev->pbuf.ctx,
			ev->pbuf.bgid, ev->pbuf.ret);
		break;
	case RL_EV_PIN:
		event_pin(f, &ev->pin);
		break;
	case RL_EV_UNPIN:
		event_unpin(f, &ev->unpin);
		break;
	case RL_EV_LOST:
		counter = rl_counter_name(ev->lost.counter);
		if (counter)
			fprintf(f, " counter=%s", counter);
		else
			fprintf(f, " counter=%u", ev->lost.counter);
		fprintf(f, " count=%llu", (unsigned long long)ev->lost.count);
		break;
	default:
		break;
	}
}

void rl_report_text_event(FILE *f, const struct rl_event *ev)
{
	fputs(rl_event_type_name(ev->h.type), f);
	event_payload(f, ev);
	fprintf(f, " pid=%u tid=%u comm=", ev->h.pid, ev->h.tid);
	put_comm(f, ev->h.comm);
	fputc('\n', f);
}
