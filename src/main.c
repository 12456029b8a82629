// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ringledger - a ledger of page references for io_uring ring memory.
 *
 * main.c dispatches to one file per subcommand (cmd_*.c).
 */
#include <argp.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* both from the Makefile: the version from debian/changelog (its one
 * place), the revision from scripts/revision.sh (git describe --dirty) */
#if !defined(RL_VERSION) || !defined(RL_REVISION)
#error "build ringledger with make: it passes RL_VERSION and RL_REVISION"
#endif

static const char usage[] =
"Usage: ringledger COMMAND [OPTIONS] [-- CMD ARGS...]\n"
"\n"
"Keeps a ledger of page references for io_uring ring memory on the running\n"
"kernel and reports leaks and lifetime violations (findings RL001-RL010).\n"
"\n"
"Commands:\n"
"  check  [--json F] [--junit F] [--allow ID] -- CMD   run CMD under the ledger;\n"
"                                      exit 0 clean, 1 findings, 2 inconclusive, 3 error\n"
"  trace  [-p PID] [-c COMM] [--json]  stream lifecycle events and findings live\n"
"  stat   [-p PID] [-i SECS] [-- CMD]  what rings map and pin, per process, and\n"
"                                      lifetime histograms, counted in the kernel\n"
"  record -o FILE -- CMD               write CMD's raw event stream to FILE\n"
"  replay FILE                         run the ledger over a recorded stream\n"
"  features                            what this kernel lets ringledger see\n"
"\n"
"Run `ringledger COMMAND --help` for a command's options and examples.\n"
"Exit codes: 0 clean, 1 findings, 2 inconclusive, 3 tool error or bad usage.\n";

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "check", cmd_check },
	{ "trace", cmd_trace },
	{ "stat", cmd_stat },
	{ "record", cmd_record },
	{ "replay", cmd_replay },
	{ "features", cmd_features },
};

int main(int argc, char **argv)
{
	size_t i;

	argp_err_exit_status = RL_EXIT_ERROR;
	if (argc < 2) {
		fputs(usage, stderr);
		return RL_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return RL_EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("ringledger %s (revision %s)\n", RL_VERSION, RL_REVISION);
		return RL_EXIT_CLEAN;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);

	rl_err("unknown command '%s'; commands are check, trace, stat, record, replay, features "
	       "(ringledger --help)", argv[1]);
	return RL_EXIT_ERROR;
}
