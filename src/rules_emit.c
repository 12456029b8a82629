// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rules_emit.c - the one door a rule's finding goes through: start it
 * from who broke the rule, fill it from the records involved, store it
 * and tell the caller.  Used by the rules (rules.c) only.
 *
 * Attribution: a finding belongs to the process that made the object it
 * is about, not to whoever ran the breaking event (a kworker's exit work,
 * an interrupt's page free).  Each record a rule adds names its maker, and
 * the most specific one wins: the mapping's (finding_set_vma) or the pin
 * set's (finding_set_pins) over the region's (finding_set_region), over
 * the rule's own origin (finding_init).  finding_emit looks the maker up
 * in the process books for the command it ran at that moment.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "rules.h"

/* The finding is about an object o made (o->pid 0: nobody we know). */
static void finding_set_owner(struct rl_finding *f, const struct origin *o)
{
	if (!o->pid)
		return;
	f->owner_pid = o->pid;
	f->owner_ts_ns = o->ts;
	memcpy(f->owner_comm, o->comm, RL_COMM_LEN);
}

void finding_init(struct rl_finding *f, enum rl_finding_id id, const struct origin *o)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->ts_ns = o->ts;
	f->pid = o->pid;
	f->tid = o->tid;
	memcpy(f->comm, o->comm, RL_COMM_LEN);
	f->refcount_seen = -1;
	f->refcount_expected = -1;
	finding_set_owner(f, o);
}

void finding_set_region(struct rl_finding *f, const struct region *r)
{
	if (!f->vma && !f->pin_set)
		finding_set_owner(f, &r->created_by);
	f->ctx = r->ctx;
	f->region = r->key;
	f->region_kind = r->kind;
	f->bgid = r->bgid;
}

void finding_set_vma(struct rl_finding *f, const struct vma *v)
{
	finding_set_owner(f, &v->mapped_by);
	f->vma = v->key;
	f->vma_start = v->start;
	f->vma_end = v->end;
	f->vma_pgoff = v->pgoff;
}

void finding_set_pins(struct rl_finding *f, const struct pinset *p)
{
	finding_set_owner(f, &p->pinned_by);
	f->ctx = p->ctx;
	f->pin_set = p->key;
	f->pin_owner = p->owner;
	f->pin_owner_id = p->owner_id;
	if (p->owner == RL_PO_PBUF) {
		f->region_kind = RL_RK_PBUF;
		f->bgid = p->owner_id;
	} else if (p->owner == RL_PO_REGION) {
		f->region_kind = RL_RK_PARAM;
	}
	if (p->owner != RL_PO_BUFFER)
		f->region = p->pages;	/* the region's pages[] key */
}

/* The command the owner ran when it made the object ("" when no exec of
 * it was seen: `trace -p` of a running process). */
static void finding_name_command(struct rl_ledger *l, struct rl_finding *f)
{
	const struct proc *p;
	size_t n;

	if (!f->owner_pid)
		return;
	p = proc_at(l, f->owner_pid, f->owner_ts_ns);
	if (!p)
		return;
	n = strnlen(p->cmd, sizeof(f->owner_cmd) - 1);
	memcpy(f->owner_cmd, p->cmd, n);
	f->owner_cmd[n] = '\0';
}

long finding_emit(struct rl_ledger *l, const struct rl_finding *fin)
{
	struct rl_finding named = *fin, *f = &named;
	long idx = -1;

	finding_name_command(l, f);

	if (f->id > RL_F_NONE && f->id < RL_F__MAX)
		l->st.findings[f->id]++;
	if (l->nr_findings < MAX_STORED_FINDINGS) {
		if (l->nr_findings == l->cap_findings) {
			size_t cap = l->cap_findings ? l->cap_findings * 2 : 16;
			struct rl_finding *nf = realloc(l->findings, cap * sizeof(*nf));

			if (nf) {
				l->findings = nf;
				l->cap_findings = cap;
			}
		}
		if (l->nr_findings < l->cap_findings) {
			idx = (long)l->nr_findings++;
			l->findings[idx] = *f;
		}
	}
	if (l->opts.on_finding)
		l->opts.on_finding(f, l->opts.cookie);
	return idx;
}

void pin_owner_str(const struct pinset *p, char *buf, size_t len)
{
	switch (p->owner) {
	case RL_PO_BUFFER:
		snprintf(buf, len, "fixed buffer %u", p->owner_id);
		break;
	case RL_PO_PBUF:
		snprintf(buf, len, "buffer ring %u's memory", p->owner_id);
		break;
	case RL_PO_REGION:
		snprintf(buf, len, "parameter region's memory");
		break;
	case RL_PO_RINGS:
		snprintf(buf, len, "ring memory (IORING_SETUP_NO_MMAP)");
		break;
	default:
		snprintf(buf, len, "user memory");
		break;
	}
}

void backing_str(uint32_t backing, uint64_t file, char *buf, size_t len)
{
	if (!file)
		snprintf(buf, len, "%s memory", backing == RL_BK_ANON ? "anonymous" :
			 rl_backing_name(backing));
	else
		snprintf(buf, len, "%s of mapping 0x%" PRIx64, rl_backing_name(backing), file);
}
