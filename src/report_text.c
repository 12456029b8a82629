// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_text.c - the human report: findings with their evidence, under a
 * heading per command they are attributed to (findings.h), then the
 * totals and the verdict; and one line per lifecycle event for `trace`.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "event_fields.h"
#include "baseline.h"
#include "report.h"

/* SGR colours of the verdict and the finding headers, on a terminal only
 * (rc->color: src/color.h decides) */
#define SGR_RED		"\033[1;31m"
#define SGR_YELLOW	"\033[1;33m"
#define SGR_GREEN	"\033[1;32m"
#define SGR_RESET	"\033[0m"

/* " (allowed)", " (known)" or "" */
static const char *not_counted_why(const struct rl_report_ctx *rc, const struct rl_finding *f)
{
	if (rl_report_allowed(rc, f->id))
		return " (allowed)";
	return rc && rl_baseline_knows(rc->known, f) ? " (known)" : "";
}

static const struct rl_addr *addr_of(const struct rl_report_ctx *rc)
{
	return rc ? rc->addr : NULL;
}

/* the colour to open with, "" without colour */
static const char *sgr(const struct rl_report_ctx *rc, const char *code)
{
	return rc && rc->color ? code : "";
}

static const char *sgr_reset(const struct rl_report_ctx *rc)
{
	return sgr(rc, SGR_RESET);
}

static const char *class_colour(enum rl_finding_class c)
{
	return c == RL_CLASS_VIOLATION ? SGR_RED : SGR_YELLOW;
}

static const char *verdict_colour(int verdict)
{
	return verdict == 0 ? SGR_GREEN : verdict == 1 ? SGR_RED : SGR_YELLOW;
}

/* a comm or exec name as printable text: the kernel lets a task name
 * itself anything */
static void put_name(FILE *f, const char *comm, size_t max)
{
	size_t i;

	for (i = 0; i < max && comm[i]; i++) {
		unsigned char c = (unsigned char)comm[i];

		fputc(c > 0x20 && c < 0x7f ? c : '?', f);
	}
}

static void put_stack(FILE *f, const char *title, uint32_t nr, const uint64_t *stack,
		      const struct rl_report_ctx *rc)
{
	char buf[256], clean[256], a[RL_ADDR_STRLEN];
	uint32_t i;

	if (!nr)
		return;
	fprintf(f, "    %s:\n", title);
	for (i = 0; i < nr && i < RL_STACK_DEPTH; i++) {
		const char *sym = NULL;

		if (rc && rc->symbolize)
			sym = rc->symbolize(stack[i], buf, sizeof(buf), rc->sym_cookie);
		rl_addr_str(addr_of(rc), stack[i], a);
		if (sym)
			fprintf(f, "      #%-2u %s (%s)\n", i,
				rl_addr_scrub(addr_of(rc), sym, sizeof(buf), clean, sizeof(clean)), a);
		else
			fprintf(f, "      #%-2u %s\n", i, a);
	}
}

/* What set a finding up, for the title of its second stack. */
static const char *setup_stack_title(enum rl_finding_id id)
{
	switch (id) {
	case RL004:
	case RL009:
		return "stack of the setup (the pin)";
	case RL005:
		return "stack of the setup (the buffer-ring pin)";
	default:
		return "stack of the setup (io_free_region)";
	}
}

