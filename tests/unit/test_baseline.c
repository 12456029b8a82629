// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_baseline.c - `--baseline` / `--diff` (src/baseline.c): a finding's
 * key names the rule, the command and the kind of object, never an
 * address; a saved baseline reads back; a run judged against it knows its
 * findings (the verdict clean, the JSON report valid and marking them), a
 * new finding still counts, a key not made again is gone; RL010 is never
 * known; files that are not baselines are refused with a reason.
 */
#include <unistd.h>
#include "tests.h"
#include "json_check.h"
#include "baseline.h"

int main(void)
{
	char path[] = "/tmp/rl-baseline-XXXXXX", key[RL_BASELINE_KEY_LEN], err[256], *out;
	struct rl_ledger *l6 = t_replay("rl006_break", false), *l1 = t_replay("rl001_break", false);
	struct rl_report_ctx rc = { .child_status = -1 };
	struct rl_baseline b;
	struct rl_finding lost = { .id = RL010 };
	int fd = mkstemp(path);
	FILE *f;

	close(fd);
	rl_finding_key(rl_ledger_finding(l6, 0), key, sizeof(key));
	T_EQ_STR("a key: the id, the command, the kind of region", key,
		 "RL006 command=ring_basic region=sqes");
	T_EQ_I("save", rl_baseline_save(path, l6, err, sizeof(err)), 0);
	T_EQ_I("load", rl_baseline_load(path, &b, err, sizeof(err)), 0);
	T_EQ_U("one key", b.nr, 1);
	T_OK(rl_baseline_knows(&b, rl_ledger_finding(l6, 0)), "the same finding is known");
	T_OK(!rl_baseline_knows(&b, rl_ledger_finding(l1, 0)), "another is not");
	T_OK(!rl_baseline_knows(&b, &lost), "RL010 never is");
	T_OK(!rl_baseline_knows(NULL, rl_ledger_finding(l6, 0)), "no baseline knows nothing");

	rl_baseline_match(&b, l6);
	rc.known = &b;
	T_EQ_I("a run with only known findings is clean", rl_verdict(l6, &rc, false), 0);
	T_EQ_U("nothing gone", rl_baseline_gone(&b), 0);
	rc.verdict = 0;
	out = t_render(rl_report_json, l6, &rc);
	T_OK(json_valid(out), "the JSON report with a baseline parses");
	T_CONTAINS("its finding is marked known", out, "\"known\":true");
	T_CONTAINS("the baseline is named, nothing gone", out, "\"gone\":[]}");
	free(out);

	rl_baseline_free(&b);
	rl_baseline_load(path, &b, err, sizeof(err));
	rl_baseline_match(&b, l1);
	rc.known = &b;
	T_EQ_I("a new finding still counts", rl_verdict(l1, &rc, false), 1);
	T_EQ_U("the baseline's key is gone", rl_baseline_gone(&b), 1);
	rc.verdict = 1;
	out = t_render(rl_report_json, l1, &rc);
	T_CONTAINS("... and listed", out, "\"gone\":[\"RL006 command=ring_basic region=sqes\"]");
	free(out);
	rl_baseline_free(&b);

	f = fopen(path, "w");
	fputs("RL006 command=x\n", f);
	fclose(f);
	T_EQ_I("a file without the header is refused", rl_baseline_load(path, &b, err, sizeof(err)), -1);
	T_CONTAINS("... saying why", err, "is not a baseline");
	T_EQ_I("a file that is not there is refused", rl_baseline_load("/nonexistent/b", &b, err, sizeof(err)), -1);
	T_CONTAINS("... saying why", err, "cannot read /nonexistent/b");
	unlink(path);
	rl_ledger_free(l6);
	rl_ledger_free(l1);
	return t_done();
}
