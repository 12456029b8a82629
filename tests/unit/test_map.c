// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_map.c - the ledger's hash map and record pool against a plain
 * reference model, through growth and backward-shift deletions.
 */
#include <errno.h>
#include "tests.h"
#include "ledger_map.h"

#define KEYS 4096

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_map_model(void)
{
	static uint64_t model[KEYS];	/* 0: absent, else value + 1 */
	struct rl_map m;
	uint64_t x = 88172645463325252ULL, v, k;
	size_t i, mismatches = 0, live = 0, seen = 0, it = 0;

	rl_map_init(&m);
	T_OK(!rl_map_get(&m, 1, &v), "empty map has nothing");
	T_OK(!rl_map_del(&m, 1), "empty map deletes nothing");
	for (i = 0; i < 300000; i++) {
		/* keys spread like pfns and pointers: clustered, low bits alike */
		uint64_t r = next_rand(&x), key = 0xffff888100000000ULL + (r % KEYS) * 64;
		size_t slot = (size_t)(r % KEYS);

		switch ((r >> 32) % 3) {
		case 0:
			rl_map_put(&m, key, r >> 8);
			model[slot] = (r >> 8) + 1;
			break;
		case 1:
			if (rl_map_del(&m, key) != (model[slot] != 0))
				mismatches++;
			model[slot] = 0;
			break;
		default:
			if (rl_map_get(&m, key, &v) != (model[slot] != 0) ||
			    (model[slot] && v != model[slot] - 1))
				mismatches++;
		}
	}
	for (i = 0; i < KEYS; i++) {
		uint64_t key = 0xffff888100000000ULL + i * 64;

		live += model[i] != 0;
		if (rl_map_get(&m, key, &v) != (model[i] != 0) || (model[i] && v != model[i] - 1))
			mismatches++;
	}
	T_EQ_U("map agrees with the model over 300000 operations", mismatches, 0);
	T_EQ_U("map counts its keys", m.nr, live);
	while (rl_map_next(&m, &it, &k, &v))
		seen++;
	T_EQ_U("iteration visits every key once", seen, live);
	T_EQ_I("the empty marker is no key", rl_map_put(&m, RL_MAP_EMPTY, 1), -EINVAL);
	T_OK(!rl_map_get(&m, RL_MAP_EMPTY, &v), "the empty marker is never found");
	T_OK(rl_map_put(&m, 0, 5) == 0 && rl_map_get(&m, 0, &v) && v == 5, "key 0 works");
	rl_map_free(&m);
}

struct rec {
	uint64_t a, b;
};

static void test_pool(void)
{
	struct rl_pool p;
	uint32_t i, first, again;
	struct rec *r;

	rl_pool_init(&p, sizeof(struct rec));
	first = rl_pool_alloc(&p);
	r = rl_pool_at(&p, first);
	r->a = 42;
	for (i = 0; i < 1000; i++)
		rl_pool_alloc(&p);
	T_EQ_U("pool: records survive growth", ((struct rec *)rl_pool_at(&p, first))->a, 42);
	T_EQ_U("pool: live count", p.live, 1001);
	rl_pool_release(&p, 500);
	rl_pool_release(&p, 500);
	T_EQ_U("pool: double release is harmless", p.live, 1000);
	T_OK(!rl_pool_live(&p, 500), "pool: released record is not live");
	again = rl_pool_alloc(&p);
	T_EQ_U("pool: a released index is reused", again, 500);
	T_EQ_U("pool: reused records are zeroed", ((struct rec *)rl_pool_at(&p, again))->a, 0);
	T_OK(!rl_pool_live(&p, 5000), "pool: out of range is not live");
	rl_pool_free(&p);
}

int main(void)
{
	test_map_model();
	test_pool();
	return t_done();
}
