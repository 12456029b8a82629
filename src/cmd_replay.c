// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_replay.c - `ringledger replay FILE`: the ledger over a recorded stream,
 * with no kernel involved.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "baseline.h"
#include "cli.h"
#include "event_text.h"
#include "ledger.h"
#include "outfile.h"
#include "report.h"
#include "report_html.h"
#include "timeline.h"

struct replay_args {
	const char *path;
	const char *json_path;
	const char *junit_path;
	const char *trace_json;
	const char *baseline, *diff;
	const char *html;
	uint32_t allow_mask;
	bool verbose;
	struct rl_output_opts out;
};

enum { OPT_JSON = 1000, OPT_JUNIT, OPT_ALLOW, OPT_TRACE_JSON, OPT_BASELINE, OPT_DIFF, OPT_HTML };

static const struct argp_option replay_options[] = {
	{ "json", OPT_JSON, "FILE", 0, "also write the report as JSON", 0 },
	{ "junit", OPT_JUNIT, "FILE", 0, "also write a JUnit XML report", 0 },
	{ "allow", OPT_ALLOW, "ID[,ID]", 0, "report these finding ids but do not fail on them", 0 },
	{ "trace-json", OPT_TRACE_JSON, "FILE", 0, "also write the run as a timeline (Chrome trace-event JSON: Perfetto UI opens it)", 0 },
	{ "baseline", OPT_BASELINE, "FILE", 0, "write this run's findings to FILE, as keys a later --diff knows", 0 },
	{ "diff", OPT_DIFF, "FILE", 0, "judge against the findings a --baseline run saved in FILE: those are known (shown, not counted), new ones fail, and those gone are listed", 0 },
	{ "html", OPT_HTML, "FILE", 0, "also write a self-contained HTML page: the verdict, and per finding a timeline of the objects involved and its evidence", 0 },
	{ "verbose", 'v', NULL, 0, "print every event", 0 },
	{},
};

