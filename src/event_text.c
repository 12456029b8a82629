// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * event_text.c - the recorded event stream (doc/event-stream.md).
 *
 *   ringledger-events v1
 *   region_create ts=1 pid=7 tid=7 cpu=0 seq=1 comm=ring_basic region=0x... kind=rings ...
 *   end events=1
 *
 * The field table below names every field of struct rl_event per type; the
 * writer, the reader and the JSON trace (report_json.c) all walk it.  The
 * reader is hand-written for speed (replay must reach millions of events a
 * second): one pass over each line, keys looked up starting after the
 * previous match (the writer's order makes that a hit on the first try),
 * numbers parsed in place.  It never trusts its input: every error names
 * the line and what was wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "event_text.h"
#include "event_fields.h"
#include "ledger.h"
#include "ledger_names.h"

#define RL_MAX_LINE	8192		/* longer lines are an error          */
#define READ_CHUNK	(1u << 20)

#define MEMBER_SIZE(m)	sizeof(((struct rl_event *)0)->m)
#define ELEMS(m)	(MEMBER_SIZE(m) / MEMBER_SIZE(m[0]))

#define SCALAR(name, fmt, m) \
	{ name, sizeof(name) - 1, fmt, MEMBER_SIZE(m), 0, offsetof(struct rl_event, m), 0 }
#define ARRAY(name, fmt, m, len_m) \
	{ name, sizeof(name) - 1, fmt, MEMBER_SIZE(m[0]), ELEMS(m), \
	  offsetof(struct rl_event, m), offsetof(struct rl_event, len_m) }

/* ---- the field table -------------------------------------------------- */

static const struct rl_field header_fields[] = {
	SCALAR("ts", RL_FF_DEC, h.ts_ns),
	SCALAR("pid", RL_FF_DEC, h.pid),
	SCALAR("tid", RL_FF_DEC, h.tid),
	SCALAR("cpu", RL_FF_DEC, h.cpu),
	SCALAR("seq", RL_FF_DEC, h.seq),
	SCALAR("comm", RL_FF_COMM, h.comm),
};

static const struct rl_field ctx_fields[] = {
	SCALAR("ctx", RL_FF_HEX, ctx.ctx),
	SCALAR("sq_entries", RL_FF_DEC, ctx.sq_entries),
	SCALAR("cq_entries", RL_FF_DEC, ctx.cq_entries),
	SCALAR("flags", RL_FF_HEX, ctx.flags),
	SCALAR("fd", RL_FF_SDEC, ctx.fd),
};

static const struct rl_field region_fields[] = {
	SCALAR("region", RL_FF_HEX, region.region),
	SCALAR("ctx", RL_FF_HEX, region.ctx),
	SCALAR("mr", RL_FF_HEX, region.mr),
	SCALAR("mmap_offset", RL_FF_HEX, region.mmap_offset),
	SCALAR("kind", RL_FF_KIND, region.kind),
	SCALAR("bgid", RL_FF_DEC, region.bgid),
	SCALAR("nr_pages", RL_FF_DEC, region.nr_pages),
	SCALAR("flags", RL_FF_HEX, region.flags),
	SCALAR("ret", RL_FF_SDEC, region.ret),
	SCALAR("head_refcount", RL_FF_DEC, region.head_refcount),
};

static const struct rl_field pages_fields[] = {
	SCALAR("region", RL_FF_HEX, pages.region),
	SCALAR("first", RL_FF_DEC, pages.first),
	SCALAR("count", RL_FF_DEC, pages.count),
	SCALAR("at_free", RL_FF_DEC, pages.at_free),
	ARRAY("pfn", RL_FF_HEX, pages.pfn, pages.count),
	ARRAY("refcount", RL_FF_DEC, pages.refcount, pages.count),
};

static const struct rl_field mmap_fields[] = {
	SCALAR("ctx", RL_FF_HEX, mmap.ctx),
	SCALAR("vma", RL_FF_HEX, mmap.vma),
	SCALAR("start", RL_FF_HEX, mmap.start),
	SCALAR("end", RL_FF_HEX, mmap.end),
	SCALAR("pgoff", RL_FF_HEX, mmap.pgoff),
	SCALAR("region", RL_FF_HEX, mmap.region),
	SCALAR("nr_pages", RL_FF_DEC, mmap.nr_pages),
	SCALAR("nr_left", RL_FF_DEC, mmap.nr_left),
	SCALAR("ret", RL_FF_SHEX, mmap.ret),
	SCALAR("flags", RL_FF_HEX, mmap.flags),
};

static const struct rl_field vma_fields[] = {
	SCALAR("vma", RL_FF_HEX, vma.vma),
	SCALAR("new_vma", RL_FF_HEX, vma.new_vma),
	SCALAR("start", RL_FF_HEX, vma.start),
	SCALAR("end", RL_FF_HEX, vma.end),
	SCALAR("pgoff", RL_FF_HEX, vma.pgoff),
	SCALAR("mm", RL_FF_HEX, vma.mm),
};

static const struct rl_field page_fields[] = {
	SCALAR("pfn", RL_FF_HEX, page.pfn),
	SCALAR("order", RL_FF_DEC, page.order),
};

static const struct rl_field proc_fields[] = {
	SCALAR("parent_pid", RL_FF_DEC, proc.parent_pid),
	SCALAR("child_pid", RL_FF_DEC, proc.child_pid),
	SCALAR("exit_code", RL_FF_SDEC, proc.exit_code),
	SCALAR("ns_pid", RL_FF_DEC, proc.ns_pid),
};

static const struct rl_field pbuf_fields[] = {
	SCALAR("ctx", RL_FF_HEX, pbuf.ctx),
	SCALAR("ring_addr", RL_FF_HEX, pbuf.ring_addr),
	SCALAR("bgid", RL_FF_DEC, pbuf.bgid),
	SCALAR("ring_entries", RL_FF_DEC, pbuf.ring_entries),
	SCALAR("flags", RL_FF_HEX, pbuf.flags),
	SCALAR("ret", RL_FF_SDEC, pbuf.ret),
};

static const struct rl_field pin_fields[] = {
	SCALAR("ctx", RL_FF_HEX, pin.ctx),
	SCALAR("pages", RL_FF_HEX, pin.pages),
	SCALAR("uaddr", RL_FF_HEX, pin.uaddr),
	SCALAR("nr_pages", RL_FF_DEC, pin.nr_pages),
	SCALAR("owner", RL_FF_DEC, pin.owner),
	SCALAR("ret", RL_FF_SDEC, pin.ret),
};

static const struct rl_field lost_fields[] = {
	SCALAR("count", RL_FF_DEC, lost.count),
	SCALAR("counter", RL_FF_COUNTER, lost.counter),
};

static const struct rl_field stack_field =
	ARRAY("stack", RL_FF_HEX, stack, nr_stack);

#define TABLE(t) { t, sizeof(t) / sizeof(t[0]) }
static const struct {
	const struct rl_field *fields;
	size_t nr;
} payloads[RL_EV__MAX] = {
	[RL_EV_CTX_CREATE] = TABLE(ctx_fields),
	[RL_EV_CTX_DEAD] = TABLE(ctx_fields),
	[RL_EV_REGION_CREATE] = TABLE(region_fields),
	[RL_EV_REGION_PAGES] = TABLE(pages_fields),
	[RL_EV_REGION_FREE] = TABLE(region_fields),
	[RL_EV_MMAP_AREA] = TABLE(mmap_fields),
	[RL_EV_MMAP] = TABLE(mmap_fields),
	[RL_EV_INSERT_PAGES] = TABLE(mmap_fields),
	[RL_EV_VMA_DUP] = TABLE(vma_fields),
	[RL_EV_VMA_REMOVE] = TABLE(vma_fields),
	[RL_EV_VMA_ZAP] = TABLE(vma_fields),
	[RL_EV_PAGE_FREE] = TABLE(page_fields),
	[RL_EV_PROC_FORK] = TABLE(proc_fields),
	[RL_EV_PROC_EXEC] = TABLE(proc_fields),
	[RL_EV_PROC_EXIT] = TABLE(proc_fields),
	[RL_EV_PBUF_REG] = TABLE(pbuf_fields),
	[RL_EV_PBUF_UNREG] = TABLE(pbuf_fields),
	[RL_EV_PIN] = TABLE(pin_fields),
	[RL_EV_UNPIN] = TABLE(pin_fields),
	[RL_EV_LOST] = TABLE(lost_fields),
};

#define NR_HEADER_FIELDS (sizeof(header_fields) / sizeof(header_fields[0]))
#define MAX_FIELDS	 (NR_HEADER_FIELDS + 10 + 1)	/* header + widest + stack */

const struct rl_field *rl_header_fields(size_t *nr)
{
	*nr = NR_HEADER_FIELDS;
	return header_fields;
}

const struct rl_field *rl_payload_fields(uint32_t type, size_t *nr)
{
	if (type >= RL_EV__MAX) {
		*nr = 0;
		return NULL;
	}
	*nr = payloads[type].nr;
	return payloads[type].fields;
}

const struct rl_field *rl_stack_field(void)
{
	return &stack_field;
}

uint64_t rl_field_get(const struct rl_event *ev, const struct rl_field *f, unsigned i)
{
	const unsigned char *p = (const unsigned char *)ev + f->offset + (size_t)i * f->size;
	bool is_signed = f->fmt == RL_FF_SDEC || f->fmt == RL_FF_SHEX;

	if (f->size == 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	if (f->size == 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		return is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
	}
	return 0;
}

unsigned rl_field_count(const struct rl_event *ev, const struct rl_field *f)
{
	uint32_t n;

	if (!f->max_elems)
		return 1;
	memcpy(&n, (const unsigned char *)ev + f->len_offset, sizeof(n));
	return n < f->max_elems ? n : f->max_elems;
}

static void field_set(struct rl_event *ev, const struct rl_field *f, unsigned i, uint64_t v)
{
	unsigned char *p = (unsigned char *)ev + f->offset + (size_t)i * f->size;

	if (f->size == 8) {
		memcpy(p, &v, 8);
	} else if (f->size == 4) {
		uint32_t w = (uint32_t)v;

		memcpy(p, &w, 4);
	}
}

static void field_set_count(struct rl_event *ev, const struct rl_field *f, uint32_t n)
{
	memcpy((unsigned char *)ev + f->len_offset, &n, sizeof(n));
}

/* ---- writer ----------------------------------------------------------- */

/* A line under construction; the longest event needs ~2 KiB. */
struct out {
	char buf[4096];
	size_t len;
};

static inline void put_char(struct out *o, char c)
{
	if (o->len < sizeof(o->buf))
		o->buf[o->len++] = c;
}

static void put_str(struct out *o, const char *s)
{
	while (*s)
		put_char(o, *s++);
}

static void put_dec(struct out *o, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		put_char(o, tmp[--n]);
}

static void put_hex(struct out *o, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v);
	put_char(o, '0');
	put_char(o, 'x');
	while (n)
		put_char(o, tmp[--n]);
}

static void put_sdec(struct out *o, int64_t v)
{
	if (v < 0) {
		put_char(o, '-');
		put_dec(o, (uint64_t)0 - (uint64_t)v);
	} else {
		put_dec(o, (uint64_t)v);
	}
}

/* comm: bytes up to the NUL; blanks, controls, non-ASCII and '\' as \xHH */
static void put_comm(struct out *o, const char *comm)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < RL_COMM_LEN && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\') {
			put_char(o, '\\');
			put_char(o, 'x');
			put_char(o, digits[c >> 4]);
			put_char(o, digits[c & 15]);
		} else {
			put_char(o, (char)c);
		}
	}
}

