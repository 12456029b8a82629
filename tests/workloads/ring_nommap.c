// SPDX-License-Identifier: GPL-2.0
/*
 * ring_nommap - IORING_SETUP_NO_MMAP: the rings and SQEs in the program's
 * own memory (liburing's io_uring_alloc_huge does this), one NOP, close.
 *
 * usage: ring_nommap [anon|hugetlb]
 *   anon     the rings and the SQEs in pages of their own (default)
 *   hugetlb  both inside one 2 MiB MAP_HUGETLB folio, the rings at 8 KiB
 *            and the SQEs at 64 KiB: every page io_uring pins there is a
 *            tail page, whose own reference count is 0 (the folio's is in
 *            its head).  Needs hugepages (the guest boots with 16).
 * Clean on a correct kernel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "wl_common.h"

#define HUGE_SZ		(2UL << 20)

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "anon";
	int huge = !strcmp(mode, "hugetlb");
	size_t len = huge ? HUGE_SZ : 256 << 10;
	struct wl_ring r;
	char *mem;
	int fd;

	wl_init("ring_nommap");
	if (!huge && strcmp(mode, "anon"))
		wl_die("usage: ring_nommap [anon|hugetlb]");
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0), -1, 0);
	if (mem == MAP_FAILED) {
		if (huge)
			wl_skip("no 2 MiB huge page (vm.nr_hugepages)");
		wl_die_err(errno, "mmap %zu bytes", len);
	}
	memset(mem, 0, len);
	memset(&r, 0, sizeof(r));
	r.p.flags = RLW_SETUP_NO_MMAP;
	r.p.cq_off.user_addr = (unsigned long)(mem + (huge ? 8192 : 0));
	r.p.sq_off.user_addr = (unsigned long)(mem + (64 << 10));
	fd = wl_io_uring_setup(8, &r.p);
	if (fd == -EINVAL || fd == -ENOSYS)
		wl_skip("kernel refuses IORING_SETUP_NO_MMAP (%d)", fd);
	if (fd < 0)
		wl_die_err(-fd, "io_uring_setup NO_MMAP");
	r.fd = fd;
	wl_gt("ring fd=%d mode=%s rings=%p sqes=%p", fd, mode,
	      (void *)(unsigned long)r.p.cq_off.user_addr,
	      (void *)(unsigned long)r.p.sq_off.user_addr);
	r.sq_ptr = r.cq_ptr = (void *)(unsigned long)r.p.cq_off.user_addr;
	r.sqes_ptr = (void *)(unsigned long)r.p.sq_off.user_addr;
	wl_ring_set_pointers(&r);
	wl_nop(&r, 0x1);
	wl_ring_close(&r);
	munmap(mem, len);
	wl_gt("done");
	return 0;
}
