/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * event_fields.h - the fields of struct rl_event, by name, per event type
 * (private; implemented in src/event_text.c).
 *
 * One table drives the recorded stream (writer and reader) and the JSON
 * trace lines, so a field added to rl_events.h is added here once and
 * every format follows.
 */
#ifndef RL_EVENT_FIELDS_H
#define RL_EVENT_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "rl_events.h"

enum rl_field_fmt {
	RL_FF_DEC,	/* unsigned, written in decimal                     */
	RL_FF_HEX,	/* unsigned, written 0x-hex (addresses, flags, pfns) */
	RL_FF_SDEC,	/* signed, written in decimal                       */
	RL_FF_SHEX,	/* signed: -errno in decimal, else an 0x-hex address */
	RL_FF_KIND,	/* enum rl_region_kind, written by name             */
	RL_FF_COUNTER,	/* enum rl_counter, by name (number past the names) */
	RL_FF_COMM,	/* char[RL_COMM_LEN], escaped                       */
	RL_FF_OWNER,	/* enum rl_pin_owner, by name                       */
	RL_FF_BACKING,	/* enum rl_backing, by name                         */
};

struct rl_field {
	const char *name;
	uint8_t name_len;
	uint8_t fmt;		/* enum rl_field_fmt                          */
	uint8_t size;		/* bytes of one element: 1 (comm), 4 or 8      */
	uint8_t max_elems;	/* 0: scalar; else an array of up to this many */
	uint16_t offset;	/* offsetof(struct rl_event, ...)             */
	uint16_t len_offset;	/* arrays: the u32 that holds the element count */
	uint8_t count_key;	/* arrays: index in the payload table of the key
				 * that sets that count, RL_NO_COUNT_KEY if none */
};

#define RL_NO_COUNT_KEY 0xff

/* The header fields every event has (ts, pid, tid, cpu, seq, comm). */
const struct rl_field *rl_header_fields(size_t *nr);
/* The payload fields of one event type (empty for unknown types). */
const struct rl_field *rl_payload_fields(uint32_t type, size_t *nr);
/* The kernel stack, an array every event may carry. */
const struct rl_field *rl_stack_field(void);

/* Element i of a field, widened (signed fields sign-extended). */
uint64_t rl_field_get(const struct rl_event *ev, const struct rl_field *f, unsigned i);
/* Elements an array field holds in ev (clamped to max_elems); 1 for scalars. */
unsigned rl_field_count(const struct rl_event *ev, const struct rl_field *f);
/* The name a value of a named field (kind, counter, owner, backing) is
 * written as; NULL for other fields and for values past the names. */
const char *rl_field_value_name(const struct rl_field *f, uint64_t v);

#endif /* RL_EVENT_FIELDS_H */
