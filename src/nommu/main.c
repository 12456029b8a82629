// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * main.c - ringledger for a kernel without an MMU: `ringledger check`.
 *
 *   ringledger check [-v] [--settle SECS] -- CMD ARGS...
 *
 * The same ledger, rules and text report as the MMU build (the plain C
 * of src/); the kernel side is bpf/nommu.bpf.c, embedded in this binary, loaded
 * by src/nommu/elf_load.c and attached by src/nommu/attach.c, its field
 * offsets read from the kernel's BTF by src/nommu/btf.c.  Events come
 * through a queue map, read by syscalls.  Each finding is printed the
 * moment the ledger makes it (a kernel that is about to fall over may not
 * let the report at the end happen), then the report.  Exit status: the
 * verdict, as the MMU build's (0 clean, 1 findings, 2 inconclusive, 3 tool
 * error).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include "arena.h"
#include "attach.h"
#include "btf.h"
#include "elf_load.h"
#include "ksyms.h"
#include "ledger.h"
#include "report.h"

/* bpf/nommu.bpf.c's object, put here by the build (.incbin) */
extern const char rl_nommu_obj[], rl_nommu_obj_end[];
__asm__(".section .rodata\n.balign 8\n.global rl_nommu_obj\nrl_nommu_obj:\n"
	".incbin \"" RL_NOMMU_OBJ_PATH "\"\n.global rl_nommu_obj_end\nrl_nommu_obj_end:\n.previous\n");

#define EXIT_TOOL	3
#define RL_NOMMU_RESERVE (3UL << 20)	/* arena left free before CMD starts */

struct run {
	struct rl_bpf_obj obj;
	int *links;
	struct rl_ledger *ledger;
	struct rl_report_ctx rc;
	struct rl_ksyms_lazy syms;
	int events_fd;
	bool verbose;
	unsigned so_far[RL_F__MAX];	/* findings made, by id */
	char why[640];		/* why the run is inconclusive, if it is */
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

static int map_fd(const struct run *r, const char *name)
{
	const struct rl_bpf_map *m = rl_bpf_obj_map(&r->obj, name);

	return m ? m->fd : -1;
}

/* BPF_MAP_{LOOKUP,UPDATE,LOOKUP_AND_DELETE}_ELEM: 0, or -1 with errno */
static int map_elem(int cmd, int fd, const void *key, const void *value)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return rl_bpf(cmd, &a, sizeof(a));
}

#define map_update(fd, k, v)	map_elem(BPF_MAP_UPDATE_ELEM, fd, k, v)
#define map_lookup(fd, k, v)	map_elem(BPF_MAP_LOOKUP_ELEM, fd, k, v)

/* ---- what the programs need to know of this kernel ------------------- */

/* [start, end) of System RAM, from /proc/iomem (the lowest start and the
 * highest end of its ranges) */
static int ram_range(__u64 *start, __u64 *end)
{
	unsigned long long s, e;
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");

	*start = ~0ULL;
	*end = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (line[0] != ' ' && strstr(line, ": System RAM") &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2 && e > s) {
			if (s < *start)
				*start = s;
			if (e + 1 > *end)
				*end = e + 1;
		}
	fclose(f);
	return *end && *start < *end && *start ? 0 : -1;
}

#define FIELD_NAME_(SLOT, s, m) [RL_NOFF_##SLOT] = { #s, #m },
static const struct { const char *st, *member; } fields[RL_NOFF__MAX] = {
	RL_NOMMU_FIELDS(FIELD_NAME_)
};
#undef FIELD_NAME_

