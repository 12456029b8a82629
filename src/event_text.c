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
	{ name, sizeof(name) - 1, fmt, MEMBER_SIZE(m), 0, offsetof(struct rl_event, m), 0, \
	  RL_NO_COUNT_KEY }
#define ARRAY(name, fmt, m, len_m, count_key) \
	{ name, sizeof(name) - 1, fmt, MEMBER_SIZE(m[0]), ELEMS(m), \
	  offsetof(struct rl_event, m), offsetof(struct rl_event, len_m), count_key }

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
	ARRAY("pfn", RL_FF_HEX, pages.pfn, pages.count, 2),
	ARRAY("refcount", RL_FF_DEC, pages.refcount, pages.count, 2),
};

/* the fields MMAP_AREA, MMAP and INSERT_PAGES share */
#define MMAP_FIELDS \
	SCALAR("ctx", RL_FF_HEX, mmap.ctx), \
	SCALAR("vma", RL_FF_HEX, mmap.vma), \
	SCALAR("start", RL_FF_HEX, mmap.start), \
	SCALAR("end", RL_FF_HEX, mmap.end), \
	SCALAR("pgoff", RL_FF_HEX, mmap.pgoff), \
	SCALAR("region", RL_FF_HEX, mmap.region), \
	SCALAR("nr_pages", RL_FF_DEC, mmap.nr_pages), \
	SCALAR("nr_left", RL_FF_DEC, mmap.nr_left), \
	SCALAR("ret", RL_FF_SHEX, mmap.ret), \
	SCALAR("flags", RL_FF_HEX, mmap.flags)

static const struct rl_field mmap_fields[] = { MMAP_FIELDS };

/* MMAP_AREA also says where the task's user window ends */
static const struct rl_field mmap_area_fields[] = {
	MMAP_FIELDS,
	SCALAR("window_end", RL_FF_HEX, mmap.window_end),
};

static const struct rl_field vma_fields[] = {
	SCALAR("vma", RL_FF_HEX, vma.vma),
	SCALAR("new_vma", RL_FF_HEX, vma.new_vma),
	SCALAR("start", RL_FF_HEX, vma.start),
	SCALAR("end", RL_FF_HEX, vma.end),
	SCALAR("pgoff", RL_FF_HEX, vma.pgoff),
	SCALAR("mm", RL_FF_HEX, vma.mm),
};

static const struct rl_field arena_fields[] = {
	SCALAR("map", RL_FF_HEX, arena.map),
	SCALAR("addr", RL_FF_HEX, arena.addr),
	SCALAR("len", RL_FF_HEX, arena.len),
	SCALAR("window", RL_FF_HEX, arena.window),
	SCALAR("window_len", RL_FF_HEX, arena.window_len),
	SCALAR("ret", RL_FF_SHEX, arena.ret),
	SCALAR("window_end", RL_FF_HEX, arena.window_end),
};

/* VMA_SPLIT: the vma's range after the split, and how the split went */
static const struct rl_field vma_split_fields[] = {
	SCALAR("vma", RL_FF_HEX, vma.vma),
	SCALAR("start", RL_FF_HEX, vma.start),
	SCALAR("end", RL_FF_HEX, vma.end),
	SCALAR("pgoff", RL_FF_HEX, vma.pgoff),
	SCALAR("mm", RL_FF_HEX, vma.mm),
	SCALAR("ret", RL_FF_SHEX, vma.ret),
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
	SCALAR("key", RL_FF_DEC, pin.key),
	SCALAR("pages", RL_FF_HEX, pin.pages),
	SCALAR("uaddr", RL_FF_HEX, pin.uaddr),
	SCALAR("owner", RL_FF_OWNER, pin.owner),
	SCALAR("owner_id", RL_FF_DEC, pin.owner_id),
	SCALAR("nr_pages", RL_FF_DEC, pin.nr_pages),
	SCALAR("first", RL_FF_DEC, pin.first),
	SCALAR("count", RL_FF_DEC, pin.count),
	ARRAY("pfn", RL_FF_HEX, pin.pfn, pin.count, 8),
	ARRAY("npins", RL_FF_DEC, pin.npins, pin.count, 8),
	ARRAY("backing", RL_FF_BACKING, pin.backing, pin.count, 8),
	ARRAY("file", RL_FF_HEX, pin.file, pin.count, 8),
};

