// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_event_text.c - the recorded stream: every event type survives a
 * write and a read; malformed and truncated streams are reported with the
 * line and the reason, and never crash the reader.
 */
#include <errno.h>
#include "tests.h"
#include "event_fields.h"
#include "names.h"

static void fill_header(struct rl_event *ev, uint32_t type)
{
	memset(ev, 0, sizeof(*ev));
	ev->h.type = type;
	ev->h.ts_ns = 123456789012345ULL + type;
	ev->h.pid = 4242;
	ev->h.tid = 4243;
	ev->h.cpu = 3;
	ev->h.seq = 77 + type;
	/* a blank, a backslash and a non-ASCII byte must survive the escapes */
	memcpy(ev->h.comm, "ring b\\\xc3\xa9", 9);
}

#define OFF(m)		offsetof(struct rl_event, m)
#define SIZE(m)		sizeof(((struct rl_event *)0)->m)

/* The field of the same payload that holds array f's count, or NULL. */
static const struct rl_field *count_field(const struct rl_field *fields, size_t nr,
					  const struct rl_field *f)
{
	size_t k;

	for (k = 0; f->max_elems && k < nr; k++) {
		if (!fields[k].max_elems && fields[k].offset == f->len_offset)
			return &fields[k];
	}
	return NULL;
}

/* The most values of the arrays that field f counts; 0 if it counts none. */
static unsigned counted(const struct rl_field *fields, size_t nr, const struct rl_field *f)
{
	unsigned most = 0;
	size_t k;

	for (k = 0; k < nr; k++) {
		if (count_field(fields, nr, &fields[k]) == f && fields[k].max_elems > most)
			most = fields[k].max_elems;
	}
	return most;
}

/* A value the stream carries for element i of field k of type t, its own
 * for each (type, field, element): a name for named fields, negative for
 * signed ones, near the top of the range for unsigned ones. */
static uint64_t sample(const struct rl_field *f, unsigned t, size_t k, unsigned i)
{
	uint64_t seed = (uint64_t)t << 12 | k << 6 | i;

	switch (f->fmt) {
	case RL_FF_KIND:
		return seed % RL_RK__MAX;
	case RL_FF_COUNTER:
		return seed % RL_CNT__MAX;
	case RL_FF_OWNER:
		return seed % RL_PO__MAX;
	case RL_FF_BACKING:
		return seed % RL_BK__MAX;
	case RL_FF_SDEC:
		return (uint64_t)-(int64_t)(1 + seed);
	case RL_FF_SHEX:	/* -errno or an address */
		return (t + k) % 2 ? (uint64_t)-(int64_t)(1 + seed % 4095) : 0x7f0000000000ULL | seed;
	case RL_FF_HEX:
	case RL_FF_KPTR:
	case RL_FF_PFN:
		return f->size == 8 ? 0xffff888000000000ULL | seed << 12 : 0x80000000u | seed;
	default:
		return f->size == 8 ? UINT64_MAX - seed : UINT32_MAX - seed;
	}
}

static void set_value(struct rl_event *ev, const struct rl_field *f, unsigned i, uint64_t v)
{
	unsigned char *p = (unsigned char *)ev + f->offset + (size_t)i * f->size;
	uint32_t w = (uint32_t)v;

	if (f->size == 8)
		memcpy(p, &v, 8);
	else
		memcpy(p, &w, 4);
}

/* Every payload field of the table set to a value of its own, arrays full
 * and their count at the most.  test_table_covers_payloads checks that the
 * table names every byte of each payload, so the round trip catches a
 * field the table forgets as well as one the writer or the reader drops. */
static void fill_payload(struct rl_event *ev)
{
	size_t k, nr;
	const struct rl_field *f = rl_payload_fields(ev->h.type, &nr);
	unsigned i;

	for (k = 0; k < nr; k++) {
		unsigned n = f[k].max_elems ? f[k].max_elems : 1, most = counted(f, nr, &f[k]);

		for (i = 0; i < n; i++)
			set_value(ev, &f[k], i, most ? most : sample(&f[k], ev->h.type, k, i));
	}
	ev->nr_stack = ev->h.type % 3 ? RL_STACK_DEPTH : 0;
	for (i = 0; i < ev->nr_stack; i++)
		ev->stack[i] = 0xffffffff81000000ULL + i * 0x111;
}

