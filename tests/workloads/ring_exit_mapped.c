// SPDX-License-Identifier: GPL-2.0
/*
 * ring_exit_mapped - map the rings, use them, and exit with the three
 * mappings and the fd still in place: exit_mmap tears the VMAs down, the
 * file table close drops the last file reference, and the ring is freed
 * asynchronously after the process is gone.  Clean.
 */
#include <stdlib.h>
#include "wl_common.h"

int main(void)
{
	struct wl_ring r;

	wl_init("ring_exit_mapped");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);
	wl_gt("exit with mappings sq=%p cq=%p sqes=%p fd=%d still open",
	      r.sq_ptr, r.cq_ptr, r.sqes_ptr, r.fd);
	exit(0);
}
