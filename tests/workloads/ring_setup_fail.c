// SPDX-License-Identifier: GPL-2.0
/*
 * ring_setup_fail - setups that fail after their rings were made, each
 * followed by a ring that works, on one thread: IORING_SETUP_ATTACH_WQ with
 * a wq_fd that is not a ring (/dev/null) fails with EINVAL once the rings
 * and SQEs exist; their teardown frees them after an RCU grace period.
 * Then an 8-entry ring: mmap, one NOP, munmap, close.  Clean on a correct
 * kernel: the failed setup's regions are not the next ring's (liburing's
 * io_uring_setup.t and shared-wq.t do this).
 *
 * usage: ring_setup_fail [ROUNDS]   (default 4)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "wl_common.h"

int main(int argc, char **argv)
{
	unsigned rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 4, i;
	int null_fd;

	wl_init("ring_setup_fail");
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd < 0)
		wl_die_err(errno, "open /dev/null");
	for (i = 0; i < rounds; i++) {
		struct rlw_params p = { .flags = RLW_SETUP_ATTACH_WQ, .wq_fd = null_fd };
		struct wl_ring r;
		int fd = wl_io_uring_setup(8, &p);

		if (fd >= 0)
			wl_die("round %u: ATTACH_WQ to /dev/null made ring fd %d", i, fd);
		if (i == 0)
			wl_gt("ATTACH_WQ to /dev/null: %d", fd);
		wl_ring_setup(&r, 8, 0);
		wl_ring_map(&r, 0);
		wl_nop(&r, 0x1);
		wl_ring_unmap(&r);
		wl_ring_close(&r);
	}
	close(null_fd);
	wl_gt("done");
	return 0;
}
