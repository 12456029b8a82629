/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * color.h - whether the text report is coloured (--color, NO_COLOR).
 */
#ifndef RL_COLOR_H
#define RL_COLOR_H

#include <stdbool.h>

enum rl_color_when {
	RL_COLOR_AUTO = 0,	/* on a terminal, unless NO_COLOR or TERM=dumb */
	RL_COLOR_ALWAYS,
	RL_COLOR_NEVER,
};

/* Parses auto|always|never; -1 on anything else. */
int rl_color_parse(const char *s, enum rl_color_when *out);
/* Whether output to fd is coloured.  auto: fd is a terminal, no_color
 * (the value of NO_COLOR, https://no-color.org) is unset or empty, and
 * term (TERM) is not "dumb".  always and never, as they say (a command-line
 * choice overrides NO_COLOR, as no-color.org asks). */
bool rl_color_wanted(enum rl_color_when when, int fd, const char *no_color, const char *term);

#endif /* RL_COLOR_H */
