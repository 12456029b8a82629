// SPDX-License-Identifier: GPL-2.0
/*
 * fixed_buffers [MODE] - registered (fixed) buffers: GUP long-term pins.
 *
 * MODE:
 *   anon (default)  4 anonymous 64 KiB buffers: REGISTER_BUFFERS2 with tags,
 *                   READ_FIXED into one, BUFFERS_UPDATE one slot with a new
 *                   buffer (its old tag CQE arrives), UNREGISTER_BUFFERS
 *                   (the remaining tag CQEs arrive).
 *   hugetlb         the same with a 2 MiB MAP_HUGETLB buffer (sets
 *                   vm.nr_hugepages to 4 if needed and root, restores it;
 *                   SKIP if no huge page can be had).
 *   memfd           the same with buffers in a memfd (shmem) MAP_SHARED map.
 *   mixed           one 2-page buffer whose first page is anonymous and whose
 *                   second page is a memfd page mapped MAP_FIXED over it:
 *                   prints the REGISTER_BUFFERS return (seed 002's same-file
 *                   rule); uses and unregisters it if accepted.
 *   clone           register on ring A, IORING_REGISTER_CLONE_BUFFERS to
 *                   ring B, close A, READ_FIXED through B, close B (teardown
 *                   drops the pins).
 *   exit            register, use, exit without unregister/close/munmap.
 *   bench [N] [thp] REGISTER_BUFFERS + UNREGISTER_BUFFERS of one 64 MiB
 *                   anonymous buffer N times (default 10); prints seconds.
 *                   The buffer is MADV_NOHUGEPAGE (16384 separate 4 KiB
 *                   pins, the ledger's worst case) unless "thp" is given.
 *
 * Clean on a correct kernel: every pin is dropped by unregister, update,
 * ring teardown or exit.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include "wl_common.h"

#define KIB		1024UL
#define MIB		(1024UL * KIB)
#define NBUF		4
#define BUF_LEN		(64 * KIB)
#define HUGE_LEN	(2 * MIB)

static void *map_anon(size_t len, int extra_flags, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);

	if (p == MAP_FAILED)
		wl_die("mmap %s %zu", what, len);
	memset(p, 0, len);
	return p;
}

static void unmap(void *p, size_t len, const char *what)
{
	if (munmap(p, len))
		wl_die("munmap %s", what);
}

static int memfd(const char *name, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		wl_die("memfd_create");
	if (ftruncate(fd, (off_t)len))
		wl_die("ftruncate memfd %zu", len);
	return fd;
}

static int register_buffers2(struct wl_ring *r, struct iovec *iov,
			     __u64 *tags, unsigned n)
{
	struct rlw_rsrc_register rr;
	unsigned i;
	int ret;

	memset(&rr, 0, sizeof(rr));
	rr.nr = n;
	rr.data = (unsigned long)iov;
	rr.tags = (unsigned long)tags;
	ret = wl_io_uring_register(r->fd, RLW_REGISTER_BUFFERS2, &rr,
				   sizeof(rr));
	for (i = 0; i < n; i++)
		wl_gt("buffer fd=%d index=%u addr=%p len=%zu tag=0x%llx",
		      r->fd, i, iov[i].iov_base, iov[i].iov_len,
		      tags ? (unsigned long long)tags[i] : 0ULL);
	wl_gt("register_buffers2 fd=%d nr=%u ret=%d", r->fd, n, ret);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_BUFFERS2");
	return ret;
}

/* Plain IORING_REGISTER_BUFFERS; returns the result, the caller decides. */
static int register_buffers(struct wl_ring *r, struct iovec *iov, unsigned n,
			    int quiet)
{
	int ret = wl_io_uring_register(r->fd, RLW_REGISTER_BUFFERS, iov, n);
	unsigned i;

	if (quiet)
		return ret;
	for (i = 0; i < n; i++)
		wl_gt("buffer fd=%d index=%u addr=%p len=%zu", r->fd, i,
		      iov[i].iov_base, iov[i].iov_len);
	wl_gt("register_buffers fd=%d nr=%u ret=%d", r->fd, n, ret);
	return ret;
}

