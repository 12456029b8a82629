// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ledger_replay DIR - the ledger and its rules on the NOMMU target.
 *
 * Every *.events stream in DIR, in name order, through the same plain C
 * that `ringledger replay` runs (src/event_read.c, the ledger, the rules,
 * the text and JSON reports): for each, "== NAME", the text report and the
 * JSON report.  Built twice from one source, for this host (glibc) and for
 * the riscv64 NOMMU guest (musl, static PIE); tests/nommu/test.sh runs both
 * over tests/replays/ and wants the two outputs byte for byte the same.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_text.h"
#include "ledger.h"
#include "report.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *dir, const char *name)
{
	struct rl_report_ctx rc = { .command = name, .child_status = -1 };
	struct rl_stream_reader *r;
	enum rl_read_status st;
	struct rl_ledger *l;
	struct rl_event ev;
	char path[4096];
	FILE *in;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = fopen(path, "r");
	if (!in) {
		perror(path);
		return 1;
	}
	r = rl_stream_open(in);
	l = rl_ledger_new(NULL);
	if (!r || !l) {
		fprintf(stderr, "%s: cannot open the stream or make a ledger\n", path);
		return 1;
	}
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT)
		rl_ledger_feed(l, &ev);
	printf("== %s\n", name);
	if (st == RL_READ_ERROR)
		printf("read error: %s\n", rl_stream_error(r));
	rl_ledger_finish(l, false);
	rc.verdict = rl_ledger_nr_findings(l) ? 1 : 0;
	rl_report_text(stdout, l, &rc);
	rl_report_json(stdout, l, &rc);
	rl_ledger_free(l);
	rl_stream_close(r);
	fclose(in);
	return 0;
}

int main(int argc, char **argv)
{
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *d;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: ledger_replay DIR\n");
		return 2;
	}
	d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 8 || strcmp(de->d_name + len - 7, ".events"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n] = strdup(de->d_name))) {
			fprintf(stderr, "ledger_replay: out of memory\n");
			return 1;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		bad |= replay(argv[1], names[i]);
		free(names[i]);
	}
	free(names);
	printf("== %zu streams\n", n);
	return bad;
}
