// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_junit.c - JUnit XML for CI: one testcase per finding id, and one
 * per command that findings are attributed to (findings.h), so CI names
 * the test that broke a rule.
 *
 * A testcase of an id fails when an unallowed finding of its id was made;
 * its <failure> holds the evidence as the text report prints it.  RL010
 * also fails when the verdict is inconclusive for a reason that made no
 * finding (a truncated replay, say).  A command's testcase (classname
 * "ringledger.command", named by the file it exec'd and its pids) fails
 * when an unallowed finding is attributed to it; findings of no command
 * (losses, missing hooks) have no testcase of their own: RL010's holds
 * them.  Allowed findings show in <system-out>.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

/* XML 1.0 text or attribute value: markup escaped; control characters,
 * which XML cannot carry at all, become '?'; valid UTF-8 is kept and any
 * other byte above ASCII becomes a character reference, so the document
 * stays well-formed whatever a comm or command line holds. */
static void xml_escape(FILE *f, const char *s, size_t len)
{
	size_t i, n = strnlen(s, len), seq;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (seq = rl_utf8_len((const unsigned char *)s + i, n - i))) {
			fwrite(s + i, 1, seq, f);
			i += seq - 1;
			continue;
		}
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '\n':
		case '\t':
			fputc(c, f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputc('?', f);
			else if (c >= 0x80)
				fprintf(f, "&#x%02x;", c);
			else
				fputc(c, f);
		}
	}
}

static void xml_str(FILE *f, const char *s)
{
	xml_escape(f, s, (size_t)-1);
}

/* Which stored findings a testcase shows: those of one id, or those of
 * one command group. */
struct evidence_sel {
	int id;					/* -1: by group          */
	const struct rl_cmd_groups *gs;
	size_t group;
};

static bool evidence_wanted(const struct evidence_sel *sel, size_t i, const struct rl_finding *fi)
{
	return sel->id >= 0 ? (int)fi->id == sel->id : sel->gs->of[i] == sel->group;
}

/* The evidence of the selected stored findings, as the text report has it. */
static void put_evidence(FILE *f, const struct rl_ledger *l, const struct evidence_sel *sel,
			 const struct rl_report_ctx *rc)
{
	size_t i, n = rl_ledger_nr_findings(l), len = 0;
	char *text = NULL;
	FILE *mem = open_memstream(&text, &len);
	struct rl_report_ctx plain;

	if (!mem)
		return;
	/* a file is never coloured */
	if (rc) {
		plain = *rc;
		plain.color = false;
		rc = &plain;
	}
	for (i = 0; i < n; i++) {
		const struct rl_finding *fi = rl_ledger_finding(l, i);

		if (evidence_wanted(sel, i, fi))
			rl_report_text_finding(mem, fi, rc);
	}
	fclose(mem);
	xml_escape(f, text, len);
	free(text);
}

/* Does the testcase of id fail, and with what message?  Findings counted
 * but not kept cannot be known by a baseline: they count. */
static bool testcase_fails(const struct rl_ledger_stats *st, const struct rl_ledger *l,
			   int id, const struct rl_report_ctx *rc, char *msg, size_t len)
{
	const struct rl_finding *fi = NULL;
	size_t i, n = rl_ledger_nr_findings(l), kept = 0;
	uint64_t counted = 0;
	char detail[2 * sizeof(fi->detail)];

	if (rl_report_allowed(rc, id))
		return false;
	for (i = 0; i < n; i++) {
		const struct rl_finding *f = rl_ledger_finding(l, i);

		if ((int)f->id != id)
			continue;
		kept++;
		if (rl_report_counted(rc, f)) {
			counted++;
			fi = fi ? fi : f;
		}
	}
	counted += st->findings[id] > kept ? st->findings[id] - kept : 0;
	if (counted) {
		snprintf(msg, len, "%" PRIu64 " finding(s)%s; first: %s", counted,
			 counted < st->findings[id] ? " not known by the baseline" : "",
			 fi ? rl_addr_scrub(rc ? rc->addr : NULL, fi->detail, sizeof(fi->detail),
					    detail, sizeof(detail)) : "(not kept)");
		return true;
	}
	if (id == RL010 && rc && rc->verdict == 2) {
		snprintf(msg, len, "inconclusive: %s",
			 rc->inconclusive_why ? rc->inconclusive_why : "reason not given");
		return true;
	}
	return false;
}

/* A command's name for its testcase: "/tests/bin/x (pid 7, 9)". */
static void put_group_name(FILE *f, const struct rl_cmd_group *g)
{
	rl_cmd_group_name(f, g, xml_escape);
}

/* Does command group j fail?  Its message: "RL006 x1, RL001 x2" (the
 * findings that count) and the first one's evidence. */
