// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ledger_map.c - u64 hash map and record pool for the ledger.
 *
 * The map is linear probing over a power-of-two table kept at most half
 * full.  Deletion shifts the following entries of the probe run back, so
 * lookups never meet tombstones and the table does not rot over a long
 * trace.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ledger_map.h"

#define MAP_MIN_CAP 16

/* splitmix64's finaliser: kernel pointers and pfns differ in few bits */
static inline uint64_t hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void rl_map_init(struct rl_map *m)
{
	m->e = NULL;
	m->cap = 0;
	m->nr = 0;
}

void rl_map_free(struct rl_map *m)
{
	free(m->e);
	rl_map_init(m);
}

/* Index of key's entry, or of the empty entry where it would go. */
static size_t map_find(const struct rl_map *m, uint64_t key)
{
	size_t mask = m->cap - 1;
	size_t i = hash_u64(key) & mask;

	while (m->e[i].key != RL_MAP_EMPTY && m->e[i].key != key)
		i = (i + 1) & mask;
	return i;
}

bool rl_map_get(const struct rl_map *m, uint64_t key, uint64_t *val)
{
	size_t i;

	if (!m->cap || key == RL_MAP_EMPTY)
		return false;
	i = map_find(m, key);
	if (m->e[i].key != key)
		return false;
	if (val)
		*val = m->e[i].val;
	return true;
}

static int map_grow(struct rl_map *m)
{
	size_t new_cap = m->cap ? m->cap * 2 : MAP_MIN_CAP;
	struct rl_map old = *m;
	size_t i;

	m->e = malloc(new_cap * sizeof(*m->e));
	if (!m->e) {
		*m = old;
		return -ENOMEM;
	}
	for (i = 0; i < new_cap; i++)
		m->e[i].key = RL_MAP_EMPTY;
	m->cap = new_cap;
	for (i = 0; i < old.cap; i++) {
		if (old.e[i].key != RL_MAP_EMPTY)
			m->e[map_find(m, old.e[i].key)] = old.e[i];
	}
	free(old.e);
	return 0;
}

int rl_map_put(struct rl_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (key == RL_MAP_EMPTY)
		return -EINVAL;
	if ((m->nr + 1) * 2 > m->cap && map_grow(m))
		return -ENOMEM;
	i = map_find(m, key);
	if (m->e[i].key == RL_MAP_EMPTY)
		m->nr++;
	m->e[i].key = key;
	m->e[i].val = val;
	return 0;
}

/* Is home slot h outside the cyclic interval (hole, j]?  Then the entry
 * at j may move back into the hole without leaving its probe run. */
static inline bool may_fill_hole(size_t h, size_t hole, size_t j)
{
	if (hole <= j)
		return h <= hole || h > j;
	return h <= hole && h > j;
}

bool rl_map_del(struct rl_map *m, uint64_t key)
{
	size_t mask, hole, j;

	if (!m->cap || key == RL_MAP_EMPTY)
		return false;
	mask = m->cap - 1;
	hole = map_find(m, key);
	if (m->e[hole].key != key)
		return false;
	for (j = (hole + 1) & mask; m->e[j].key != RL_MAP_EMPTY; j = (j + 1) & mask) {
		size_t h = hash_u64(m->e[j].key) & mask;

		if (may_fill_hole(h, hole, j)) {
			m->e[hole] = m->e[j];
			hole = j;
		}
	}
	m->e[hole].key = RL_MAP_EMPTY;
	m->nr--;
	return true;
}

bool rl_map_next(const struct rl_map *m, size_t *i, uint64_t *key, uint64_t *val)
{
	for (; *i < m->cap; (*i)++) {
		if (m->e[*i].key == RL_MAP_EMPTY)
			continue;
		*key = m->e[*i].key;
		*val = m->e[*i].val;
		(*i)++;
		return true;
	}
	return false;
}

void rl_pool_init(struct rl_pool *p, size_t item_size)
{
	memset(p, 0, sizeof(*p));
	p->item_size = item_size < sizeof(uint32_t) ? sizeof(uint32_t) : item_size;
	p->free_head = RL_NIL;
}

void rl_pool_free(struct rl_pool *p)
{
	free(p->items);
	free(p->used);
	rl_pool_init(p, p->item_size);
}

static int pool_grow(struct rl_pool *p)
{
	uint32_t new_cap = p->cap ? p->cap * 2 : 16;
	unsigned char *items, *used;

	if (new_cap <= p->cap || new_cap == RL_NIL)
		return -ENOMEM;
	items = realloc(p->items, (size_t)new_cap * p->item_size);
	if (!items)
		return -ENOMEM;
	p->items = items;
	used = realloc(p->used, new_cap);
	if (!used)
		return -ENOMEM;
	p->used = used;
	p->cap = new_cap;
	return 0;
}

uint32_t rl_pool_alloc(struct rl_pool *p)
{
	uint32_t i;

	if (p->free_head != RL_NIL) {
		i = p->free_head;
		memcpy(&p->free_head, rl_pool_at(p, i), sizeof(uint32_t));
	} else {
		if (p->nr == p->cap && pool_grow(p))
			return RL_NIL;
		i = p->nr++;
	}
	memset(rl_pool_at(p, i), 0, p->item_size);
	p->used[i] = 1;
	p->live++;
	return i;
}

void rl_pool_release(struct rl_pool *p, uint32_t i)
{
	if (!rl_pool_live(p, i))
		return;
	p->used[i] = 0;
	memcpy(rl_pool_at(p, i), &p->free_head, sizeof(uint32_t));
	p->free_head = i;
	p->live--;
}
