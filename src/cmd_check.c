// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_check.c - `ringledger check -- CMD` (CI assertion) and
 * `ringledger record -o FILE -- CMD` (the same run, written to a file).
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "cli.h"
#include "event_text.h"
#include "ksyms.h"
#include "ledger.h"
#include "loader.h"
#include "report.h"
#include "report_html.h"
#include "timeline.h"
#include "outfile.h"
#include "run_cmd.h"
#include "signals.h"
#include "user.h"

struct check_args {
	struct rl_common_opts common;
	const char *json_path;
	const char *junit_path;
	const char *out_path;		/* record */
	const char *user;		/* --user: run CMD as this account */
	uint32_t allow_mask;
	int settle_ms;
	bool record;
	bool print_events;
	const char *trace_json;		/* --trace-json: the timeline file  */
	const char *baseline, *diff;	/* --baseline, --diff (baseline.h)   */
	const char *html;		/* --html (report_html.h)           */
	struct rl_output_opts out;
};

enum { OPT_JSON = 1000, OPT_JUNIT, OPT_ALLOW, OPT_SETTLE, OPT_USER, OPT_TRACE_JSON, OPT_BASELINE,
       OPT_DIFF, OPT_HTML };

static const struct argp_option check_options[] = {
	{ "json", OPT_JSON, "FILE", 0, "also write the report as JSON (schema ringledger-report/1)", 0 },
	{ "junit", OPT_JUNIT, "FILE", 0, "also write a JUnit XML report, one testcase per finding id and one per command with findings", 0 },
	{ "allow", OPT_ALLOW, "ID[,ID]", 0, "report these finding ids but do not fail on them", 0 },
	{ "settle", OPT_SETTLE, "SECS", 0, "wait at most SECS for io_uring's teardown after CMD exits (default 10)", 0 },
	{ "verbose", 'v', NULL, 0, "print every lifecycle event as it happens", 0 },
	{ "user", OPT_USER, "NAME", 0, "run CMD as this user (name or uid, from /etc/passwd), not as root", 0 },
	{ "trace-json", OPT_TRACE_JSON, "FILE", 0, "also write the run as a timeline (Chrome trace-event JSON: Perfetto UI opens it)", 0 },
	{ "baseline", OPT_BASELINE, "FILE", 0, "write this run's findings to FILE, as keys a later --diff knows", 0 },
	{ "diff", OPT_DIFF, "FILE", 0, "judge against the findings a --baseline run saved in FILE: those are known (shown, not counted), new ones fail, and those gone are listed", 0 },
	{ "html", OPT_HTML, "FILE", 0, "also write a self-contained HTML page: the verdict, and per finding a timeline of the objects involved and its evidence", 0 },
	{},
};

static const struct argp_option record_options[] = {
	{ "output", 'o', "FILE", 0, "write the event stream here (required)", 0 },
	{ "settle", OPT_SETTLE, "SECS", 0, "wait at most SECS for io_uring's teardown after CMD exits (default 10)", 0 },
	{ "user", OPT_USER, "NAME", 0, "run CMD as this user (name or uid, from /etc/passwd), not as root", 0 },
	{ "trace-json", OPT_TRACE_JSON, "FILE", 0, "also write the run as a timeline (Chrome trace-event JSON: Perfetto UI opens it)", 0 },
	{},
};

