// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_attrib.c - findings attributed to the command that made their
 * object (the process books fed by PROC_FORK / EXEC / EXIT), the reports
 * grouped by command, the exec name in the stream, and the rings alive at
 * the end, each with why.
 */
#include "tests.h"

#define SH	"pid=100 tid=100 comm=sh "
#define A	"pid=101 tid=101 comm=ring_basic "
#define B	"pid=102 tid=102 comm=mmap_too_large "
#define KW	"pid=50 tid=50 comm=kworker "

/* a ring of `who` with ctx C, rings region R and SQE region S (pfn P..) */
#define RING(who, C, R, S, P) \
	"region_create " who "region=" R " kind=rings nr_pages=2 flags=1\n" \
	"region_pages " who "region=" R " count=2 pfn=" P "0,"P "1 refcount=1,1\n" \
	"region_create " who "region=" S " kind=sqes nr_pages=1 flags=1\n" \
	"region_pages " who "region=" S " count=1 pfn=" P "2 refcount=1\n" \
	"ctx_create " who "ctx=" C "\n"

/* an mmap of `pages` SQE pages of region S at 0x10000 */
#define MAP_SQES(who, C, V, S, END) \
	"mmap_area " who "ctx=" C " start=0x10000 end=" END " pgoff=0x10000 ret=0x10000\n" \
	"mmap " who "ctx=" C " vma=" V " start=0x10000 end=" END " pgoff=0x10000 ret=0\n" \
	"insert_pages " who "ctx=" C " vma=" V " start=0x10000 end=" END " pgoff=0x10000 " \
	"region=" S " nr_pages=1 nr_left=0 ret=0\n"


/* sh runs ring_basic (clean), then mmap_too_large (RL006) */
static const char two_commands[] =
	"proc_exec ts=1 " SH "parent_pid=1 exec=/bin/sh\n"
	"proc_fork ts=2 " SH "parent_pid=100 child_pid=101\n"
	"proc_exec ts=3 " A "parent_pid=100 exec=/w/ring_basic\n"
	RING("ts=10 " A, "0xc000", "0xa000", "0xb000", "0x10")
	MAP_SQES("ts=11 " A, "0xc000", "0xd000", "0xb000", "0x11000")
	"proc_exit ts=30 " A "parent_pid=100\n"
	"proc_fork ts=31 " SH "parent_pid=100 child_pid=102\n"
	"proc_exec ts=32 " B "parent_pid=100 exec=/w/mmap_too_large\n"
	RING("ts=40 " B, "0xc100", "0xa100", "0xb100", "0x20")
	MAP_SQES("ts=41 " B, "0xc100", "0xd100", "0xb100", "0x12000");

static void test_two_commands(void)
{
	struct rl_ledger *l = t_replay_text(two_commands, false, NULL);
	const struct rl_finding *f = t_only(l, RL006, "two commands");

	if (f) {
		T_EQ_U("two commands: RL006 owned by the second program's pid", f->owner_pid, 102);
		T_EQ_STR("two commands: its comm", f->owner_comm, "mmap_too_large");
		T_EQ_STR("two commands: its command", f->owner_cmd, "/w/mmap_too_large");
		T_EQ_STR("two commands: the heading name", rl_finding_command(f),
			 "/w/mmap_too_large");
	}
	rl_ledger_free(l);
}

/* The page free that breaks RL001 runs in a kworker: the finding is the
 * mapping's, made by ring_basic. */
static void test_kworker_event(void)
{
	static const char body[] =
		"proc_exec ts=1 " A "parent_pid=1 exec=/w/ring_basic\n"
		RING("ts=2 " A, "0xc000", "0xa000", "0xb000", "0x10")
		MAP_SQES("ts=3 " A, "0xc000", "0xd000", "0xb000", "0x11000")
		"region_free " KW "region=0xb000 ctx=0xc000 kind=sqes nr_pages=1\n"
		"region_pages " KW "region=0xb000 count=1 at_free=1 pfn=0x102 refcount=2\n"
		"page_free " KW "pfn=0x102 order=0\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_finding(l, RL001, 0);

	T_OK(f, "kworker: RL001 made");
	if (f) {
		T_EQ_U("kworker: the breaking event is the kworker's", f->pid, 50);
		T_EQ_U("kworker: owned by the mapping's process", f->owner_pid, 101);
		T_EQ_STR("kworker: its command", f->owner_cmd, "/w/ring_basic");
	}
	rl_ledger_free(l);
}

