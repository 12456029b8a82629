/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rl_events.h - the event stream between the BPF programs and the ledger.
 *
 * Included by bpf/ringledger.bpf.c (kernel side) and by src/ (user side).
 * One struct, one layout: the BPF side fills a struct rl_event in the ring
 * buffer, the ledger consumes it, `record` writes it as one text line and
 * `replay` parses it back.  Bump RL_EVENT_ABI when the layout changes.
 *
 * Object keys (see ../shared/DESIGN.md):
 *   ctx     struct io_ring_ctx *           (kernel address, opaque)
 *   region  struct io_mapped_region.pages  (the pages[] array pointer: regions
 *                                           are copied by value, the array
 *                                           pointer is what stays)
 *   vma     struct vm_area_struct *
 *   page    pfn
 *   pin set a number the BPF side gives each io_pin_pages() call (the
 *           page arrays it returns are freed and reused, so no address
 *           can name a pin set for its whole life)
 *   folio   the pfn of its head page: GUP pins are counted per folio
 */
#ifndef RL_EVENTS_H
#define RL_EVENTS_H

#ifdef __bpf__
/* vmlinux-free BPF build: bpf/core_types.h defines __u8.. */
#else
#include <linux/types.h>
#endif

#define RL_EVENT_ABI		2
#define RL_COMM_LEN		16
#define RL_STACK_DEPTH		24	/* kernel frames kept per event */
#define RL_PFNS_PER_EVENT	32	/* pfns carried by one RL_EV_REGION_PAGES */
#define RL_MAX_REGION_CHUNKS	64	/* 64 * 32 pages = 8 MiB described per region */
#define RL_PINS_PER_EVENT	16	/* folios carried by one RL_EV_PIN           */
#define RL_UNPINS_PER_EVENT	32	/* folios carried by one RL_EV_UNPIN           */
#define RL_MAX_PIN_PAGES	65536	/* 256 MiB of 4 KiB pages described per pin set */

/* io_uring uapi mmap offsets (include/uapi/linux/io_uring.h) */
#define RL_OFF_SQ_RING		0ULL
#define RL_OFF_CQ_RING		0x8000000ULL
#define RL_OFF_SQES		0x10000000ULL
#define RL_OFF_PARAM_REGION	0x20000000ULL	/* kernel-internal, 7.x */
#define RL_OFF_ZCRX_REGION	0x30000000ULL	/* kernel-internal, 7.x */
#define RL_OFF_PBUF_RING	0x80000000ULL
#define RL_OFF_PBUF_SHIFT	16
#define RL_OFF_MMAP_MASK	0xf8000000ULL

enum rl_event_type {
	RL_EV_NONE = 0,
	RL_EV_CTX_CREATE,	/* tp io_uring:io_uring_create              */
	RL_EV_CTX_DEAD,		/* end of io_ring_exit_work: ctx is freed    */
	RL_EV_REGION_CREATE,	/* io_create_region returned 0               */
	RL_EV_REGION_PAGES,	/* pfns (+refcounts) of a region, in chunks  */
	RL_EV_REGION_FREE,	/* entry of io_free_region (pages still set) */
	RL_EV_MMAP_AREA,	/* io_uring_get_unmapped_area returned       */
	RL_EV_MMAP,		/* io_uring_mmap returned                    */
	RL_EV_INSERT_PAGES,	/* vm_insert_pages inside io_uring_mmap      */
	RL_EV_VMA_DUP,		/* vm_area_dup of a tracked vma (fork/split) */
	RL_EV_VMA_REMOVE,	/* remove_vma of a tracked vma               */
	RL_EV_PAGE_FREE,	/* kmem:mm_page_free of a tracked pfn        */
	RL_EV_PROC_FORK,	/* sched_process_fork of a followed process  */
	RL_EV_PROC_EXEC,	/* sched_process_exec of a followed process  */
	RL_EV_PROC_EXIT,	/* sched_process_exit (thread group leader)  */
	RL_EV_PBUF_REG,		/* io_register_pbuf_ring returned            */
	RL_EV_PBUF_UNREG,	/* io_unregister_pbuf_ring returned          */
	RL_EV_PIN,		/* io_pin_pages pinned user pages: up to 16
				 * folios (a run of pages each) from page
				 * `first` on, in as many events as it takes */
	RL_EV_UNPIN,		/* pins of one pin set dropped (unpin_user_*
				 * inside its release), and the end of that
				 * release                                    */
	RL_EV_LOST,		/* synthesised by user space: events lost    */
	RL_EV_VMA_ZAP,		/* page tables of a tracked vma torn down in
				 * [start, end): the vma's page references in
				 * that range are dropped (munmap and exit zap
				 * before they free pages, remove_vma comes
				 * after the frees)                           */
	RL_EV_BUFRING_PIN,	/* a kernel user pinned a buffer ring
				 * (io_uring_cmd_buf_ring_pin returned)       */
	RL_EV_BUFRING_UNPIN,	/* ... and unpinned it                       */
	RL_EV_VMA_SPLIT,	/* __split_vma of a tracked vma returned: the
				 * vma now covers [start, end) at pgoff, and the
				 * VMA_DUP just before on this thread made the
				 * other piece (ret < 0: the split failed and
				 * that piece was freed)                      */
	RL_EV_ARENA_AREA,	/* a BPF arena's get_unmapped_area returned
				 * (seed 004)                                 */
	RL_EV__MAX,
};

