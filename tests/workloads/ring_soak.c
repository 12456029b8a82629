// SPDX-License-Identifier: GPL-2.0
/*
 * ring_soak - load and soak for the ledger (tests/vm/guest/daily.sh).
 *
 *   ring_soak cycles N P [FILE [AT]]
 *       N ring lifecycles shared out over P processes.  One lifecycle:
 *       io_uring_setup; mmap of the SQ ring, the CQ ring and the SQEs; a
 *       NOP; a kernel-allocated provided-buffer ring (IOU_PBUF_RING_MMAP)
 *       registered and mapped; one 4 KiB fixed buffer registered (a
 *       long-term pin); fork of a child that exits at once (its copies of
 *       the ring mappings die with it); teardown: munmap, unregister the
 *       buffer ring, unregister the fixed buffer (every other lifecycle:
 *       left for the ring's teardown to drop), close.  FILE (optional) is
 *       created when AT lifecycles (default 1000) have been done in all.
 *   ring_soak alive R P
 *       R rings alive at once over P processes (R a multiple of P): each
 *       process sets up and maps R/P rings as above, all wait until every
 *       one of the R is up, then all tear theirs down.
 *
 * The per-step ground truth of the other workloads would be tens of
 * thousands of lines here: stdout goes to /dev/null while the work runs,
 * and only the summary ("GT soak ...") is printed.  Exit 0 when every
 * process did all its work.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include "wl_common.h"

#define BGID		1
#define PBUF_ENTRIES	8
#define MAX_PER_PROC	64

/* Counters shared by every process of the run (MAP_SHARED anonymous). */
struct shared {
	unsigned long done;		/* lifecycles finished, all processes */
	unsigned long up;		/* alive: rings set up and mapped     */
	unsigned long failed;		/* processes that died of an error    */
};

struct soak_ring {
	struct wl_ring r;
	void *pbuf;
	size_t pbuf_len;
};

static void ring_up(struct soak_ring *s, void *fixed_buf)
{
	struct iovec iov = { fixed_buf, 4096 };
	unsigned long long off;
	int ret;

	wl_ring_setup(&s->r, 8, 0);
	wl_ring_map(&s->r, 0);
	wl_nop(&s->r, 0x50a);
	ret = wl_pbuf_register(&s->r, BGID, PBUF_ENTRIES, RLW_PBUF_RING_MMAP, NULL);
	if (ret == -EINVAL)
		wl_skip("IORING_REGISTER_PBUF_RING with IOU_PBUF_RING_MMAP refused (EINVAL)");
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_PBUF_RING");
	s->pbuf_len = wl_pbuf_ring_len(PBUF_ENTRIES);
	off = RLW_OFF_PBUF_RING | ((unsigned long long)BGID << RLW_OFF_PBUF_SHIFT);
	s->pbuf = wl_mmap_ring(s->r.fd, s->pbuf_len, off, "pbuf");
	ret = wl_io_uring_register(s->r.fd, RLW_REGISTER_BUFFERS, &iov, 1);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_BUFFERS");
}

static void ring_down(struct soak_ring *s, int unregister_fixed)
{
	int ret;

	wl_munmap(s->pbuf, s->pbuf_len, "pbuf");
	ret = wl_pbuf_unregister(&s->r, BGID, NULL);
	if (ret)
		wl_die_err(-ret, "IORING_UNREGISTER_PBUF_RING");
	if (unregister_fixed) {
		ret = wl_io_uring_register(s->r.fd, RLW_UNREGISTER_BUFFERS, NULL, 0);
		if (ret)
			wl_die_err(-ret, "IORING_UNREGISTER_BUFFERS");
	}
	wl_ring_unmap(&s->r);
	wl_ring_close(&s->r);
}

/* A child that inherits every mapping and exits at once. */
static void fork_and_reap(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		wl_die("fork");
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		wl_die_err(EIO, "forked child: status 0x%x", status);
}

static void mark(const char *file)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		wl_die("create %s", file);
	close(fd);
}

