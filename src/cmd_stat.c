// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_stat.c - `ringledger stat`: what rings map and pin, per process,
 * each interval, and how long it lives, without an event crossing to user
 * space: the BPF side folds every event into maps (bpf/stat.bpf.h), this
 * reads them each interval (src/stat.c prints them).
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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cli.h"
#include "clock.h"
#include "loader.h"
#include "http.h"
#include "outfile.h"
#include "run_cmd.h"
#include "signals.h"
#include "stat.h"
#include "ringledger.skel.h"

struct stat_args {
	struct rl_common_opts common;
	pid_t pid;
	const char *comm;
	const char *cgroup;
	double interval_s;
	double duration_s;
	int settle_ms;
	bool json;
	bool quiet;			/* no table each interval          */
	const char *openmetrics;
	const char *metrics;		/* ADDR:PORT to serve /metrics on  */
	const char *baseline, *diff;	/* the figures at the end saved / compared */
};

enum { OPT_JSON = 1000, OPT_OPENMETRICS, OPT_METRICS, OPT_SETTLE, OPT_CGROUP, OPT_BASELINE,
       OPT_DIFF };

static const struct argp_option stat_options[] = {
	{ "pid", 'p', "PID", 0, "only rings made by this process and its descendants", 0 },
	{ "comm", 'c', "COMM", 0, "only rings made by tasks with this name", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "only rings made inside this cgroup v2 directory or below it", 0 },
	{ "interval", 'i', "SECS", 0, "print every SECS (default 1)", 0 },
	{ "duration", 'd', "SECS", 0, "stop after SECS (default: until Ctrl-C, or CMD's end)", 0 },
	{ "json", OPT_JSON, NULL, 0, "one JSON object per interval (schema ringledger-stat/1)", 0 },
	{ "quiet", 'q', NULL, 0, "no table each interval: the histograms (and files) at the end", 0 },
	{ "openmetrics", OPT_OPENMETRICS, "FILE", 0, "rewrite FILE each interval, atomically, in the OpenMetrics text format (node_exporter's textfile collector)", 0 },
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0, "serve GET /metrics (OpenMetrics, the last interval's figures) on ADDR:PORT; a PORT alone is on the loopback", 0 },
	{ "baseline", OPT_BASELINE, "FILE", 0, "write the figures at the end (what was made; each histogram's count and mean) to FILE", 0 },
	{ "diff", OPT_DIFF, "FILE", 0, "at the end, each figure of a --baseline FILE beside this run's, and the change", 0 },
	{ "settle", OPT_SETTLE, "SECS", 0, "with CMD: wait at most SECS for its rings to be torn down (default 10)", 0 },
	{},
};

static double parse_secs(struct argp_state *state, const char *opt, const char *arg, bool zero_ok)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end || v < 0 || (!zero_ok && v == 0))
		rl_usage_error(state, "%s takes a %snumber of seconds, not '%s'", opt,
			       zero_ok ? "" : "positive ", arg);
	return v;
}

