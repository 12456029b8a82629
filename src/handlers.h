/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * handlers.h - one handler per event type, and retirement (private to the
 * ledger).  A handler changes the books (ledger_int.h) and asks the rules
 * (rules.h) what the change means; what follows from a rule's verdict is
 * done here.  ledger.c dispatches each event to its handler.
 *
 *   handlers_ring.c   contexts, regions and their pages, losses, the end
 *   handlers_vma.c    unmapped areas, mmaps, vmas, BPF arena areas
 *   handlers_pin.c    GUP pins, provided-buffer rings
 *   handlers_proc.c   followed processes (attribution)
 */
#ifndef RL_HANDLERS_H
#define RL_HANDLERS_H

#include "rules.h"

typedef void rl_handler(struct rl_ledger *l, const struct rl_event *ev);

/* handlers_ring.c */
rl_handler on_ctx_create, on_ctx_kill, on_ctx_dead, on_region_create, on_region_pages,
	   on_region_free, on_page_free, on_lost;
/* Retire region slot (RL_NIL: none) if nothing can refer to it any more,
 * after reporting what its samplings found. */
void retire_region_if_done(struct rl_ledger *l, uint32_t slot);
/* End of observation: what is still alive (see rl_ledger_finish). */
void on_finish(struct rl_ledger *l, bool ctx_wait_timed_out);

/* handlers_vma.c */
rl_handler on_mmap_area, on_mmap, on_insert_pages, on_vma_dup, on_vma_split,
	   on_vma_zap, on_vma_remove, on_vma_free, on_arena_area;

/* handlers_pin.c */
rl_handler on_pin, on_unpin, on_pbuf_reg, on_pbuf_unreg, on_bufring_pin,
	   on_bufring_unpin;
/* handlers_proc.c */
rl_handler on_proc_fork, on_proc_exec, on_proc_exit;

/* The ring of CTX_DEAD ev died: judge the pin sets it answers for. */
void pins_at_ctx_death(struct rl_ledger *l, const struct rl_event *ev);
/* Every ring died: judge the pin sets still pinned. */
void pins_at_end(struct rl_ledger *l);

#endif /* RL_HANDLERS_H */
