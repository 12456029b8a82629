// SPDX-License-Identifier: GPL-2.0
/* wl_common.c - helpers shared by the ringledger workloads. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "wl_common.h"

const char *wl_name = "workload";

void wl_init(const char *name)
{
	wl_name = name;
	/*
	 * Line buffered even into a pipe or file: GT lines must come out in
	 * order with stderr, and a fork() must not duplicate buffered lines.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void wl_gt(const char *fmt, ...)
{
	va_list ap;

	fputs("GT ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static void __attribute__((noreturn))
vdie(int err, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", wl_name);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

void wl_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vdie(err, fmt, ap);
}

void wl_die_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(err, fmt, ap);
}

void wl_skip(const char *fmt, ...)
{
	va_list ap;

	fputs("SKIP ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(WL_EXIT_SKIP);
}

int wl_io_uring_setup(unsigned entries, struct rlw_params *p)
{
	long ret = syscall(RLW_NR_io_uring_setup, entries, p);

	return ret < 0 ? -errno : (int)ret;
}

int wl_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete,
		      unsigned flags)
{
	long ret = syscall(RLW_NR_io_uring_enter, fd, to_submit, min_complete,
			   flags, NULL, 0);

	return ret < 0 ? -errno : (int)ret;
}

int wl_io_uring_register(int fd, unsigned opcode, void *arg, unsigned nr_args)
{
	long ret = syscall(RLW_NR_io_uring_register, fd, opcode, arg, nr_args);

	return ret < 0 ? -errno : (int)ret;
}

size_t wl_page_size(void)
{
	static size_t pgsz;

	if (!pgsz)
		pgsz = (size_t)sysconf(_SC_PAGESIZE);
	return pgsz;
}

size_t wl_page_align(size_t len)
{
	size_t pg = wl_page_size();

	return (len + pg - 1) & ~(pg - 1);
}

size_t wl_sq_ring_len(const struct rlw_params *p)
{
	if (p->flags & RLW_SETUP_NO_SQARRAY)
		return wl_cq_ring_len(p);
	return p->sq_off.array + p->sq_entries * sizeof(unsigned);
}

size_t wl_cq_ring_len(const struct rlw_params *p)
{
	size_t cqe = sizeof(struct rlw_cqe);

	if (p->flags & RLW_SETUP_CQE32)
		cqe *= 2;
	return p->cq_off.cqes + p->cq_entries * cqe;
}

size_t wl_sqes_len(const struct rlw_params *p)
{
	size_t sqe = sizeof(struct rlw_sqe);

	if (p->flags & RLW_SETUP_SQE128)
		sqe *= 2;
	return p->sq_entries * sqe;
}

int wl_ring_try_setup(struct wl_ring *r, unsigned entries, unsigned flags)
{
	int fd;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->p.flags = flags;
	fd = wl_io_uring_setup(entries, &r->p);
	if (fd == -ENOSYS)
		wl_skip("io_uring_setup: kernel has no io_uring (ENOSYS)");
	if (fd < 0)
		return fd;
	r->fd = fd;
	wl_gt("ring fd=%d sq_entries=%u cq_entries=%u flags=0x%x features=0x%x",
	      fd, r->p.sq_entries, r->p.cq_entries, r->p.flags,
	      r->p.features);
	return 0;
}

void wl_ring_setup(struct wl_ring *r, unsigned entries, unsigned flags)
{
	int ret = wl_ring_try_setup(r, entries, flags);

	if (ret)
		wl_die_err(-ret, "io_uring_setup");
}

void *wl_mmap_ring(int fd, size_t len, unsigned long long off,
		   const char *kind)
{
	void *ptr = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, (off_t)off);

	if (ptr == MAP_FAILED)
		wl_die("mmap %s len=%zu off=0x%llx", kind, len, off);
	wl_gt("mmap kind=%s addr=%p len=%zu off=0x%llx vma_len=%zu", kind, ptr,
	      len, off, wl_page_align(len));
	return ptr;
}

void wl_munmap(void *addr, size_t len, const char *kind)
{
	if (munmap(addr, len))
		wl_die("munmap %s addr=%p len=%zu", kind, addr, len);
	wl_gt("munmap addr=%p len=%zu kind=%s vma_len=%zu", addr, len, kind,
	      wl_page_align(len));
}

void wl_ring_set_pointers(struct wl_ring *r)
{
	char *sq = r->sq_ptr, *cq = r->cq_ptr;
	const struct rlw_params *p = &r->p;

	r->sq_head = (unsigned *)(sq + p->sq_off.head);
	r->sq_tail = (unsigned *)(sq + p->sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p->sq_off.ring_mask);
	r->sq_entries = (unsigned *)(sq + p->sq_off.ring_entries);
	r->sq_array = (p->flags & RLW_SETUP_NO_SQARRAY) ? NULL :
		      (unsigned *)(sq + p->sq_off.array);
	r->cq_head = (unsigned *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p->cq_off.ring_mask);
	r->cq_entries = (unsigned *)(cq + p->cq_off.ring_entries);
	r->cqes = (struct rlw_cqe *)(cq + p->cq_off.cqes);
	r->sqes = r->sqes_ptr;
	r->sqe_tail = *r->sq_tail;
}

void wl_ring_map(struct wl_ring *r, int single)
{
	size_t sq_len = wl_sq_ring_len(&r->p);
	size_t cq_len = wl_cq_ring_len(&r->p);

	if (single) {
		if (!(r->p.features & RLW_FEAT_SINGLE_MMAP))
			wl_skip("kernel lacks IORING_FEAT_SINGLE_MMAP");
		r->single_mmap = 1;
		r->sq_len = r->cq_len = sq_len > cq_len ? sq_len : cq_len;
		r->sq_ptr = wl_mmap_ring(r->fd, r->sq_len, RLW_OFF_SQ_RING,
					 "sq+cq");
		r->cq_ptr = r->sq_ptr;
	} else {
		r->single_mmap = 0;
		r->sq_len = sq_len;
		r->cq_len = cq_len;
		r->sq_ptr = wl_mmap_ring(r->fd, sq_len, RLW_OFF_SQ_RING, "sq");
		r->cq_ptr = wl_mmap_ring(r->fd, cq_len, RLW_OFF_CQ_RING, "cq");
	}
	r->sqes_len = wl_sqes_len(&r->p);
	r->sqes_ptr = wl_mmap_ring(r->fd, r->sqes_len, RLW_OFF_SQES, "sqes");
	wl_ring_set_pointers(r);
}

void wl_ring_unmap(struct wl_ring *r)
{
	if (r->sqes_ptr)
		wl_munmap(r->sqes_ptr, r->sqes_len, "sqes");
	if (r->single_mmap) {
		if (r->sq_ptr)
			wl_munmap(r->sq_ptr, r->sq_len, "sq+cq");
	} else {
		if (r->sq_ptr)
			wl_munmap(r->sq_ptr, r->sq_len, "sq");
		if (r->cq_ptr)
			wl_munmap(r->cq_ptr, r->cq_len, "cq");
	}
	r->sq_ptr = r->cq_ptr = r->sqes_ptr = NULL;
}

void wl_ring_close(struct wl_ring *r)
{
	if (close(r->fd))
		wl_die("close ring fd=%d", r->fd);
	wl_gt("close fd=%d", r->fd);
	r->fd = -1;
}

struct rlw_sqe *wl_get_sqe(struct wl_ring *r)
{
	unsigned head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	unsigned tail = r->sqe_tail;
	unsigned idx;
	struct rlw_sqe *sqe;

	if (tail - head >= *r->sq_entries)
		wl_die_err(EBUSY, "SQ ring full");
	idx = tail & *r->sq_mask;
	sqe = &r->sqes[idx];
	memset(sqe, 0, sizeof(*sqe));
	if (r->sq_array)
		r->sq_array[idx] = idx;
	/* The SQE becomes visible to the kernel in wl_submit_wait(). */
	r->sqe_tail = tail + 1;
	return sqe;
}

