// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_stat.c - `ringledger stat`'s figures and formats (src/stat.c): the
 * log2 slots agree with the BPF side's, totals add up, pruned processes'
 * counts stay in the totals, the table shows what is held, the JSON line
 * parses, and the OpenMetrics text has each family once, cumulative
 * buckets and "# EOF".
 *
 * `test_stat --openmetrics FILE` writes the sample's exposition and exits:
 * tests/cli/host.sh parses it with a real OpenMetrics parser
 * (tests/cli/openmetrics_check.py).
 */
#include "tests.h"
#include "json_check.h"
#include "stat.h"

static void test_slots(void)
{
	static const uint64_t vals[] = { 0, 1, 2, 3, 4, 7, 8, 1000, 1023, 1024, 65535, 65536,
					 (1ULL << 32) - 1, 1ULL << 32, (1ULL << 46) + 5 };
	unsigned long long lo, hi;
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned s = rl_stat_slot_of(vals[i]);

		rl_stat_slot_range(s, &lo, &hi);
		if (vals[i] < lo || vals[i] > hi) {
			printf("#   %llu in slot %u, range [%llu, %llu]\n",
			       (unsigned long long)vals[i], s, lo, hi);
			bad++;
		}
	}
	T_EQ_I("every value lies in its slot's range", bad, 0);
	T_EQ_U("2^63 and past go to the last slot", rl_stat_slot_of(1ULL << 63), RL_STAT_SLOTS - 1);
	T_EQ_U("2^61 to the one before", rl_stat_slot_of(1ULL << 61), RL_STAT_SLOTS - 2);
	rl_stat_slot_range(RL_STAT_SLOTS - 1, &lo, &hi);
	T_EQ_U("the last slot is open-ended", hi, UINT64_MAX);
	rl_stat_slot_range(11, &lo, &hi);
	T_EQ_U("slot 11 starts at 1024", lo, 1024);
	T_EQ_U("slot 11 ends at 2047", hi, 2047);
}

/* Two processes (one with a hostile name), one idle, one pruned. */
static void sample(struct rl_stat_snap *s)
{
	struct rl_stat_row *r;

	memset(s, 0, sizeof(*s));
	s->wall_s = 1764748800.0;
	s->elapsed_s = 3.0;
	r = rl_stat_add_row(s, 42);
	memcpy(r->p.comm, "small", 6);
	r->p.rings = 1;
	r->p.regions[RL_RK_RINGS] = 1;
	r->p.regions[RL_RK_SQES] = 1;
	r->p.region_pages = 3;
	r->p.mappings = 2;
	r->p.mapped_pages = 3;
	r->p.rings_made = 1;
	r->p.regions_made = 2;
	r->p.mappings_made = 2;
	r = rl_stat_add_row(s, 7);
	memcpy(r->p.comm, "fio \"x\"\\y", 10);
	r->p.rings = 2;
	r->p.regions[RL_RK_RINGS] = 2;
	r->p.regions[RL_RK_SQES] = 2;
	r->p.regions[RL_RK_PBUF] = 1;
	r->p.region_pages = 10;
	r->p.pin_sets = 4;
	r->p.pinned_pages = 16384;
	r->p.rings_made = 5;
	r->p.pin_sets_made = 4;
	r->p.pages_pinned_total = 16384;
	r = rl_stat_add_row(s, 99);	/* idle: shown nowhere but the counters */
	memcpy(r->p.comm, "done", 5);
	r->p.rings_made = 3;
	s->gone.rings_made = 10;	/* pruned ones */
	s->gone.regions_made = 20;
	s->hist[RL_SH_PIN_LIFE].slot[rl_stat_slot_of(1500000)] = 3;
	s->hist[RL_SH_PIN_LIFE].slot[rl_stat_slot_of(90000000)] = 1;
	s->hist[RL_SH_PIN_LIFE].count = 4;
	s->hist[RL_SH_PIN_LIFE].sum = 3 * 1500000 + 90000000;
	s->hist[RL_SH_PIN_PAGES].slot[rl_stat_slot_of(4096)] = 4;
	s->hist[RL_SH_PIN_PAGES].count = 4;
	s->hist[RL_SH_PIN_PAGES].sum = 16384;
	rl_stat_sort(s);
}

static char *print_to_string(void (*fn)(FILE *, const struct rl_stat_snap *),
			     const struct rl_stat_snap *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, s);
	fclose(f);
	return buf;
}

static void table(FILE *f, const struct rl_stat_snap *s) { rl_stat_print_table(f, s, true); }

static void test_totals(void)
{
	struct rl_stat_snap s;
	struct rl_stat_proc t;

	sample(&s);
	T_EQ_U("sorted: the process holding most pages first", s.rows[0].pid, 7);
	rl_stat_total(&s, &t);
	T_EQ_I("total rings alive", t.rings, 3);
	T_EQ_I("total pinned pages", t.pinned_pages, 16384);
	T_EQ_U("rings made: rows and pruned processes", t.rings_made, 1 + 5 + 3 + 10);
	T_EQ_U("regions made: rows and pruned processes", t.regions_made, 2 + 20);
	T_OK(rl_stat_row_idle(&s.rows[2].p), "a row that holds nothing is idle");
	T_OK(!rl_stat_row_idle(&s.rows[1].p), "a row with a mapping is not");
	rl_stat_snap_free(&s);
}

