// SPDX-License-Identifier: GPL-2.0
/*
 * ring_resize - IORING_REGISTER_RESIZE_RINGS (Linux 6.13+).
 *
 * The kernel only resizes IORING_SETUP_DEFER_TASKRUN rings, and DEFER_TASKRUN
 * needs IORING_SETUP_SINGLE_ISSUER.  By default we also ask for
 * IORING_SETUP_NO_SQARRAY (as liburing does): some kernels (6.18) leave
 * sq_off.array at 0 in the params the resize copies back, so the SQ array
 * of the new ring cannot be found.  "ring_resize sqarray" keeps the SQ array
 * and SKIPs where the kernel does not report its new offset.
 * Setup 8 SQ entries, map the rings
 * (SQ and CQ as two mmaps, plus SQEs), submit a NOP, then resize to 32 SQ /
 * 64 CQ entries *with the old mappings still in place*.
 *
 * io_register_resize_rings() builds new regions, copies the ring state over,
 * swaps them in under ctx->mmap_lock and frees the old regions
 * (io_free_region -> release_pages).  It does not touch existing user
 * mappings: the old VMAs keep their own page references and keep showing the
 * old (now orphaned) ring, so we read them after the resize, then munmap
 * them, mmap the new rings with the offsets the kernel wrote back into the
 * params, submit a NOP through them and tear down.  Clean.
 *
 * SKIP (77) where the kernel lacks resize (EINVAL from the register call) or
 * DEFER_TASKRUN (EINVAL from setup).
 */
#include <string.h>
#include "wl_common.h"

int main(int argc, char **argv)
{
	int sqarray = argc > 1 && !strcmp(argv[1], "sqarray");
	struct rlw_params np;
	unsigned flags = RLW_SETUP_SINGLE_ISSUER | RLW_SETUP_DEFER_TASKRUN;
	unsigned old_entries, old_cq_entries;
	struct wl_ring r;
	int ret;

	wl_init("ring_resize");
	if (!sqarray)
		flags |= RLW_SETUP_NO_SQARRAY;
	ret = wl_ring_try_setup(&r, 8, flags);
	if (ret == -EINVAL)
		wl_skip("io_uring_setup with flags 0x%x refused (EINVAL)", flags);
	if (ret)
		wl_die_err(-ret, "io_uring_setup");

	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);

	memset(&np, 0, sizeof(np));
	np.sq_entries = 32;
	np.cq_entries = 64;
	np.flags = RLW_SETUP_CQSIZE;
	ret = wl_io_uring_register(r.fd, RLW_REGISTER_RESIZE_RINGS, &np, 1);
	wl_gt("resize fd=%d sq_entries=32 cq_entries=64 ret=%d", r.fd, ret);
	if (ret == -EINVAL)
		wl_skip("IORING_REGISTER_RESIZE_RINGS refused (EINVAL): kernel lacks ring resizing");
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_RESIZE_RINGS");
	wl_gt("resize new sq_entries=%u cq_entries=%u sq_array_off=%u cqes_off=%u",
	      np.sq_entries, np.cq_entries, np.sq_off.array, np.cq_off.cqes);
	if (sqarray && !np.sq_off.array) {
		/* Clean up properly before skipping: the rings are resized. */
		wl_ring_unmap(&r);
		wl_ring_close(&r);
		wl_skip("resize did not report the new sq_off.array (kernel leaves it 0); use NO_SQARRAY");
	}

	/* The old mappings still show the old, freed-by-io_uring rings. */
	old_entries = __atomic_load_n(r.sq_entries, __ATOMIC_ACQUIRE);
	old_cq_entries = __atomic_load_n(r.cq_entries, __ATOMIC_ACQUIRE);
	wl_gt("old_mapping_after_resize sq_ring_entries=%u cq_ring_entries=%u sqe0_opcode=%u",
	      old_entries, old_cq_entries, r.sqes[0].opcode);
	if (old_entries != 8)
		wl_die_err(0, "old SQ mapping shows %u entries, want 8", old_entries);

	wl_ring_unmap(&r);

	/* Map the new rings, with the offsets the kernel copied back. */
	np.flags = r.p.flags;
	np.features = r.p.features;
	r.p = np;
	wl_ring_map(&r, 0);
	wl_gt("new_mapping sq_ring_entries=%u cq_ring_entries=%u sq_head=%u cq_tail=%u",
	      *r.sq_entries, *r.cq_entries, *r.sq_head, *r.cq_tail);
	if (*r.sq_entries != np.sq_entries || *r.cq_entries != np.cq_entries)
		wl_die_err(0, "new rings show %u/%u entries, want %u/%u",
			   *r.sq_entries, *r.cq_entries, np.sq_entries,
			   np.cq_entries);
	wl_nop(&r, 0x2);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
