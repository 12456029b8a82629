// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_features.c - `ringledger features`: for the running kernel, each hook
 * with the mechanism chosen and the findings therefore available.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include "attach.h"
#include "cli.h"
#include "findings.h"
#include "ledger.h"
#include "loader.h"

struct features_args {
	struct rl_common_opts common;
};

static const struct argp_option features_options[] = {
	{},
};

static error_t features_parse(int key, char *arg, struct argp_state *state)
{
	struct features_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		return 0;
	case ARGP_KEY_ARG:
		rl_usage_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char features_doc[] =
"Show what the running kernel lets ringledger see: each hook, the mechanism\n"
"chosen from the kernel's BTF (fentry, kprobe, tracepoint, absent) and the\n"
"findings therefore available.\n"
"\n"
"Exit: 0 every implemented finding is available, 2 some are not,\n"
"3 the kernel refuses function tracing or another error.\n"
"\v"
"Examples:\n"
"  ringledger features\n"
"  ringledger features --attach=kprobe   # plan as if trampolines were refused\n";

int cmd_features(int argc, char **argv)
{
	const struct argp_child children[] = { { &rl_common_argp, 0, "Options:", 1 }, {} };
	const struct argp argp = { features_options, features_parse, NULL, features_doc, children, NULL, NULL };
	struct features_args a = {};
	struct rl_kernel_caps caps;
	struct rl_plan plan;
	struct utsname un;
	char err[512], gap[256];
	uint32_t available;
	int f, ret, missing = 0;
	size_t i;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return RL_EXIT_ERROR;
	if (rl_preflight(a.common.btf_path, err, sizeof(err))) {
		rl_err("%s", err);
		return RL_EXIT_ERROR;
	}
	ret = rl_caps_probe(&caps, a.common.btf_path);
	if (ret) {
		rl_err("cannot read kernel type information from %s: %s; ringledger needs "
		       "CONFIG_DEBUG_INFO_BTF=y", caps.btf_path, strerror(-ret));
		return RL_EXIT_ERROR;
	}
	if (rl_caps_function_tracing_refused(&caps)) {
		rl_err("this kernel refuses function tracing (fentry: %s; kprobes: not built in), "
		       "so no hook can attach here; run ringledger in a guest: `make vm-shell`, or "
		       "tests/vm/run-guest.sh -- ringledger features", strerror(-caps.fentry_err));
		rl_caps_free(&caps);
		return RL_EXIT_ERROR;
	}
	rl_plan_make(&plan, &caps, a.common.attach);
	uname(&un);

	printf("kernel      %s %s\n", un.release, un.machine);
	printf("btf         %s\n", caps.btf_path);
	printf("trampolines %s\n", caps.fentry_ok ? "yes (fentry/fexit)" : strerror(-caps.fentry_err));
	printf("kprobes     %s\n", caps.kprobe_ok ? "yes" : "no (CONFIG_KPROBES unset)");
	printf("\n%-15s %-10s %-28s %s\n", "HOOK", "MECHANISM", "ATTACH POINT", "SEES / WHY");
	for (i = 0; i < plan.nr; i++) {
		const struct rl_hook_plan *hp = &plan.hooks[i];

		printf("%-15s %-10s %-28s %s\n", rl_hook_name(hp->hook), rl_mech_name(hp->mech),
		       hp->func ? hp->func : "-",
		       hp->mech == RL_MECH_ABSENT ? hp->why : rl_hook_what(hp->hook));
	}

	available = rl_plan_findings_available(&plan);
	printf("\n%-7s %-10s %s\n", "FINDING", "AVAILABLE", "WHAT / WHY NOT");
	for (f = RL001; f < RL_F__MAX; f++) {
		const char *why = rl_plan_finding_gap(&plan, f, gap, sizeof(gap));

		printf("%-7s %-10s %s\n", rl_finding_name(f), (available & (1u << f)) ? "yes" : "no",
		       why ? why : rl_finding_title(f));
		if (why && strncmp(why, "not implemented", 15) && !rl_plan_finding_moot(&plan, f))
			missing++;
	}
	rl_caps_free(&caps);
	return missing ? RL_EXIT_INCONCLUSIVE : RL_EXIT_CLEAN;
}
