/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * findings.h - what each finding id means (src/findings.c): its name,
 * title, class and explanation.  The ids live in include/rl_findings.h.
 */
#ifndef RL_FINDINGS_TABLE_H
#define RL_FINDINGS_TABLE_H

#include "rl_findings.h"

const char *rl_finding_name(enum rl_finding_id id);	/* "RL001"      */
const char *rl_finding_title(enum rl_finding_id id);	/* one line     */
const char *rl_finding_explain(enum rl_finding_id id);	/* what it means
							 * and where to look */
enum rl_finding_class rl_finding_class_of(enum rl_finding_id id);
const char *rl_finding_class_name(enum rl_finding_class c);	/* "leak" */
int rl_finding_parse(const char *s);			/* "RL001" -> 1, -1 */

#endif /* RL_FINDINGS_TABLE_H */
