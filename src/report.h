/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - output formats over the same ledger state.
 * One file per format: report_text.c, report_json.c, report_junit.c.
 */
#ifndef RL_REPORT_H
#define RL_REPORT_H

#include <stdio.h>
#include "ledger.h"

/* Turns a kernel address into "func+0x1a" (src/ksyms.c); may be NULL,
 * then addresses print as hex. */
typedef const char *(*rl_symbolize_fn)(uint64_t addr, char *buf, size_t len,
				       void *cookie);

struct rl_report_ctx {
	const char *command;		/* the command line checked, or NULL   */
	int child_status;		/* wait(2) status of CMD, -1 if none   */
	int verdict;			/* 0 clean, 1 findings, 2 inconclusive */
	const char *inconclusive_why;	/* one line, or NULL                   */
	double elapsed_s;
	uint32_t allow_mask;		/* bit (1 << id): allowed finding ids  */
	rl_symbolize_fn symbolize;
	void *sym_cookie;
};

/* "clean", "findings" or "inconclusive" for a verdict 0, 1 or 2. */
const char *rl_verdict_name(int verdict);

/* Human report: findings with evidence, then totals. */
void rl_report_text(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc);
/* One finding in human form (used by `trace` as findings happen). */
void rl_report_text_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc);
/* JSON document, schema "ringledger-report/1" (doc/json-schema.md). */
void rl_report_json(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc);
/* One JSON object per line for `trace --json` (schema "ringledger-trace/1"). */
void rl_report_json_event(FILE *f, const struct rl_event *ev);
void rl_report_json_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc);
/* JUnit XML: one testcase per finding id, failed when an unallowed
 * finding of that id was made. */
void rl_report_junit(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc);
/* One human line for a lifecycle event (`trace`, `check -v`). */
void rl_report_text_event(FILE *f, const struct rl_event *ev);

#endif /* RL_REPORT_H */