static int make_cfg(struct rl_nommu_cfg *c)
{
	struct rl_btf *btf = rl_btf_load("/sys/kernel/btf/vmlinux");
	long page = sysconf(_SC_PAGESIZE);
	int i;

	memset(c, 0, sizeof(*c));
	if (!btf) {
		fprintf(stderr, "ringledger: cannot read /sys/kernel/btf/vmlinux (%s): the NOMMU build "
			"takes kernel field offsets from it; build the kernel with CONFIG_DEBUG_INFO_BTF\n",
			strerror(errno));
		return -1;
	}
	for (i = 0; i < RL_NOFF__MAX; i++)
		if (rl_btf_member_offset(btf, fields[i].st, fields[i].member, &c->off[i])) {
			fprintf(stderr, "ringledger: this kernel's BTF has no struct %s member %s: its "
				"io_uring or mm differs from what bpf/nommu.bpf.c reads (7.x); "
				"nothing was attached\n", fields[i].st, fields[i].member);
			rl_btf_free(btf);
			return -1;
		}
	if (rl_btf_struct_size(btf, "page", &c->page_struct_size)) {
		fprintf(stderr, "ringledger: this kernel's BTF has no struct page\n");
		rl_btf_free(btf);
		return -1;
	}
	rl_btf_free(btf);
	for (c->page_shift = 0; (1L << c->page_shift) < page; c->page_shift++)
		;
	if (ram_range(&c->ram_start, &c->ram_end)) {
		fprintf(stderr, "ringledger: no System RAM in /proc/iomem: the programs would not "
			"know which addresses are safe to read; run as root with /proc mounted\n");
		return -1;
	}
	return 0;
}

/* ---- the run ---------------------------------------------------------- */

/* Each finding on the console at once, and the verdict so far: the kernel
 * may not live to the report at the end. */
static void on_finding(const struct rl_finding *f, void *cookie)
{
	struct run *r = cookie;
	int id;

	if (f->id > 0 && f->id < RL_F__MAX)
		r->so_far[f->id]++;
	printf("ringledger: finding, as it was made:\n");
	rl_report_text_finding(stdout, f, &r->rc);
	printf("ringledger: verdict so far: %s:", r->so_far[RL010] ? "inconclusive" : "findings");
	for (id = 1; id < RL_F__MAX; id++)
		if (r->so_far[id])
			printf(" %s x%u", rl_finding_name(id), r->so_far[id]);
	printf(" (the report follows when %s ends)\n", r->rc.command);
	fflush(stdout);
}

/* every event waiting, into the ledger; how many */
static size_t drain(struct run *r)
{
	struct rl_event ev;
	size_t n = 0;

	for (;;) {
		if (map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, r->events_fd, NULL, &ev))
			return n;
		n++;
		if (ev.h.type == RL_EV_NONE || ev.h.type >= RL_EV__MAX || ev.h.type == RL_EV_LOST ||
		    ev.nr_stack > RL_STACK_DEPTH)
			continue;
		if (r->verbose) {
			rl_report_text_event(stdout, &ev);
			fflush(stdout);
		}
		rl_ledger_feed(r->ledger, &ev);
	}
}

/* the calls the kernel skipped a program for (it was running already on
 * that CPU) */
static __u64 prog_misses(const struct rl_bpf_prog *p)
{
	struct bpf_prog_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = p->fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	return rl_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) ? 0 : info.recursion_misses;
}

/* the kernel side's counters and the programs' recursion misses, as LOST
 * events: any of them makes the verdict inconclusive */
