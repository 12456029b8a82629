// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * addr.c - kernel addresses hashed per run (addr.h).
 *
 * The token of an address is a keyed permutation of the 64-bit values: a
 * Feistel network of RL_ADDR_ROUNDS rounds over the two 32-bit halves,
 * whose round function is the murmur3 finalizer (multiply-xorshift) of the
 * half XORed with that round's 64-bit key.  A Feistel network is a
 * bijection whatever its round function, so two addresses never share a
 * token.  To keep 0 as 0 (every field's "none"), the permutation P is
 * followed by the swap of 0 and P(0): T(0) = 0, T(v) = P(0) for the one v
 * that P sends to 0, T(v) = P(v) otherwise; still a bijection.
 *
 * The key never leaves the process, no pair of address and token is ever
 * printed, and a new run has a new key: what a reader of the output can
 * still see is which events name the same object, as intended.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include "addr.h"

static uint32_t round_fn(uint32_t half, uint64_t key)
{
	uint64_t h = key ^ half;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)(h >> 32);
}

static uint64_t permute(const struct rl_addr *a, uint64_t v)
{
	uint32_t l = (uint32_t)(v >> 32), r = (uint32_t)v, t;
	int i;

	for (i = 0; i < RL_ADDR_ROUNDS; i++) {
		t = r;
		r = l ^ round_fn(r, a->key[i]);
		l = t;
	}
	return (uint64_t)l << 32 | r;
}

static void finish_key(struct rl_addr *a)
{
	a->raw = false;
	a->zero_image = permute(a, 0);
}

int rl_addr_init(struct rl_addr *a, bool raw)
{
	size_t got = 0;
	ssize_t n;

	memset(a, 0, sizeof(*a));
	if (raw) {
		a->raw = true;
		return 0;
	}
	while (got < sizeof(a->key)) {
		n = getrandom((char *)a->key + got, sizeof(a->key) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	finish_key(a);
	return 0;
}

/* splitmix64: the round keys of a seed */
void rl_addr_init_seed(struct rl_addr *a, uint64_t seed)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < RL_ADDR_ROUNDS; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		a->key[i] = z ^ (z >> 31);
	}
	finish_key(a);
}

uint64_t rl_addr_hash(const struct rl_addr *a, uint64_t v)
{
	uint64_t p;

	if (!rl_addr_hashed(a))
		return v;
	p = permute(a, v);
	if (p == 0)
		return a->zero_image;
	return p == a->zero_image ? 0 : p;
}

/* "0x" and the digits of v (raw), or "k:" and 16 digits of its token */
const char *rl_addr_str(const struct rl_addr *a, uint64_t v, char buf[RL_ADDR_STRLEN])
{
	static const char digits[] = "0123456789abcdef";
	bool hashed = rl_addr_hashed(a) && v;
	int n = 16, i;

	if (hashed)
		v = rl_addr_hash(a, v);
	else
		while (n > 1 && !(v >> 4 * (n - 1)))
			n--;
	buf[0] = hashed ? 'k' : '0';
	buf[1] = hashed ? ':' : 'x';
	for (i = 0; i < n; i++)
		buf[2 + i] = digits[(v >> 4 * (n - 1 - i)) & 15];
	buf[2 + n] = '\0';
	return buf;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_word_char(char c)
{
	return hex_digit(c) >= 0 || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') ||
	       c == '_';
}

char *rl_addr_scrub(const struct rl_addr *a, const char *s, size_t max, char *out, size_t len)
{
	size_t i = 0, o = 0, n = strnlen(s, max);
	char tok[RL_ADDR_STRLEN];

	if (!len)
		return out;
	while (i < n && o + 1 < len) {
		size_t j = i + 2, k;
		uint64_t v = 0;

		if (rl_addr_hashed(a) && s[i] == '0' && i + 2 < n && s[i + 1] == 'x' &&
		    hex_digit(s[i + 2]) >= 0 && (!i || !is_word_char(s[i - 1]))) {
			while (j < n && hex_digit(s[j]) >= 0 && j - i - 2 < 16)
				v = v << 4 | (uint64_t)hex_digit(s[j++]);
			if ((j == n || !is_word_char(s[j])) &&
			    (v >> 63 || (i >= 4 && !memcmp(s + i - 4, "pfn ", 4)))) {
				rl_addr_str(a, v, tok);
				for (k = 0; tok[k] && o + 1 < len; k++)
					out[o++] = tok[k];
				i = j;
				continue;
			}
			/* not a kernel address: copy the number as it is */
			while (i < j && o + 1 < len)
				out[o++] = s[i++];
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}
