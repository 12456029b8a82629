// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fuzz_replay.c - libFuzzer target for what `ringledger replay` does with a
 * file it did not write: the stream reader (src/event_read.c), the ledger
 * over whatever events parse, and the three report formats.  A malformed
 * stream must end in RL_READ_ERROR with a line number, never in a crash,
 * a sanitizer report or a leak.
 *
 *   make fuzz                      # FUZZ_SECS (default 60) from tests/replays
 *   build/fuzz/fuzz_replay DIR...  # libFuzzer's own options apply
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "event_text.h"
#include "ledger.h"
#include "report.h"

#define MAX_EVENTS	100000	/* a bound, so one input cannot run for long */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "we");
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rl_report_ctx rc = { .command = "fuzz", .child_status = -1 };
	struct rl_stream_reader *r;
	enum rl_read_status st = RL_READ_EVENT;
	struct rl_ledger *l;
	struct rl_event ev;
	unsigned n = 0;
	FILE *in, *out = devnull();

	if (!size || !out)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	r = rl_stream_open(in);
	l = rl_ledger_new(NULL);
	if (r && l) {
		while (n++ < MAX_EVENTS && (st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
			rl_report_text_event(out, &ev);
			rl_report_json_event(out, &ev);
			rl_ledger_feed(l, &ev);
		}
		if (st == RL_READ_ERROR && !strstr(rl_stream_error(r), "line "))
			__builtin_trap();	/* every error names its line */
		rl_ledger_finish(l, false);
		rc.verdict = rl_ledger_nr_findings(l) ? 1 : 0;
		rl_report_text(out, l, &rc);
		rl_report_json(out, l, &rc);
		rl_report_junit(out, l, &rc);
	}
	rl_ledger_free(l);
	if (r)
		rl_stream_close(r);
	fclose(in);
	return 0;
}