static void feed_losses(struct run *r)
{
	int fd = map_fd(r, "counters");
	struct rl_event ev;
	__u64 misses = 0, v;
	__u32 i;

	for (i = 0; i < RL_CNT__MAX; i++) {
		if (map_lookup(fd, &i, &v) || !v)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.h.type = RL_EV_LOST;
		ev.lost.counter = i;
		ev.lost.count = v;
		rl_ledger_feed(r->ledger, &ev);
	}
	/* a call is lost only when every program on its attach point skipped
	 * it: per section, the fewest skips of its programs */
	for (i = 0; i < r->obj.nr_progs; i++) {
		__u64 fewest = UINT64_MAX;
		__u32 j;

		for (j = 0; j < r->obj.nr_progs; j++) {
			if (strcmp(r->obj.progs[j].sec, r->obj.progs[i].sec))
				continue;
			if (j < i)
				break;		/* its section was counted */
			v = prog_misses(&r->obj.progs[j]);
			if (v)
				fprintf(stderr, "ringledger: program %s (%s) skipped %llu call(s)\n",
					r->obj.progs[j].name, r->obj.progs[j].sec, (unsigned long long)v);
			if (v < fewest)
				fewest = v;
		}
		if (j == r->obj.nr_progs && fewest != UINT64_MAX)
			misses += fewest;
	}
	if (misses) {
		memset(&ev, 0, sizeof(ev));
		ev.h.type = RL_EV_LOST;
		ev.lost.counter = RL_LOST_RECURSION;
		ev.lost.count = misses;
		rl_ledger_feed(r->ledger, &ev);
	}
}

static int setup(struct run *r)
{
	struct rl_nommu_cfg cfg;
	char err[1024];
	__u32 zero = 0;
	size_t i;

	if (make_cfg(&cfg))
		return -1;
	if (rl_bpf_obj_parse(rl_nommu_obj, rl_nommu_obj_end - rl_nommu_obj, &r->obj, err, sizeof(err)) ||
	    rl_bpf_obj_load(&r->obj, err, sizeof(err))) {
		fprintf(stderr, "ringledger: cannot load the BPF programs: %s\n", err);
		return -1;
	}
	r->events_fd = map_fd(r, "events");
	if (r->events_fd < 0 || map_update(map_fd(r, "cfg"), &zero, &cfg)) {
		fprintf(stderr, "ringledger: cannot configure the BPF programs (maps events, cfg): %s\n",
			strerror(errno));
		return -1;
	}
	r->links = calloc(r->obj.nr_progs, sizeof(*r->links));
	if (!r->links)
		return -1;
	for (i = 0; i < r->obj.nr_progs; i++) {
		r->links[i] = rl_nommu_attach(r->obj.progs[i].sec, r->obj.progs[i].fd, err, sizeof(err));
		if (r->links[i] < 0 && !r->why[0])
			snprintf(r->why, sizeof(r->why), "hook %s did not attach: %.400s",
				 r->obj.progs[i].sec, err);
		if (r->links[i] < 0)
			fprintf(stderr, "ringledger: cannot attach %s: %s; the verdict will be "
				"inconclusive\n", r->obj.progs[i].sec, err);
	}
	return 0;
}

/* CMD, followed from its first instruction: the child (vfork: there is
 * no fork without an MMU) puts itself in the followed set, then execs.
 * The child shares our memory until then: a failed exec leaves its errno
 * in *exec_errno. */
static __attribute__((noinline)) pid_t spawn(int followed_fd, char **argv,
					     volatile int *exec_errno)
{
	pid_t pid;

	*exec_errno = 0;
	pid = vfork();
	if (pid == 0) {
		__u32 me = getpid();
		__u8 one = 1;

		if (map_update(followed_fd, &me, &one)) {
			*exec_errno = errno;
			_exit(126);
		}
		execvp(argv[0], argv);
		*exec_errno = errno;
		_exit(127);
	}
	return pid;
}

static void usage(void)
{
	fprintf(stderr, "usage: ringledger check [-v] [--settle SECS] -- CMD ARGS...\n"
		"  (the NOMMU build: check only; see the README)\n");
}