static void update_buffer(struct wl_ring *r, unsigned idx, void *addr,
			  size_t len, __u64 tag)
{
	struct iovec iov = { addr, len };
	struct rlw_rsrc_update2 up;
	int ret;

	memset(&up, 0, sizeof(up));
	up.offset = idx;
	up.data = (unsigned long)&iov;
	up.tags = (unsigned long)&tag;
	up.nr = 1;
	ret = wl_io_uring_register(r->fd, RLW_REGISTER_BUFFERS_UPDATE, &up,
				   sizeof(up));
	wl_gt("buffers_update fd=%d index=%u addr=%p len=%zu tag=0x%llx ret=%d",
	      r->fd, idx, addr, len, (unsigned long long)tag, ret);
	if (ret != 1)
		wl_die_err(ret < 0 ? -ret : 0, "IORING_REGISTER_BUFFERS_UPDATE");
}

static int unregister_buffers(struct wl_ring *r, int quiet)
{
	int ret = wl_io_uring_register(r->fd, RLW_UNREGISTER_BUFFERS, NULL, 0);

	if (!quiet)
		wl_gt("unregister_buffers fd=%d ret=%d", r->fd, ret);
	if (ret)
		wl_die_err(-ret, "IORING_UNREGISTER_BUFFERS");
	return ret;
}

/* Pop every CQE there is (tag CQEs): print them, return how many. */
static unsigned reap_tags(struct wl_ring *r, const char *when)
{
	struct rlw_cqe cqe;
	unsigned n = 0;

	while (wl_peek_cqe(r, &cqe)) {
		wl_gt("tag_cqe fd=%d user_data=0x%llx res=%d (%s)", r->fd,
		      (unsigned long long)cqe.user_data, cqe.res, when);
		n++;
	}
	return n;
}

/*
 * READ_FIXED from a pipe into @addr, which lies inside registered buffer
 * @idx: the kernel writes through its pinned pages, we check what we see.
 */
static void use_fixed(struct wl_ring *r, unsigned idx, void *addr)
{
	char msg[64];
	struct rlw_sqe *sqe;
	struct rlw_cqe cqe;
	int pfd[2], len;

	len = snprintf(msg, sizeof(msg), "ringledger fixed fd=%d buf=%u",
		       r->fd, idx);
	memset(addr, 0, (size_t)len);
	if (pipe(pfd))
		wl_die("pipe");
	if (write(pfd[1], msg, (size_t)len) != len)
		wl_die("write pipe");
	sqe = wl_get_sqe(r);
	sqe->opcode = RLW_OP_READ_FIXED;
	sqe->fd = pfd[0];
	sqe->addr = (unsigned long)addr;
	sqe->len = (unsigned)len;
	sqe->buf_index = (__u16)idx;
	sqe->user_data = 0xf1ed;
	wl_submit_wait(r, 1, 1);
	wl_wait_cqe(r, &cqe);
	/* Tag CQEs may come first; any CQE but ours is printed and skipped. */
	while (cqe.user_data != 0xf1ed) {
		wl_gt("tag_cqe fd=%d user_data=0x%llx res=%d (during read)",
		      r->fd, (unsigned long long)cqe.user_data, cqe.res);
		wl_wait_cqe(r, &cqe);
	}
	close(pfd[0]);
	close(pfd[1]);
	if (cqe.res < 0)
		wl_die_err(-cqe.res, "READ_FIXED buf %u addr %p", idx, addr);
	if (cqe.res != len || memcmp(addr, msg, (size_t)len))
		wl_die_err(0, "READ_FIXED buf %u: got %d bytes, data %s", idx,
			   cqe.res, memcmp(addr, msg, (size_t)len) ? "wrong" : "ok");
	wl_gt("read_fixed fd=%d buf_index=%u addr=%p res=%d data_ok=1", r->fd,
	      idx, addr, cqe.res);
}

