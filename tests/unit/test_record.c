// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_record.c - ring-buffer records (include/rl_events.h) to events
 * (src/record.c): every type's record decodes to the event it was made
 * from, with and without a stack; any other size is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record.h"
#include <stdarg.h>
#include "tests.h"

static void okf(int cond, const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	t_ok(cond, name);
}

/* An event of `type` with every byte the record carries made distinct. */
static void fill(struct rl_event *ev, uint32_t type)
{
	unsigned char *p = (unsigned char *)ev;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	for (i = 0; i < rl_record_size(type, 0); i++)
		p[i] = (unsigned char)(i * 7 + type);
	ev->h.type = type;
}

/* The record the BPF side would make of ev. */
static size_t encode(const struct rl_event *ev, unsigned nr_stack, unsigned char *buf)
{
	size_t base = rl_record_size(ev->h.type, 0);
	struct rl_record_stack st = { .nr = nr_stack };
	unsigned i;

	memcpy(buf, ev, base);
	if (nr_stack == (unsigned)-1)
		return base;
	for (i = 0; i < nr_stack && i < RL_STACK_DEPTH; i++)
		st.ip[i] = 0xffffffff81000000ull + i;
	memcpy(buf + base, &st, sizeof(st));
	return base + sizeof(st);
}

int main(void)
{
	unsigned char buf[sizeof(struct rl_event) + sizeof(struct rl_record_stack)];
	struct rl_event ev, out;
	uint32_t type;
	size_t n;

	for (type = 1; type < RL_EV__MAX; type++) {
		uint32_t ps = rl_event_payload_size(type);

		okf(ps > 0 && ps % 8 == 0 && rl_record_size(type, 1) <= sizeof(struct rl_event) +
		     sizeof(struct rl_record_stack), "type %u: payload %u bytes, a multiple of 8", type, ps);
		fill(&ev, type);
		n = encode(&ev, (unsigned)-1, buf);
		okf(!rl_record_decode(buf, n, &out) && !memcmp(&out, &ev, sizeof(ev)),
		     "type %u: a %zu-byte record is the event, the rest zero", type, n);
		n = encode(&ev, 5, buf);
		ev.nr_stack = 5;
		for (unsigned i = 0; i < 5; i++)
			ev.stack[i] = 0xffffffff81000000ull + i;
		okf(!rl_record_decode(buf, n, &out) && !memcmp(&out, &ev, sizeof(ev)),
		     "type %u: with a stack of 5 frames", type);
		okf(rl_record_decode(buf, n - 8, &out) == -1, "type %u: a size between the two is refused", type);
		okf(rl_record_decode(buf, rl_record_size(type, 0) - 8, &out) == -1,
		     "type %u: a short record is refused", type);
	}
	fill(&ev, RL_EV_PAGE_FREE);
	n = encode(&ev, RL_STACK_DEPTH + 1, buf);
	t_ok(rl_record_decode(buf, n, &out) == -1, "a stack of more frames than it has room for is refused");
	t_ok(rl_record_size(RL_EV_PAGE_FREE, 0) == 64, "a page free is 64 bytes");
	ev.h.type = RL_EV__MAX;
	memcpy(buf, &ev, sizeof(ev.h));
	t_ok(rl_record_decode(buf, sizeof(buf), &out) == -1, "an unknown type is refused");
	ev.h.type = 0;
	memcpy(buf, &ev, sizeof(ev.h));
	t_ok(rl_record_decode(buf, 64, &out) == -1, "type 0 is refused");
	t_ok(rl_record_decode(buf, 8, &out) == -1, "less than a header is refused");
	return t_done();
}
