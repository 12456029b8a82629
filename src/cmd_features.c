// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd_features.c - `ringledger features`: for the running kernel, each hook
 * with the mechanism chosen, the findings therefore available, and the
 * support tier that makes (full / partial / unsupported), as text or JSON.
 * The tier follows from which hooks can attach, never from a version.
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
#include "report.h"

#define FEATURES_SCHEMA "ringledger-features/1"

enum { OPT_JSON = 0x100 };

struct features_args {
	struct rl_common_opts common;
	bool json;
};

static const struct argp_option features_options[] = {
	{ "json", OPT_JSON, NULL, 0, "print the tier, hooks and findings as one JSON object", 0 },
	{},
};

static error_t features_parse(int key, char *arg, struct argp_state *state)
{
	struct features_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case ARGP_KEY_ARG:
		rl_usage_error(state, "unexpected argument '%s'", arg);
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const char features_doc[] =
"Show what the running kernel lets ringledger see: each hook, the mechanism\n"
"chosen from the kernel's BTF (fentry, kprobe, tracepoint, stand-in, absent),\n"
"the findings therefore available, and the support tier:\n"
"  full         every implemented finding is available (those that cannot\n"
"               apply, because the kernel lacks what they watch, are named)\n"
"  partial      some findings are missing, named with the hook they need\n"
"  unsupported  no finding about ring memory is available here\n"
"\n"
"Exit: 0 full, 2 partial or unsupported, 3 the kernel refuses function\n"
"tracing or another error.\n"
"\v"
"Examples:\n"
"  ringledger features\n"
"  ringledger features --json\n"
"  ringledger features --attach=kprobe   # plan as if trampolines were refused\n";

enum rl_tier { TIER_FULL, TIER_PARTIAL, TIER_UNSUPPORTED };

static const char *tier_name(enum rl_tier t)
{
	return t == TIER_FULL ? "full" : t == TIER_PARTIAL ? "partial" : "unsupported";
}

/* Each finding of the plan: available, moot (the kernel lacks what it
 * watches), missing (a hook it needs cannot attach), or not implemented. */
struct finding_state {
	uint32_t available, moot, missing;
};

static struct finding_state finding_states(const struct rl_plan *plan)
{
	struct finding_state st = { .available = rl_plan_findings_available(plan) };
	char gap[256];
	int f;

	for (f = RL001; f < RL_F__MAX; f++) {
		const char *why = rl_plan_finding_gap(plan, f, gap, sizeof(gap));

		if (!why || !strncmp(why, "not implemented", 15))
			continue;
		if (rl_plan_finding_moot(plan, f))
			st.moot |= 1u << f;
		else
			st.missing |= 1u << f;
	}
	return st;
}

/* Unsupported: not one finding about ring memory (RL001-RL009) left. */
static enum rl_tier tier_of(const struct finding_state *st)
{
	uint32_t ring_findings = ((1u << RL_F__MAX) - 1) & ~(1u << RL010) & ~(1u << 0);

	if (!st->missing)
		return TIER_FULL;
	if (!(st->available & ring_findings))
		return TIER_UNSUPPORTED;
	return TIER_PARTIAL;
}

static void print_ids(FILE *f, uint32_t mask, const char *none)
{
	bool first = true;
	int i;

	for (i = RL001; i < RL_F__MAX; i++) {
		if (!(mask & (1u << i)))
			continue;
		fprintf(f, "%s%s", first ? "" : " ", rl_finding_name(i));
		first = false;
	}
	if (first)
		fputs(none, f);
}

static void print_text(const struct rl_plan *plan, const struct rl_kernel_caps *caps,
		       const struct utsname *un, const struct finding_state *st)
{
	enum rl_tier tier = tier_of(st);
	char gap[256];
	size_t i;
	int f;

	printf("kernel      %s %s\n", un->release, un->machine);
	printf("btf         %s\n", caps->btf_path);
	printf("trampolines %s\n", caps->fentry_ok ? "yes (fentry/fexit)" : strerror(-caps->fentry_err));
	printf("kprobes     %s\n", caps->kprobe_ok ? "yes" : "no (CONFIG_KPROBES unset)");
	printf("tier        %s", tier_name(tier));
	if (st->missing) {
		printf(" (missing: ");
		print_ids(stdout, st->missing, "");
		printf(")");
	}
	if (st->moot) {
		printf("; cannot apply here: ");
		print_ids(stdout, st->moot, "");
	}
	printf("\n");
	printf("\n%-15s %-10s %-28s %s\n", "HOOK", "MECHANISM", "ATTACH POINT", "SEES / WHY");
	for (i = 0; i < plan->nr; i++) {
		const struct rl_hook_plan *hp = &plan->hooks[i];

		printf("%-15s %-10s %-28s %s\n", rl_hook_name(hp->hook), rl_mech_name(hp->mech),
		       hp->func ? hp->func : "-",
		       hp->mech == RL_MECH_ABSENT || hp->mech == RL_MECH_STANDIN ? hp->why :
		       rl_hook_what(hp->hook));
	}

	printf("\n%-7s %-10s %s\n", "FINDING", "AVAILABLE", "WHAT / WHY NOT");
	for (f = RL001; f < RL_F__MAX; f++) {
		const char *why = rl_plan_finding_gap(plan, f, gap, sizeof(gap));
		printf("%-7s %-10s %s\n", rl_finding_name(f),
		       (st->available & (1u << f)) ? "yes" : "no", why ? why : rl_finding_title(f));
	}
}

static void print_json(const struct rl_plan *plan, const struct rl_kernel_caps *caps,
		       const struct utsname *un, const struct finding_state *st)
{
	char gap[256];
	size_t i;
	int f;

	printf("{\"schema\": \"" FEATURES_SCHEMA "\", \"kernel\": ");
	rl_json_str(stdout, un->release);
	printf(", \"machine\": ");
	rl_json_str(stdout, un->machine);
	printf(", \"btf\": ");
	rl_json_str(stdout, caps->btf_path);
	printf(", \"fentry\": %s, \"kprobes\": %s, \"tier\": \"%s\", \"missing\": [",
	       caps->fentry_ok ? "true" : "false", caps->kprobe_ok ? "true" : "false",
	       tier_name(tier_of(st)));
	for (f = RL001, i = 0; f < RL_F__MAX; f++)
		if (st->missing & (1u << f))
			printf("%s\"%s\"", i++ ? ", " : "", rl_finding_name(f));
	printf("], \"moot\": [");
	for (f = RL001, i = 0; f < RL_F__MAX; f++)
		if (st->moot & (1u << f))
			printf("%s\"%s\"", i++ ? ", " : "", rl_finding_name(f));
	printf("],\n \"hooks\": [");
	for (i = 0; i < plan->nr; i++) {
		const struct rl_hook_plan *hp = &plan->hooks[i];

		printf("%s\n  {\"name\": ", i ? "," : "");
		rl_json_str(stdout, rl_hook_name(hp->hook));
		printf(", \"mechanism\": \"%s\", \"attach_point\": ", rl_mech_name(hp->mech));
		rl_json_str(stdout, hp->func);
		printf(", \"why\": ");
		rl_json_str(stdout, hp->why[0] ? hp->why : NULL);
		printf("}");
	}
	printf("],\n \"findings\": [");
	for (f = RL001; f < RL_F__MAX; f++) {
		const char *why = rl_plan_finding_gap(plan, f, gap, sizeof(gap));
		const char *state = (st->available & (1u << f)) ? "available" :
				    (st->moot & (1u << f)) ? "moot" :
				    (st->missing & (1u << f)) ? "missing" : "not-implemented";

		printf("%s\n  {\"id\": \"%s\", \"state\": \"%s\", \"title\": ", f == RL001 ? "" : ",",
		       rl_finding_name(f), state);
		rl_json_str(stdout, rl_finding_title(f));
		printf(", \"why\": ");
		rl_json_str(stdout, why);
		printf("}");
	}
	printf("]}\n");
}

int cmd_features(int argc, char **argv)
{
	const struct argp_child children[] = { { &rl_common_argp, 0, "Options:", 1 }, {} };
	const struct argp argp = { features_options, features_parse, NULL, features_doc, children, NULL, NULL };
	struct features_args a = {};
	struct rl_kernel_caps caps;
	struct finding_state st;
	struct rl_plan plan;
	struct utsname un;
	char err[512];
	int ret;

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
	st = finding_states(&plan);
	if (a.json)
		print_json(&plan, &caps, &un, &st);
	else
		print_text(&plan, &caps, &un, &st);
	rl_caps_free(&caps);
	return tier_of(&st) == TIER_FULL ? RL_EXIT_CLEAN : RL_EXIT_INCONCLUSIVE;
}