static error_t check_parse(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;
	char *end;
	double secs;

	switch (key) {
	case OPT_JSON: a->json_path = arg; return 0;
	case OPT_JUNIT: a->junit_path = arg; return 0;
	case 'o': a->out_path = arg; return 0;
	case 'v': a->print_events = true; return 0;
	case OPT_USER: a->user = arg; return 0;
	case OPT_TRACE_JSON: a->trace_json = arg; return 0;
	case OPT_BASELINE: a->baseline = arg; return 0;
	case OPT_DIFF: a->diff = arg; return 0;
	case OPT_HTML: a->html = arg; return 0;
	case OPT_ALLOW:
		if (rl_parse_allow(arg, &a->allow_mask))
			rl_usage_error(state, "--allow takes finding ids like RL006,RL008, not '%s'", arg);
		return 0;
	case OPT_SETTLE:
		secs = strtod(arg, &end);
		if (*end || secs < 0 || secs > 3600)
			rl_usage_error(state, "--settle takes seconds between 0 and 3600, not '%s'", arg);
		a->settle_ms = secs * 1000;
		return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		state->child_inputs[1] = &a->out;
		return 0;
	case ARGP_KEY_ARG:
		rl_usage_error(state, "unexpected argument '%s'; the command goes after --", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char check_doc[] =
"Run CMD (and every process it starts) under the ledger, wait for io_uring to\n"
"tear its rings down, and report what broke the rules.\n"
"\n"
"Exit: 0 clean, 1 findings, 2 inconclusive (events lost, hooks missing, or a\n"
"ring that never died), 3 tool error.  CMD's own exit status is reported,\n"
"never returned.\n"
"\n"
"Kernel addresses (pointers, pfns, stack frames) are hashed with a key of this\n"
"run in every output, stable within it; --raw-addresses prints them.\n"
"\v"
"Examples:\n"
"  ringledger check -- ./my-io_uring-test\n"
"  ringledger check --junit report.xml --allow RL008 -- make check\n"
"  ringledger check --user nobody -- ./my-io_uring-test\n";

static const char record_doc[] =
"Run CMD like `check` does and write the raw event stream to FILE, for\n"
"`ringledger replay` on any machine.  Kernel pointers in it are hashed with a\n"
"key of this run (replay judges them the same); pfns stay raw, the ledger\n"
"computes with them.  --raw-addresses writes every address as it is.\n"
"\v"
"Examples:\n"
"  ringledger record -o ring.events -- ./my-io_uring-test\n"
"  ringledger replay ring.events\n";

/* ---- event sinks -------------------------------------------------------- */

struct check_state {
	struct rl_ledger *ledger;
	struct rl_outfile out;		/* record: the output file           */
	FILE *stream;			/* ... its stream, NULL for check    */
	int stream_err;
	unsigned long long nr_events;
	bool print_events;
	struct rl_addr addr;		/* the run's key (src/addr.h)       */
	bool color;
	uint64_t ringbuf_peak, ringbuf_bytes;	/* rl_losses: how full it got */
	struct rl_timeline *timeline;	/* --trace-json, NULL: none          */
	struct rl_baseline *known;	/* --diff, read before the run       */
	struct rl_html *html;		/* --html: every object's life       */
	struct rl_outfile timeline_out;
};

static void on_event(const struct rl_event *ev, void *cookie)
{
	struct check_state *st = cookie;

	if (st->print_events)
		rl_report_text_event_addr(stdout, ev, &st->addr);
	if (st->stream && !st->stream_err) {
		st->stream_err = rl_stream_write_event_addr(st->stream, ev, &st->addr);
		st->nr_events++;
	}
	rl_ledger_feed(st->ledger, ev);
	if (st->timeline)
		rl_timeline_event(st->timeline, ev);
	if (st->html)
		rl_html_event(st->html, ev);
}

static size_t live_ctxs(void *cookie)
{
	struct check_state *st = cookie;

	return rl_ledger_live_ctxs(st->ledger);
}

static void join_command(char **cmd, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (; *cmd && off < len; cmd++)
		off += snprintf(buf + off, len - off, "%s%s", off ? " " : "", *cmd);
}

/* The page-free programs are skipped when a page is freed on a CPU where
 * one of them is running (from an interrupt inside it, or, as tracepoint
 * programs can be preempted, from another task while one waits there).
 * Such a miss hid one of our pages only if a page that should have been
 * freed by now never was: each of those is a loss (at most as many as the
 * bound); without one, a note. */
static void account_page_free_misses(struct rl_losses *lo, const struct rl_ledger *l)
{
	size_t awaiting;

	if (!lo->page_free_misses)
		return;
	awaiting = rl_ledger_pages_awaiting_free(l);
	if (awaiting) {
		fprintf(stderr, "ringledger: note: %zu tracked pages of freed regions were never "
			"seen freed: the page-free programs' skips may have hidden them\n", awaiting);
		lo->recursion_misses += awaiting < lo->page_free_misses ? awaiting :
					lo->page_free_misses;
		return;
	}
	fprintf(stderr, "ringledger: note: the page-free programs were skipped for %llu pages "
		"(freed on a CPU where one ran); every tracked page's free was seen, so none of "
		"them was ours\n", (unsigned long long)lo->page_free_misses);
}

/* A hook that is absent or failed to attach: the verdict is RL010. */
static void note_missing_hooks(const struct rl_plan *plan, struct rl_ledger *l)
{
	char why[1024];

	if (rl_plan_failures(plan, why, sizeof(why)))
		rl_ledger_note_inconclusive(l, why);
}

/* Everything lost in the kernel becomes an RL010 through the ledger; then
 * the ledger judges what is still alive. */
static void settle_ledger(struct check_state *st, struct rl_session *sess,
			  const struct rl_run_result *res)
{
	struct rl_event lost[RL_MAX_LOSS_EVENTS];
	struct rl_losses losses;
	size_t i, n;

	rl_session_losses(sess, &losses);
	st->ringbuf_peak = losses.ringbuf_peak;
	st->ringbuf_bytes = losses.ringbuf_bytes;
	account_page_free_misses(&losses, st->ledger);
	rl_losses_note_blind(&losses);
	n = rl_losses_to_events(&losses, lost, RL_MAX_LOSS_EVENTS);
	for (i = 0; i < n; i++)
		on_event(&lost[i], st);
	rl_ledger_finish(st->ledger, res->settle_timed_out);
	note_missing_hooks(&sess->plan, st->ledger);
}

/* The rings alive after the wait, counted by why (rl_ledger_live_rings):
 * "2 ring contexts did not die within 10.0 s of the command's exit: 1
 * pending in io_ring_exit_work, 1 held by pid 42 (./server), still
 * running".  Each ring's own RL010 finding says which one it is. */
static void explain_live_rings(const struct rl_ledger *l, int settle_ms, bool kill_seen,
			       char *buf, size_t len)
{
	static const char *const words[] = {
		[RL_RING_PENDING_EXIT] = "pending in io_ring_exit_work",
		[RL_RING_HELD] = "held by a process still running",
		[RL_RING_MAYBE_HELD] = "not killed, while a process of ours still runs",
		[RL_RING_MISSED] = "missed by us (no kill seen, no process of ours running)",
	};
	size_t n = rl_ledger_live_rings(l, NULL, 0), i, off, per[4] = { 0 };
	struct rl_live_ring *lr = n ? calloc(n, sizeof(*lr)) : NULL;
	const struct rl_live_ring *holder = NULL;
	bool first = true;
	int s;

	off = (size_t)snprintf(buf, len, "%zu ring context%s did not die within %.1f s of the "
			       "command's exit", n, n == 1 ? "" : "s", settle_ms / 1000.0);
	if (!lr)
		return;
	n = rl_ledger_live_rings(l, lr, n);
	for (i = 0; i < n; i++) {
		per[lr[i].state]++;
		if (lr[i].state == RL_RING_HELD && !holder)
			holder = &lr[i];
	}
	for (s = 0; s < 4 && off < len; s++) {
		if (!per[s])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%zu %s", first ? ": " : ", ",
					per[s], words[s]);
		first = false;
		if (s == RL_RING_HELD && holder && off < len)
			off += (size_t)snprintf(buf + off, len - off, " (first: pid %u %s)",
						holder->holder_pid, holder->holder_cmd[0] ?
						holder->holder_cmd : holder->holder_comm);
	}
	if (!kill_seen && (per[RL_RING_MISSED] || per[RL_RING_MAYBE_HELD]) && off < len)
		snprintf(buf + off, len - off, " (the ring-kill hook is not attached: a ring "
			 "pending in io_ring_exit_work looks the same)");
	free(lr);
}

/* Can the ledger tell a killed ring (CTX_KILL) on this kernel? */
static bool ring_kill_hooked(const struct rl_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		const struct rl_hook_plan *hp = &plan->hooks[i];

		if (!strcmp(rl_hook_name(hp->hook), "ring-kill"))
			return hp->mech != RL_MECH_ABSENT && !hp->attach_err;
	}
	return false;
}

/* Why the verdict may be inconclusive, in words ("" when nothing says so).
 * Missing hooks and rings that outlived the wait are RL010 findings too,
 * which decide the verdict (and --allow RL010 can name); only an
 * interrupted command makes it inconclusive by itself: returns that. */
static bool inconclusive_why(const struct rl_session *sess, const struct rl_run_result *res,
			     const struct rl_ledger *l, int settle_ms, char *why, size_t len)
{
	size_t off = 0;

	why[0] = '\0';
	if (rl_plan_failures(&sess->plan, why, 0) || sess->attach_failures)
		off += snprintf(why, len, "hooks missing: ");
	if (off)
		rl_plan_failures(&sess->plan, why + off, len - off);
	if (res->stop_signal)
		snprintf(why + strlen(why), len - strlen(why), "%sinterrupted by SIG%s%s",
			 why[0] ? "; " : "", sigabbrev_np(res->stop_signal),
			 res->child_status == -1 ? " before the command ran" : "");
	else if (res->settle_timed_out) {
		size_t off = strlen(why);

		if (off && off + 2 < len)
			off += (size_t)snprintf(why + off, len - off, "; ");
		explain_live_rings(l, settle_ms, ring_kill_hooked(&sess->plan), why + off,
				   len - off);
	}
	rl_why_add_losses(l, why, len);
	return res->stop_signal != 0;
}

/* record: close the stream with its trailer and say what was written. */
static int finish_record(const struct check_args *a, struct check_state *st,
			 const struct rl_run_result *res)
{
	char status[64], err[512];

	rl_stream_write_trailer(st->stream, st->nr_events);
	st->stream = NULL;
	if (st->stream_err) {
		rl_outfile_abort(&st->out);
		rl_err("cannot write %s: %s", a->out_path, strerror(-st->stream_err));
		return RL_EXIT_ERROR;
	}
	if (rl_outfile_commit(&st->out, err, sizeof(err))) {
		rl_err("record: %s", err);
		return RL_EXIT_ERROR;
	}
	fprintf(stderr, "ringledger: recorded %llu events to %s; command %s\n",
		st->nr_events, a->out_path, rl_describe_status(res->child_status, status, sizeof(status)));
	return RL_EXIT_CLEAN;
}

/* check: the report on stdout, and in the files asked for; the verdict. */
static int report_check(const struct check_args *a, char **cmd, struct check_state *st,
			const struct rl_run_result *res, const char *why, bool interrupted)
{
	struct rl_report_ctx rc = { .allow_mask = a->allow_mask, .addr = &st->addr,
				    .color = st->color };
	struct rl_ksyms_lazy ksyms = {};
	char cmdline[1024], err[512];
	int ret;

	join_command(cmd, cmdline, sizeof(cmdline));
	rc.command = cmdline;
	rc.child_status = res->child_status;
	rc.elapsed_s = res->elapsed_s;
	rc.ringbuf_peak = st->ringbuf_peak;
	rc.ringbuf_bytes = st->ringbuf_bytes;
	rc.inconclusive_why = why[0] ? why : NULL;
	if (a->diff) {
		rl_baseline_match(st->known, st->ledger);
		rc.known = st->known;
	}
	rc.verdict = rl_verdict(st->ledger, &rc, interrupted);
	rc.symbolize = rl_ksyms_lazy_symbolize;
	rc.sym_cookie = &ksyms;
	rl_report_text(stdout, st->ledger, &rc);
	ret = rc.verdict;
	if (a->json_path && rl_write_report(a->json_path, st->ledger, &rc, rl_report_json))
		ret = RL_EXIT_ERROR;
	if (a->junit_path && rl_write_report(a->junit_path, st->ledger, &rc, rl_report_junit))
		ret = RL_EXIT_ERROR;
	if (a->html && rl_write_html(a->html, st->html, st->ledger, &rc))
		ret = RL_EXIT_ERROR;
	if (a->baseline && rl_baseline_save(a->baseline, st->ledger, err, sizeof(err))) {
		rl_err("--baseline: %s", err);
		ret = RL_EXIT_ERROR;
	}
	rl_ksyms_lazy_free(&ksyms);
	return ret;
}

static int run_check(struct check_args *a, char **cmd)
{
	struct check_state st = { .print_events = a->print_events };
	struct rl_session_opts so = {
		.btf_path = a->common.btf_path, .pref = a->common.attach,
		.follow_only = true, .stacks = !a->common.no_stacks,
		.max_pages = a->common.max_pages, .ringbuf_kib = a->common.ringbuf_kib,
		.verbose = a->common.verbose, .on_event = on_event, .cookie = &st,
	};
	char err[512], why[1024];
	struct rl_baseline known = {};
	bool interrupted;
	struct rl_session sess;
	struct rl_run_result res;
	struct rl_user user;
	struct rl_run_opts ro = { .settle_ms = a->settle_ms, .live_objects = live_ctxs,
				  .cookie = &st, .user = a->user ? &user : NULL };
	int ret = RL_EXIT_ERROR;

	if (rl_output_setup(&a->out, &st.addr, &st.color))
		return RL_EXIT_ERROR;
	if (!rl_command_runnable(cmd[0], why, sizeof(why))) {
		rl_err("cannot run '%s': %s; give a path or fix PATH", cmd[0], why);
		return RL_EXIT_ERROR;
	}
	if (a->user && rl_user_lookup(a->user, "/etc/passwd", "/etc/group", &user, err, sizeof(err))) {
		rl_err("--user: %s; give an account of this machine", err);
		return RL_EXIT_ERROR;
	}
	if (a->diff && rl_baseline_load(a->diff, &known, err, sizeof(err))) {
		rl_err("--diff: %s; give a file --baseline wrote", err);
		return RL_EXIT_ERROR;
	}
	st.known = a->diff ? &known : NULL;
	if (a->html && !(st.html = rl_html_new(&st.addr))) {
		rl_err("--html: out of memory");
		goto cleanup;
	}
	st.ledger = rl_ledger_new(NULL);
	if (!st.ledger) {
		rl_err("out of memory creating the ledger");
		goto cleanup;
	}
	if (a->record) {
		if (rl_outfile_open(&st.out, a->out_path, err, sizeof(err))) {
			rl_err("record: %s", err);
			goto cleanup;
		}
		st.stream = st.out.f;
		rl_stream_write_header_addr(st.stream, &st.addr);
	}
	if (a->trace_json) {
		if (rl_outfile_open(&st.timeline_out, a->trace_json, err, sizeof(err))) {
			rl_err("--trace-json: %s", err);
			goto cleanup_stream;
		}
		st.timeline = rl_timeline_new(st.timeline_out.f, &st.addr);
		if (!st.timeline) {
			rl_err("--trace-json: out of memory");
			rl_outfile_abort(&st.timeline_out);
			goto cleanup_stream;
		}
	}
	if (rl_session_open(&sess, &so, err, sizeof(err))) {
		rl_err("%s", err);
		goto cleanup_stream;
	}
	if (rl_run_command(&sess, cmd, &ro, &res, err, sizeof(err))) {
		rl_err("%s", err);
		goto cleanup_session;
	}
	settle_ledger(&st, &sess, &res);
	interrupted = inconclusive_why(&sess, &res, st.ledger, a->settle_ms, why, sizeof(why));
	if (a->record)
		ret = finish_record(a, &st, &res);
	else
		ret = report_check(a, cmd, &st, &res, why, interrupted);
	if (st.timeline) {
		rl_timeline_finish(st.timeline, st.ledger);
		st.timeline = NULL;
		if (rl_outfile_commit(&st.timeline_out, err, sizeof(err))) {
			rl_err("--trace-json: %s", err);
			ret = RL_EXIT_ERROR;
		}
	}

cleanup_session:
	rl_session_close(&sess);
cleanup_stream:
	if (st.stream)
		rl_outfile_abort(&st.out);
	if (st.timeline) {
		rl_timeline_finish(st.timeline, NULL);
		rl_outfile_abort(&st.timeline_out);
	}
cleanup:
	rl_html_free(st.html);
	rl_baseline_free(&known);
	rl_ledger_free(st.ledger);
	return ret;
}

static int parse_and_run(int argc, char **argv, bool record)
{
	const struct argp_child children[] = {
		{ &rl_common_argp, 0, "Tracing options:", 1 },
		{ record ? &rl_raw_addresses_argp : &rl_output_argp, 0, "Output options:", 2 }, {} };
	const struct argp argp = { record ? record_options : check_options, check_parse,
				   "[OPTIONS] -- CMD [ARGS...]", record ? record_doc : check_doc,
				   children, NULL, NULL };
	struct check_args a = { .settle_ms = 10000, .record = record };
	int cmd_idx = rl_split_command(argc, argv);

	rl_signals_install();
	int nopts = cmd_idx < 0 ? argc : cmd_idx - 1;

	if (argp_parse(&argp, nopts, argv, 0, NULL, &a))
		return RL_EXIT_ERROR;
	if (cmd_idx < 0) {
		rl_err("%s: missing command: give it after --, e.g. ringledger %s -- ./test",
		       argv[0], argv[0]);
		return RL_EXIT_ERROR;
	}
	if (record && !a.out_path) {
		rl_err("record: missing -o FILE: where to write the event stream");
		return RL_EXIT_ERROR;
	}
	return run_check(&a, argv + cmd_idx);
}

int cmd_check(int argc, char **argv)
{
	return parse_and_run(argc, argv, false);
}

int cmd_record(int argc, char **argv)
{
	return parse_and_run(argc, argv, true);
}
