/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ringledger.bpf.h - state private to the BPF side: what a task is in the
 * middle of, and the argument stash the kprobe fallback needs.
 */
#ifndef RL_BPF_PRIVATE_H
#define RL_BPF_PRIVATE_H

/* io_uring_register(2) opcodes that create regions (uapi io_uring.h) */
#define RL_IORING_REGISTER_PBUF_RING	22
#define RL_IORING_REGISTER_ZCRX_IFQ	32
#define RL_IORING_REGISTER_RESIZE_RINGS	33
#define RL_IORING_REGISTER_MEM_REGION	34

/* Per task: the register call and the mmap it is inside of. */
struct rl_task_scope {
	__u64 reg_ctx;		/* ctx of the io_uring_register in progress */
	__u32 reg_opcode;
	__u32 pad;
	__u64 mmap_ctx;		/* ctx of the io_uring_mmap in progress     */
	__u64 mmap_vma;
	__u64 ins_pages;	/* vm_insert_pages() inside that mmap       */
	__u64 ins_num_ptr;
	__u32 ins_nr;
	__u32 ins_left;
	__s32 ins_ret;
	__u32 pad2;
};

/* What a tracked region is, kept until io_free_region reports it. */
struct rl_region_info {
	__u64 ctx;		/* owner, 0 while the ring is being set up */
	__u32 kind;		/* enum rl_region_kind                     */
	__u32 bgid;
};

/* kprobe fallback: entry arguments kept for the matching kretprobe */
enum rl_hook {
	RL_HOOK_EXIT_WORK = 1,
	RL_HOOK_CREATE_REGION,
	RL_HOOK_UNMAPPED_AREA,
	RL_HOOK_VMA_DUP,
};

struct rl_stash_key {
	__u32 tid;
	__u32 hook;
};

struct rl_stash {
	__u64 arg[4];
};

#endif /* RL_BPF_PRIVATE_H */