/* What a region holds; decided in BPF from the register operation in
 * progress on the task and from the mmap offset. */
enum rl_region_kind {
	RL_RK_UNKNOWN = 0,
	RL_RK_RINGS,		/* SQ + CQ rings: one region, two mmap offsets */
	RL_RK_SQES,		/* the SQE array                               */
	RL_RK_PBUF,		/* provided-buffer ring, bgid in ev->bgid      */
	RL_RK_PARAM,		/* IORING_REGISTER_MEM_REGION param region     */
	RL_RK_ZCRX,		/* zero-copy rx refill queue                   */
	RL_RK__MAX,
};

/* What a pin set's pins are for; decided in BPF from the register
 * operation in progress.  zcrx areas are not followed (their release path
 * is not hooked). */
enum rl_pin_owner {
	RL_PO_UNKNOWN = 0,
	RL_PO_BUFFER,		/* registered (fixed) buffer; owner_id = index  */
	RL_PO_PBUF,		/* user memory of a buffer ring; owner_id = bgid */
	RL_PO_REGION,		/* user memory of a parameter region            */
	RL_PO_RINGS,		/* user memory of the rings (IORING_SETUP_NO_MMAP) */
	RL_PO__MAX,
};

/* What backs a pinned folio, read from the folio at pin time. */
enum rl_backing {
	RL_BK_UNKNOWN = 0,	/* could not be read                            */
	RL_BK_ANON,		/* anonymous (folio->mapping has the anon bit)  */
	RL_BK_SHMEM,		/* shmem / tmpfs / memfd page cache             */
	RL_BK_HUGETLB,		/* hugetlb folio (anonymous or hugetlbfs)       */
	RL_BK_FILE,		/* page cache of any other file system          */
	RL_BK_NONE,		/* no mapping (kernel or device memory)         */
	RL_BK__MAX,
};

/* RL_EV_UNPIN flags, on the event that ends a scope. */
#define RL_UNPIN_F_END		1u	/* the release (or registration) ended */
#define RL_UNPIN_F_RELEASED	2u	/* io_uring let go of the owner: buffer
					 * unregistered or replaced, region
					 * freed, registration failed         */
#define RL_UNPIN_F_SHARED	4u	/* one ring dropped the buffer; another
					 * (a clone) still holds it           */

/* struct io_mapped_region flags (an anonymous enum in the kernel). */
#define RL_REGION_F_VMAP		1u
#define RL_REGION_F_USER_PROVIDED	2u
#define RL_REGION_F_SINGLE_REF		4u

/* Counters the BPF side keeps about itself; user space reports every
 * non-zero one and any of them makes the verdict inconclusive (RL010). */
