// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_timeline.c - `--trace-json` (src/timeline.c) under the sanitizers:
 * a stream with a ring, its regions, a mapping and a pin set, one region
 * left alive, and a hostile process name; the file parses as JSON, each
 * object is one slice begun and ended, the one alive at the end is closed
 * there, no kernel pointer is written raw.  tests/cli/host.sh reads every
 * replay's timeline back the way Perfetto does (trace_json_check.py).
 * The HTML page of a breaking replay: one picture per finding, the break
 * and the setup marked, nothing that runs or loads (tests/cli/html.sh
 * loads it in Chromium).
 */
#include "tests.h"
#include "json_check.h"
#include "timeline.h"
#include "report_html.h"

static const char stream[] =
	"ringledger-events v1\n"
	"region_create ts=1000 pid=7 tid=7 comm=a\"b\\x5cc region=0xffff88800000a000 kind=rings nr_pages=2\n"
	"region_create ts=2000 pid=7 tid=7 comm=a\"b\\x5cc region=0xffff88800000b000 kind=sqes nr_pages=1\n"
	"ctx_create ts=3000 pid=7 tid=7 comm=a\"b\\x5cc ctx=0xffff88800000c000\n"
	"mmap ts=4000 pid=7 tid=7 comm=a\"b\\x5cc ctx=0xffff88800000c000 vma=0xffff88800000d000 start=0x7f0000000000 end=0x7f0000001000 pgoff=0x10000\n"
	"pin ts=5000 pid=7 tid=7 comm=a\"b\\x5cc key=3 owner=buffer nr_pages=1 count=1 pfn=0x1 npins=1 backing=anon\n"
	"unpin ts=6000 pid=7 tid=7 comm=a\"b\\x5cc key=3 owner=buffer count=1 pfn=0x1 npins=1 flags=0x3\n"
	"vma_remove ts=7000 pid=7 tid=7 comm=a\"b\\x5cc vma=0xffff88800000d000\n"
	"region_free ts=8000 pid=1 tid=1 comm=kworker region=0xffff88800000a000 kind=rings\n"
	"ctx_dead ts=9000 pid=1 tid=1 comm=kworker ctx=0xffff88800000c000\n"
	"end events=9\n";

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

int main(void)
{
	FILE *in = fmemopen((void *)stream, strlen(stream), "r");
	struct rl_stream_reader *r = rl_stream_open(in);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct rl_timeline *tl;
	struct rl_addr addr;
	struct rl_event ev;

	rl_addr_init_seed(&addr, 42);
	tl = rl_timeline_new(f, &addr);
	while (rl_stream_next(r, &ev) == RL_READ_EVENT)
		rl_timeline_event(tl, &ev);
	rl_timeline_finish(tl, NULL);
	fclose(f);
	rl_stream_close(r);
	fclose(in);

	T_OK(json_valid(out), "the timeline parses as JSON");
	T_EQ_I("5 slices begun (ring, 2 regions, mapping, pin set)", count(out, "\"ph\":\"b\""), 5);
	T_EQ_I("5 ended", count(out, "\"ph\":\"e\""), 5);
	T_EQ_I("one closed at the end (the sqes region)", count(out, "\"open_at_end\":true"), 1);
	T_CONTAINS("the ring is a slice", out, "\"ph\":\"b\",\"cat\":\"ring\",\"name\":\"ring\",\"id\":\"3\",\"pid\":7,\"tid\":7,\"ts\":3.000");
	T_CONTAINS("its end, in the creator's process (a kworker freed it)", out,
		   "\"ph\":\"e\",\"cat\":\"ring\",\"name\":\"ring\",\"id\":\"3\",\"pid\":7,\"tid\":7,\"ts\":9.000}");
	T_CONTAINS("the mapping names its kind", out, "\"name\":\"mapping sqes\"");
	T_CONTAINS("the pin set its owner", out, "\"name\":\"pin set (buffer 0)\"");
	T_CONTAINS("the process is named, its name escaped", out,
		   "\"name\":\"process_name\",\"pid\":7,\"tid\":7,\"args\":{\"name\":\"a\\\"b\\\\c\"}");
	T_OK(!strstr(out, "ffff888"), "no kernel pointer written raw");
	T_EQ_I("the kworker that freed it gets no slice of its own", count(out, "\"pid\":1,"), 0);
	free(out);

	{
		struct rl_ledger *l = t_replay("fork_break", false);
		FILE *ev_in = fopen("tests/replays/fork_break.events", "r");
		struct rl_stream_reader *rr = rl_stream_open(ev_in);
		struct rl_html *h = rl_html_new(&addr);
		struct rl_report_ctx rc = { .child_status = -1, .verdict = 1, .addr = &addr };
		char *page = NULL;
		size_t plen = 0;
		FILE *pf = open_memstream(&page, &plen);

		while (rl_stream_next(rr, &ev) == RL_READ_EVENT)
			rl_html_event(h, &ev);
		rl_html_write(pf, h, l, &rc);
		fclose(pf);
		T_EQ_I("--html: one picture per finding", count(page, "<svg class=\"timeline\""),
		       (int)rl_ledger_nr_findings(l));
		T_EQ_I("... each with the break marked", count(page, ">broke the rule</text>"),
		       (int)rl_ledger_nr_findings(l));
		T_CONTAINS("... the evidence beside", page, "<pre class=\"evidence\">RL0");
		T_OK(!strstr(page, "<script") && !strstr(page, " src="), "... nothing that runs or loads");
		T_OK(!strstr(page, "ffff888"), "... no kernel pointer raw");
		free(page);
		rl_html_free(h);
		rl_stream_close(rr);
		fclose(ev_in);
		rl_ledger_free(l);
	}
	return t_done();
}
