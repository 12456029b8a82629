// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * findings.c - what each finding id means, and the names of the event
 * stream's enumerations.  The numbers live in include/rl_findings.h and
 * include/rl_events.h; this file is the only place that gives them words.
 */
#include <stdio.h>
#include <string.h>
#include "ledger.h"
#include "ledger_names.h"

struct finding_info {
	const char *name;
	const char *title;
	enum rl_finding_class class;
	const char *explain;
};

static const struct finding_info findings[RL_F__MAX] = {
	[RL_F_NONE] = { "RL000", "no finding", RL_CLASS_VIOLATION, "" },
	[RL001] = { "RL001", "page freed while mapped", RL_CLASS_VIOLATION,
		"io_uring dropped its page references (io_free_region -> "
		"release_pages) while a user mapping still pointed at the pages, "
		"so user space can write into memory the allocator hands out "
		"again; look at how io_uring_mmap took references "
		"(vm_insert_pages) for this mapping - seed 000's NOMMU bug." },
	[RL002] = { "RL002", "page refcount below expected", RL_CLASS_VIOLATION,
		"a page of a ring region held fewer references than io_uring's "
		"own plus one per live user mapping, so some holder is missing "
		"its reference and the page can be freed under it; look at "
		"io_uring_mmap / vm_insert_pages (one reference per mapped "
		"page) and at who dropped a reference early (put_page, "
		"release_pages)." },
	[RL003] = { "RL003", "region leaked at ring context death", RL_CLASS_LEAK,
		"the ring context was freed but this region was never passed to "
		"io_free_region, so its pages stay allocated for good; look at "
		"the teardown path of the region's kind (io_ring_ctx_free, "
		"io_destroy_buffers / io_put_bl for buffer rings, "
		"io_unregister_zcrx_ifqs)." },
	[RL004] = { "RL004", "GUP pins outlive their owner", RL_CLASS_LEAK,
		"pages pinned with pin_user_pages were still pinned after the "
		"ring context, buffer table or process owning the pins was gone; "
		"look at io_sqe_buffers_unregister / io_release_ubuf and "
		"unpin_user_pages." },
	[RL005] = { "RL005", "buffer ring unregistered while kernel-pinned",
		RL_CLASS_VIOLATION,
		"a provided-buffer ring was unregistered while a kernel user "
		"held it pinned, so that user keeps a pointer to freed memory; "
		"look at io_unregister_pbuf_ring and the pin check of seed 001 "
		"(io_uring_cmd_buf_ring_pin must make it fail with -EBUSY)." },
	[RL006] = { "RL006", "mapping does not match its region", RL_CLASS_VIOLATION,
		"a user mapping of the ring file is larger than the region its "
		"offset names, maps another region's pages, or names no region "
		"at all, so user space can reach memory io_uring does not "
		"account to it; look at io_uring_mmap, io_mmap_get_region and "
		"io_region_mmap (the page limit passed to vm_insert_pages)." },
	[RL007] = { "RL007", "pinned buffer spans files or pins a non-shmem file page",
		RL_CLASS_VIOLATION,
		"one registered buffer covered VMAs of different files, or a "
		"long-term pin landed on a file-backed page that is neither "
		"shmem nor hugetlb; look at io_pin_pages and the same-file "
		"check of seed 002 (io_check_coalesce_buffer, GUP's "
		"FOLL_LONGTERM rules)." },
	[RL008] = { "RL008", "unmapped area breaks alignment or window",
		RL_CLASS_VIOLATION,
		"io_uring_get_unmapped_area (or a BPF arena's) returned an "
		"address that is not page aligned, lies outside the user address "
		"space or the window it reserved, crosses 4 GiB (arena), or is "
		"not where the mapping then landed; look at "
		"io_uring_get_unmapped_area, arena_get_unmapped_area and the "
		"mm_get_unmapped_area call each makes (seed 004)." },
	[RL009] = { "RL009", "unpin or release never seen pinned (double drop)",
		RL_CLASS_VIOLATION,
		"pages were unpinned or released that the ledger never saw "
		"pinned or referenced, which is how a double put shows; look at "
		"the unpin path that fired (unpin_user_pages, release_pages) and "
		"who unpinned these pages before." },
	[RL010] = { "RL010", "events lost or probe missing", RL_CLASS_INCONCLUSIVE,
		"the ledger did not see everything (events lost, a probe not "
		"attached, or a ring context that outlived the wait), so the "
		"absence of other findings proves nothing; enlarge the ring "
		"buffer or maps, or wait longer for io_ring_exit_work." },
};

static const struct finding_info *info_of(enum rl_finding_id id)
{
	if ((int)id <= RL_F_NONE || id >= RL_F__MAX)
		return &findings[RL_F_NONE];
	return &findings[id];
}