static void ring_open(struct wl_ring *r)
{
	wl_ring_setup(r, 8, 0);
	wl_ring_map(r, 0);
	wl_nop(r, 0x1);
}

static void ring_done(struct wl_ring *r)
{
	wl_ring_unmap(r);
	wl_ring_close(r);
}

/*
 * The common life of anon, hugetlb and memfd: register @n buffers with tags,
 * use buffer 0, replace buffer @upd_idx with @upd (tagged), use it,
 * unregister, check the tag CQEs.
 */
static void register_update_unregister(struct wl_ring *r, struct iovec *iov,
				       unsigned n, unsigned upd_idx,
				       struct iovec *upd)
{
	__u64 tags[NBUF];
	unsigned i, seen;

	for (i = 0; i < n; i++)
		tags[i] = 0x1000 + i;
	register_buffers2(r, iov, tags, n);
	use_fixed(r, 0, (char *)iov[0].iov_base + iov[0].iov_len / 2);

	update_buffer(r, upd_idx, upd->iov_base, upd->iov_len, 0x2000 + upd_idx);
	seen = reap_tags(r, "after update");
	wl_gt("tag_cqes after_update=%u expected=1", seen);
	use_fixed(r, upd_idx, upd->iov_base);

	unregister_buffers(r, 0);
	seen = reap_tags(r, "after unregister");
	if (seen < n) {
		wl_sleep_ms(50);
		seen += reap_tags(r, "after unregister, 50 ms later");
	}
	/* 7.x posts one per tagged buffer left; 6.12 posts none here. */
	wl_gt("tag_cqes after_unregister=%u tagged_buffers_left=%u", seen, n);
}

static void mode_anon(void)
{
	struct iovec iov[NBUF], upd;
	struct wl_ring r;
	unsigned i;

	ring_open(&r);
	for (i = 0; i < NBUF; i++) {
		iov[i].iov_base = map_anon(BUF_LEN, 0, "anon buffer");
		iov[i].iov_len = BUF_LEN;
	}
	upd.iov_base = map_anon(BUF_LEN, 0, "anon update buffer");
	upd.iov_len = BUF_LEN;
	register_update_unregister(&r, iov, NBUF, 1, &upd);
	for (i = 0; i < NBUF; i++)
		unmap(iov[i].iov_base, BUF_LEN, "anon buffer");
	unmap(upd.iov_base, BUF_LEN, "anon update buffer");
	ring_done(&r);
}

static long read_long(const char *path)
{
	char buf[32] = "";
	long v = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			v = strtol(buf, NULL, 10);
		close(fd);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), len, ok;

	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%ld\n", v);
	ok = write(fd, buf, (size_t)len) == len;
	close(fd);
	return ok ? 0 : -1;
}

