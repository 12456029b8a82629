// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * names.c - the names of the event stream's enumerations (names.h).  Event
 * type names come from RL_EVENT_TYPES; the other enumerations have a table
 * each, next to its parser.
 */
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "names.h"

#define EVENT_NAME(TYPE, name, payload, FIELDS, TEXT) [RL_EV_##TYPE] = #name,
static const char *const event_names[RL_EV__MAX] = {
	[RL_EV_NONE] = "none",
	RL_EVENT_TYPES(EVENT_NAME)
};

/* name == s[0, len); cheap on a mismatch (the stream reader's hot path) */
static bool name_is(const char *name, const char *s, size_t len)
{
	return name && len && name[0] == s[0] && !strncmp(name, s, len) && !name[len];
}

/* The index of the name s[0, len) in names[0, nr), or -1. */
static int name_parse(const char *const *names, int nr, const char *s, size_t len)
{
	int i;

	for (i = 0; i < nr; i++) {
		if (name_is(names[i], s, len))
			return i;
	}
	return -1;
}

const char *rl_event_type_name(enum rl_event_type t)
{
	if ((int)t < 0 || t >= RL_EV__MAX || !event_names[t])
		return "unknown";
	return event_names[t];
}

enum rl_event_type rl_event_type_parse(const char *s, size_t len)
{
	int t;

	for (t = RL_EV_NONE + 1; t < RL_EV__MAX; t++) {
		if (name_is(event_names[t], s, len))
			return t;
	}
	return RL_EV_NONE;
}

static const char *const kind_names[RL_RK__MAX] = {
	[RL_RK_UNKNOWN] = "unknown",
	[RL_RK_RINGS] = "rings",
	[RL_RK_SQES] = "sqes",
	[RL_RK_PBUF] = "pbuf",
	[RL_RK_PARAM] = "param",
	[RL_RK_ZCRX] = "zcrx",
};

const char *rl_region_kind_name(enum rl_region_kind k)
{
	if ((int)k < 0 || k >= RL_RK__MAX)
		return "unknown";
	return kind_names[k];
}

int rl_region_kind_parse(const char *s, size_t len)
{
	return name_parse(kind_names, RL_RK__MAX, s, len);
}

static const char *const counter_names[RL_LOST__MAX] = {
	[RL_CNT_RINGBUF_FULL] = "ringbuf_full",
	[RL_CNT_TRACK_MAP_FULL] = "track_map_full",
	[RL_CNT_PFN_MAP_FULL] = "pfn_map_full",
	[RL_CNT_REGION_TRUNCATED] = "region_truncated",
	[RL_CNT_READ_FAIL] = "read_fail",
	[RL_CNT_STACK_FAIL] = "stack_fail",
	[RL_CNT_ENTRY_MISSING] = "entry_missing",
	[RL_CNT_PIN_TRUNCATED] = "pin_truncated",
	[RL_LOST_RECURSION] = "recursion_miss",
	[RL_LOST_BAD_RECORD] = "bad_record",
};

const char *rl_counter_name(uint32_t counter)
{
	return counter < RL_LOST__MAX ? counter_names[counter] : NULL;
}

int rl_counter_parse(const char *s, size_t len)
{
	return name_parse(counter_names, RL_LOST__MAX, s, len);
}

static const char *const owner_names[RL_PO__MAX] = {
	[RL_PO_UNKNOWN] = "unknown",
	[RL_PO_BUFFER] = "buffer",
	[RL_PO_PBUF] = "pbuf",
	[RL_PO_REGION] = "region",
	[RL_PO_RINGS] = "rings",
};

const char *rl_pin_owner_name(uint32_t owner)
{
	return owner < RL_PO__MAX ? owner_names[owner] : "unknown";
}

int rl_pin_owner_parse(const char *s, size_t len)
{
	return name_parse(owner_names, RL_PO__MAX, s, len);
}

static const char *const backing_names[RL_BK__MAX] = {
	[RL_BK_UNKNOWN] = "unknown",
	[RL_BK_ANON] = "anon",
	[RL_BK_SHMEM] = "shmem",
	[RL_BK_HUGETLB] = "hugetlb",
	[RL_BK_FILE] = "file",
	[RL_BK_NONE] = "none",
};

const char *rl_backing_name(uint32_t backing)
{
	return backing < RL_BK__MAX ? backing_names[backing] : "unknown";
}

int rl_backing_parse(const char *s, size_t len)
{
	return name_parse(backing_names, RL_BK__MAX, s, len);
}

enum rl_region_kind rl_mmap_offset_kind(uint64_t offset, uint32_t *bgid)
{
	switch (offset & RL_OFF_MMAP_MASK) {
	case RL_OFF_SQ_RING:
	case RL_OFF_CQ_RING:
		return RL_RK_RINGS;
	case RL_OFF_SQES:
		return RL_RK_SQES;
	case RL_OFF_PARAM_REGION:
		return RL_RK_PARAM;
	case RL_OFF_ZCRX_REGION:
		return RL_RK_ZCRX;
	case RL_OFF_PBUF_RING:
		if (bgid)
			*bgid = (uint32_t)((offset & ~RL_OFF_MMAP_MASK) >> RL_OFF_PBUF_SHIFT);
		return RL_RK_PBUF;
	default:
		return RL_RK_UNKNOWN;
	}
}

void rl_region_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ RL_REGION_F_VMAP, "vmap" },
		{ RL_REGION_F_USER_PROVIDED, "user_provided" },
		{ RL_REGION_F_SINGLE_REF, "single_ref" },
	};
	size_t used = 0, i;
	uint32_t rest = flags;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(flags & bits[i].bit))
			continue;
		rest &= ~bits[i].bit;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 used ? "|" : "", bits[i].name);
	}
	if (rest)
		used += snprintf(buf + used, used < len ? len - used : 0, "%s0x%x",
				 used ? "|" : "", rest);
	if (!used)
		snprintf(buf, len, "0");
}

void rl_duration_str(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
}