static void test_round_trip(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct rl_event in[RL_EV__MAX], got;
	struct rl_stream_reader *r;
	unsigned t;
	FILE *f;

	T_EQ_I("write header", rl_stream_write_header(out), 0);
	for (t = RL_EV_NONE + 1; t < RL_EV__MAX; t++) {
		fill_header(&in[t], t);
		fill_payload(&in[t]);
		T_EQ_I(rl_event_type_name(t), rl_stream_write_event(out, &in[t]), 0);
	}
	T_EQ_I("write trailer", rl_stream_write_trailer(out, RL_EV__MAX - 1), 0);
	fill_header(&got, RL_EV_NONE);
	T_EQ_I("type none is not written", rl_stream_write_event(out, &got), -EINVAL);
	fclose(out);

	f = fmemopen(text, len, "r");
	r = rl_stream_open(f);
	for (t = RL_EV_NONE + 1; t < RL_EV__MAX; t++) {
		char name[96];
		enum rl_read_status st = rl_stream_next(r, &got);

		snprintf(name, sizeof(name), "round trip of %s reads", rl_event_type_name(t));
		if (!t_ok(st == RL_READ_EVENT, name)) {
			printf("#   %s\n", rl_stream_error(r));
			break;
		}
		snprintf(name, sizeof(name), "round trip of %s is exact", rl_event_type_name(t));
		if (!t_ok(!memcmp(&in[t], &got, sizeof(got)), name))
			printf("#   line %lu differs\n", rl_stream_line(r));
	}
	T_EQ_I("round trip ends with the trailer", rl_stream_next(r, &got), RL_READ_END);
	T_EQ_I("and stays ended", rl_stream_next(r, &got), RL_READ_END);
	rl_stream_close(r);
	fclose(f);
	free(text);
}

static enum rl_read_status read_all(const char *text, size_t len, char *err, size_t err_len,
				    unsigned *events, struct rl_event *last)
{
	FILE *f = fmemopen((void *)text, len, "r");
	struct rl_stream_reader *r = rl_stream_open(f);
	enum rl_read_status st;
	struct rl_event ev;

	*events = 0;
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
		(*events)++;
		if (last)
			*last = ev;
	}
	snprintf(err, err_len, "%s", rl_stream_error(r));
	/* a stopped reader keeps saying so */
	if (st != RL_READ_END && rl_stream_next(r, &ev) != st)
		st = (enum rl_read_status)-1;
	rl_stream_close(r);
	fclose(f);
	return st;
}

struct bad_case {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen(text) */
	enum rl_read_status want;
	const char *msg;	/* expected in the error */
};

#define HDR "ringledger-events v1\n"

static char long_line[10000];
static char too_many[600];
static const char nul_line[] = HDR "page_free pfn=0x1\0 order=0\nend events=1\n";
static const char junk[] = HDR "\x7f\x45\x4c\x46\x02\x01\x01\xff\xfe\n";

