// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * event_write.c - the writer of the recorded event stream
 * (doc/event-stream.md): one line per event, its type's name and then every
 * field of the table (event_fields.h) in table order, as key=value.
 *
 *   ringledger-events v1
 *   region_create ts=1 pid=7 tid=7 cpu=0 seq=1 comm=ring_basic region=0x... kind=rings ...
 *   end events=1
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "event_text.h"
#include "addr.h"
#include "event_fields.h"
#include "names.h"

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

/* a string (comm, exec name): bytes up to the NUL or `max`; blanks,
 * controls, non-ASCII and '\' as \xHH */
static void put_comm(struct out *o, const char *comm, size_t max)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < max && comm[i]; i++) {
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

/* KPTR values go through the run's key (a NULL or raw key keeps them);
 * PFN values stay raw: the ledger computes with them. */
static void put_value(struct out *o, const struct rl_event *ev, const struct rl_field *f,
		      unsigned i, const struct rl_addr *a)
{
	uint64_t v = rl_field_get(ev, f, i);
	const char *name;

	switch (f->fmt) {
	case RL_FF_KPTR:
		put_hex(o, rl_addr_hash(a, v));
		break;
	case RL_FF_HEX:
	case RL_FF_PFN:
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

static void put_field(struct out *o, const struct rl_event *ev, const struct rl_field *f,
		      const struct rl_addr *a)
{
	unsigned i, n = rl_field_count(ev, f);
	const char *str = (const char *)ev + f->offset;

	if (f->max_elems && !n)
		return;
	/* an empty string of the payload (a PROC_FORK's exec name) is not
	 * written: the reader leaves an absent one empty */
	if (f->fmt == RL_FF_COMM && !*str && f->offset != offsetof(struct rl_event, h.comm))
		return;
	put_char(o, ' ');
	put_str(o, f->name);
	put_char(o, '=');
	if (f->fmt == RL_FF_COMM) {
		put_comm(o, str, f->size);
		return;
	}
	for (i = 0; i < n; i++) {
		if (i)
			put_char(o, ',');
		put_value(o, ev, f, i, a);
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

int rl_stream_write_header_addr(FILE *f, const struct rl_addr *a)
{
	static const char note[] =
		"# kernel pointers (KPTR fields: ctx, region, mr, vma, new_vma, mm, map,\n"
		"# pages, file, stack) are hashed with this run's key; pfns are raw;\n"
		"# `ringledger record --raw-addresses` keeps every address\n";
	int err = rl_stream_write_header(f);

	if (!err && rl_addr_hashed(a))
		err = write_all(f, note, sizeof(note) - 1);
	return err;
}

int rl_stream_write_event(FILE *f, const struct rl_event *ev)
{
	return rl_stream_write_event_addr(f, ev, NULL);
}

int rl_stream_write_event_addr(FILE *f, const struct rl_event *ev, const struct rl_addr *a)
{
	struct out o;
	size_t i, nr;
	const struct rl_field *fields;

	if (ev->h.type == RL_EV_NONE || ev->h.type >= RL_EV__MAX)
		return -EINVAL;
	o.len = 0;
	put_str(&o, rl_event_type_name(ev->h.type));
	fields = rl_header_fields(&nr);
	for (i = 0; i < nr; i++)
		put_field(&o, ev, &fields[i], a);
	fields = rl_payload_fields(ev->h.type, &nr);
	for (i = 0; i < nr; i++)
		put_field(&o, ev, &fields[i], a);
	put_field(&o, ev, rl_stack_field(), a);
	put_char(&o, '\n');
	return write_all(f, o.buf, o.len);
}

int rl_stream_write_trailer(FILE *f, unsigned long long nr_events)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "end events=%llu\n", nr_events);

	return write_all(f, line, (size_t)n);
}