static void do_cycles(struct shared *sh, unsigned long n, const char *file, unsigned long at)
{
	struct soak_ring s;
	void *buf;
	unsigned long i;

	if (posix_memalign(&buf, 4096, 4096))
		wl_die_err(ENOMEM, "posix_memalign");
	memset(buf, 0, 4096);
	for (i = 0; i < n; i++) {
		ring_up(&s, buf);
		fork_and_reap();
		ring_down(&s, !(i & 1));
		if (__atomic_add_fetch(&sh->done, 1, __ATOMIC_SEQ_CST) == at && file)
			mark(file);
	}
}

static void do_alive(struct shared *sh, unsigned per, unsigned long total)
{
	struct soak_ring s[MAX_PER_PROC];
	void *buf;
	unsigned i;

	if (posix_memalign(&buf, 4096, 4096))
		wl_die_err(ENOMEM, "posix_memalign");
	memset(buf, 0, 4096);
	for (i = 0; i < per; i++) {
		ring_up(&s[i], buf);
		__atomic_add_fetch(&sh->up, 1, __ATOMIC_SEQ_CST);
	}
	/* every ring of every process alive at once; give up if one died */
	while (__atomic_load_n(&sh->up, __ATOMIC_SEQ_CST) < total) {
		if (__atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST))
			wl_die_err(EIO, "another process failed");
		wl_sleep_ms(10);
	}
	fork_and_reap();
	for (i = 0; i < per; i++) {
		ring_down(&s[i], !(i & 1));
		__atomic_add_fetch(&sh->done, 1, __ATOMIC_SEQ_CST);
	}
}

/* Runs work(k) in P processes, waits for all; returns how many failed. */
static unsigned run_procs(struct shared *sh, unsigned procs, unsigned long n,
			  int alive, const char *file, unsigned long at)
{
	unsigned k, bad = 0;
	int status, skip = 0;

	for (k = 0; k < procs; k++) {
		pid_t pid = fork();

		if (pid < 0)
			wl_die("fork");
		if (pid)
			continue;
		if (alive) {
			do_alive(sh, (unsigned)(n / procs), n);
		} else {
			/* N shared out: the first N % P processes do one more */
			do_cycles(sh, n / procs + (k < n % procs), file, at);
		}
		_exit(0);
	}
	while (wait(&status) > 0) {
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			/* the others stop waiting for the rings this one lacks */
			__atomic_add_fetch(&sh->failed, 1, __ATOMIC_SEQ_CST);
			skip |= WIFEXITED(status) && WEXITSTATUS(status) == WL_EXIT_SKIP;
			bad++;
		}
	}
	if (skip)
		exit(WL_EXIT_SKIP);
	return bad;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: ring_soak cycles N P [FILE [AT]] | ring_soak alive R P\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *file = argc > 4 ? argv[4] : NULL;
	unsigned long n, at = argc > 5 ? strtoul(argv[5], NULL, 0) : 1000;
	struct shared *sh;
	unsigned procs, bad;
	int alive, out;
	double t0, secs;

	wl_init("ring_soak");
	if (argc < 4)
		usage();
	alive = !strcmp(argv[1], "alive");
	if (!alive && strcmp(argv[1], "cycles"))
		usage();
	n = strtoul(argv[2], NULL, 0);
	procs = (unsigned)strtoul(argv[3], NULL, 0);
	if (!n || !procs || (alive && (n % procs || n / procs > MAX_PER_PROC)))
		wl_die_err(EINVAL, "bad N or P (alive: R a multiple of P, at most %d per process)",
			   MAX_PER_PROC);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		wl_die("mmap shared counters");
	memset(sh, 0, sizeof(*sh));
	/* the steps' GT lines go nowhere; the summary to the real stdout */
	out = dup(STDOUT_FILENO);
	if (out < 0 || !freopen("/dev/null", "w", stdout))
		wl_die("redirect stdout");
	t0 = wl_now();
	bad = run_procs(sh, procs, n, alive, file, at);
	secs = wl_now() - t0;
	dprintf(out, "GT soak mode=%s rings=%lu processes=%u done=%lu failed=%u seconds=%.2f per_second=%.1f\n",
		argv[1], n, procs, sh->done, bad, secs, sh->done / (secs > 0 ? secs : 1));
	if (bad || sh->done != n) {
		fprintf(stderr, "ring_soak: %u process(es) failed, %lu of %lu rings done\n", bad, sh->done, n);
		return 1;
	}
	dprintf(out, "GT done\n");
	return 0;
}