enum rl_counter {
	RL_CNT_RINGBUF_FULL = 0,	/* bpf_ringbuf_reserve failed          */
	RL_CNT_TRACK_MAP_FULL,		/* a tracked-object map was full       */
	RL_CNT_PFN_MAP_FULL,		/* the tracked-pfn map was full        */
	RL_CNT_REGION_TRUNCATED,	/* region larger than chunks describe   */
	RL_CNT_READ_FAIL,		/* bpf_probe_read_kernel failed        */
	RL_CNT_STACK_FAIL,		/* bpf_get_stack failed                */
	RL_CNT_ENTRY_MISSING,		/* return probe without its entry      */
	RL_CNT_PIN_TRUNCATED,		/* pin larger than chunks describe     */
	RL_CNT__MAX,
};

struct rl_event_hdr {
	__u64 ts_ns;		/* bpf_ktime_get_ns()                       */
	__u32 type;		/* enum rl_event_type                       */
	__u32 pid;		/* tgid as seen from the initial namespace  */
	__u32 tid;
	__u32 cpu;
	__u64 seq;		/* per-CPU sequence number (loss detection) */
	char  comm[RL_COMM_LEN];
};

struct rl_ev_ctx {		/* CTX_CREATE, CTX_DEAD */
	__u64 ctx;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 flags;		/* IORING_SETUP_* */
	__s32 fd;
};

struct rl_ev_region {		/* REGION_CREATE, REGION_FREE */
	__u64 region;		/* mr->pages                                  */
	__u64 ctx;		/* owning ctx; 0 = the ring being set up by tid */
	__u64 mr;		/* address of the struct io_mapped_region      */
	__u64 mmap_offset;	/* as passed to io_create_region              */
	__u32 kind;		/* enum rl_region_kind                        */
	__u32 bgid;		/* RL_RK_PBUF only                            */
	__u32 nr_pages;
	__u32 flags;		/* RL_REGION_F_*                              */
	__s32 ret;		/* io_create_region return value             */
	__u32 head_refcount;	/* page_ref_count(pages[0]) at this moment    */
};

struct rl_ev_pages {		/* REGION_PAGES: pages [first, first + count) */
	__u64 region;
	__u32 first;		/* index into pages[]                         */
	__u32 count;		/* <= RL_PFNS_PER_EVENT                       */
	__u32 at_free;		/* 0: sampled at create, 1: at io_free_region */
	__u32 pad;
	__u64 pfn[RL_PFNS_PER_EVENT];
	__u32 refcount[RL_PFNS_PER_EVENT];	/* page_ref_count(), of the folio
						 * for compound pages */
};

struct rl_ev_mmap {		/* MMAP_AREA, MMAP, INSERT_PAGES */
	__u64 ctx;
	__u64 vma;		/* 0 for MMAP_AREA                             */
	__u64 start;		/* vm_start, or the address returned           */
	__u64 end;		/* vm_end, or start + len for MMAP_AREA         */
	__u64 pgoff;		/* vma->vm_pgoff (page units)                  */
	__u64 region;		/* INSERT_PAGES: the pages[] array inserted    */
	__u32 nr_pages;		/* INSERT_PAGES: pages asked for               */
	__u32 nr_left;		/* INSERT_PAGES: pages not inserted on return  */
	__s64 ret;		/* return value (an address for MMAP_AREA)     */
	__u64 flags;		/* MMAP_AREA: mmap flags; MMAP: vm_flags       */
	__u64 window_end;	/* MMAP_AREA: the mm's task_size, the end of
				 * the user window (0: unknown, 47 bits)      */
};

struct rl_ev_vma {		/* VMA_DUP, VMA_REMOVE, VMA_ZAP, VMA_SPLIT */
	__u64 vma;
	__u64 new_vma;		/* VMA_DUP only                                */
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 mm;		/* vma->vm_mm (owner address space)            */
	__s64 ret;		/* VMA_SPLIT: __split_vma's return value       */
};

struct rl_ev_arena {		/* ARENA_AREA */
	__u64 map;		/* the arena's struct bpf_map                   */
	__u64 addr;		/* the address asked for (0: anywhere)          */
	__u64 len;
	__u64 window;		/* the range mm_get_unmapped_area reserved for
				 * it: [window, window + window_len)          */
	__u64 window_len;	/* 0: not seen                                  */
	__s64 ret;		/* the address returned, or -errno              */
	__u64 window_end;	/* the mm's task_size                           */
};

