// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach_misses.c - the calls the kernel skipped a hook's programs for,
 * read from its programs and links, and at most how many of them were
 * lost (attach.h: struct rl_hook_misses).  The plan that says which
 * program runs in which slot is attach.c's.
 */
#include <stdint.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "ringledger.skel.h"

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* At most how many calls the hook lost, from its slots' misses:
 * - one side: every skip;
 * - a tracepoint: a call is lost only when each of its programs skipped
 *   it, so at most the fewest skips of any counted one (a kprobe whose
 *   misses the kernel does not report counts for nothing here);
 * - trampolines with kprobes beside: every lost call needs a skip on each
 *   side, min(s0 + s1, s2 + s3); and, point by point, the entry's work is
 *   lost only where fentry and kprobe both skipped (min(s0, s2)), the
 *   return's where fexit skipped and the kretprobe did too or had no
 *   entry of its kprobe to go on (min(s1, s2 + s3)). */
void rl_hook_misses_bound(struct rl_hook_misses *m, enum rl_mech mech, bool has_second)
{
	const uint64_t *s = m->slot;
	uint64_t first = s[0] + s[1], second = s[2] + s[3];
	size_t j;

	if (!has_second) {
		m->lost = first + second;
	} else if (mech == RL_MECH_TRACEPOINT) {
		m->lost = UINT64_MAX;
		for (j = 0; j < RL_PLAN_SLOTS; j++)
			if (m->counted & (1u << j))
				m->lost = min_u64(m->lost, s[j]);
		if (m->lost == UINT64_MAX)
			m->lost = 0;
	} else {
		m->lost = min_u64(min_u64(first, second),
				  min_u64(s[0], s[2]) + min_u64(s[1], s[2] + s[3]));
	}
}

/* struct bpf_link_info up to a perf-event kprobe link's `missed` (6.7 on;
 * the uapi header this builds with, 6.1's, has no perf_event member).
 * The layout of include/uapi/linux/bpf.h: the union at 16, perf_event's
 * inner union at 24.  An older kernel leaves it zero. */
struct rl_kprobe_link_info {
	__u32 type, id, prog_id, pad0;
	__u32 perf_event_type, pad1;
	__u64 func_name;
	__u32 name_len, offset;
	__u64 addr, missed, cookie;
};

/* ... and up to a kprobe.multi link's `missed` (6.9 on; the same union
 * at 16: addrs, count, flags, missed). */
struct rl_kprobe_multi_link_info {
	__u32 type, id, prog_id, pad0;
	__u64 addrs;
	__u32 count, flags;
	__u64 missed, cookies;
};

/* A kprobe link's own misses; *blind when the kernel does not say (it
 * fills perf_event.type for every perf link it describes). */
static uint64_t kprobe_link_missed(const struct bpf_link *link, bool *blind)
{
	union {
		struct rl_kprobe_link_info perf;
		struct rl_kprobe_multi_link_info multi;
	} info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (link && !bpf_obj_get_info_by_fd(bpf_link__fd(link), &info, &len)) {
		if (info.perf.type == BPF_LINK_TYPE_PERF_EVENT && info.perf.perf_event_type)
			return info.perf.missed;
		/* fprobe counts a return it could not keep; a return probe
		 * is only planned where fprobe is new enough to say so */
		if (info.multi.type == BPF_LINK_TYPE_KPROBE_MULTI && info.multi.count)
			return info.multi.missed;
	}
	*blind = true;
	return 0;
}

void rl_plan_hook_misses(const struct rl_plan *plan, const struct ringledger_bpf *skel,
			 size_t i, struct rl_hook_misses *m)
{
	size_t j;

	memset(m, 0, sizeof(*m));
	if (i >= plan->nr)
		return;
	for (j = 0; j < RL_PLAN_SLOTS; j++) {
		enum rl_prog_role role = rl_plan_slot_role(plan, i, j);
		struct bpf_program *prog = rl_hook_prog(plan->hooks[i].hook, role, skel);
		struct bpf_prog_info info = {};
		__u32 info_len = sizeof(info);
		uint64_t n = 0;
		int fd;

		if (!prog || !plan->links[i][j])
			continue;
		fd = bpf_program__fd(prog);
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &info_len))
			n = info.recursion_misses;
		m->counted |= 1u << j;
		if (role == RL_PROG_KPROBE || role == RL_PROG_KRETPROBE) {
			bool blind = false;

			n += kprobe_link_missed(plan->links[i][j], &blind);
			if (blind)
				m->counted &= ~(1u << j);
			m->blind |= blind;
		}
		m->slot[j] = n;
	}
	rl_hook_misses_bound(m, plan->hooks[i].mech, rl_plan_has_second(plan, i));
}
