// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * arena.c - the NOMMU build's malloc: memory taken from the kernel before
 * the command starts, never after (while the reserve lasts).
 *
 * Why: a bug of seed 000's kind frees a page that a user mapping still
 * aliases, and without an MMU the next mmap that the allocator hands that
 * page to BUG()s in mm/nommu.c's add_nommu_region (its start collides with
 * the stale mapping's).  musl's malloc maps a new group at the first use of
 * a size class (brk does not grow without an MMU), so the ledger's first
 * finding used to be the mmap that took the kernel down, before the
 * finding was printed (measured, tests/nommu/test.sh).  Here every block
 * comes from chunks mapped up front (rl_arena_reserve()): power-of-two
 * size classes with free lists, blocks past 1 MiB mapped on their own.
 * Single-threaded, like the tool.  Linked before musl's libc.a, these
 * definitions are the program's malloc.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "arena.h"

#define MIN_SHIFT	4
#define MAX_SHIFT	20			/* larger blocks: their own mmap */
#define CHUNK		(4UL << 20)		/* a NOMMU mmap is contiguous: <= 4 MiB */
#define BIG		0xff

struct hdr {			/* before every block; keeps 16-byte alignment */
	size_t size;		/* bytes of the block, header included */
	size_t cls;		/* size class (shift), or BIG */
};

struct free_block {
	struct free_block *next;
};

static struct free_block *free_list[MAX_SHIFT + 1];
static char *cur, *end;

static int grow(void)
{
	void *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	cur = p;
	end = cur + CHUNK;
	return 0;
}

int rl_arena_reserve(size_t bytes)
{
	if ((size_t)(end - cur) >= bytes)
		return 0;
	return bytes <= CHUNK ? grow() : -1;
}

void *malloc(size_t n)
{
	struct hdr *h;
	size_t cls;

	if (n > (1UL << MAX_SHIFT) - sizeof(*h)) {
		if (n > SIZE_MAX - sizeof(*h) - 4095) {
			errno = ENOMEM;
			return NULL;
		}
		h = mmap(NULL, n + sizeof(*h), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (h == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		h->size = n + sizeof(*h);
		h->cls = BIG;
		return h + 1;
	}
	for (cls = MIN_SHIFT; (1UL << cls) < n + sizeof(*h); cls++)
		;
	if (free_list[cls]) {
		h = (struct hdr *)free_list[cls];
		free_list[cls] = free_list[cls]->next;
	} else {
		if ((size_t)(end - cur) < (1UL << cls) && grow()) {
			errno = ENOMEM;
			return NULL;
		}
		h = (struct hdr *)cur;
		cur += 1UL << cls;
	}
	h->size = 1UL << cls;
	h->cls = cls;
	return h + 1;
}

void free(void *p)
{
	struct hdr *h = (struct hdr *)p - 1;
	struct free_block *b;

	if (!p)
		return;
	if (h->cls == BIG) {
		munmap(h, h->size);
		return;
	}
	b = (struct free_block *)h;
	b->next = free_list[h->cls];
	free_list[h->cls] = b;
}

size_t malloc_usable_size(void *p)
{
	return p ? ((struct hdr *)p - 1)->size - sizeof(struct hdr) : 0;
}

void *realloc(void *p, size_t n)
{
	size_t have = malloc_usable_size(p);
	void *q;

	if (p && n <= have)
		return p;
	q = malloc(n);
	if (q && p) {
		memcpy(q, p, have);
		free(p);
	}
	return q;
}

void *calloc(size_t a, size_t b)
{
	void *p;

	if (b && a > SIZE_MAX / b) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(a * b);
	/* keep the compiler from folding malloc + memset into a call to
	 * calloc: this one (measured: it recursed until the stack ran over
	 * the kernel's memory, which nothing guards without an MMU) */
	__asm__ volatile("" : : "r"(p) : "memory");
	if (p)
		memset(p, 0, a * b);
	return p;
}

/* 16-byte alignment is what every block has; nothing here asks more */
void *aligned_alloc(size_t align, size_t n)
{
	if (align > 16) {
		errno = EINVAL;
		return NULL;
	}
	return malloc(n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = aligned_alloc(align, n);

	if (!p)
		return errno;
	*out = p;
	return 0;
}