static void put_value(struct out *o, const struct rl_event *ev, const struct rl_field *f,
		      unsigned i)
{
	uint64_t v = rl_field_get(ev, f, i);
	const char *name;

	switch (f->fmt) {
	case RL_FF_HEX:
		put_hex(o, v);
		break;
	case RL_FF_SDEC:
		put_sdec(o, (int64_t)v);
		break;
	case RL_FF_SHEX:
		if ((int64_t)v < 0 && (int64_t)v >= -4095)
			put_sdec(o, (int64_t)v);
		else if (v)
			put_hex(o, v);
		else
			put_char(o, '0');
		break;
	case RL_FF_KIND:
		if (v < RL_RK__MAX)
			put_str(o, rl_region_kind_name((enum rl_region_kind)v));
		else
			put_dec(o, v);
		break;
	case RL_FF_COUNTER:
		name = rl_counter_name((uint32_t)v);
		if (name)
			put_str(o, name);
		else
			put_dec(o, v);
		break;
	default:
		put_dec(o, v);
		break;
	}
}

static void put_field(struct out *o, const struct rl_event *ev, const struct rl_field *f)
{
	unsigned i, n = rl_field_count(ev, f);

	if (f->max_elems && !n)
		return;
	put_char(o, ' ');
	put_str(o, f->name);
	put_char(o, '=');
	if (f->fmt == RL_FF_COMM) {
		put_comm(o, (const char *)ev + f->offset);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			put_char(o, ',');
		put_value(o, ev, f, i);
	}
}