/* A region made by ring_leak, leaked when the ring dies after its process
 * exec'd /bin/true: the command at the time the region was made. */
static void test_command_at_creation(void)
{
	static const char body[] =
		"proc_exec ts=1 " A "parent_pid=1 exec=/w/ring_leak\n"
		RING("ts=2 " A, "0xc000", "0xa000", "0xb000", "0x10")
		"proc_exec ts=20 pid=101 tid=101 comm=true parent_pid=1 exec=/bin/true\n"
		"ctx_kill ts=21 pid=101 tid=101 comm=true ctx=0xc000\n"
		"region_free ts=22 " KW "region=0xa000 ctx=0xc000 kind=rings nr_pages=2\n"
		"region_pages ts=23 " KW "region=0xa000 count=2 at_free=1 pfn=0x100,0x101 refcount=1,1\n"
		"page_free ts=24 " KW "pfn=0x100 order=0\n"
		"page_free ts=25 " KW "pfn=0x101 order=0\n"
		"ctx_dead ts=26 " KW "ctx=0xc000\n";
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL003, "exec later");

	if (f) {
		T_EQ_U("exec later: owner pid", f->owner_pid, 101);
		T_EQ_STR("exec later: the command that made the region", f->owner_cmd,
			 "/w/ring_leak");
	}
	rl_ledger_free(l);
}

/* No exec seen (trace -p of a running process): the comm names it. */
static void test_no_exec_seen(void)
{
	static const char body[] =
		RING(B, "0xc100", "0xa100", "0xb100", "0x20")
		MAP_SQES(B, "0xc100", "0xd100", "0xb100", "0x12000");
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_only(l, RL006, "no exec");

	if (f) {
		T_EQ_STR("no exec: no command", f->owner_cmd, "");
		T_EQ_STR("no exec: the comm names it", rl_finding_command(f), "mmap_too_large");
	}
	rl_ledger_free(l);
}

/* Losses are nobody's: the group of no command, last. */
static void test_losses_unattributed(void)
{
	static const char body[] =
		"lost ts=1 pid=0 tid=0 comm= count=3 counter=ringbuf_full\n"
		"proc_exec ts=1 " B "parent_pid=1 exec=/w/mmap_too_large\n"
		RING("ts=2 " B, "0xc100", "0xa100", "0xb100", "0x20")
		MAP_SQES("ts=3 " B, "0xc100", "0xd100", "0xb100", "0x12000");
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	const struct rl_finding *f = t_finding(l, RL010, 0);
	struct rl_cmd_groups gs;

	T_OK(f && !f->owner_pid, "losses: RL010 has no owner");
	T_OK(f && !rl_finding_command(f), "losses: no command");
	T_OK(!rl_cmd_groups_make(l, &gs), "losses: groups made");
	T_EQ_U("losses: two groups", gs.nr, 2);
	if (gs.nr == 2) {
		T_OK(gs.g[0].attributed && gs.g[0].per_id[RL006] == 1,
		     "losses: the command's group first, with its RL006");
		T_OK(!gs.g[1].attributed && gs.g[1].per_id[RL010] == 1,
		     "losses: the unattributed group last, with the RL010");
	}
	rl_cmd_groups_free(&gs);
	rl_ledger_free(l);
}

