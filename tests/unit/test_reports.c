// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_reports.c - the output formats: the JSON report and trace lines
 * parse as JSON, the JUnit file is well-formed XML with the right counts,
 * the text report carries the evidence, and hostile strings (quotes,
 * backslashes, control bytes, non-ASCII) are escaped everywhere.
 */
#include <math.h>
#include "tests.h"
#include "report.h"
#include "json_check.h"


/* ---- a small XML well-formedness checker ---------------------------- */

static bool xml_entity(const char **pp)
{
	static const char *const named[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	const char *p = *pp;
	size_t i;

	for (i = 0; i < 5; i++) {
		if (!strncmp(p, named[i], strlen(named[i]))) {
			*pp = p + strlen(named[i]);
			return true;
		}
	}
	if (!strncmp(p, "&#x", 3)) {
		p += 3;
		while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			p++;
		if (*p == ';' && p > *pp + 3) {
			*pp = p + 1;
			return true;
		}
	}
	return false;
}

/* Text up to the next '<': entities valid, no control bytes. */
static bool xml_text(const char **pp, char stop)
{
	const char *p = *pp;

	while (*p && *p != stop && *p != '<') {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
			return false;
		if (*p == '&') {
			if (!xml_entity(&p))
				return false;
			continue;
		}
		p++;
	}
	*pp = p;
	return true;
}

static size_t xml_name(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '-' ||
	       p[n] == '_' || (n && p[n] >= '0' && p[n] <= '9'))
		n++;
	return n;
}

static bool xml_well_formed(const char *doc)
{
	const char *stack[32], *p = doc;
	size_t lens[32], depth = 0, roots = 0;

	if (!strncmp(p, "<?xml", 5)) {
		p = strstr(p, "?>");
		if (!p)
			return false;
		p += 2;
	}
	for (;;) {
		if (!xml_text(&p, '\0'))
			return false;
		if (!*p)
			break;
		p++;	/* '<' */
		if (*p == '/') {
			size_t n = xml_name(++p);

			if (!depth || n != lens[depth - 1] || strncmp(p, stack[depth - 1], n) ||
			    p[n] != '>')
				return false;
			depth--;
			p += n + 1;
			continue;
		}
		{
			size_t n = xml_name(p);
			const char *name = p;

			if (!n || depth == 32)
				return false;
			if (!depth)
				roots++;
			p += n;
			for (;;) {
				size_t an;

				while (*p == ' ' || *p == '\n')
					p++;
				if (*p == '>' || !strncmp(p, "/>", 2))
					break;
				an = xml_name(p);
				if (!an || p[an] != '=' || p[an + 1] != '"')
					return false;
				p += an + 2;
				if (!xml_text(&p, '"') || *p != '"')
					return false;
				p++;
			}
			if (*p == '>') {
				stack[depth] = name;
				lens[depth++] = n;
				p++;
			} else {
				p += 2;
			}
		}
	}
	return depth == 0 && roots == 1;
}

/* ---- helpers -------------------------------------------------------- */


static const char *fake_symbolize(uint64_t addr, char *buf, size_t len, void *cookie)
{
	(void)cookie;
	if (addr == 0xffffffff81a00010ULL)
		return NULL;	/* not every address resolves */
	snprintf(buf, len, "func_%" PRIx64 "+0x1a", addr & 0xffff);
	return buf;
}

static struct rl_ledger *replay_string(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	enum rl_read_status st;
	struct rl_ledger *l = t_replay_stream(f, false, &st, NULL, 0);

	fclose(f);
	T_EQ_I("hostile stream reads", st, RL_READ_END);
	return l;
}

/* ---- the tests ------------------------------------------------------ */