static int write_all(FILE *f, const char *buf, size_t len)
{
	if (fwrite(buf, 1, len, f) != len)
		return errno ? -errno : -EIO;
	return 0;
}

int rl_stream_write_header(FILE *f)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s v%d\n", RL_STREAM_MAGIC, RL_STREAM_VERSION);

	return write_all(f, line, (size_t)n);
}

int rl_stream_write_event(FILE *f, const struct rl_event *ev)
{
	struct out o;
	size_t i, nr;
	const struct rl_field *payload;

	if (ev->h.type == RL_EV_NONE || ev->h.type >= RL_EV__MAX)
		return -EINVAL;
	o.len = 0;
	put_str(&o, rl_event_type_name(ev->h.type));
	for (i = 0; i < NR_HEADER_FIELDS; i++)
		put_field(&o, ev, &header_fields[i]);
	payload = rl_payload_fields(ev->h.type, &nr);
	for (i = 0; i < nr; i++)
		put_field(&o, ev, &payload[i]);
	put_field(&o, ev, &stack_field);
	put_char(&o, '\n');
	return write_all(f, o.buf, o.len);
}

int rl_stream_write_trailer(FILE *f, unsigned long long nr_events)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "end events=%llu\n", nr_events);

	return write_all(f, line, (size_t)n);
}