/* Two pids of one program are one group with both pids. */
static void test_group_pids(void)
{
	static const char body[] =
		"proc_exec ts=1 " A "parent_pid=1 exec=/w/mmap_too_large\n"
		RING("ts=2 " A, "0xc000", "0xa000", "0xb000", "0x10")
		MAP_SQES("ts=3 " A, "0xc000", "0xd000", "0xb000", "0x12000")
		"proc_exec ts=40 " B "parent_pid=1 exec=/w/mmap_too_large\n"
		RING("ts=41 " B, "0xc100", "0xa100", "0xb100", "0x20")
		MAP_SQES("ts=42 " B, "0xc100", "0xd100", "0xb100", "0x12000");
	struct rl_ledger *l = t_replay_text(body, false, NULL);
	struct rl_report_ctx rc = { .command = "x", .verdict = 1 };
	struct rl_cmd_groups gs;
	char *s;

	T_OK(!rl_cmd_groups_make(l, &gs), "pids: groups made");
	T_EQ_U("pids: one group", gs.nr, 1);
	if (gs.nr == 1) {
		T_EQ_U("pids: two pids", gs.g[0].nr_pids, 2);
		T_EQ_U("pids: two RL006", gs.g[0].per_id[RL006], 2);
	}
	rl_cmd_groups_free(&gs);
	s = t_render(rl_report_text, l, &rc);
	T_CONTAINS("text: a heading per command", s, "== /w/mmap_too_large (pids 101, 102): RL006 x2\n");
	T_CONTAINS("text: the owner line", s, "    owner     pid 102 comm mmap_too_large cmd /w/mmap_too_large\n");
	T_CONTAINS("text: the summary per command", s,
		   "  commands   /w/mmap_too_large (pids 101, 102): RL006 x2\n");
	free(s);
	s = t_render(rl_report_json, l, &rc);
	T_CONTAINS("json: pid, comm, cmd of the finding", s,
		   "\"pid\":101,\"comm\":\"ring_basic\",\"cmd\":\"/w/mmap_too_large\","
		   "\"event\":{\"pid\":101,\"tid\":101,\"comm\":\"ring_basic\"}");
	T_CONTAINS("json: the commands", s,
		   "\"commands\":[{\"cmd\":\"/w/mmap_too_large\",\"comm\":\"ring_basic\","
		   "\"pids\":[101,102],\"more_pids\":false,\"attributed\":true,"
		   "\"findings\":{\"RL006\":2}}]");
	free(s);
	s = t_render(rl_report_junit, l, &rc);
	T_CONTAINS("junit: one more testcase, one more failure", s,
		   "tests=\"11\" failures=\"2\"");
	T_CONTAINS("junit: the command's testcase", s,
		   "<testcase classname=\"ringledger.command\" "
		   "name=\"/w/mmap_too_large (pids 101, 102)\" time=\"0\">\n"
		   "    <failure message=\"RL006 x2; first: ");
	free(s);
	rc.allow_mask = 1u << RL006;
	s = t_render(rl_report_junit, l, &rc);
	T_CONTAINS("junit: an allowed command's testcase passes", s, "tests=\"11\" failures=\"0\"");
	T_CONTAINS("junit: ... and shows its findings", s, "<system-out>2 allowed finding(s)");
	free(s);
	rl_ledger_free(l);
}

