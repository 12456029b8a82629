// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cli.c - small helpers shared by the subcommands. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "report_html.h"
#include "report.h"
#include "findings.h"
#include "ledger.h"
#include "outfile.h"

void rl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("ringledger: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void rl_usage_error(const struct argp_state *state, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ringledger: %s: ", state->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see ringledger %s --help)\n", state->name);
	exit(RL_EXIT_ERROR);
}

enum { OPT_ATTACH = 2000, OPT_BTF, OPT_NO_STACKS, OPT_MAX_PAGES, OPT_RINGBUF, OPT_DEBUG };

static const struct argp_option common_options[] = {
	{ "attach", OPT_ATTACH, "MODE", 0, "auto (default): fentry where trampolines load, else kprobes; or fentry, kprobe", 0 },
	{ "btf", OPT_BTF, "PATH", 0, "kernel BTF to use instead of /sys/kernel/btf/vmlinux", 0 },
	{ "no-stacks", OPT_NO_STACKS, NULL, 0, "do not capture kernel stacks", 0 },
	{ "max-pages", OPT_MAX_PAGES, "N", 0, "size of the tracked-page map (default 262144)", 0 },
	{ "ringbuf-kib", OPT_RINGBUF, "KIB", 0, "event ring buffer size (default 16384)", 0 },
	{ "debug", OPT_DEBUG, NULL, 0, "libbpf's debug output (verifier logs), each loading step's time", 0 },
	{},
};

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct rl_common_opts *c = state->input;
	char *end;

	switch (key) {
	case OPT_ATTACH:
		if (rl_parse_attach(arg, &c->attach))
			rl_usage_error(state, "--attach takes auto, fentry or kprobe, not '%s'", arg);
		return 0;
	case OPT_BTF:
		c->btf_path = arg;
		return 0;
	case OPT_NO_STACKS:
		c->no_stacks = true;
		return 0;
	case OPT_DEBUG:
		c->verbose = true;
		return 0;
	case OPT_MAX_PAGES:
		c->max_pages = strtoul(arg, &end, 0);
		if (*end || c->max_pages < 1024)
			rl_usage_error(state, "--max-pages takes a number of at least 1024, not '%s'", arg);
		return 0;
	case OPT_RINGBUF:
		c->ringbuf_kib = strtoul(arg, &end, 0);
		if (*end || c->ringbuf_kib < 4 || (c->ringbuf_kib & (c->ringbuf_kib - 1)))
			rl_usage_error(state, "--ringbuf-kib takes a power of two of at least 4, not '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct argp rl_common_argp = { common_options, common_parse, NULL, NULL, NULL, NULL, NULL };

enum { OPT_COLOR = 2100, OPT_RAW_ADDRESSES };

/* --color first: rl_raw_addresses_argp is the table from its second row */
static const struct argp_option output_options[] = {
	{ "color", OPT_COLOR, "WHEN", 0, "colour the report's verdict and findings: auto (default: on a terminal, unless NO_COLOR is set), always, never", 0 },
	{ "raw-addresses", OPT_RAW_ADDRESSES, NULL, 0, "print kernel addresses (pointers, pfns, stack frames) as they are, not hashed per run", 0 },
	{},
};

static error_t output_parse(int key, char *arg, struct argp_state *state)
{
	struct rl_output_opts *o = state->input;

	switch (key) {
	case OPT_COLOR:
		if (rl_color_parse(arg, &o->color))
			rl_usage_error(state, "--color takes auto, always or never, not '%s'", arg);
		return 0;
	case OPT_RAW_ADDRESSES:
		o->raw_addresses = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct argp rl_output_argp = { output_options, output_parse, NULL, NULL, NULL, NULL, NULL };
const struct argp rl_raw_addresses_argp = { output_options + 1, output_parse, NULL, NULL, NULL,
					    NULL, NULL };

int rl_output_setup(const struct rl_output_opts *o, struct rl_addr *addr, bool *color)
{
	int err = rl_addr_init(addr, o->raw_addresses);

	if (err) {
		rl_err("no random key to hash kernel addresses with (getrandom: %s); "
		       "--raw-addresses prints them as they are", strerror(-err));
		return -1;
	}
	if (color)
		*color = rl_color_wanted(o->color, STDOUT_FILENO, getenv("NO_COLOR"), getenv("TERM"));
	return 0;
}

int rl_parse_attach(const char *s, enum rl_attach_pref *out)
{
	if (!strcmp(s, "auto"))
		*out = RL_PREF_AUTO;
	else if (!strcmp(s, "fentry"))
		*out = RL_PREF_FENTRY;
	else if (!strcmp(s, "kprobe"))
		*out = RL_PREF_KPROBE;
	else
		return -1;
	return 0;
}

int rl_parse_allow(const char *s, uint32_t *mask)
{
	char buf[256], *tok, *save = NULL;
	int id;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		id = rl_finding_parse(tok);
		if (id <= 0)
			return -1;
		*mask |= 1u << id;
	}
	return 0;
}

pid_t rl_parse_pid_arg(const struct argp_state *state, const char *arg)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	if (*end || pid <= 0 || pid > INT32_MAX)
		rl_usage_error(state, "-p takes a process id, not '%s'", arg);
	return (pid_t)pid;
}

const char *rl_parse_comm_arg(const struct argp_state *state, const char *arg)
{
	if (strlen(arg) >= RL_COMM_LEN)
		rl_usage_error(state, "-c: '%s' is longer than a task name (15 characters)", arg);
	return arg;
}

int rl_split_command(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? i + 1 : -1;
	return -1;
}

bool rl_command_runnable(const char *cmd, char *why, size_t len)
{
	const char *path = getenv("PATH");
	char buf[4096], *dir, *save = NULL, full[4096 + 256];

	if (strchr(cmd, '/')) {
		if (!access(cmd, X_OK))
			return true;
		snprintf(why, len, "%s", strerror(errno));
		return false;
	}
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(full, sizeof(full), "%s/%s", *dir ? dir : ".", cmd);
		if (!access(full, X_OK))
			return true;
	}
	snprintf(why, len, "not found in PATH");
	return false;
}

void rl_why_add_losses(const struct rl_ledger *l, char *why, size_t len)
{
	struct rl_ledger_stats st;
	size_t off = strlen(why);

	rl_ledger_get_stats(l, &st);
	if (!st.lost_events || off + 1 >= len)
		return;
	snprintf(why + off, len - off, "%s%" PRIu64 " event%s lost in the kernel: RL010 names the counters",
		 off ? "; " : "", st.lost_events, st.lost_events == 1 ? "" : "s");
}

int rl_write_file(const char *path, const char *what,
		  void (*fill)(FILE *f, const void *arg), const void *arg)
{
	struct rl_outfile o;
	char err[512];

	if (!rl_outfile_open(&o, path, err, sizeof(err))) {
		fill(o.f, arg);
		if (!rl_outfile_commit(&o, err, sizeof(err)))
			return 0;
	}
	rl_err("%s: %s", what, err);
	return -1;
}

struct report_fill {
	const struct rl_ledger *l;
	const struct rl_report_ctx *rc;
	void (*fmt)(FILE *, const struct rl_ledger *, const struct rl_report_ctx *);
};

static void fill_report(FILE *f, const void *arg)
{
	const struct report_fill *r = arg;

	r->fmt(f, r->l, r->rc);
}

int rl_write_report(const char *path, const struct rl_ledger *l, const struct rl_report_ctx *rc,
		    void (*fmt)(FILE *, const struct rl_ledger *, const struct rl_report_ctx *))
{
	struct report_fill r = { .l = l, .rc = rc, .fmt = fmt };

	return rl_write_file(path, "report", fill_report, &r);
}

struct html_fill {
	const struct rl_html *h;
	const struct rl_ledger *l;
	const struct rl_report_ctx *rc;
};

static void fill_html(FILE *f, const void *arg)
{
	const struct html_fill *p = arg;

	rl_html_write(f, p->h, p->l, p->rc);
}

int rl_write_html(const char *path, const struct rl_html *h, const struct rl_ledger *l,
		  const struct rl_report_ctx *rc)
{
	struct html_fill p = { .h = h, .l = l, .rc = rc };

	return rl_write_file(path, "--html", fill_html, &p);
}