static const struct bad_case bad_cases[] = {
	{ "bad number", HDR "page_free ts=12x pfn=0x1\nend events=1\n", 0,
	  RL_READ_ERROR, "line 2: bad value '12x' for ts" },
	{ "unknown type", HDR "# comment\npage_fry pfn=0x1\n", 0,
	  RL_READ_ERROR, "line 3: unknown event type 'page_fry'" },
	{ "unknown key", HDR "page_free pfn=0x1 colour=3\n", 0,
	  RL_READ_ERROR, "line 2: unknown key 'colour' for page_free" },
	{ "too many pfns", too_many, 0, RL_READ_ERROR, "too many values for pfn (at most 32)" },
	{ "count below list", HDR "region_pages count=1 pfn=0x1,0x2\n", 0,
	  RL_READ_ERROR, "pfn lists 2 values but count is 1" },
	{ "count above 32", HDR "region_pages count=40\n", 0,
	  RL_READ_ERROR, "count 40 exceeds 32" },
	{ "overlong line", long_line, 0, RL_READ_ERROR, "line 2: line longer than 8192 bytes" },
	{ "binary junk", junk, sizeof(junk) - 1, RL_READ_ERROR, "line 2: unexpected byte 0x7f" },
	{ "NUL byte", nul_line, sizeof(nul_line) - 1, RL_READ_ERROR, "unexpected byte 0x00" },
	{ "no header", "page_free pfn=0x1\nend events=1\n", 0, RL_READ_ERROR,
	  "line 1: not a ringledger event stream" },
	{ "future version", "ringledger-events v3\n", 0, RL_READ_ERROR,
	  "unsupported stream version 3 (this reader knows v1 to v2)" },
	{ "version 0", "ringledger-events v0\n", 0, RL_READ_ERROR,
	  "unsupported stream version 0" },
	{ "duplicate key", HDR "page_free pfn=0x1 pfn=0x2\n", 0, RL_READ_ERROR,
	  "duplicate key 'pfn'" },
	{ "key without value", HDR "page_free pfn\n", 0, RL_READ_ERROR,
	  "expected key=value, got 'pfn'" },
	{ "negative unsigned", HDR "page_free order=-1\n", 0, RL_READ_ERROR,
	  "bad value '-1' for order" },
	{ "u32 overflow", HDR "page_free order=4294967296\n", 0, RL_READ_ERROR,
	  "bad value '4294967296' for order" },
	{ "s32 overflow", HDR "ctx_create fd=2147483648\n", 0, RL_READ_ERROR,
	  "bad value '2147483648' for fd" },
	{ "u64 overflow", HDR "page_free pfn=18446744073709551616\n", 0, RL_READ_ERROR,
	  "bad value" },
	{ "hex too long", HDR "page_free pfn=0x10000000000000000\n", 0, RL_READ_ERROR,
	  "bad value" },
	{ "empty number", HDR "page_free pfn=\n", 0, RL_READ_ERROR, "bad value '' for pfn" },
	{ "trailing comma", HDR "region_pages pfn=0x1,\n", 0, RL_READ_ERROR,
	  "empty value at the end of pfn" },
	{ "bad kind", HDR "region_create kind=ringz\n", 0, RL_READ_ERROR,
	  "bad value 'ringz' for kind" },
	{ "bad comm escape", HDR "page_free comm=a\\q\n", 0, RL_READ_ERROR, "bad comm" },
	{ "comm too long", HDR "page_free comm=abcdefghijklmnopq\n", 0, RL_READ_ERROR,
	  "bad comm" },
	{ "trailer count", HDR "page_free pfn=0x1\nend events=5\n", 0, RL_READ_ERROR,
	  "line 3: trailer says 5 events but 1 were read" },
	{ "bad trailer", HDR "end evnts=0\n", 0, RL_READ_ERROR, "bad trailer" },
	{ "after trailer", HDR "end events=0\npage_free pfn=0x1\n", 0, RL_READ_ERROR,
	  "line 3: content after the 'end' trailer" },
	{ "no trailer", HDR "page_free pfn=0x1\n", 0, RL_READ_TRUNCATED, "truncated" },
	{ "cut mid-line", HDR "page_free pfn=0x1\npage_free pf", 0, RL_READ_TRUNCATED,
	  "line 3: stream cut in the middle of a line" },
	{ "empty file", "", 0, RL_READ_TRUNCATED, "truncated" },
	{ "header only", HDR, 0, RL_READ_TRUNCATED, "truncated" },
};
/* too_many: 33 pfns; long_line: over 8192 bytes */
static void make_long_lines(void)
{
	size_t i, n;

	n = (size_t)snprintf(too_many, sizeof(too_many), HDR "region_pages pfn=");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(too_many + n, sizeof(too_many) - n, "%s0x%zx", i ? "," : "", i);
	snprintf(too_many + n, sizeof(too_many) - n, "\n");
	n = (size_t)snprintf(long_line, sizeof(long_line), HDR "page_free comm=x");
	memset(long_line + n, '#', 9000);
	memcpy(long_line + n + 9000, "\n", 2);
}

static void test_malformed(void)
{
	size_t i;

	make_long_lines();
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		char err[256], name[128];
		unsigned events;
		enum rl_read_status st = read_all(c->text, len, err, sizeof(err), &events, NULL);

		snprintf(name, sizeof(name), "%s: status", c->name);
		T_EQ_I(name, st, c->want);
		snprintf(name, sizeof(name), "%s: error says why", c->name);
		T_CONTAINS(name, err, c->msg);
	}
}