const char *rl_finding_name(enum rl_finding_id id)
{
	return info_of(id)->name;
}

const char *rl_finding_title(enum rl_finding_id id)
{
	return info_of(id)->title;
}

const char *rl_finding_explain(enum rl_finding_id id)
{
	return info_of(id)->explain;
}

enum rl_finding_class rl_finding_class_of(enum rl_finding_id id)
{
	return info_of(id)->class;
}

/* "RL001" or "rl001" -> 1; anything else -> -1. */
int rl_finding_parse(const char *s)
{
	int id;

	if (!s || strlen(s) != 5 || (s[0] != 'R' && s[0] != 'r') ||
	    (s[1] != 'L' && s[1] != 'l'))
		return -1;
	if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	id = (s[2] - '0') * 100 + (s[3] - '0') * 10 + (s[4] - '0');
	if (id <= RL_F_NONE || id >= RL_F__MAX)
		return -1;
	return id;
}

static const char *const event_names[RL_EV__MAX] = {
	[RL_EV_NONE] = "none",
	[RL_EV_CTX_CREATE] = "ctx_create",
	[RL_EV_CTX_DEAD] = "ctx_dead",
	[RL_EV_REGION_CREATE] = "region_create",
	[RL_EV_REGION_PAGES] = "region_pages",
	[RL_EV_REGION_FREE] = "region_free",
	[RL_EV_MMAP_AREA] = "mmap_area",
	[RL_EV_MMAP] = "mmap",
	[RL_EV_INSERT_PAGES] = "insert_pages",
	[RL_EV_VMA_DUP] = "vma_dup",
	[RL_EV_VMA_REMOVE] = "vma_remove",
	[RL_EV_PAGE_FREE] = "page_free",
	[RL_EV_PROC_FORK] = "proc_fork",
	[RL_EV_PROC_EXEC] = "proc_exec",
	[RL_EV_PROC_EXIT] = "proc_exit",
	[RL_EV_PBUF_REG] = "pbuf_reg",
	[RL_EV_PBUF_UNREG] = "pbuf_unreg",
	[RL_EV_PIN] = "pin",
	[RL_EV_UNPIN] = "unpin",
	[RL_EV_LOST] = "lost",
	[RL_EV_VMA_ZAP] = "vma_zap",
	[RL_EV_BUFRING_PIN] = "bufring_pin",
	[RL_EV_BUFRING_UNPIN] = "bufring_unpin",
	[RL_EV_VMA_SPLIT] = "vma_split",
	[RL_EV_ARENA_AREA] = "arena_area",
};

const char *rl_event_type_name(enum rl_event_type t)
{
	if ((int)t < 0 || t >= RL_EV__MAX || !event_names[t])
		return "unknown";
	return event_names[t];
}

/* name == s[0, len); cheap on a mismatch (the stream reader's hot path) */
static bool name_is(const char *name, const char *s, size_t len)
{
	return name && len && name[0] == s[0] && !strncmp(name, s, len) && !name[len];
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
	int k;

	for (k = 0; k < RL_RK__MAX; k++) {
		if (name_is(kind_names[k], s, len))
			return k;
	}
	return -1;
}

static const char *const counter_names[RL_CNT__MAX] = {
	[RL_CNT_RINGBUF_FULL] = "ringbuf_full",
	[RL_CNT_TRACK_MAP_FULL] = "track_map_full",
	[RL_CNT_PFN_MAP_FULL] = "pfn_map_full",
	[RL_CNT_REGION_TRUNCATED] = "region_truncated",
	[RL_CNT_READ_FAIL] = "read_fail",
	[RL_CNT_STACK_FAIL] = "stack_fail",
	[RL_CNT_ENTRY_MISSING] = "entry_missing",
	[RL_CNT_PIN_TRUNCATED] = "pin_truncated",
};

const char *rl_counter_name(uint32_t counter)
{
	return counter < RL_CNT__MAX ? counter_names[counter] : NULL;
}

int rl_counter_parse(const char *s, size_t len)
{
	int c;

	for (c = 0; c < RL_CNT__MAX; c++) {
		if (name_is(counter_names[c], s, len))
			return c;
	}
	return -1;
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
	int o;

	for (o = 0; o < RL_PO__MAX; o++) {
		if (name_is(owner_names[o], s, len))
			return o;
	}
	return -1;
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
	int b;

	for (b = 0; b < RL_BK__MAX; b++) {
		if (name_is(backing_names[b], s, len))
			return b;
	}
	return -1;
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

const char *rl_finding_class_name(enum rl_finding_class c)
{
	switch (c) {
	case RL_CLASS_LEAK:
		return "leak";
	case RL_CLASS_INCONCLUSIVE:
		return "inconclusive";
	default:
		return "violation";
	}
}
