// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report_html.c - a picture of each finding (report_html.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "ledger_map.h"
#include "names.h"
#include "report_html.h"
#include "timeline.h"

/* One object's life: [begin, end]; end 0 while it lives. */
struct life {
	uint64_t key, begin, end;
	uint32_t prev;			/* the same key's earlier life, RL_NIL */
	uint8_t what;
	char name[48];
};

struct rl_html {
	const struct rl_addr *addr;
	struct life *v;
	uint32_t nr, cap;
	struct rl_map last[RL_OBJ__MAX];	/* key -> its latest life    */
	uint64_t first_ts, last_ts;
};

struct rl_html *rl_html_new(const struct rl_addr *addr)
{
	struct rl_html *h = calloc(1, sizeof(*h));
	int w;

	if (!h)
		return NULL;
	h->addr = addr;
	for (w = 0; w < RL_OBJ__MAX; w++)
		rl_map_init(&h->last[w]);
	return h;
}

void rl_html_event(struct rl_html *h, const struct rl_event *ev)
{
	struct rl_edge e;
	uint64_t at;
	int edge;

	if (ev->h.type == RL_EV_LOST)
		return;
	if (!h->first_ts || ev->h.ts_ns < h->first_ts)
		h->first_ts = ev->h.ts_ns;
	if (ev->h.ts_ns > h->last_ts)
		h->last_ts = ev->h.ts_ns;
	edge = rl_timeline_edge(ev, h->addr, &e);
	if (edge == RL_EDGE_END) {
		if (rl_map_get(&h->last[e.what], e.key, &at) && !h->v[at].end)
			h->v[at].end = ev->h.ts_ns;
		return;
	}
	if (edge != RL_EDGE_BEGIN)
		return;
	if (h->nr == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 256;
		struct life *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return;		/* the picture misses it; the report does not */
		h->v = v;
		h->cap = cap;
	}
	h->v[h->nr] = (struct life){ .key = e.key, .begin = ev->h.ts_ns, .what = e.what,
				     .prev = rl_map_get(&h->last[e.what], e.key, &at) ?
					     (uint32_t)at : RL_NIL };
	memcpy(h->v[h->nr].name, e.name, sizeof(e.name));
	if (!rl_map_put(&h->last[e.what], e.key, h->nr))
		h->nr++;
}

void rl_html_free(struct rl_html *h)
{
	int w;

	if (!h)
		return;
	for (w = 0; w < RL_OBJ__MAX; w++)
		rl_map_free(&h->last[w]);
	free(h->v);
	free(h);
}

/* The life of (what, key) that had begun by ts: the latest such. */
static const struct life *life_at(const struct rl_html *h, int what, uint64_t key, uint64_t ts)
{
	uint64_t at;
	uint32_t i;

	if (!key || !rl_map_get(&h->last[what], key, &at))
		return NULL;
	for (i = (uint32_t)at; i != RL_NIL; i = h->v[i].prev)
		if (h->v[i].begin <= ts)
			return &h->v[i];
	return NULL;
}

static void esc(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
				fputc('?', f);
			else
				fputc(s[i], f);
		}
	}
}

#define W	720	/* the drawing's width; rows of 26 px */
#define LEFT	170

static double x_of(uint64_t t, uint64_t t0, uint64_t t1)
{
	return LEFT + (double)(t - t0) * (W - LEFT - 10) / (double)(t1 > t0 ? t1 - t0 : 1);
}

static void marker(FILE *f, double x, int height, const char *cls, const char *label, int y)
{
	fprintf(f, "<line class=\"%s\" x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"%d\"/>"
		"<text class=\"%s\" x=\"%.1f\" y=\"%d\">%s</text>\n", cls, x, x, height - 4, cls,
		x + 3, y, label);
}

/* The SVG of one finding: a row per object involved, its life a bar on
 * the axis of [earliest begin, latest end or the break]. */
