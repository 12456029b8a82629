// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stat.c - `ringledger stat`'s snapshot and its formats (stat.h).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "names.h"
#include "report.h"
#include "stat.h"

#define HIST_NAME_(E, name, unit, help) [RL_SH_##E] = name,
#define HIST_UNIT_(E, name, unit, help) [RL_SH_##E] = unit,
#define HIST_HELP_(E, name, unit, help) [RL_SH_##E] = help,
static const char *const hist_names[RL_SH__MAX] = { RL_STAT_HISTS(HIST_NAME_) };
static const char *const hist_units[RL_SH__MAX] = { RL_STAT_HISTS(HIST_UNIT_) };
static const char *const hist_helps[RL_SH__MAX] = { RL_STAT_HISTS(HIST_HELP_) };

const char *rl_stat_hist_name(enum rl_stat_hist h) { return h < RL_SH__MAX ? hist_names[h] : "?"; }
const char *rl_stat_hist_unit(enum rl_stat_hist h) { return h < RL_SH__MAX ? hist_units[h] : "?"; }
const char *rl_stat_hist_help(enum rl_stat_hist h) { return h < RL_SH__MAX ? hist_helps[h] : "?"; }

static bool unit_is_ns(enum rl_stat_hist h)
{
	return !strcmp(rl_stat_hist_unit(h), "ns");
}

