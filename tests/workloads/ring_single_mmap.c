// SPDX-License-Identifier: GPL-2.0
/*
 * ring_single_mmap - IORING_FEAT_SINGLE_MMAP: one mmap at IORING_OFF_SQ_RING
 * covering both the SQ and the CQ ring (length = the larger of the two),
 * plus the SQEs; submit and reap one NOP; munmap; close.  Clean.
 */
#include "wl_common.h"

int main(void)
{
	struct wl_ring r;

	wl_init("ring_single_mmap");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 1);
	wl_nop(&r, 0x1);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
