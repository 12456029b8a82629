// SPDX-License-Identifier: GPL-2.0
/*
 * ring_mremap [ENTRIES] - try to move a mapped provided-buffer ring (default
 * 512 entries: two pages) with mremap(MREMAP_MAYMOVE | MREMAP_FIXED) into a
 * hole, then unregister it while mapped where it is, write it, munmap,
 * close.  Clean on a correct kernel.  "GT mremap ... errno=" says what the
 * kernel answered: 7.3.4 refuses to move an io_uring mapping (EINVAL), and
 * ringledger's ledger does not follow a moved ring vma, so a kernel that
 * allows the move is worth knowing about.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "wl_common.h"
#include "wl_pagemap.h"

#define BGID 1

int main(int argc, char **argv)
{
	unsigned entries = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 512;
	unsigned long long off;
	struct rlw_buf_ring *br;
	struct wl_ring r;
	size_t len;
	void *hole, *moved;
	int ret;

	wl_init("ring_mremap");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	ret = wl_pbuf_register(&r, BGID, entries, RLW_PBUF_RING_MMAP, NULL);
	if (ret == -EINVAL)
		wl_skip("IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_MMAP refused (EINVAL): kernel too old");
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_PBUF_RING bgid %u", BGID);
	len = wl_pbuf_ring_len(entries);
	off = RLW_OFF_PBUF_RING | ((unsigned long long)BGID << RLW_OFF_PBUF_SHIFT);
	br = wl_mmap_ring(r.fd, len, off, "pbuf");
	wl_gt_pfns("pbuf_page", br, len);
	/* somewhere free to move it to */
	hole = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		wl_die_err(errno, "mmap hole");
	moved = mremap(br, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	wl_gt("mremap from=%p to=%p len=%zu ret=%p errno=%d", (void *)br, hole, len, moved,
	      moved == MAP_FAILED ? errno : 0);
	if (moved != MAP_FAILED)
		br = moved;
	else
		munmap(hole, len);
	wl_gt_pfns("pbuf_page", br, len);
	ret = wl_pbuf_unregister(&r, BGID, "(still mapped)");
	if (ret)
		wl_die_err(-ret, "IORING_UNREGISTER_PBUF_RING bgid %u", BGID);
	memset(br, 0xa5, len);
	wl_munmap(br, len, "pbuf");
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
