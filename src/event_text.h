/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * event_text.h - the recorded event stream: one struct rl_event per line
 * (written by src/event_write.c, read by src/event_read.c).
 *
 * `ringledger record` writes it, `ringledger replay` and the unit tests read
 * it.  The format is documented in doc/event-stream.md; it is versioned by
 * its first line ("ringledger-events v1").
 */
#ifndef RL_EVENT_TEXT_H
#define RL_EVENT_TEXT_H

#include <stdio.h>
#include "rl_events.h"

#define RL_STREAM_MAGIC "ringledger-events"
/* v2 (this writer): v1's lines plus keys and types v1 had not
 * (region_create's setup_ctx, proc_exec's exec, vma_free, ctx_kill).  Readers take v1 and v2: a v1 line is a
 * v2 line whose new keys are 0. */
#define RL_STREAM_VERSION 2
#define RL_STREAM_VERSION_MIN 1

struct rl_stream_reader;

struct rl_addr;

/* Write the header line once, then one line per event. 0 or -errno.
 * These write every value as it is (replays, tests). */
int rl_stream_write_header(FILE *f);
int rl_stream_write_event(FILE *f, const struct rl_event *ev);
/* `record`: the same, with the kernel pointers (KPTR fields) hashed with
 * the run's key a (src/addr.h; NULL or raw: as they are) and, when hashed,
 * a comment after the header line that says so.  pfns stay raw: the
 * ledger computes with them; pointers are opaque keys to it, so a replay
 * of a hashed stream judges exactly as one of the raw stream. */
int rl_stream_write_header_addr(FILE *f, const struct rl_addr *a);
int rl_stream_write_event_addr(FILE *f, const struct rl_event *ev, const struct rl_addr *a);
/* Closing line: lets replay tell a complete stream from a truncated one. */
int rl_stream_write_trailer(FILE *f, unsigned long long nr_events);

enum rl_read_status {
	RL_READ_EVENT = 0,	/* *ev filled                                  */
	RL_READ_END,		/* trailer seen, stream complete               */
	RL_READ_TRUNCATED,	/* EOF without trailer: inconclusive           */
	RL_READ_ERROR,		/* malformed: rl_stream_error() says where/why */
};

struct rl_stream_reader *rl_stream_open(FILE *f);
enum rl_read_status rl_stream_next(struct rl_stream_reader *r, struct rl_event *ev);
/* "line 12: unknown event type 'foo'" */
const char *rl_stream_error(const struct rl_stream_reader *r);
unsigned long rl_stream_line(const struct rl_stream_reader *r);
void rl_stream_close(struct rl_stream_reader *r);

#endif /* RL_EVENT_TEXT_H */
