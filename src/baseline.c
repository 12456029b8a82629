// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * baseline.c - finding keys saved and judged again (baseline.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "findings.h"
#include "names.h"
#include "outfile.h"

#define HEADER "# ringledger-baseline/1"

/* Keys are words: anything but a printable non-blank byte becomes '?'. */
static void word(char *out, size_t len, const char *in, size_t max)
{
	size_t i;

	for (i = 0; i + 1 < len && i < max && in[i]; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

void rl_finding_key(const struct rl_finding *f, char *buf, size_t len)
{
	char who[RL_EXEC_NAME_LEN + 1];
	size_t off;

	if (f->owner_cmd[0])
		word(who, sizeof(who), f->owner_cmd, sizeof(f->owner_cmd));
	else if (f->owner_comm[0])
		word(who, sizeof(who), f->owner_comm, sizeof(f->owner_comm));
	else
		snprintf(who, sizeof(who), "-");
	off = (size_t)snprintf(buf, len, "%s command=%s", rl_finding_name(f->id), who);
	if (off < len && f->region)
		off += (size_t)snprintf(buf + off, len - off, " region=%s",
					rl_region_kind_name(f->region_kind));
	if (off < len && f->pin_set)
		snprintf(buf + off, len - off, " pin=%s", rl_pin_owner_name(f->pin_owner));
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(a, b);
}

int rl_baseline_save(const char *path, const struct rl_ledger *l, char *err, size_t len)
{
	size_t i, n = rl_ledger_nr_findings(l), k = 0;
	char (*keys)[RL_BASELINE_KEY_LEN] = calloc(n ? n : 1, sizeof(*keys));
	struct rl_outfile o;

	if (!keys) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct rl_finding *f = rl_ledger_finding(l, i);

		if (f->id != RL010)
			rl_finding_key(f, keys[k++], sizeof(keys[0]));
	}
	qsort(keys, k, sizeof(keys[0]), cmp_key);
	if (rl_outfile_open(&o, path, err, len)) {
		free(keys);
		return -1;
	}
	fprintf(o.f, "%s\n", HEADER);
	for (i = 0; i < k; i++)
		if (!i || strcmp(keys[i], keys[i - 1]))
			fprintf(o.f, "%s\n", keys[i]);
	free(keys);
	return rl_outfile_commit(&o, err, len) ? -1 : 0;
}

int rl_baseline_load(const char *path, struct rl_baseline *b, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[RL_BASELINE_KEY_LEN + 2];
	size_t cap = 0, lineno = 0;

	memset(b, 0, sizeof(*b));
	b->path = path;
	if (!f) {
		snprintf(err, len, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		lineno++;
		if (lineno == 1 && strncmp(line, HEADER, strlen(HEADER))) {
			snprintf(err, len, "%s is not a baseline (no '%s' first line)", path, HEADER);
			goto fail;
		}
		if ((line[n] != '\n' && !feof(f)) || n >= RL_BASELINE_KEY_LEN) {
			snprintf(err, len, "%s: line %zu is too long", path, lineno);
			goto fail;
		}
		line[n] = '\0';
		if (!n || line[0] == '#')
			continue;
		if (b->nr == cap) {
			size_t c = cap ? cap * 2 : 16;
			void *k = realloc(b->key, c * sizeof(*b->key)), *s;

			if (k)
				b->key = k;
			s = k ? realloc(b->seen, c * sizeof(*b->seen)) : NULL;
			if (!s) {
				snprintf(err, len, "out of memory");
				goto fail;
			}
			b->seen = s;
			cap = c;
		}
		memcpy(b->key[b->nr], line, n + 1);
		b->seen[b->nr++] = false;
	}
	if (!lineno) {
		snprintf(err, len, "%s is empty: not a baseline", path);
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	rl_baseline_free(b);
	return -1;
}

static long find(const struct rl_baseline *b, const struct rl_finding *f)
{
	char key[RL_BASELINE_KEY_LEN];
	size_t i;

	if (!b || f->id == RL010)
		return -1;
	rl_finding_key(f, key, sizeof(key));
	for (i = 0; i < b->nr; i++)
		if (!strcmp(b->key[i], key))
			return (long)i;
	return -1;
}

bool rl_baseline_knows(const struct rl_baseline *b, const struct rl_finding *f)
{
	return find(b, f) >= 0;
}

void rl_baseline_match(struct rl_baseline *b, const struct rl_ledger *l)
{
	size_t i, n = rl_ledger_nr_findings(l);
	long at;

	for (i = 0; b && i < n; i++)
		if ((at = find(b, rl_ledger_finding(l, i))) >= 0)
			b->seen[at] = true;
}

size_t rl_baseline_gone(const struct rl_baseline *b)
{
	size_t i, n = 0;

	for (i = 0; b && i < b->nr; i++)
		n += !b->seen[i];
	return n;
}

void rl_baseline_free(struct rl_baseline *b)
{
	free(b->key);
	free(b->seen);
	b->key = NULL;
	b->seen = NULL;
	b->nr = 0;
}
