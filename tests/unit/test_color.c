// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_color.c - colour only on a terminal, NO_COLOR honoured: the
 * decision (src/color.c) for a pipe, a pseudo-terminal, NO_COLOR set and
 * empty, TERM=dumb and --color; and the reports, which never colour unless
 * struct rl_report_ctx asks, and never colour JSON or JUnit.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "tests.h"
#include "color.h"
#include "report.h"

static void test_decision(void)
{
	enum rl_color_when w = RL_COLOR_NEVER;
	int pipefd[2], master, tty = -1;

	T_OK(!rl_color_parse("auto", &w) && w == RL_COLOR_AUTO, "--color=auto");
	T_OK(!rl_color_parse("always", &w) && w == RL_COLOR_ALWAYS, "--color=always");
	T_OK(!rl_color_parse("never", &w) && w == RL_COLOR_NEVER, "--color=never");
	T_OK(rl_color_parse("yes", &w) == -1, "--color=yes is refused");

	if (!T_OK(pipe(pipefd) == 0, "a pipe"))
		return;
	T_OK(!rl_color_wanted(RL_COLOR_AUTO, pipefd[1], NULL, "xterm"), "auto: a pipe is not coloured");
	T_OK(rl_color_wanted(RL_COLOR_ALWAYS, pipefd[1], "1", "dumb"), "always: coloured anyway");
	close(pipefd[0]);
	close(pipefd[1]);

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master >= 0 && !grantpt(master) && !unlockpt(master))
		tty = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (!T_OK(tty >= 0, "a pseudo-terminal")) {
		if (master >= 0)
			close(master);
		return;
	}
	T_OK(rl_color_wanted(RL_COLOR_AUTO, tty, NULL, "xterm"), "auto: a terminal is coloured");
	T_OK(rl_color_wanted(RL_COLOR_AUTO, tty, "", "xterm"), "auto: NO_COLOR empty colours");
	T_OK(!rl_color_wanted(RL_COLOR_AUTO, tty, "1", "xterm"), "auto: NO_COLOR=1 does not");
	T_OK(!rl_color_wanted(RL_COLOR_AUTO, tty, "no", NULL), "auto: any non-empty NO_COLOR does not");
	T_OK(!rl_color_wanted(RL_COLOR_AUTO, tty, NULL, "dumb"), "auto: TERM=dumb does not");
	T_OK(!rl_color_wanted(RL_COLOR_NEVER, tty, NULL, "xterm"), "never: not on a terminal either");
	T_OK(rl_color_wanted(RL_COLOR_ALWAYS, tty, "1", "xterm"), "always overrides NO_COLOR");
	close(tty);
	close(master);
}


static void test_reports(void)
{
	struct rl_ledger *l = t_replay("rl001_break", false);
	struct rl_ledger *clean = t_replay("rl001_clean", false);
	struct rl_report_ctx rc = { .child_status = -1, .verdict = 1 };
	char *t;

	t = t_render(rl_report_text, l, &rc);
	T_OK(t && !strchr(t, '\033'), "text report: no colour unless asked");
	free(t);
	t = t_render(rl_report_text, l, NULL);
	T_OK(t && !strchr(t, '\033'), "text report without a context: no colour");
	free(t);

	rc.color = true;
	t = t_render(rl_report_text, l, &rc);
	T_CONTAINS("asked: a violation's header in red", t, "\033[1;31mRL001 violation: ");
	T_CONTAINS("asked: the header ends its colour", t, "page freed while mapped\033[0m\n");
	T_CONTAINS("asked: the verdict 'findings' in red", t, "  verdict    \033[1;31mfindings\033[0m\n");
	free(t);
	t = t_render(rl_report_json, l, &rc);
	T_OK(t && !strchr(t, '\033'), "JSON report: never coloured");
	free(t);
	t = t_render(rl_report_junit, l, &rc);
	T_OK(t && !strchr(t, '\033'), "JUnit report: never coloured, evidence included");
	free(t);

	{
		struct rl_ledger *leak = t_replay("rl003_break", false);

		t = t_render(rl_report_text, leak, &rc);
		T_CONTAINS("asked: a leak's header in yellow", t, "\033[1;33mRL003 leak: ");
		free(t);
		rl_ledger_free(leak);
	}
	rc.verdict = 0;
	t = t_render(rl_report_text, clean, &rc);
	T_CONTAINS("asked: the verdict 'clean' in green", t, "  verdict    \033[1;32mclean\033[0m\n");
	free(t);
	rc.verdict = 2;
	rc.inconclusive_why = "events lost";
	t = t_render(rl_report_text, clean, &rc);
	T_CONTAINS("asked: 'inconclusive' in yellow", t,
		   "  verdict    \033[1;33minconclusive (events lost)\033[0m\n");
	free(t);
	rl_ledger_free(l);
	rl_ledger_free(clean);
}

int main(void)
{
	test_decision();
	test_reports();
	return t_done();
}