static const struct rl_field unpin_fields[] = {
	SCALAR("ctx", RL_FF_HEX, unpin.ctx),
	SCALAR("key", RL_FF_DEC, unpin.key),
	SCALAR("owner", RL_FF_OWNER, unpin.owner),
	SCALAR("owner_id", RL_FF_DEC, unpin.owner_id),
	SCALAR("count", RL_FF_DEC, unpin.count),
	SCALAR("flags", RL_FF_HEX, unpin.flags),
	ARRAY("pfn", RL_FF_HEX, unpin.pfn, unpin.count, 4),
	ARRAY("npins", RL_FF_DEC, unpin.npins, unpin.count, 4),
};

static const struct rl_field lost_fields[] = {
	SCALAR("count", RL_FF_DEC, lost.count),
	SCALAR("counter", RL_FF_COUNTER, lost.counter),
};

static const struct rl_field stack_field =
	ARRAY("stack", RL_FF_HEX, stack, nr_stack, RL_NO_COUNT_KEY);

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
	[RL_EV_MMAP_AREA] = TABLE(mmap_area_fields),
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
	[RL_EV_UNPIN] = TABLE(unpin_fields),
	[RL_EV_LOST] = TABLE(lost_fields),
	[RL_EV_BUFRING_PIN] = TABLE(pbuf_fields),
	[RL_EV_BUFRING_UNPIN] = TABLE(pbuf_fields),
	[RL_EV_VMA_SPLIT] = TABLE(vma_split_fields),
	[RL_EV_ARENA_AREA] = TABLE(arena_fields),
};

#define NR_HEADER_FIELDS (sizeof(header_fields) / sizeof(header_fields[0]))
#define NR_PIN_FIELDS	 (sizeof(pin_fields) / sizeof(pin_fields[0]))	/* the widest */
#define MAX_FIELDS	 (NR_HEADER_FIELDS + NR_PIN_FIELDS + 1)	/* header + widest + stack */
_Static_assert(MAX_FIELDS <= 32, "struct line_fields keeps a 32-bit mask of the fields seen");

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

const char *rl_field_value_name(const struct rl_field *f, uint64_t v)
{
	switch (f->fmt) {
	case RL_FF_KIND:
		return v < RL_RK__MAX ? rl_region_kind_name((enum rl_region_kind)v) : NULL;
	case RL_FF_COUNTER:
		return v < RL_CNT__MAX ? rl_counter_name((uint32_t)v) : NULL;
	case RL_FF_OWNER:
		return v < RL_PO__MAX ? rl_pin_owner_name((uint32_t)v) : NULL;
	case RL_FF_BACKING:
		return v < RL_BK__MAX ? rl_backing_name((uint32_t)v) : NULL;
	default:
		return NULL;
	}
}

/* A named field's value from its name; -1 if not a name of that field. */
static int field_value_parse(const struct rl_field *f, const char *s, size_t len)
{
	switch (f->fmt) {
	case RL_FF_KIND:
		return rl_region_kind_parse(s, len);
	case RL_FF_COUNTER:
		return rl_counter_parse(s, len);
	case RL_FF_OWNER:
		return rl_pin_owner_parse(s, len);
	case RL_FF_BACKING:
		return rl_backing_parse(s, len);
	default:
		return -1;
	}
}

static bool field_is_named(const struct rl_field *f)
{
	return f->fmt == RL_FF_KIND || f->fmt == RL_FF_COUNTER || f->fmt == RL_FF_OWNER ||
	       f->fmt == RL_FF_BACKING;
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
	case RL_FF_COUNTER:
	case RL_FF_OWNER:
	case RL_FF_BACKING:
		name = rl_field_value_name(f, v);
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

static enum rl_read_status stop(struct rl_stream_reader *r, enum rl_read_status st,
				const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The reader stops for good: every later call returns st again. */
static enum rl_read_status stop(struct rl_stream_reader *r, enum rl_read_status st,
				const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "line %lu: ", r->line);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->state = RS_STOPPED;
	r->stopped = st;
	return st;
}

#define fail(r, ...) stop(r, RL_READ_ERROR, __VA_ARGS__)

/* A piece of the input for an error message (printable by then: a line's
 * bytes are checked before any of it is parsed). */
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

/* Printable ASCII and tabs only: anything else is junk, not an event.
 * Eight bytes at a time; a word holding a byte below 0x20, 0x7f or above
 * (tabs included) is looked at byte by byte. */
static bool check_bytes(struct rl_stream_reader *r, const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, del;

		memcpy(&w, s + i, 8);
		del = w ^ (0x7f * ones);
		if (!(((w - 0x20 * ones) & ~w & highs) | (w & highs) | ((del - ones) & ~del & highs)))
			continue;
		break;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c >= 0x7f) {
			fail(r, "unexpected byte 0x%02x at column %zu", c, i + 1);
			return false;
		}
	}
	return true;
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* hex digit value + 1; 0 for anything else */
static const unsigned char hex_value[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static inline int hex_digit(char c)
{
	return (int)hex_value[(unsigned char)c] - 1;
}

/* Unsigned digits at s[*i, n): 0x-hex (at most 16 digits) or decimal;
 * *i moves past them.  False when there are none or the value overflows. */
static bool scan_u64(const char *s, size_t n, size_t *i, uint64_t *out, bool *hex)
{
	size_t p = *i, first;
	uint64_t v = 0;

	*hex = p + 1 < n && s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X');
	if (*hex) {
		int d;

		first = p += 2;
		while (p < n && (d = hex_digit(s[p])) >= 0) {
			if (p - first == 16)
				return false;
			v = v << 4 | (uint64_t)d;
			p++;
		}
	} else {
		/* 19 digits always fit; only a 20th can overflow */
		first = p;
		while (p < n && s[p] >= '0' && s[p] <= '9' && p - first < 19)
			v = v * 10 + (uint64_t)(s[p++] - '0');
		if (p < n && s[p] >= '0' && s[p] <= '9') {
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, (uint64_t)(s[p++] - '0'), &v))
				return false;
			if (p < n && s[p] >= '0' && s[p] <= '9')
				return false;
		}
	}
	if (p == first)
		return false;
	*i = p;
	*out = v;
	return true;
}

