// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * event_fields.c - the field table of event_fields.h, made from
 * RL_EVENT_TYPES (include/rl_events.h): one array of fields per event type,
 * the header's and the stack's, and the accessors every format uses.
 */
#include <stdbool.h>
#include <string.h>
#include "event_fields.h"
#include "names.h"

#define MEMBER_SIZE(m)	sizeof(((struct rl_event *)0)->m)
#define ELEMS(m)	(MEMBER_SIZE(m) / MEMBER_SIZE(m[0]))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* S and A rows of the lists, as struct rl_field */
#define FIELD_S(key, m, fmt) \
	{ #key, sizeof(#key) - 1, RL_FF_##fmt, MEMBER_SIZE(m), 0, \
	  offsetof(struct rl_event, m), 0 },
#define FIELD_A(key, m, fmt, count) \
	{ #key, sizeof(#key) - 1, RL_FF_##fmt, MEMBER_SIZE(m[0]), ELEMS(m), \
	  offsetof(struct rl_event, m), offsetof(struct rl_event, count) },

static const struct rl_field header_fields[] = { RL_FIELDS_HEADER(FIELD_S, FIELD_A) };
static const struct rl_field stack_fields[] = { RL_FIELDS_STACK(FIELD_S, FIELD_A) };

/* <name>_fields[], one per event type */
#define TYPE_FIELDS(TYPE, name, payload, FIELDS, TEXT) \
	static const struct rl_field name##_fields[] = { FIELDS(FIELD_S, FIELD_A) };
RL_EVENT_TYPES(TYPE_FIELDS)

#define TYPE_TABLE(TYPE, name, payload, FIELDS, TEXT) \
	[RL_EV_##TYPE] = { name##_fields, ARRAY_SIZE(name##_fields) },
static const struct {
	const struct rl_field *fields;
	size_t nr;
} payloads[RL_EV__MAX] = { RL_EVENT_TYPES(TYPE_TABLE) };

_Static_assert(ARRAY_SIZE(header_fields) == RL_NR_HEADER_FIELDS, "header fields counted");
_Static_assert(RL_MAX_LINE_FIELDS <= 32, "the reader keeps a 32-bit mask of the fields seen");

const struct rl_field *rl_header_fields(size_t *nr)
{
	*nr = ARRAY_SIZE(header_fields);
	return header_fields;
}

const struct rl_field *rl_payload_fields(uint32_t type, size_t *nr)
{
	if (type >= RL_EV__MAX) {
		*nr = 0;
		return NULL;
	}
	*nr = payloads[type].nr;
	return payloads[type].fields;
}

const struct rl_field *rl_stack_field(void)
{
	return &stack_fields[0];
}

uint64_t rl_field_get(const struct rl_event *ev, const struct rl_field *f, unsigned i)
{
	const unsigned char *p = (const unsigned char *)ev + f->offset + (size_t)i * f->size;
	bool is_signed = f->fmt == RL_FF_SDEC || f->fmt == RL_FF_SHEX;

	if (f->size == 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	if (f->size == 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		return is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
	}
	return 0;
}

unsigned rl_field_count(const struct rl_event *ev, const struct rl_field *f)
{
	uint32_t n;

	if (!f->max_elems)
		return 1;
	memcpy(&n, (const unsigned char *)ev + f->len_offset, sizeof(n));
	return n < f->max_elems ? n : f->max_elems;
}

const char *rl_field_value_name(const struct rl_field *f, uint64_t v)
{
	switch (f->fmt) {
	case RL_FF_KIND:
		return v < RL_RK__MAX ? rl_region_kind_name((enum rl_region_kind)v) : NULL;
	case RL_FF_COUNTER:
		return v < RL_LOST__MAX ? rl_counter_name((uint32_t)v) : NULL;
	case RL_FF_OWNER:
		return v < RL_PO__MAX ? rl_pin_owner_name((uint32_t)v) : NULL;
	case RL_FF_BACKING:
		return v < RL_BK__MAX ? rl_backing_name((uint32_t)v) : NULL;
	default:
		return NULL;
	}
}

int rl_field_value_parse(const struct rl_field *f, const char *s, size_t len)
{
	switch (f->fmt) {
	case RL_FF_KIND:
		return rl_region_kind_parse(s, len);
	case RL_FF_COUNTER:
		return rl_counter_parse(s, len);
	case RL_FF_OWNER:
		return rl_pin_owner_parse(s, len);
	case RL_FF_BACKING:
		return rl_backing_parse(s, len);
	default:
		return -1;
	}
}

enum rl_field_fmt rl_field_fmt_at(uint32_t type, size_t offset)
{
	const struct rl_field *fields;
	size_t i, nr;

	if (offset == stack_fields[0].offset)
		return (enum rl_field_fmt)stack_fields[0].fmt;
	fields = rl_payload_fields(type, &nr);
	for (i = 0; i < nr; i++)
		if (fields[i].offset == offset)
			return (enum rl_field_fmt)fields[i].fmt;
	return RL_FF_HEX;
}
