/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wl_pagemap.h - the pfn behind a user address, for ground-truth lines.
 *
 * /proc/self/pagemap holds one 64-bit entry per virtual page: bit 63
 * "present", bits 0-54 the pfn.  The pfn reads as 0 without CAP_SYS_ADMIN
 * (and the file is absent without CONFIG_PROC_PAGE_MONITOR): then we say
 * "unknown".  Reading pagemap walks the page tables only; the page itself
 * is not touched, so this is safe on a page that may already be free.
 * Header only: the workloads link wl_common.c and nothing else.
 */
#ifndef RINGLEDGER_WL_PAGEMAP_H
#define RINGLEDGER_WL_PAGEMAP_H

#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include "wl_common.h"

/* The pfn mapped at @addr, or 0 if it cannot be learnt. */
static inline unsigned long long wl_pfn(const void *addr)
{
	uint64_t ent = 0;
	off_t off = (off_t)((uintptr_t)addr / wl_page_size() * sizeof(ent));
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent), off) != (ssize_t)sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & (1ULL << 63)))
		return 0;
	return ent & ((1ULL << 55) - 1);
}

/* "GT <what> addr=.. page=i pfn=0x.." for each page of [addr, addr+len) */
static inline void wl_gt_pfns(const char *what, const void *addr, size_t len)
{
	size_t i, n = wl_page_align(len) / wl_page_size();

	for (i = 0; i < n; i++) {
		const char *p = (const char *)addr + i * wl_page_size();
		unsigned long long pfn = wl_pfn(p);

		if (pfn)
			wl_gt("%s addr=%p page=%zu pfn=0x%llx", what, (const void *)p, i, pfn);
		else
			wl_gt("%s addr=%p page=%zu pfn=unknown", what, (const void *)p, i);
	}
}

#endif /* RINGLEDGER_WL_PAGEMAP_H */
