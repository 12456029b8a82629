// SPDX-License-Identifier: GPL-2.0
/*
 * ring_basic - the plain life of a ring: setup (8 entries), mmap the SQ ring,
 * the CQ ring (a second mmap of the same ring region, even when the kernel
 * offers IORING_FEAT_SINGLE_MMAP) and the SQEs, submit and reap one NOP,
 * munmap all three, close.  Clean on a correct kernel.
 *
 * usage: ring_basic [ENTRIES]   (default 8; 32768 makes multi-MiB regions,
 *                                which the RL010 ring-buffer test uses)
 */
#include <stdlib.h>
#include "wl_common.h"

int main(int argc, char **argv)
{
	unsigned int entries = argc > 1 ? strtoul(argv[1], NULL, 0) : 8;
	struct wl_ring r;

	wl_init("ring_basic");
	wl_ring_setup(&r, entries, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
