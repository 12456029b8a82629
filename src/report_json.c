// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_json.c - the JSON report ("ringledger-report/1") and the JSON
 * trace lines ("ringledger-trace/1"); doc/json-schema.md describes both.
 *
 * Addresses, pfns and flags are strings ("0x..."): they do not fit the
 * doubles most JSON readers use.  Kernel addresses (KPTR and PFN fields,
 * a finding's ctx, region, vma, pfn, its stack frames and the ones in its
 * evidence) are written through rl_addr_str(): "k:<16 hex>" tokens unless
 * --raw-addresses.  Counts are numbers.  Strings keep valid
 * UTF-8; control bytes and bytes that are not UTF-8 (a comm can hold any)
 * are written as \u00XX.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "report.h"
#include "event_fields.h"

#define REPORT_SCHEMA	"ringledger-report/1"
#define TRACE_SCHEMA	"ringledger-trace/1"

/* A JSON string from at most max bytes of s (stops at NUL). */
static void json_str_n(FILE *f, const char *s, size_t max)
{
	size_t i, n = strnlen(s, max), seq;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (seq = rl_utf8_len((const unsigned char *)s + i, n - i))) {
			fwrite(s + i, 1, seq, f);
			i += seq - 1;
		} else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	if (s)
		json_str_n(f, s, (size_t)-1);
	else
		fputs("null", f);
}

void rl_json_str(FILE *f, const char *s)
{
	json_str(f, s);
}

static void json_hex(FILE *f, uint64_t v)
{
	fprintf(f, "\"0x%" PRIx64 "\"", v);
}

/* a kernel address, in its printed form for the run's key */
static void json_addr(FILE *f, const struct rl_addr *ad, uint64_t v)
{
	char a[RL_ADDR_STRLEN];

	fprintf(f, "\"%s\"", rl_addr_str(ad, v, a));
}

static const struct rl_addr *addr_of(const struct rl_report_ctx *rc)
{
	return rc ? rc->addr : NULL;
}

