// SPDX-License-Identifier: GPL-2.0
/*
 * uring_bench - what `make bench` times (tests/vm/guest/bench.sh), each
 * mode a loop of one kind of io_uring work:
 *
 *   uring_bench nop N        N NOPs, 32 submitted and reaped per
 *                            io_uring_enter (one ring of 64 entries)
 *   uring_bench read N FILE  N 4 KiB reads of FILE (READ_FIXED into 32
 *                            registered 4 KiB buffers, the file registered,
 *                            IOSQE_FIXED_FILE; 32 in flight per enter,
 *                            offsets walking the file)
 *   uring_bench churn N      N ring lifecycles: io_uring_setup, mmap of the
 *                            SQ ring, the CQ ring and the SQEs, a
 *                            kernel-allocated provided-buffer ring
 *                            registered and mapped, one NOP, teardown
 *
 * The steps' GT lines go to /dev/null; the result is one line:
 * "GT bench MODE n=N seconds=S per_second=R".  Exit 0 when all was done.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "wl_common.h"

#define BATCH		32
#define BLOCK		4096
#define BGID		1
#define PBUF_ENTRIES	8

static void reap(struct wl_ring *r, unsigned n, const char *what)
{
	struct rlw_cqe cqe;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!wl_peek_cqe(r, &cqe))
			wl_wait_cqe(r, &cqe);
		if (cqe.res < 0)
			wl_die_err(-cqe.res, "%s", what);
	}
}

static void bench_nop(unsigned long n)
{
	struct wl_ring r;
	unsigned long done;
	unsigned i;

	wl_ring_setup(&r, 2 * BATCH, 0);
	wl_ring_map(&r, 0);
	for (done = 0; done < n; done += BATCH) {
		for (i = 0; i < BATCH; i++) {
			struct rlw_sqe *sqe = wl_get_sqe(&r);

			sqe->opcode = RLW_OP_NOP;
			sqe->user_data = done + i;
		}
		wl_submit_wait(&r, BATCH, BATCH);
		reap(&r, BATCH, "NOP");
	}
	wl_ring_unmap(&r);
	wl_ring_close(&r);
}

static void bench_read(unsigned long n, const char *path)
{
	struct iovec iov[BATCH];
	unsigned long done, blocks;
	struct wl_ring r;
	struct stat sb;
	char *bufs;
	unsigned i;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb))
		wl_die("open %s", path);
	blocks = (unsigned long)sb.st_size / BLOCK;
	if (blocks < BATCH)
		wl_die_err(EINVAL, "%s: at least %d blocks of 4 KiB", path, BATCH);
	bufs = mmap(NULL, BATCH * BLOCK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bufs == MAP_FAILED)
		wl_die("mmap buffers");
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs + i * BLOCK;
		iov[i].iov_len = BLOCK;
	}
	wl_ring_setup(&r, 2 * BATCH, 0);
	wl_ring_map(&r, 0);
	ret = wl_io_uring_register(r.fd, RLW_REGISTER_BUFFERS, iov, BATCH);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_BUFFERS");
	ret = wl_io_uring_register(r.fd, RLW_REGISTER_FILES, &fd, 1);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_FILES");
	for (done = 0; done < n; done += BATCH) {
		for (i = 0; i < BATCH; i++) {
			struct rlw_sqe *sqe = wl_get_sqe(&r);

			sqe->opcode = RLW_OP_READ_FIXED;
			sqe->flags = RLW_IOSQE_FIXED_FILE;
			sqe->fd = 0;		/* the registered file's index */
			sqe->addr = (unsigned long)iov[i].iov_base;
			sqe->len = BLOCK;
			sqe->off = ((done + i) % blocks) * BLOCK;
			sqe->buf_index = i;
			sqe->user_data = done + i;
		}
		wl_submit_wait(&r, BATCH, BATCH);
		reap(&r, BATCH, "READ_FIXED");
	}
	wl_io_uring_register(r.fd, RLW_UNREGISTER_FILES, NULL, 0);
	wl_io_uring_register(r.fd, RLW_UNREGISTER_BUFFERS, NULL, 0);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	munmap(bufs, BATCH * BLOCK);
	close(fd);
}

static void bench_churn(unsigned long n)
{
	unsigned long long off = RLW_OFF_PBUF_RING | ((unsigned long long)BGID << RLW_OFF_PBUF_SHIFT);
	size_t len = wl_pbuf_ring_len(PBUF_ENTRIES);
	unsigned long i;

	for (i = 0; i < n; i++) {
		struct wl_ring r;
		void *pbuf;
		int ret;

		wl_ring_setup(&r, 8, 0);
		wl_ring_map(&r, 0);
		ret = wl_pbuf_register(&r, BGID, PBUF_ENTRIES, RLW_PBUF_RING_MMAP, NULL);
		if (ret == -EINVAL)
			wl_skip("IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_MMAP refused (EINVAL)");
		if (ret)
			wl_die_err(-ret, "IORING_REGISTER_PBUF_RING");
		pbuf = wl_mmap_ring(r.fd, len, off, "pbuf");
		wl_nop(&r, i);
		wl_munmap(pbuf, len, "pbuf");
		wl_ring_unmap(&r);
		wl_ring_close(&r);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[1] : "";
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	double t0, secs;
	int out;

	wl_init("uring_bench");
	if (!n || (strcmp(mode, "nop") && strcmp(mode, "read") && strcmp(mode, "churn")) ||
	    (!strcmp(mode, "read") && argc < 4))
		wl_die_err(EINVAL, "usage: uring_bench nop N | read N FILE | churn N");
	/* the steps' GT lines go nowhere; the result to the real stdout */
	fflush(stdout);
	out = dup(STDOUT_FILENO);
	if (out < 0 || !freopen("/dev/null", "w", stdout))
		wl_die("redirect stdout");
	t0 = wl_now();
	if (!strcmp(mode, "nop"))
		bench_nop(n);
	else if (!strcmp(mode, "read"))
		bench_read(n, argv[3]);
	else
		bench_churn(n);
	secs = wl_now() - t0;
	dprintf(out, "GT bench %s n=%lu seconds=%.4f per_second=%.0f\n", mode, n, secs,
		n / (secs > 0 ? secs : 1));
	dprintf(out, "GT done\n");
	return 0;
}
