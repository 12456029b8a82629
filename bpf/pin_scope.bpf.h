/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pin_scope.bpf.h - pin scopes: the pin set an unpin on this task belongs
 * to.  Opened by the hook that lets go of a pin set (a region's free, a
 * buffer's release) or pins one (a buffer's registration, which may unpin
 * some again), filled by the unpin programs (unpin.bpf.c), closed by the
 * opener's exit.
 */
#ifndef RL_PIN_SCOPE_BPF_H
#define RL_PIN_SCOPE_BPF_H

#include "common.bpf.h"

/* Which hook opened a pin scope: only its exit closes it. */
enum rl_scope_opener {
	RL_OPENER_BUF_REGISTER = 1,	/* io_sqe_buffer_register      */
	RL_OPENER_BUF_RELEASE,		/* io_free_rsrc_node / io_buffer_unmap */
	RL_OPENER_REGION_FREE,		/* io_free_region              */
	RL_OPENER_UNPIN_PAGES,		/* unpin_user_pages, outside any */
	RL_OPENER_UBUF_RELEASE,		/* io_release_ubuf (7.x)        */
};

/* What a new pin scope starts from: never written (one copy per object
 * that opens scopes: read-only, nothing to share). */
static struct rl_pin_scope zero_pin_scope;

/* Send what the scope gathered; the event stays in the scope's map value
 * and is copied into the ring buffer whole. */
static __always_inline void pin_scope_flush(void *ctx, struct rl_pin_scope *ps,
					    __u32 flags, bool stack)
{
	struct rl_event *ev = &ps->ev;

	event_header(ev, RL_EV_UNPIN);
	ev->unpin.flags = flags;
	if (stack)
		event_stack(ctx, ev, RL_EV_UNPIN);
	event_output(ev, RL_EV_UNPIN, stack);
	ev->unpin.count = 0;
}

static __always_inline struct rl_pin_scope *pin_scope_get(void)
{
	__u32 tid;

	if (!open_pin_scopes)
		return NULL;
	tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&pin_scopes, &tid);
}

/* From now until pin_scope_close, unpins on this task drop pins of the
 * pin set `info`; `end_flags` will say how the scope ended. */
static __always_inline void pin_scope_open(void *ctx, const struct rl_pin_info *info,
					   __u64 ring, __u32 opener, __u32 end_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rl_pin_scope *ps = bpf_map_lookup_elem(&pin_scopes, &tid);

	if (ps && ps->opener == opener && ps->ev.unpin.key == info->key) {
		/* the same scope: the other program of a pair opened it */
		return;
	}
	if (ps) {
		/* one left open (its exit was missed): end it first */
		count(RL_CNT_ENTRY_MISSING);
		pin_scope_flush(ctx, ps, RL_UNPIN_F_END | ps->end_flags, false);
	} else {
		if (bpf_map_update_elem(&pin_scopes, &tid, &zero_pin_scope, BPF_NOEXIST)) {
			count(RL_CNT_TRACK_MAP_FULL);
			return;
		}
		ps = bpf_map_lookup_elem(&pin_scopes, &tid);
		if (!ps)
			return;
		__sync_fetch_and_add(&open_pin_scopes, 1);
	}
	ps->opener = opener;
	ps->end_flags = end_flags;
	ps->ev.unpin.ctx = ring;
	ps->ev.unpin.key = info->key;
	ps->ev.unpin.owner = info->owner;
	ps->ev.unpin.owner_id = info->owner_id;
	ps->ev.unpin.count = 0;
	ps->pair_ptr = 0;
}

/* Whether this program of an unpin pair books (ptr, n): as
 * pair_note_take() (common.bpf.h), with the note kept in the scope.
 * Unpaired, every program books. */
static __always_inline bool pin_scope_pair_take(struct rl_pin_scope *ps, __u64 ptr, __u64 n,
						bool first)
{
	bool same;

	if (!kprobe_seconds)
		return true;
	if (first) {
		ps->pair_ptr = ptr;
		ps->pair_n = n;
		return true;
	}
	same = ps->pair_ptr == ptr && ps->pair_n == n;
	ps->pair_ptr = 0;
	return !same;
}

/* The exit of the hook that opened the scope: send the last unpins with
 * the end flags (and the stack: the end is where a rule breaks). */
static __always_inline void pin_scope_close(void *ctx, __u32 opener, __u32 extra_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rl_pin_scope *ps = bpf_map_lookup_elem(&pin_scopes, &tid);
	__u32 flags;

	if (!ps || ps->opener != opener)
		return;
	flags = RL_UNPIN_F_END | ps->end_flags | extra_flags;
	/* a registration that unpinned nothing has nothing to say */
	if (ps->ev.unpin.count || flags != RL_UNPIN_F_END)
		pin_scope_flush(ctx, ps, flags, true);
	if (!bpf_map_delete_elem(&pin_scopes, &tid))
		__sync_fetch_and_add(&open_pin_scopes, -1);
}

/* One unpin of n pins of the folio at pfn; consecutive unpins of one folio
 * share an entry. */
static __always_inline void pin_scope_add(struct rl_pin_scope *ps, __u64 pfn, __u32 n)
{
	__u32 i = ps->ev.unpin.count;

	if (i > 0 && i <= RL_UNPINS_PER_EVENT && ps->ev.unpin.pfn[i - 1] == pfn) {
		ps->ev.unpin.npins[i - 1] += n;
		return;
	}
	if (i >= RL_UNPINS_PER_EVENT) {
		pin_scope_flush(NULL, ps, 0, false);
		i = 0;
	}
	i &= RL_UNPINS_PER_EVENT - 1;
	ps->ev.unpin.pfn[i] = pfn;
	ps->ev.unpin.npins[i] = n;
	ps->ev.unpin.count = i + 1;
}

#endif /* RL_PIN_SCOPE_BPF_H */