static void json_stack(FILE *f, uint32_t nr, const uint64_t *stack,
		       const struct rl_report_ctx *rc)
{
	char buf[256], clean[256];
	uint32_t i;

	fputc('[', f);
	for (i = 0; i < nr && i < RL_STACK_DEPTH; i++) {
		const char *sym = NULL;

		if (rc && rc->symbolize)
			sym = rc->symbolize(stack[i], buf, sizeof(buf), rc->sym_cookie);
		fprintf(f, "%s{\"addr\":", i ? "," : "");
		json_addr(f, addr_of(rc), stack[i]);
		if (sym) {
			fputs(",\"sym\":", f);
			json_str(f, rl_addr_scrub(addr_of(rc), sym, sizeof(buf), clean, sizeof(clean)));
		}
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_int_or_null(FILE *f, int64_t v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%" PRId64, v);
}

/* Who the finding is attributed to: "pid","comm","cmd" (null when not
 * attributable; cmd null when no exec of the process was seen). */
static void json_owner(FILE *f, const struct rl_finding *fi)
{
	if (!fi->owner_pid) {
		fputs("\"pid\":null,\"comm\":null,\"cmd\":null", f);
		return;
	}
	fprintf(f, "\"pid\":%u,\"comm\":", fi->owner_pid);
	json_str_n(f, fi->owner_comm, RL_COMM_LEN);
	fputs(",\"cmd\":", f);
	if (fi->owner_cmd[0])
		json_str_n(f, fi->owner_cmd, sizeof(fi->owner_cmd));
	else
		fputs("null", f);
}

/* The members of a finding object, without the braces. */
static void json_finding_members(FILE *f, const struct rl_finding *fi,
				 const struct rl_report_ctx *rc)
{
	bool allowed = rl_report_allowed(rc, fi->id);
	const struct rl_addr *ad = addr_of(rc);
	char detail[2 * sizeof(fi->detail)];

	fputs("\"id\":", f);
	json_str(f, rl_finding_name(fi->id));
	fputs(",\"title\":", f);
	json_str(f, rl_finding_title(fi->id));
	fprintf(f, ",\"class\":\"%s\",\"allowed\":%s,", rl_finding_class_name(rl_finding_class_of(fi->id)),
		allowed ? "true" : "false");
	if (rc && rc->known)
		fprintf(f, "\"known\":%s,", rl_baseline_knows(rc->known, fi) ? "true" : "false");
	fprintf(f, "\"ts_ns\":%" PRIu64 ",", fi->ts_ns);
	json_owner(f, fi);
	fprintf(f, ",\"event\":{\"pid\":%u,\"tid\":%u,\"comm\":", fi->pid, fi->tid);
	json_str_n(f, fi->comm, RL_COMM_LEN);
	fputc('}', f);
	fputs(",\"ctx\":", f);
	json_addr(f, ad, fi->ctx);
	fputs(",\"region\":", f);
	json_addr(f, ad, fi->region);
	fputs(",\"region_kind\":", f);
	json_str(f, rl_region_kind_name(fi->region_kind));
	fprintf(f, ",\"bgid\":%u,\"vma\":", fi->bgid);
	if (fi->vma) {
		fputs("{\"addr\":", f);
		json_addr(f, ad, fi->vma);
		fputs(",\"start\":", f);
		json_hex(f, fi->vma_start);
		fputs(",\"end\":", f);
		json_hex(f, fi->vma_end);
		fputs(",\"pgoff\":", f);
		json_hex(f, fi->vma_pgoff);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputs(",\"pgoff\":", f);
	json_hex(f, fi->vma_pgoff);
	fputs(",\"pfn\":", f);
	json_addr(f, ad, fi->pfn);
	fprintf(f, ",\"nr_pfns\":%u,\"pins\":", fi->nr_pfns);
	if (fi->pin_set) {
		fprintf(f, "{\"set\":%" PRIu64 ",\"owner\":", fi->pin_set);
		json_str(f, rl_pin_owner_name(fi->pin_owner));
		fprintf(f, ",\"owner_id\":%u}", fi->pin_owner_id);
	} else {
		fputs("null", f);
	}
	fputs(",\"refcount_seen\":", f);
	json_int_or_null(f, fi->refcount_seen);
	fputs(",\"refcount_expected\":", f);
	json_int_or_null(f, fi->refcount_expected);
	fputs(",\"detail\":", f);
	json_str(f, rl_addr_scrub(ad, fi->detail, sizeof(fi->detail), detail, sizeof(detail)));
	fputs(",\"stack\":", f);
	json_stack(f, fi->nr_stack, fi->stack, rc);
	fputs(",\"setup_stack\":", f);
	json_stack(f, fi->nr_setup_stack, fi->setup_stack, rc);
	fputs(",\"explain\":", f);
	json_str(f, rl_finding_explain(fi->id));
}

static void json_stats(FILE *f, const struct rl_ledger *l)
{
	struct rl_ledger_stats st;
	int id;

	rl_ledger_get_stats(l, &st);
	fprintf(f, "{\"events\":%" PRIu64 ",\"contexts_created\":%" PRIu64
		",\"contexts_dead\":%" PRIu64 ",\"contexts_live\":%zu"
		",\"regions_created\":%" PRIu64 ",\"regions_freed\":%" PRIu64
		",\"mmaps\":%" PRIu64 ",\"vmas_removed\":%" PRIu64 ",\"vmas_split\":%" PRIu64
		",\"pages_tracked\":%" PRIu64 ",\"pages_freed\":%" PRIu64
		",\"pin_sets\":%" PRIu64 ",\"pins_taken\":%" PRIu64 ",\"pins_dropped\":%" PRIu64
		",\"lost_events\":%" PRIu64 ",\"findings\":{",
		st.events, st.ctx_created, st.ctx_dead, rl_ledger_live_ctxs(l),
		st.regions_created, st.regions_freed, st.mmaps, st.vmas_removed, st.vmas_split,
		st.pages_tracked, st.pages_freed, st.pin_sets, st.pins_taken, st.pins_dropped,
		st.lost_events);
	for (id = RL001; id < RL_F__MAX; id++)
		fprintf(f, "%s\"%s\":%" PRIu64, id == RL001 ? "" : ",", rl_finding_name(id),
			st.findings[id]);
	fputs("}}", f);
}

/* "commands": the findings per command they are attributed to. */
static void json_commands(FILE *f, const struct rl_ledger *l)
{
	struct rl_cmd_groups gs;
	size_t j, k;
	int id;
	bool first;

	fputs(",\n\"commands\":[", f);
	if (rl_cmd_groups_make(l, &gs)) {
		fputc(']', f);
		return;
	}
	for (j = 0; j < gs.nr; j++) {
		const struct rl_cmd_group *g = &gs.g[j];

		fputs(j ? ",{" : "{", f);
		if (g->attributed) {
			fputs("\"cmd\":", f);
			if (g->first->owner_cmd[0])
				json_str_n(f, g->first->owner_cmd, sizeof(g->first->owner_cmd));
			else
				fputs("null", f);
			fputs(",\"comm\":", f);
			json_str_n(f, g->first->owner_comm, RL_COMM_LEN);
			fputs(",\"pids\":[", f);
			for (k = 0; k < g->nr_pids; k++)
				fprintf(f, "%s%u", k ? "," : "", g->pids[k]);
			fprintf(f, "],\"more_pids\":%s", g->more_pids ? "true" : "false");
		} else {
			fputs("\"cmd\":null,\"comm\":null,\"pids\":[],\"more_pids\":false", f);
		}
		fprintf(f, ",\"attributed\":%s,\"findings\":{", g->attributed ? "true" : "false");
		first = true;
		for (id = RL001; id < RL_F__MAX; id++) {
			if (!g->per_id[id])
				continue;
			fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",", rl_finding_name(id),
				g->per_id[id]);
			first = false;
		}
		fputs("}}", f);
	}
	fputc(']', f);
	rl_cmd_groups_free(&gs);
}

/* "live_rings": the ring contexts alive at the end, and why. */
static void json_live_rings(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	size_t i, n = rl_ledger_live_rings(l, NULL, 0);
	struct rl_live_ring *lr = n ? calloc(n, sizeof(*lr)) : NULL;
	char why[512], clean[1024];

	fputs(",\n\"live_rings\":[", f);
	if (lr)
		n = rl_ledger_live_rings(l, lr, n);
	for (i = 0; lr && i < n; i++) {
		fputs(i ? ",{\"ctx\":" : "{\"ctx\":", f);
		json_addr(f, addr_of(rc), lr[i].ctx);
		fprintf(f, ",\"state\":\"%s\",\"creator\":{\"pid\":%u,\"comm\":",
			rl_ring_state_name(lr[i].state), lr[i].creator_pid);
		json_str_n(f, lr[i].creator_comm, RL_COMM_LEN);
		fputs(",\"cmd\":", f);
		if (lr[i].creator_cmd[0])
			json_str_n(f, lr[i].creator_cmd, sizeof(lr[i].creator_cmd));
		else
			fputs("null", f);
		fputs("},\"holder\":", f);
		if (lr[i].holder_pid) {
			fprintf(f, "{\"pid\":%u,\"comm\":", lr[i].holder_pid);
			json_str_n(f, lr[i].holder_comm, RL_COMM_LEN);
			fputs(",\"cmd\":", f);
			if (lr[i].holder_cmd[0])
				json_str_n(f, lr[i].holder_cmd, sizeof(lr[i].holder_cmd));
			else
				fputs("null", f);
			fputc('}', f);
		} else {
			fputs("null", f);
		}
		rl_live_ring_why(&lr[i], why, sizeof(why));
		fputs(",\"why\":", f);
		json_str(f, rl_addr_scrub(addr_of(rc), why, sizeof(why), clean, sizeof(clean)));
		fputc('}', f);
	}
	fputc(']', f);
	free(lr);
}

void rl_report_json(FILE *f, const struct rl_ledger *l, const struct rl_report_ctx *rc)
{
	size_t i, n = rl_ledger_nr_findings(l);
	bool first = true;
	int id;

	fprintf(f, "{\"schema\":\"%s\",\"verdict\":\"%s\",\"inconclusive_why\":", REPORT_SCHEMA,
		rl_verdict_name(rc ? rc->verdict : 0));
	json_str(f, rc && rc->verdict == 2 ? rc->inconclusive_why : NULL);
	fputs(",\"command\":", f);
	json_str(f, rc ? rc->command : NULL);
	fprintf(f, ",\"child_status\":%d,\"elapsed_s\":%.3f,",
		rc ? rc->child_status : -1,
		rc && isfinite(rc->elapsed_s) ? rc->elapsed_s : 0.0);	/* JSON has no NaN */
	if (rc && rc->ringbuf_bytes)
		fprintf(f, "\"ringbuf\":{\"bytes\":%" PRIu64 ",\"peak_bytes\":%" PRIu64 "},",
			rc->ringbuf_bytes, rc->ringbuf_peak);
	fputs("\"allowed\":[", f);
	for (id = RL001; rc && id < RL_F__MAX; id++) {
		if (!rl_report_allowed(rc, id))
			continue;
		fprintf(f, "%s\"%s\"", first ? "" : ",", rl_finding_name(id));
		first = false;
	}
	fputs("],\"findings\":[", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n{" : "\n{", f);
		json_finding_members(f, rl_ledger_finding(l, i), rc);
		fputc('}', f);
	}
	fputc(']', f);
	if (rc && rc->known) {
		fputs(",\n\"baseline\":{\"path\":", f);
		json_str(f, rc->known->path);
		fputs(",\"gone\":[", f);
		for (i = 0, first = true; i < rc->known->nr; i++) {
			if (rc->known->seen[i])
				continue;
			fputs(first ? "" : ",", f);
			json_str(f, rc->known->key[i]);
			first = false;
		}
		fputs("]}", f);
	}
	json_commands(f, l);
	json_live_rings(f, l, rc);
	fputs(",\n\"stats\":", f);
	json_stats(f, l);
	fputs("}\n", f);
}

void rl_report_json_finding(FILE *f, const struct rl_finding *fi, const struct rl_report_ctx *rc)
{
	fprintf(f, "{\"schema\":\"%s\",\"type\":\"finding\",", TRACE_SCHEMA);
	json_finding_members(f, fi, rc);
	fputs("}\n", f);
}

/* One element of an event field, as JSON. */
static void json_event_value(FILE *f, const struct rl_event *ev, const struct rl_field *fl,
			     unsigned i, const struct rl_addr *ad)
{
	uint64_t v = rl_field_get(ev, fl, i);
	const char *name;

	switch (fl->fmt) {
	case RL_FF_KPTR:
	case RL_FF_PFN:
		json_addr(f, ad, v);
		break;
	case RL_FF_HEX:
		json_hex(f, v);
		break;
	case RL_FF_SDEC:
		fprintf(f, "%" PRId64, (int64_t)v);
		break;
	case RL_FF_SHEX:	/* a return value that may be an address */
		if ((int64_t)v < 0 && (int64_t)v >= -4095)
			fprintf(f, "\"%" PRId64 "\"", (int64_t)v);
		else
			json_hex(f, v);
		break;
	case RL_FF_KIND:
	case RL_FF_COUNTER:
	case RL_FF_OWNER:
	case RL_FF_BACKING:
		name = rl_field_value_name(fl, v);
		if (name)
			json_str(f, name);
		else
			fprintf(f, "\"%" PRIu64 "\"", v);
		break;
	default:
		fprintf(f, "%" PRIu64, v);
		break;
	}
}

static void json_event_field(FILE *f, const struct rl_event *ev, const struct rl_field *fl,
			     const struct rl_addr *ad)
{
	unsigned i, n = rl_field_count(ev, fl);

	fprintf(f, ",\"%s\":", fl->name);
	if (fl->fmt == RL_FF_COMM) {
		json_str_n(f, (const char *)ev + fl->offset, fl->size);
		return;
	}
	if (!fl->max_elems) {
		json_event_value(f, ev, fl, 0, ad);
		return;
	}
	fputc('[', f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_event_value(f, ev, fl, i, ad);
	}
	fputc(']', f);
}

void rl_report_json_event(FILE *f, const struct rl_event *ev)
{
	rl_report_json_event_addr(f, ev, NULL);
}

void rl_report_json_event_addr(FILE *f, const struct rl_event *ev, const struct rl_addr *ad)
{
	const struct rl_field *fields;
	size_t i, nr;

	fprintf(f, "{\"schema\":\"%s\",\"type\":", TRACE_SCHEMA);
	json_str(f, rl_event_type_name(ev->h.type));
	fields = rl_header_fields(&nr);
	for (i = 0; i < nr; i++)
		json_event_field(f, ev, &fields[i], ad);
	fields = rl_payload_fields(ev->h.type, &nr);
	for (i = 0; i < nr; i++)
		json_event_field(f, ev, &fields[i], ad);
	json_event_field(f, ev, rl_stack_field(), ad);
	fputs("}\n", f);
}