/* One number for field f at s[*i, n), range-checked for its size and
 * signedness: a leading '-' only for signed fields, in decimal; hex gives
 * the raw bits. */
static bool scan_number(const struct rl_field *f, const char *s, size_t n, size_t *i,
			uint64_t *out)
{
	bool is_signed = f->fmt == RL_FF_SDEC || f->fmt == RL_FF_SHEX;
	bool neg = *i < n && s[*i] == '-', hex;
	uint64_t v, umax = f->size == 8 ? UINT64_MAX : UINT32_MAX;
	uint64_t smax = f->size == 8 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
	size_t p = *i + neg;

	if ((neg && !is_signed) || !scan_u64(s, n, &p, &v, &hex) || (neg && hex))
		return false;
	if (neg) {
		if (v > smax + 1)
			return false;
		v = (uint64_t)0 - v;
	} else if (v > umax || (is_signed && !hex && v > smax)) {
		return false;
	}
	*i = p;
	*out = v;
	return true;
}

static inline bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* A kind, counter, owner or backing by name, or a number; *i moves past it. */
static bool scan_scalar(const struct rl_field *f, const char *s, size_t n, size_t *i,
			uint64_t *out)
{
	size_t p = *i;
	int named = -1;

	if (field_is_named(f) && p < n && is_letter(s[p])) {
		while (p < n && (is_letter(s[p]) || (s[p] >= '0' && s[p] <= '9')))
			p++;
		named = field_value_parse(f, s + *i, p - *i);
		if (named < 0)
			return false;
		*i = p;
		*out = (uint64_t)named;
		return true;
	}
	return scan_number(f, s, n, i, out);
}

/* comm: \xHH escapes decoded, at most RL_COMM_LEN bytes; ends at a blank. */
static bool scan_comm(const char *s, size_t n, size_t *i, char *comm)
{
	size_t p = *i, out = 0;

	while (p < n && !is_blank(s[p])) {
		char c = s[p];

		if (c == '\\') {
			int hi, lo;

			if (p + 4 > n || s[p + 1] != 'x')
				return false;
			hi = hex_digit(s[p + 2]);
			lo = hex_digit(s[p + 3]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi << 4 | lo);
			p += 4;
		} else {
			p++;
		}
		if (out == RL_COMM_LEN)
			return false;
		comm[out++] = c;
	}
	*i = p;
	return true;
}

static size_t token_end(const char *s, size_t n, size_t i)
{
	while (i < n && !is_blank(s[i]))
		i++;
	return i;
}

static inline bool at_value_end(const char *s, size_t n, size_t i)
{
	return i == n || is_blank(s[i]);
}

/* Parse the value of field f at s[*i] into ev, up to the next blank;
 * returns the elements set (1 for a scalar), or -1 with the error set. */
