// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_hooks.c - the hook table (include/rl_hooks.h, built by attach.c)
 * against the BPF object: opens the skeleton without loading it (no
 * privilege needed) and checks that
 *   - every program the table names is in the object, is the skeleton
 *     member the table points at, and is of its column's kind (fentry /
 *     fexit on the hook's function, kprobe, kretprobe, raw tracepoint);
 *   - every program of the object belongs to exactly one hook;
 *   - no two hooks share a program, and hook names are unique.
 * A misspelt name in the table does not build (P() is an offsetof into the
 * skeleton); what the build cannot see is checked here.
 */
#include <errno.h>
#include <stdarg.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "ringledger.skel.h"
#include "tests.h"

static const char *const role_name[RL_PROG__MAX] = {
	[RL_PROG_FENTRY] = "fentry", [RL_PROG_FEXIT] = "fexit", [RL_PROG_KPROBE] = "kprobe",
	[RL_PROG_KRETPROBE] = "kretprobe", [RL_PROG_TP] = "raw_tp",
	[RL_PROG_TP2] = "raw_tp",
};

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	printf("#   libbpf: ");
	return vprintf(fmt, ap);
}

/* The section a program of this role on this hook must sit in. */
static void want_section(const struct rl_hook *h, enum rl_prog_role r, char *buf, size_t len)
{
	if (r == RL_PROG_KPROBE || r == RL_PROG_KRETPROBE)
		snprintf(buf, len, "%s", role_name[r]);
	else
		snprintf(buf, len, "%s/%s", role_name[r], rl_hook_target(h));
}

/* Each program the table names: in the object, the member the table
 * points at, in the section its column says. */
static void check_table_programs(const struct ringledger_bpf *skel)
{
	char check[256], sec[128];
	size_t i;
	int r;

	for (i = 0; i < rl_hook_count(); i++) {
		const struct rl_hook *h = rl_hook_at(i);
		int nprogs = 0;

		for (r = 0; r < RL_PROG__MAX; r++) {
			const char *name = rl_hook_prog_name(h, r);
			struct bpf_program *by_name, *member;

			if (!name)
				continue;
			nprogs++;
			by_name = bpf_object__find_program_by_name(skel->obj, name);
			member = rl_hook_prog(h, r, skel);
			snprintf(check, sizeof(check), "hook %s: %s program %s is in the object",
				 rl_hook_name(h), role_name[r], name);
			if (!T_OK(by_name && by_name == member, check)) {
				printf("#   by name %p, skeleton member %p\n", (void *)by_name,
				       (void *)member);
				continue;
			}
			want_section(h, r, sec, sizeof(sec));
			snprintf(check, sizeof(check), "hook %s: %s is a %s program",
				 rl_hook_name(h), name, sec);
			T_EQ_STR(check, bpf_program__section_name(by_name), sec);
		}
		snprintf(check, sizeof(check), "hook %s has a program", rl_hook_name(h));
		T_OK(nprogs > 0, check);
	}
}

/* The hooks (and roles) that name prog; the first two in first, second. */
static int hooks_of(const struct ringledger_bpf *skel, const struct bpf_program *prog,
		    const struct rl_hook **first, const struct rl_hook **second)
{
	int n = 0, r;
	size_t i;

	*first = *second = NULL;
	for (i = 0; i < rl_hook_count(); i++) {
		const struct rl_hook *h = rl_hook_at(i);

		for (r = 0; r < RL_PROG__MAX; r++) {
			if (rl_hook_prog(h, r, skel) != prog)
				continue;
			if (n == 0)
				*first = h;
			else if (n == 1)
				*second = h;
			n++;
		}
	}
	return n;
}

