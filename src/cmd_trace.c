// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_trace.c - `ringledger trace`: lifecycle events and findings, live.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "ksyms.h"
#include "ledger.h"
#include "loader.h"
#include "report.h"

struct trace_args {
	struct rl_common_opts common;
	pid_t pid;
	const char *comm;
	bool json;
	double duration_s;
};

enum { OPT_JSON = 1000 };

static const struct argp_option trace_options[] = {
	{ "pid", 'p', "PID", 0, "only rings created by this process and its descendants", 0 },
	{ "comm", 'c', "COMM", 0, "only rings created by tasks with this name", 0 },
	{ "json", OPT_JSON, NULL, 0, "one JSON object per line (schema ringledger-trace/1)", 0 },
	{ "duration", 'd', "SECS", 0, "stop after SECS (default: until Ctrl-C)", 0 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	struct trace_args *a = state->input;
	char *end;

	switch (key) {
	case 'p':
		a->pid = strtol(arg, &end, 10);
		if (*end || a->pid <= 0)
			rl_usage_error(state, "-p takes a process id, not '%s'", arg);
		return 0;
	case 'c':
		if (strlen(arg) >= RL_COMM_LEN)
			rl_usage_error(state, "-c: '%s' is longer than a task name (15 characters)", arg);
		a->comm = arg;
		return 0;
	case 'd':
		a->duration_s = strtod(arg, &end);
		if (*end || a->duration_s <= 0)
			rl_usage_error(state, "-d takes a positive number of seconds, not '%s'", arg);
		return 0;
	case OPT_JSON: a->json = true; return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		return 0;
	case ARGP_KEY_ARG:
		rl_usage_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char trace_doc[] =
"Stream io_uring ring-memory lifecycle events (rings, regions, mappings, page\n"
"frees) and findings as they happen, until Ctrl-C.\n"
"\n"
"Pids are the kernel's global ones; a process inside a PID namespace is also\n"
"shown with its pid in that namespace (nspid=).\n"
"\v"
"Examples:\n"
"  ringledger trace                  # every ring on the machine\n"
"  ringledger trace -p 1234          # one process tree\n"
"  ringledger trace -c fio --json    # by task name, JSON lines\n";

static volatile sig_atomic_t trace_stop;

static void on_trace_signal(int sig)
{
	(void)sig;
	trace_stop = 1;
}

struct trace_state {
	struct rl_ledger *ledger;
	struct rl_report_ctx rc;
	bool json;
};

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

	if (st->json) {
		rl_report_json_event(stdout, ev);
	} else {
		rl_report_text_event(stdout, ev);
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

int cmd_trace(int argc, char **argv)
{
	const struct argp_child children[] = { { &rl_common_argp, 0, "Tracing options:", 1 }, {} };
	const struct argp argp = { trace_options, trace_parse, NULL, trace_doc, children, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_trace_signal };
	struct trace_args a = {};
	struct trace_state st = {};
	struct rl_ledger_opts lo = { .on_finding = on_trace_finding, .cookie = &st };
	struct rl_session_opts so = { .on_event = on_trace_event, .cookie = &st };
	struct rl_event lost[RL_MAX_LOSS_EVENTS];
	struct rl_ksyms *ksyms = NULL;
	struct rl_session sess;
	struct rl_losses losses;
	struct timespec t0, t;
	char err[512], why[512];
	int ret = RL_EXIT_ERROR;
	size_t i, n;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return RL_EXIT_ERROR;
	if (a.pid && kill(a.pid, 0) && errno == ESRCH) {
		rl_err("trace: no process %d; give the pid of a running process", a.pid);
		return RL_EXIT_ERROR;
	}
	st.json = a.json;
	st.ledger = rl_ledger_new(&lo);
	if (!st.ledger) {
		rl_err("out of memory creating the ledger");
		return RL_EXIT_ERROR;
	}
	so.btf_path = a.common.btf_path;
	so.pref = a.common.attach;
	so.follow_only = a.pid != 0;
	so.comm = a.comm;
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
	ksyms = rl_ksyms_load(NULL);
	st.rc.symbolize = ksyms ? rl_ksyms_symbolize : NULL;
	st.rc.sym_cookie = ksyms;
	if (rl_plan_failures(&sess.plan, why, sizeof(why)))
		fprintf(stderr, "ringledger: tracing with hooks missing (findings may be incomplete): %s\n", why);
	/* on stderr in every mode: scripts wait for this line before they start
	 * what they want traced */
	fprintf(stderr, "ringledger: tracing io_uring ring memory%s; Ctrl-C to stop\n",
		a.pid ? " of one process tree" : "");

	trace_stop = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!trace_stop) {
		if (rl_session_poll(&sess, 100) < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (a.duration_s && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= a.duration_s)
			break;
	}
	rl_session_losses(&sess, &losses);
	n = rl_losses_to_events(&losses, lost, RL_MAX_LOSS_EVENTS);
	for (i = 0; i < n; i++)
		on_trace_event(&lost[i], &st);
	ret = RL_EXIT_CLEAN;

cleanup_session:
	rl_session_close(&sess);
cleanup:
	rl_ksyms_free(ksyms);
	rl_ledger_free(st.ledger);
	return ret;
}
