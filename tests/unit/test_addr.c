// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_addr.c - kernel addresses hashed per run (src/addr.c): the mix is a
 * bijection that keeps 0, one token per address within a key and another
 * under another key; the evidence text is scrubbed; and no raw kernel
 * address of any replay (a KPTR or PFN field, a stack frame) is left in
 * any hashed output: event lines, JSON lines, the hashed stream, and the
 * text, JSON and JUnit reports.  A replay of the hashed stream judges as
 * the raw one does.
 */
#include <dirent.h>
#include "tests.h"
#include "addr.h"
#include "event_fields.h"
#include "report.h"

/* ---- the mix ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* values like the ones the outputs carry: pointers of one slab, pfns in a
 * row, stack frames, and the extremes */
static uint64_t sample_value(size_t i)
{
	switch (i % 4) {
	case 0:
		return 0xffff888100000000ULL + (i / 4) * 64;
	case 1:
		return 0x100000 + i / 4;
	case 2:
		return 0xffffffff81000000ULL + (i / 4) * 3;
	default:
		return i == 3 ? UINT64_MAX : (uint64_t)i * 0x9e3779b97f4a7c15ULL;
	}
}

#define NR_SAMPLE (1u << 18)

static void test_mix(void)
{
	static uint64_t in[NR_SAMPLE], out[NR_SAMPLE];
	struct rl_addr a, b, r;
	size_t i, dup = 0, same = 0, fixed = 0;
	char buf[RL_ADDR_STRLEN];

	rl_addr_init_seed(&a, 1);
	rl_addr_init_seed(&b, 2);
	T_OK(rl_addr_init(&r, false) == 0, "a random key (getrandom)");
	for (i = 0; i < NR_SAMPLE; i++) {
		in[i] = sample_value(i);
		out[i] = rl_addr_hash(&a, in[i]);
		same += out[i] == rl_addr_hash(&b, in[i]);
		fixed += out[i] == in[i];
	}
	qsort(in, NR_SAMPLE, sizeof(in[0]), cmp_u64);
	for (i = 1; i < NR_SAMPLE; i++)
		dup += in[i] == in[i - 1];
	T_EQ_U("the sample has no repeated address", dup, 0);
	qsort(out, NR_SAMPLE, sizeof(out[0]), cmp_u64);
	for (i = 1, dup = 0; i < NR_SAMPLE; i++)
		dup += out[i] == out[i - 1];
	T_EQ_U("bijection: 2^18 addresses, 2^18 tokens", dup, 0);
	T_EQ_U("another key gives other tokens", same, 0);
	T_EQ_U("no address is its own token", fixed, 0);
	T_EQ_U("0 stays 0", rl_addr_hash(&a, 0), 0);
	T_EQ_U("0 stays 0 (random key)", rl_addr_hash(&r, 0), 0);
	T_EQ_U("0 stays 0 (another key)", rl_addr_hash(&b, 0), 0);
	/* the value the permutation sends to 0 takes P(0)'s place */
	T_OK(rl_addr_hash(&a, 1) != 0 && rl_addr_hash(&a, UINT64_MAX) != 0,
	     "no other address becomes 0");
	T_EQ_U("same address, same token", rl_addr_hash(&a, 0xffff888100a00000ULL),
	       rl_addr_hash(&a, 0xffff888100a00000ULL));
	rl_addr_init_seed(&b, 1);
	T_EQ_U("same seed, same key", rl_addr_hash(&b, 0xffff888100a00000ULL),
	       rl_addr_hash(&a, 0xffff888100a00000ULL));
	rl_addr_init(&r, true);
	T_EQ_U("raw: the value itself", rl_addr_hash(&r, 0xffff888100a00000ULL),
	       0xffff888100a00000ULL);
	T_EQ_U("no key: the value itself", rl_addr_hash(NULL, 0x1234), 0x1234);

	T_EQ_STR("raw form", rl_addr_str(&r, 0xffff888100a00000ULL, buf), "0xffff888100a00000");
	T_EQ_STR("no key: raw form", rl_addr_str(NULL, 0x10b000, buf), "0x10b000");
	T_EQ_STR("hashed 0 is 0x0", rl_addr_str(&a, 0, buf), "0x0");
	rl_addr_str(&a, 0x10b000, buf);
	T_OK(strlen(buf) == 18 && !strncmp(buf, "k:", 2) &&
	     strspn(buf + 2, "0123456789abcdef") == 16, "hashed form: k: and 16 hex digits");
	{
		char want[RL_ADDR_STRLEN];

		snprintf(want, sizeof(want), "k:%016" PRIx64, rl_addr_hash(&a, 0x10b000));
		T_EQ_STR("hashed form is the token", buf, want);
	}
}

