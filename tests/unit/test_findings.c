// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_findings.c - the finding table and the names of the stream's
 * enumerations: every id has its words, names parse back to their numbers.
 */
#include "tests.h"
#include "findings.h"
#include "names.h"
#include "report.h"

static void test_finding_table(void)
{
	static const char *const names[] = { "RL001", "RL002", "RL003", "RL004", "RL005",
					      "RL006", "RL007", "RL008", "RL009", "RL010" };
	int id, complete = 0;

	for (id = RL001; id < RL_F__MAX; id++) {
		char check[64];

		snprintf(check, sizeof(check), "name of id %d", id);
		T_EQ_STR(check, rl_finding_name(id), names[id - 1]);
		snprintf(check, sizeof(check), "%s parses back", names[id - 1]);
		T_EQ_I(check, rl_finding_parse(names[id - 1]), id);
		complete += strlen(rl_finding_title(id)) > 10 && strlen(rl_finding_explain(id)) > 80;
	}
	T_EQ_I("every id has a title and an explanation", complete, RL_F__MAX - 1);
	T_EQ_STR("RL001 title", rl_finding_title(RL001), "page freed while mapped");
	T_CONTAINS("RL001 explains where to look", rl_finding_explain(RL001), "vm_insert_pages");
	T_CONTAINS("RL008 points at seed 004", rl_finding_explain(RL008), "seed 004");
	T_EQ_U("RL003 is a leak", rl_finding_class_of(RL003), RL_CLASS_LEAK);
	T_EQ_U("RL004 is a leak", rl_finding_class_of(RL004), RL_CLASS_LEAK);
	T_EQ_U("RL010 is inconclusive", rl_finding_class_of(RL010), RL_CLASS_INCONCLUSIVE);
	T_EQ_U("RL001 is a violation", rl_finding_class_of(RL001), RL_CLASS_VIOLATION);
	T_EQ_I("lower case parses", rl_finding_parse("rl006"), RL006);
	T_OK(rl_finding_parse("RL000") == -1 && rl_finding_parse("RL011") == -1 &&
	     rl_finding_parse("RL01") == -1 && rl_finding_parse("XL001") == -1 &&
	     rl_finding_parse("RL0011") == -1 && rl_finding_parse("RL0a1") == -1 &&
	     rl_finding_parse("") == -1 && rl_finding_parse(NULL) == -1,
	     "bad ids do not parse");
	T_EQ_STR("out-of-range id has a harmless name", rl_finding_name((enum rl_finding_id)99),
		 "RL000");
}

static void test_event_names(void)
{
	int t, k, distinct = 1;

	for (t = RL_EV_NONE + 1; t < RL_EV__MAX; t++) {
		const char *name = rl_event_type_name(t);
		char check[64];

		snprintf(check, sizeof(check), "%s parses back", name);
		T_EQ_I(check, rl_event_type_parse(name, strlen(name)), t);
		for (k = RL_EV_NONE + 1; k < t; k++)
			distinct &= strcmp(name, rl_event_type_name(k)) != 0;
	}
	T_OK(distinct, "event type names are distinct");
	T_EQ_STR("region_create", rl_event_type_name(RL_EV_REGION_CREATE), "region_create");
	T_EQ_STR("vma_zap", rl_event_type_name(RL_EV_VMA_ZAP), "vma_zap");
	T_EQ_STR("unknown type", rl_event_type_name(RL_EV__MAX), "unknown");
	T_EQ_I("none is no event", rl_event_type_parse("none", 4), RL_EV_NONE);
	T_EQ_I("prefix is no match", rl_event_type_parse("region_create", 6), RL_EV_NONE);
	for (k = 0; k < RL_RK__MAX; k++) {
		const char *name = rl_region_kind_name(k);

		T_EQ_I(name, rl_region_kind_parse(name, strlen(name)), k);
	}
	for (k = 0; k < RL_LOST__MAX; k++) {
		const char *name = rl_counter_name((uint32_t)k);

		T_EQ_I(name, rl_counter_parse(name, strlen(name)), k);
	}
	T_OK(!strcmp(rl_counter_name(RL_LOST_RECURSION), "recursion_miss"),
	     "the loss user space finds, recursion misses, has a name like the counters");
	T_OK(rl_counter_name(RL_LOST__MAX) == NULL, "past the losses, no name");
}

static void test_offsets(void)
{
	uint32_t bgid = 0;
	char flags[64];

	T_EQ_U("SQ ring offset", rl_mmap_offset_kind(0, NULL), RL_RK_RINGS);
	T_EQ_U("CQ ring offset", rl_mmap_offset_kind(RL_OFF_CQ_RING, NULL), RL_RK_RINGS);
	T_EQ_U("SQE offset", rl_mmap_offset_kind(RL_OFF_SQES, NULL), RL_RK_SQES);
	T_EQ_U("param offset", rl_mmap_offset_kind(RL_OFF_PARAM_REGION, NULL), RL_RK_PARAM);
	T_EQ_U("zcrx offset", rl_mmap_offset_kind(RL_OFF_ZCRX_REGION, NULL), RL_RK_ZCRX);
	T_EQ_U("pbuf offset",
	       rl_mmap_offset_kind(RL_OFF_PBUF_RING | 5ULL << RL_OFF_PBUF_SHIFT, &bgid), RL_RK_PBUF);
	T_EQ_U("pbuf bgid", bgid, 5);
	T_EQ_U("unknown offset", rl_mmap_offset_kind(0x40000000, NULL), RL_RK_UNKNOWN);
	rl_region_flags_str(RL_REGION_F_VMAP | RL_REGION_F_SINGLE_REF | 0x40, flags, sizeof(flags));
	T_EQ_STR("flag names", flags, "vmap|single_ref|0x40");
	rl_region_flags_str(0, flags, sizeof(flags));
	T_EQ_STR("no flags", flags, "0");
	rl_region_flags_str(7, flags, 6);
	T_EQ_STR("flags cut to the buffer", flags, "vmap|");
}

static void test_utf8(void)
{
	static const unsigned char e_acute[] = { 0xc3, 0xa9 }, euro[] = { 0xe2, 0x82, 0xac };
	static const unsigned char overlong[] = { 0xe0, 0x80, 0xaf }, lone[] = { 0xe9, 'x' };
	static const unsigned char surrogate[] = { 0xed, 0xa0, 0x80 };

	T_EQ_U("utf8: two bytes", rl_utf8_len(e_acute, 2), 2);
	T_EQ_U("utf8: three bytes", rl_utf8_len(euro, 3), 3);
	T_EQ_U("utf8: cut short", rl_utf8_len(euro, 2), 0);
	T_EQ_U("utf8: overlong", rl_utf8_len(overlong, 3), 0);
	T_EQ_U("utf8: lone Latin-1 byte", rl_utf8_len(lone, 2), 0);
	T_EQ_U("utf8: surrogate", rl_utf8_len(surrogate, 3), 0);
}

int main(void)
{
	test_finding_table();
	test_event_names();
	test_offsets();
	test_utf8();
	return t_done();
}
