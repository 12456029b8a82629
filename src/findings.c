// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * findings.c - what each finding id means (findings.h).  The ids live in
 * include/rl_findings.h; this file is the only place that gives them words.
 */
#include <stdlib.h>
#include <string.h>
#include "findings.h"

struct finding_info {
	const char *name;
	const char *title;
	enum rl_finding_class class;
	const char *explain;
};

static const struct finding_info findings[RL_F__MAX] = {
	[RL_F_NONE] = { "RL000", "no finding", RL_CLASS_VIOLATION, "" },
	[RL001] = { "RL001", "page freed while mapped", RL_CLASS_VIOLATION,
		"io_uring dropped its page references (io_free_region -> "
		"release_pages) while a user mapping still pointed at the pages, "
		"so user space can write into memory the allocator hands out "
		"again; look at how io_uring_mmap took references "
		"(vm_insert_pages) for this mapping - seed 000's NOMMU bug." },
	[RL002] = { "RL002", "page refcount below expected", RL_CLASS_VIOLATION,
		"a page of a ring region held fewer references than io_uring's "
		"own plus one per live user mapping, so some holder is missing "
		"its reference and the page can be freed under it; look at "
		"io_uring_mmap / vm_insert_pages (one reference per mapped "
		"page) and at who dropped a reference early (put_page, "
		"release_pages)." },
	[RL003] = { "RL003", "region leaked at ring context death", RL_CLASS_LEAK,
		"the ring context was freed but this region was never passed to "
		"io_free_region, so its pages stay allocated for good; look at "
		"the teardown path of the region's kind (io_ring_ctx_free, "
		"io_destroy_buffers / io_put_bl for buffer rings, "
		"io_unregister_zcrx_ifqs)." },
	[RL004] = { "RL004", "GUP pins outlive their owner", RL_CLASS_LEAK,
		"pages pinned with pin_user_pages were still pinned after the "
		"ring context, buffer table or process owning the pins was gone; "
		"look at io_sqe_buffers_unregister / io_release_ubuf and "
		"unpin_user_pages." },
	[RL005] = { "RL005", "buffer ring unregistered while kernel-pinned",
		RL_CLASS_VIOLATION,
		"a provided-buffer ring was unregistered while a kernel user "
		"held it pinned, so that user keeps a pointer to freed memory; "
		"look at io_unregister_pbuf_ring and the pin check of seed 001 "
		"(io_uring_cmd_buf_ring_pin must make it fail with -EBUSY)." },
	[RL006] = { "RL006", "mapping does not match its region", RL_CLASS_VIOLATION,
		"a user mapping of the ring file is larger than the region its "
		"offset names, maps another region's pages, or names no region "
		"at all, so user space can reach memory io_uring does not "
		"account to it; look at io_uring_mmap, io_mmap_get_region and "
		"io_region_mmap (the page limit passed to vm_insert_pages)." },
	[RL007] = { "RL007", "pinned buffer spans files or pins a non-shmem file page",
		RL_CLASS_VIOLATION,
		"one registered buffer covered VMAs of different files, or a "
		"long-term pin landed on a file-backed page that is neither "
		"shmem nor hugetlb; look at io_pin_pages and the same-file "
		"check of seed 002 (io_check_coalesce_buffer, GUP's "
		"FOLL_LONGTERM rules)." },
	[RL008] = { "RL008", "unmapped area breaks alignment or window",
		RL_CLASS_VIOLATION,
		"io_uring_get_unmapped_area (or a BPF arena's) returned an "
		"address that is not page aligned, lies outside the user address "
		"space or the window it reserved, crosses 4 GiB (arena), or is "
		"not where the mapping then landed; look at "
		"io_uring_get_unmapped_area, arena_get_unmapped_area and the "
		"mm_get_unmapped_area call each makes (seed 004)." },
	[RL009] = { "RL009", "unpin or release never seen pinned (double drop)",
		RL_CLASS_VIOLATION,
		"pages were unpinned or released that the ledger never saw "
		"pinned or referenced, which is how a double put shows; look at "
		"the unpin path that fired (unpin_user_pages, release_pages) and "
		"who unpinned these pages before." },
	[RL010] = { "RL010", "events lost or probe missing", RL_CLASS_INCONCLUSIVE,
		"the ledger did not see everything (events lost, a probe not "
		"attached, or a ring context that outlived the wait), so the "
		"absence of other findings proves nothing; enlarge the ring "
		"buffer or maps, or wait longer for io_ring_exit_work." },
};

static const struct finding_info *info_of(enum rl_finding_id id)
{
	if ((int)id <= RL_F_NONE || id >= RL_F__MAX)
		return &findings[RL_F_NONE];
	return &findings[id];
}

const char *rl_finding_name(enum rl_finding_id id)
{
	return info_of(id)->name;
}

