/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * addr.h - kernel addresses as every output prints them: hashed per run
 * (the habit of kptr_restrict and %pK) unless --raw-addresses.
 *
 * One key per run, from getrandom(2).  rl_addr_str() is the one place a
 * kernel address (a pointer, a pfn, a stack frame) becomes text: raw hex,
 * or a token "k:" + 16 hex digits that cannot be read as an address.  The
 * token is a keyed bijection of the 64-bit value: the same address gives
 * the same token everywhere in one run, two addresses never share one, and
 * 0 (the "none" of every field) stays 0.  Which fields hold kernel
 * addresses is said once, by their format in RL_EVENT_TYPES
 * (include/rl_events.h: KPTR and PFN).
 */
#ifndef RL_ADDR_H
#define RL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_ADDR_ROUNDS	6	/* Feistel rounds of the mix */
/* bytes of the longest printed form: "0x" or "k:" + 16 digits + NUL */
#define RL_ADDR_STRLEN	19

struct rl_addr {
	bool raw;			/* --raw-addresses: print values as they are */
	uint64_t key[RL_ADDR_ROUNDS];	/* round keys                               */
	uint64_t zero_image;		/* the permutation's image of 0 (see addr.c) */
};

/* A run's key: random (getrandom), or raw.  0, or -errno when the kernel
 * gives no randomness (the caller stops: no output without its key). */
int rl_addr_init(struct rl_addr *a, bool raw);
/* A key from a seed (tests, reproducible runs). */
void rl_addr_init_seed(struct rl_addr *a, uint64_t seed);

/* The value a kernel address stands as: v itself when a is NULL or raw,
 * else its token (a bijection of the 64-bit values that keeps 0). */
uint64_t rl_addr_hash(const struct rl_addr *a, uint64_t v);
/* The printed form of a kernel address: "0x<hex>" raw (and for 0),
 * "k:<16 hex>" hashed.  Writes buf (RL_ADDR_STRLEN bytes) and returns it. */
const char *rl_addr_str(const struct rl_addr *a, uint64_t v, char buf[RL_ADDR_STRLEN]);
/* Whether a prints addresses hashed. */
static inline bool rl_addr_hashed(const struct rl_addr *a)
{
	return a && !a->raw;
}

/* Free text that was formatted with raw addresses (a finding's evidence, a
 * symbol the symbolizer could not name): copies s (at most max bytes, up to
 * its NUL) to out with every "0x<hex>" that is a kernel address turned into
 * its printed form.  A kernel address there is a value in the kernel half
 * (bit 63 set: every x86-64 kernel pointer, never a user address) or the
 * number after "pfn ".  Returns out (always NUL-terminated). */
char *rl_addr_scrub(const struct rl_addr *a, const char *s, size_t max, char *out, size_t len);

#endif /* RL_ADDR_H */
