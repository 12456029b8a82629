// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * color.c - the decision to colour the text report (color.h).  The report
 * itself (report_text.c) colours only when struct rl_report_ctx says so.
 */
#include <string.h>
#include <unistd.h>
#include "color.h"

int rl_color_parse(const char *s, enum rl_color_when *out)
{
	if (!strcmp(s, "auto"))
		*out = RL_COLOR_AUTO;
	else if (!strcmp(s, "always"))
		*out = RL_COLOR_ALWAYS;
	else if (!strcmp(s, "never"))
		*out = RL_COLOR_NEVER;
	else
		return -1;
	return 0;
}

bool rl_color_wanted(enum rl_color_when when, int fd, const char *no_color, const char *term)
{
	switch (when) {
	case RL_COLOR_ALWAYS:
		return true;
	case RL_COLOR_NEVER:
		return false;
	default:
		if (no_color && no_color[0])
			return false;
		if (term && !strcmp(term, "dumb"))
			return false;
		return isatty(fd) == 1;
	}
}
