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

/* Every field of the payload set by name, so a field the table forgets is
 * caught by the comparison. */
static void fill_payload(struct rl_event *ev)
{
	unsigned i;

	switch (ev->h.type) {
	case RL_EV_CTX_CREATE:
	case RL_EV_CTX_DEAD:
		ev->ctx.ctx = 0xffff888100a00000ULL;
		ev->ctx.sq_entries = 64;
		ev->ctx.cq_entries = 128;
		ev->ctx.flags = 0x3000;
		ev->ctx.fd = -9;
		break;
	case RL_EV_REGION_CREATE:
	case RL_EV_REGION_FREE:
		ev->region.region = 0xffff888101000000ULL;
		ev->region.ctx = 0xffff888100a00000ULL;
		ev->region.mr = 0xffff888100a00100ULL;
		ev->region.mmap_offset = 0x30000;
		ev->region.kind = RL_RK_PBUF;
		ev->region.bgid = 3;
		ev->region.nr_pages = 5;
		ev->region.flags = 7;
		ev->region.ret = -12;
		ev->region.head_refcount = 4;
		break;
	case RL_EV_REGION_PAGES:
		ev->pages.region = 0xffff888101000000ULL;
		ev->pages.first = 32;
		ev->pages.count = RL_PFNS_PER_EVENT;
		ev->pages.at_free = 1;
		for (i = 0; i < RL_PFNS_PER_EVENT; i++) {
			ev->pages.pfn[i] = 0x10a000 + i * 3;
			ev->pages.refcount[i] = 1 + i;
		}
		break;
	case RL_EV_MMAP_AREA:
	case RL_EV_MMAP:
	case RL_EV_INSERT_PAGES:
		ev->mmap.ctx = 0xffff888100a00000ULL;
		ev->mmap.vma = 0xffff888102000000ULL;
		ev->mmap.start = 0x7f0000000000ULL;
		ev->mmap.end = 0x7f0000003000ULL;
		ev->mmap.pgoff = 0x80010;
		ev->mmap.region = 0xffff888101000000ULL;
		ev->mmap.nr_pages = 3;
		ev->mmap.nr_left = 1;
		ev->mmap.ret = ev->h.type == RL_EV_MMAP ? -22 : 0x7f0000000000LL;
		ev->mmap.flags = 0x40001;
		break;
	case RL_EV_VMA_DUP:
	case RL_EV_VMA_REMOVE:
	case RL_EV_VMA_ZAP:
		ev->vma.vma = 0xffff888102000000ULL;
		ev->vma.new_vma = 0xffff888102000900ULL;
		ev->vma.start = 0x7f0000000000ULL;
		ev->vma.end = 0x7f0000002000ULL;
		ev->vma.pgoff = 0x8000;
		ev->vma.mm = 0xffff888103000000ULL;
		break;
	case RL_EV_PAGE_FREE:
		ev->page.pfn = 0x200000;
		ev->page.order = 9;
		break;
	case RL_EV_PROC_FORK:
	case RL_EV_PROC_EXEC:
	case RL_EV_PROC_EXIT:
		ev->proc.parent_pid = 1;
		ev->proc.child_pid = 4244;
		ev->proc.exit_code = -256;
		ev->proc.ns_pid = 7;
		break;
	case RL_EV_PBUF_REG:
	case RL_EV_PBUF_UNREG:
	case RL_EV_BUFRING_PIN:
	case RL_EV_BUFRING_UNPIN:
		ev->pbuf.ctx = 0xffff888100a00000ULL;
		ev->pbuf.ring_addr = 0x7f0000100000ULL;
		ev->pbuf.bgid = 65535;
		ev->pbuf.ring_entries = 4096;
		ev->pbuf.flags = 1;
		ev->pbuf.ret = -16;
		break;
	case RL_EV_PIN:
		ev->pin.ctx = 0xffff888100a00000ULL;
		ev->pin.key = 18446744073709551614ULL;
		ev->pin.pages = 0xffff888104000000ULL;
		ev->pin.uaddr = 0x7f0000200000ULL;
		ev->pin.owner = RL_PO_PBUF;
		ev->pin.owner_id = 65535;
		ev->pin.nr_pages = 512;
		ev->pin.first = 496;
		ev->pin.count = RL_PINS_PER_EVENT;
		for (i = 0; i < RL_PINS_PER_EVENT; i++) {
			ev->pin.pfn[i] = 0x200000 + i * 0x200;
			ev->pin.npins[i] = 1 + i;
			ev->pin.backing[i] = i % RL_BK__MAX;
			ev->pin.file[i] = i % 2 ? 0xffff888105000000ULL + i : 0;
		}
		break;
	case RL_EV_UNPIN:
		ev->unpin.ctx = 0xffff888100a00000ULL;
		ev->unpin.key = 7;
		ev->unpin.owner = RL_PO_BUFFER;
		ev->unpin.owner_id = 16383;
		ev->unpin.count = RL_UNPINS_PER_EVENT;
		ev->unpin.flags = RL_UNPIN_F_END | RL_UNPIN_F_RELEASED;
		for (i = 0; i < RL_UNPINS_PER_EVENT; i++) {
			ev->unpin.pfn[i] = 0x300000 + i;
			ev->unpin.npins[i] = 511 - i;
		}
		break;
	case RL_EV_LOST:
		ev->lost.count = 18446744073709551615ULL;
		ev->lost.counter = RL_CNT_STACK_FAIL;
		break;
	default:
		break;
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

static void test_malformed(void)
{
	static char long_line[10000];
	static char too_many[600];
	static const char nul_line[] = HDR "page_free pfn=0x1\0 order=0\nend events=1\n";
	static const char junk[] = HDR "\x7f\x45\x4c\x46\x02\x01\x01\xff\xfe\n";
	struct bad_case cases[] = {
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
		{ "future version", "ringledger-events v2\n", 0, RL_READ_ERROR,
		  "unsupported stream version 2" },
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
	size_t i, n;

	n = (size_t)snprintf(too_many, sizeof(too_many), HDR "region_pages pfn=");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(too_many + n, sizeof(too_many) - n, "%s0x%zx", i ? "," : "", i);
	snprintf(too_many + n, sizeof(too_many) - n, "\n");
	n = (size_t)snprintf(long_line, sizeof(long_line), HDR "page_free comm=x");
	memset(long_line + n, '#', 9000);
	memcpy(long_line + n + 9000, "\n", 2);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
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
	size_t nr, i, k, named = 0;
	const struct rl_field *f = rl_payload_fields(RL_EV_REGION_PAGES, &nr);

	for (i = 0; i < nr; i++) {
		for (k = 0; f[i].max_elems && k < nr; k++)
			named += !f[k].max_elems && f[k].offset == f[i].len_offset &&
				 !strcmp(f[k].name, "count");
	}
	T_EQ_U("field table: both page arrays counted by 'count'", named, 2);
	T_EQ_U("field table: the stack is counted by nr_stack", rl_stack_field()->len_offset,
	       offsetof(struct rl_event, nr_stack));
	rl_payload_fields(RL_EV__MAX, &nr);
	T_EQ_U("field table: unknown type has no fields", nr, 0);
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
	test_lenient_parts();
	test_fuzz();
	return t_done();
}