const char *rl_finding_title(enum rl_finding_id id)
{
	return info_of(id)->title;
}

const char *rl_finding_explain(enum rl_finding_id id)
{
	return info_of(id)->explain;
}

enum rl_finding_class rl_finding_class_of(enum rl_finding_id id)
{
	return info_of(id)->class;
}

/* "RL001" or "rl001" -> 1; anything else -> -1. */
int rl_finding_parse(const char *s)
{
	int id;

	if (!s || strlen(s) != 5 || (s[0] != 'R' && s[0] != 'r') ||
	    (s[1] != 'L' && s[1] != 'l'))
		return -1;
	if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	id = (s[2] - '0') * 100 + (s[3] - '0') * 10 + (s[4] - '0');
	if (id <= RL_F_NONE || id >= RL_F__MAX)
		return -1;
	return id;
}

const char *rl_finding_class_name(enum rl_finding_class c)
{
	switch (c) {
	case RL_CLASS_LEAK:
		return "leak";
	case RL_CLASS_INCONCLUSIVE:
		return "inconclusive";
	default:
		return "violation";
	}
}

/* ---- findings by command ------------------------------------------------ */

const char *rl_finding_command(const struct rl_finding *f)
{
	if (!f->owner_pid)
		return NULL;
	return f->owner_cmd[0] ? f->owner_cmd : f->owner_comm;
}

static bool same_command(const struct rl_finding *a, const struct rl_finding *b)
{
	if (!a->owner_pid || !b->owner_pid)
		return !a->owner_pid && !b->owner_pid;
	if (a->owner_cmd[0] || b->owner_cmd[0])
		return !strncmp(a->owner_cmd, b->owner_cmd, sizeof(a->owner_cmd));
	return !strncmp(a->owner_comm, b->owner_comm, sizeof(a->owner_comm));
}

static void group_add(struct rl_cmd_group *g, const struct rl_finding *f)
{
	size_t k;

	g->nr_findings++;
	if (f->id > RL_F_NONE && f->id < RL_F__MAX)
		g->per_id[f->id]++;
	if (!g->attributed)
		return;
	for (k = 0; k < g->nr_pids; k++) {
		if (g->pids[k] == f->owner_pid)
			return;
	}
	if (g->nr_pids < RL_GROUP_PIDS)
		g->pids[g->nr_pids++] = f->owner_pid;
	else
		g->more_pids = true;
}

int rl_cmd_groups_make(const struct rl_ledger *l, struct rl_cmd_groups *out)
{
	size_t i, j, n = rl_ledger_nr_findings(l), nr = 0;
	struct rl_cmd_group *g;
	bool unattributed = false;

	memset(out, 0, sizeof(*out));
	if (!n)
		return 0;
	g = calloc(n + 1, sizeof(*g));
	out->of = calloc(n, sizeof(*out->of));
	if (!g || !out->of) {
		free(g);
		free(out->of);
		out->of = NULL;
		return -1;
	}
	/* the attributed groups first, in order of their first finding */
	for (i = 0; i < n; i++) {
		const struct rl_finding *f = rl_ledger_finding(l, i);

		if (!f->owner_pid) {
			unattributed = true;
			continue;
		}
		for (j = 0; j < nr && !same_command(g[j].first, f); j++)
			;
		if (j == nr) {
			g[nr].first = f;
			g[nr].attributed = true;
			nr++;
		}
		group_add(&g[j], f);
		out->of[i] = j;
	}
	if (unattributed) {
		for (i = 0; i < n; i++) {
			const struct rl_finding *f = rl_ledger_finding(l, i);

			if (f->owner_pid)
				continue;
			if (!g[nr].first)
				g[nr].first = f;
			group_add(&g[nr], f);
			out->of[i] = nr;
		}
		nr++;
	}
	out->g = g;
	out->nr = nr;
	return 0;
}

void rl_cmd_groups_free(struct rl_cmd_groups *gs)
{
	free(gs->g);
	free(gs->of);
	memset(gs, 0, sizeof(*gs));
}

void rl_cmd_group_name(FILE *f, const struct rl_cmd_group *g,
		       void (*put)(FILE *f, const char *s, size_t max))
{
	size_t k;

	if (g->first->owner_cmd[0]) {
		put(f, g->first->owner_cmd, sizeof(g->first->owner_cmd));
	} else {
		fputs("comm ", f);
		put(f, g->first->owner_comm, RL_COMM_LEN);
	}
	fprintf(f, " (pid%s ", g->nr_pids > 1 ? "s" : "");
	for (k = 0; k < g->nr_pids; k++)
		fprintf(f, "%s%u", k ? ", " : "", g->pids[k]);
	fprintf(f, "%s)", g->more_pids ? ", ..." : "");
}
