/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * findings.h - what each finding id means (src/findings.c): its name,
 * title, class and explanation.  The ids live in include/rl_findings.h.
 * And the findings of a run grouped by the command they are attributed
 * to, which every report shows.
 */
#ifndef RL_FINDINGS_TABLE_H
#define RL_FINDINGS_TABLE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "rl_findings.h"
#include "ledger.h"

const char *rl_finding_name(enum rl_finding_id id);	/* "RL001"      */
const char *rl_finding_title(enum rl_finding_id id);	/* one line     */
const char *rl_finding_explain(enum rl_finding_id id);	/* what it means
							 * and where to look */
enum rl_finding_class rl_finding_class_of(enum rl_finding_id id);
const char *rl_finding_class_name(enum rl_finding_class c);	/* "leak" */
int rl_finding_parse(const char *s);			/* "RL001" -> 1, -1 */

/* The stored findings of one command: the file its owner exec'd (or its
 * comm when no exec was seen), and the pids that ran it. */
#define RL_GROUP_PIDS	8	/* pids listed per command; more are counted */

struct rl_cmd_group {
	const struct rl_finding *first;	/* names the group (owner_cmd/comm)   */
	bool attributed;		/* false: the findings of no command
					 * (losses, hooks missing)            */
	uint32_t pids[RL_GROUP_PIDS];
	size_t nr_pids;			/* listed                             */
	bool more_pids;			/* more than RL_GROUP_PIDS            */
	size_t nr_findings;
	uint64_t per_id[RL_F__MAX];
};

struct rl_cmd_groups {
	struct rl_cmd_group *g;		/* attributed ones in order of their
					 * first finding; the unattributed
					 * last                               */
	size_t nr;
	size_t *of;			/* of[i]: the group of finding i      */
};

/* The command a finding is attributed to, for a heading: its exec name,
 * else its comm; NULL when it is not attributable. */
const char *rl_finding_command(const struct rl_finding *f);
/* 0, or -1 when out of memory. */
int rl_cmd_groups_make(const struct rl_ledger *l, struct rl_cmd_groups *out);
void rl_cmd_groups_free(struct rl_cmd_groups *gs);
/* An attributed group's name, "/tests/bin/x (pids 7, 9)" (or "comm x
 * (...)" without an exec name); put writes the names, escaped as the
 * format needs. */
void rl_cmd_group_name(FILE *f, const struct rl_cmd_group *g,
		       void (*put)(FILE *f, const char *s, size_t max));

#endif /* RL_FINDINGS_TABLE_H */
