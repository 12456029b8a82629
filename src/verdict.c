// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * verdict.c - which findings count (not --allow'ed, not known by a --diff
 * baseline) and the verdict they make (report.h).
 */
#include "baseline.h"
#include "findings.h"
#include "report.h"

const char *rl_verdict_name(int verdict)
{
	switch (verdict) {
	case 0:
		return "clean";
	case 1:
		return "findings";
	default:
		return "inconclusive";
	}
}

bool rl_report_allowed(const struct rl_report_ctx *rc, enum rl_finding_id id)
{
	return rc && id < 32 && (rc->allow_mask >> id) & 1;
}

bool rl_report_counted(const struct rl_report_ctx *rc, const struct rl_finding *f)
{
	return !rl_report_allowed(rc, f->id) && !(rc && rl_baseline_knows(rc->known, f));
}

int rl_verdict(const struct rl_ledger *l, const struct rl_report_ctx *rc, bool inconclusive)
{
	size_t i, n = rl_ledger_nr_findings(l);
	bool findings = false;

	for (i = 0; i < n; i++) {
		const struct rl_finding *f = rl_ledger_finding(l, i);

		if (!rl_report_counted(rc, f))
			continue;
		if (f->id == RL010)
			inconclusive = true;
		else
			findings = true;
	}
	/* with events lost, a finding may be an artifact of what was lost */
	if (inconclusive)
		return 2;
	return findings ? 1 : 0;	/* the exit codes RL_EXIT_* (cli.h) */
}
