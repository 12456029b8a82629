/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rl_stat.h - what `ringledger stat` keeps inside the kernel: per-process
 * gauges of ring memory and log2 histograms of lifetimes, sizes and
 * costs.  In stat mode (the `stat_mode` rodata) no event crosses to user
 * space: each one the BPF side would send is folded into these maps
 * (bpf/stat.bpf.h), and user space reads them each interval (src/stat.c).
 *
 * Included by bpf/ and src/; RL_STAT_HISTS is the one description of each
 * histogram: the enum, its name, its unit and its help text follow from it.
 */
#ifndef RL_STAT_H
#define RL_STAT_H

#include "rl_events.h"

#define RL_STAT_SLOTS		64	/* log2 slots (a power of two: the BPF
					 * side masks the index with it) */
#define RL_STAT_MAX_PROCS	4096
#define RL_STAT_MAX_OBJECTS	65536	/* objects alive at once, each kind  */
#define RL_STAT_NEST		4	/* events built at once on a CPU     */
/* room for every enum rl_region_kind, a power of two: the BPF side indexes
 * with kind & (RL_STAT_KINDS - 1), a bound the verifier sees */
#define RL_STAT_KINDS		8
_Static_assert(RL_RK__MAX <= RL_STAT_KINDS, "RL_STAT_KINDS holds every region kind");

/* X(ENUM, name, unit, help): unit "ns" (a duration) or "pages" (a count) */
#define RL_STAT_HISTS(X)							\
	X(RING_LIFE,	"ring_lifetime",	"ns",	"ring context lifetime, io_uring_setup to its free") \
	X(REGION_LIFE,	"region_lifetime",	"ns",	"region lifetime, io_create_region to io_free_region") \
	X(MAP_LIFE,	"mapping_lifetime",	"ns",	"lifetime of a mapping of ring memory, mmap to its VMA's removal") \
	X(PIN_LIFE,	"pin_duration",		"ns",	"pin set lifetime, io_pin_pages to the unpin of its last page") \
	X(PIN_PAGES,	"pages_per_pin",	"pages", "pages of one pin set (io_pin_pages call)") \
	X(REGION_PAGES,	"pages_per_region",	"pages", "pages of one region") \
	X(REGISTER_NS,	"register_call",	"ns",	"time in one io_uring_register call on a ring") \
	X(BUF_REG_NS,	"buffer_register",	"ns",	"time to register one fixed buffer (io_sqe_buffer_register: its pin path)")

#define RL_STAT_HIST_ENUM_(E, name, unit, help) RL_SH_##E,
enum rl_stat_hist {
	RL_STAT_HISTS(RL_STAT_HIST_ENUM_)
	RL_SH__MAX,
};
#undef RL_STAT_HIST_ENUM_

struct rl_stat_hist_val {
	__u64 slot[RL_STAT_SLOTS];	/* slot i: values in [2^(i-1), 2^i); slot 0: 0 */
	__u64 count;
	__u64 sum;
};

/* Per process (tgid of the creator): gauges of what is alive now, and
 * counts of what was made since stat started. */
struct rl_stat_proc {
	char comm[RL_COMM_LEN];		/* at its first object             */
	__s64 rings;
	__s64 regions[RL_STAT_KINDS];	/* by enum rl_region_kind          */
	__s64 region_pages;		/* pages of its live regions       */
	__s64 mapped_pages;		/* pages of its live ring mappings */
	__s64 mappings;
	__s64 pin_sets;
	__s64 pinned_pages;		/* pages of its live pin sets      */
	__u64 rings_made;
	__u64 regions_made;
	__u64 mappings_made;
	__u64 pin_sets_made;
	__u64 pages_pinned_total;
};

/* An object alive, by what it is and its kernel key: who made it, when,
 * and how many pages it holds (so its end takes off what its birth put on). */
enum rl_stat_obj {
	RL_SO_RING = 1,
	RL_SO_REGION,
	RL_SO_MAPPING,
	RL_SO_PIN_SET,
};

struct rl_stat_key {
	__u64 key;			/* ctx, region, vma, pin set        */
	__u32 what;			/* enum rl_stat_obj                 */
	__u32 pad;
};

struct rl_stat_birth {
	__u64 ts_ns;
	__u64 pages;
	__u32 tgid;
	__u32 id;			/* a region's kind                  */
};

/* The log2 slot of v: 0 for 0, else 1 + floor(log2 v), the last slot for
 * the rest, so slot i holds [2^(i-1), 2^i): the buckets libbpf-tools
 * print.  The BPF side fills them, user space names their bounds. */
#ifdef __bpf__
#define RL_STAT_INLINE static __always_inline
#else
#define RL_STAT_INLINE static inline
#endif
RL_STAT_INLINE __u32 rl_stat_slot_of(__u64 v)
{
	__u32 r = 0, s;

	if (!v)
		return 0;
	s = (v > 0xffffffffULL) << 5; v >>= s; r |= s;
	s = (v > 0xffff) << 4; v >>= s; r |= s;
	s = (v > 0xff) << 3; v >>= s; r |= s;
	s = (v > 0xf) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (__u32)(v >> 1);
	r += 1;
	return r < RL_STAT_SLOTS ? r : RL_STAT_SLOTS - 1;
}

/* BPF side only: where an event is built in stat mode (stat.bpf.h). */
struct rl_stat_slot {
	struct rl_event ev;		/* first: the event is the slot     */
	__u64 bit;			/* its bit in the CPU's busy mask   */
};

#endif /* RL_STAT_H */
