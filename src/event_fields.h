/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * event_fields.h - the fields of struct rl_event, by name, per event type
 * (private; made in src/event_fields.c from RL_EVENT_TYPES of
 * include/rl_events.h).
 *
 * The recorded stream (src/event_write.c, src/event_read.c) and the JSON
 * trace lines (src/report_json.c) walk this table; the human line
 * (src/report_text.c) walks the TEXT lists of the same RL_EVENT_TYPES.  A
 * field added to rl_events.h is added to its type's list once and every
 * format follows.
 */
#ifndef RL_EVENT_FIELDS_H
#define RL_EVENT_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include "rl_events.h"

enum rl_field_fmt {
	RL_FF_DEC,	/* unsigned, written in decimal                     */
	RL_FF_HEX,	/* unsigned, written 0x-hex (user addresses, offsets,
			 * flags, lengths)                                   */
	RL_FF_SDEC,	/* signed, written in decimal                       */
	RL_FF_SHEX,	/* signed: -errno in decimal, else an 0x-hex address */
	RL_FF_KIND,	/* enum rl_region_kind, written by name             */
	RL_FF_COUNTER,	/* enum rl_counter, by name (number past the names) */
	RL_FF_COMM,	/* a string: char[size], NUL-padded, escaped (comm,
			 * exec name)                                      */
	RL_FF_OWNER,	/* enum rl_pin_owner, by name                       */
	RL_FF_BACKING,	/* enum rl_backing, by name                         */
	RL_FF_KPTR,	/* a kernel pointer: like HEX when raw; hashed in
			 * every output and in the recorded stream (src/addr.h) */
	RL_FF_PFN,	/* a page frame number: like HEX when raw; hashed in
			 * every output, raw in the stream (the ledger computes
			 * with pfns: a free of order n covers 2^n of them)   */
};

struct rl_field {
	const char *name;
	uint8_t name_len;
	uint8_t fmt;		/* enum rl_field_fmt                          */
	uint8_t size;		/* bytes of one element: 4 or 8 (strings: the
				 * char array's length)                      */
	uint8_t max_elems;	/* 0: scalar; else an array of up to this many */
	uint16_t offset;	/* offsetof(struct rl_event, ...)             */
	uint16_t len_offset;	/* arrays: the u32 that holds the element count;
				 * when a field of the same event sits there
				 * (`count`), that field is its key          */
};

/* Fields one stream line may name at most: header, widest payload, stack
 * (counted from the lists, so a wider type raises it). */
#define RL_ONE_FIELD_(...) + 1
#define RL_NR_FIELDS_(TYPE, name, payload, FIELDS, TEXT) \
	char name[0 FIELDS(RL_ONE_FIELD_, RL_ONE_FIELD_)];
union rl_widest_payload_ { RL_EVENT_TYPES(RL_NR_FIELDS_) };
#define RL_NR_HEADER_FIELDS (0 RL_FIELDS_HEADER(RL_ONE_FIELD_, RL_ONE_FIELD_))
#define RL_MAX_LINE_FIELDS \
	(RL_NR_HEADER_FIELDS + sizeof(union rl_widest_payload_) + 1)

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
/* Inverse of rl_field_value_name: the value a name stands for in field f;
 * -1 if it names none (or f is not a named field). */
int rl_field_value_parse(const struct rl_field *f, const char *s, size_t len);
/* Whether f holds kernel addresses (KPTR or PFN): printed through
 * rl_addr_str() (src/addr.h) in every output. */
static inline int rl_field_is_kaddr(const struct rl_field *f)
{
	return f->fmt == RL_FF_KPTR || f->fmt == RL_FF_PFN;
}
/* The format of the field of event type `type` that sits at `offset` of
 * struct rl_event (payload or stack); RL_FF_HEX when none starts there.
 * The human line (src/report_text.c) asks it which values to hash. */
enum rl_field_fmt rl_field_fmt_at(uint32_t type, size_t offset);
/* Whether f is written by name (kind, counter, owner, backing). */
static inline int rl_field_is_named(const struct rl_field *f)
{
	return f->fmt == RL_FF_KIND || f->fmt == RL_FF_COUNTER || f->fmt == RL_FF_OWNER ||
	       f->fmt == RL_FF_BACKING;
}

#endif /* RL_EVENT_FIELDS_H */