/* The rings alive at the end, each for its reason. */
static void test_rings_alive(void)
{
	static const char body[] =
		"proc_exec ts=1 pid=400 tid=400 comm=hold parent_pid=1 exec=/w/hold\n"
		"ctx_create ts=2 pid=400 tid=400 comm=hold ctx=0xc000\n"
		"proc_exec ts=3 pid=401 tid=401 comm=fork parent_pid=400 exec=/w/fork\n"
		"ctx_create ts=4 pid=401 tid=401 comm=fork ctx=0xc100\n"
		"proc_fork ts=5 pid=401 tid=401 comm=fork parent_pid=401 child_pid=402\n"
		"proc_exit ts=6 pid=401 tid=401 comm=fork\n"
		"proc_exec ts=7 pid=403 tid=403 comm=basic parent_pid=400 exec=/w/basic\n"
		"ctx_create ts=8 pid=403 tid=403 comm=basic ctx=0xc200\n"
		"ctx_kill ts=9 pid=403 tid=403 comm=basic ctx=0xc200\n"
		"proc_exit ts=10 pid=403 tid=403 comm=basic\n"
		"proc_exec ts=11 pid=404 tid=404 comm=pass parent_pid=400 exec=/w/pass\n"
		"ctx_create ts=12 pid=404 tid=404 comm=pass ctx=0xc300\n"
		"proc_exit ts=13 pid=404 tid=404 comm=pass\n";
	struct rl_ledger *l = t_replay_text(body, true, NULL);
	struct rl_live_ring lr[8];
	size_t n = rl_ledger_live_rings(l, lr, 8);
	const struct rl_finding *f;

	T_EQ_U("alive: four rings", n, 4);
	if (n == 4) {
		T_OK(lr[0].state == RL_RING_HELD && lr[0].holder_pid == 400,
		     "alive: held by its running creator");
		T_OK(lr[1].state == RL_RING_HELD && lr[1].holder_pid == 402 &&
		     !strcmp(lr[1].holder_cmd, "/w/fork"),
		     "alive: held by a child forked after the ring was made");
		T_OK(lr[2].state == RL_RING_PENDING_EXIT && !lr[2].holder_pid,
		     "alive: killed, pending in io_ring_exit_work");
		T_OK(lr[3].state == RL_RING_MAYBE_HELD && lr[3].holder_pid == 400,
		     "alive: not killed, another process of ours runs");
		T_EQ_STR("alive: state names", rl_ring_state_name(lr[3].state), "maybe-held");
	}
	T_EQ_U("alive: one RL010 per ring", t_count(l, RL010), 4);
	f = t_finding(l, RL010, 0);
	/* RL010 findings come in ctx map order: find each by its ctx */
	for (n = 0; (f = t_finding(l, RL010, n)); n++) {
		if (f->ctx == 0xc000)
			T_CONTAINS("alive: RL010 says held", f->detail, "is held open by pid 400 /w/hold");
		if (f->ctx == 0xc100)
			T_CONTAINS("alive: RL010 says inherited", f->detail,
				   "held open by pid 402 /w/fork, still running (forked from its creator");
		if (f->ctx == 0xc200)
			T_CONTAINS("alive: RL010 says pending", f->detail, "is pending in io_ring_exit_work");
		if (f->ctx == 0xc300)
			T_CONTAINS("alive: RL010 says maybe held", f->detail,
				   "pid 400 /w/hold is still running and may hold its fd");
	}
	rl_ledger_free(l);
}

static void test_ring_missed(void)
{
	static const char body[] =
		"proc_exec ts=1 pid=500 tid=500 comm=basic parent_pid=1 exec=/w/basic\n"
		"ctx_create ts=2 pid=500 tid=500 comm=basic ctx=0xc000\n"
		"proc_exit ts=3 pid=500 tid=500 comm=basic\n";
	struct rl_ledger *l = t_replay_text(body, true, NULL);
	const struct rl_finding *f = t_only(l, RL010, "missed");
	struct rl_live_ring lr;

	T_EQ_U("missed: one ring", rl_ledger_live_rings(l, &lr, 1), 1);
	T_OK(lr.state == RL_RING_MISSED, "missed: no kill, nobody running");
	if (f)
		T_CONTAINS("missed: RL010 says so", f->detail, "was missed by us: no kill of it");
	rl_ledger_free(l);
}

/* Exited processes are kept only up to a bound: the first to exit go. */
static void test_proc_books_bounded(void)
{
	size_t cap = 20000 * 256 + 4096, off = 0;
	char *body = malloc(cap);
	struct rl_ledger *l;
	const struct rl_finding *f;
	unsigned i;

	off += snprintf(body + off, cap - off,
			"proc_exec ts=1 pid=7 tid=7 comm=early parent_pid=1 exec=/w/early\n"
			RING("ts=2 pid=7 tid=7 comm=early ", "0xc000", "0xa000", "0xb000", "0x10")
			"proc_exit ts=9 pid=7 tid=7 comm=early\n");
	for (i = 0; i < 20000; i++)
		off += snprintf(body + off, cap - off,
				"proc_fork ts=%u pid=1 tid=1 comm=init parent_pid=1 child_pid=%u\n"
				"proc_exec ts=%u pid=%u tid=%u comm=t parent_pid=1 exec=/w/t%u\n"
				"proc_exit ts=%u pid=%u tid=%u comm=t\n",
				100 + 3 * i, 1000 + i, 101 + 3 * i, 1000 + i, 1000 + i, i,
				102 + 3 * i, 1000 + i, 1000 + i);
	/* the ring dies leaking its SQE region; then the newest process maps
	 * too much */
	snprintf(body + off, cap - off,
		 "region_free ts=70000 " KW "region=0xa000 ctx=0xc000 kind=rings nr_pages=2\n"
		 "region_pages ts=70001 " KW "region=0xa000 count=2 at_free=1 pfn=0x100,0x101 refcount=1,1\n"
		 "page_free ts=70002 " KW "pfn=0x100 order=0\n"
		 "page_free ts=70003 " KW "pfn=0x101 order=0\n"
		 "ctx_dead ts=70004 " KW "ctx=0xc000\n"
		 "proc_exec ts=70005 " B "parent_pid=1 exec=/w/mmap_too_large\n"
		 RING("ts=70006 " B, "0xc100", "0xa100", "0xb100", "0x20")
		 MAP_SQES("ts=70007 " B, "0xc100", "0xd100", "0xb100", "0x12000"));
	l = t_replay_text(body, false, NULL);
	f = t_finding(l, RL003, 0);
	T_OK(f && f->owner_pid == 7 && !f->owner_cmd[0] && !strcmp(f->owner_comm, "early"),
	     "bounded: the first process to exit was forgotten (its comm still names it)");
	f = t_finding(l, RL006, 0);
	T_OK(f && !strcmp(f->owner_cmd, "/w/mmap_too_large"), "bounded: a new one is named");
	rl_ledger_free(l);
	free(body);
}