struct rl_stat_row *rl_stat_add_row(struct rl_stat_snap *s, uint32_t pid)
{
	struct rl_stat_row *r;

	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		r = realloc(s->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		s->rows = r;
		s->cap = cap;
	}
	r = &s->rows[s->nr++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	return r;
}

static long long held_pages(const struct rl_stat_proc *p)
{
	return p->pinned_pages + p->mapped_pages + p->region_pages;
}

static int row_cmp(const void *a, const void *b)
{
	const struct rl_stat_row *x = a, *y = b;
	long long hx = held_pages(&x->p), hy = held_pages(&y->p);

	if (hx != hy)
		return hx > hy ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void rl_stat_sort(struct rl_stat_snap *s)
{
	if (s->nr)
		qsort(s->rows, s->nr, sizeof(*s->rows), row_cmp);
}

static long long regions_of(const struct rl_stat_proc *p)
{
	long long n = 0;
	int k;

	for (k = 0; k < RL_RK__MAX; k++)
		n += p->regions[k];
	return n;
}

bool rl_stat_row_idle(const struct rl_stat_proc *p)
{
	return !p->rings && !regions_of(p) && !p->region_pages && !p->mappings &&
	       !p->mapped_pages && !p->pin_sets && !p->pinned_pages;
}

void rl_stat_add_made(struct rl_stat_proc *t, const struct rl_stat_proc *p)
{
	t->rings_made += p->rings_made;
	t->regions_made += p->regions_made;
	t->mappings_made += p->mappings_made;
	t->pin_sets_made += p->pin_sets_made;
	t->pages_pinned_total += p->pages_pinned_total;
}

void rl_stat_total(const struct rl_stat_snap *s, struct rl_stat_proc *t)
{
	size_t i;
	int k;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < s->nr; i++) {
		const struct rl_stat_proc *p = &s->rows[i].p;

		t->rings += p->rings;
		for (k = 0; k < RL_RK__MAX; k++)
			t->regions[k] += p->regions[k];
		t->region_pages += p->region_pages;
		t->mappings += p->mappings;
		t->mapped_pages += p->mapped_pages;
		t->pin_sets += p->pin_sets;
		t->pinned_pages += p->pinned_pages;
		rl_stat_add_made(t, p);
	}
	rl_stat_add_made(t, &s->gone);
}

void rl_stat_snap_free(struct rl_stat_snap *s)
{
	free(s->rows);
	s->rows = NULL;
	s->nr = s->cap = 0;
}

void rl_stat_slot_range(unsigned slot, unsigned long long *lo, unsigned long long *hi)
{
	if (!slot) {
		*lo = *hi = 0;
		return;
	}
	*lo = 1ULL << (slot - 1);
	*hi = slot >= RL_STAT_SLOTS - 1 ? UINT64_MAX : (1ULL << slot) - 1;
}

/* ---- the live table ---------------------------------------------------- */

static void print_row(FILE *f, const char *pid, const char *comm, const struct rl_stat_proc *p)
{
	fprintf(f, "%8s %-16s %5lld %7lld %8lld %5lld %8lld"
		" %7lld %8lld %8lld\n", pid, comm, p->rings, regions_of(p),
		p->region_pages, p->mappings, p->mapped_pages, p->pin_sets, p->pinned_pages,
		p->regions[RL_RK_PBUF]);
}

static void comm_printable(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && i < RL_COMM_LEN && in[i]; i++)
		out[i] = in[i] > ' ' && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

void rl_stat_print_table(FILE *f, const struct rl_stat_snap *s, bool header)
{
	struct rl_stat_proc t;
	char when[16], pid[16], comm[RL_COMM_LEN + 1];
	time_t now = (time_t)s->wall_s;
	struct tm tm;
	size_t i, shown = 0;

	rl_stat_total(s, &t);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	for (i = 0; i < s->nr; i++)
		shown += !rl_stat_row_idle(&s->rows[i].p);
	fprintf(f, "%s  %.1f s: %zu process%s hold%s ring memory; made since start: %llu"
		" rings, %llu regions, %llu mappings, %llu pin sets (%llu"
		" pages)\n", when, s->elapsed_s, shown, shown == 1 ? "" : "es", shown == 1 ? "s" : "",
		t.rings_made, t.regions_made, t.mappings_made, t.pin_sets_made, t.pages_pinned_total);
	if (header || shown)
		fprintf(f, "%8s %-16s %5s %7s %8s %5s %8s %7s %8s %8s\n", "PID", "COMM", "RINGS",
			"REGIONS", "RPAGES", "MAPS", "MAPPED", "PINSETS", "PINNED", "BUFRINGS");
	for (i = 0; i < s->nr; i++) {
		const struct rl_stat_row *r = &s->rows[i];

		if (rl_stat_row_idle(&r->p))
			continue;
		snprintf(pid, sizeof(pid), "%u", r->pid);
		comm_printable(r->p.comm, comm, sizeof(comm));
		print_row(f, pid, comm, &r->p);
	}
	if (shown > 1)
		print_row(f, "", "TOTAL", &t);
	if (s->map_full || s->lost)
		fprintf(f, "  figures may be low: %llu stat map updates without room, %llu calls lost\n", s->map_full, s->lost);
}

/* ---- histograms, as libbpf-tools print them ---------------------------- */

static void fmt_value(char *buf, size_t len, unsigned long long v, bool ns)
{
	if (ns)
		rl_duration_str(v, buf, len);
	else
		snprintf(buf, len, "%llu", v);
}

void rl_stat_print_hists(FILE *f, const struct rl_stat_snap *s)
{
	enum rl_stat_hist h;
	char lo_s[32], hi_s[32], mean[32];
	unsigned i, first, last;
	unsigned long long max, lo, hi;
	int bar, j;

	for (h = 0; h < RL_SH__MAX; h++) {
		const struct rl_stat_hist_val *v = &s->hist[h];
		bool ns = unit_is_ns(h);

		if (!v->count)
			continue;
		for (first = 0; first < RL_STAT_SLOTS && !v->slot[first]; first++)
			;
		for (last = RL_STAT_SLOTS - 1; last > first && !v->slot[last]; last--)
			;
		for (i = first, max = 0; i <= last; i++)
			max = v->slot[i] > max ? v->slot[i] : max;
		fmt_value(mean, sizeof(mean), v->sum / v->count, ns);
		fprintf(f, "\n%s: %llu, mean %s (%s)\n", rl_stat_hist_name(h), v->count, mean,
			rl_stat_hist_help(h));
		fprintf(f, "%24s : %-8s %s\n", ns ? "time" : "pages", "count", "distribution");
		for (i = first; i <= last; i++) {
			rl_stat_slot_range(i, &lo, &hi);
			fmt_value(lo_s, sizeof(lo_s), lo, ns);
			fmt_value(hi_s, sizeof(hi_s), hi, ns);
			bar = max ? (int)(v->slot[i] * 40 / max) : 0;
			fprintf(f, "%10s -> %-10s : %-8llu |", lo_s, hi_s, v->slot[i]);
			for (j = 0; j < 40; j++)
				fputc(j < bar ? '*' : ' ', f);
			fputs("|\n", f);
		}
	}
}

/* ---- JSON lines ---------------------------------------------------------- */

static void json_proc(FILE *f, const struct rl_stat_proc *p)
{
	int k;

	fprintf(f, "\"rings\":%lld,\"regions\":{", p->rings);
	for (k = 1; k < RL_RK__MAX; k++)
		fprintf(f, "%s\"%s\":%lld", k > 1 ? "," : "", rl_region_kind_name(k), p->regions[k]);
	fprintf(f, "},\"region_pages\":%lld,\"mappings\":%lld,\"mapped_pages\":%lld"
		",\"pin_sets\":%lld,\"pinned_pages\":%lld,\"made\":{\"rings\":%llu"
		",\"regions\":%llu,\"mappings\":%llu,\"pin_sets\":%llu"
		",\"pinned_pages\":%llu}", p->region_pages, p->mappings, p->mapped_pages,
		p->pin_sets, p->pinned_pages, p->rings_made, p->regions_made, p->mappings_made,
		p->pin_sets_made, p->pages_pinned_total);
}

void rl_stat_print_json(FILE *f, const struct rl_stat_snap *s)
{
	struct rl_stat_proc t;
	char comm[RL_COMM_LEN + 1];
	enum rl_stat_hist h;
	size_t i, n = 0;
	unsigned long long lo, hi;
	unsigned j;

	rl_stat_total(s, &t);
	fprintf(f, "{\"schema\":\"ringledger-stat/1\",\"time\":%.3f,\"elapsed_s\":%.3f,"
		"\"page_size\":%ld,\"processes\":[", s->wall_s, s->elapsed_s, sysconf(_SC_PAGESIZE));
	for (i = 0; i < s->nr; i++) {
		if (rl_stat_row_idle(&s->rows[i].p))
			continue;
		memcpy(comm, s->rows[i].p.comm, RL_COMM_LEN);
		comm[RL_COMM_LEN] = '\0';
		fprintf(f, "%s{\"pid\":%u,\"comm\":", n++ ? "," : "", s->rows[i].pid);
		rl_json_str(f, comm);
		fputc(',', f);
		json_proc(f, &s->rows[i].p);
		fputc('}', f);
	}
	fputs("],\"total\":{", f);
	json_proc(f, &t);
	fputs("},\"histograms\":{", f);
	for (h = 0, n = 0; h < RL_SH__MAX; h++) {
		const struct rl_stat_hist_val *v = &s->hist[h];
		unsigned m = 0;

		fprintf(f, "%s\"%s\":{\"unit\":\"%s\",\"count\":%llu,\"sum\":%llu"
			",\"buckets\":[", n++ ? "," : "", rl_stat_hist_name(h), rl_stat_hist_unit(h),
			v->count, v->sum);
		for (j = 0; j < RL_STAT_SLOTS; j++) {
			if (!v->slot[j])
				continue;
			rl_stat_slot_range(j, &lo, &hi);
			fprintf(f, "%s{\"lo\":%llu,\"hi\":%llu,\"count\":%llu}",
				m++ ? "," : "", lo, hi, v->slot[j]);
		}
		fputs("]}", f);
	}
	fprintf(f, "},\"map_full\":%llu,\"lost\":%llu}\n", s->map_full, s->lost);
}

/* ---- OpenMetrics ---------------------------------------------------------- */

/* A label value: \, " and newline escaped (the text format's rule). */
static void om_label(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		if (s[i] == '\\' || s[i] == '"')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] == '\n')
			fputs("\\n", f);
		else
			fputc(s[i], f);
	}
	fputc('"', f);
}