/* ---- reader ----------------------------------------------------------- */

enum reader_state { RS_HEADER, RS_EVENTS, RS_ENDED, RS_STOPPED };

struct rl_stream_reader {
	FILE *f;
	char *buf;
	size_t start, end;		/* unread bytes are buf[start, end)   */
	bool eof;
	enum reader_state state;
	enum rl_read_status stopped;	/* repeated once RS_STOPPED            */
	unsigned long line;
	unsigned long long nr_events;
	char err[256];
};

struct rl_stream_reader *rl_stream_open(FILE *f)
{
	struct rl_stream_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->buf = malloc(READ_CHUNK + RL_MAX_LINE + 1);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	r->f = f;
	r->state = RS_HEADER;
	return r;
}

void rl_stream_close(struct rl_stream_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

const char *rl_stream_error(const struct rl_stream_reader *r)
{
	return r->err;
}

unsigned long rl_stream_line(const struct rl_stream_reader *r)
{
	return r->line;
}

static enum rl_read_status fail(struct rl_stream_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum rl_read_status fail(struct rl_stream_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "line %lu: ", r->line);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->state = RS_STOPPED;
	r->stopped = RL_READ_ERROR;
	return RL_READ_ERROR;
}

/* Show a piece of the input in an error message (input is printable by
 * then: bytes are checked before any token is looked at). */
static const char *quote(const char *s, size_t n, char *buf, size_t len)
{
	size_t max = len - 4;

	if (n > max) {
		memcpy(buf, s, max);
		memcpy(buf + max, "...", 4);
	} else {
		memcpy(buf, s, n);
		buf[n] = '\0';
	}
	return buf;
}

enum line_result { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_IO_ERROR };

/* The next line, without its '\n'; *complete is false for a last line
 * that EOF cut short. */
static enum line_result next_line(struct rl_stream_reader *r, char **line, size_t *len,
				  bool *complete)
{
	for (;;) {
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = memchr(s, '\n', avail);
		size_t got;

		if (nl) {
			*line = s;
			*len = (size_t)(nl - s);
			*complete = true;
			r->start += *len + 1;
			return *len > RL_MAX_LINE ? LINE_TOO_LONG : LINE_OK;
		}
		if (avail > RL_MAX_LINE)
			return LINE_TOO_LONG;
		if (r->eof) {
			if (!avail)
				return LINE_EOF;
			*line = s;
			*len = avail;
			*complete = false;
			r->start = r->end;
			return LINE_OK;
		}
		memmove(r->buf, s, avail);
		r->start = 0;
		r->end = avail;
		got = fread(r->buf + avail, 1, READ_CHUNK, r->f);
		r->end += got;
		if (!got) {
			if (ferror(r->f))
				return LINE_IO_ERROR;
			r->eof = true;
		}
	}
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An unsigned number, decimal or 0x-hex, filling all of s[0, n). */
static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (n - 2 > 16)
			return false;
		for (i = 2; i < n; i++) {
			int d = hex_digit(s[i]);

			if (d < 0)
				return false;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return true;
	}
	if (!n || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* One number for field f, range-checked for its size and signedness:
 * a leading '-' only for signed fields; hex gives the raw bits. */
static bool parse_number(const struct rl_field *f, const char *s, size_t n, uint64_t *out)
{
	bool is_signed = f->fmt == RL_FF_SDEC || f->fmt == RL_FF_SHEX;
	bool neg = n && s[0] == '-';
	bool hex = n > 2 && s[neg] == '0' && (s[neg + 1] == 'x' || s[neg + 1] == 'X');
	uint64_t v, umax = f->size == 8 ? UINT64_MAX : UINT32_MAX;
	uint64_t smax = f->size == 8 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;

	if (neg && (!is_signed || hex))
		return false;
	if (!parse_u64(s + neg, n - neg, &v))
		return false;
	if (neg) {
		if (v > smax + 1)
			return false;
		*out = (uint64_t)0 - v;
		return true;
	}
	if (v > umax || (is_signed && !hex && v > smax))
		return false;
	*out = v;
	return true;
}

/* comm: \xHH escapes decoded, at most RL_COMM_LEN bytes. */
static bool parse_comm(const char *s, size_t n, char *comm)
{
	size_t i = 0, out = 0;

	while (i < n) {
		char c = s[i];

		if (c == '\\') {
			int hi, lo;

			if (i + 4 > n || s[i + 1] != 'x')
				return false;
			hi = hex_digit(s[i + 2]);
			lo = hex_digit(s[i + 3]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi << 4 | lo);
			i += 4;
		} else {
			i++;
		}
		if (out == RL_COMM_LEN)
			return false;
		comm[out++] = c;
	}
	return true;
}

/* What one event line's keys have set so far. */
struct line_state {
	const struct rl_field *fields[MAX_FIELDS];
	size_t nr;
	size_t cursor;			/* where the next key is looked up   */
	uint32_t seen;			/* bit k: fields[k] given            */
};

static void line_state_init(struct line_state *ls, uint32_t type)
{
	const struct rl_field *payload;
	size_t i, nr;

	ls->nr = 0;
	for (i = 0; i < NR_HEADER_FIELDS; i++)
		ls->fields[ls->nr++] = &header_fields[i];
	payload = rl_payload_fields(type, &nr);
	for (i = 0; i < nr; i++)
		ls->fields[ls->nr++] = &payload[i];
	ls->fields[ls->nr++] = &stack_field;
	ls->cursor = 0;
	ls->seen = 0;
}

static int find_field(struct line_state *ls, const char *key, size_t len)
{
	size_t j;

	for (j = 0; j < ls->nr; j++) {
		size_t k = ls->cursor + j;

		if (k >= ls->nr)
			k -= ls->nr;
		if (ls->fields[k]->name_len == len && !memcmp(ls->fields[k]->name, key, len)) {
			ls->cursor = k + 1 == ls->nr ? 0 : k + 1;
			return (int)k;
		}
	}
	return -1;
}

/* A scalar value for f (numbers, or names for kind/counter). */
static bool parse_scalar(const struct rl_field *f, const char *v, size_t n, uint64_t *out)
{
	int named = -1;

	if (f->fmt == RL_FF_KIND)
		named = rl_region_kind_parse(v, n);
	else if (f->fmt == RL_FF_COUNTER)
		named = rl_counter_parse(v, n);
	if (named >= 0) {
		*out = (uint64_t)named;
		return true;
	}
	return parse_number(f, v, n, out);
}

/* Parse one key's value into ev; returns elements set for arrays (1 for
 * scalars), or -1 with r->err set. */
static int parse_value(struct rl_stream_reader *r, struct rl_event *ev,
		       const struct rl_field *f, const char *v, size_t n)
{
	char q[48];
	unsigned count = 0;
	size_t i = 0;

	if (f->fmt == RL_FF_COMM) {
		if (!parse_comm(v, n, (char *)ev + f->offset)) {
			fail(r, "bad comm '%s' (at most %d bytes, escapes as \\xHH)",
			     quote(v, n, q, sizeof(q)), RL_COMM_LEN);
			return -1;
		}
		return 1;
	}
	if (!f->max_elems) {
		uint64_t x;

		if (!parse_scalar(f, v, n, &x)) {
			fail(r, "bad value '%s' for %s", quote(v, n, q, sizeof(q)), f->name);
			return -1;
		}
		field_set(ev, f, 0, x);
		return 1;
	}
	while (i < n) {
		const char *comma = memchr(v + i, ',', n - i);
		size_t e = comma ? (size_t)(comma - v) : n;
		uint64_t x;

		if (count == f->max_elems) {
			fail(r, "too many values for %s (at most %u)", f->name, f->max_elems);
			return -1;
		}
		if (!parse_scalar(f, v + i, e - i, &x)) {
			fail(r, "bad value '%s' in %s", quote(v + i, e - i, q, sizeof(q)), f->name);
			return -1;
		}
		field_set(ev, f, count++, x);
		i = comma ? e + 1 : n;
		if (comma && i == n) {
			fail(r, "empty value at the end of %s", f->name);
			return -1;
		}
	}
	return (int)count;
}

/* Arrays share a count field (pfn and refcount: count; stack: nr_stack):
 * a given count bounds the lists, an absent one is set from them. */
static enum rl_read_status settle_counts(struct rl_stream_reader *r, struct rl_event *ev,
					 struct line_state *ls, const unsigned *listed)
{
	size_t k, j;

	for (k = 0; k < ls->nr; k++) {
		const struct rl_field *f = ls->fields[k];
		uint32_t count;
		bool given = false;

		if (!f->max_elems)
			continue;
		/* is the count field itself a key of this line? */
		for (j = 0; j < ls->nr; j++) {
			if (!ls->fields[j]->max_elems && ls->fields[j]->offset == f->len_offset)
				given = (ls->seen >> j) & 1;
		}
		memcpy(&count, (char *)ev + f->len_offset, sizeof(count));
		if (given) {
			if (count > f->max_elems)
				return fail(r, "count %u exceeds %u", count, f->max_elems);
			if (listed[k] > count)
				return fail(r, "%s lists %u values but count is %u", f->name,
					    listed[k], count);
		} else if (listed[k] > count) {
			field_set_count(ev, f, listed[k]);
		}
	}
	return RL_READ_EVENT;
}

static enum rl_read_status parse_trailer(struct rl_stream_reader *r, const char *s, size_t n)
{
	static const char key[] = "events=";
	uint64_t v;

	while (n && is_blank(*s)) {
		s++;
		n--;
	}
	while (n && is_blank(s[n - 1]))
		n--;
	if (n < sizeof(key) - 1 || memcmp(s, key, sizeof(key) - 1) ||
	    !parse_u64(s + sizeof(key) - 1, n - (sizeof(key) - 1), &v))
		return fail(r, "bad trailer (expected 'end events=<N>')");
	if (v != r->nr_events)
		return fail(r, "trailer says %llu events but %llu were read",
			    (unsigned long long)v, r->nr_events);
	r->state = RS_ENDED;
	return RL_READ_END;
}

static enum rl_read_status parse_header(struct rl_stream_reader *r, const char *s, size_t n)
{
	static const char magic[] = RL_STREAM_MAGIC " v";
	uint64_t version;

	while (n && is_blank(s[n - 1]))
		n--;
	if (n < sizeof(magic) - 1 || memcmp(s, magic, sizeof(magic) - 1) ||
	    !parse_u64(s + sizeof(magic) - 1, n - (sizeof(magic) - 1), &version))
		return fail(r, "not a ringledger event stream (the first line must be '%s%d')",
			    magic, RL_STREAM_VERSION);
	if (version != RL_STREAM_VERSION)
		return fail(r, "unsupported stream version %llu (this reader knows %d)",
			    (unsigned long long)version, RL_STREAM_VERSION);
	r->state = RS_EVENTS;
	return RL_READ_EVENT;
}

/* One event line (leading blanks already skipped, bytes checked). */
static enum rl_read_status parse_event(struct rl_stream_reader *r, const char *s, size_t n,
				       struct rl_event *ev)
{
	unsigned listed[MAX_FIELDS] = { 0 };
	struct line_state ls;
	enum rl_event_type type;
	size_t i = 0, w;
	char q[48];

	while (i < n && !is_blank(s[i]))
		i++;
	if (i == 3 && !memcmp(s, "end", 3))
		return parse_trailer(r, s + 3, n - 3);
	type = rl_event_type_parse(s, i);
	if (type == RL_EV_NONE)
		return fail(r, "unknown event type '%s'", quote(s, i, q, sizeof(q)));
	memset(ev, 0, sizeof(*ev));
	ev->h.type = type;
	line_state_init(&ls, type);
	for (;;) {
		const char *key, *eq;
		int k, got;

		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			break;
		key = s + i;
		for (w = i; w < n && !is_blank(s[w]); w++)
			;
		eq = memchr(key, '=', w - i);
		if (!eq)
			return fail(r, "expected key=value, got '%s'",
				    quote(key, w - i, q, sizeof(q)));
		k = find_field(&ls, key, (size_t)(eq - key));
		if (k < 0)
			return fail(r, "unknown key '%s' for %s",
				    quote(key, (size_t)(eq - key), q, sizeof(q)),
				    rl_event_type_name(type));
		if ((ls.seen >> k) & 1)
			return fail(r, "duplicate key '%s'", ls.fields[k]->name);
		ls.seen |= 1u << k;
		got = parse_value(r, ev, ls.fields[k], eq + 1, (size_t)(s + w - eq - 1));
		if (got < 0)
			return RL_READ_ERROR;
		listed[k] = (unsigned)got;
		i = w;
	}
	if (settle_counts(r, ev, &ls, listed) != RL_READ_EVENT)
		return RL_READ_ERROR;
	r->nr_events++;
	return RL_READ_EVENT;
}

/* Printable ASCII and tabs only: anything else is junk, not an event. */
static bool check_bytes(struct rl_stream_reader *r, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			fail(r, "unexpected byte 0x%02x at column %zu", c, i + 1);
			return false;
		}
	}
	return true;
}

enum rl_read_status rl_stream_next(struct rl_stream_reader *r, struct rl_event *ev)
{
	for (;;) {
		enum line_result lr;
		enum rl_read_status st;
		bool complete = true;
		char *s = NULL;
		size_t n = 0;

		if (r->state == RS_STOPPED)
			return r->stopped;
		lr = next_line(r, &s, &n, &complete);
		if (lr == LINE_EOF) {
			if (r->state == RS_ENDED) {
				r->state = RS_STOPPED;
				r->stopped = RL_READ_END;
				return RL_READ_END;
			}
			r->state = RS_STOPPED;
			r->stopped = RL_READ_TRUNCATED;
			snprintf(r->err, sizeof(r->err), "line %lu: stream ends without "
				 "its 'end' trailer (truncated)", r->line);
			return RL_READ_TRUNCATED;
		}
		r->line++;
		if (lr == LINE_TOO_LONG)
			return fail(r, "line longer than %d bytes", RL_MAX_LINE);
		if (lr == LINE_IO_ERROR)
			return fail(r, "read error");
		if (n && s[n - 1] == '\r')
			n--;
		if (!check_bytes(r, s, n))
			return RL_READ_ERROR;
		if (r->state == RS_HEADER) {
			if (!complete) {
				r->state = RS_STOPPED;
				r->stopped = RL_READ_TRUNCATED;
				snprintf(r->err, sizeof(r->err), "line %lu: truncated header",
					 r->line);
				return RL_READ_TRUNCATED;
			}
			if (parse_header(r, s, n) != RL_READ_EVENT)
				return RL_READ_ERROR;
			continue;
		}
		while (n && is_blank(*s)) {
			s++;
			n--;
		}
		if (!n || *s == '#')
			continue;
		/* a last line cut short is not trusted, unless it is the trailer */
		if (!complete && !(n >= 4 && !memcmp(s, "end ", 4))) {
			r->state = RS_STOPPED;
			r->stopped = RL_READ_TRUNCATED;
			snprintf(r->err, sizeof(r->err), "line %lu: stream cut in the middle "
				 "of a line (truncated)", r->line);
			return RL_READ_TRUNCATED;
		}
		if (r->state == RS_ENDED)
			return fail(r, "content after the 'end' trailer");
		st = parse_event(r, s, n, ev);
		if (st != RL_READ_END)
			return st;
		/* the trailer: read on, only blanks and comments may follow it */
	}
}
