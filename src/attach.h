/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * attach.h - the one place that decides how each hook attaches.
 *
 * The running kernel's BTF and its tracing capabilities decide: fentry/fexit
 * where the function has BTF and trampolines load, kprobe/kretprobe where
 * they do not, a tracepoint where one exists, absent otherwise.  Version
 * numbers are never compared.
 */
#ifndef RL_ATTACH_H
#define RL_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct bpf_program;
struct bpf_link;
struct btf;
struct ringledger_bpf;

enum rl_mech {
	RL_MECH_ABSENT = 0,
	RL_MECH_FENTRY,		/* fentry and/or fexit trampolines */
	RL_MECH_KPROBE,		/* kprobe and/or kretprobe         */
	RL_MECH_TRACEPOINT,	/* raw tracepoint                  */
	RL_MECH_STANDIN,	/* none of its own: its stand-ins'
				 * (RL_HOOK_STANDINS) see for it   */
};

enum rl_attach_pref {
	RL_PREF_AUTO = 0,
	RL_PREF_FENTRY,		/* --attach=fentry: never fall back    */
	RL_PREF_KPROBE,		/* --attach=kprobe: skip trampolines   */
};

/* What the running kernel lets us do. */
struct rl_kernel_caps {
	struct btf *vmlinux;		/* NULL: no BTF                     */
	char btf_path[256];
	int btf_err;			/* -errno when vmlinux is NULL      */
	bool fentry_ok;			/* a tracing program loaded          */
	int fentry_err;			/* -errno of that test load          */
	bool kprobe_ok;			/* kprobe PMU present                */
	bool kretprobe_multi_ok;	/* fprobe on the function graph: a
					 * return probe needs no instance
					 * from a fixed pool (6.14 on)       */
	char *traceable;		/* available_filter_functions, or NULL */
	size_t traceable_len;
};

#define RL_MAX_HOOKS 48

struct rl_hook;		/* a row of the table attach.c builds from include/rl_hooks.h */

/* What a program of a hook is for: the columns of PROGS() in rl_hooks.h. */
enum rl_prog_role {
	RL_PROG_FENTRY = 0,
	RL_PROG_FEXIT,
	RL_PROG_KPROBE,
	RL_PROG_KRETPROBE,
	RL_PROG_TP,		/* raw tracepoint */
	RL_PROG_TP2,		/* its second program (rl_hooks.h) */
	RL_PROG__MAX,
};

struct rl_hook_plan {
	const struct rl_hook *hook;
	enum rl_mech mech;
	const char *func;		/* kernel function or tracepoint chosen */
	bool paired;			/* fentry, with the hook's kprobe
					 * programs beside (rl_hooks.h)     */
	char iter[64];			/* a tracepoint's iterator, with the
					 * hook's kprobe on it; "" if none  */
	bool ret_multi;			/* its kretprobe attaches as a
					 * kprobe.multi return probe        */
	char why[160];			/* why absent, or how it was chosen     */
	int attach_err;			/* -errno of a failed attach, 0 if ok   */
	bool left_out;			/* not needed by this mode (stat)       */
};

/* The programs a hook's plan runs, by slot: [0] at entry (or the
 * tracepoint), [1] at return, [2] and [3] the second side beside those (a
 * paired hook's kprobe and kretprobe, a tracepoint's second program). */
#define RL_PLAN_SLOTS 4

struct rl_plan {
	size_t nr;
	struct rl_hook_plan hooks[RL_MAX_HOOKS];
	struct bpf_link *links[RL_MAX_HOOKS][RL_PLAN_SLOTS];
};

/* The calls the kernel skipped at one hook.  A program is skipped when it
 * is already running on that CPU (rl_hooks.h); a kprobe's count has, from
 * 6.7 on (the kprobe link's `missed`), the probe's own misses too: a hit
 * inside another kprobe, a kretprobe out of return instances.  A call is
 * lost only when every side that could take it skipped it
 * (rl_hook_misses_bound says how many at most); without a second side,
 * every skipped call is. */
struct rl_hook_misses {
	uint64_t slot[RL_PLAN_SLOTS];	/* by plan slot (above)            */
	uint8_t counted;	/* bit per slot attached whose misses the
				 * kernel reports                            */
	uint64_t lost;		/* at most                                       */
	bool blind;		/* a kprobe link whose own misses the kernel
				 * does not report (before 6.7): a kretprobe
				 * out of instances would go uncounted         */
};

