/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wl_common.h - helpers shared by the ringledger workloads.
 *
 * Conventions every workload follows:
 *   - stdout carries ground truth, one fact per line, prefixed "GT ";
 *   - a failure prints one line "<name>: <what>: <strerror>" on stderr and
 *     exits 1 (wl_die*);
 *   - a feature the running kernel lacks prints "SKIP <reason>" and exits 77
 *     (wl_skip).
 */
#ifndef RINGLEDGER_WL_COMMON_H
#define RINGLEDGER_WL_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>
#include "uring.h"

#define WL_EXIT_SKIP	77

/* A ring and its three user mappings. */
struct wl_ring {
	int fd;
	struct rlw_params p;

	/* SQ ring, CQ ring and SQE mappings; cq_ptr == sq_ptr if single mmap */
	void *sq_ptr;
	size_t sq_len;
	void *cq_ptr;
	size_t cq_len;
	void *sqes_ptr;
	size_t sqes_len;
	int single_mmap;

	/* Pointers into the mappings, set by wl_ring_set_pointers(). */
	unsigned *sq_head, *sq_tail, *sq_mask, *sq_entries, *sq_array;
	unsigned *cq_head, *cq_tail, *cq_mask, *cq_entries;
	struct rlw_cqe *cqes;
	struct rlw_sqe *sqes;
	unsigned sqe_tail;	/* SQEs handed out, not yet published */
};

/* Names the program in messages; also makes stdout line buffered. */
void wl_init(const char *name);
extern const char *wl_name;

__attribute__((format(printf, 1, 2)))
void wl_gt(const char *fmt, ...);
/* "<name>: <what>: strerror(errno)", exit 1. */
__attribute__((format(printf, 1, 2), noreturn))
void wl_die(const char *fmt, ...);
/* Same with an explicit errno value (positive). */
__attribute__((format(printf, 2, 3), noreturn))
void wl_die_err(int err, const char *fmt, ...);
/* "SKIP <reason>", exit 77. */
__attribute__((format(printf, 1, 2), noreturn))
void wl_skip(const char *fmt, ...);

/* Raw syscalls; return -errno on failure (never set errno-only). */
int wl_io_uring_setup(unsigned entries, struct rlw_params *p);
int wl_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete,
		      unsigned flags);
int wl_io_uring_register(int fd, unsigned opcode, void *arg, unsigned nr_args);

size_t wl_page_size(void);
size_t wl_page_align(size_t len);

/* Lengths liburing uses for the SQ ring, CQ ring and SQE array. */
size_t wl_sq_ring_len(const struct rlw_params *p);
size_t wl_cq_ring_len(const struct rlw_params *p);
size_t wl_sqes_len(const struct rlw_params *p);

/*
 * io_uring_setup with @flags; dies on error (SKIPs if the kernel has no
 * io_uring at all).  Prints "GT ring fd=.. sq_entries=.. ...".
 */
void wl_ring_setup(struct wl_ring *r, unsigned entries, unsigned flags);
/* The same, but returns -errno instead of dying (still SKIPs on ENOSYS). */
int wl_ring_try_setup(struct wl_ring *r, unsigned entries, unsigned flags);

/* mmap of the ring fd; prints "GT mmap kind=.. addr=.. len=.. off=..". */
void *wl_mmap_ring(int fd, size_t len, unsigned long long off,
		   const char *kind);
/* munmap; prints "GT munmap kind=.. addr=.. len=..". */
void wl_munmap(void *addr, size_t len, const char *kind);

/*
 * Map SQ ring, CQ ring and SQEs.  @single: one mmap for SQ+CQ (needs
 * IORING_FEAT_SINGLE_MMAP; len = max of both), otherwise two mmaps of the
 * one ring region even where the kernel offers the single mapping.
 */
void wl_ring_map(struct wl_ring *r, int single);
/* (Re)compute the pointers into the current mappings from r->p. */
void wl_ring_set_pointers(struct wl_ring *r);
/* munmap what wl_ring_map mapped. */
void wl_ring_unmap(struct wl_ring *r);
/* close(2) the ring fd; prints "GT close fd=..". */
void wl_ring_close(struct wl_ring *r);

/* Next free SQE (zeroed), or dies if the SQ ring is full. */
struct rlw_sqe *wl_get_sqe(struct wl_ring *r);
/* Publish @n SQEs and io_uring_enter(n, wait_nr, GETEVENTS); dies on error. */
void wl_submit_wait(struct wl_ring *r, unsigned n, unsigned wait_nr);
/* Pop one CQE if there is one: returns 1 and fills *out, else 0. */
int wl_peek_cqe(struct wl_ring *r, struct rlw_cqe *out);
/* Wait for and pop one CQE; dies if none. */
void wl_wait_cqe(struct wl_ring *r, struct rlw_cqe *out);

/* Submit one NOP, reap it, check res == 0; prints "GT nop ...". */
void wl_nop(struct wl_ring *r, unsigned long long user_data);

/* Length of a provided-buffer ring of @entries, rounded up to pages. */
size_t wl_pbuf_ring_len(unsigned entries);
/*
 * IORING_REGISTER_PBUF_RING for @bgid with @entries and @flags
 * (RLW_PBUF_RING_MMAP: kernel memory, @ring_addr must be NULL).
 * Prints "GT pbuf_register ..." and returns 0 or -errno.
 */
int wl_pbuf_register(struct wl_ring *r, unsigned bgid, unsigned entries,
		     unsigned flags, void *ring_addr);
/* IORING_UNREGISTER_PBUF_RING; prints "GT pbuf_unregister ... <note>". */
int wl_pbuf_unregister(struct wl_ring *r, unsigned bgid, const char *note);
/*
 * Use a provided-buffer ring: publish one buffer in @br, read a message from
 * a pipe with IOSQE_BUFFER_SELECT from group @bgid, check the CQE and the
 * data.  Dies on any mismatch; prints "GT pbuf_read ...".
 */
void wl_pbuf_use(struct wl_ring *r, struct rlw_buf_ring *br,
		 unsigned entries, unsigned bgid);

/* Monotonic seconds. */
double wl_now(void);
/* Sleep @ms milliseconds. */
void wl_sleep_ms(unsigned ms);

#endif /* RINGLEDGER_WL_COMMON_H */
