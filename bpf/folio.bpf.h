/* SPDX-License-Identifier: GPL-2.0 */
/*
 * folio.bpf.h - what a struct page says of its folio: the head page, and
 * what backs it (anonymous, shmem, hugetlb, another file system).
 */
#ifndef RL_FOLIO_BPF_H
#define RL_FOLIO_BPF_H

#include "common.bpf.h"

/* The head of page's folio from its compound word (compound_head()):
 * bit 0 clear, page is a head or order-0; else the word is head | 1, or
 * (7.2+, HUGETLB_PAGE_OPTIMIZE_VMEMMAP) a mask | 1 that turns the tail's
 * address into the head's: ones above the folio's size, zeros below, a
 * shape no head pointer has. */
static __always_inline __u64 head_from_compound(__u64 page, __u64 info)
{
	__u64 mask = info & ~1ULL;

	if (!(info & 1))
		return page;
	if (mask && !((~mask + 1) & ~mask))
		return page & mask;
	return mask;
}

static __always_inline __u64 page_head(__u64 page)
{
	__u64 info;

	if (bpf_core_field_exists(struct page___compound_info, compound_info))
		info = BPF_CORE_READ((struct page___compound_info *)page, compound_info);
	else
		info = BPF_CORE_READ((struct page___compound_head *)page, compound_head);
	return head_from_compound(page, info);
}

#define RL_TMPFS_MAGIC		0x01021994UL
#define RL_HUGETLBFS_MAGIC	0x958458f6UL

/* What a head page's mapping and page type say backs the folio; *file is
 * its address_space when file-backed (the identity of "the same file"), 0
 * when anonymous.  RL_BK__MAX: page cache, the file system decides. */
static __always_inline __u32 backing_of(__u64 mapping, __u32 page_type, __u64 *file)
{
	__u32 hugetlb = bpf_core_enum_value_exists(enum pagetype, PGTY_hugetlb) ?
			bpf_core_enum_value(enum pagetype, PGTY_hugetlb) : 0xf4;

	*file = mapping & 1 ? 0 : mapping;	/* anon: anon_vma | 1 (| 2 KSM) */
	if (page_type >> 24 == hugetlb)
		return RL_BK_HUGETLB;
	if (mapping & 1)
		return RL_BK_ANON;
	if (!mapping)
		return RL_BK_NONE;
	return RL_BK__MAX;
}

/* Page cache: shmem (tmpfs, memfd), hugetlbfs, or another file system. */
static __always_inline __u32 file_backing(__u64 mapping)
{
	struct address_space *as = (struct address_space *)mapping;
	__u64 magic = BPF_CORE_READ(as, host, i_sb, s_magic);

	if (magic == RL_TMPFS_MAGIC)
		return RL_BK_SHMEM;
	if (magic == RL_HUGETLBFS_MAGIC)
		return RL_BK_HUGETLB;
	return magic ? RL_BK_FILE : RL_BK_UNKNOWN;
}

/* What backs the folio whose head is `head`, read field by field. */
static __always_inline __u32 folio_backing(__u64 head, __u64 *file)
{
	struct page *p = (struct page *)head;
	__u32 b = backing_of((__u64)BPF_CORE_READ(p, mapping), BPF_CORE_READ(p, page_type), file);

	return b == RL_BK__MAX ? file_backing(*file) : b;
}

#endif /* RL_FOLIO_BPF_H */