static int parse_value(struct rl_stream_reader *r, struct rl_event *ev,
		       const struct rl_field *f, const char *s, size_t n, size_t *i)
{
	size_t start = *i;
	unsigned count = 0;
	uint64_t x;
	char q[48];

	if (f->fmt == RL_FF_COMM) {
		if (scan_comm(s, n, i, (char *)ev + f->offset))
			return 1;
		fail(r, "bad comm '%s' (at most %d bytes, escapes as \\xHH)",
		     quote(s + start, token_end(s, n, start) - start, q, sizeof(q)), RL_COMM_LEN);
		return -1;
	}
	for (;;) {
		size_t el = *i;

		if (count == (f->max_elems ? f->max_elems : 1u)) {
			fail(r, "too many values for %s (at most %u)", f->name, f->max_elems);
			return -1;
		}
		if (!scan_scalar(f, s, n, i, &x) ||
		    !(at_value_end(s, n, *i) || (f->max_elems && s[*i] == ','))) {
			size_t e = el;

			while (e < n && !is_blank(s[e]) && !(f->max_elems && s[e] == ','))
				e++;
			fail(r, f->max_elems ? "bad value '%s' in %s" : "bad value '%s' for %s",
			     quote(s + el, e - el, q, sizeof(q)), f->name);
			return -1;
		}
		field_set(ev, f, count++, x);
		if (at_value_end(s, n, *i))
			return (int)count;
		(*i)++;		/* the comma */
		if (at_value_end(s, n, *i)) {
			fail(r, "empty value at the end of %s", f->name);
			return -1;
		}
	}
}

/* The line being parsed, for the helpers that report errors. */
struct stream_ctx {
	struct rl_stream_reader *r;
	const char *s;
	size_t n;
	const struct rl_event *ev;
};

/* The fields one line may name: header, payload, stack, in writer order. */
struct line_fields {
	const struct rl_field *f[MAX_FIELDS];
	size_t nr;
	size_t cursor;		/* where the next key is looked up first */
	uint32_t seen;		/* bit k: f[k] was given                 */
	unsigned listed[MAX_FIELDS];	/* arrays: values given           */
};

static void line_fields_init(struct line_fields *lf, uint32_t type)
{
	const struct rl_field *payload;
	size_t i, nr;

	lf->nr = 0;
	for (i = 0; i < NR_HEADER_FIELDS; i++)
		lf->f[lf->nr++] = &header_fields[i];
	payload = rl_payload_fields(type, &nr);
	for (i = 0; i < nr; i++)
		lf->f[lf->nr++] = &payload[i];
	lf->f[lf->nr++] = &stack_field;
	lf->cursor = 0;
	lf->seen = 0;
	memset(lf->listed, 0, lf->nr * sizeof(lf->listed[0]));
}

static inline bool same_name(const char *name, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (name[i] != key[i])
			return false;
	}
	return true;
}

/* Search for the key of length len; start after the last match. */
static int find_field(struct line_fields *lf, const char *key, size_t len)
{
	size_t j, k = lf->cursor;

	for (j = 0; j < lf->nr; j++, k = k + 1 == lf->nr ? 0 : k + 1) {
		const struct rl_field *f = lf->f[k];

		if (f->name_len == len && same_name(f->name, key, len)) {
			lf->cursor = k + 1 == lf->nr ? 0 : k + 1;
			return (int)k;
		}
	}
	return -1;
}

/* The key at s[*i] and its '=': the writer's order makes it the field
 * after the last one matched, which is tried first; otherwise the key is
 * scanned and searched for.  *i moves past the '='.  -1 with the error set
 * when the token is no key=value or names no field of this type. */
static int next_key(struct stream_ctx *c, struct line_fields *lf, size_t *i)
{
	const struct rl_field *guess = lf->f[lf->cursor];
	const char *s = c->s;
	size_t key = *i, len = guess->name_len, n = c->n;
	char q[48];
	int k;

	if (key + len < n && s[key + len] == '=' && same_name(guess->name, s + key, len)) {
		k = (int)lf->cursor;
		lf->cursor = lf->cursor + 1 == lf->nr ? 0 : lf->cursor + 1;
		*i = key + len + 1;
		return k;
	}
	while (*i < n && s[*i] != '=' && !is_blank(s[*i]))
		(*i)++;
	if (*i == n || s[*i] != '=') {
		fail(c->r, "expected key=value, got '%s'", quote(s + key, *i - key, q, sizeof(q)));
		return -1;
	}
	k = find_field(lf, s + key, *i - key);
	if (k < 0)
		fail(c->r, "unknown key '%s' for %s", quote(s + key, *i - key, q, sizeof(q)),
		     rl_event_type_name(c->ev->h.type));
	(*i)++;
	return k;
}

/* Arrays share a count (pfn and refcount: the count key; stack: nr_stack,
 * no key): a given count bounds the lists, an absent one comes from them. */