void rl_report_text_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc)
{
	enum rl_finding_class class = rl_finding_class_of(fi->id);
	const struct rl_addr *ad = addr_of(rc);
	char a[RL_ADDR_STRLEN], detail[2 * sizeof(fi->detail)];

	fprintf(f, "%s%s %s: %s%s%s\n", sgr(rc, class_colour(class)), rl_finding_name(fi->id),
		rl_finding_class_name(class), rl_finding_title(fi->id),
		not_counted_why(rc, fi), sgr_reset(rc));
	fprintf(f, "    process   pid %u tid %u comm ", fi->pid, fi->tid);
	put_name(f, fi->comm, RL_COMM_LEN);
	fputc('\n', f);
	if (fi->owner_pid) {
		fprintf(f, "    owner     pid %u comm ", fi->owner_pid);
		put_name(f, fi->owner_comm, RL_COMM_LEN);
		fputs(" cmd ", f);
		if (fi->owner_cmd[0])
			put_name(f, fi->owner_cmd, sizeof(fi->owner_cmd));
		else
			fputs("? (no exec seen)", f);
		fputc('\n', f);
	} else {
		fputs("    owner     none: not attributable to a command\n", f);
	}
	if (fi->ctx)
		fprintf(f, "    ctx       %s\n", rl_addr_str(ad, fi->ctx, a));
	if (fi->region || fi->region_kind) {
		fprintf(f, "    region    %s", rl_region_kind_name(fi->region_kind));
		if (fi->region)
			fprintf(f, " %s", rl_addr_str(ad, fi->region, a));
		if (fi->region_kind == RL_RK_PBUF)
			fprintf(f, " bgid %u", fi->bgid);
		fputc('\n', f);
	}
	if (fi->vma)
		fprintf(f, "    vma       %s [0x%" PRIx64 "-0x%" PRIx64 ") pgoff 0x%" PRIx64 "\n",
			rl_addr_str(ad, fi->vma, a), fi->vma_start, fi->vma_end, fi->vma_pgoff);
	else if (fi->vma_pgoff)
		fprintf(f, "    pgoff     0x%" PRIx64 "\n", fi->vma_pgoff);
	if (fi->pfn) {
		fprintf(f, "    pfn       %s", rl_addr_str(ad, fi->pfn, a));
		if (fi->nr_pfns > 1)
			fprintf(f, " (%u pages)", fi->nr_pfns);
		fputc('\n', f);
	}
	if (fi->pin_set) {
		fprintf(f, "    pins      set %" PRIu64 ", %s", fi->pin_set,
			rl_pin_owner_name(fi->pin_owner));
		if (fi->pin_owner == RL_PO_BUFFER || fi->pin_owner == RL_PO_PBUF)
			fprintf(f, " %u", fi->pin_owner_id);
		fputc('\n', f);
	}
	if (fi->refcount_seen >= 0 || fi->refcount_expected >= 0)
		fprintf(f, "    refcount  seen %" PRId64 ", expected >= %" PRId64 "\n",
			fi->refcount_seen, fi->refcount_expected);
	if (fi->detail[0])
		fprintf(f, "    evidence  %s\n", rl_addr_scrub(ad, fi->detail, sizeof(fi->detail),
							      detail, sizeof(detail)));
	put_stack(f, "stack of the breaking event", fi->nr_stack, fi->stack, rc);
	put_stack(f, setup_stack_title(fi->id), fi->nr_setup_stack, fi->setup_stack, rc);
	fprintf(f, "    meaning   %s\n", rl_finding_explain(fi->id));
}

