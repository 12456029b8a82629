// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * books_ctx.c - the books of ring contexts, and the region lists they own
 * (a ctx's regions, and the pending ones whose ctx is not born yet).
 * Record lifecycle and queries; no findings (see ledger_int.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include "ledger_int.h"

/* ---- region lists ------------------------------------------------------ */

static uint32_t *list_head_of(struct rl_ledger *l, const struct region *r)
{
	uint32_t c;

	if (r->pending)
		return &l->pending_head;
	if (!r->in_ctx_list)
		return NULL;
	c = lookup(&l->ctx_by_key, r->ctx);
	return c == RL_NIL ? NULL : &ctx_at(l, c)->first_region;
}

static void list_push(struct rl_ledger *l, uint32_t *head, uint32_t slot)
{
	struct region *r = region_at(l, slot);

	r->list_prev = RL_NIL;
	r->list_next = *head;
	if (*head != RL_NIL)
		region_at(l, *head)->list_prev = slot;
	*head = slot;
}

void region_unlink(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);
	uint32_t *head = list_head_of(l, r);

	if (!head)
		return;
	if (r->list_prev != RL_NIL)
		region_at(l, r->list_prev)->list_next = r->list_next;
	else
		*head = r->list_next;
	if (r->list_next != RL_NIL)
		region_at(l, r->list_next)->list_prev = r->list_prev;
	r->list_prev = r->list_next = RL_NIL;
	r->pending = false;
	r->in_ctx_list = false;
}

void region_join_ctx(struct rl_ledger *l, uint32_t slot, uint32_t cslot)
{
	struct ring_ctx *c = ctx_at(l, cslot);
	struct region *r;

	region_unlink(l, slot);
	list_push(l, &c->first_region, slot);
	r = region_at(l, slot);
	r->ctx = c->key;
	r->in_ctx_list = true;
}

void region_join_pending(struct rl_ledger *l, uint32_t slot)
{
	list_push(l, &l->pending_head, slot);
	region_at(l, slot)->pending = true;
}

void region_leave_ctx(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);

	r->in_ctx_list = false;
	r->list_prev = r->list_next = RL_NIL;
}

/* ---- ring contexts ----------------------------------------------------- */

/* A ctx record, known so far only from a region that names it. */
uint32_t ctx_add(struct rl_ledger *l, uint64_t key, const struct origin *o)
{
	uint32_t i = rl_pool_alloc(&l->ctxs);
	struct ring_ctx *c;

	if (i == RL_NIL)
		return RL_NIL;
	if (rl_map_put(&l->ctx_by_key, key, i)) {
		rl_pool_release(&l->ctxs, i);
		return RL_NIL;
	}
	c = ctx_at(l, i);
	c->key = key;
	c->born = *o;
	c->first_region = RL_NIL;
	return i;
}

/* Its CTX_CREATE was seen: from now on all its ring regions are known. */
void ctx_observe(struct rl_ledger *l, uint32_t cslot, const struct origin *o)
{
	struct ring_ctx *c = ctx_at(l, cslot);

	c->observed = true;
	c->born = *o;
	l->live_observed_ctxs++;
	l->st.ctx_created++;
}

void ctx_release(struct rl_ledger *l, uint32_t cslot)
{
	struct ring_ctx *c = ctx_at(l, cslot);

	if (c->observed)
		l->live_observed_ctxs--;
	rl_map_del(&l->ctx_by_key, c->key);
	rl_pool_release(&l->ctxs, cslot);
}

uint32_t ctx_find_region(const struct rl_ledger *l, const struct ring_ctx *c,
			 uint32_t kind, uint32_t bgid, bool *has_unknown, uint32_t *second)
{
	uint32_t s, found = RL_NIL;

	*has_unknown = false;
	*second = RL_NIL;
	for (s = c->first_region; s != RL_NIL; s = region_at(l, s)->list_next) {
		const struct region *r = region_at(l, s);

		if (r->freed)
			continue;
		if (r->kind == RL_RK_UNKNOWN)
			*has_unknown = true;
		if (r->kind != kind || (kind == RL_RK_PBUF && r->bgid != bgid))
			continue;
		if (found == RL_NIL) {
			found = s;
		} else {
			*second = s;
			break;
		}
	}
	return found;
}