static void test_scrub(void)
{
	struct rl_addr a, r;
	char out[512], want[512], t1[RL_ADDR_STRLEN], t2[RL_ADDR_STRLEN], t3[RL_ADDR_STRLEN];
	const char *in = "pfn 0x10b000 (page 0 of sqes region 0xffff888101002000) vma "
			 "0xffff888102000200 [0x7f0000020000-0x7f0000021000) pgoff 0x10000, "
			 "uaddr 0x7f00000a0000, x0xffff888101002000, 0xffff888101002000g";

	rl_addr_init_seed(&a, 7);
	rl_addr_init(&r, true);
	snprintf(want, sizeof(want), "pfn %s (page 0 of sqes region %s) vma "
		 "%s [0x7f0000020000-0x7f0000021000) pgoff 0x10000, "
		 "uaddr 0x7f00000a0000, x0xffff888101002000, 0xffff888101002000g",
		 rl_addr_str(&a, 0x10b000, t1), rl_addr_str(&a, 0xffff888101002000ULL, t2),
		 rl_addr_str(&a, 0xffff888102000200ULL, t3));
	T_EQ_STR("scrub: kernel pointers and pfns hashed, user addresses and words kept",
		 rl_addr_scrub(&a, in, 512, out, sizeof(out)), want);
	T_EQ_STR("scrub, raw: the text as it is", rl_addr_scrub(&r, in, 512, out, sizeof(out)), in);
	T_EQ_STR("scrub, no key: the text as it is", rl_addr_scrub(NULL, in, 512, out, sizeof(out)),
		 in);
	T_EQ_STR("scrub stops at max bytes", rl_addr_scrub(&a, "abcdef", 3, out, sizeof(out)), "abc");
	want[7] = '\0';
	T_EQ_STR("scrub fits its buffer", rl_addr_scrub(&a, in, 512, out, 8), want);
	T_EQ_STR("scrub: more than 16 digits is no address",
		 rl_addr_scrub(&a, "0xffff8881010020001", 64, out, sizeof(out)), "0xffff8881010020001");
}

/* Random text of the characters the scrub looks at, under ASan: it stays
 * in its buffers, ends its output, and a raw key copies the text. */