void wl_submit_wait(struct wl_ring *r, unsigned n, unsigned wait_nr)
{
	int ret;

	/* Publish the SQEs: the tail store orders the SQE stores before it. */
	__atomic_store_n(r->sq_tail, r->sqe_tail, __ATOMIC_RELEASE);
	ret = wl_io_uring_enter(r->fd, n, wait_nr,
				wait_nr ? RLW_ENTER_GETEVENTS : 0);
	if (ret < 0)
		wl_die_err(-ret, "io_uring_enter");
	if ((unsigned)ret != n)
		wl_die_err(EIO, "io_uring_enter submitted %d of %u", ret, n);
}

int wl_peek_cqe(struct wl_ring *r, struct rlw_cqe *out)
{
	unsigned head = *r->cq_head;
	unsigned tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);

	if (head == tail)
		return 0;
	*out = r->cqes[head & *r->cq_mask];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

void wl_wait_cqe(struct wl_ring *r, struct rlw_cqe *out)
{
	int ret;

	if (wl_peek_cqe(r, out))
		return;
	ret = wl_io_uring_enter(r->fd, 0, 1, RLW_ENTER_GETEVENTS);
	if (ret < 0)
		wl_die_err(-ret, "io_uring_enter(GETEVENTS)");
	if (!wl_peek_cqe(r, out))
		wl_die_err(EIO, "no CQE after io_uring_enter(GETEVENTS)");
}