static void put_child_status(FILE *f, int status)
{
	if (status < 0)
		return;
	if (WIFEXITED(status))
		fprintf(f, " (exited with %d)", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(f, " (killed by signal %d)", WTERMSIG(status));
}

static void put_findings_summary(FILE *f, const struct rl_ledger *l,
				 const struct rl_ledger_stats *st, const struct rl_report_ctx *rc)
{
	size_t known[RL_F__MAX] = {}, i, n = rl_ledger_nr_findings(l);
	bool any = false;
	int id;

	for (i = 0; rc && rc->known && i < n; i++) {
		const struct rl_finding *fi = rl_ledger_finding(l, i);

		if (fi->id < RL_F__MAX && rl_baseline_knows(rc->known, fi))
			known[fi->id]++;
	}
	fprintf(f, "  findings   ");
	for (id = RL001; id < RL_F__MAX; id++) {
		if (!st->findings[id])
			continue;
		fprintf(f, "%s%s x%" PRIu64 "%s", any ? ", " : "", rl_finding_name(id),
			st->findings[id], rl_report_allowed(rc, id) ? " (allowed)" : "");
		if (known[id] && !rl_report_allowed(rc, id))
			fprintf(f, " (%zu known)", known[id]);
		any = true;
	}
	fprintf(f, "%s\n", any ? "" : "none");
}

/* "RL006 x2, RL001 x1" */
static void put_id_counts(FILE *f, const uint64_t *per_id)
{
	bool any = false;
	int id;

	for (id = RL001; id < RL_F__MAX; id++) {
		if (!per_id[id])
			continue;
		fprintf(f, "%s%s x%" PRIu64, any ? ", " : "", rl_finding_name(id), per_id[id]);
		any = true;
	}
}

/* "/tests/bin/x (pid 7, 9)", or the words for findings of no command */
static void put_group_name(FILE *f, const struct rl_cmd_group *g)
{
	if (!g->attributed) {
		fputs("not attributable to a command", f);
		return;
	}
	rl_cmd_group_name(f, g, put_name);
}

/* The findings under a heading per command: the findings of the command
 * first seen first, the ones of no command last. */
static void put_findings_by_command(FILE *f, const struct rl_ledger *l,
				    const struct rl_report_ctx *rc)
{
	size_t i, j, n = rl_ledger_nr_findings(l);
	struct rl_cmd_groups gs;

	if (rl_cmd_groups_make(l, &gs)) {	/* out of memory: one list */
		for (i = 0; i < n; i++) {
			rl_report_text_finding(f, rl_ledger_finding(l, i), rc);
			fputc('\n', f);
		}
		return;
	}
	for (j = 0; j < gs.nr; j++) {
		const struct rl_cmd_group *g = &gs.g[j];

		fputs("== ", f);
		put_group_name(f, g);
		fputs(": ", f);
		put_id_counts(f, g->per_id);
		fputc('\n', f);
		if (!g->attributed)
			fputs("   (lost events and missing hooks are counted per counter and "
			      "per hook for the whole run: they may hide findings of any "
			      "command)\n", f);
		fputc('\n', f);
		for (i = 0; i < n; i++) {
			if (gs.of[i] != j)
				continue;
			rl_report_text_finding(f, rl_ledger_finding(l, i), rc);
			fputc('\n', f);
		}
	}
	rl_cmd_groups_free(&gs);
}

/* One summary line per command with findings. */
static void put_commands_summary(FILE *f, const struct rl_ledger *l)
{
	struct rl_cmd_groups gs;
	size_t j;

	if (rl_cmd_groups_make(l, &gs))
		return;
	for (j = 0; j < gs.nr; j++) {
		fputs(j ? "             " : "  commands   ", f);
		put_group_name(f, &gs.g[j]);
		fputs(": ", f);
		put_id_counts(f, gs.g[j].per_id);
		fputc('\n', f);
	}
	rl_cmd_groups_free(&gs);
}

/* The rings alive at the end, each with why (rl_ledger_live_rings). */
static void put_live_rings(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	size_t i, n = rl_ledger_live_rings(l, NULL, 0), shown;
	struct rl_live_ring *lr;
	char a[RL_ADDR_STRLEN];

	if (!n)
		return;
	lr = calloc(n, sizeof(*lr));
	if (!lr)
		return;
	shown = rl_ledger_live_rings(l, lr, n);
	for (i = 0; i < shown && i < n; i++) {
		const char *creator = lr[i].creator_cmd[0] ? lr[i].creator_cmd : lr[i].creator_comm;

		fprintf(f, "%s%s %s, created by pid %u ", i ? "             " : "  alive      ",
			rl_addr_str(addr_of(rc), lr[i].ctx, a), rl_ring_state_name(lr[i].state),
			lr[i].creator_pid);
		put_name(f, creator, RL_EXEC_NAME_LEN);
		if (lr[i].holder_pid) {
			fprintf(f, "; %s pid %u ", lr[i].state == RL_RING_HELD ? "held by" :
				"maybe held by", lr[i].holder_pid);
			put_name(f, lr[i].holder_cmd[0] ? lr[i].holder_cmd : lr[i].holder_comm,
				 RL_EXEC_NAME_LEN);
			fputs(", running", f);
		}
		fputc('\n', f);
	}
	free(lr);
}

/* --diff: how this run's findings stand against the baseline's, and the
 * baseline's keys it did not make again. */
static void put_baseline_summary(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	const struct rl_baseline *b = rc ? rc->known : NULL;
	size_t i, n = rl_ledger_nr_findings(l), known = 0, fresh = 0;

	if (!b)
		return;
	for (i = 0; i < n; i++) {
		const struct rl_finding *fi = rl_ledger_finding(l, i);

		if (rl_baseline_knows(b, fi))
			known++;
		else if (fi->id != RL010 && !rl_report_allowed(rc, fi->id))
			fresh++;
	}
	fprintf(f, "  baseline   %s: %zu finding(s) known, %zu new, %zu of its %zu gone\n",
		b->path, known, fresh, rl_baseline_gone(b), b->nr);
	for (i = 0; i < b->nr; i++)
		if (!b->seen[i])
			fprintf(f, "             gone: %s\n", b->key[i]);
}

void rl_report_text(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	struct rl_ledger_stats st;
	size_t n = rl_ledger_nr_findings(l);
	uint64_t total = 0;
	int id;

	rl_ledger_get_stats(l, &st);
	put_findings_by_command(f, l, rc);
	for (id = RL001; id < RL_F__MAX; id++)
		total += st.findings[id];
	if (total > n)
		fprintf(f, "(%" PRIu64 " more findings were counted but not kept)\n\n",
			total - n);
	fprintf(f, "ringledger summary\n");
	if (rc && rc->command) {
		fprintf(f, "  command    %s", rc->command);
		put_child_status(f, rc->child_status);
		fputc('\n', f);
	}
	if (rc && rc->elapsed_s > 0)
		fprintf(f, "  elapsed    %.3f s\n", rc->elapsed_s);
	fprintf(f, "  events     %" PRIu64 "\n", st.events);
	fprintf(f, "  contexts   %" PRIu64 " created, %" PRIu64 " dead, %zu live\n",
		st.ctx_created, st.ctx_dead, rl_ledger_live_ctxs(l));
	put_live_rings(f, l, rc);
	fprintf(f, "  regions    %" PRIu64 " created, %" PRIu64 " freed\n",
		st.regions_created, st.regions_freed);
	fprintf(f, "  mappings   %" PRIu64 " mmaps, %" PRIu64 " vmas removed", st.mmaps,
		st.vmas_removed);
	if (st.vmas_split)
		fprintf(f, ", %" PRIu64 " split", st.vmas_split);
	fputc('\n', f);
	fprintf(f, "  pages      %" PRIu64 " tracked, %" PRIu64 " freed\n",
		st.pages_tracked, st.pages_freed);
	if (st.pin_sets)
		fprintf(f, "  pins       %" PRIu64 " taken, %" PRIu64 " dropped, in %" PRIu64
			" pin set(s)\n", st.pins_taken, st.pins_dropped, st.pin_sets);
	fprintf(f, "  lost       %" PRIu64 " events%s\n", st.lost_events,
		st.lost_events ? " (not attributable to a command)" : "");
	if (rc && rc->ringbuf_bytes)
		fprintf(f, "  ringbuf    peak %" PRIu64 " KiB of %" PRIu64 " KiB (%.0f%%)\n",
			rc->ringbuf_peak >> 10, rc->ringbuf_bytes >> 10,
			100.0 * (double)rc->ringbuf_peak / (double)rc->ringbuf_bytes);
	put_findings_summary(f, l, &st, rc);
	put_baseline_summary(f, l, rc);
	put_commands_summary(f, l);
	if (rc) {
		fprintf(f, "  verdict    %s%s", sgr(rc, verdict_colour(rc->verdict)),
			rl_verdict_name(rc->verdict));
		if (rc->verdict == 2 && rc->inconclusive_why)
			fprintf(f, " (%s)", rc->inconclusive_why);
		fprintf(f, "%s\n", sgr_reset(rc));
	}
}

/* ---- one line per lifecycle event ------------------------------------ */

/*
 * The line follows the TEXT list of the event's type in RL_EVENT_TYPES
 * (include/rl_events.h): each item names a formatter text_<fmt> below and
 * the fields it shows, by where they sit in struct rl_event.
 */
struct text_item;
typedef void text_fn(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad);

struct text_item {
	const char *label;	/* the key, written " label="; "": none        */
	text_fn *put;
	uint16_t a, b;		/* offsets of the fields shown (b: P and L rows) */
	uint8_t a_size, b_size;	/* bytes of one value of each                 */
	uint8_t max;		/* L rows: values the array holds              */
};

/* L rows show this many values of an array, then ",..." */
#define TEXT_LIST_SHOWN 4

static uint64_t get_at(const struct rl_event *ev, uint16_t off, uint8_t size, unsigned i)
{
	const unsigned char *p = (const unsigned char *)ev + off + (size_t)i * size;
	uint32_t w;
	uint64_t v;

	if (size == 8) {
		memcpy(&v, p, 8);
		return v;
	}
	memcpy(&w, p, 4);
	return w;
}

static uint64_t get_a(const struct rl_event *ev, const struct text_item *t)
{
	return get_at(ev, t->a, t->a_size, 0);
}

static uint64_t get_b(const struct rl_event *ev, const struct text_item *t)
{
	return get_at(ev, t->b, t->b_size, 0);
}

/* signed: 4-byte fields sign-extended */
static int64_t get_a_signed(const struct rl_event *ev, const struct text_item *t)
{
	uint64_t v = get_a(ev, t);

	return t->a_size == 4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
}

/* L rows: the values the array holds (its count, clamped to its size) */
static unsigned get_count(const struct rl_event *ev, const struct text_item *t)
{
	uint64_t n = get_b(ev, t);

	return n < t->max ? (unsigned)n : t->max;
}

static void put_key(FILE *f, const struct text_item *t)
{
	fprintf(f, " %s=", t->label);
}

static bool is_errno(int64_t v)
{
	return v < 0 && v >= -4095;
}

/* A value of the field at offset off as hex, or, for a kernel address
 * (the field's KPTR or PFN format in RL_EVENT_TYPES), its printed form. */
static void put_hex_of(FILE *f, const struct rl_event *ev, uint16_t off, uint64_t v,
		       const struct rl_addr *ad)
{
	enum rl_field_fmt fmt = rl_addr_hashed(ad) ? rl_field_fmt_at(ev->h.type, off) : RL_FF_HEX;
	char a[RL_ADDR_STRLEN];

	if (fmt == RL_FF_KPTR || fmt == RL_FF_PFN)
		fputs(rl_addr_str(ad, v, a), f);
	else
		fprintf(f, "0x%" PRIx64, v);
}

static void text_hex(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	put_hex_of(f, ev, t->a, get_a(ev, t), ad);
}

static void text_dec(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	fprintf(f, "%" PRIu64, get_a(ev, t));
}

static void text_sdec(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	fprintf(f, "%" PRId64, get_a_signed(ev, t));
}

/* a region kind by name ("unknown" past the names) */
static void text_kind(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	fputs(rl_region_kind_name((enum rl_region_kind)get_a(ev, t)), f);
}

/* the region kind an mmap offset in pages names, and a buffer ring's bgid */
static void text_pgoff_kind(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	uint32_t bgid = 0;
	enum rl_region_kind kind = rl_mmap_offset_kind(get_a(ev, t) << RL_PAGE_SHIFT, &bgid);

	put_key(f, t);
	fputs(rl_region_kind_name(kind), f);
	if (kind == RL_RK_PBUF)
		fprintf(f, " bgid=%u", bgid);
}

/* a counter by name, or its number past the names */
static void text_counter(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	uint32_t counter = (uint32_t)get_a(ev, t);
	const char *name = rl_counter_name(counter);

	put_key(f, t);
	if (name)
		fputs(name, f);
	else
		fprintf(f, "%u", counter);
}

static void text_region_flags(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	char flags[64];

	rl_region_flags_str((uint32_t)get_a(ev, t), flags, sizeof(flags));
	put_key(f, t);
	fputs(flags, f);
}

/* a (field b) only for a buffer ring's region (field b is its kind) */
static void text_dec_if_pbuf(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	if (get_b(ev, t) == RL_RK_PBUF)
		text_dec(f, ev, t, ad);
}

static void text_create_or_free(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	fputs(get_a(ev, t) ? "free" : "create", f);
}

/* -errno as " label=-N", anything else as the address it is, " addr=0x.." */
static void text_errno_or_addr(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	int64_t v = get_a_signed(ev, t);

	if (is_errno(v)) {
		put_key(f, t);
		fprintf(f, "%" PRId64, v);
	} else {
		fprintf(f, " addr=0x%" PRIx64, (uint64_t)v);
	}
}

/* -errno in decimal, anything else in hex */
static void text_errno_or_hex(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	int64_t v = get_a_signed(ev, t);

	put_key(f, t);
	if (is_errno(v))
		fprintf(f, "%" PRId64, v);
	else
		fprintf(f, "0x%" PRIx64, (uint64_t)v);
}

/* [a-b), no key */
static void text_hex_range(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	fprintf(f, " [0x%" PRIx64 "-0x%" PRIx64 ")", get_a(ev, t), get_b(ev, t));
}

/* b - a */
static void text_hex_length(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	fprintf(f, "0x%" PRIx64, get_b(ev, t) - get_a(ev, t));
}

/* [a,+b) */
static void text_hex_start_len(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_key(f, t);
	fprintf(f, "[0x%" PRIx64 ",+0x%" PRIx64 ")", get_a(ev, t), get_b(ev, t));
}

/* the part of a (asked) that b (left) does not hold, of a: "2/3" */
static void text_done_of(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	uint32_t asked = (uint32_t)get_a(ev, t), left = (uint32_t)get_b(ev, t);

	put_key(f, t);
	fprintf(f, "%u/%u", asked > left ? asked - left : 0, asked);
}

/* [first, first + count) of the pages a region_pages event describes */
static void text_index_range(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	uint32_t first = (uint32_t)get_a(ev, t), n = (uint32_t)get_b(ev, t);

	if (n > RL_PFNS_PER_EVENT)
		n = RL_PFNS_PER_EVENT;
	put_key(f, t);
	fprintf(f, "[%u,%u)", first, first + n);
}

/* an owner by name, and its id for the owners that have one */
static void text_owner_and_id(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	uint32_t owner = (uint32_t)get_a(ev, t);

	put_key(f, t);
	fputs(rl_pin_owner_name(owner), f);
	if (owner == RL_PO_BUFFER || owner == RL_PO_PBUF)
		fprintf(f, "/%u", (uint32_t)get_b(ev, t));
}

/* the first values of an array, in hex (ad given) or decimal */
static void put_list(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     bool hex, const struct rl_addr *ad)
{
	unsigned i, n = get_count(ev, t);

	put_key(f, t);
	for (i = 0; i < n && i < TEXT_LIST_SHOWN; i++) {
		uint64_t v = get_at(ev, t->a, t->a_size, i);

		if (i)
			fputc(',', f);
		if (hex)
			put_hex_of(f, ev, t->a, v, ad);
		else
			fprintf(f, "%" PRIu64, v);
	}
	if (n > TEXT_LIST_SHOWN)
		fputs(",...", f);
}

static void text_hex_list(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_list(f, ev, t, true, ad);
}

static void text_dec_list(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	put_list(f, ev, t, false, ad);
}

/* a pin's folios: pfn*npins:backing,... */
static void text_pin_folios(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	const struct rl_ev_pin *p = &ev->pin;
	unsigned i, n = get_count(ev, t);

	put_key(f, t);
	for (i = 0; i < n && i < TEXT_LIST_SHOWN; i++) {
		fputs(i ? "," : "", f);
		put_hex_of(f, ev, t->a, p->pfn[i], ad);
		fprintf(f, "*%u:%s", p->npins[i], rl_backing_name(p->backing[i]));
	}
	if (n > TEXT_LIST_SHOWN)
		fputs(",...", f);
}

/* an unpin's folios: pfn*npins,... or "-" for none */
static void text_unpin_folios(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	const struct rl_ev_unpin *u = &ev->unpin;
	unsigned i, n = get_count(ev, t);

	put_key(f, t);
	for (i = 0; i < n && i < TEXT_LIST_SHOWN; i++) {
		fputs(i ? "," : "", f);
		put_hex_of(f, ev, t->a, u->pfn[i], ad);
		fprintf(f, "*%u", u->npins[i]);
	}
	if (n > TEXT_LIST_SHOWN)
		fputs(",...", f);
	if (!n)
		fputc('-', f);
}

/* a string field (an exec name); "-" when empty */
static void text_str(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	const char *s = (const char *)ev + t->a;

	put_key(f, t);
	if (*s)
		put_name(f, s, t->a_size);
	else
		fputc('-', f);
}

/* RL_UNPIN_F_* as words: " end released shared" */
static void text_unpin_flags(FILE *f, const struct rl_event *ev, const struct text_item *t,
		     const struct rl_addr *ad __attribute__((unused)))
{
	uint64_t flags = get_a(ev, t);

	fprintf(f, "%s%s%s", flags & RL_UNPIN_F_END ? " end" : "",
		flags & RL_UNPIN_F_RELEASED ? " released" : "",
		flags & RL_UNPIN_F_SHARED ? " shared" : "");
}

/* the T, P and L rows of the TEXT lists, as struct text_item */
#define MEMBER_SIZE(m)	sizeof(((struct rl_event *)0)->m)
#define OFF(m)		offsetof(struct rl_event, m)
#define TEXT_T(label, fmt, m) \
	{ #label, text_##fmt, OFF(m), 0, MEMBER_SIZE(m), 0, 0 },
#define TEXT_P(label, fmt, m, m2) \
	{ #label, text_##fmt, OFF(m), OFF(m2), MEMBER_SIZE(m), MEMBER_SIZE(m2), 0 },
#define TEXT_L(label, fmt, m, count) \
	{ #label, text_##fmt, OFF(m), OFF(count), MEMBER_SIZE(m[0]), MEMBER_SIZE(count), \
	  MEMBER_SIZE(m) / MEMBER_SIZE(m[0]) },

#define TYPE_TEXT(TYPE, name, payload, FIELDS, TEXT) \
	static const struct text_item name##_text[] = { TEXT(TEXT_T, TEXT_P, TEXT_L) };
RL_EVENT_TYPES(TYPE_TEXT)

#define TYPE_TEXT_TABLE(TYPE, name, payload, FIELDS, TEXT) \
	[RL_EV_##TYPE] = { name##_text, sizeof(name##_text) / sizeof(name##_text[0]) },
static const struct {
	const struct text_item *items;
	size_t nr;
} text_lines[RL_EV__MAX] = { RL_EVENT_TYPES(TYPE_TEXT_TABLE) };

void rl_report_text_event(FILE *f, const struct rl_event *ev)
{
	rl_report_text_event_addr(f, ev, NULL);
}

void rl_report_text_event_addr(FILE *f, const struct rl_event *ev, const struct rl_addr *ad)
{
	size_t i;

	fputs(rl_event_type_name(ev->h.type), f);
	if (ev->h.type < RL_EV__MAX) {
		for (i = 0; i < text_lines[ev->h.type].nr; i++) {
			const struct text_item *t = &text_lines[ev->h.type].items[i];

			t->put(f, ev, t, ad);
		}
	}
	fprintf(f, " pid=%u tid=%u comm=", ev->h.pid, ev->h.tid);
	put_name(f, ev->h.comm, RL_COMM_LEN);
	fputc('\n', f);
}