/* Each program of the object: named by exactly one hook, in one role. */
static void check_object_programs(const struct ringledger_bpf *skel)
{
	const struct rl_hook *first, *second;
	struct bpf_program *prog;
	int nr = 0, shared = 0, n;
	char check[256];

	bpf_object__for_each_program(prog, skel->obj) {
		nr++;
		n = hooks_of(skel, prog, &first, &second);
		snprintf(check, sizeof(check), "program %s belongs to exactly one hook",
			 bpf_program__name(prog));
		if (!T_OK(n == 1, check))
			printf("#   named %d times%s%s%s%s\n", n, first ? ": " : "",
			       first ? rl_hook_name(first) : "", second ? ", " : "",
			       second ? rl_hook_name(second) : "");
		shared += n > 1;
	}
	T_OK(nr > 0, "the object has programs");
	T_EQ_U("no two hooks share a program", shared, 0);
}

static void check_hook_names(void)
{
	size_t i, j, dups = 0;

	for (i = 0; i < rl_hook_count(); i++)
		for (j = i + 1; j < rl_hook_count(); j++)
			if (!strcmp(rl_hook_name(rl_hook_at(i)), rl_hook_name(rl_hook_at(j)))) {
				printf("#   %s twice\n", rl_hook_name(rl_hook_at(i)));
				dups++;
			}
	T_EQ_U("hook names are unique", dups, 0);
	T_OK(rl_hook_at(rl_hook_count()) == NULL, "rl_hook_at ends with the table");
}

/* The programs beside a hook's first ones: in a plan that runs them, the
 * first's misses are covered, theirs are not.  A paired hook has kprobes
 * to pair; a second tracepoint program has its first; kprobe mode pairs
 * nothing. */
static void check_pairs(const struct ringledger_bpf *skel)
{
	struct rl_plan plan = { .nr = rl_hook_count() };
	int nr_paired = 0, nr_tp2 = 0;
	char check[256];
	size_t i;

	for (i = 0; i < plan.nr; i++) {
		const struct rl_hook *h = rl_hook_at(i);

		plan.hooks[i].hook = h;
		plan.hooks[i].mech = rl_hook_prog_name(h, RL_PROG_TP) ? RL_MECH_TRACEPOINT :
				     RL_MECH_FENTRY;
		plan.hooks[i].paired = rl_hook_paired(h);
	}
	for (i = 0; i < plan.nr; i++) {
		const struct rl_hook *h = rl_hook_at(i);
		struct bpf_program *fe = rl_hook_prog(h, RL_PROG_FENTRY, skel);
		struct bpf_program *fx = rl_hook_prog(h, RL_PROG_FEXIT, skel);
		struct bpf_program *kp = rl_hook_prog(h, RL_PROG_KPROBE, skel);
		struct bpf_program *tp = rl_hook_prog(h, RL_PROG_TP, skel);
		struct bpf_program *tp2 = rl_hook_prog(h, RL_PROG_TP2, skel);

		if (rl_hook_paired(h)) {
			nr_paired++;
			snprintf(check, sizeof(check), "hook %s: paired, it has a trampoline and a kprobe",
				 rl_hook_name(h));
			T_OK((fe || fx) && kp, check);
			snprintf(check, sizeof(check), "hook %s: its kprobes are a second side",
				 rl_hook_name(h));
			T_OK(rl_plan_has_second(&plan, i), check);
			plan.hooks[i].paired = false;
			snprintf(check, sizeof(check), "hook %s: unpaired (--attach=fentry), no second "
				 "side", rl_hook_name(h));
			T_OK(!rl_plan_has_second(&plan, i), check);
			plan.hooks[i].paired = true;
			plan.hooks[i].mech = RL_MECH_KPROBE;
			snprintf(check, sizeof(check), "hook %s: in kprobe mode no second side",
				 rl_hook_name(h));
			T_OK(!rl_plan_has_second(&plan, i), check);
			plan.hooks[i].mech = RL_MECH_FENTRY;
		} else if (fe || fx) {
			snprintf(check, sizeof(check), "hook %s: not paired, no second side",
				 rl_hook_name(h));
			T_OK(!rl_plan_has_second(&plan, i), check);
		}
		if (tp2) {
			nr_tp2++;
			snprintf(check, sizeof(check), "hook %s: %s is %s's second side",
				 rl_hook_name(h), rl_hook_prog_name(h, RL_PROG_TP2),
				 rl_hook_prog_name(h, RL_PROG_TP));
			T_OK(tp && rl_plan_has_second(&plan, i), check);
		} else if (tp) {
			snprintf(check, sizeof(check), "hook %s: one tracepoint program, no second side",
				 rl_hook_name(h));
			T_OK(!rl_plan_has_second(&plan, i), check);
		}
	}
	snprintf(check, sizeof(check), "%d paired hooks (ring setup and teardown, mmaps, vma life) "
		 "and %d second tracepoint programs (page free, ring birth, processes)",
		 nr_paired, nr_tp2);
	T_OK(nr_paired >= 12 && nr_tp2 >= 2, check);
}

