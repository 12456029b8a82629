/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * tests.h - a tiny TAP-ish harness for the unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name" with both values;
 * t_done() prints the plan and gives the exit status (0 iff all passed).
 * Tests run from the repository root, so replays are opened as
 * "tests/replays/NAME.events".
 */
#ifndef RL_TESTS_H
#define RL_TESTS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "findings.h"
#include "ledger.h"
#include "event_text.h"
#include "report.h"

static int t_nr, t_failed;

static inline int t_ok(int cond, const char *name)
{
	t_nr++;
	printf("%sok %d - %s\n", cond ? "" : "not ", t_nr, name);
	if (!cond)
		t_failed++;
	return cond;
}

#define T_OK(cond, name) t_ok(!!(cond), name)

#define T_EQ_U(name, got, want) do {						\
	uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);			\
	if (!t_ok(g_ == w_, name))						\
		printf("#   got %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64	\
		       " (0x%" PRIx64 ")\n", g_, g_, w_, w_);			\
} while (0)

#define T_EQ_I(name, got, want) do {						\
	int64_t g_ = (int64_t)(got), w_ = (int64_t)(want);			\
	if (!t_ok(g_ == w_, name))						\
		printf("#   got %" PRId64 ", want %" PRId64 "\n", g_, w_);	\
} while (0)

#define T_EQ_STR(name, got, want) do {						\
	const char *g_ = (got), *w_ = (want);					\
	if (!t_ok(g_ && w_ && !strcmp(g_, w_), name))				\
		printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",		\
		       w_ ? w_ : "(null)");					\
} while (0)

#define T_CONTAINS(name, hay, needle) do {					\
	const char *h_ = (hay), *n_ = (needle);					\
	if (!t_ok(h_ && strstr(h_, n_) != NULL, name))				\
		printf("#   '%s' not found in '%s'\n", n_, h_ ? h_ : "(null)");	\
} while (0)

static inline int t_done(void)
{
	printf("1..%d\n", t_nr);
	if (t_failed)
		printf("# %d of %d checks failed\n", t_failed, t_nr);
	return t_failed ? 1 : 0;
}

/* Feed a stream into a new ledger and finish it; *status tells how the
 * stream ended, err (if given) gets the reader's error. */
static inline struct rl_ledger *t_replay_stream(FILE *f, bool wait_timed_out,
						enum rl_read_status *status,
						char *err, size_t err_len)
{
	struct rl_stream_reader *r = rl_stream_open(f);
	struct rl_ledger *l = rl_ledger_new(NULL);
	enum rl_read_status st = RL_READ_ERROR;
	struct rl_event ev;

	if (!r || !l) {
		rl_stream_close(r);
		rl_ledger_free(l);
		return NULL;
	}
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT)
		rl_ledger_feed(l, &ev);
	rl_ledger_finish(l, wait_timed_out);
	if (err)
		snprintf(err, err_len, "%s", rl_stream_error(r));
	if (status)
		*status = st;
	rl_stream_close(r);
	return l;
}

/* Replay tests/replays/<name>.events; a stream that does not end with its
 * trailer fails the check "<name> reads completely". */
/* Replay `body` (event lines) as a complete stream, ledger options opts
 * (NULL: the defaults). */
static inline struct rl_ledger *t_replay_text(const char *body, bool timed_out,
					       const struct rl_ledger_opts *opts)
{
	size_t len = strlen(body) + 128, events = 0;
	char *text = malloc(len);
	const char *p;
	struct rl_stream_reader *r;
	enum rl_read_status st;
	struct rl_ledger *l;
	struct rl_event ev;
	FILE *f;

	for (p = body; *p; p++)
		events += *p == '\n';
	snprintf(text, len, "ringledger-events v1\n%send events=%zu\n", body, events);
	f = fmemopen(text, strlen(text), "r");
	r = rl_stream_open(f);
	l = rl_ledger_new(opts);
	while ((st = rl_stream_next(r, &ev)) == RL_READ_EVENT)
		rl_ledger_feed(l, &ev);
	if (!t_ok(st == RL_READ_END, "inline stream reads completely"))
		printf("#   %s\n", rl_stream_error(r));
	rl_ledger_finish(l, timed_out);
	rl_stream_close(r);
	fclose(f);
	free(text);
	return l;
}

static inline struct rl_ledger *t_replay(const char *name, bool wait_timed_out)
{
	char path[256], check[300], err[256] = "";
	enum rl_read_status st = RL_READ_ERROR;
	struct rl_ledger *l;
	FILE *f;

	snprintf(path, sizeof(path), "tests/replays/%s.events", name);
	f = fopen(path, "r");
	snprintf(check, sizeof(check), "%s opens", path);
	if (!t_ok(f != NULL, check))
		return rl_ledger_new(NULL);
	l = t_replay_stream(f, wait_timed_out, &st, err, sizeof(err));
	fclose(f);
	snprintf(check, sizeof(check), "%s reads completely", name);
	if (!t_ok(st == RL_READ_END, check))
		printf("#   status %d: %s\n", st, err);
	return l;
}

/* The i-th finding with id (0-based among those), or NULL. */
static inline const struct rl_finding *t_finding(const struct rl_ledger *l,
						 enum rl_finding_id id, size_t nth)
{
	size_t i;

	for (i = 0; i < rl_ledger_nr_findings(l); i++) {
		const struct rl_finding *f = rl_ledger_finding(l, i);

		if (f->id == id && nth-- == 0)
			return f;
	}
	return NULL;
}

static inline size_t t_count(const struct rl_ledger *l, enum rl_finding_id id)
{
	size_t i, n = 0;

	for (i = 0; i < rl_ledger_nr_findings(l); i++)
		n += rl_ledger_finding(l, i)->id == id;
	return n;
}

/* Print every finding (helps when a check fails). */
static inline void t_dump(const struct rl_ledger *l, const char *what)
{
	size_t i;

	for (i = 0; i < rl_ledger_nr_findings(l); i++) {
		const struct rl_finding *f = rl_ledger_finding(l, i);

		printf("#   %s: %s %s\n", what, rl_finding_name(f->id), f->detail);
	}
}

/* Exactly one finding, of id: checks it and returns it (or NULL). */
static inline const struct rl_finding *t_only(const struct rl_ledger *l, enum rl_finding_id id,
					      const char *name)
{
	char check[200];

	snprintf(check, sizeof(check), "%s: exactly one finding", name);
	T_EQ_U(check, rl_ledger_nr_findings(l), 1);
	snprintf(check, sizeof(check), "%s: it is %s", name, rl_finding_name(id));
	T_EQ_U(check, t_count(l, id), 1);
	if (rl_ledger_nr_findings(l) != 1)
		t_dump(l, name);
	return t_finding(l, id, 0);
}

static inline void t_clean(const struct rl_ledger *l, const char *name)
{
	char check[200];

	snprintf(check, sizeof(check), "%s: no finding", name);
	T_EQ_U(check, rl_ledger_nr_findings(l), 0);
	if (rl_ledger_nr_findings(l))
		t_dump(l, name);
}

/* One report format of the ledger, rendered to a string (free() it). */
typedef void (*t_render_fn)(FILE *, const struct rl_ledger *, const struct rl_report_ctx *);

static inline char *t_render(t_render_fn fn, const struct rl_ledger *l,
			     const struct rl_report_ctx *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fn(f, l, rc);
	fclose(f);
	return text;
}

#endif /* RL_TESTS_H */