static bool group_fails(const struct rl_ledger *l, const struct rl_cmd_groups *gs, size_t j,
			const struct rl_report_ctx *rc, char *msg, size_t len)
{
	const struct rl_finding *first = NULL;
	size_t i, n = rl_ledger_nr_findings(l), off = 0;
	uint64_t per_id[RL_F__MAX] = {};
	char detail[2 * sizeof(first->detail)];
	int id;

	msg[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct rl_finding *fi = rl_ledger_finding(l, i);

		if (gs->of[i] != j || !rl_report_counted(rc, fi) || fi->id >= RL_F__MAX)
			continue;
		per_id[fi->id]++;
		first = first ? first : fi;
	}
	for (id = RL001; id < RL_F__MAX; id++) {
		if (!per_id[id])
			continue;
		if (off < len)
			off += snprintf(msg + off, len - off, "%s%s x%" PRIu64, off ? ", " : "",
					rl_finding_name(id), per_id[id]);
	}
	if (!off)
		return false;
	if (first && off < len)
		snprintf(msg + off, len - off, "; first: %s",
			 rl_addr_scrub(rc ? rc->addr : NULL, first->detail, sizeof(first->detail),
				       detail, sizeof(detail)));
	return true;
}

static void put_command_testcases(FILE *f, const struct rl_ledger *l,
				  const struct rl_cmd_groups *gs, const bool *fails,
				  char (*msg)[384], const struct rl_report_ctx *rc)
{
	size_t j;

	for (j = 0; j < gs->nr; j++) {
		if (!gs->g[j].attributed)
			continue;
		fputs("  <testcase classname=\"ringledger.command\" name=\"", f);
		put_group_name(f, &gs->g[j]);
		fputs("\" time=\"0\">\n", f);
		if (fails[j]) {
			fputs("    <failure message=\"", f);
			xml_str(f, msg[j]);
			fputs("\" type=\"findings\">", f);
			put_evidence(f, l, &(struct evidence_sel){ .id = -1, .gs = gs, .group = j }, rc);
			fputs("</failure>\n", f);
		} else {
			fprintf(f, "    <system-out>%zu allowed finding(s)\n", gs->g[j].nr_findings);
			put_evidence(f, l, &(struct evidence_sel){ .id = -1, .gs = gs, .group = j }, rc);
			fputs("</system-out>\n", f);
		}
		fputs("  </testcase>\n", f);
	}
}

void rl_report_junit(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	struct rl_ledger_stats st;
	bool fails[RL_F__MAX] = { false }, *gfails = NULL;
	char msg[RL_F__MAX][384], (*gmsg)[384] = NULL;
	struct rl_cmd_groups gs = { 0 };
	int id, failures = 0, tests = RL_F__MAX - 1;
	size_t j;

	rl_ledger_get_stats(l, &st);
	for (id = RL001; id < RL_F__MAX; id++) {
		fails[id] = testcase_fails(&st, l, id, rc, msg[id], sizeof(msg[id]));
		failures += fails[id];
	}
	if (!rl_cmd_groups_make(l, &gs) && gs.nr) {
		gfails = calloc(gs.nr, sizeof(*gfails));
		gmsg = calloc(gs.nr, sizeof(*gmsg));
		if (!gfails || !gmsg)
			rl_cmd_groups_free(&gs);	/* out of memory: no command testcases */
	}
	for (j = 0; j < gs.nr; j++) {
		if (!gs.g[j].attributed)
			continue;
		tests++;
		gfails[j] = group_fails(l, &gs, j, rc, gmsg[j], sizeof(gmsg[j]));
		failures += gfails[j];
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuite name=\"ringledger\" tests=\"%d\" failures=\"%d\" errors=\"0\""
		" time=\"%.3f\">\n", tests, failures,
		rc && isfinite(rc->elapsed_s) ? rc->elapsed_s : 0.0);
	if (rc && rc->command) {
		fputs("  <properties>\n    <property name=\"command\" value=\"", f);
		xml_str(f, rc->command);
		fputs("\"/>\n  </properties>\n", f);
	}
	for (id = RL001; id < RL_F__MAX; id++) {
		fprintf(f, "  <testcase classname=\"ringledger\" name=\"%s ", rl_finding_name(id));
		xml_str(f, rl_finding_title(id));
		fputs("\" time=\"0\">\n", f);
		if (fails[id]) {
			fputs("    <failure message=\"", f);
			xml_str(f, msg[id]);
			fprintf(f, "\" type=\"%s\">", rl_finding_name(id));
			put_evidence(f, l, &(struct evidence_sel){ .id = id }, rc);
			fputs("</failure>\n", f);
		} else if (st.findings[id]) {
			fprintf(f, "    <system-out>%" PRIu64 " allowed finding(s)\n",
				st.findings[id]);
			put_evidence(f, l, &(struct evidence_sel){ .id = id }, rc);
			fputs("</system-out>\n", f);
		}
		fputs("  </testcase>\n", f);
	}
	put_command_testcases(f, l, &gs, gfails, gmsg, rc);
	fputs("</testsuite>\n", f);
	rl_cmd_groups_free(&gs);
	free(gfails);
	free(gmsg);
}