static void test_table(void)
{
	struct rl_stat_snap s;
	char *out;

	sample(&s);
	out = print_to_string(table, &s);
	T_CONTAINS("the header", out, "PINNED");
	T_CONTAINS("two processes hold ring memory", out, "2 processes hold ring memory");
	T_CONTAINS("made since start, pruned included", out, "made since start: 19 rings");
	T_CONTAINS("pid 7's row: 2 rings, 5 regions, 16384 pinned, a buffer ring", out,
		   "       7 fio?\"x\"\\y            2       5       10     0        0       4    16384        1");
	T_CONTAINS("a total row", out, "TOTAL");
	T_OK(!strstr(out, " done "), "an idle process has no row");
	free(out);
	out = print_to_string(rl_stat_print_hists, &s);
	T_CONTAINS("the pin duration histogram, with its mean", out, "pin_duration: 4, mean 23.6 ms");
	T_CONTAINS("its 1.5 ms bucket", out, "1.05 ms -> 2.1 ms     : 3        |****************************************|");
	T_OK(!strstr(out, "ring_lifetime"), "an empty histogram is not printed");
	free(out);
	rl_stat_snap_free(&s);
}

static void test_json(void)
{
	struct rl_stat_snap s;
	char *out;

	sample(&s);
	out = print_to_string(rl_stat_print_json, &s);
	T_OK(json_valid(out), "the JSON line parses");
	T_EQ_I("one line", strchr(out, '\n') == out + strlen(out) - 1, 1);
	T_CONTAINS("its schema", out, "\"schema\":\"ringledger-stat/1\"");
	T_CONTAINS("a name with quotes and a backslash, escaped", out, "\"comm\":\"fio \\\"x\\\"\\\\y\"");
	T_CONTAINS("regions by kind", out, "\"regions\":{\"rings\":2,\"sqes\":2,\"pbuf\":1,\"param\":0,\"zcrx\":0}");
	T_CONTAINS("histogram buckets with their bounds", out,
		   "\"pin_duration\":{\"unit\":\"ns\",\"count\":4,\"sum\":94500000,\"buckets\":[{\"lo\":1048576,\"hi\":2097151,\"count\":3}");
	T_OK(!strstr(out, "\"pid\":99"), "an idle process is not listed");
	free(out);
	rl_stat_snap_free(&s);
}

static void test_openmetrics(void)
{
	struct rl_stat_snap s;
	char *out, *p;
	int types = 0, eofs = 0;

	sample(&s);
	out = print_to_string(rl_stat_print_openmetrics, &s);
	for (p = out; (p = strstr(p, "# TYPE ringledger_pinned_bytes ")); p++)
		types++;
	T_EQ_I("each family has one TYPE line", types, 1);
	T_CONTAINS("pinned bytes of pid 7, its name escaped", out,
		   "ringledger_pinned_bytes{pid=\"7\",comm=\"fio \\\"x\\\"\\\\y\"} 67108864");
	T_CONTAINS("a counter sample ends in _total", out, "ringledger_rings_created_total{pid=\"99\",comm=\"done\"} 3");
	T_CONTAINS("histogram buckets are cumulative, in seconds", out,
		   "ringledger_pin_duration_seconds_bucket{le=\"0.134217727\"} 4");
	T_CONTAINS("the +Inf bucket", out, "ringledger_pin_duration_seconds_bucket{le=\"+Inf\"} 4");
	T_CONTAINS("the sum in seconds", out, "ringledger_pin_duration_seconds_sum 0.0945");
	for (p = out; (p = strstr(p, "# EOF")); p++)
		eofs++;
	T_EQ_I("one # EOF", eofs, 1);
	T_OK(strlen(out) > 6 && !strcmp(out + strlen(out) - 6, "# EOF\n"), "... at the end");
	free(out);
	rl_stat_snap_free(&s);
}

static void test_baseline(void)
{
	struct rl_stat_snap s;
	char *saved = NULL, *out = NULL, err[256];
	size_t slen = 0, olen = 0;
	FILE *f = open_memstream(&saved, &slen), *in, *o;

	sample(&s);
	T_EQ_I("--baseline: the figures written", rl_stat_save_figures(f, &s), 0);
	fclose(f);
	T_CONTAINS("... what was made", saved, "\nmade.rings 19\n");
	T_CONTAINS("... each histogram's mean", saved, "\npin_duration.mean 23625000\n");
	s.gone.rings_made += 19;	/* twice the rings this time */
	s.hist[RL_SH_RING_LIFE].count = 2;
	s.hist[RL_SH_RING_LIFE].sum = 10;
	in = fmemopen(saved, slen, "r");
	o = open_memstream(&out, &olen);
	T_EQ_I("--diff against it", rl_stat_print_diff(o, &s, in, "base", err, sizeof(err)), 0);
	fclose(o);
	fclose(in);
	T_CONTAINS("a figure that changed, and by how much", out,
		   "made.rings                               19             38   +100.0%");
	T_CONTAINS("one the baseline did not have", out,
		   "ring_lifetime.count                       0              2       new");
	T_CONTAINS("one unchanged", out,
		   "pin_duration.count                        4              4     +0.0%");
	free(out);
	in = fmemopen("made.rings 3\n", 13, "r");
	o = open_memstream(&out, &olen);
	T_EQ_I("a file without the header is refused", rl_stat_print_diff(o, &s, in, "x", err, sizeof(err)), -1);
	fclose(o);
	fclose(in);
	T_CONTAINS("... saying why", err, "is not a stat baseline");
	free(out);
	free(saved);
	rl_stat_snap_free(&s);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--openmetrics")) {
		struct rl_stat_snap s;
		FILE *f = fopen(argv[2], "w");

		if (!f)
			return 1;
		sample(&s);
		rl_stat_print_openmetrics(f, &s);
		rl_stat_snap_free(&s);
		return fclose(f) ? 1 : 0;
	}
	test_slots();
	test_totals();
	test_table();
	test_json();
	test_openmetrics();
	test_baseline();
	return t_done();
}