/* A call is lost only when every side skipped it: at most the fewest
 * skips; with one side, all of them. */
static void check_miss_bound(void)
{
	static const struct {
		const char *what;
		enum rl_mech mech;
		bool two;
		uint64_t slot[RL_PLAN_SLOTS];
		uint8_t counted;
		uint64_t lost;
	} cases[] = {
		{ "trampolines skipped, every kprobe ran", RL_MECH_FENTRY, true, { 300, 80 }, 0xf, 0 },
		{ "kretprobe out of instances, fexit ran", RL_MECH_FENTRY, true, { 0, 0, 0, 12 }, 0xf, 0 },
		{ "fentry and kprobe both skipped", RL_MECH_FENTRY, true, { 22, 0, 5 }, 0xf, 5 },
		{ "fexit and kretprobe both skipped", RL_MECH_FENTRY, true, { 0, 3, 0, 9 }, 0xf, 3 },
		{ "fexit skipped, kprobe skipped (no entry for the kretprobe)", RL_MECH_FENTRY, true,
		  { 0, 4, 2, 0 }, 0xf, 2 },
		{ "fentry skipped at entry, kretprobe at return: each point had a side",
		  RL_MECH_FENTRY, true, { 11, 0, 0, 22 }, 0xf, 0 },
		{ "both points, both sides: each lost call skipped on each side", RL_MECH_FENTRY, true,
		  { 7, 5, 3, 4 }, 0xf, 7 },
		{ "both points: entry 2, return 1", RL_MECH_FENTRY, true, { 9, 1, 2, 30 }, 0xf, 3 },
		{ "unpaired: every skip is a loss", RL_MECH_FENTRY, false, { 20, 2 }, 0x3, 22 },
		{ "kprobe mode: kprobe and kretprobe", RL_MECH_KPROBE, false, { 4, 2 }, 0x3, 6 },
		{ "tracepoint, two programs", RL_MECH_TRACEPOINT, true, { 880, 0, 611 }, 0x5, 611 },
		{ "tracepoint, two programs and the iterator's kprobe", RL_MECH_TRACEPOINT, true,
		  { 880, 0, 611, 2 }, 0xd, 2 },
		{ "tracepoint, the kprobe's misses not reported: it bounds nothing",
		  RL_MECH_TRACEPOINT, true, { 880, 0, 611, 0 }, 0x5, 611 },
	};
	char check[192];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rl_hook_misses m = { .counted = cases[i].counted };

		memcpy(m.slot, cases[i].slot, sizeof(m.slot));
		rl_hook_misses_bound(&m, cases[i].mech, cases[i].two);
		snprintf(check, sizeof(check), "%s: at most %llu lost", cases[i].what,
			 (unsigned long long)cases[i].lost);
		T_EQ_U(check, m.lost, cases[i].lost);
	}
}

int main(void)
{
	struct ringledger_bpf *skel;

	libbpf_set_print(quiet_print);
	skel = ringledger_bpf__open();
	if (!T_OK(skel != NULL, "the skeleton opens (not loaded)")) {
		printf("#   %s\n", strerror(errno));
		return t_done();
	}
	check_hook_names();
	check_table_programs(skel);
	check_object_programs(skel);
	check_pairs(skel);
	check_miss_bound();
	ringledger_bpf__destroy(skel);
	return t_done();
}