static void test_scrub_random(void)
{
	static const char alphabet[] = "0xfF9a pfn\x80g";
	struct rl_addr a, r;
	uint64_t seed = 1;
	size_t bad = 0;
	int n;

	rl_addr_init_seed(&a, 3);
	rl_addr_init(&r, true);
	for (n = 0; n < 20000; n++) {
		char in[64], out[96], small[11];
		size_t len, i;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (seed >> 33) % sizeof(in);
		for (i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			in[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		/* not NUL-terminated: max bounds it */
		rl_addr_scrub(&a, in, len, out, sizeof(out));
		rl_addr_scrub(&a, in, len, small, sizeof(small));
		bad += strnlen(out, sizeof(out)) == sizeof(out) ||
		       strnlen(small, sizeof(small)) == sizeof(small);
		rl_addr_scrub(&r, in, len, out, sizeof(out));
		bad += strlen(out) != len || memcmp(out, in, len);
	}
	T_EQ_U("scrub of random text: bounded, terminated, raw copies", bad, 0);
}

/* ---- no raw address in a hashed output ---------------------------------- */

#define MAX_VALUES 4096

struct kaddrs {
	uint64_t v[MAX_VALUES];
	bool is_pfn[MAX_VALUES];
	size_t n;
};

static void note(struct kaddrs *k, uint64_t v, bool is_pfn)
{
	size_t i;

	/* 0 is "none"; small pfns would match any small number (flags) */
	if (!v || (is_pfn && v < 0x10000))
		return;
	for (i = 0; i < k->n; i++)
		if (k->v[i] == v)
			return;
	if (k->n < MAX_VALUES) {
		k->is_pfn[k->n] = is_pfn;
		k->v[k->n++] = v;
	}
}

static void note_fields(struct kaddrs *k, const struct rl_event *ev, const struct rl_field *f,
			size_t nr)
{
	size_t i;
	unsigned j;

	for (i = 0; i < nr; i++) {
		if (!rl_field_is_kaddr(&f[i]))
			continue;
		for (j = 0; j < rl_field_count(ev, &f[i]); j++)
			note(k, rl_field_get(ev, &f[i], j), f[i].fmt == RL_FF_PFN);
	}
}

/* Whether text has "0x<hex of v>" as a whole number. */
static bool has_raw(const char *text, uint64_t v)
{
	char needle[24];
	const char *p = text;
	size_t n;

	n = (size_t)snprintf(needle, sizeof(needle), "0x%" PRIx64, v);
	while ((p = strstr(p, needle))) {
		char c = p[n];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return true;
		p += n;
	}
	return false;
}

/* a symbolizer that names some frames and gives others back raw, as
 * src/ksyms.c does for an address below every symbol */
static const char *half_symbolize(uint64_t addr, char *buf, size_t len, void *cookie)
{
	(void)cookie;
	if (addr & 0x10)
		snprintf(buf, len, "0x%" PRIx64, addr);
	else
		snprintf(buf, len, "func_%x+0x1a", (unsigned)(addr & 0xff));
	return buf;
}

struct outputs {
	char *text;
	size_t len;
	FILE *f;
};

/* The hashed stream judges as the raw one: pointers are opaque keys. */
static void check_hashed_stream_judges_alike(const char *name, const struct rl_addr *key,
					     const struct rl_ledger *l, char *stream,
					     size_t stream_len)
{
	FILE *hs = fmemopen(stream, stream_len, "r");
	enum rl_read_status st2;
	struct rl_ledger *l2;
	char check[600];
	bool same;
	size_t i;

	l2 = t_replay_stream(hs, false, &st2, NULL, 0);
	fclose(hs);
	same = l2 && rl_ledger_nr_findings(l2) == rl_ledger_nr_findings(l);
	for (i = 0; same && i < rl_ledger_nr_findings(l); i++) {
		const struct rl_finding *a = rl_ledger_finding(l, i);
		const struct rl_finding *b = rl_ledger_finding(l2, i);

		same = a->id == b->id && a->pfn == b->pfn && a->nr_pfns == b->nr_pfns &&
		       b->ctx == rl_addr_hash(key, a->ctx) &&
		       b->region == rl_addr_hash(key, a->region) &&
		       b->vma == rl_addr_hash(key, a->vma) &&
		       b->vma_start == a->vma_start && a->pin_set == b->pin_set;
	}
	snprintf(check, sizeof(check), "%s: the hashed stream replays to the same findings", name);
	T_OK(same, check);
	rl_ledger_free(l2);
}

static void check_replay(const char *name, const struct rl_addr *key)
{
	char path[512], check[600], *stream = NULL, *all;
	size_t stream_len = 0, i, leaks = 0, pfn_leaks_in_stream = 0;
	struct rl_report_ctx rc = { .command = name, .child_status = -1, .verdict = 1,
				    .symbolize = half_symbolize, .addr = key };
	struct rl_stream_reader *r;
	static struct kaddrs k;
	struct outputs o = {};
	struct rl_ledger *l;
	enum rl_read_status st;
	struct rl_event ev;
	FILE *in, *s;
	size_t nr;

	memset(&k, 0, sizeof(k));
	snprintf(path, sizeof(path), "tests/replays/%s", name);
	in = fopen(path, "r");
	if (!in)
		return;
	r = rl_stream_open(in);
	l = rl_ledger_new(NULL);
	o.f = open_memstream(&o.text, &o.len);
	s = open_memstream(&stream, &stream_len);
	rl_stream_write_header_addr(s, key);
	while (r && (st = rl_stream_next(r, &ev)) == RL_READ_EVENT) {
		const struct rl_field *f = rl_header_fields(&nr);

		note_fields(&k, &ev, f, nr);
		f = rl_payload_fields(ev.h.type, &nr);
		note_fields(&k, &ev, f, nr);
		note_fields(&k, &ev, rl_stack_field(), 1);
		rl_report_text_event_addr(o.f, &ev, key);
		rl_report_json_event_addr(o.f, &ev, key);
		rl_stream_write_event_addr(s, &ev, key);
		rl_ledger_feed(l, &ev);
	}
	rl_stream_write_trailer(s, 0);
	fclose(s);
	rl_ledger_finish(l, false);
	for (i = 0; i < rl_ledger_nr_findings(l); i++) {
		rl_report_text_finding(o.f, rl_ledger_finding(l, i), &rc);
		rl_report_json_finding(o.f, rl_ledger_finding(l, i), &rc);
	}
	rl_report_text(o.f, l, &rc);
	rl_report_json(o.f, l, &rc);
	rl_report_junit(o.f, l, &rc);
	fclose(o.f);
	all = o.text;
	for (i = 0; i < k.n; i++) {
		if (has_raw(all, k.v[i])) {
			if (!leaks++)
				printf("#   %s: 0x%" PRIx64 " printed raw\n", name, k.v[i]);
		}
		/* the stream keeps pfns raw (the ledger computes with them) */
		if (has_raw(stream, k.v[i]) && !k.is_pfn[i] && !pfn_leaks_in_stream++)
			printf("#   %s: stream has pointer 0x%" PRIx64 " raw\n", name, k.v[i]);
	}
	snprintf(check, sizeof(check), "%s: none of its %zu kernel addresses in the hashed "
		 "outputs", name, k.n);
	T_EQ_U(check, leaks, 0);
	snprintf(check, sizeof(check), "%s: no kernel pointer raw in the hashed stream", name);
	T_EQ_U(check, pfn_leaks_in_stream, 0);

	check_hashed_stream_judges_alike(name, key, l, stream, stream_len);
	free(stream);
	free(o.text);
	rl_ledger_free(l);
	rl_stream_close(r);
	fclose(in);
}

static void test_no_raw_address(void)
{
	struct rl_addr key;
	struct dirent *d;
	DIR *dir = opendir("tests/replays");
	size_t n = 0;

	rl_addr_init_seed(&key, 12);
	if (!T_OK(dir != NULL, "tests/replays opens"))
		return;
	while ((d = readdir(dir))) {
		size_t len = strlen(d->d_name);

		if (len > 7 && !strcmp(d->d_name + len - 7, ".events")) {
			check_replay(d->d_name, &key);
			n++;
		}
	}
	closedir(dir);
	T_OK(n >= 40, "every replay checked");
}

/* The same address, one token, in an event line and in the finding. */
static void test_correlates(void)
{
	struct rl_addr key;
	struct rl_ledger *l = t_replay("rl001_break", false);
	const struct rl_finding *f = t_finding(l, RL001, 0);
	struct rl_report_ctx rc = { .child_status = -1, .addr = &key };
	char *text = NULL, tok[RL_ADDR_STRLEN], line[64];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct rl_event ev = { .h.type = RL_EV_CTX_DEAD };

	rl_addr_init_seed(&key, 99);
	if (!T_OK(f != NULL, "rl001_break: RL001")) {
		fclose(out);
		free(text);
		rl_ledger_free(l);
		return;
	}
	ev.ctx.ctx = f->ctx;
	rl_report_text_event_addr(out, &ev, &key);
	rl_report_text_finding(out, f, &rc);
	fclose(out);
	rl_addr_str(&key, f->ctx, tok);
	snprintf(line, sizeof(line), "ctx_dead ctx=%s ", tok);
	T_CONTAINS("the event line names the ctx by its token", text, line);
	snprintf(line, sizeof(line), "    ctx       %s\n", tok);
	T_CONTAINS("the finding names the ctx by the same token", text, line);
	free(text);
	rl_ledger_free(l);
}

/* Every field the table marks as a kernel address is one. */
static void test_marks(void)
{
	static const struct { uint32_t type; const char *key; int fmt; } want[] = {
		{ RL_EV_CTX_CREATE, "ctx", RL_FF_KPTR },
		{ RL_EV_REGION_CREATE, "region", RL_FF_KPTR },
		{ RL_EV_REGION_CREATE, "mr", RL_FF_KPTR },
		{ RL_EV_REGION_CREATE, "mmap_offset", RL_FF_HEX },
		{ RL_EV_REGION_PAGES, "pfn", RL_FF_PFN },
		{ RL_EV_MMAP, "vma", RL_FF_KPTR },
		{ RL_EV_MMAP, "start", RL_FF_HEX },
		{ RL_EV_VMA_DUP, "new_vma", RL_FF_KPTR },
		{ RL_EV_VMA_DUP, "mm", RL_FF_KPTR },
		{ RL_EV_PAGE_FREE, "pfn", RL_FF_PFN },
		{ RL_EV_PBUF_REG, "ring_addr", RL_FF_HEX },
		{ RL_EV_PIN, "key", RL_FF_DEC },
		{ RL_EV_PIN, "pages", RL_FF_KPTR },
		{ RL_EV_PIN, "file", RL_FF_KPTR },
		{ RL_EV_PIN, "uaddr", RL_FF_HEX },
		{ RL_EV_UNPIN, "pfn", RL_FF_PFN },
		{ RL_EV_ARENA_AREA, "map", RL_FF_KPTR },
		{ RL_EV_ARENA_AREA, "window", RL_FF_HEX },
	};
	size_t i, j, nr;
	char name[96];

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct rl_field *f = rl_payload_fields(want[i].type, &nr);
		int fmt = -1;

		for (j = 0; j < nr; j++)
			if (!strcmp(f[j].name, want[i].key))
				fmt = f[j].fmt;
		snprintf(name, sizeof(name), "%s.%s has its format", rl_event_type_name(want[i].type),
			 want[i].key);
		T_EQ_I(name, fmt, want[i].fmt);
		snprintf(name, sizeof(name), "%s.%s: the text line finds the format",
			 rl_event_type_name(want[i].type), want[i].key);
		for (j = 0; j < nr; j++)
			if (!strcmp(f[j].name, want[i].key))
				T_EQ_I(name, rl_field_fmt_at(want[i].type, f[j].offset), want[i].fmt);
	}
	T_EQ_I("the stack is KPTR", rl_stack_field()->fmt, RL_FF_KPTR);
}

int main(void)
{
	test_mix();
	test_scrub();
	test_scrub_random();
	test_marks();
	test_correlates();
	test_no_raw_address();
	return t_done();
}