static void mode_hugetlb(void)
{
	static const char nr_path[] = "/proc/sys/vm/nr_hugepages";
	long old_nr = -1;
	struct iovec iov[2], upd;
	struct wl_ring r;
	void *huge;

	huge = mmap(NULL, HUGE_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (huge == MAP_FAILED && geteuid() == 0) {
		old_nr = read_long(nr_path);
		if (old_nr >= 0 && old_nr < 4 && !write_long(nr_path, 4)) {
			wl_gt("hugetlb nr_hugepages %ld -> %ld", old_nr,
			      read_long(nr_path));
			huge = mmap(NULL, HUGE_LEN, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
				    -1, 0);
		} else {
			old_nr = -1;
		}
	}
	if (huge == MAP_FAILED) {
		int err = errno;

		if (old_nr >= 0)
			write_long(nr_path, old_nr);
		wl_skip("no 2 MiB huge page available (mmap MAP_HUGETLB: %s)",
			strerror(err));
	}
	memset(huge, 0, HUGE_LEN);
	wl_gt("hugetlb buffer addr=%p len=%lu", huge, HUGE_LEN);

	ring_open(&r);
	iov[0].iov_base = huge;
	iov[0].iov_len = HUGE_LEN;
	iov[1].iov_base = map_anon(BUF_LEN, 0, "anon buffer");
	iov[1].iov_len = BUF_LEN;
	upd.iov_base = map_anon(BUF_LEN, 0, "anon update buffer");
	upd.iov_len = BUF_LEN;
	/* Replace the huge buffer: its pins go at update time. */
	register_update_unregister(&r, iov, 2, 0, &upd);
	unmap(huge, HUGE_LEN, "hugetlb buffer");
	unmap(iov[1].iov_base, BUF_LEN, "anon buffer");
	unmap(upd.iov_base, BUF_LEN, "anon update buffer");
	ring_done(&r);
	if (old_nr >= 0) {
		write_long(nr_path, old_nr);
		wl_gt("hugetlb nr_hugepages restored to %ld", read_long(nr_path));
	}
}

static void mode_memfd(void)
{
	struct iovec iov[NBUF], upd;
	struct wl_ring r;
	size_t len = NBUF * BUF_LEN;
	char *map;
	unsigned i;
	int fd;

	fd = memfd("ringledger-wl", len + BUF_LEN);
	map = mmap(NULL, len + BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED)
		wl_die("mmap memfd");
	memset(map, 0, len + BUF_LEN);
	wl_gt("memfd fd=%d map addr=%p len=%zu", fd, map, len + BUF_LEN);

	ring_open(&r);
	for (i = 0; i < NBUF; i++) {
		iov[i].iov_base = map + i * BUF_LEN;
		iov[i].iov_len = BUF_LEN;
	}
	upd.iov_base = map + len;	/* the memfd's last 64 KiB */
	upd.iov_len = BUF_LEN;
	register_update_unregister(&r, iov, NBUF, 2, &upd);
	unmap(map, len + BUF_LEN, "memfd map");
	close(fd);
	ring_done(&r);
}

static void mode_mixed(void)
{
	size_t pg = wl_page_size();
	struct iovec iov;
	struct wl_ring r;
	char *anon, *fixed;
	int fd, ret;

	anon = map_anon(2 * pg, 0, "anon 2 pages");
	fd = memfd("ringledger-wl-mixed", pg);
	fixed = mmap(anon + pg, pg, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_FIXED, fd, 0);
	if (fixed == MAP_FAILED)
		wl_die("mmap MAP_FIXED memfd page");
	if (fixed != anon + pg)
		wl_die_err(0, "MAP_FIXED placed the memfd page at %p, not %p",
			   fixed, anon + pg);
	memset(anon, 0x11, pg);
	memset(fixed, 0x22, pg);
	wl_gt("mixed vma0=anon addr=%p len=%zu vma1=memfd fd=%d addr=%p len=%zu",
	      anon, pg, fd, fixed, pg);

	ring_open(&r);
	iov.iov_base = anon;
	iov.iov_len = 2 * pg;
	ret = register_buffers(&r, &iov, 1, 0);
	wl_gt("mixed_register fd=%d addr=%p len=%zu ret=%d (%s)", r.fd, anon,
	      2 * pg, ret, ret ? strerror(-ret) : "accepted");
	if (!ret) {
		/* Straddle the anon/memfd boundary. */
		use_fixed(&r, 0, anon + pg - 16);
		unregister_buffers(&r, 0);
	}
	ring_done(&r);
	unmap(anon, 2 * pg, "mixed buffer");
	close(fd);
}

static void mode_clone(void)
{
	struct rlw_clone_buffers cb;
	struct iovec iov[2];
	struct wl_ring a, b;
	int ret;

	iov[0].iov_base = map_anon(BUF_LEN, 0, "anon buffer 0");
	iov[0].iov_len = BUF_LEN;
	iov[1].iov_base = map_anon(BUF_LEN, 0, "anon buffer 1");
	iov[1].iov_len = BUF_LEN;

	ring_open(&a);
	ret = register_buffers(&a, iov, 2, 0);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_BUFFERS");
	use_fixed(&a, 0, iov[0].iov_base);

	ring_open(&b);
	memset(&cb, 0, sizeof(cb));
	cb.src_fd = (unsigned)a.fd;
	ret = wl_io_uring_register(b.fd, RLW_REGISTER_CLONE_BUFFERS, &cb, 1);
	wl_gt("clone_buffers src_fd=%d dst_fd=%d ret=%d", a.fd, b.fd, ret);
	if (ret == -EINVAL)
		wl_skip("IORING_REGISTER_CLONE_BUFFERS refused (EINVAL): kernel lacks buffer cloning");
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_CLONE_BUFFERS");

	/* Ring A goes away entirely; B's clones must keep the pins. */
	ring_done(&a);
	wl_sleep_ms(100);
	use_fixed(&b, 0, iov[0].iov_base);
	use_fixed(&b, 1, (char *)iov[1].iov_base + BUF_LEN - 64);
	/* Close B with the buffers still registered: teardown unpins. */
	ring_done(&b);
	wl_sleep_ms(100);
	unmap(iov[0].iov_base, BUF_LEN, "anon buffer 0");
	unmap(iov[1].iov_base, BUF_LEN, "anon buffer 1");
}

static void mode_exit(void)
{
	struct iovec iov[NBUF];
	struct wl_ring r;
	unsigned i;
	int ret;

	ring_open(&r);
	for (i = 0; i < NBUF; i++) {
		iov[i].iov_base = map_anon(BUF_LEN, 0, "anon buffer");
		iov[i].iov_len = BUF_LEN;
	}
	ret = register_buffers(&r, iov, NBUF, 0);
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_BUFFERS");
	use_fixed(&r, NBUF - 1, iov[NBUF - 1].iov_base);
	wl_gt("exit with %u buffers registered, ring fd=%d open and mapped",
	      NBUF, r.fd);
	exit(0);
}

static void mode_bench(unsigned long n, int thp)
{
	const size_t len = 64 * MIB;
	struct wl_ring r;
	struct iovec iov;
	unsigned long i;
	double t0, dt;
	int ret;

	ring_open(&r);
	iov.iov_base = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (iov.iov_base == MAP_FAILED)
		wl_die("mmap bench buffer %zu", len);
	/* Best effort: kernels without THP refuse the advice. */
	if (!thp)
		(void)madvise(iov.iov_base, len, MADV_NOHUGEPAGE);
	memset(iov.iov_base, 0, len);	/* fault in outside the timing */
	iov.iov_len = len;
	wl_gt("bench buffer addr=%p len=%zu iterations=%lu thp=%d",
	      iov.iov_base, len, n, thp);

	t0 = wl_now();
	for (i = 0; i < n; i++) {
		ret = register_buffers(&r, &iov, 1, 1);
		if (ret)
			wl_die_err(-ret, "IORING_REGISTER_BUFFERS 64 MiB (iteration %lu)", i);
		unregister_buffers(&r, 1);
	}
	dt = wl_now() - t0;
	wl_gt("bench fixed_buffers mib=64 iterations=%lu seconds=%.3f ms_per_iteration=%.3f",
	      n, dt, n ? dt * 1e3 / (double)n : 0.0);
	unmap(iov.iov_base, len, "bench buffer");
	ring_done(&r);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "anon";

	wl_init("fixed_buffers");
	wl_gt("fixed_buffers mode=%s", mode);
	if (!strcmp(mode, "anon"))
		mode_anon();
	else if (!strcmp(mode, "hugetlb"))
		mode_hugetlb();
	else if (!strcmp(mode, "memfd"))
		mode_memfd();
	else if (!strcmp(mode, "mixed"))
		mode_mixed();
	else if (!strcmp(mode, "clone"))
		mode_clone();
	else if (!strcmp(mode, "exit"))
		mode_exit();
	else if (!strcmp(mode, "bench"))
		mode_bench(argc > 2 ? strtoul(argv[2], NULL, 0) : 10,
			   argc > 3 && !strcmp(argv[3], "thp"));
	else
		wl_die_err(0, "unknown mode '%s' (anon hugetlb memfd mixed clone exit bench [N] [thp])",
			   mode);
	wl_gt("done");
	return 0;
}