/* The table the reader and writers walk: pfn and refcount take their count
 * from the field `count`; the stack's count is no field. */
static void test_field_table(void)
{
	size_t nr, i, named = 0;
	const struct rl_field *f = rl_payload_fields(RL_EV_REGION_PAGES, &nr), *c;

	for (i = 0; i < nr; i++) {
		c = count_field(f, nr, &f[i]);
		named += c && !strcmp(c->name, "count");
	}
	T_EQ_U("field table: both page arrays counted by 'count'", named, 2);
	T_EQ_U("field table: the stack is counted by nr_stack", rl_stack_field()->len_offset,
	       OFF(nr_stack));
	rl_payload_fields(RL_EV__MAX, &nr);
	T_EQ_U("field table: unknown type has no fields", nr, 0);
}

/* The payload member of each type, from RL_EVENT_TYPES. */
#define PAYLOAD_SPAN(TYPE, name, payload, FIELDS, TEXT) \
	[RL_EV_##TYPE] = { OFF(payload), SIZE(payload) },
static const struct {
	size_t off, size;
} payload_span[RL_EV__MAX] = { RL_EVENT_TYPES(PAYLOAD_SPAN) };

/* What the field lists leave out on purpose: padding, and members other
 * types of the same struct use. */
static const struct {
	unsigned type;
	size_t off, size;
} left_out[] = {
	{ RL_EV_REGION_PAGES, OFF(pages.pad), SIZE(pages.pad) },
	{ RL_EV_MMAP, OFF(mmap.window_end), SIZE(mmap.window_end) },
	{ RL_EV_INSERT_PAGES, OFF(mmap.window_end), SIZE(mmap.window_end) },
	{ RL_EV_VMA_DUP, OFF(vma.ret), SIZE(vma.ret) },
	{ RL_EV_VMA_REMOVE, OFF(vma.ret), SIZE(vma.ret) },
	{ RL_EV_VMA_ZAP, OFF(vma.ret), SIZE(vma.ret) },
	{ RL_EV_VMA_FREE, OFF(vma.ret), SIZE(vma.ret) },
	{ RL_EV_VMA_SPLIT, OFF(vma.new_vma), SIZE(vma.new_vma) },
	{ RL_EV_PAGE_FREE, OFF(page.pad), SIZE(page.pad) },
	{ RL_EV_PIN, OFF(pin.pad), SIZE(pin.pad) },
	{ RL_EV_LOST, OFF(lost.pad), SIZE(lost.pad) },
};

/* Bytes of type t's payload that no field and no left_out entry names
 * (the first in *first); -1 when a field lies outside it or two overlap. */
static int uncovered(unsigned t, size_t *first)
{
	unsigned char seen[sizeof(struct rl_event)] = { 0 };
	size_t k, nr, b, lo = payload_span[t].off, hi = lo + payload_span[t].size;
	const struct rl_field *f = rl_payload_fields(t, &nr);
	int missing = 0;

	for (k = 0; k < nr; k++) {
		size_t end = f[k].offset + (size_t)f[k].size * (f[k].max_elems ? f[k].max_elems : 1);

		if (f[k].offset < lo || end > hi)
			return -1;
		for (b = f[k].offset; b < end; b++)
			seen[b]++;
	}
	for (k = 0; k < sizeof(left_out) / sizeof(left_out[0]); k++) {
		for (b = 0; left_out[k].type == t && b < left_out[k].size; b++)
			seen[left_out[k].off + b]++;
	}
	for (b = hi; b-- > lo;) {
		if (seen[b] > 1)
			return -1;
		if (!seen[b]) {
			missing++;
			*first = b - lo;
		}
	}
	return missing;
}

/* The field lists name every member of every payload struct: a member
 * added to rl_events.h and not to its type's list fails here. */
static void test_table_covers_payloads(void)
{
	unsigned t;

	for (t = RL_EV_NONE + 1; t < RL_EV__MAX; t++) {
		char name[96];
		size_t first = 0;
		int missing = uncovered(t, &first);

		snprintf(name, sizeof(name), "field table names all of the %s payload, once",
			 rl_event_type_name(t));
		if (!t_ok(missing == 0, name))
			printf("#   %d bytes unnamed, from byte %zu of the payload (-1: outside or "
			       "overlapping)\n", missing, first);
	}
}

static void test_lenient_parts(void)
{
	static const char text[] =
		"ringledger-events v1\r\n"
		"\n"
		"   # an indented comment\r\n"
		"\tregion_create   kind=2\tregion=4096 comm=a\\x20b\r\n"
		"lost counter=7 count=0x10\n"
		"page_free stack=0x1,0x2\n"
		"end events=3";		/* the trailer may lack its newline */
	struct rl_event last = { .nr_stack = 0 };
	char err[256];
	unsigned events;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct rl_stream_reader *r = rl_stream_open(f);
	struct rl_event ev;

	T_EQ_I("lenient: comments, blanks, CRLF, tabs", rl_stream_next(r, &ev), RL_READ_EVENT);
	T_EQ_U("lenient: kind by number", ev.region.kind, RL_RK_SQES);
	T_EQ_U("lenient: region in decimal", ev.region.region, 4096);
	T_EQ_STR("lenient: escaped blank in comm", ev.h.comm, "a b");
	T_EQ_U("lenient: missing keys are 0", ev.region.nr_pages + ev.h.pid + ev.h.ts_ns, 0);
	T_EQ_U("lenient: line number counts every line", rl_stream_line(r), 4);
	T_EQ_I("lenient: lost", rl_stream_next(r, &ev), RL_READ_EVENT);
	T_EQ_U("lenient: counter past the names by number", ev.lost.counter, 7);
	T_EQ_U("lenient: count in hex", ev.lost.count, 16);
	rl_stream_close(r);
	fclose(f);

	T_EQ_I("lenient: trailer without newline",
	       read_all(text, sizeof(text) - 1, err, sizeof(err), &events, &last), RL_READ_END);
	T_EQ_U("lenient: stack length from the list", last.nr_stack, 2);
	T_EQ_U("lenient: stack frame", last.stack[1], 2);
}

/* Random damage to a valid stream: whatever it reads, it must not crash
 * (ASan/UBSan watch) and must end with END, TRUNCATED or ERROR. */
static void test_fuzz(void)
{
	char *base = NULL, *buf;
	size_t len = 0, i;
	FILE *out = open_memstream(&base, &len);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned t, bad = 0, round;
	struct rl_event ev;

	rl_stream_write_header(out);
	for (t = RL_EV_NONE + 1; t < RL_EV__MAX; t++) {
		fill_header(&ev, t);
		fill_payload(&ev);
		rl_stream_write_event(out, &ev);
	}
	rl_stream_write_trailer(out, RL_EV__MAX - 1);
	fclose(out);
	buf = malloc(len);
	for (round = 0; round < 3000; round++) {
		size_t cut = len;
		unsigned flips, events;
		char err[256];
		enum rl_read_status st;

		memcpy(buf, base, len);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		flips = 1 + x % 4;
		for (i = 0; i < flips; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[x % len] = (char)(x >> 24);
		}
		if (round % 3 == 0)
			cut = x % len;
		st = read_all(buf, cut, err, sizeof(err), &events, NULL);
		if (st != RL_READ_END && st != RL_READ_TRUNCATED && st != RL_READ_ERROR)
			bad++;
		if (st != RL_READ_END && strncmp(err, "line ", 5))
			bad++;
		/* the ledger takes whatever the reader let through */
		if (st == RL_READ_END || events) {
			FILE *f = fmemopen(buf, cut, "r");
			enum rl_read_status s2;
			struct rl_ledger *l = t_replay_stream(f, true, &s2, NULL, 0);

			rl_ledger_free(l);
			fclose(f);
		}
	}
	T_EQ_U("fuzz: 3000 damaged streams end cleanly, errors name the line", bad, 0);
	free(buf);
	free(base);
}

int main(void)
{
	test_round_trip();
	test_malformed();
	test_field_table();
	test_table_covers_payloads();
	test_lenient_parts();
	test_fuzz();
	return t_done();
}