void wl_nop(struct wl_ring *r, unsigned long long user_data)
{
	struct rlw_sqe *sqe = wl_get_sqe(r);
	struct rlw_cqe cqe;

	sqe->opcode = RLW_OP_NOP;
	sqe->user_data = user_data;
	wl_submit_wait(r, 1, 1);
	wl_wait_cqe(r, &cqe);
	if (cqe.user_data != user_data)
		wl_die_err(EIO, "NOP: CQE user_data 0x%llx, want 0x%llx",
			   (unsigned long long)cqe.user_data, user_data);
	if (cqe.res < 0)
		wl_die_err(-cqe.res, "NOP");
	wl_gt("nop fd=%d user_data=0x%llx res=%d", r->fd, user_data, cqe.res);
}

double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wl_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

size_t wl_pbuf_ring_len(unsigned entries)
{
	return wl_page_align((size_t)entries * sizeof(struct rlw_buf));
}

int wl_pbuf_register(struct wl_ring *r, unsigned bgid, unsigned entries,
		     unsigned flags, void *ring_addr)
{
	struct rlw_buf_reg reg;
	int ret;

	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)ring_addr;
	reg.ring_entries = entries;
	reg.bgid = (__u16)bgid;
	reg.flags = (__u16)flags;
	ret = wl_io_uring_register(r->fd, RLW_REGISTER_PBUF_RING, &reg, 1);
	wl_gt("pbuf_register bgid=%u ret=%d fd=%d entries=%u flags=0x%x ring_addr=%p ring_len=%zu",
	      bgid, ret, r->fd, entries, flags, ring_addr,
	      wl_pbuf_ring_len(entries));
	return ret;
}

int wl_pbuf_unregister(struct wl_ring *r, unsigned bgid, const char *note)
{
	struct rlw_buf_reg reg;
	int ret;

	memset(&reg, 0, sizeof(reg));
	reg.bgid = (__u16)bgid;
	ret = wl_io_uring_register(r->fd, RLW_UNREGISTER_PBUF_RING, &reg, 1);
	wl_gt("pbuf_unregister bgid=%u ret=%d%s%s", bgid, ret,
	      note ? " " : "", note ? note : "");
	return ret;
}

void wl_pbuf_use(struct wl_ring *r, struct rlw_buf_ring *br,
		 unsigned entries, unsigned bgid)
{
	static char data[256];
	char msg[64];
	struct rlw_sqe *sqe;
	struct rlw_cqe cqe;
	__u16 tail, bid;
	int pfd[2], len;

	len = snprintf(msg, sizeof(msg), "ringledger pbuf bgid=%u", bgid);
	memset(data, 0, sizeof(data));

	/* Hand the kernel one buffer: fill the entry, then bump the tail. */
	tail = __atomic_load_n(RLW_BUF_RING_TAIL(br), __ATOMIC_ACQUIRE);
	bid = (__u16)(tail & (entries - 1));
	br->bufs[tail & (entries - 1)].addr = (unsigned long)data;
	br->bufs[tail & (entries - 1)].len = sizeof(data);
	br->bufs[tail & (entries - 1)].bid = bid;
	__atomic_store_n(RLW_BUF_RING_TAIL(br), (__u16)(tail + 1),
			 __ATOMIC_RELEASE);

	if (pipe(pfd))
		wl_die("pipe");
	if (write(pfd[1], msg, (size_t)len) != len)
		wl_die("write pipe");

	sqe = wl_get_sqe(r);
	sqe->opcode = RLW_OP_READ;
	sqe->fd = pfd[0];
	sqe->len = sizeof(data);
	sqe->flags = RLW_IOSQE_BUFFER_SELECT;
	sqe->buf_index = (__u16)bgid;	/* buf_group */
	sqe->user_data = 0xb0f;
	wl_submit_wait(r, 1, 1);
	wl_wait_cqe(r, &cqe);
	close(pfd[0]);
	close(pfd[1]);
	if (cqe.res < 0)
		wl_die_err(-cqe.res, "READ with buffer select (bgid %u)", bgid);
	if (!(cqe.flags & RLW_CQE_F_BUFFER) ||
	    (cqe.flags >> RLW_CQE_BUFFER_SHIFT) != bid)
		wl_die_err(0, "READ CQE flags 0x%x: want buffer id %u",
			   cqe.flags, bid);
	if (cqe.res != len || memcmp(data, msg, (size_t)len))
		wl_die_err(0, "READ got %d bytes \"%.*s\", want \"%s\"",
			   cqe.res, cqe.res > 0 ? cqe.res : 0, data, msg);
	wl_gt("pbuf_read fd=%d bgid=%u bid=%u res=%d ring_tail=%u data_ok=1",
	      r->fd, bgid, bid, cqe.res, (unsigned)(__u16)(tail + 1));
}
