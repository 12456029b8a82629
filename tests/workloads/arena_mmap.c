// SPDX-License-Identifier: GPL-2.0
/*
 * arena_mmap [fits|crosses] - seed 004's BPF arena get_unmapped_area.
 *
 * Create a BPF arena (BPF_MAP_TYPE_ARENA, 4 pages) and mmap it without
 * MAP_FIXED at a hint address in a free part of the address space.  The
 * kernel's arena_get_unmapped_area() reserves twice the length at the hint
 * and must return an address inside that window whose range does not cross
 * a 4 GiB boundary.
 *
 *   fits     (default) the hint is one page above a 4 GiB boundary: the
 *            range fits, the arena lands at the hint.  A guard page of ours
 *            sits at the next 4 GiB boundary, outside the window.
 *   crosses  the hint is one page below a 4 GiB boundary: the range would
 *            cross it, so the kernel rounds up to the boundary, which is
 *            still inside the window.
 *
 * Ground truth: where the arena landed, the window, and whether the guard
 * page still holds what we wrote there.  On ringledger's patched kernel
 * with rl_faults/arena_window_escape on, "fits" lands on the guard page
 * (outside the window) and replaces it: RL008.  Clean on a correct kernel.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "wl_common.h"

#define ARENA_PAGES	4
#define MAP_TYPE_ARENA	33		/* BPF_MAP_TYPE_ARENA (6.9+) */
#define SZ_4G		(1ULL << 32)
/* a free stretch of a 47-bit address space, below the mmap base */
#define AREA_BASE	0x3f00000000ULL

static int arena_create(unsigned pages)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = MAP_TYPE_ARENA;
	attr.max_entries = pages;
	attr.map_flags = BPF_F_MMAPABLE;
	return (int)syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "fits";
	int crosses = !strcmp(mode, "crosses");
	size_t page = wl_page_size(), len = ARENA_PAGES * page;
	uint64_t boundary = AREA_BASE, hint, guard = 0;
	unsigned char *g = NULL, *p;
	int fd, guard_intact = -1, in_window;

	wl_init("arena_mmap");
	if (!crosses && strcmp(mode, "fits"))
		wl_die_err(0, "unknown mode '%s' (fits crosses)", mode);
	fd = arena_create(ARENA_PAGES);
	if (fd < 0 && (errno == EINVAL || errno == EOPNOTSUPP))
		wl_skip("BPF_MAP_TYPE_ARENA refused (%s): kernel without BPF arenas",
			strerror(errno));
	if (fd < 0)
		wl_die_err(errno, "BPF_MAP_CREATE arena of %u pages", ARENA_PAGES);
	hint = crosses ? boundary - page : boundary + page;

	if (!crosses) {
		/* ours, outside the window [hint, hint + 2 * len) */
		guard = boundary + SZ_4G;
		g = mmap((void *)guard, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (g == MAP_FAILED || (uint64_t)g != guard)
			wl_die_err(errno, "guard page at 0x%llx", (unsigned long long)guard);
		memset(g, 0x5a, page);
		wl_gt("guard addr=%p len=%zu", (void *)g, page);
	}

	p = mmap((void *)hint, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		wl_die_err(errno, "mmap arena at hint 0x%llx", (unsigned long long)hint);
	in_window = (uint64_t)p >= hint && (uint64_t)p + len <= hint + 2 * len;
	if (g)
		guard_intact = g[0] == 0x5a;
	wl_gt("arena_mmap mode=%s hint=0x%llx len=%zu addr=%p window=[0x%llx,+0x%zx) "
	      "in_window=%d crosses_4g=%d guard_intact=%d", mode,
	      (unsigned long long)hint, len, (void *)p, (unsigned long long)hint, 2 * len,
	      in_window, ((uint64_t)p >> 32) != (((uint64_t)p + len - 1) >> 32), guard_intact);
	p[0] = 1;		/* the arena's first page, faulted in */
	wl_munmap(p, len, "arena");
	if (g && guard_intact)
		wl_munmap(g, page, "guard");
	close(fd);
	wl_gt("done");
	return 0;
}
