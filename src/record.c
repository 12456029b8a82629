// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * record.c - ring-buffer records to events (see record.h).
 */
#include <string.h>
#include "record.h"

int rl_record_decode(const void *data, size_t size, struct rl_event *ev)
{
	const struct rl_event_hdr *h = data;
	size_t base;

	memset(ev, 0, sizeof(*ev));
	if (size < sizeof(*h) || !rl_event_payload_size(h->type))
		return -1;
	base = rl_record_size(h->type, 0);
	if (size != base && size != rl_record_size(h->type, 1))
		return -1;
	memcpy(ev, data, base);
	if (size > base) {
		struct rl_record_stack st;

		memcpy(&st, (const char *)data + base, sizeof(st));
		if (st.nr > RL_STACK_DEPTH)
			return -1;
		ev->nr_stack = st.nr;
		memcpy(ev->stack, st.ip, st.nr * sizeof(st.ip[0]));
	}
	return 0;
}
