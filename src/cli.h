/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli.h - what the subcommands share: exit codes, common options, errors.
 */
#ifndef RL_CLI_H
#define RL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <argp.h>
#include <sys/types.h>
#include "addr.h"
#include "attach.h"
#include "color.h"

/* Exit codes (README, ringledger(8)). */
enum rl_exit {
	RL_EXIT_CLEAN = 0,		/* no finding                        */
	RL_EXIT_FINDINGS = 1,		/* at least one finding not allowed  */
	RL_EXIT_INCONCLUSIVE = 2,	/* events lost or hooks missing      */
	RL_EXIT_ERROR = 3,		/* the tool failed, or bad usage     */
};

/* Options every tracing subcommand takes. */
struct rl_common_opts {
	const char *btf_path;
	enum rl_attach_pref attach;
	bool verbose;
	bool no_stacks;
	uint32_t max_pages;
	uint32_t ringbuf_kib;
};

/* The tracing options check, record, trace and features share: an argp
 * child whose input is a struct rl_common_opts. */
extern const struct argp rl_common_argp;

/* How check, trace and replay print: --raw-addresses, --color. */
struct rl_output_opts {
	bool raw_addresses;
	enum rl_color_when color;
};

/* The output options, an argp child whose input is a struct
 * rl_output_opts: both (check, trace, replay), or --raw-addresses alone
 * (record, which prints no report). */
extern const struct argp rl_output_argp;
extern const struct argp rl_raw_addresses_argp;

/* The run's key (random unless --raw-addresses) and whether stdout's text
 * report is coloured.  0, or -1 after a one-line error (no randomness). */
int rl_output_setup(const struct rl_output_opts *o, struct rl_addr *addr, bool *color);

int cmd_features(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_replay(int argc, char **argv);

/* "ringledger: <msg>" on stderr, one line. */
void rl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses --attach=auto|fentry|kprobe; -1 on a bad value. */
int rl_parse_attach(const char *s, enum rl_attach_pref *out);
/* Parses "RL001,RL006" into a mask (bit 1 << id); -1 on a bad id. */
int rl_parse_allow(const char *s, uint32_t *mask);
/* A usage error in an argp parser: one line, exit 3. */
void rl_usage_error(const struct argp_state *state, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* -p PID and -c COMM, as trace and stat take them: a usage error (exit 3)
 * for a value that is not one. */
pid_t rl_parse_pid_arg(const struct argp_state *state, const char *arg);
const char *rl_parse_comm_arg(const struct argp_state *state, const char *arg);
/* Splits argv at "--": returns the index of the command, or -1. */
int rl_split_command(int argc, char **argv);
/* Is `cmd` runnable (absolute/relative path, or found in PATH)? */
bool rl_command_runnable(const char *cmd, char *why, size_t len);



/* Writes a whole file at once (fill writes it; see outfile.h for how it
 * lands); 0, or -1 with "WHAT: reason" on stderr (WHAT: the option). */
int rl_write_file(const char *path, const char *what,
		  void (*fill)(FILE *f, const void *arg), const void *arg);

struct rl_ledger;
struct rl_report_ctx;
/* Writes one report format to `path`; one-line error and -1 on failure. */
int rl_write_report(const char *path, const struct rl_ledger *l, const struct rl_report_ctx *rc,
		    void (*fmt)(FILE *, const struct rl_ledger *, const struct rl_report_ctx *));

struct rl_html;
/* --html: the page of the run (report_html.c) written to `path`. */
int rl_write_html(const char *path, const struct rl_html *h, const struct rl_ledger *l,
		  const struct rl_report_ctx *rc);

/* Append to WHY (a verdict's "inconclusive because", "; "-separated) the
 * events the kernel side lost, if any: the RL010 findings name each
 * counter, the verdict's line says that there were. */
void rl_why_add_losses(const struct rl_ledger *l, char *why, size_t len);
#endif /* RL_CLI_H */
