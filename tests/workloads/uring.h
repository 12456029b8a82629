/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uring.h - the io_uring uapi bits the workloads use, under our own names.
 *
 * The build machine's <linux/io_uring.h> is from Linux 6.1 and lacks most of
 * what we need (IORING_OFF_PBUF_RING, IOU_PBUF_RING_*, resize, clone, ...),
 * so this header does not include it at all: every name here carries the
 * RLW_ / rlw_ prefix and cannot clash with the system header.
 *
 * Every number below was checked against Linux 7.3
 * include/uapi/linux/io_uring.h (Debian linux-source-7.3 7.3.4); values that
 * differ in older kernels are noted where they matter.
 */
#ifndef RINGLEDGER_WL_URING_H
#define RINGLEDGER_WL_URING_H

#include <stddef.h>
#include <linux/types.h>

/* x86_64 (and every arch using the generic table) syscall numbers. */
#define RLW_NR_io_uring_setup		425
#define RLW_NR_io_uring_enter		426
#define RLW_NR_io_uring_register	427

/* io_uring_setup(2) flags */
#define RLW_SETUP_IOPOLL		(1U << 0)
#define RLW_SETUP_SQPOLL		(1U << 1)
#define RLW_SETUP_SQ_AFF		(1U << 2)
#define RLW_SETUP_CQSIZE		(1U << 3)
#define RLW_SETUP_CLAMP			(1U << 4)
#define RLW_SETUP_ATTACH_WQ		(1U << 5)
#define RLW_SETUP_R_DISABLED		(1U << 6)
#define RLW_SETUP_SUBMIT_ALL		(1U << 7)
#define RLW_SETUP_COOP_TASKRUN		(1U << 8)
#define RLW_SETUP_TASKRUN_FLAG		(1U << 9)
#define RLW_SETUP_SQE128		(1U << 10)
#define RLW_SETUP_CQE32			(1U << 11)
#define RLW_SETUP_SINGLE_ISSUER		(1U << 12)
#define RLW_SETUP_DEFER_TASKRUN		(1U << 13)	/* needs SINGLE_ISSUER */
#define RLW_SETUP_NO_MMAP		(1U << 14)
#define RLW_SETUP_REGISTERED_FD_ONLY	(1U << 15)
#define RLW_SETUP_NO_SQARRAY		(1U << 16)
#define RLW_SETUP_HYBRID_IOPOLL		(1U << 17)

/* io_uring_params->features */
#define RLW_FEAT_SINGLE_MMAP		(1U << 0)
#define RLW_FEAT_NODROP			(1U << 1)
#define RLW_FEAT_SUBMIT_STABLE		(1U << 2)
#define RLW_FEAT_RSRC_TAGS		(1U << 10)

/* io_uring_enter(2) flags */
#define RLW_ENTER_GETEVENTS		(1U << 0)

/* Magic mmap offsets. */
#define RLW_OFF_SQ_RING			0ULL
#define RLW_OFF_CQ_RING			0x8000000ULL
#define RLW_OFF_SQES			0x10000000ULL
#define RLW_OFF_PBUF_RING		0x80000000ULL
#define RLW_OFF_PBUF_SHIFT		16
#define RLW_OFF_MMAP_MASK		0xf8000000ULL

/* Opcodes we submit. */
#define RLW_OP_NOP			0
#define RLW_OP_READ_FIXED		4
#define RLW_OP_READ			22

/* sqe->flags */
#define RLW_IOSQE_FIXED_FILE		(1U << 0)
#define RLW_IOSQE_BUFFER_SELECT		(1U << 5)

/* cqe->flags */
#define RLW_CQE_F_BUFFER		(1U << 0)
#define RLW_CQE_BUFFER_SHIFT		16

/* io_uring_register(2) opcodes */
#define RLW_REGISTER_BUFFERS		0
#define RLW_UNREGISTER_BUFFERS		1
#define RLW_REGISTER_FILES		2
#define RLW_UNREGISTER_FILES		3
#define RLW_REGISTER_BUFFERS2		15
#define RLW_REGISTER_BUFFERS_UPDATE	16
#define RLW_REGISTER_PBUF_RING		22
#define RLW_UNREGISTER_PBUF_RING	23
#define RLW_REGISTER_CLONE_BUFFERS	30	/* 6.12+ */
#define RLW_REGISTER_RESIZE_RINGS	33	/* 6.13+; DEFER_TASKRUN rings only */

/* io_uring_buf_reg->flags */
#define RLW_PBUF_RING_MMAP		1	/* kernel allocates the ring */
#define RLW_PBUF_RING_INC		2	/* incremental consumption */