static void om_family(FILE *f, const char *name, const char *type, const char *unit,
		      const char *help)
{
	fprintf(f, "# TYPE %s %s\n", name, type);
	if (unit)
		fprintf(f, "# UNIT %s %s\n", name, unit);
	fprintf(f, "# HELP %s %s\n", name, help);
}

enum om_field { OM_RINGS, OM_REGIONS, OM_REGION_BYTES, OM_MAPPINGS, OM_MAPPED_BYTES,
		OM_PIN_SETS, OM_PINNED_BYTES, OM_RINGS_MADE, OM_REGIONS_MADE, OM_MAPPINGS_MADE,
		OM_PIN_SETS_MADE, OM_PIN_BYTES_MADE, OM__MAX };

static const struct {
	const char *name, *type, *unit, *help;
} om_fields[OM__MAX] = {
	[OM_RINGS] = { "ringledger_rings", "gauge", NULL, "io_uring ring contexts alive, by creator" },
	[OM_REGIONS] = { "ringledger_regions", "gauge", NULL, "ring memory regions alive, by kind" },
	[OM_REGION_BYTES] = { "ringledger_region_bytes", "gauge", "bytes", "memory of the regions alive" },
	[OM_MAPPINGS] = { "ringledger_mappings", "gauge", NULL, "user mappings of ring memory alive" },
	[OM_MAPPED_BYTES] = { "ringledger_mapped_bytes", "gauge", "bytes", "ring memory mapped into user space" },
	[OM_PIN_SETS] = { "ringledger_pin_sets", "gauge", NULL, "pin sets alive (one per io_pin_pages call)" },
	[OM_PINNED_BYTES] = { "ringledger_pinned_bytes", "gauge", "bytes", "user memory pinned by io_uring" },
	[OM_RINGS_MADE] = { "ringledger_rings_created", "counter", NULL, "ring contexts created" },
	[OM_REGIONS_MADE] = { "ringledger_regions_created", "counter", NULL, "regions created" },
	[OM_MAPPINGS_MADE] = { "ringledger_mappings_created", "counter", NULL, "mappings of ring memory made" },
	[OM_PIN_SETS_MADE] = { "ringledger_pin_sets_created", "counter", NULL, "pin sets made" },
	[OM_PIN_BYTES_MADE] = { "ringledger_pin_bytes", "counter", "bytes", "user memory pinned, summed over every pin set made" },
};

