// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ksyms.c - a sorted table of kernel text symbols, searched by address. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct rl_ksym {
	uint64_t addr;
	char *name;
};

struct rl_ksyms {
	struct rl_ksym *syms;
	size_t nr, cap;
};

static int ksym_cmp(const void *a, const void *b)
{
	const struct rl_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct rl_ksyms *rl_ksyms_load(const char *path)
{
	struct rl_ksyms *k = calloc(1, sizeof(*k));
	char line[512], name[256], type;
	unsigned long long addr;
	FILE *f;

	if (!k)
		return NULL;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f) {
		free(k);
		return NULL;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3)
			continue;
		if (!addr || (type != 't' && type != 'T'))
			continue;
		if (k->nr == k->cap) {
			size_t cap = k->cap ? k->cap * 2 : 65536;
			struct rl_ksym *n = realloc(k->syms, cap * sizeof(*n));

			if (!n)
				break;
			k->syms = n;
			k->cap = cap;
		}
		k->syms[k->nr].addr = addr;
		k->syms[k->nr].name = strdup(name);
		if (k->syms[k->nr].name)
			k->nr++;
	}
	fclose(f);
	qsort(k->syms, k->nr, sizeof(*k->syms), ksym_cmp);
	return k;
}

void rl_ksyms_free(struct rl_ksyms *k)
{
	size_t i;

	if (!k)
		return;
	for (i = 0; i < k->nr; i++)
		free(k->syms[i].name);
	free(k->syms);
	free(k);
}

const char *rl_ksyms_format(const struct rl_ksyms *k, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = k ? k->nr : 0;

	/* the last symbol at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo) {
		snprintf(buf, len, "0x%" PRIx64, addr);
		return buf;
	}
	snprintf(buf, len, "%s+0x%" PRIx64, k->syms[lo - 1].name, addr - k->syms[lo - 1].addr);
	return buf;
}

const char *rl_ksyms_lazy_symbolize(uint64_t addr, char *buf, size_t len, void *cookie)
{
	struct rl_ksyms_lazy *l = cookie;

	if (!l->tried) {
		l->tried = true;
		l->k = rl_ksyms_load(l->path);
	}
	return l->k ? rl_ksyms_format(l->k, addr, buf, len) : NULL;
}

void rl_ksyms_lazy_free(struct rl_ksyms_lazy *l)
{
	rl_ksyms_free(l->k);
	memset(l, 0, sizeof(*l));
}