static void test_json_report(void)
{
	struct rl_ledger *l = t_replay("seed000_nommu", false);
	struct rl_report_ctx rc = { .command = "ring_basic --mmap \"both\"\n", .child_status = 0,
				    .verdict = 1, .allow_mask = 1u << RL006, .elapsed_s = 1.5,
				    .symbolize = fake_symbolize };
	char *json = t_render(rl_report_json, l, &rc);

	T_OK(json_valid(json), "json report: valid JSON");
	T_CONTAINS("json report: schema", json, "\"schema\":\"ringledger-report/1\"");
	T_CONTAINS("json report: verdict", json, "\"verdict\":\"findings\"");
	T_CONTAINS("json report: escaped command", json,
		   "\"command\":\"ring_basic --mmap \\\"both\\\"\\n\"");
	T_CONTAINS("json report: allowed ids", json, "\"allowed\":[\"RL006\"]");
	T_CONTAINS("json report: RL001 finding", json, "\"id\":\"RL001\"");
	T_CONTAINS("json report: expected refcount", json, "\"refcount_expected\":3");
	T_CONTAINS("json report: pfn as a hex string", json, "\"pfn\":\"0x10a000\"");
	T_CONTAINS("json report: symbolized frame", json, "\"sym\":\"func_40+0x1a\"");
	T_CONTAINS("json report: stats per id", json, "\"RL001\":3,\"RL002\":2");
	T_CONTAINS("json report: child status", json, "\"child_status\":0");
	if (!json_valid(json))
		printf("# %s\n", json);
	free(json);
	rl_ledger_free(l);

	l = rl_ledger_new(NULL);
	rc = (struct rl_report_ctx){ .elapsed_s = NAN, .child_status = -1 };
	json = t_render(rl_report_json, l, &rc);
	T_OK(json_valid(json), "json report: a NaN elapsed time still gives valid JSON");
	free(json);
	json = t_render(rl_report_json, l, NULL);
	T_OK(json_valid(json), "json report of an empty ledger: valid JSON");
	T_CONTAINS("json report of an empty ledger: no findings", json, "\"findings\":[]");
	T_CONTAINS("json report without context: verdict clean", json, "\"verdict\":\"clean\"");
	free(json);
	rl_ledger_free(l);
}

/* A comm with a quote, a backslash, a control byte and non-ASCII. */
static const char hostile[] =
	"ringledger-events v1\n"
	"region_create pid=7 tid=7 comm=a\"b\\x5cc\\x01\\xe9<&> region=0xa000 kind=sqes nr_pages=1\n"
	"region_pages pid=7 tid=7 region=0xa000 count=1 pfn=0x100 refcount=1\n"
	"ctx_create pid=7 tid=7 comm=a\"b\\x5cc\\x01\\xe9<&> ctx=0xc000\n"
	"ctx_dead pid=1 tid=1 comm=kworker ctx=0xc000\n"
	"end events=4\n";

static void test_escaping(void)
{
	struct rl_ledger *l = replay_string(hostile);
	struct rl_report_ctx rc = { .command = "sh -c 'a<b && c>\"d\"'\x01 caf\xc3\xa9 \xe9",
				    .verdict = 1, .child_status = -1 };
	char *json = t_render(rl_report_json, l, &rc);
	char *xml = t_render(rl_report_junit, l, &rc);
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	T_EQ_U("hostile: one RL003", t_count(l, RL003), 1);
	T_OK(json_valid(json), "hostile: JSON report valid");
	T_CONTAINS("hostile: comm escaped in JSON", json,
		   "\"comm\":\"a\\\"b\\\\c\\u0001\\u00e9<&>\"");
	T_OK(xml_well_formed(xml), "hostile: JUnit well-formed");
	T_CONTAINS("hostile: markup escaped in XML", xml,
		   "sh -c &apos;a&lt;b &amp;&amp; c&gt;&quot;d&quot;&apos;? ");
	T_CONTAINS("hostile: UTF-8 kept, a stray byte as a reference", xml,
		   "caf\xc3\xa9 &#xe9;");
	T_CONTAINS("hostile: UTF-8 kept in JSON, a stray byte escaped", json,
		   "caf\xc3\xa9 \\u00e9\"");
	if (!xml_well_formed(xml))
		printf("# %s\n", xml);

	f = open_memstream(&line, &len);
	rl_report_json_finding(f, rl_ledger_finding(l, 0), &rc);
	fclose(f);
	T_OK(json_valid(line), "hostile: JSON finding line valid");
	T_CONTAINS("hostile: finding line schema", line,
		   "{\"schema\":\"ringledger-trace/1\",\"type\":\"finding\",\"id\":\"RL003\"");
	T_EQ_U("hostile: finding is one line", strchr(line, '\n') == line + len - 1, 1);
	free(line);
	free(json);
	free(xml);
	rl_ledger_free(l);
}

