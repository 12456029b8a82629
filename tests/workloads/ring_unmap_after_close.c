// SPDX-License-Identifier: GPL-2.0
/*
 * ring_unmap_after_close - map the rings, use them, close the ring fd first,
 * wait 200 ms (ring teardown is asynchronous), then read the still-mapped SQ
 * and CQ rings and the SQEs, and only then munmap.
 *
 * Each ring VMA holds a reference on the io_uring file, so close() alone does
 * not release the ring: the last munmap does (io_uring_release ->
 * io_ring_exit_work, asynchronous).  Either way the mapped pages must stay
 * valid until munmap.  Clean on a correct kernel.
 */
#include "wl_common.h"

int main(void)
{
	struct wl_ring r;
	unsigned sq_entries, cq_entries, cq_tail, sqe_op;

	wl_init("ring_unmap_after_close");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);
	wl_ring_close(&r);
	wl_sleep_ms(200);

	/* Touch every mapping after the close. */
	sq_entries = __atomic_load_n(r.sq_entries, __ATOMIC_ACQUIRE);
	cq_entries = __atomic_load_n(r.cq_entries, __ATOMIC_ACQUIRE);
	cq_tail = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
	sqe_op = r.sqes[0].opcode;
	wl_gt("read_after_close sq_ring_entries=%u cq_ring_entries=%u cq_tail=%u sqe0_opcode=%u",
	      sq_entries, cq_entries, cq_tail, sqe_op);
	if (sq_entries != r.p.sq_entries || cq_entries != r.p.cq_entries ||
	    cq_tail != 1)
		wl_die_err(0, "ring memory changed after close: sq_entries=%u cq_entries=%u cq_tail=%u",
			   sq_entries, cq_entries, cq_tail);

	wl_ring_unmap(&r);
	/* Give the asynchronous ring teardown time to run while we live. */
	wl_sleep_ms(200);
	wl_gt("done");
	return 0;
}
