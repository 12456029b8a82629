// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * event_read.c - the reader of the recorded event stream
 * (doc/event-stream.md), driven by the field table (event_fields.h).
 *
 * Hand-written for speed (replay must reach millions of events a second):
 * one pass over each line, keys looked up starting after the previous
 * match (the writer's order makes that a hit on the first try), numbers
 * parsed in place.  It never trusts its input: every error names the line
 * and what was wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "event_text.h"
#include "event_fields.h"
#include "names.h"

#define RL_MAX_LINE	8192		/* longer lines are an error          */
#define READ_CHUNK	(1u << 20)
#define MAX_FIELDS	RL_MAX_LINE_FIELDS
#define NR_HEADER_FIELDS RL_NR_HEADER_FIELDS

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

	if (rl_field_is_named(f) && p < n && is_letter(s[p])) {
		while (p < n && (is_letter(s[p]) || (s[p] >= '0' && s[p] <= '9')))
			p++;
		named = rl_field_value_parse(f, s + *i, p - *i);
		if (named < 0)
			return false;
		*i = p;
		*out = (uint64_t)named;
		return true;
	}
	return scan_number(f, s, n, i, out);
}

/* a string (comm, exec name): \xHH escapes decoded, at most max bytes;
 * ends at a blank. */
static bool scan_comm(const char *s, size_t n, size_t *i, char *comm, size_t max)
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
		if (out == max)
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
		if (scan_comm(s, n, i, (char *)ev + f->offset, f->size))
			return 1;
		fail(r, "bad %s '%s' (at most %u bytes, escapes as \\xHH)", f->name,
		     quote(s + start, token_end(s, n, start) - start, q, sizeof(q)), f->size);
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
	const struct rl_field *fields;
	size_t i, nr;

	lf->nr = 0;
	fields = rl_header_fields(&nr);
	for (i = 0; i < nr; i++)
		lf->f[lf->nr++] = &fields[i];
	fields = rl_payload_fields(type, &nr);
	for (i = 0; i < nr; i++)
		lf->f[lf->nr++] = &fields[i];
	lf->f[lf->nr++] = rl_stack_field();
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

/* Whether the line gave the field that holds array f's count (pfn and
 * refcount: `count`; the stack's nr_stack is no field, so never). */
static bool count_given(const struct line_fields *lf, const struct rl_field *f)
{
	size_t k;

	for (k = NR_HEADER_FIELDS; k < lf->nr; k++) {
		if (lf->f[k]->offset == f->len_offset && !lf->f[k]->max_elems)
			return (lf->seen >> k) & 1;
	}
	return false;
}

/* Arrays share a count (pfn and refcount: the field `count`; stack:
 * nr_stack, no field): a given count bounds the lists, an absent one comes
 * from them. */
static enum rl_read_status settle_counts(struct rl_stream_reader *r, struct rl_event *ev,
					 const struct line_fields *lf)
{
	size_t k;

	for (k = NR_HEADER_FIELDS; k < lf->nr; k++) {
		const struct rl_field *f = lf->f[k];
		bool given;
		uint32_t count;

		if (!f->max_elems)
			continue;
		given = count_given(lf, f);
		if (!given && !lf->listed[k])
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
	if (version < RL_STREAM_VERSION_MIN || version > RL_STREAM_VERSION)
		return fail(r, "unsupported stream version %llu (this reader knows v%d to v%d)",
			    (unsigned long long)version, RL_STREAM_VERSION_MIN, RL_STREAM_VERSION);
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