static void test_json_events(void)
{
	static const char text[] =
		"ringledger-events v1\n"
		"ctx_create ts=5 pid=1 tid=1 comm=x\"y ctx=0xc000 fd=-1\n"
		"region_create region=0xa000 kind=pbuf bgid=4 ret=-12\n"
		"region_pages region=0xa000 count=2 pfn=0x1,0x2 refcount=1,3\n"
		"region_free region=0xa000 stack=0xffffffff81000000\n"
		"mmap_area ctx=0xc000 start=0x7f0000000000 end=0x7f0000001000 ret=0x7f0000000000\n"
		"mmap_area ctx=0xc000 ret=-12\n"
		"mmap vma=0xd000 ret=-22\n"
		"insert_pages vma=0xd000 region=0xa000 nr_pages=1\n"
		"vma_dup vma=0xd000 new_vma=0xd100\n"
		"vma_zap vma=0xd000\n"
		"vma_remove vma=0xd000\n"
		"page_free pfn=0x1 order=3\n"
		"proc_fork parent_pid=1 child_pid=2\n"
		"proc_exec parent_pid=1\n"
		"proc_exit exit_code=-9\n"
		"pbuf_reg bgid=1\n"
		"pbuf_unreg bgid=1\n"
		"pin key=3 owner=buffer nr_pages=3 count=1 pfn=0x1 npins=3 backing=shmem file=0xf000\n"
		"unpin key=3 owner=buffer count=1 pfn=0x1 npins=3 flags=0x3\n"
		"bufring_pin bgid=1\n"
		"bufring_unpin bgid=1 ret=-22\n"
		"lost count=2 counter=ringbuf_full\n"
		"lost count=2 counter=12\n"
		"end events=23\n";
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct rl_stream_reader *r = rl_stream_open(in);
	unsigned n = 0, valid = 0, typed = 0;
	struct rl_event ev;

	while (rl_stream_next(r, &ev) == RL_READ_EVENT) {
		char *line = NULL, want[64];
		size_t len = 0;
		FILE *f = open_memstream(&line, &len);

		rl_report_json_event(f, &ev);
		fclose(f);
		n++;
		valid += json_valid(line) && strchr(line, '\n') == line + len - 1;
		snprintf(want, sizeof(want), "{\"schema\":\"ringledger-trace/1\",\"type\":\"%s\"",
			 rl_event_type_name(ev.h.type));
		typed += !strncmp(line, want, strlen(want));
		if (!json_valid(line))
			printf("# invalid: %s", line);
		if (ev.h.type == RL_EV_REGION_PAGES)
			T_CONTAINS("json event: arrays", line,
				   "\"pfn\":[\"0x1\",\"0x2\"],\"refcount\":[1,3]");
		if (ev.h.type == RL_EV_CTX_CREATE)
			T_CONTAINS("json event: comm escaped, fd signed", line,
				   "\"comm\":\"x\\\"y\"");
		if (ev.h.type == RL_EV_REGION_CREATE)
			T_CONTAINS("json event: kind by name", line, "\"kind\":\"pbuf\"");
		if (ev.h.type == RL_EV_PIN)
			T_CONTAINS("json event: pin owner and backing by name", line,
				   "\"owner\":\"buffer\",\"owner_id\":0,\"nr_pages\":3,\"first\":0,"
				   "\"count\":1,\"pfn\":[\"0x1\"],\"npins\":[3],\"backing\":[\"shmem\"],"
				   "\"file\":[\"0xf000\"]");
		free(line);
	}
	T_EQ_U("json events: all read", n, 23);
	T_EQ_U("json events: each one valid JSON on one line", valid, n);
	T_EQ_U("json events: each starts with schema and type", typed, n);
	rl_stream_close(r);
	fclose(in);
}

