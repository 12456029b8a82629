// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_trace.c - `ringledger trace`: lifecycle events and findings, live.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "ksyms.h"
#include "ledger.h"
#include "loader.h"
#include "report.h"
#include "signals.h"

struct trace_args {
	struct rl_common_opts common;
	pid_t pid;
	const char *comm;
	const char *cgroup;
	bool json;
	bool elapsed;			/* -T: seconds since start, not wall time */
	double duration_s;
	struct rl_output_opts out;
};

enum { OPT_JSON = 1000, OPT_CGROUP };

static const struct argp_option trace_options[] = {
	{ "pid", 'p', "PID", 0, "only rings created by this process and its descendants", 0 },
	{ "comm", 'c', "COMM", 0, "only rings created by tasks with this name", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "only rings created inside this cgroup v2 directory or below it", 0 },
	{ "json", OPT_JSON, NULL, 0, "one JSON object per line (schema ringledger-trace/1)", 0 },
	{ "duration", 'd', "SECS", 0, "stop after SECS (default: until Ctrl-C)", 0 },
	{ "elapsed", 'T', NULL, 0, "start each line with the seconds since tracing began, not the wall-clock time", 0 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;
	char *end;

	switch (key) {
	case 'p': a->pid = rl_parse_pid_arg(state, arg); return 0;
	case 'c': a->comm = rl_parse_comm_arg(state, arg); return 0;
	case 'd':
		a->duration_s = strtod(arg, &end);
		if (*end || a->duration_s <= 0)
			rl_usage_error(state, "-d takes a positive number of seconds, not '%s'", arg);
		return 0;
	case OPT_JSON: a->json = true; return 0;
	case OPT_CGROUP: a->cgroup = arg; return 0;
	case 'T': a->elapsed = true; return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		state->child_inputs[1] = &a->out;
		return 0;
	case ARGP_KEY_ARG:
		rl_usage_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char trace_doc[] =
"Stream io_uring ring-memory lifecycle events (rings, regions, mappings, page\n"
"frees) and findings as they happen, until Ctrl-C, SIGTERM or SIGHUP (a second\n"
"Ctrl-C stops at once).  Each line starts with the event's wall-clock time\n"
"(-T: seconds since tracing began).  Exit: 0 no finding, 1 findings, 2 events\n"
"lost, 3 tool error.\n"
"\n"
"Pids are the kernel's global ones; a process inside a PID namespace is also\n"
"shown with its pid in that namespace (nspid=).  Kernel addresses are hashed\n"
"with a key of this run, stable within it (--raw-addresses: as they are).\n"
"\v"
"Examples:\n"
"  ringledger trace                  # every ring on the machine\n"
"  ringledger trace -p 1234          # one process tree\n"
"  ringledger trace -c fio --json    # by task name, JSON lines\n";

struct trace_state {
	struct rl_ledger *ledger;
	struct rl_report_ctx rc;
	struct rl_addr addr;		/* the run's key (src/addr.h)        */
	bool json;
	bool elapsed;
	uint64_t start_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	int64_t wall_offset_ns;		/* CLOCK_REALTIME - CLOCK_MONOTONIC   */
	uint64_t events;
};

/* The TIME column, as libbpf-tools print it: HH:MM:SS of the event, or
 * seconds since tracing began. */
static void print_time(const struct trace_state *st, uint64_t ts_ns)
{
	char buf[16];
	struct tm tm;
	time_t t;

	if (st->elapsed) {
		printf("%.6f ", ts_ns > st->start_ns ? (ts_ns - st->start_ns) / 1e9 : 0.0);
		return;
	}
	t = (time_t)((int64_t)(ts_ns + st->wall_offset_ns) / 1000000000LL);
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	printf("%s ", buf);
}

/* pid as seen inside its own PID namespace (last NSpid entry), or 0 */
static unsigned int ns_pid_of(unsigned int pid)
{
	char path[64], line[256];
	unsigned int ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p, *save = NULL;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = strtok_r(line + 6, " \t\n", &save); p; p = strtok_r(NULL, " \t\n", &save))
			ns = strtoul(p, NULL, 10);
		break;
	}
	fclose(f);
	return ns;
}

static void on_trace_event(const struct rl_event *ev, void *cookie)
{
	struct trace_state *st = cookie;
	unsigned int nspid;

	st->events++;
	if (st->json) {
		rl_report_json_event_addr(stdout, ev, &st->addr);
	} else {
		print_time(st, ev->h.ts_ns ? ev->h.ts_ns : rl_clock_ns(CLOCK_MONOTONIC));
		rl_report_text_event_addr(stdout, ev, &st->addr);
		if (ev->h.type == RL_EV_CTX_CREATE) {
			nspid = ns_pid_of(ev->h.pid);
			if (nspid && nspid != ev->h.pid)
				printf("  pid %u is %u in its PID namespace\n", ev->h.pid, nspid);
		}
	}
	rl_ledger_feed(st->ledger, ev);
	fflush(stdout);
}

static void on_trace_finding(const struct rl_finding *f, void *cookie)
{
	struct trace_state *st = cookie;

	if (st->json)
		rl_report_json_finding(stdout, f, &st->rc);
	else
		rl_report_text_finding(stdout, f, &st->rc);
}

/* Until a stop signal, the end of -d, or the session fails. */
static void trace_loop(struct rl_session *sess, double duration_s)
{
	uint64_t t0 = rl_clock_ns(CLOCK_MONOTONIC);

	while (!rl_stop_signal()) {
		if (rl_session_poll(sess, 100) < 0)
			break;
		if (duration_s && (rl_clock_ns(CLOCK_MONOTONIC) - t0) / 1e9 >= duration_s)
			break;
	}
}

/* Losses become RL010 through the ledger; a summary line on stderr; the
 * exit status is the verdict of what was seen. */
static int trace_finish(struct trace_state *st, struct rl_session *sess)
{
	struct rl_event lost[RL_MAX_LOSS_EVENTS];
	struct rl_ledger_stats ls;
	struct rl_losses losses;
	size_t i, n;
	int sig = rl_stop_signal();

	rl_session_losses(sess, &losses);
	rl_losses_note_blind(&losses);
	n = rl_losses_to_events(&losses, lost, RL_MAX_LOSS_EVENTS);
	for (i = 0; i < n; i++)
		on_trace_event(&lost[i], st);
	fflush(stdout);
	rl_ledger_get_stats(st->ledger, &ls);
	fprintf(stderr, "ringledger: traced %llu events, %zu finding(s), %llu event(s) lost; %s%s\n",
		(unsigned long long)st->events, rl_ledger_nr_findings(st->ledger),
		(unsigned long long)ls.lost_events, sig ? "stopped by SIG" : "stopped",
		sig ? sigabbrev_np(sig) : "");
	return rl_verdict(st->ledger, NULL, false);
}

int cmd_trace(int argc, char **argv)
{
	const struct argp_child children[] = { { &rl_common_argp, 0, "Tracing options:", 1 },
					       { &rl_output_argp, 0, "Output options:", 2 }, {} };
	const struct argp argp = { trace_options, trace_parse, NULL, trace_doc, children, NULL, NULL };
	struct trace_args a = {};
	struct trace_state st = {};
	struct rl_ledger_opts lo = { .on_finding = on_trace_finding, .cookie = &st };
	struct rl_session_opts so = { .on_event = on_trace_event, .cookie = &st };
	struct rl_ksyms_lazy ksyms = {};
	struct rl_session sess;
	char err[512], why[512];
	int ret = RL_EXIT_ERROR;

	rl_signals_install();
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return RL_EXIT_ERROR;
	if (a.pid && kill(a.pid, 0) && errno == ESRCH) {
		rl_err("trace: no process %d; give the pid of a running process", a.pid);
		return RL_EXIT_ERROR;
	}
	if (rl_output_setup(&a.out, &st.addr, a.json ? NULL : &st.rc.color))
		return RL_EXIT_ERROR;
	st.rc.addr = &st.addr;
	st.json = a.json;
	st.elapsed = a.elapsed;
	st.ledger = rl_ledger_new(&lo);
	if (!st.ledger) {
		rl_err("out of memory creating the ledger");
		return RL_EXIT_ERROR;
	}
	so.btf_path = a.common.btf_path;
	so.pref = a.common.attach;
	so.follow_only = a.pid != 0;
	so.comm = a.comm;
	so.cgroup = a.cgroup;
	so.stacks = !a.common.no_stacks;
	so.max_pages = a.common.max_pages;
	so.ringbuf_kib = a.common.ringbuf_kib;
	so.verbose = a.common.verbose;
	if (rl_session_open(&sess, &so, err, sizeof(err))) {
		rl_err("%s", err);
		goto cleanup;
	}
	if (a.pid && rl_session_follow(&sess, a.pid)) {
		rl_err("trace: cannot follow pid %d: %s", a.pid, strerror(errno));
		goto cleanup_session;
	}
	rl_reader_priority();
	st.rc.symbolize = rl_ksyms_lazy_symbolize;
	st.rc.sym_cookie = &ksyms;
	if (rl_plan_failures(&sess.plan, why, sizeof(why)))
		fprintf(stderr, "ringledger: tracing with hooks missing (findings may be incomplete): %s\n", why);
	/* on stderr in every mode: scripts wait for this line before they start
	 * what they want traced */
	fprintf(stderr, "ringledger: tracing io_uring ring memory%s; Ctrl-C to stop\n",
		a.pid ? " of one process tree" : "");
	st.start_ns = rl_clock_ns(CLOCK_MONOTONIC);
	st.wall_offset_ns = (int64_t)(rl_clock_ns(CLOCK_REALTIME) - st.start_ns);
	trace_loop(&sess, a.duration_s);
	ret = trace_finish(&st, &sess);

cleanup_session:
	rl_session_close(&sess);
cleanup:
	rl_ksyms_lazy_free(&ksyms);
	rl_ledger_free(st.ledger);
	return ret;
}