static long long om_value(const struct rl_stat_proc *p, enum om_field m, long page)
{
	switch (m) {
	case OM_RINGS: return p->rings;
	case OM_REGIONS: return regions_of(p);
	case OM_REGION_BYTES: return p->region_pages * page;
	case OM_MAPPINGS: return p->mappings;
	case OM_MAPPED_BYTES: return p->mapped_pages * page;
	case OM_PIN_SETS: return p->pin_sets;
	case OM_PINNED_BYTES: return p->pinned_pages * page;
	case OM_RINGS_MADE: return (long long)p->rings_made;
	case OM_REGIONS_MADE: return (long long)p->regions_made;
	case OM_MAPPINGS_MADE: return (long long)p->mappings_made;
	case OM_PIN_SETS_MADE: return (long long)p->pin_sets_made;
	case OM_PIN_BYTES_MADE: return (long long)p->pages_pinned_total * page;
	default: return 0;
	}
}

/* A histogram's family name: ns becomes seconds, pages bytes. */
static void om_hist_name(enum rl_stat_hist h, char *buf, size_t len)
{
	snprintf(buf, len, "ringledger_%s_%s", rl_stat_hist_name(h),
		 unit_is_ns(h) ? "seconds" : "bytes");
}

static void om_hist(FILE *f, enum rl_stat_hist h, const struct rl_stat_hist_val *v, long page)
{
	bool ns = unit_is_ns(h);
	double scale = ns ? 1e-9 : (double)page;
	unsigned long long cum = 0, lo, hi;
	char name[96];
	unsigned j;

	om_hist_name(h, name, sizeof(name));
	om_family(f, name, "histogram", ns ? "seconds" : "bytes", rl_stat_hist_help(h));
	for (j = 0; j < RL_STAT_SLOTS - 1; j++) {
		cum += v->slot[j];
		rl_stat_slot_range(j, &lo, &hi);
		fprintf(f, "%s_bucket{le=\"%.9g\"} %llu\n", name, hi * scale, cum);
	}
	/* the last slot holds everything above: +Inf */
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, v->count);
	fprintf(f, "%s_count %llu\n", name, v->count);
	fprintf(f, "%s_sum %.9g\n", name, v->sum * scale);
}

void rl_stat_print_openmetrics(FILE *f, const struct rl_stat_snap *s)
{
	long page = sysconf(_SC_PAGESIZE);
	enum om_field m;
	enum rl_stat_hist h;
	size_t i;
	int k;

	for (m = 0; m < OM__MAX; m++) {
		bool counter = !strcmp(om_fields[m].type, "counter");

		/* a pruned process's series end with it, as a scrape expects */
		om_family(f, om_fields[m].name, om_fields[m].type, om_fields[m].unit, om_fields[m].help);
		for (i = 0; i < s->nr; i++) {
			const struct rl_stat_row *r = &s->rows[i];

			/* gauges of what a process holds; its counters always */
			if (!counter && rl_stat_row_idle(&r->p))
				continue;
			if (m == OM_REGIONS) {
				for (k = 1; k < RL_RK__MAX; k++) {
					fprintf(f, "%s{pid=\"%u\",comm=", om_fields[m].name, r->pid);
					om_label(f, r->p.comm, RL_COMM_LEN);
					fprintf(f, ",kind=\"%s\"} %lld\n", rl_region_kind_name(k),
						r->p.regions[k]);
				}
				continue;
			}
			fprintf(f, "%s%s{pid=\"%u\",comm=", om_fields[m].name, counter ? "_total" : "",
				r->pid);
			om_label(f, r->p.comm, RL_COMM_LEN);
			fprintf(f, "} %lld\n", om_value(&r->p, m, page));
		}
	}
	for (h = 0; h < RL_SH__MAX; h++)
		om_hist(f, h, &s->hist[h], page);
	om_family(f, "ringledger_stat_map_full", "counter", NULL,
		  "updates of stat's kernel maps that found no room: figures are low");
	fprintf(f, "ringledger_stat_map_full_total %llu\n", s->map_full);
	om_family(f, "ringledger_lost_calls", "counter", NULL,
		  "calls of hooked kernel functions our programs were skipped for");
	fprintf(f, "ringledger_lost_calls_total %llu\n", s->lost);
	fputs("# EOF\n", f);
}