static error_t stat_parse(int key, char *arg, struct argp_state *state)
{
	struct stat_args *a = state->input;

	switch (key) {
	case 'p': a->pid = rl_parse_pid_arg(state, arg); return 0;
	case 'c': a->comm = rl_parse_comm_arg(state, arg); return 0;
	case 'i': a->interval_s = parse_secs(state, "-i", arg, false); return 0;
	case 'd': a->duration_s = parse_secs(state, "-d", arg, false); return 0;
	case OPT_SETTLE: a->settle_ms = (int)(parse_secs(state, "--settle", arg, true) * 1000); return 0;
	case OPT_JSON: a->json = true; return 0;
	case 'q': a->quiet = true; return 0;
	case OPT_OPENMETRICS: a->openmetrics = arg; return 0;
	case OPT_METRICS: a->metrics = arg; return 0;
	case OPT_CGROUP: a->cgroup = arg; return 0;
	case OPT_BASELINE: a->baseline = arg; return 0;
	case OPT_DIFF: a->diff = arg; return 0;
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		return 0;
	case ARGP_KEY_ARG:
		rl_usage_error(state, "unexpected argument '%s' (a command goes after --)", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char stat_doc[] =
"What io_uring rings hold, per process, every interval: rings, regions (and\n"
"buffer rings among them), their pages, user mappings of ring memory, pin sets\n"
"and pinned pages; and at the end, log2 histograms of ring, region, mapping and\n"
"pin lifetimes, sizes, and the time register calls and fixed-buffer\n"
"registrations take.  Every figure is kept in BPF maps: no event crosses to\n"
"user space, and the hooks only `check` needs (page frees among them) are not\n"
"attached.  With -- CMD, only CMD and what it starts, until it ends and its\n"
"rings are torn down.  Exit: 0, or 2 when calls were lost or a stat map was\n"
"full (the figures are low), 3 tool error.\n"
"\v"
"Examples:\n"
"  ringledger stat                          # the machine, every second\n"
"  ringledger stat -p 1234 -i 5             # one process tree\n"
"  ringledger stat --cgroup /sys/fs/cgroup/system.slice/db.service\n"
"  ringledger stat -q -- ./bench            # one command; histograms at its end\n"
"  ringledger stat --openmetrics /var/lib/node_exporter/ringledger.prom\n";

struct stat_state {
	const struct stat_args *a;
	struct rl_session *sess;
	struct rl_stat_proc gone;	/* made by processes pruned          */
	struct rl_http http;		/* --metrics                         */
	double start_s, next_s;
	bool header_done;
	int file_err;
};

/* What was lost so far, quietly (rl_session_losses says it per hook on
 * stderr: once, at the end). */
static void read_losses(struct stat_state *st, struct rl_stat_snap *snap)
{
	const struct ringledger_bpf *skel = st->sess->skel;
	struct rl_hook_misses m;
	size_t i;

	for (i = 0; i < RL_CNT__MAX; i++)
		snap->lost += __atomic_load_n(&skel->bss->counters[i], __ATOMIC_RELAXED);
	for (i = 0; i < st->sess->plan.nr; i++) {
		rl_plan_hook_misses(&st->sess->plan, skel, i, &m);
		snap->lost += m.lost;
	}
	snap->map_full = __atomic_load_n(&skel->bss->stat_map_full, __ATOMIC_RELAXED);
}

/* The stat maps into snap.  Rows of processes that are gone and hold
 * nothing leave the map after the walk (a delete inside it would restart
 * it); their counts stay in st->gone. */
static int read_snapshot(struct stat_state *st, struct rl_stat_snap *snap)
{
	int procs = bpf_map__fd(st->sess->skel->maps.stat_procs);
	int hists = bpf_map__fd(st->sess->skel->maps.stat_hists);
	__u32 key, next, *prev = NULL, h;
	struct rl_stat_proc p;
	size_t i;

	memset(snap, 0, sizeof(*snap));
	snap->wall_s = rl_clock_ns(CLOCK_REALTIME) / 1e9;
	snap->elapsed_s = rl_mono_s() - st->start_s;
	while (!bpf_map_get_next_key(procs, prev, &next)) {
		struct rl_stat_row *r;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(procs, &key, &p))
			continue;	/* gone since */
		r = rl_stat_add_row(snap, key);
		if (!r)
			return -ENOMEM;
		r->p = p;
	}
	for (i = 0; i < snap->nr; ) {
		struct rl_stat_row *r = &snap->rows[i];

		if (rl_stat_row_idle(&r->p) && kill((pid_t)r->pid, 0) && errno == ESRCH &&
		    !bpf_map_delete_elem(procs, &r->pid)) {
			rl_stat_add_made(&st->gone, &r->p);
			snap->rows[i] = snap->rows[--snap->nr];
			continue;
		}
		i++;
	}
	for (h = 0; h < RL_SH__MAX; h++)
		if (bpf_map_lookup_elem(hists, &h, &snap->hist[h]))
			return -errno;
	snap->gone = st->gone;
	read_losses(st, snap);
	rl_stat_sort(snap);
	return 0;
}

struct om_text {
	const char *text;
	size_t len;
};

static void fill_om(FILE *f, const void *arg)
{
	const struct om_text *t = arg;

	fwrite(t->text, 1, t->len, f);
}

static int write_openmetrics(const char *path, const char *text, size_t len)
{
	struct om_text t = { .text = text, .len = len };

	return rl_write_file(path, "--openmetrics", fill_om, &t);
}

/* One interval: the table or a JSON line, and the metrics file.  The
 * last (keep: where its snapshot goes, for --baseline and --diff) adds the
 * histograms.  -1 when the maps could not be read. */
static int emit(struct stat_state *st, bool last, struct rl_stat_snap *keep)
{
	const struct stat_args *a = st->a;
	struct rl_stat_snap snap;

	if (read_snapshot(st, &snap)) {
		rl_err("stat: cannot read the stat maps: %s", strerror(errno));
		st->file_err = 1;
		rl_stat_snap_free(&snap);
		return -1;
	}
	if (a->json)
		rl_stat_print_json(stdout, &snap);
	else if (!a->quiet || last) {
		rl_stat_print_table(stdout, &snap, !st->header_done);
		st->header_done = true;
		if (last)
			rl_stat_print_hists(stdout, &snap);
	}
	fflush(stdout);
	if (a->openmetrics || a->metrics) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (f) {
			rl_stat_print_openmetrics(f, &snap);
			fclose(f);
		}
		if (!f || !text) {
			rl_err("stat: out of memory for the OpenMetrics text");
			st->file_err = 1;
		} else {
			if (a->openmetrics && write_openmetrics(a->openmetrics, text, len))
				st->file_err = 1;
			if (a->metrics)
				rl_http_set_body(&st->http, text, len);	/* taken over */
			else
				free(text);
		}
	}
	if (keep)
		*keep = snap;
	else
		rl_stat_snap_free(&snap);
	return 0;
}

/* --diff's table (on stderr under --json: stdout is JSON lines) and
 * --baseline's file, from the figures at the end. */
static int compare_and_save(const struct stat_args *a, const struct rl_stat_snap *snap, FILE *base)
{
	struct rl_outfile o;
	char err[512];

	if (base && rl_stat_print_diff(a->json ? stderr : stdout, snap, base, a->diff, err,
				       sizeof(err))) {
		rl_err("--diff: %s", err);
		return -1;
	}
	if (!a->baseline)
		return 0;
	if (rl_outfile_open(&o, a->baseline, err, sizeof(err))) {
		rl_err("--baseline: %s", err);
		return -1;
	}
	rl_stat_save_figures(o.f, snap);
	if (rl_outfile_commit(&o, err, sizeof(err))) {
		rl_err("--baseline: %s", err);
		return -1;
	}
	return 0;
}

static void tick(void *cookie)
{
	struct stat_state *st = cookie;
	double now;

	rl_http_serve(&st->http, 0);
	now = rl_mono_s();
	if (now < st->next_s)
		return;
	st->next_s += st->a->interval_s;
	if (st->next_s < now)
		st->next_s = now + st->a->interval_s;
	emit(st, false, NULL);
}

/* Rings alive, as the stat map counts them: the wait after CMD ends at 0. */
static size_t live_rings(void *cookie)
{
	struct stat_state *st = cookie;
	int procs = bpf_map__fd(st->sess->skel->maps.stat_procs);
	__u32 key, next, *prev = NULL;
	struct rl_stat_proc p;
	int64_t n = 0;

	while (!bpf_map_get_next_key(procs, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(procs, &key, &p))
			n += p.rings;
	}
	return n > 0 ? (size_t)n : 0;
}

/* Until a stop signal or the end of -d; the end's own report is the last
 * (an interval that falls on it is not printed twice). */
static void stat_loop(struct stat_state *st)
{
	double end = st->a->duration_s ? st->start_s + st->a->duration_s : 0;

	while (!rl_stop_signal()) {
		double now = rl_mono_s(), left = st->next_s - now;

		if (end && now >= end)
			break;
		if (end && end - now < left)
			left = end - now;
		/* a scrape is answered while it waits */
		if (left > 0)
			rl_http_serve(&st->http, left > 0.1 ? 100 : (int)(left * 1e3) + 1);
		if (end && rl_mono_s() >= end)
			break;
		tick(st);
	}
}

int cmd_stat(int argc, char **argv)
{
	const struct argp_child children[] = { { &rl_common_argp, 0, "Tracing options:", 1 }, {} };
	const struct argp argp = { stat_options, stat_parse, "[-- CMD [ARGS...]]", stat_doc,
				   children, NULL, NULL };
	struct stat_args a = { .interval_s = 1, .settle_ms = 10000 };
	struct rl_session_opts so = { .stat = true, .leave_out = rl_stat_leave_out };
	struct stat_state st = { .a = &a, .http = { .fd = -1 } };
	struct rl_run_opts ro = { .live_objects = live_rings, .cookie = &st, .tick = tick };
	struct rl_run_result res;
	struct rl_session sess;
	struct rl_stat_snap snap;
	char err[512], why[512], **cmd = NULL;
	FILE *diff_base = NULL;
	int ret = RL_EXIT_ERROR, split;

	rl_signals_install();
	split = rl_split_command(argc, argv);
	if (split >= 0) {
		cmd = &argv[split];
		argc = split - 1;	/* argv[split - 1] is "--" */
	}
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return RL_EXIT_ERROR;
	if (cmd && a.pid) {
		rl_err("stat: -p and -- CMD both name what to follow; give one");
		return RL_EXIT_ERROR;
	}
	if (cmd && !rl_command_runnable(cmd[0], why, sizeof(why))) {
		rl_err("cannot run '%s': %s; give a path or fix PATH", cmd[0], why);
		return RL_EXIT_ERROR;
	}
	if (a.pid && kill(a.pid, 0) && errno == ESRCH) {
		rl_err("stat: no process %d; give the pid of a running process", a.pid);
		return RL_EXIT_ERROR;
	}
	so.btf_path = a.common.btf_path;
	so.pref = a.common.attach;
	so.follow_only = a.pid || cmd;
	so.comm = a.comm;
	so.cgroup = a.cgroup;
	so.verbose = a.common.verbose;
	ro.settle_ms = a.settle_ms;
	/* read now: a run is not wasted on a baseline that is not there */
	if (a.diff && !(diff_base = fopen(a.diff, "re"))) {
		rl_err("--diff: cannot read %s: %s; give a file --baseline wrote", a.diff, strerror(errno));
		return RL_EXIT_ERROR;
	}
	if (a.metrics && rl_http_listen(&st.http, a.metrics, err, sizeof(err))) {
		rl_err("--metrics: %s; give a free ADDR:PORT", err);
		goto out;
	}
	if (rl_session_open(&sess, &so, err, sizeof(err))) {
		rl_err("%s", err);
		goto out;
	}
	st.sess = &sess;
	if (a.pid && rl_session_follow(&sess, a.pid)) {
		rl_err("stat: cannot follow pid %d: %s", a.pid, strerror(errno));
		goto cleanup;
	}
	if (rl_plan_failures(&sess.plan, why, sizeof(why)))
		fprintf(stderr, "ringledger: hooks missing (figures may be low): %s\n", why);
	if (a.metrics)
		fprintf(stderr, "ringledger: serving GET /metrics on %s (port %u)\n", a.metrics,
			rl_http_port(&st.http));
	fprintf(stderr, "ringledger: counting io_uring ring memory%s; %s\n",
		cmd ? " of the command" : a.pid ? " of one process tree" : "",
		cmd ? "the command's end stops" : "Ctrl-C to stop");
	st.start_s = rl_mono_s();
	st.next_s = st.start_s + a.interval_s;
	if (cmd) {
		if (rl_run_command(&sess, cmd, &ro, &res, err, sizeof(err))) {
			rl_err("%s", err);
			goto cleanup;
		}
		if (res.child_status != -1)
			fprintf(stderr, "ringledger: the command %s after %.2f s\n",
				rl_describe_status(res.child_status, why, sizeof(why)), res.elapsed_s);
		if (res.settle_timed_out)
			fprintf(stderr, "ringledger: %zu ring(s) still alive %.1f s after the command's "
				"end (their teardown is not counted)\n", live_rings(&st), a.settle_ms / 1000.0);
	} else {
		stat_loop(&st);
	}
	if (emit(&st, true, &snap)) {
		ret = RL_EXIT_ERROR;
		goto cleanup;
	}
	ret = st.file_err ? RL_EXIT_ERROR : RL_EXIT_CLEAN;
	{
		/* what was lost, per hook, on stderr: once */
		struct rl_losses lo;

		rl_session_losses(&sess, &lo);
		rl_losses_note_blind(&lo);
	}
	if (compare_and_save(&a, &snap, diff_base))
		ret = RL_EXIT_ERROR;
	if ((snap.lost || snap.map_full) && ret == RL_EXIT_CLEAN)
		ret = RL_EXIT_INCONCLUSIVE;
	rl_stat_snap_free(&snap);

cleanup:
	rl_session_close(&sess);
out:
	rl_http_close(&st.http);
	if (diff_base)
		fclose(diff_base);
	return ret;
}
