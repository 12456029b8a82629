// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_junit.c - JUnit XML for CI: one testcase per finding id.
 *
 * A testcase fails when an unallowed finding of its id was made; its
 * <failure> holds the evidence as the text report prints it.  RL010 also
 * fails when the verdict is inconclusive for a reason that made no finding
 * (a truncated replay, say).  Allowed findings show in <system-out>.
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

static bool is_allowed(const struct rl_report_ctx *rc, int id)
{
	return rc && (rc->allow_mask >> id) & 1;
}

/* The evidence of every stored finding of `id`, as the text report has it. */
static void put_evidence(FILE *f, const struct rl_ledger *l, int id,
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

		if ((int)fi->id == id)
			rl_report_text_finding(mem, fi, rc);
	}
	fclose(mem);
	xml_escape(f, text, len);
	free(text);
}

static const struct rl_finding *first_of(const struct rl_ledger *l, int id)
{
	size_t i, n = rl_ledger_nr_findings(l);

	for (i = 0; i < n; i++) {
		if ((int)rl_ledger_finding(l, i)->id == id)
			return rl_ledger_finding(l, i);
	}
	return NULL;
}

/* Does the testcase of id fail, and with what message? */
static bool testcase_fails(const struct rl_ledger_stats *st, const struct rl_ledger *l,
			   int id, const struct rl_report_ctx *rc, char *msg, size_t len)
{
	const struct rl_finding *fi;
	char detail[2 * sizeof(fi->detail)];

	if (is_allowed(rc, id))
		return false;
	if (st->findings[id]) {
		fi = first_of(l, id);
		snprintf(msg, len, "%" PRIu64 " finding(s); first: %s", st->findings[id],
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

void rl_report_junit(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	struct rl_ledger_stats st;
	bool fails[RL_F__MAX] = { false };
	char msg[RL_F__MAX][384];
	int id, failures = 0;

	rl_ledger_get_stats(l, &st);
	for (id = RL001; id < RL_F__MAX; id++) {
		fails[id] = testcase_fails(&st, l, id, rc, msg[id], sizeof(msg[id]));
		failures += fails[id];
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuite name=\"ringledger\" tests=\"%d\" failures=\"%d\" errors=\"0\""
		" time=\"%.3f\">\n", RL_F__MAX - 1, failures,
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
			put_evidence(f, l, id, rc);
			fputs("</failure>\n", f);
		} else if (st.findings[id]) {
			fprintf(f, "    <system-out>%" PRIu64 " allowed finding(s)\n",
				st.findings[id]);
			put_evidence(f, l, id, rc);
			fputs("</system-out>\n", f);
		}
		fputs("  </testcase>\n", f);
	}
	fputs("</testsuite>\n", f);
}