static enum rl_read_status settle_counts(struct rl_stream_reader *r, struct rl_event *ev,
					 const struct line_fields *lf)
{
	size_t k;

	for (k = NR_HEADER_FIELDS; k < lf->nr; k++) {
		const struct rl_field *f = lf->f[k];
		bool given = f->count_key != RL_NO_COUNT_KEY &&
			     (lf->seen >> (NR_HEADER_FIELDS + f->count_key)) & 1;
		uint32_t count;

		if (!f->max_elems || (!given && !lf->listed[k]))
			continue;
		memcpy(&count, (char *)ev + f->len_offset, sizeof(count));
		if (given && count > f->max_elems)
			return fail(r, "count %u exceeds %u", count, f->max_elems);
		if (given && lf->listed[k] > count)
			return fail(r, "%s lists %u values but count is %u", f->name,
				    lf->listed[k], count);
		if (!given && lf->listed[k] > count)
			field_set_count(ev, f, lf->listed[k]);
	}
	return RL_READ_EVENT;
}

static enum rl_read_status parse_trailer(struct rl_stream_reader *r, const char *s, size_t n)
{
	static const char key[] = "events=";
	size_t i = 0, k = sizeof(key) - 1;
	uint64_t v;
	bool hex;

	while (i < n && is_blank(s[i]))
		i++;
	while (n > i && is_blank(s[n - 1]))
		n--;
	if (n - i < k || memcmp(s + i, key, k))
		return fail(r, "bad trailer (expected 'end events=<N>')");
	i += k;
	if (!scan_u64(s, n, &i, &v, &hex) || i != n)
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
	size_t i = sizeof(magic) - 1;
	uint64_t version;
	bool hex;

	while (n && is_blank(s[n - 1]))
		n--;
	if (n < i || memcmp(s, magic, i) || !scan_u64(s, n, &i, &version, &hex) || i != n)
		return fail(r, "not a ringledger event stream (the first line must be '%s%d')",
			    magic, RL_STREAM_VERSION);
	if (version != RL_STREAM_VERSION)
		return fail(r, "unsupported stream version %llu (this reader knows %d)",
			    (unsigned long long)version, RL_STREAM_VERSION);
	r->state = RS_EVENTS;
	return RL_READ_EVENT;
}

/* One event line (leading blanks skipped, bytes checked), or the trailer. */
static enum rl_read_status parse_event(struct rl_stream_reader *r, const char *s, size_t n,
				       struct rl_event *ev)
{
	struct stream_ctx c = { .r = r, .s = s, .n = n, .ev = ev };
	struct line_fields lf;
	enum rl_event_type type;
	size_t i = token_end(s, n, 0);
	char q[48];

	if (i == 3 && !memcmp(s, "end", 3))
		return parse_trailer(r, s + 3, n - 3);
	type = rl_event_type_parse(s, i);
	if (type == RL_EV_NONE)
		return fail(r, "unknown event type '%s'", quote(s, i, q, sizeof(q)));
	memset(ev, 0, sizeof(*ev));
	ev->h.type = type;
	line_fields_init(&lf, type);
	for (;;) {
		int k, got;

		while (i < n && is_blank(s[i]))
			i++;
		if (i == n)
			break;
		k = next_key(&c, &lf, &i);
		if (k < 0)
			return RL_READ_ERROR;
		if ((lf.seen >> k) & 1)
			return fail(r, "duplicate key '%s'", lf.f[k]->name);
		lf.seen |= 1u << k;
		got = parse_value(r, ev, lf.f[k], s, n, &i);
		if (got < 0)
			return RL_READ_ERROR;
		lf.listed[k] = (unsigned)got;
	}
	if (settle_counts(r, ev, &lf) != RL_READ_EVENT)
		return RL_READ_ERROR;
	r->nr_events++;
	return RL_READ_EVENT;
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
			return stop(r, RL_READ_TRUNCATED,
				    "stream ends without its 'end' trailer (truncated)");
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
			if (!complete)
				return stop(r, RL_READ_TRUNCATED, "truncated header");
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
		if (r->state == RS_ENDED)
			return fail(r, "content after the 'end' trailer");
		/* a last line cut short is not trusted, unless it is the trailer */
		if (!complete && !(n >= 4 && !memcmp(s, "end ", 4)))
			return stop(r, RL_READ_TRUNCATED,
				    "stream cut in the middle of a line (truncated)");
		st = parse_event(r, s, n, ev);
		if (st != RL_READ_END)
			return st;
		/* the trailer: read on, only blanks and comments may follow it */
	}
}