struct rl_ev_page {		/* PAGE_FREE */
	__u64 pfn;
	__u32 order;		/* the free covers [pfn, pfn + 2^order)        */
	__u32 pad;
};

struct rl_ev_proc {		/* PROC_FORK, PROC_EXEC, PROC_EXIT */
	__u32 parent_pid;
	__u32 child_pid;	/* FORK only                                   */
	__s32 exit_code;	/* EXIT only                                   */
	__u32 ns_pid;		/* pid as seen in the task's own pid namespace */
};

struct rl_ev_pbuf {		/* PBUF_REG, PBUF_UNREG, BUFRING_PIN, BUFRING_UNPIN */
	__u64 ctx;
	__u64 ring_addr;	/* PBUF_REG: user address of the ring, 0 when
				 * the kernel allocates it (IOU_PBUF_RING_MMAP) */
	__u32 bgid;
	__u32 ring_entries;	/* PBUF_REG                                    */
	__u32 flags;		/* PBUF_REG: IOU_PBUF_RING_*                    */
	__s32 ret;
};

struct rl_ev_pin {		/* PIN: the folios of a pin set from page `first` */
	__u64 ctx;		/* owning ring; 0 while the ring is set up    */
	__u64 key;		/* pin set                                     */
	__u64 pages;		/* the page array io_pin_pages returned (for a
				 * region: its pages[] key)                    */
	__u64 uaddr;		/* user address of the pinned range            */
	__u32 owner;		/* enum rl_pin_owner                           */
	__u32 owner_id;		/* fixed buffer index, or bgid                 */
	__u32 nr_pages;		/* pages the whole pin set holds               */
	__u32 first;		/* index of the first page of pfn[0]           */
	__u32 count;		/* folio entries in this event                 */
	__u32 pad;
	__u64 pfn[RL_PINS_PER_EVENT];		/* folio (head page) pfn       */
	__u32 npins[RL_PINS_PER_EVENT];		/* pages pinned in that folio  */
	__u32 backing[RL_PINS_PER_EVENT];	/* enum rl_backing             */
	__u64 file[RL_PINS_PER_EVENT];		/* the folio's address_space if
						 * file-backed; 0 anonymous    */
};

struct rl_ev_unpin {		/* UNPIN: pins of one pin set dropped */
	__u64 ctx;		/* the ring releasing (or registering) it      */
	__u64 key;		/* pin set                                     */
	__u32 owner;		/* enum rl_pin_owner                           */
	__u32 owner_id;
	__u32 count;		/* folio entries below (0 on a bare end)       */
	__u32 flags;		/* RL_UNPIN_F_*                                */
	__u64 pfn[RL_UNPINS_PER_EVENT];		/* folio (head page) pfn       */
	__u32 npins[RL_UNPINS_PER_EVENT];	/* pins dropped on that folio  */
};

struct rl_ev_lost {		/* LOST (user space only) */
	__u64 count;
	__u32 counter;		/* enum rl_counter, or RL_CNT__MAX + n for a
				 * program's recursion misses                  */
	__u32 pad;
};

struct rl_event {
	struct rl_event_hdr h;
	union {
		struct rl_ev_ctx    ctx;
		struct rl_ev_region region;
		struct rl_ev_pages  pages;
		struct rl_ev_mmap   mmap;
		struct rl_ev_vma    vma;
		struct rl_ev_page   page;
		struct rl_ev_proc   proc;
		struct rl_ev_pbuf   pbuf;
		struct rl_ev_pin    pin;
		struct rl_ev_unpin  unpin;
		struct rl_ev_lost   lost;
		struct rl_ev_arena  arena;
	};
	/* kernel stack of the event, for the events that can break a rule
	 * (REGION_FREE, VMA_REMOVE, PAGE_FREE, the first PIN chunk, the end
	 * of an UNPIN scope, PBUF_UNREG, BUFRING_PIN); nr_stack
	 * is 0 elsewhere.  Never taken on a hot path: these events only
	 * exist for tracked objects. */
	__u32 nr_stack;
	__u32 pad2;
	__u64 stack[RL_STACK_DEPTH];
};

#endif /* RL_EVENTS_H */