/* ---- rings alive at the end -------------------------------------------- */

static void name_copy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void set_holder(struct rl_live_ring *out, const struct proc *p)
{
	out->holder_pid = p->pid;
	name_copy(out->holder_comm, sizeof(out->holder_comm), p->comm);
	name_copy(out->holder_cmd, sizeof(out->holder_cmd), p->cmd);
}

/* A killed ring waits for io_ring_exit_work whoever ran; otherwise the
 * ring file still has a reference: its creator's, a child's that inherited
 * the fd, or one passed to another process.  With none of those running,
 * the kill (or the death) happened and we did not see it. */
void ctx_explain_alive(const struct rl_ledger *l, const struct ring_ctx *c,
		       struct rl_live_ring *out)
{
	const struct proc *p = proc_at(l, c->born.pid, c->born.ts);

	memset(out, 0, sizeof(*out));
	out->ctx = c->key;
	out->born_ts_ns = c->born.ts;
	out->creator_pid = c->born.pid;
	name_copy(out->creator_comm, sizeof(out->creator_comm), c->born.comm);
	if (p)
		name_copy(out->creator_cmd, sizeof(out->creator_cmd), p->cmd);
	if (c->killed) {
		out->state = RL_RING_PENDING_EXIT;
		out->killed_ts_ns = c->killed_ts;
		return;
	}
	if (proc_running(l, c->born.pid)) {
		out->state = RL_RING_HELD;
		set_holder(out, proc_at(l, c->born.pid, UINT64_MAX));
		return;
	}
	p = proc_running_heir(l, c->born.pid, c->born.ts);
	if (p) {
		out->state = RL_RING_HELD;
		set_holder(out, p);
		return;
	}
	p = proc_any_running(l);
	if (p) {
		out->state = RL_RING_MAYBE_HELD;
		set_holder(out, p);
		return;
	}
	out->state = RL_RING_MISSED;
}

static const char *cmd_or_comm(const char *cmd, const char *comm)
{
	return cmd[0] ? cmd : comm;
}

void rl_live_ring_why(const struct rl_live_ring *lr, char *buf, size_t len)
{
	const char *creator = cmd_or_comm(lr->creator_cmd, lr->creator_comm);

	switch (lr->state) {
	case RL_RING_PENDING_EXIT:
		snprintf(buf, len, "ring context 0x%" PRIx64 " (created by pid %u %s) is pending "
			 "in io_ring_exit_work: it was killed (its file's last reference went) "
			 "and the exit work, which waits for its requests and references to "
			 "go, had not finished", lr->ctx, lr->creator_pid, creator);
		break;
	case RL_RING_HELD:
		snprintf(buf, len, "ring context 0x%" PRIx64 " (created by pid %u %s) is held "
			 "open by pid %u %s, still running%s", lr->ctx, lr->creator_pid, creator,
			 lr->holder_pid, cmd_or_comm(lr->holder_cmd, lr->holder_comm),
			 lr->holder_pid == lr->creator_pid ? "" :
			 " (forked from its creator after the ring was made)");
		break;
	case RL_RING_MAYBE_HELD:
		snprintf(buf, len, "ring context 0x%" PRIx64 " (created by pid %u %s, which "
			 "exited) was not killed; pid %u %s is still running and may hold "
			 "its fd (passed over a socket, or registered in another ring)",
			 lr->ctx, lr->creator_pid, creator, lr->holder_pid,
			 cmd_or_comm(lr->holder_cmd, lr->holder_comm));
		break;
	default:
		snprintf(buf, len, "ring context 0x%" PRIx64 " (created by pid %u %s) was missed "
			 "by us: no kill of it was seen and no process we follow is running, "
			 "so its kill or its death was lost (or a file outside our processes "
			 "holds it)", lr->ctx, lr->creator_pid, creator);
		break;
	}
}
