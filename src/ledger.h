/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ledger.h - the page-reference ledger: events in, state and findings out.
 *
 * Plain C, no libbpf, no kernel: fed by the BPF ring buffer in `trace` and
 * `check`, and by a recorded file in `replay` and in the unit tests.
 * All state lives in struct rl_ledger; there is no global mutable state.
 */
#ifndef RL_LEDGER_H
#define RL_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rl_events.h"
#include "rl_findings.h"

struct rl_ledger;

/* One finding, with the evidence a reader needs to act on it. */
struct rl_finding {
	enum rl_finding_id id;
	uint64_t ts_ns;			/* of the event that broke the rule   */
	uint32_t pid, tid;		/* ... and who ran it (maybe a kworker
					 * or an interrupted task)           */
	char comm[RL_COMM_LEN];
	/* The process the finding is attributed to: the one that made the
	 * object it is about (created the ring or region, mapped the vma,
	 * pinned the buffer) and the command it ran then.  owner_pid 0: not
	 * attributable (events lost, a hook missing). */
	uint32_t owner_pid;
	char owner_comm[RL_COMM_LEN];
	char owner_cmd[RL_EXEC_NAME_LEN];	/* the file it exec'd; "" when
						 * no exec of it was seen    */
	uint64_t owner_ts_ns;		/* when it made that object           */
	uint64_t ctx;
	uint64_t region;		/* pages[] key, 0 if none             */
	uint32_t region_kind;		/* enum rl_region_kind                */
	uint32_t bgid;
	uint64_t vma, vma_start, vma_end, vma_pgoff;
	uint64_t pfn;			/* first offending pfn, or 0          */
	uint32_t nr_pfns;		/* how many pfns (pins: folios) the
					 * finding covers                    */
	uint64_t pin_set;		/* pins: the pin set, 0 if none       */
	uint32_t pin_owner;		/* enum rl_pin_owner of that set      */
	uint32_t pin_owner_id;		/* fixed buffer index, or bgid        */
	int64_t refcount_seen;		/* -1 when not applicable             */
	int64_t refcount_expected;	/* -1 when not applicable             */
	char detail[256];		/* the evidence, one line             */
	uint32_t nr_stack;		/* stack of the breaking event        */
	uint64_t stack[RL_STACK_DEPTH];
	uint32_t nr_setup_stack;	/* stack of the event that set it up  */
	uint64_t setup_stack[RL_STACK_DEPTH];
};

struct rl_ledger_opts {
	/* called for every finding as soon as it is made (may be NULL) */
	void (*on_finding)(const struct rl_finding *f, void *cookie);
	void *cookie;
};

/* Counts of live and total objects, for `stat` and the report footer. */
struct rl_ledger_stats {
	uint64_t events;
	uint64_t ctx_created, ctx_dead;
	uint64_t regions_created, regions_freed;
	uint64_t mmaps, vmas_removed;
	uint64_t vmas_split;		/* VMA_SPLITs of tracked vmas      */
	uint64_t pages_tracked, pages_freed;
	uint64_t pin_sets;		/* io_pin_pages calls seen         */
	uint64_t pins_taken, pins_dropped;	/* page pins, by folio      */
	uint64_t lost_events;		/* sum over RL_EV_LOST             */
	uint64_t findings[RL_F__MAX];
};

struct rl_ledger *rl_ledger_new(const struct rl_ledger_opts *opts);
void rl_ledger_free(struct rl_ledger *l);

/* Feed one event; events must come in ts order per object. */
void rl_ledger_feed(struct rl_ledger *l, const struct rl_event *ev);

/* Number of ring contexts created and not yet dead (for check's wait). */
size_t rl_ledger_live_ctxs(const struct rl_ledger *l);

/* Why a ring context is alive at the end, from what the ledger saw. */
enum rl_ring_state {
	RL_RING_PENDING_EXIT,	/* killed (CTX_KILL): in io_ring_exit_work    */
	RL_RING_HELD,		/* its creator, or a child forked from it
				 * since, is still running                   */
	RL_RING_MAYBE_HELD,	/* another process we follow is running (a
				 * ring fd can be passed over a socket)      */
	RL_RING_MISSED,		/* no kill seen, no process of ours running:
				 * its end (kill or death) was lost to us    */
};

struct rl_live_ring {
	uint64_t ctx;
	enum rl_ring_state state;
	uint64_t born_ts_ns;
	uint64_t killed_ts_ns;		/* PENDING_EXIT                        */
	uint32_t creator_pid;
	char creator_comm[RL_COMM_LEN];
	char creator_cmd[RL_EXEC_NAME_LEN];
	uint32_t holder_pid;		/* HELD, MAYBE_HELD; else 0            */
	char holder_comm[RL_COMM_LEN];
	char holder_cmd[RL_EXEC_NAME_LEN];
};

/* Why lr is alive, as one sentence (RL010's evidence; its ctx is written
 * raw, as in every finding's detail). */
void rl_live_ring_why(const struct rl_live_ring *lr, char *buf, size_t len);
/* "pending-exit", "held", "maybe-held", "missed" */
const char *rl_ring_state_name(enum rl_ring_state s);
/* The ring contexts created and not dead, up to max of them into out (may
 * be NULL); returns how many there are. */
size_t rl_ledger_live_rings(const struct rl_ledger *l, struct rl_live_ring *out, size_t max);

/* End of observation: judge what is still alive (RL002 samplings left
 * open, RL004 pins of buffers shared between rings that all died).
 * `ctx_wait_timed_out` says that some ctx never died within check's wait:
 * those are reported as inconclusive (RL010), not as leaks. */
void rl_ledger_finish(struct rl_ledger *l, bool ctx_wait_timed_out);

/* A verdict cannot be reached for a reason outside the event stream (a
 * hook that is absent or failed to attach): one RL010 finding saying why. */
void rl_ledger_note_inconclusive(struct rl_ledger *l, const char *why);

/* Pages io_uring and every mapping have let go of (region freed or leaked,
 * no live mapping) whose free was never seen.  After the settle wait this is
 * what a missed page-free event could have hidden. */
size_t rl_ledger_pages_awaiting_free(const struct rl_ledger *l);

size_t rl_ledger_nr_findings(const struct rl_ledger *l);
const struct rl_finding *rl_ledger_finding(const struct rl_ledger *l, size_t i);
void rl_ledger_get_stats(const struct rl_ledger *l, struct rl_ledger_stats *st);

#endif /* RL_LEDGER_H */
