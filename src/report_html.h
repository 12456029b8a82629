/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report_html.h - `check --html F` (and replay's): one self-contained HTML
 * page (no script, nothing fetched) with the verdict and, per finding, an
 * SVG timeline of the objects involved (its ring, region, mapping, pin set:
 * the lifetimes rl_timeline_edge() says) with the event that set it up and
 * the one that broke the rule marked, and the finding's evidence and stacks
 * beside, as the text report has them.  Fed every event (it keeps each
 * object's lifetime), written once at the end.
 */
#ifndef RL_REPORT_HTML_H
#define RL_REPORT_HTML_H

#include <stdio.h>
#include "addr.h"
#include "ledger.h"
#include "report.h"

struct rl_html;

struct rl_html *rl_html_new(const struct rl_addr *addr);
void rl_html_event(struct rl_html *h, const struct rl_event *ev);
void rl_html_write(FILE *f, const struct rl_html *h, const struct rl_ledger *l,
		   const struct rl_report_ctx *rc);
void rl_html_free(struct rl_html *h);

#endif /* RL_REPORT_HTML_H */