/* ---- --baseline / --diff: the figures of a run, and what changed -------- */

#define FIG_HEADER "# ringledger-stat-baseline/1"

/* Every figure a baseline keeps, by name: what the run made, and each
 * histogram's count and mean. */
static size_t figures(const struct rl_stat_snap *s, char (*name)[64], double *val, size_t max)
{
	struct rl_stat_proc t;
	enum rl_stat_hist h;
	size_t n = 0;

	rl_stat_total(s, &t);
#define FIG(nm, v) do { if (n < max) { snprintf(name[n], 64, "%s", nm); val[n++] = (double)(v); } } while (0)
	FIG("made.rings", t.rings_made);
	FIG("made.regions", t.regions_made);
	FIG("made.mappings", t.mappings_made);
	FIG("made.pin_sets", t.pin_sets_made);
	FIG("made.pinned_pages", t.pages_pinned_total);
	for (h = 0; h < RL_SH__MAX; h++) {
		const struct rl_stat_hist_val *v = &s->hist[h];
		char nm[64];

		snprintf(nm, sizeof(nm), "%s.count", rl_stat_hist_name(h));
		FIG(nm, v->count);
		snprintf(nm, sizeof(nm), "%s.mean", rl_stat_hist_name(h));
		FIG(nm, v->count ? (double)v->sum / (double)v->count : 0);
	}
#undef FIG
	return n;
}

#define MAX_FIGS (5 + 2 * RL_SH__MAX)

int rl_stat_save_figures(FILE *f, const struct rl_stat_snap *s)
{
	char name[MAX_FIGS][64];
	double val[MAX_FIGS];
	size_t i, n = figures(s, name, val, MAX_FIGS);

	fprintf(f, "%s\n", FIG_HEADER);
	for (i = 0; i < n; i++)
		fprintf(f, "%s %.17g\n", name[i], val[i]);
	return ferror(f) ? -1 : 0;
}

int rl_stat_print_diff(FILE *out, const struct rl_stat_snap *s, FILE *base, const char *path,
		       char *err, size_t len)
{
	char name[MAX_FIGS][64], line[160], key[64], chg[32];
	double val[MAX_FIGS], was;
	size_t i, n = figures(s, name, val, MAX_FIGS), lineno = 0;
	bool seen[MAX_FIGS] = {};

	fprintf(out, "\n%-28s %14s %14s %9s   (against %s)\n", "figure", "baseline", "now",
		"change", path);
	while (fgets(line, sizeof(line), base)) {
		if (!lineno++ && strncmp(line, FIG_HEADER, strlen(FIG_HEADER))) {
			snprintf(err, len, "%s is not a stat baseline (no '%s' first line)", path,
				 FIG_HEADER);
			return -1;
		}
		if (line[0] == '#' || sscanf(line, "%63s %lf", key, &was) != 2)
			continue;
		for (i = 0; i < n && strcmp(name[i], key); i++)
			;
		if (i == n)
			continue;	/* a figure this version does not keep */
		seen[i] = true;
		if (!was && !val[i])
			continue;
		if (was)
			snprintf(chg, sizeof(chg), "%+.1f%%", 100.0 * (val[i] - was) / was);
		else
			snprintf(chg, sizeof(chg), "new");
		fprintf(out, "%-28s %14.6g %14.6g %9s\n", key, was, val[i], chg);
	}
	if (!lineno) {
		snprintf(err, len, "%s is empty: not a stat baseline", path);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!seen[i] && val[i])
			fprintf(out, "%-28s %14s %14.6g %9s\n", name[i], "-", val[i], "new");
	return 0;
}
