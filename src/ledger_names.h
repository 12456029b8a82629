/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ledger_names.h - names shared by the ledger and its output files, beyond
 * the public ones in ledger.h (implemented in src/findings.c).
 */
#ifndef RL_LEDGER_NAMES_H
#define RL_LEDGER_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include "rl_events.h"

#define RL_PAGE_SHIFT	12
#define RL_PAGE_SIZE	(1ULL << RL_PAGE_SHIFT)

/* "ringbuf_full", ...; NULL for RL_CNT__MAX + n (a program's recursion
 * misses), which callers print as a number. */
const char *rl_counter_name(uint32_t counter);
/* Inverse of rl_counter_name; -1 if unknown. */
int rl_counter_parse(const char *s, size_t len);
/* Inverse of rl_region_kind_name; -1 if unknown. */
int rl_region_kind_parse(const char *s, size_t len);
/* enum rl_pin_owner and enum rl_backing by name ("buffer", "shmem"), and
 * back (-1 if unknown). */
const char *rl_pin_owner_name(uint32_t owner);
int rl_pin_owner_parse(const char *s, size_t len);
const char *rl_backing_name(uint32_t backing);
int rl_backing_parse(const char *s, size_t len);
/* Inverse of rl_event_type_name; RL_EV_NONE if unknown. */
enum rl_event_type rl_event_type_parse(const char *s, size_t len);

/* The region an mmap offset (vm_pgoff << 12) names; *bgid is set for
 * RL_RK_PBUF.  RL_RK_UNKNOWN for offsets io_uring does not hand out. */
enum rl_region_kind rl_mmap_offset_kind(uint64_t offset, uint32_t *bgid);

/* "vmap|single_ref", "0" when no flag is set. */
void rl_region_flags_str(uint32_t flags, char *buf, size_t len);

/* Length (2..4) of the well-formed UTF-8 sequence at s[0, avail), or 0
 * when s[0] does not start one.  Output formats copy such sequences and
 * escape any other byte above ASCII as the Latin-1 character it would be. */
static inline size_t rl_utf8_len(const unsigned char *s, size_t avail)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

#endif /* RL_LEDGER_NAMES_H */