int main(int argc, char **argv)
{
	struct rl_ledger_opts lo = { .on_finding = on_finding };
	struct run r;
	int settle_s = 10, i, status = -1, verdict;
	double t0, deadline;
	bool timed_out = false;
	volatile int exec_errno = 0;
	char cmdline[512] = "";
	pid_t pid;
	size_t i2;

	memset(&r, 0, sizeof(r));
	r.events_fd = -1;
	if (argc < 2 || strcmp(argv[1], "check")) {
		usage();
		return EXIT_TOOL;
	}
	/* options, then CMD (after "--", or at the first word that is not
	 * an option: a kernel command line keeps only one "--") */
	for (i = 2; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-v"))
			r.verbose = true;
		else if (!strcmp(argv[i], "--settle") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);

			if (*end || end == argv[i] || v < 0 || v > 3600) {
				fprintf(stderr, "ringledger: --settle takes seconds between 0 and 3600, "
					"not '%s'\n", argv[i]);
				return EXIT_TOOL;
			}
			settle_s = (int)v;
		} else {
			usage();
			return EXIT_TOOL;
		}
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc) {
		usage();
		return EXIT_TOOL;
	}
	argv += i;
	for (i = 0; argv[i]; i++)
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
			 i ? " " : "", argv[i]);
	if (geteuid()) {
		fprintf(stderr, "ringledger: must run as root: it loads BPF programs\n");
		return EXIT_TOOL;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	r.rc.command = cmdline;
	r.rc.child_status = -1;
	r.rc.symbolize = rl_ksyms_lazy_symbolize;
	r.rc.sym_cookie = &r.syms;
	lo.cookie = &r;
	if (setup(&r) || !(r.ledger = rl_ledger_new(&lo))) {
		rl_bpf_obj_close(&r.obj);
		return EXIT_TOOL;
	}
	if (r.why[0])
		rl_ledger_note_inconclusive(r.ledger, r.why);
	/* The kernel symbols now, not at the first stack printed: a bug of
	 * seed 000's kind frees a page that is still mapped, and without an
	 * MMU the next mmap that gets it (ours too: malloc's) BUG()s in
	 * add_nommu_region.  Measured: reading /proc/kallsyms at the first
	 * finding did exactly that, before the finding was out. */
	r.syms.k = rl_ksyms_load(NULL);
	r.syms.tried = true;
	/* ... and for the same reason, what the ledger and the reports will
	 * allocate comes from memory mapped now (src/nommu/arena.c) */
	if (rl_arena_reserve(RL_NOMMU_RESERVE))
		fprintf(stderr, "ringledger: cannot reserve %lu KiB up front; a page freed under a "
			"mapping may still reach our own mmap\n", RL_NOMMU_RESERVE >> 10);

	t0 = now_s();
	pid = spawn(map_fd(&r, "followed"), argv, &exec_errno);
	if (pid < 0) {
		fprintf(stderr, "ringledger: cannot start %s: %s\n", argv[0], strerror(errno));
		return EXIT_TOOL;
	}
	for (;;) {
		pid_t w;

		drain(&r);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		nap_ms(2);
	}
	if (exec_errno) {
		fprintf(stderr, "ringledger: cannot run %s: %s%s\n", argv[0], strerror(exec_errno),
			WEXITSTATUS(status) == 126 ? " (adding it to the followed set)" : "");
		return EXIT_TOOL;
	}
	/* io_uring tears rings down asynchronously: wait for their deaths */
	deadline = now_s() + settle_s;
	while (drain(&r), rl_ledger_live_ctxs(r.ledger)) {
		if (now_s() >= deadline) {
			timed_out = true;
			break;
		}
		nap_ms(10);
	}
	drain(&r);
	feed_losses(&r);
	rl_ledger_finish(r.ledger, timed_out);

	r.rc.child_status = status;
	r.rc.elapsed_s = now_s() - t0;
	verdict = rl_verdict(r.ledger, &r.rc, false);
	r.rc.verdict = verdict;
	rl_report_text(stdout, r.ledger, &r.rc);
	fflush(stdout);

	for (i2 = 0; r.links && i2 < r.obj.nr_progs; i2++)
		if (r.links[i2] >= 0)
			close(r.links[i2]);
	free(r.links);
	rl_bpf_obj_close(&r.obj);
	rl_ledger_free(r.ledger);
	rl_ksyms_lazy_free(&r.syms);
	return verdict;
}
