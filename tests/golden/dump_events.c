// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dump_events.c - every event of a recorded stream in each of its formats:
 * the stream line, the human line (`trace`, `check -v`) and the JSON line
 * (`trace --json`).  tests/golden/run.sh compares its output for every
 * replay with the copy kept in tests/golden/expected/, so a change that
 * means to keep behaviour (a refactor) shows any byte it moves.  Kernel
 * addresses are printed raw (a hashed token changes with every run).
 *
 * dump_events --restream FILE writes the stream again as this writer
 * writes it (the current version, raw addresses), keeping the comment lines
 * that come before its first event: the v2 twins of tests/replays/ are
 * made and checked with it.
 */
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "event_text.h"
#include "report.h"

/* The comment lines between the header and the first event. */
static void copy_leading_comments(FILE *f)
{
	char line[8192];

	if (!fgets(line, sizeof(line), f))
		return;
	while (fgets(line, sizeof(line), f) && line[0] == '#')
		fputs(line, stdout);
	rewind(f);
}

static int restream(FILE *f)
{
	unsigned long long n = 0;
	struct rl_stream_reader *r;
	enum rl_read_status st;
	struct rl_event ev;
	struct rl_addr raw;

	rl_addr_init(&raw, true);
	rl_stream_write_header(stdout);
	copy_leading_comments(f);
	r = rl_stream_open(f);
	if (!r)
		return 3;
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
		rl_stream_write_event_addr(stdout, &ev, &raw);
		n++;
	}
	if (st != RL_READ_END) {
		fprintf(stderr, "dump_events: %s\n", rl_stream_error(r) ? rl_stream_error(r) : "read error");
		rl_stream_close(r);
		return 1;
	}
	rl_stream_write_trailer(stdout, n);
	rl_stream_close(r);
	return 0;
}

int main(int argc, char **argv)
{
	struct rl_stream_reader *r;
	struct rl_event ev;
	enum rl_read_status st;
	struct rl_addr raw;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--restream")) {
		int ret;

		if (!(f = fopen(argv[2], "r"))) {
			perror(argv[2]);
			return 3;
		}
		ret = restream(f);
		fclose(f);
		return ret;
	}
	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: dump_events [--restream] FILE.events\n");
		return 3;
	}
	rl_addr_init(&raw, true);
	r = rl_stream_open(f);
	if (!r)
		return 3;
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
		printf("stream: ");
		rl_stream_write_event_addr(stdout, &ev, &raw);
		printf("text:   ");
		rl_report_text_event_addr(stdout, &ev, &raw);
		printf("json:   ");
		rl_report_json_event_addr(stdout, &ev, &raw);
	}
	printf("end: status %d line %lu %s\n", (int)st, rl_stream_line(r),
	       rl_stream_error(r) ? rl_stream_error(r) : "");
	rl_stream_close(r);
	fclose(f);
	return 0;
}
