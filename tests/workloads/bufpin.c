// SPDX-License-Identifier: GPL-2.0
/*
 * bufpin [leave-pinned] - seed 001: a kernel user pins a provided-buffer ring.
 *
 * Needs ringledger's patched kernel (kernel/build-kernel.sh): its
 * /dev/rl_bufpin device pins and unpins buffer rings through
 * io_uring_cmd_buf_ring_pin() / io_uring_cmd_buf_ring_unpin() when sent
 * IORING_OP_URING_CMD with cmd_op 1 (pin) or 2 (unpin) and the buffer group
 * in the first 32 bits of the SQE's command area (addr3).  Elsewhere: SKIP.
 *
 * Register a kernel-allocated provided-buffer ring (IOU_PBUF_RING_MMAP,
 * bgid 1, 8 entries), pin it through the device, try to unregister it (a
 * correct kernel refuses: -EBUSY), pin it again (-EALREADY) and pin a group
 * that does not exist (-EINVAL), unpin it, unregister it (0), close.
 * "leave-pinned" exits right after the refused unregister, with the ring
 * pinned and every fd open: the device must unpin on release and the ring
 * must die as usual.
 *
 * Every result is printed as ground truth and none ends the run, so the
 * same program shows a broken kernel too (rl_faults/pbuf_unregister_pinned:
 * the first unregister returns 0, and the unpin then finds no ring).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "wl_common.h"

#define BGID		1
#define ENTRIES		8
#define DEV		"/dev/rl_bufpin"

/* include/uapi/linux/io_uring.h (7.3): IORING_OP_URING_CMD */
#define RLW_OP_URING_CMD	46
/* drivers/misc/rl_bufpin.c (kernel/patches/0002-*) */
#define RL_BUFPIN_CMD_PIN	1
#define RL_BUFPIN_CMD_UNPIN	2

static int bufpin_cmd(struct wl_ring *r, int devfd, unsigned op, unsigned bgid)
{
	struct rlw_sqe *sqe = wl_get_sqe(r);
	struct rlw_cqe cqe;

	sqe->opcode = RLW_OP_URING_CMD;
	sqe->fd = devfd;
	sqe->off = op;		/* cmd_op (the high 32 bits must be 0) */
	sqe->addr3 = bgid;	/* the command area: struct rl_bufpin_cmd */
	sqe->user_data = 0xb1000 | op;
	wl_submit_wait(r, 1, 1);
	wl_wait_cqe(r, &cqe);
	wl_gt("bufpin_cmd op=%s bgid=%u res=%d",
	      op == RL_BUFPIN_CMD_PIN ? "pin" : "unpin", bgid, cqe.res);
	return cqe.res;
}

int main(int argc, char **argv)
{
	int leave_pinned = argc > 1 && !strcmp(argv[1], "leave-pinned");
	struct wl_ring r;
	int devfd, ret;

	wl_init("bufpin");
	if (argc > 1 && !leave_pinned)
		wl_die_err(0, "usage: bufpin [leave-pinned]");

	devfd = open(DEV, O_RDWR | O_CLOEXEC);
	if (devfd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
		wl_skip("no %s: not ringledger's patched kernel (CONFIG_RL_BUFPIN)", DEV);
	if (devfd < 0)
		wl_die("open %s", DEV);

	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);
	wl_gt("open %s fd=%d", DEV, devfd);

	ret = wl_pbuf_register(&r, BGID, ENTRIES, RLW_PBUF_RING_MMAP, NULL);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_PBUF_RING bgid %u", BGID);

	ret = bufpin_cmd(&r, devfd, RL_BUFPIN_CMD_PIN, BGID);
	if (ret)
		wl_die_err(-ret, "pin bgid %u through %s", BGID, DEV);

	/* the rule of seed 001: a pinned ring cannot be unregistered */
	ret = wl_pbuf_unregister(&r, BGID, "(pinned)");
	wl_gt("pinned_unregister bgid=%u ret=%d %s", BGID, ret,
	      ret == -EBUSY ? "refused" : "ALLOWED");
	if (leave_pinned) {
		wl_gt("exit pinned=1 ring_fd=%d dev_fd=%d", r.fd, devfd);
		return 0;
	}

	bufpin_cmd(&r, devfd, RL_BUFPIN_CMD_PIN, BGID);		/* -EALREADY */
	bufpin_cmd(&r, devfd, RL_BUFPIN_CMD_PIN, BGID + 1);	/* -EINVAL */
	bufpin_cmd(&r, devfd, RL_BUFPIN_CMD_UNPIN, BGID);
	/* after an ALLOWED unregister the group is gone: -ENOENT */
	wl_pbuf_unregister(&r, BGID, "(unpinned)");

	if (close(devfd))
		wl_die("close %s", DEV);
	wl_gt("close %s fd=%d", DEV, devfd);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
