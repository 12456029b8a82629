/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * flavours.h - kernel types whose fields older kernels name or shape
 * differently, as CO-RE flavours (a ___suffix libbpf ignores when it
 * matches the struct by name): each names only the fields read, and the
 * running kernel's BTF gives their offsets.  Which flavour a kernel has
 * is for bpf_core_field_exists() to say, never a version number.
 */
#ifndef RL_FLAVOURS_H
#define RL_FLAVOURS_H

#include "core_types.h"

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

/* 6.12: the ring context holds its ring and SQE memory as page arrays
 * with their counts (7.x: ring_region, sq_region).  io_pages_map() and
 * __io_uaddr_map() are passed &ctx->ring_pages, &ctx->n_ring_pages (or the
 * SQE pair): the distance between the two pointers tells which. */
struct io_ring_ctx___612 {
	unsigned short n_ring_pages;
	unsigned short n_sqe_pages;
	struct page **ring_pages;
	struct page **sqe_pages;
};

/* 6.12: a buffer ring's memory is buf_pages[buf_nr_pages] (7.x: region);
 * io_pages_map() is passed &bl->buf_pages, &bl->buf_nr_pages. */
struct io_buffer_list___612 {
	struct page **buf_pages;
	__u16 buf_nr_pages;
	__u16 flags;
	atomic_t refs;
};

/* 6.1: a large folio's order is a byte of its own (6.12 and 7.x keep it
 * in the low byte of _flags_1, core_types.h). */
struct folio___61 {
	unsigned char _folio_order;
};

#pragma clang attribute pop

/* 6.12's io_buffer_list flags (io_uring/kbuf.h, an anonymous enum: not in
 * BTF by name).  7.x has IOBL_BUF_RING = 1, IOBL_INC = 2 and no MMAP: its
 * kernel-allocated rings are regions. */
#define RL_IOBL612_BUF_RING	1u
#define RL_IOBL612_MMAP		2u
#define RL_IOBL612_INC		4u

#endif /* RL_FLAVOURS_H */
