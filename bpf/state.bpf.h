/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * state.bpf.h - state private to the BPF side: what a task is in the
 * middle of, what a tracked region or pin set is, and the argument stash
 * the kprobe fallback needs.
 */
#ifndef RL_BPF_PRIVATE_H
#define RL_BPF_PRIVATE_H

#include "rl_hooks.h"

/* io_uring_register(2) opcodes that create regions or pin user memory
 * (uapi io_uring.h) */
#define RL_IORING_REGISTER_BUFFERS	0
#define RL_IORING_REGISTER_BUFFERS2	15
#define RL_IORING_REGISTER_BUFFERS_UPDATE 16
#define RL_IORING_REGISTER_PBUF_RING	22
#define RL_IORING_REGISTER_ZCRX_IFQ	32
#define RL_IORING_REGISTER_RESIZE_RINGS	33
#define RL_IORING_REGISTER_MEM_REGION	34

/* IORING_RSRC_BUFFER (io_uring/rsrc.h, an anonymous enum) */
#define RL_IORING_RSRC_BUFFER		1

/* The head of struct io_uring_buf_reg (uapi: user memory, fixed layout) and
 * of struct io_uring_rsrc_update2. */
struct rl_uapi_buf_reg {
	__u64 ring_addr;
	__u32 ring_entries;
	__u16 bgid;
	__u16 flags;
};

struct rl_uapi_rsrc_update2 {
	__u32 offset;
};

/* Per task and hook: what the first of a hook's two programs sent for a
 * call that leaves nothing in the maps to tell (kprobe_seconds), so the
 * other sends nothing for it (note_take() in common.bpf.h). */
struct rl_note_key {
	__u32 tid;
	__u32 slot;		/* enum rl_stash_slot: the hook's */
};

struct rl_note {
	__u64 a, b, c;
};

/* Per task: the register call and the mmap it is inside of. */
struct rl_task_scope {
	__u64 reg_ctx;		/* ctx of the io_uring_register in progress */
	__u32 reg_opcode;
	__u32 reg_bgid;		/* buffer ring being (un)registered         */
	__u64 pbuf_addr;	/* its io_uring_buf_reg, read at entry      */
	__u32 pbuf_entries;
	__u32 pbuf_flags;
	__u64 buf_pin_key;	/* pin set of the fixed buffer being
				 * registered (io_sqe_buffer_register)      */
	__u32 buf_next_index;	/* table index the next one goes to         */
	__u32 buf_index;	/* index of the one in progress             */
	__u64 buf_pimu;		/* 6.12: its struct io_mapped_ubuf **       */
	__u8 in_buf_register;
	__u8 pad[7];
	__u64 mmap_ctx;		/* ctx of the io_uring_mmap in progress     */
	__u64 mmap_vma;
	__u64 ins_pages;	/* vm_insert_pages() inside that mmap       */
	__u64 ins_num_ptr;
	__u32 ins_nr;
	__u32 ins_left;
	__s32 ins_ret;
	__u32 pad2;
	__u64 reg_start_ns;	/* stat: the register call began            */
	__u64 buf_start_ns;	/* stat: the buffer registration began      */
};

/* What a tracked region is, kept until io_free_region reports it. */
struct rl_region_info {
	__u64 ctx;		/* owner, 0 while the ring is being set up */
	__u32 kind;		/* enum rl_region_kind                     */
	__u32 bgid;
};

/* What an owner of pins is, kept in the maps that find a pin set again
 * when io_uring lets go of it: tracked_imus (fixed buffers) and
 * tracked_pin_arrays (regions, by their pages[] array). */
struct rl_pin_info {
	__u64 key;		/* pin set                                 */
	__u64 ctx;		/* owning ring, 0 while it is set up        */
	__u32 owner;		/* enum rl_pin_owner                       */
	__u32 owner_id;
};

/* Per task: the pin set whose pins an unpin_user_*() on this task drops
 * (inside a release, or inside the registration that pinned them), and
 * the unpins gathered for it.  The event is sent whole with
 * bpf_ringbuf_output when it is full and when the scope ends. */
struct rl_pin_scope {
	__u32 end_flags;	/* RL_UNPIN_F_* for the event ending it    */
	__u32 opener;		/* the hook whose exit closes it
				 * (enum rl_scope_opener)                  */
	__u64 pair_ptr;		/* the unpin the first of a hook's two
				 * programs booked (kprobe_seconds), and  */
	__u64 pair_n;		/* its count: the other books nothing     */
	struct rl_event ev;	/* RL_EV_UNPIN being filled                */
};

/* Where a pin set's PIN events are built (per CPU, within one run of the
 * pin program): the event, the chunk's page pointers, the struct page
 * being looked at, and the last folio and mapping classified. */
#define RL_PIN_CHUNK	64	/* page pointers read at once */

struct rl_pin_scratch {
	struct rl_event ev;
	__u64 page[RL_PIN_CHUNK];	/* the chunk's page pointers */
	__u8 raw[64];		/* the head of a struct page, read at once  */
	__u64 last_head;	/* page pointer of the last folio's head    */
	__u64 last_end;		/* and the end of its struct pages, once
				 * known (0): a page inside needs no look   */
	__u64 last_shift;	/* log2 of that span in bytes, 0 unknown    */
	__u64 last_mapping;	/* the last file mapping classified         */
	__u32 last_backing;
	__u32 with_stack;	/* the next PIN record carries ev's stack   */
};

/* kprobe fallback: entry arguments kept for the matching kretprobe, in
 * the slot of the hook (include/rl_hooks.h) */
enum rl_stash_slot {
	RL_STASH_NONE = 0,
#define RL_STASH_SLOT(id, ...) RL_STASH_##id,
	RL_HOOK_LIST(RL_STASH_SLOT)
#undef RL_STASH_SLOT
};

struct rl_stash_key {
	__u32 tid;
	__u32 slot;		/* enum rl_stash_slot */
};

struct rl_stash {
	__u64 arg[4];
};

#endif /* RL_BPF_PRIVATE_H */
