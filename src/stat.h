/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stat.h - `ringledger stat`'s figures in user space: one snapshot of the
 * kernel's stat maps (include/rl_stat.h) and each way of printing it (the
 * live table, log2 histograms, JSON lines, OpenMetrics).  Plain C: the
 * snapshot is filled by cmd_stat.c from the maps, or by a test.
 */
#ifndef RL_STAT_USER_H
#define RL_STAT_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "rl_stat.h"

struct rl_stat_row {
	uint32_t pid;
	struct rl_stat_proc p;
};

struct rl_stat_snap {
	double wall_s;			/* CLOCK_REALTIME of the snapshot    */
	double elapsed_s;		/* since stat began                  */
	size_t nr, cap;
	struct rl_stat_row *rows;	/* sorted: most pages held first     */
	/* made by processes gone and pruned from the kernel's map (their
	 * gauges were 0): kept so that the totals only grow */
	struct rl_stat_proc gone;
	struct rl_stat_hist_val hist[RL_SH__MAX];
	unsigned long long map_full;		/* stat maps without room (figures low) */
	unsigned long long lost;			/* calls our programs were skipped for  */
};

/* The hooks `stat` does not attach (what they see it does not count:
 * bpf/stat.bpf.h's stat_wants()); NULL-terminated. */
extern const char *const rl_stat_leave_out[];

/* Histogram id's name, unit ("ns" or "pages") and help. */
const char *rl_stat_hist_name(enum rl_stat_hist h);
const char *rl_stat_hist_unit(enum rl_stat_hist h);
const char *rl_stat_hist_help(enum rl_stat_hist h);

/* Rows: one more (grows the array); -1 when out of memory. */
struct rl_stat_row *rl_stat_add_row(struct rl_stat_snap *s, uint32_t pid);
void rl_stat_sort(struct rl_stat_snap *s);
/* Add p's counts of what it made to t's. */
void rl_stat_add_made(struct rl_stat_proc *t, const struct rl_stat_proc *p);
/* The system's totals: every row, and the made counts of `gone`. */
void rl_stat_total(const struct rl_stat_snap *s, struct rl_stat_proc *t);
/* A row that holds nothing now (its process may be pruned). */
bool rl_stat_row_idle(const struct rl_stat_proc *p);
void rl_stat_snap_free(struct rl_stat_snap *s);

/* Value bounds of a log2 slot: [lo, hi]. */
void rl_stat_slot_range(unsigned slot, unsigned long long *lo, unsigned long long *hi);

/* The live table: one header line with the time, a row per process that
 * holds ring memory, the totals. */
void rl_stat_print_table(FILE *f, const struct rl_stat_snap *s, bool header);
/* Every histogram with a value, as libbpf-tools print them. */
void rl_stat_print_hists(FILE *f, const struct rl_stat_snap *s);
/* One JSON object on one line (schema ringledger-stat/1). */
void rl_stat_print_json(FILE *f, const struct rl_stat_snap *s);
/* The OpenMetrics text exposition (README's metric table), ending "# EOF". */
void rl_stat_print_openmetrics(FILE *f, const struct rl_stat_snap *s);

/* --baseline: the figures of a run (what it made; each histogram's count
 * and mean), one "name value" line each after a header line. */
int rl_stat_save_figures(FILE *f, const struct rl_stat_snap *s);
/* --diff: a table of each figure in the baseline `base` (read from path)
 * beside this run's, and the change.  0, or -1 with a reason in err. */
int rl_stat_print_diff(FILE *out, const struct rl_stat_snap *s, FILE *base, const char *path,
		       char *err, size_t len);

#endif /* RL_STAT_USER_H */