/* The exec name in the stream: written, read back, absent is empty. */
static void test_exec_name_stream(void)
{
	static const char name[] = "/a dir/with\\slash/and-a-name-long-enough-to-fill-63-bytes-vwxyz";
	char *text = NULL, buf[512];
	size_t len = 0;
	struct rl_event ev = { .h.type = RL_EV_PROC_EXEC, .h.pid = 5 }, back;
	struct rl_stream_reader *r;
	FILE *f = open_memstream(&text, &len);

	_Static_assert(sizeof(name) == RL_EXEC_NAME_LEN, "the test name fills the field");
	memcpy(ev.proc.exec_name, name, sizeof(name) - 1);
	rl_stream_write_header(f);
	rl_stream_write_event(f, &ev);
	rl_stream_write_trailer(f, 1);
	fclose(f);
	T_CONTAINS("exec: escaped in the stream", text,
		   " exec=/a\\x20dir/with\\x5cslash/and-a-name-long-enough-to-fill-63-bytes-vwxyz\n");
	f = fmemopen(text, len, "r");
	r = rl_stream_open(f);
	T_OK(rl_stream_next(r, &back) == RL_READ_EVENT &&
	     !memcmp(back.proc.exec_name, ev.proc.exec_name, RL_EXEC_NAME_LEN),
	     "exec: read back as written");
	rl_stream_close(r);
	fclose(f);
	free(text);

	snprintf(buf, sizeof(buf), "ringledger-events v1\nproc_exec ts=1 pid=5 parent_pid=1\n"
		 "proc_fork ts=2 pid=5 parent_pid=5 child_pid=6\nend events=2\n");
	f = fmemopen(buf, strlen(buf), "r");
	r = rl_stream_open(f);
	T_OK(rl_stream_next(r, &back) == RL_READ_EVENT && !back.proc.exec_name[0],
	     "exec: a stream without it reads as empty");
	rl_stream_close(r);
	fclose(f);
	text = NULL;
	f = open_memstream(&text, &len);
	ev.h.type = RL_EV_PROC_FORK;
	memset(ev.proc.exec_name, 0, sizeof(ev.proc.exec_name));
	rl_stream_write_event(f, &ev);
	fclose(f);
	T_OK(!strstr(text, "exec="), "exec: an empty one is not written");
	free(text);

	snprintf(buf, sizeof(buf), "ringledger-events v1\nproc_exec ts=1 pid=5 exec=%s0\n"
		 "end events=1\n", "0123456789012345678901234567890123456789012345678901234567890123");
	f = fmemopen(buf, strlen(buf), "r");
	r = rl_stream_open(f);
	T_OK(rl_stream_next(r, &back) == RL_READ_ERROR, "exec: longer than 64 bytes is an error");
	T_CONTAINS("exec: the error names the field", rl_stream_error(r), "bad exec");
	rl_stream_close(r);
	fclose(f);
}

int main(void)
{
	test_two_commands();
	test_kworker_event();
	test_command_at_creation();
	test_no_exec_seen();
	test_losses_unattributed();
	test_group_pids();
	test_rings_alive();
	test_ring_missed();
	test_proc_books_bounded();
	test_exec_name_stream();
	return t_done();
}