/* struct io_uring_clone_buffers->flags */
#define RLW_REGISTER_SRC_REGISTERED	(1U << 0)
#define RLW_REGISTER_DST_REPLACE	(1U << 1)

struct rlw_sqe {
	__u8	opcode;
	__u8	flags;
	__u16	ioprio;
	__s32	fd;
	__u64	off;		/* off / addr2 */
	__u64	addr;		/* addr / splice_off_in */
	__u32	len;
	__u32	op_flags;	/* rw_flags, nop_flags, ... */
	__u64	user_data;
	__u16	buf_index;	/* buf_index / buf_group */
	__u16	personality;
	__s32	splice_fd_in;	/* splice_fd_in / file_index / ... */
	__u64	addr3;
	__u64	pad2;
};

struct rlw_cqe {
	__u64	user_data;
	__s32	res;
	__u32	flags;
};

struct rlw_sqring_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	flags;
	__u32	dropped;
	__u32	array;
	__u32	resv1;
	__u64	user_addr;
};

struct rlw_cqring_offsets {
	__u32	head;
	__u32	tail;
	__u32	ring_mask;
	__u32	ring_entries;
	__u32	overflow;
	__u32	cqes;
	__u32	flags;
	__u32	resv1;
	__u64	user_addr;
};

struct rlw_params {
	__u32	sq_entries;
	__u32	cq_entries;
	__u32	flags;
	__u32	sq_thread_cpu;
	__u32	sq_thread_idle;
	__u32	features;
	__u32	wq_fd;
	__u32	resv[3];
	struct rlw_sqring_offsets sq_off;
	struct rlw_cqring_offsets cq_off;
};

/* One entry of a provided-buffer ring. */
struct rlw_buf {
	__u64	addr;
	__u32	len;
	__u16	bid;
	__u16	resv;
};

/*
 * The ring: an array of struct rlw_buf whose first entry's resv field is the
 * tail (the kernel's struct overlays it with a union; same layout).
 */
struct rlw_buf_ring {
	struct rlw_buf bufs[0];
};
#define RLW_BUF_RING_TAIL(br)	(&(br)->bufs[0].resv)

/*
 * Argument of IORING_(UN)REGISTER_PBUF_RING.  7.3 has
 * { ring_addr, ring_entries, bgid, flags, __u32 min_left, __u32 resv[5] };
 * up to 6.x it is { ..., flags, __u64 resv[3] }.  Same 40 bytes, and a zero
 * min_left is a zero resv[0] for the older kernels.
 */
struct rlw_buf_reg {
	__u64	ring_addr;
	__u32	ring_entries;
	__u16	bgid;
	__u16	flags;
	__u32	min_left;
	__u32	resv[5];
};

/* Argument of IORING_REGISTER_BUFFERS2 (size passed as nr_args). */
struct rlw_rsrc_register {
	__u32	nr;
	__u32	flags;
	__u64	resv2;
	__u64	data;		/* struct iovec * */
	__u64	tags;		/* __u64 * */
};

/* Argument of IORING_REGISTER_BUFFERS_UPDATE (size passed as nr_args). */
struct rlw_rsrc_update2 {
	__u32	offset;
	__u32	resv;
	__u64	data;		/* struct iovec * */
	__u64	tags;		/* __u64 * */
	__u32	nr;
	__u32	resv2;
};

/*
 * Argument of IORING_REGISTER_CLONE_BUFFERS.  6.12 had { src_fd, flags,
 * pad[6] }; src_off/dst_off/nr came in 6.13, so zeroes work on both.
 */
struct rlw_clone_buffers {
	__u32	src_fd;
	__u32	flags;
	__u32	src_off;
	__u32	dst_off;
	__u32	nr;
	__u32	pad[3];
};

_Static_assert(sizeof(struct rlw_sqe) == 64, "sqe is 64 bytes");
_Static_assert(offsetof(struct rlw_sqe, user_data) == 32, "sqe user_data");
_Static_assert(offsetof(struct rlw_sqe, buf_index) == 40, "sqe buf_index");
_Static_assert(sizeof(struct rlw_cqe) == 16, "cqe is 16 bytes");
_Static_assert(sizeof(struct rlw_params) == 120, "io_uring_params");
_Static_assert(sizeof(struct rlw_buf) == 16, "io_uring_buf");
_Static_assert(sizeof(struct rlw_buf_reg) == 40, "io_uring_buf_reg");
_Static_assert(sizeof(struct rlw_rsrc_register) == 32, "rsrc_register");
_Static_assert(sizeof(struct rlw_rsrc_update2) == 32, "rsrc_update2");
_Static_assert(sizeof(struct rlw_clone_buffers) == 32, "clone_buffers");

#endif /* RINGLEDGER_WL_URING_H */