static error_t replay_parse(int key, char *arg, struct argp_state *state)
{
	struct replay_args *a = state->input;

	switch (key) {
	case OPT_JSON: a->json_path = arg; return 0;
	case OPT_JUNIT: a->junit_path = arg; return 0;
	case OPT_TRACE_JSON: a->trace_json = arg; return 0;
	case OPT_BASELINE: a->baseline = arg; return 0;
	case OPT_DIFF: a->diff = arg; return 0;
	case OPT_HTML: a->html = arg; return 0;
	case 'v': a->verbose = true; return 0;
	case OPT_ALLOW:
		if (rl_parse_allow(arg, &a->allow_mask))
			rl_usage_error(state, "--allow takes finding ids like RL006,RL008, not '%s'", arg);
		return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->out;
		return 0;
	case ARGP_KEY_ARG:
		if (a->path)
			rl_usage_error(state, "replay takes one file, got '%s' too", arg);
		a->path = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->path)
			rl_usage_error(state, "missing FILE: the event stream written by `ringledger record`");
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char replay_doc[] =
"Run the ledger over an event stream written by `ringledger record` and\n"
"report as `check` would.  Needs no kernel and no privileges.\n"
"\n"
"Exit: 0 clean, 1 findings, 2 inconclusive (events lost, or the stream ends\n"
"without its end line), 3 unreadable or malformed file.\n"
"\n"
"Kernel addresses in the output are hashed with a key of this run, as in\n"
"`check`; --raw-addresses prints the stream's values.\n"
"\v"
"Examples:\n"
"  ringledger replay ring.events\n"
"  ringledger replay --json report.json ring.events\n";

int cmd_replay(int argc, char **argv)
{
	const struct argp_child children[] = { { &rl_output_argp, 0, "Output options:", 1 }, {} };
	const struct argp argp = { replay_options, replay_parse, "FILE", replay_doc, children, NULL,
				   NULL };
	struct rl_addr addr;
	struct replay_args a = {};
	struct rl_report_ctx rc = { .child_status = -1 };
	struct rl_stream_reader *r;
	struct rl_timeline *tl = NULL;
	struct rl_baseline known = {};
	struct rl_html *html = NULL;
	struct rl_outfile tlo;
	struct rl_ledger *l;
	enum rl_read_status st;
	struct rl_event ev;
	char why[256] = "", err[512];
	int ret = RL_EXIT_ERROR;
	FILE *f;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return RL_EXIT_ERROR;
	if (rl_output_setup(&a.out, &addr, &rc.color))
		return RL_EXIT_ERROR;
	rc.addr = &addr;
	f = fopen(a.path, "re");
	if (!f) {
		rl_err("replay: cannot open %s: %s", a.path, strerror(errno));
		return RL_EXIT_ERROR;
	}
	r = rl_stream_open(f);
	l = rl_ledger_new(NULL);
	if (!r || !l) {
		rl_err("replay: %s: %s", a.path, r ? "out of memory" : "not an event stream "
		       "(no 'ringledger-events v1' first line)");
		goto cleanup;
	}
	if (a.trace_json) {
		if (rl_outfile_open(&tlo, a.trace_json, err, sizeof(err))) {
			rl_err("--trace-json: %s", err);
			goto cleanup;
		}
		tl = rl_timeline_new(tlo.f, &addr);
		if (!tl) {
			rl_err("--trace-json: out of memory");
			rl_outfile_abort(&tlo);
			goto cleanup;
		}
	}
	if (a.html && !(html = rl_html_new(&addr))) {
		rl_err("--html: out of memory");
		goto cleanup;
	}
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
		if (html)
			rl_html_event(html, &ev);
		if (a.verbose)
			rl_report_text_event_addr(stdout, &ev, &addr);
		rl_ledger_feed(l, &ev);
		if (tl)
			rl_timeline_event(tl, &ev);
	}
	if (st == RL_READ_ERROR) {
		rl_err("replay: %s: %s", a.path, rl_stream_error(r));
		goto cleanup;
	}
	rl_ledger_finish(l, false);
	if (tl) {
		rl_timeline_finish(tl, l);
		tl = NULL;
		if (rl_outfile_commit(&tlo, err, sizeof(err))) {
			rl_err("--trace-json: %s", err);
			goto cleanup;
		}
	}
	rc.command = a.path;
	rc.allow_mask = a.allow_mask;
	if (st == RL_READ_TRUNCATED)
		snprintf(why, sizeof(why), "the stream ends without its end line: it was cut short");
	rl_why_add_losses(l, why, sizeof(why));
	rc.inconclusive_why = why[0] ? why : NULL;
	if (a.diff) {
		if (rl_baseline_load(a.diff, &known, err, sizeof(err))) {
			rl_err("--diff: %s; give a file --baseline wrote", err);
			goto cleanup;
		}
		rl_baseline_match(&known, l);
		rc.known = &known;
	}
	rc.verdict = rl_verdict(l, &rc, st == RL_READ_TRUNCATED);
	rl_report_text(stdout, l, &rc);
	ret = rc.verdict;
	if (a.json_path && rl_write_report(a.json_path, l, &rc, rl_report_json))
		ret = RL_EXIT_ERROR;
	if (a.junit_path && rl_write_report(a.junit_path, l, &rc, rl_report_junit))
		ret = RL_EXIT_ERROR;
	if (a.html && rl_write_html(a.html, html, l, &rc))
		ret = RL_EXIT_ERROR;
	if (a.baseline && rl_baseline_save(a.baseline, l, err, sizeof(err))) {
		rl_err("--baseline: %s", err);
		ret = RL_EXIT_ERROR;
	}
cleanup:
	rl_html_free(html);
	rl_baseline_free(&known);
	if (tl) {
		rl_timeline_finish(tl, NULL);
		rl_outfile_abort(&tlo);
	}
	rl_ledger_free(l);
	if (r)
		rl_stream_close(r);
	fclose(f);
	return ret;
}