static void picture(FILE *f, const struct rl_html *h, const struct rl_finding *fi)
{
	const struct life *rows[RL_OBJ__MAX];
	const uint64_t keys[RL_OBJ__MAX] = { fi->ctx, fi->region, fi->vma, fi->pin_set };
	uint64_t t0 = fi->ts_ns, t1 = fi->ts_ns;
	int n = 0, w, i, height;
	char d[32];

	for (w = 0; w < RL_OBJ__MAX; w++) {
		const struct life *lf = life_at(h, w, keys[w], fi->ts_ns);

		if (!lf)
			continue;
		rows[n++] = lf;
		t0 = lf->begin < t0 ? lf->begin : t0;
		t1 = (lf->end ? lf->end : h->last_ts) > t1 ? (lf->end ? lf->end : h->last_ts) : t1;
	}
	if (fi->owner_ts_ns && fi->owner_ts_ns < t0)
		t0 = fi->owner_ts_ns;
	height = 34 + 26 * (n ? n : 1) + 20;
	fprintf(f, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s timeline\">\n",
		W, height, W, height, rl_finding_name(fi->id));
	for (i = 0; i < n; i++) {
		const struct life *lf = rows[i];
		double x0 = x_of(lf->begin, t0, t1);
		double x1 = x_of(lf->end ? lf->end : h->last_ts, t0, t1);
		int y = 30 + 26 * i;

		fprintf(f, "<text class=\"row\" x=\"4\" y=\"%d\">", y + 14);
		esc(f, lf->name, sizeof(lf->name));
		fprintf(f, "</text><rect class=\"life %s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			"height=\"18\"><title>", lf->end ? "ended" : "alive", x0, y,
			x1 - x0 > 2 ? x1 - x0 : 2);
		esc(f, lf->name, sizeof(lf->name));
		rl_duration_str((lf->end ? lf->end : h->last_ts) - lf->begin, d, sizeof(d));
		fprintf(f, ": %s%s</title></rect>\n", d, lf->end ? "" : ", alive at the end");
	}
	if (!n)
		fprintf(f, "<text class=\"row\" x=\"4\" y=\"44\">(no object of it was seen begin)</text>\n");
	if (fi->owner_ts_ns)
		marker(f, x_of(fi->owner_ts_ns, t0, t1), height, "setup", "set up", 12);
	marker(f, x_of(fi->ts_ns, t0, t1), height, "break", "broke the rule", 24);
	rl_duration_str(t1 - t0, d, sizeof(d));
	fprintf(f, "<text class=\"axis\" x=\"%d\" y=\"%d\">0</text><text class=\"axis\" x=\"%d\" "
		"y=\"%d\" text-anchor=\"end\">%s</text>\n</svg>\n", LEFT, height - 2, W - 10,
		height - 2, d);
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	"h1 .v-clean{color:#17803d}h1 .v-findings{color:#b3261e}h1 .v-inconclusive{color:#a15c00}"
	".finding{border-top:1px solid #ccc;padding-top:1em;margin-top:1.5em}"
	".finding .body{display:flex;gap:2em;flex-wrap:wrap}"
	"pre{background:#f6f6f6;padding:.8em;overflow:auto;max-width:60em;font-size:12px}"
	"svg text{font:11px monospace;fill:#333}"
	"rect.life{fill:#8ab4f8}rect.alive{fill:#c6dafc;stroke:#4285f4;stroke-dasharray:4 2}"
	"line.setup{stroke:#188038;stroke-width:2}line.break{stroke:#d93025;stroke-width:2}"
	"text.setup{fill:#188038}text.break{fill:#d93025}";

void rl_html_write(FILE *f, const struct rl_html *h, const struct rl_ledger *l,
		   const struct rl_report_ctx *rc)
{
	size_t i, n = rl_ledger_nr_findings(l);
	const char *v = rl_verdict_name(rc ? rc->verdict : 0);
	struct rl_report_ctx plain = rc ? *rc : (struct rl_report_ctx){ .child_status = -1 };

	plain.color = false;	/* a file is never coloured */
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>ringledger: %s</title><style>%s</style></head><body>\n", v, style);
	fprintf(f, "<h1>ringledger: <span class=\"verdict v-%s\">%s</span></h1>\n", v, v);
	if (rc && rc->verdict == 2 && rc->inconclusive_why) {
		fputs("<p class=\"why\">", f);
		esc(f, rc->inconclusive_why, (size_t)-1);
		fputs("</p>\n", f);
	}
	if (rc && rc->command) {
		fputs("<p>command <code>", f);
		esc(f, rc->command, (size_t)-1);
		fputs("</code></p>\n", f);
	}
	fprintf(f, "<p class=\"count\">%zu finding(s)</p>\n", n);
	for (i = 0; i < n; i++) {
		const struct rl_finding *fi = rl_ledger_finding(l, i);
		char *text = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);

		fprintf(f, "<section class=\"finding\" id=\"finding-%zu\"><h2>%s %s: ", i + 1,
			rl_finding_name(fi->id), rl_finding_class_name(rl_finding_class_of(fi->id)));
		esc(f, rl_finding_title(fi->id), (size_t)-1);
		fprintf(f, "%s</h2>\n<div class=\"body\">\n", rl_report_counted(rc, fi) ? "" :
			" (not counted: allowed or known)");
		picture(f, h, fi);
		if (mem) {
			rl_report_text_finding(mem, fi, &plain);
			fclose(mem);
			fputs("<pre class=\"evidence\">", f);
			esc(f, text, len);
			fputs("</pre>\n", f);
			free(text);
		}
		fputs("</div></section>\n", f);
	}
	fputs("</body></html>\n", f);
}
