// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dump_events.c - every event of a recorded stream in each of its formats:
 * the stream line, the human line (`trace`, `check -v`) and the JSON line
 * (`trace --json`).  tests/golden/run.sh compares its output for every
 * replay with the copy kept in tests/golden/expected/, so a change that
 * means to keep behaviour (a refactor) shows any byte it moves.  Kernel
 * addresses are printed raw (a hashed token changes with every run).
 */
#include <stdio.h>
#include "addr.h"
#include "event_text.h"
#include "report.h"

int main(int argc, char **argv)
{
	struct rl_stream_reader *r;
	struct rl_event ev;
	enum rl_read_status st;
	struct rl_addr raw;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: dump_events FILE.events\n");
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
