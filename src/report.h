/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report.h - output formats over the same ledger state.
 * One file per format: report_text.c, report_json.c, report_junit.c.
 */
#ifndef RL_REPORT_H
#define RL_REPORT_H

#include <stdio.h>
#include "ledger.h"
#include "findings.h"
#include "names.h"
#include "addr.h"

/* Turns a kernel address into "func+0x1a" (src/ksyms.c); may be NULL,
 * then addresses print as hex. */
typedef const char *(*rl_symbolize_fn)(uint64_t addr, char *buf, size_t len,
				       void *cookie);

struct rl_baseline;

struct rl_report_ctx {
	const char *command;		/* the command line checked, or NULL   */
	int child_status;		/* wait(2) status of CMD, -1 if none   */
	int verdict;			/* 0 clean, 1 findings, 2 inconclusive */
	const char *inconclusive_why;	/* one line, or NULL                   */
	double elapsed_s;
	/* the most the event ring buffer held, and its size (bytes; 0:
	 * not known, as in a replay) */
	uint64_t ringbuf_peak;
	uint64_t ringbuf_bytes;
	uint32_t allow_mask;		/* bit (1 << id): allowed finding ids  */
	/* --diff: findings it knows are shown as known and not counted
	 * (src/baseline.h); NULL: none */
	const struct rl_baseline *known;
	rl_symbolize_fn symbolize;
	void *sym_cookie;
	/* the run's key: every kernel address (finding fields, stack frames,
	 * addresses in the evidence) is printed through rl_addr_str() with
	 * it; NULL prints them raw */
	const struct rl_addr *addr;
	/* colour the text report's verdict and finding headers (a terminal,
	 * no NO_COLOR: src/color.h decides); never set for a file */
	bool color;
};

/* Whether the finding id is --allow'ed (rc NULL: no). */
bool rl_report_allowed(const struct rl_report_ctx *rc, enum rl_finding_id id);
/* Whether a finding counts in the verdict: not --allow'ed, not known by
 * the --diff baseline (rc NULL: every one does). */
bool rl_report_counted(const struct rl_report_ctx *rc, const struct rl_finding *f);

/* 2 if the run was inconclusive (an RL010 finding not allowed, or
 * `inconclusive`): other findings may then be artifacts of what was lost;
 * else 1 if a finding that counts (rl_report_counted: not allowed, not
 * known by the --diff baseline) was made; else 0.  rc NULL: all count. */
int rl_verdict(const struct rl_ledger *l, const struct rl_report_ctx *rc, bool inconclusive);

/* "clean", "findings" or "inconclusive" for a verdict 0, 1 or 2. */
const char *rl_verdict_name(int verdict);

/* Human report: findings with evidence, then totals. */
void rl_report_text(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc);
/* One finding in human form (used by `trace` as findings happen). */
void rl_report_text_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc);
/* JSON document, schema "ringledger-report/1" (doc/json-schema.md). */
void rl_report_json(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc);
/* One JSON object per line for `trace --json` (schema "ringledger-trace/1"),
 * kernel addresses (KPTR and PFN fields) printed with the run's key a;
 * the form without a prints them raw (tests, the golden dump). */
void rl_report_json_event_addr(FILE *f, const struct rl_event *ev, const struct rl_addr *a);
void rl_report_json_event(FILE *f, const struct rl_event *ev);
void rl_report_json_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc);
/* a JSON string (null for NULL), escaped as every JSON output is */
void rl_json_str(FILE *f, const char *s);
/* JUnit XML: one testcase per finding id, failed when an unallowed
 * finding of that id was made. */
void rl_report_junit(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc);
/* One human line for a lifecycle event (`trace`, `check -v`), kernel
 * addresses printed with the run's key a; without a: raw. */
void rl_report_text_event_addr(FILE *f, const struct rl_event *ev, const struct rl_addr *a);
void rl_report_text_event(FILE *f, const struct rl_event *ev);

/* Length (2..4) of the well-formed UTF-8 sequence at s[0, avail), or 0
 * when s[0] does not start one.  Output formats copy such sequences and
 * escape any other byte above ASCII as the Latin-1 character it would be. */
static inline size_t rl_utf8_len(const unsigned char *s, size_t avail)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

#endif /* RL_REPORT_H */
