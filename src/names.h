/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * names.h - the names of the event stream's enumerations (src/names.c):
 * event types (from RL_EVENT_TYPES), region kinds, counters, pin owners,
 * backings, region flags, and the region an mmap offset names.  The numbers
 * live in include/rl_events.h; this module is the only place that gives
 * them words, and it depends on nothing but that header.
 */
#ifndef RL_NAMES_H
#define RL_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include "rl_events.h"

#define RL_PAGE_SHIFT	12		/* pgoff fields count pages of this size */
#define RL_PAGE_SIZE	(1ULL << RL_PAGE_SHIFT)

/* "region_create", ...; "unknown" for numbers past the types. */
const char *rl_event_type_name(enum rl_event_type t);
/* Inverse of rl_event_type_name; RL_EV_NONE if unknown. */
enum rl_event_type rl_event_type_parse(const char *s, size_t len);

/* "rings", ...; "unknown" for numbers past the kinds. */
const char *rl_region_kind_name(enum rl_region_kind k);
/* Inverse of rl_region_kind_name; -1 if unknown. */
int rl_region_kind_parse(const char *s, size_t len);

/* "ringbuf_full", ..., "recursion_miss", "bad_record" (enum rl_counter,
 * then enum rl_loss); NULL past them, which callers print as a number. */
const char *rl_counter_name(uint32_t counter);
/* Inverse of rl_counter_name; -1 if unknown. */
int rl_counter_parse(const char *s, size_t len);

/* enum rl_pin_owner and enum rl_backing by name ("buffer", "shmem"; past
 * the names "unknown"), and back (-1 if unknown). */
const char *rl_pin_owner_name(uint32_t owner);
int rl_pin_owner_parse(const char *s, size_t len);
const char *rl_backing_name(uint32_t backing);
int rl_backing_parse(const char *s, size_t len);

/* The region an mmap offset (vm_pgoff << 12) names; *bgid is set for
 * RL_RK_PBUF.  RL_RK_UNKNOWN for offsets io_uring does not hand out. */
enum rl_region_kind rl_mmap_offset_kind(uint64_t offset, uint32_t *bgid);

/* RL_REGION_F_* as "vmap|single_ref", "0" when no flag is set. */
void rl_region_flags_str(uint32_t flags, char *buf, size_t len);
/* A duration for people: "812 ns", "3.2 us", "41.7 ms", "2.05 s". */
void rl_duration_str(uint64_t ns, char *buf, size_t len);

#endif /* RL_NAMES_H */