/* Probe the running kernel.  `btf_path` NULL: /sys/kernel/btf/vmlinux. */
int rl_caps_probe(struct rl_kernel_caps *caps, const char *btf_path);
void rl_caps_free(struct rl_kernel_caps *caps);
/* True when the plan pairs any hook's trampolines with its kprobes (the
 * BPF side's kprobe_seconds). */
bool rl_plan_has_pairs(const struct rl_plan *plan);
/* The program slot `slot` of hook i runs (RL_PROG__MAX: none), and a
 * role's name ("fexit", "tracepoint's second"). */
enum rl_prog_role rl_plan_slot_role(const struct rl_plan *plan, size_t i, size_t slot);
const char *rl_prog_role_name(enum rl_prog_role r);
/* Bit (1 << stash slot) of each tracepoint hook with its iterator's
 * kprobe: the BPF side's tp_kprobe_slots. */
uint64_t rl_plan_tp_kprobe_slots(const struct rl_plan *plan);
/* True when no function hook can attach at all (this project's dev hosts). */
bool rl_caps_function_tracing_refused(const struct rl_kernel_caps *caps);

/* Choose a mechanism for every hook. */
void rl_plan_make(struct rl_plan *plan, const struct rl_kernel_caps *caps,
		  enum rl_attach_pref pref);
/* Leave the hooks named (a NULL-terminated list) unattached: a mode that
 * does not need what they see (`stat` and page frees).  Their absence is
 * no loss (rl_plan_failures skips them).  -ENOENT for a name no hook has. */
int rl_plan_leave_out(struct rl_plan *plan, const char *const *names, const char *why);
/* Before load: switch off the programs of the mechanisms not chosen and
 * point the chosen fentry programs at the chosen functions. */
int rl_plan_apply(struct rl_plan *plan, struct ringledger_bpf *skel);
/* After load: attach every chosen program; failures are recorded in the
 * plan (attach_err) and counted in the return value. */
int rl_plan_attach(struct rl_plan *plan, struct ringledger_bpf *skel);
void rl_plan_detach(struct rl_plan *plan);

/* Findings whose hooks are all present (bit 1 << RLxxx). */
uint32_t rl_plan_findings_available(const struct rl_plan *plan);
/* Why a finding is unavailable ("needs hook X: absent ..."), or NULL. */
const char *rl_plan_finding_gap(const struct rl_plan *plan, int finding,
				char *buf, size_t len);
/* The finding is unavailable only because the kernel lacks a feature it
 * watches (an optional hook absent): nothing of it can happen here. */
bool rl_plan_finding_moot(const struct rl_plan *plan, int finding);
/* One line per hook missing or failed, for the inconclusive reason; an
 * optional hook that is absent is not a failure. */
size_t rl_plan_failures(const struct rl_plan *plan, char *buf, size_t len);

size_t rl_hook_count(void);
const struct rl_hook *rl_hook_at(size_t i);	/* NULL past the end */
const char *rl_hook_name(const struct rl_hook *h);
const char *rl_hook_what(const struct rl_hook *h);
/* The tracepoint, or the first candidate function. */
const char *rl_hook_target(const struct rl_hook *h);
/* The hook's program for a role: its name (NULL: none), and the program
 * in an opened skeleton (NULL: none). */
const char *rl_hook_prog_name(const struct rl_hook *h, enum rl_prog_role r);
/* Its row says .paired (include/rl_hooks.h). */
bool rl_hook_paired(const struct rl_hook *h);
/* Whether hook i's plan runs a second side (rl_plan_slots 2-3) that takes
 * the calls its first is skipped for: a paired hook's kprobes beside its
 * trampolines, a tracepoint's second program (rl_hooks.h). */
bool rl_plan_has_second(const struct rl_plan *plan, size_t i);
/* m->lost from m->first and m->second, by the rule above. */
void rl_hook_misses_bound(struct rl_hook_misses *m, enum rl_mech mech, bool has_second);
/* Hook i's misses, read from the kernel (its attached programs and links). */
void rl_plan_hook_misses(const struct rl_plan *plan, const struct ringledger_bpf *skel,
			 size_t i, struct rl_hook_misses *m);
struct bpf_program *rl_hook_prog(const struct rl_hook *h, enum rl_prog_role r,
				 const struct ringledger_bpf *skel);
const char *rl_mech_name(enum rl_mech m);

#endif /* RL_ATTACH_H */
