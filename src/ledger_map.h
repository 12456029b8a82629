/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ledger_map.h - the two containers the ledger is built on (private to the
 * ledger; see ledger_map.c):
 *
 *   struct rl_map   u64 key -> u64 value, open addressing with linear
 *                   probing and backward-shift deletion (no tombstones).
 *                   UINT64_MAX is the empty marker and cannot be a key.
 *   struct rl_pool  fixed-size records addressed by a u32 index, with a
 *                   free list.  Records move when the pool grows: hold
 *                   indices across allocations, never pointers.
 */
#ifndef RL_LEDGER_MAP_H
#define RL_LEDGER_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_MAP_EMPTY	UINT64_MAX
#define RL_NIL		UINT32_MAX	/* "no record" pool index */

struct rl_map_entry {
	uint64_t key;
	uint64_t val;
};

struct rl_map {
	struct rl_map_entry *e;
	size_t cap;		/* a power of two, or 0 before the first put */
	size_t nr;		/* keys stored; kept <= cap / 2               */
};

void rl_map_init(struct rl_map *m);
void rl_map_free(struct rl_map *m);
bool rl_map_get(const struct rl_map *m, uint64_t key, uint64_t *val);
/* Insert or replace.  0, -EINVAL for the reserved key, -ENOMEM. */
int rl_map_put(struct rl_map *m, uint64_t key, uint64_t val);
bool rl_map_del(struct rl_map *m, uint64_t key);
/* Iterate: for (i = 0; rl_map_next(m, &i, &k, &v); ) -- no puts/dels inside. */
bool rl_map_next(const struct rl_map *m, size_t *i, uint64_t *key, uint64_t *val);

struct rl_pool {
	unsigned char *items;
	unsigned char *used;	/* used[i] != 0: record i is live */
	size_t item_size;
	uint32_t nr;		/* records ever handed out (high-water mark) */
	uint32_t cap;
	uint32_t free_head;	/* RL_NIL when empty                         */
	uint32_t live;
};

void rl_pool_init(struct rl_pool *p, size_t item_size);
void rl_pool_free(struct rl_pool *p);
/* A zeroed record's index, or RL_NIL when out of memory. */
uint32_t rl_pool_alloc(struct rl_pool *p);
void rl_pool_release(struct rl_pool *p, uint32_t i);
static inline void *rl_pool_at(const struct rl_pool *p, uint32_t i)
{
	return p->items + (size_t)i * p->item_size;
}
static inline bool rl_pool_live(const struct rl_pool *p, uint32_t i)
{
	return i < p->nr && p->used[i];
}

#endif /* RL_LEDGER_MAP_H */
