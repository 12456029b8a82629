// SPDX-License-Identifier: GPL-2.0
/*
 * mmap_too_large - mmap the SQE region (and then the CQ ring) with a length
 * two pages larger than the region, and report what the kernel did.
 *
 * From the 7.3 source (io_uring/memmap.c): on MMU kernels neither
 * io_uring_get_unmapped_area() nor io_uring_mmap() compares the VMA length
 * with the region; io_region_mmap() inserts min(region pages, limit) pages
 * with vm_insert_pages() and leaves the rest of the VMA empty, with no fault
 * handler, so a touch there is SIGBUS.  (6.12 does the same through
 * io_uring_mmap_pages(); only the !MMU path checks the size.)  So a stock
 * kernel is expected to accept: "GT mmap_oversize ... ret=0".
 *
 * For each oversize mapping we print the return, how many of its pages are
 * resident (mincore), and what a child that touches the first byte past the
 * region gets.  The oversize SQE mapping is then used for a NOP.  Exit 0
 * either way.  ringledger: RL006 for each accepted oversize mapping.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "wl_common.h"

static const char *touch_past(volatile unsigned char *p)
{
	static char buf[32];
	int status;
	pid_t pid = fork();

	if (pid < 0)
		wl_die("fork");
	if (pid == 0) {
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		wl_die("waitpid");
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "%s", strsignal(WTERMSIG(status)));
	else
		snprintf(buf, sizeof(buf), "readable(exit=%d)",
			 WEXITSTATUS(status));
	for (char *c = buf; *c; c++)
		if (*c == ' ')
			*c = '_';
	return buf;
}

static int resident_pages(void *addr, size_t len)
{
	size_t n = len / wl_page_size(), i;
	unsigned char vec[64];
	int count = 0;

	if (n > sizeof(vec) || mincore(addr, len, vec))
		return -1;
	for (i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

/* Returns the mapping or NULL; prints "GT mmap_oversize ...". */
static void *try_oversize(struct wl_ring *r, const char *kind,
			  unsigned long long off, size_t region_len)
{
	size_t pg = wl_page_size();
	size_t len = region_len + 2 * pg;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		       (off_t)off);

	if (p == MAP_FAILED) {
		int err = errno;

		wl_gt("mmap_oversize ret=-%d kind=%s off=0x%llx region_len=%zu len=%zu refused (%s)",
		      err, kind, off, region_len, len, strerror(err));
		return NULL;
	}
	wl_gt("mmap_oversize ret=0 kind=%s off=0x%llx region_len=%zu len=%zu addr=%p accepted resident_pages=%d of %zu touch_past_region=%s",
	      kind, off, region_len, len, p, resident_pages(p, len), len / pg,
	      touch_past((unsigned char *)p + region_len));
	return p;
}

int main(void)
{
	struct wl_ring r;
	size_t sqes_region, ring_region;
	void *big_sqes, *big_cq;

	wl_init("mmap_too_large");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);

	/* The SQE region holds sq_entries SQEs, page-aligned. */
	sqes_region = wl_page_align(wl_sqes_len(&r.p));
	big_sqes = try_oversize(&r, "sqes", RLW_OFF_SQES, sqes_region);
	if (big_sqes) {
		/* Same pages as the regular SQE mapping: submit through it. */
		r.sqes = big_sqes;
		wl_nop(&r, 0x2);
		r.sqes = r.sqes_ptr;
		wl_munmap(big_sqes, sqes_region + 2 * wl_page_size(), "sqes_oversize");
	}

	/* The ring region holds the SQ and CQ rings (and the SQ array). */
	ring_region = wl_page_align(wl_sq_ring_len(&r.p) > wl_cq_ring_len(&r.p) ?
				    wl_sq_ring_len(&r.p) : wl_cq_ring_len(&r.p));
	big_cq = try_oversize(&r, "cq", RLW_OFF_CQ_RING, ring_region);
	if (big_cq)
		wl_munmap(big_cq, ring_region + 2 * wl_page_size(), "cq_oversize");

	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
