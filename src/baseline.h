/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * baseline.h - `check --baseline F` / `--diff F` (and replay's): the
 * findings of a run saved as keys that survive from one run to the next,
 * and a later run's findings judged against them.  A key names what broke
 * which rule, never where it lay in memory (addresses change every run):
 *
 *   RL006 command=/workloads/mmap_too_large region=sqes
 *   RL004 command=./server pin=buffer
 *
 * A finding whose key the baseline holds is known: shown, marked, and not
 * counted in the verdict; a new one fails as always; a key the run did not
 * make again is gone (fixed, or not reached) and listed.  RL010 (lost
 * events, missing hooks) is never known: no baseline makes a run that
 * could not see conclusive.
 */
#ifndef RL_BASELINE_H
#define RL_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include "ledger.h"

#define RL_BASELINE_KEY_LEN	192

struct rl_baseline {
	const char *path;
	size_t nr;
	char (*key)[RL_BASELINE_KEY_LEN];
	bool *seen;			/* made again in this run            */
};

/* The key of a finding. */
void rl_finding_key(const struct rl_finding *f, char *buf, size_t len);
/* Write every finding's key but RL010's (sorted, once each) to path,
 * atomically.  0, or -1 with a one-line reason in err. */
int rl_baseline_save(const char *path, const struct rl_ledger *l, char *err, size_t len);
/* Read a file rl_baseline_save wrote.  0, or -1 with a reason in err. */
int rl_baseline_load(const char *path, struct rl_baseline *b, char *err, size_t len);
/* Whether f is known (its key in b; RL010 never; b NULL: no). */
bool rl_baseline_knows(const struct rl_baseline *b, const struct rl_finding *f);
/* Mark the keys of b that findings of l made again (before a report
 * counts what is gone). */
void rl_baseline_match(struct rl_baseline *b, const struct rl_ledger *l);
size_t rl_baseline_gone(const struct rl_baseline *b);
void rl_baseline_free(struct rl_baseline *b);

#endif /* RL_BASELINE_H */