static void test_junit(void)
{
	struct rl_ledger *l = t_replay("seed000_nommu", false);
	struct rl_report_ctx rc = { .verdict = 1, .child_status = 0 };
	char *xml = t_render(rl_report_junit, l, &rc);

	T_OK(xml_well_formed(xml), "junit: well-formed");
	/* ten finding ids and one command (ring_basic) */
	T_CONTAINS("junit: eleven testcases, three failing", xml,
		   "<testsuite name=\"ringledger\" tests=\"11\" failures=\"3\"");
	T_CONTAINS("junit: testcase name", xml,
		   "<testcase classname=\"ringledger\" name=\"RL001 page freed while mapped\"");
	T_CONTAINS("junit: failure message", xml, "<failure message=\"3 finding(s); first: pfn 0x10a000");
	T_CONTAINS("junit: evidence in the failure", xml, "refcount  seen 1, expected &gt;= 3");
	free(xml);

	rc.allow_mask = 1u << RL002;
	xml = t_render(rl_report_junit, l, &rc);
	T_OK(xml_well_formed(xml), "junit with RL002 allowed: well-formed");
	T_CONTAINS("junit with RL002 allowed: two failures (RL001, its command)", xml,
		   "failures=\"2\"");
	T_CONTAINS("junit with RL002 allowed: shown as output", xml,
		   "<system-out>2 allowed finding(s)");
	free(xml);
	rl_ledger_free(l);

	l = t_replay("rl001_clean", false);
	rc = (struct rl_report_ctx){ .verdict = 2, .inconclusive_why = "replay truncated at line 9",
				     .child_status = -1 };
	xml = t_render(rl_report_junit, l, &rc);
	T_OK(xml_well_formed(xml), "junit inconclusive: well-formed");
	T_CONTAINS("junit inconclusive: RL010 fails with the reason", xml,
		   "<failure message=\"inconclusive: replay truncated at line 9\" type=\"RL010\">");
	T_CONTAINS("junit inconclusive: only that", xml, "failures=\"1\"");
	free(xml);
	rl_ledger_free(l);
}

static void test_text_report(void)
{
	struct rl_ledger *l = t_replay("seed000_nommu", false);
	struct rl_report_ctx rc = { .command = "./ring_basic", .child_status = 0, .verdict = 1,
				    .allow_mask = 1u << RL002, .symbolize = fake_symbolize };
	char *text = t_render(rl_report_text, l, &rc);

	T_CONTAINS("text: finding header", text, "RL001 violation: page freed while mapped\n");
	T_CONTAINS("text: allowed marked", text, "RL002 violation: page refcount below expected (allowed)");
	T_CONTAINS("text: process", text, "process   pid 50 tid 50 comm kworker/u8:1");
	T_CONTAINS("text: vma line", text, "vma       0xffff888102000000 [0x7f0000000000-0x7f0000002000) pgoff 0x0");
	T_CONTAINS("text: refcount line", text, "refcount  seen 1, expected >= 3");
	T_CONTAINS("text: symbolized frame", text, "#0  func_40+0x1a (0xffffffff81300040)");
	T_CONTAINS("text: unresolved frame as hex", text, "#0  0xffffffff81a00010");
	T_CONTAINS("text: the explanation", text, "seed 000's NOMMU bug");
	T_CONTAINS("text: command", text, "command    ./ring_basic (exited with 0)");
	T_CONTAINS("text: pages", text, "pages      3 tracked, 3 freed");
	T_CONTAINS("text: findings summary", text, "findings   RL001 x3, RL002 x2 (allowed)");
	T_CONTAINS("text: verdict", text, "verdict    findings");
	free(text);
	rl_ledger_free(l);
}

