// SPDX-License-Identifier: GPL-2.0
/*
 * clone_race [ITERATIONS] [BUFFERS] - two rings tear a cloned buffer table
 * down at the same moment, from two threads.
 *
 * Each iteration: ring A registers BUFFERS one-page anonymous buffers
 * (default 64), ring B takes them with IORING_REGISTER_CLONE_BUFFERS (each
 * buffer's imu then has two references), and two threads, released by one
 * barrier, unregister the buffers of A and of B at once.  Both rings drop
 * every buffer (io_free_rsrc_node) at nearly the same time; for each
 * buffer exactly one drop is the last and unpins (io_release_ubuf), but
 * both may read a refcount of 2 when they begin.  Default 200 iterations.
 *
 * Ledger on a correct kernel: clean; every pin set released and retired.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include "wl_common.h"

struct racer {
	int fd;
	pthread_barrier_t *go;
	int ret;
};

static void *unregister_at_once(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = wl_io_uring_register(r->fd, RLW_UNREGISTER_BUFFERS, NULL, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 200;
	unsigned nbuf = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 64;
	size_t pg = wl_page_size();
	struct rlw_clone_buffers cb;
	struct racer ra, rb;
	pthread_barrier_t go;
	struct wl_ring a, b;
	struct iovec *iov;
	pthread_t ta, tb;
	unsigned long i;
	char *mem;
	unsigned k;
	int ret;

	wl_init("clone_race");
	if (!nbuf || nbuf > 1024)
		wl_die_err(0, "BUFFERS must be 1..1024, not %u", nbuf);
	iov = calloc(nbuf, sizeof(*iov));
	mem = mmap(NULL, nbuf * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!iov || mem == MAP_FAILED)
		wl_die("buffers of %u pages", nbuf);
	memset(mem, 0x5a, nbuf * pg);
	for (k = 0; k < nbuf; k++) {
		iov[k].iov_base = mem + k * pg;
		iov[k].iov_len = pg;
	}
	wl_ring_setup(&a, 8, 0);
	wl_ring_map(&a, 0);
	wl_ring_setup(&b, 8, 0);
	wl_ring_map(&b, 0);
	wl_gt("clone_race iterations=%lu buffers=%u ring_a=%d ring_b=%d", iters, nbuf, a.fd, b.fd);
	for (i = 0; i < iters; i++) {
		ret = wl_io_uring_register(a.fd, RLW_REGISTER_BUFFERS, iov, nbuf);
		if (ret)
			wl_die_err(-ret, "IORING_REGISTER_BUFFERS %u (iteration %lu)", nbuf, i);
		memset(&cb, 0, sizeof(cb));
		cb.src_fd = (unsigned)a.fd;
		ret = wl_io_uring_register(b.fd, RLW_REGISTER_CLONE_BUFFERS, &cb, 1);
		if (ret == -22)
			wl_skip("IORING_REGISTER_CLONE_BUFFERS refused (EINVAL): kernel lacks buffer cloning");
		if (ret)
			wl_die_err(-ret, "IORING_REGISTER_CLONE_BUFFERS (iteration %lu)", i);
		pthread_barrier_init(&go, NULL, 2);
		ra = (struct racer){ .fd = a.fd, .go = &go };
		rb = (struct racer){ .fd = b.fd, .go = &go };
		if (pthread_create(&ta, NULL, unregister_at_once, &ra) ||
		    pthread_create(&tb, NULL, unregister_at_once, &rb))
			wl_die("pthread_create");
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		if (ra.ret || rb.ret)
			wl_die_err(-(ra.ret ? ra.ret : rb.ret), "IORING_UNREGISTER_BUFFERS (iteration %lu)", i);
	}
	wl_gt("clone_race unregistered %lu x %u cloned buffers from two threads at once", iters, nbuf);
	wl_ring_unmap(&a);
	wl_ring_close(&a);
	wl_ring_unmap(&b);
	wl_ring_close(&b);
	munmap(mem, nbuf * pg);
	free(iov);
	wl_gt("done");
	return 0;
}
