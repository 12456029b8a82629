// SPDX-License-Identifier: GPL-2.0
/*
 * pbuf_mmap [ENTRIES] [nowrite] - seed 000's scenario on a real MMU kernel.
 *
 * Register a provided-buffer ring the kernel allocates (IOU_PBUF_RING_MMAP,
 * bgid 1, ENTRIES entries, default 8: one page), mmap it at
 * IORING_OFF_PBUF_RING | (bgid << IORING_OFF_PBUF_SHIFT), publish a buffer in
 * it and have a READ consume it, unregister the ring while it is still
 * mapped (io_uring frees its region and drops its page references), then
 * write the whole mapping again: the VMA's own page references keep the pages
 * alive, so this must not crash or scribble on freed memory.  munmap, close.
 * Clean on a correct kernel.
 *
 * "nowrite" leaves the mapping alone after the unregister (no write, no
 * check): for kernels that may have freed the pages under it, such as
 * ringledger's patched kernel with rl_faults/mmap_noref on.  The ring's
 * pfns are printed where /proc/self/pagemap shows them (root).
 *
 * "split-high" / "split-low" munmap the upper / lower half of the mapping
 * before the unregister (the kernel splits the VMA; ENTRIES of at least 512
 * make two pages or more): the unregister then frees the unmapped half's
 * pages while the other half stays mapped and is written as above.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "wl_common.h"
#include "wl_pagemap.h"

#define BGID 1

int main(int argc, char **argv)
{
	unsigned entries = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 8;
	const char *mode = argc > 2 ? argv[2] : "";
	int nowrite = !strcmp(mode, "nowrite");
	int split_high = !strcmp(mode, "split-high"), split_low = !strcmp(mode, "split-low");
	unsigned long long off;
	struct rlw_buf_ring *br;
	struct wl_ring r;
	unsigned char *p;
	size_t len, i;
	int ret, bad = 0;

	wl_init("pbuf_mmap");
	if (!entries || (entries & (entries - 1)) || entries >= 65536)
		wl_die_err(0, "ENTRIES must be a power of two below 65536");

	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);

	ret = wl_pbuf_register(&r, BGID, entries, RLW_PBUF_RING_MMAP, NULL);
	if (ret == -EINVAL)
		wl_skip("IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_MMAP refused (EINVAL): kernel too old");
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_PBUF_RING bgid %u", BGID);

	len = wl_pbuf_ring_len(entries);
	off = RLW_OFF_PBUF_RING | ((unsigned long long)BGID << RLW_OFF_PBUF_SHIFT);
	br = wl_mmap_ring(r.fd, len, off, "pbuf");
	wl_pbuf_use(&r, br, entries, BGID);
	wl_gt_pfns("pbuf_page", br, len);

	if (split_high || split_low) {
		size_t half = len / 2;

		if (half & 4095)
			wl_die_err(0, "split needs a ring of two pages or more (ENTRIES >= 512)");
		if (split_high) {
			wl_munmap((char *)br + half, len - half, "pbuf upper half");
		} else {
			wl_munmap(br, half, "pbuf lower half");
			br = (struct rlw_buf_ring *)((char *)br + half);
		}
		len -= half;
		wl_gt("split %s kept addr=%p len=%zu", split_high ? "high" : "low", (void *)br, len);
	}

	ret = wl_pbuf_unregister(&r, BGID, "(still mapped)");
	if (ret)
		wl_die_err(-ret, "IORING_UNREGISTER_PBUF_RING bgid %u", BGID);

	if (nowrite) {
		wl_gt("no_write_after_unregister addr=%p len=%zu", (void *)br, len);
		goto unmap;
	}
	/* The ring is gone for io_uring; the mapping must still be ours. */
	p = (unsigned char *)br;
	memset(p, 0xa5, len);
	for (i = 0; i < len; i++)
		bad += p[i] != 0xa5;
	wl_gt("write_after_unregister addr=%p len=%zu mismatches=%d", p, len, bad);
	if (bad)
		wl_die_err(0, "%d bytes of the unregistered ring mapping changed under us", bad);

unmap:
	wl_munmap(br, len, "pbuf");
	wl_nop(&r, 0x2);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