static void test_text_events(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "region_create pid=123 tid=123 comm=ring_basic ctx=0xc000 region=0xa000 kind=rings nr_pages=3 flags=1 head_refcount=1",
		  "region_create ctx=0xc000 kind=rings region=0xa000 pages=3 flags=vmap head_refcount=1 pid=123 tid=123 comm=ring_basic\n" },
		{ "mmap pid=1 tid=1 comm=a ctx=0xc000 vma=0xd000 start=0x1000 end=0x3000 pgoff=0x80010 ret=0",
		  "mmap ctx=0xc000 vma=0xd000 [0x1000-0x3000) pgoff=0x80010 kind=pbuf bgid=1 ret=0 pid=1 tid=1 comm=a\n" },
		{ "insert_pages ctx=0xc000 vma=0xd000 start=0x1000 end=0x3000 pgoff=0x10000 region=0xa000 nr_pages=2 nr_left=1",
		  "insert_pages ctx=0xc000 vma=0xd000 [0x1000-0x3000) pgoff=0x10000 kind=sqes region=0xa000 inserted=1/2 ret=0 pid=0 tid=0 comm=\n" },
		{ "mmap_area ctx=0xc000 start=0x1000 end=0x2000 ret=0x1000",
		  "mmap_area ctx=0xc000 addr=0x1000 len=0x1000 pgoff=0x0 kind=rings pid=0 tid=0 comm=\n" },
		{ "page_free pfn=0x10a000 order=2",
		  "page_free pfn=0x10a000 order=2 pid=0 tid=0 comm=\n" },
		{ "region_pages region=0xa000 count=5 at_free=1 pfn=0x1,0x2,0x3,0x4,0x5 refcount=1,2,3,4,5",
		  "region_pages region=0xa000 at=free pages=[0,5) pfn=0x1,0x2,0x3,0x4,... refcount=1,2,3,4,... pid=0 tid=0 comm=\n" },
		{ "lost count=4 counter=pfn_map_full",
		  "lost counter=pfn_map_full count=4 pid=0 tid=0 comm=\n" },
		{ "vma_dup vma=0xd000 new_vma=0xd100 start=0x1000 end=0x2000 mm=0xe000",
		  "vma_dup vma=0xd000 new_vma=0xd100 [0x1000-0x2000) pgoff=0x0 mm=0xe000 pid=0 tid=0 comm=\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024], *line = NULL, name[64];
		size_t len = 0;
		FILE *in, *out;
		struct rl_stream_reader *r;
		struct rl_event ev;

		snprintf(text, sizeof(text), "ringledger-events v1\n%s\nend events=1\n", cases[i].in);
		in = fmemopen(text, strlen(text), "r");
		r = rl_stream_open(in);
		snprintf(name, sizeof(name), "text event %zu reads", i);
		if (!T_OK(rl_stream_next(r, &ev) == RL_READ_EVENT, name)) {
			printf("#   %s\n", rl_stream_error(r));
		} else {
			out = open_memstream(&line, &len);
			rl_report_text_event(out, &ev);
			fclose(out);
			snprintf(name, sizeof(name), "text event line for %s",
				 rl_event_type_name(ev.h.type));
			T_EQ_STR(name, line, cases[i].out);
			free(line);
		}
		rl_stream_close(r);
		fclose(in);
	}
}

int main(void)
{
	T_OK(json_valid("{\"a\":[1,-2.5e3,\"x\\u00e9\",true,null,{}]}"), "validator accepts JSON");
	T_OK(!json_valid("{\"a\":[1,]}") && !json_valid("{\"a\":\"\x01\"}") &&
	     !json_valid("{\"a\":1}}"), "validator rejects broken JSON");
	T_OK(xml_well_formed("<?xml version=\"1.0\"?>\n<a b=\"&amp;\"><c/>x&lt;</a>\n"),
	     "checker accepts XML");
	T_OK(!xml_well_formed("<a><b></a></b>") && !xml_well_formed("<a>&</a>") &&
	     !xml_well_formed("<a b=\"<\"/>"), "checker rejects broken XML");
	test_json_report();
	test_escaping();
	test_json_events();
	test_junit();
	test_text_report();
	test_text_events();
	return t_done();
}
