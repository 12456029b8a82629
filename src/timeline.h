/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * timeline.h - `--trace-json F`: the run as a Chrome trace-event JSON file
 * that Perfetto UI (ui.perfetto.dev) and chrome://tracing open.  Each
 * ring, region, user mapping and pin set is one async slice (ph "b" ...
 * "e", its own id) in the process that made it; each finding an instant
 * event (ph "i") in the process it is attributed to; process names as
 * metadata.  Objects still alive at the end are closed there, with
 * "open_at_end": true, so that every slice closes.  Kernel addresses are
 * hashed like every other output (src/addr.h).  Plain C: fed events and
 * findings, it writes as it goes.
 */
#ifndef RL_TIMELINE_H
#define RL_TIMELINE_H

#include <stdio.h>
#include "addr.h"
#include "ledger.h"
#include "rl_events.h"

struct rl_timeline;

/* The objects a timeline draws, and what an event does to one: begins it
 * (with a name and the JSON members of its args), ends it, or neither.
 * The one place that says which events those are (the HTML report's
 * pictures draw the same). */
enum rl_obj { RL_OBJ_RING, RL_OBJ_REGION, RL_OBJ_MAPPING, RL_OBJ_PIN_SET, RL_OBJ__MAX };
enum { RL_EDGE_NONE, RL_EDGE_BEGIN, RL_EDGE_END };
struct rl_edge {
	enum rl_obj what;
	uint64_t key;			/* ctx, region, vma, pin set     */
	char name[48];
	char args[160];
};
int rl_timeline_edge(const struct rl_event *ev, const struct rl_addr *addr, struct rl_edge *e);

/* Writes the file's head to f (which stays the caller's). */
struct rl_timeline *rl_timeline_new(FILE *f, const struct rl_addr *addr);
void rl_timeline_event(struct rl_timeline *t, const struct rl_event *ev);
/* The ledger's findings as instant events, the open slices closed, the
 * file's tail; frees t. */
void rl_timeline_finish(struct rl_timeline *t, const struct rl_ledger *l);

#endif /* RL_TIMELINE_H */
