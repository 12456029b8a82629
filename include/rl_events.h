/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rl_events.h - the event stream between the BPF programs and the ledger.
 *
 * Included by the BPF objects in bpf/ (kernel side) and by src/ (user side).
 * One struct, one layout: the BPF side fills a struct rl_event, the ledger
 * consumes it, `record` writes it as one text line and `replay` parses it
 * back.  In the ring buffer each type is a record of its own size: the
 * header, its payload (the union member its row names), and a stack only
 * where one was asked for (rl_record_size() below).  Bump RL_EVENT_ABI when
 * the layout changes.
 * RL_EVENT_TYPES is the one description of each type every format follows.
 *
 * Object keys (doc/event-stream.md describes the stream, doc/architecture.md
 * the path of an event from the kernel to a finding):
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

#define RL_EVENT_ABI		3
#define RL_COMM_LEN		16
#define RL_EXEC_NAME_LEN	64	/* the file a PROC_EXEC ran, truncated */
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

/*
 * Each event type is described once, in RL_EVENT_TYPES below: the enum, the
 * names (src/names.c), the stream and JSON field table (src/event_fields.c)
 * and the human line (src/report_text.c) are all made from it.
 * RL_EVENT_TYPES(X) calls, for every type in the order of its number,
 *
 *   X(TYPE, name, payload, FIELDS, TEXT)
 *
 *   TYPE     the enumerator is RL_EV_<TYPE>
 *   name     the type's name in the recorded stream, the reports and JSON
 *   payload  the member of struct rl_event's union that carries it
 *   FIELDS   its fields, in the order the stream and the JSON trace write
 *            them: FIELDS(S, A) calls, per field,
 *              S(key, member, FMT)         one value
 *              A(key, member, FMT, count)  an array: as many values as the
 *                                          field `count` says
 *            key: the field's key; member: where it sits in struct rl_event;
 *            FMT: how the stream writes it, RL_FF_<FMT> of
 *            src/event_fields.h (DEC, HEX, SDEC, SHEX, KIND, COUNTER,
 *            OWNER, BACKING, COMM (a string: char[], NUL-padded,
 *            escaped), KPTR, PFN).  Every kernel address is
 *            KPTR (a kernel pointer: hashed in every output and in the
 *            recorded stream unless --raw-addresses) or PFN (a page frame
 *            number: hashed in every output, raw in the stream, where the
 *            ledger computes with it); both are written like HEX when raw.
 *            User addresses, offsets, flags and lengths are HEX.
 *   TEXT     its one-line human form (`trace`, `check -v`): TEXT(T, P, L)
 *            calls, per item of the line,
 *              T(label, fmt, member)           a value of one field
 *              P(label, fmt, member, member2)  a value made of two fields
 *              L(label, fmt, array, count)     the first values of an array
 *            label: written as " label=" (empty: no key); fmt: the
 *            formatter text_<fmt> of src/report_text.c that writes it.  A
 *            field's KPTR or PFN format in FIELDS is the one mark: the
 *            human line looks it up and hashes that field too
 *
 * New types go at the end (the numbers are the ring buffer's ABI); the
 * ledger's dispatch (src/ledger.c) is the one other place a type is named.
 * The lists are plain macros: the BPF side sees only the enum.
 */
#define RL_EVENT_TYPES(X)							\
	/* tp io_uring:io_uring_create */					\
	X(CTX_CREATE,	 ctx_create,	ctx,	RL_FIELDS_CTX,	RL_TEXT_CTX_CREATE)	\
	/* end of io_ring_exit_work: ctx is freed */				\
	X(CTX_DEAD,	 ctx_dead,	ctx,	RL_FIELDS_CTX,	RL_TEXT_CTX_DEAD)	\
	/* io_create_region returned 0 */					\
	X(REGION_CREATE, region_create, region, RL_FIELDS_REGION, RL_TEXT_REGION_CREATE) \
	/* pfns (+refcounts) of a region, in chunks */				\
	X(REGION_PAGES,	 region_pages,	pages,	RL_FIELDS_PAGES, RL_TEXT_PAGES)	\
	/* entry of io_free_region (pages still set) */				\
	X(REGION_FREE,	 region_free,	region, RL_FIELDS_REGION, RL_TEXT_REGION)	\
	/* io_uring_get_unmapped_area returned */				\
	X(MMAP_AREA,	 mmap_area,	mmap,	RL_FIELDS_MMAP_AREA, RL_TEXT_MMAP_AREA) \
	/* io_uring_mmap returned */						\
	X(MMAP,		 mmap,		mmap,	RL_FIELDS_MMAP,	RL_TEXT_MMAP)		\
	/* vm_insert_pages inside io_uring_mmap */				\
	X(INSERT_PAGES,	 insert_pages,	mmap,	RL_FIELDS_MMAP,	RL_TEXT_INSERT_PAGES)	\
	/* vm_area_dup of a tracked vma (fork/split) */				\
	X(VMA_DUP,	 vma_dup,	vma,	RL_FIELDS_VMA,	RL_TEXT_VMA_DUP)	\
	/* remove_vma of a tracked vma */					\
	X(VMA_REMOVE,	 vma_remove,	vma,	RL_FIELDS_VMA,	RL_TEXT_VMA)		\
	/* kmem:mm_page_free of a tracked pfn */				\
	X(PAGE_FREE,	 page_free,	page,	RL_FIELDS_PAGE,	RL_TEXT_PAGE)		\
	/* sched_process_fork of a followed process */				\
	X(PROC_FORK,	 proc_fork,	proc,	RL_FIELDS_PROC,	RL_TEXT_PROC_FORK)	\
	/* sched_process_exec of a followed process */				\
	X(PROC_EXEC,	 proc_exec,	proc,	RL_FIELDS_PROC,	RL_TEXT_PROC_EXEC)	\
	/* sched_process_exit (thread group leader) */				\
	X(PROC_EXIT,	 proc_exit,	proc,	RL_FIELDS_PROC,	RL_TEXT_PROC_EXIT)	\
	/* io_register_pbuf_ring returned */					\
	X(PBUF_REG,	 pbuf_reg,	pbuf,	RL_FIELDS_PBUF,	RL_TEXT_PBUF_REG)	\
	/* io_unregister_pbuf_ring returned */					\
	X(PBUF_UNREG,	 pbuf_unreg,	pbuf,	RL_FIELDS_PBUF,	RL_TEXT_PBUF)		\
	/* io_pin_pages pinned user pages: up to 16 folios (a run of pages	\
	 * each) from page `first` on, in as many events as it takes */	\
	X(PIN,		 pin,		pin,	RL_FIELDS_PIN,	RL_TEXT_PIN)		\
	/* pins of one pin set dropped (unpin_user_* inside its release),	\
	 * and the end of that release */					\
	X(UNPIN,	 unpin,		unpin,	RL_FIELDS_UNPIN, RL_TEXT_UNPIN)		\
	/* synthesised by user space: events lost */				\
	X(LOST,		 lost,		lost,	RL_FIELDS_LOST,	RL_TEXT_LOST)		\
	/* page tables of a tracked vma torn down in [start, end): the vma's	\
	 * page references in that range are dropped (munmap and exit zap	\
	 * before they free pages, remove_vma comes after the frees) */	\
	X(VMA_ZAP,	 vma_zap,	vma,	RL_FIELDS_VMA,	RL_TEXT_VMA)		\
	/* a kernel user pinned a buffer ring (io_uring_cmd_buf_ring_pin	\
	 * returned) */								\
	X(BUFRING_PIN,	 bufring_pin,	pbuf,	RL_FIELDS_PBUF,	RL_TEXT_PBUF)		\
	/* ... and unpinned it */						\
	X(BUFRING_UNPIN, bufring_unpin, pbuf,	RL_FIELDS_PBUF,	RL_TEXT_PBUF)		\
	/* __split_vma of a tracked vma returned: the vma now covers [start,	\
	 * end) at pgoff, and the VMA_DUP just before on this thread made the	\
	 * other piece (ret < 0: the split failed and that piece was freed) */ \
	X(VMA_SPLIT,	 vma_split,	vma,	RL_FIELDS_VMA_SPLIT, RL_TEXT_VMA_SPLIT) \
	/* a BPF arena's get_unmapped_area returned (seed 004) */		\
	X(ARENA_AREA,	 arena_area,	arena,	RL_FIELDS_ARENA, RL_TEXT_ARENA)	\
	/* vm_area_free of a tracked vma that remove_vma never saw: a copy	\
	 * (fork, mremap, split) freed before it mapped anything, so it took	\
	 * no page references (a fork that failed after vm_area_dup) */	\
	X(VMA_FREE,	 vma_free,	vma,	RL_FIELDS_VMA,	RL_TEXT_VMA)	\
	/* io_ring_ctx_wait_and_kill: the ring's last file reference went (or	\
	 * its setup failed); its io_ring_exit_work is queued */		\
	X(CTX_KILL,	 ctx_kill,	ctx,	RL_FIELDS_CTX,	RL_TEXT_CTX_DEAD)

#define RL_EV_ENUM_(TYPE, name, payload, FIELDS, TEXT) RL_EV_##TYPE,
enum rl_event_type {
	RL_EV_NONE = 0,
	RL_EVENT_TYPES(RL_EV_ENUM_)
	RL_EV__MAX,
};
#undef RL_EV_ENUM_

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

/* Losses user space finds, numbered after the BPF counters: a LOST
 * event's counter is one of either (the loader makes one per non-zero). */
enum rl_loss {
	RL_LOST_RECURSION = RL_CNT__MAX,	/* programs skipped, no second took the call */
	RL_LOST_BAD_RECORD,			/* a malformed ring-buffer record */
	RL_LOST__MAX,
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

/* Every event starts with these keys (and may end with a stack, below). */
#define RL_FIELDS_HEADER(S, A)						\
	S(ts,		h.ts_ns,	DEC)					\
	S(pid,		h.pid,		DEC)					\
	S(tid,		h.tid,		DEC)					\
	S(cpu,		h.cpu,		DEC)					\
	S(seq,		h.seq,		DEC)					\
	S(comm,		h.comm,		COMM)

struct rl_ev_ctx {		/* CTX_CREATE, CTX_DEAD, CTX_KILL */
	__u64 ctx;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 flags;		/* IORING_SETUP_* */
	__s32 fd;
};

#define RL_FIELDS_CTX(S, A)						\
	S(ctx,		ctx.ctx,	KPTR)					\
	S(sq_entries,	ctx.sq_entries,	DEC)					\
	S(cq_entries,	ctx.cq_entries,	DEC)					\
	S(flags,	ctx.flags,	HEX)					\
	S(fd,		ctx.fd,		SDEC)
#define RL_TEXT_CTX_DEAD(T, P, L)					\
	T(ctx,		hex,		ctx.ctx)
#define RL_TEXT_CTX_CREATE(T, P, L)					\
	RL_TEXT_CTX_DEAD(T, P, L)						\
	T(sq_entries,	dec,		ctx.sq_entries)				\
	T(cq_entries,	dec,		ctx.cq_entries)				\
	T(flags,	hex,		ctx.flags)				\
	T(fd,		sdec,		ctx.fd)

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
	__u64 setup_ctx;	/* ctx == 0: the ring io_uring_setup is making
				 * (the region is its ring_region or
				 * sq_region), 0 where that cannot be told;
				 * the region is that ctx's once announced   */
};

#define RL_FIELDS_REGION(S, A)						\
	S(region,	region.region,	KPTR)					\
	S(ctx,		region.ctx,	KPTR)					\
	S(mr,		region.mr,	KPTR)					\
	S(mmap_offset,	region.mmap_offset, HEX)				\
	S(kind,		region.kind,	KIND)					\
	S(bgid,		region.bgid,	DEC)					\
	S(nr_pages,	region.nr_pages, DEC)					\
	S(flags,	region.flags,	HEX)					\
	S(ret,		region.ret,	SDEC)					\
	S(head_refcount, region.head_refcount, DEC)				\
	S(setup_ctx,	region.setup_ctx, KPTR)
/* REGION_FREE; bgid only for a buffer ring's region */
#define RL_TEXT_REGION(T, P, L)						\
	T(ctx,		hex,		region.ctx)				\
	T(kind,		kind,		region.kind)				\
	T(region,	hex,		region.region)				\
	T(pages,	dec,		region.nr_pages)			\
	T(flags,	region_flags,	region.flags)				\
	P(bgid,		dec_if_pbuf,	region.bgid, region.kind)
#define RL_TEXT_REGION_CREATE(T, P, L)					\
	RL_TEXT_REGION(T, P, L)							\
	T(head_refcount, dec,		region.head_refcount)

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

#define RL_FIELDS_PAGES(S, A)						\
	S(region,	pages.region,	KPTR)					\
	S(first,	pages.first,	DEC)					\
	S(count,	pages.count,	DEC)					\
	S(at_free,	pages.at_free,	DEC)					\
	A(pfn,		pages.pfn,	PFN,	pages.count)			\
	A(refcount,	pages.refcount,	DEC,	pages.count)
/* at=create|free pages=[first,first+count) pfn=<the first 4>,... */
#define RL_TEXT_PAGES(T, P, L)						\
	T(region,	hex,		pages.region)				\
	T(at,		create_or_free,	pages.at_free)				\
	P(pages,	index_range,	pages.first, pages.count)		\
	L(pfn,		hex_list,	pages.pfn, pages.count)			\
	L(refcount,	dec_list,	pages.refcount, pages.count)

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

#define RL_FIELDS_MMAP(S, A)						\
	S(ctx,		mmap.ctx,	KPTR)					\
	S(vma,		mmap.vma,	KPTR)					\
	S(start,	mmap.start,	HEX)					\
	S(end,		mmap.end,	HEX)					\
	S(pgoff,	mmap.pgoff,	HEX)					\
	S(region,	mmap.region,	KPTR)					\
	S(nr_pages,	mmap.nr_pages,	DEC)					\
	S(nr_left,	mmap.nr_left,	DEC)					\
	S(ret,		mmap.ret,	SHEX)					\
	S(flags,	mmap.flags,	HEX)
/* MMAP_AREA also says where the task's user window ends */
#define RL_FIELDS_MMAP_AREA(S, A)					\
	RL_FIELDS_MMAP(S, A)							\
	S(window_end,	mmap.window_end, HEX)
/* kind: the region the offset names (pgoff_kind adds a buffer ring's bgid) */
#define RL_TEXT_MMAP_AREA(T, P, L)					\
	T(ctx,		hex,		mmap.ctx)				\
	T(ret,		errno_or_addr,	mmap.ret)				\
	P(len,		hex_length,	mmap.start, mmap.end)			\
	T(pgoff,	hex,		mmap.pgoff)				\
	T(kind,		pgoff_kind,	mmap.pgoff)
/* ctx=... vma=... [start-end) pgoff=... kind=... */
#define RL_TEXT_MMAP_VMA(T, P, L)					\
	T(ctx,		hex,		mmap.ctx)				\
	T(vma,		hex,		mmap.vma)				\
	P(,		hex_range,	mmap.start, mmap.end)			\
	T(pgoff,	hex,		mmap.pgoff)				\
	T(kind,		pgoff_kind,	mmap.pgoff)
#define RL_TEXT_MMAP(T, P, L)						\
	RL_TEXT_MMAP_VMA(T, P, L)						\
	T(ret,		sdec,		mmap.ret)
/* inserted=<pages asked minus pages left>/<pages asked> */
#define RL_TEXT_INSERT_PAGES(T, P, L)					\
	RL_TEXT_MMAP_VMA(T, P, L)						\
	T(region,	hex,		mmap.region)				\
	P(inserted,	done_of,	mmap.nr_pages, mmap.nr_left)		\
	T(ret,		sdec,		mmap.ret)

struct rl_ev_vma {		/* VMA_DUP, VMA_REMOVE, VMA_ZAP, VMA_SPLIT */
	__u64 vma;
	__u64 new_vma;		/* VMA_DUP only                                */
	__u64 start;
	__u64 end;
	__u64 pgoff;
	__u64 mm;		/* vma->vm_mm (owner address space)            */
	__s64 ret;		/* VMA_SPLIT: __split_vma's return value       */
};

#define RL_FIELDS_VMA(S, A)						\
	S(vma,		vma.vma,	KPTR)					\
	S(new_vma,	vma.new_vma,	KPTR)					\
	S(start,	vma.start,	HEX)					\
	S(end,		vma.end,	HEX)					\
	S(pgoff,	vma.pgoff,	HEX)					\
	S(mm,		vma.mm,		KPTR)
/* VMA_SPLIT: the vma's range after the split, and how the split went */
#define RL_FIELDS_VMA_SPLIT(S, A)					\
	S(vma,		vma.vma,	KPTR)					\
	S(start,	vma.start,	HEX)					\
	S(end,		vma.end,	HEX)					\
	S(pgoff,	vma.pgoff,	HEX)					\
	S(mm,		vma.mm,		KPTR)					\
	S(ret,		vma.ret,	SHEX)
#define RL_TEXT_VMA_RANGE(T, P, L)					\
	P(,		hex_range,	vma.start, vma.end)			\
	T(pgoff,	hex,		vma.pgoff)				\
	T(mm,		hex,		vma.mm)
/* VMA_REMOVE, VMA_ZAP */
#define RL_TEXT_VMA(T, P, L)						\
	T(vma,		hex,		vma.vma)				\
	RL_TEXT_VMA_RANGE(T, P, L)
#define RL_TEXT_VMA_DUP(T, P, L)					\
	T(vma,		hex,		vma.vma)				\
	T(new_vma,	hex,		vma.new_vma)				\
	RL_TEXT_VMA_RANGE(T, P, L)
#define RL_TEXT_VMA_SPLIT(T, P, L)					\
	RL_TEXT_VMA(T, P, L)							\
	T(ret,		sdec,		vma.ret)

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

#define RL_FIELDS_ARENA(S, A)						\
	S(map,		arena.map,	KPTR)					\
	S(addr,		arena.addr,	HEX)					\
	S(len,		arena.len,	HEX)					\
	S(window,	arena.window,	HEX)					\
	S(window_len,	arena.window_len, HEX)					\
	S(ret,		arena.ret,	SHEX)					\
	S(window_end,	arena.window_end, HEX)
/* window=[start,+len) */
#define RL_TEXT_ARENA(T, P, L)						\
	T(map,		hex,		arena.map)				\
	T(addr,		hex,		arena.addr)				\
	T(len,		hex,		arena.len)				\
	P(window,	hex_start_len,	arena.window, arena.window_len)		\
	T(ret,		errno_or_hex,	arena.ret)

struct rl_ev_page {		/* PAGE_FREE */
	__u64 pfn;
	__u32 order;		/* the free covers [pfn, pfn + 2^order)        */
	__u32 pad;
};

#define RL_FIELDS_PAGE(S, A)						\
	S(pfn,		page.pfn,	PFN)					\
	S(order,	page.order,	DEC)
#define RL_TEXT_PAGE(T, P, L)						\
	T(pfn,		hex,		page.pfn)				\
	T(order,	dec,		page.order)

struct rl_ev_proc {		/* PROC_FORK, PROC_EXEC, PROC_EXIT */
	__u32 parent_pid;
	__u32 child_pid;	/* FORK only                                   */
	__s32 exit_code;	/* EXIT only                                   */
	__u32 ns_pid;		/* pid as seen in the task's own pid namespace */
	char  exec_name[RL_EXEC_NAME_LEN];	/* EXEC only: the file run, as
						 * execve was given it (its
						 * first 63 bytes); the reader
						 * leaves it empty when a
						 * stream does not say */
};

#define RL_FIELDS_PROC(S, A)						\
	S(parent_pid,	proc.parent_pid, DEC)					\
	S(child_pid,	proc.child_pid,	DEC)					\
	S(exit_code,	proc.exit_code,	SDEC)					\
	S(ns_pid,	proc.ns_pid,	DEC)					\
	S(exec,		proc.exec_name,	COMM)
#define RL_TEXT_PROC(T, P, L)						\
	T(parent,	dec,		proc.parent_pid)
#define RL_TEXT_PROC_EXEC(T, P, L)					\
	RL_TEXT_PROC(T, P, L)							\
	T(exec,		str,		proc.exec_name)
#define RL_TEXT_PROC_FORK(T, P, L)					\
	RL_TEXT_PROC(T, P, L)							\
	T(child,	dec,		proc.child_pid)
#define RL_TEXT_PROC_EXIT(T, P, L)					\
	RL_TEXT_PROC(T, P, L)							\
	T(exit_code,	sdec,		proc.exit_code)

struct rl_ev_pbuf {		/* PBUF_REG, PBUF_UNREG, BUFRING_PIN, BUFRING_UNPIN */
	__u64 ctx;
	__u64 ring_addr;	/* PBUF_REG: user address of the ring, 0 when
				 * the kernel allocates it (IOU_PBUF_RING_MMAP) */
	__u32 bgid;
	__u32 ring_entries;	/* PBUF_REG                                    */
	__u32 flags;		/* PBUF_REG: IOU_PBUF_RING_*                    */
	__s32 ret;
};

#define RL_FIELDS_PBUF(S, A)						\
	S(ctx,		pbuf.ctx,	KPTR)					\
	S(ring_addr,	pbuf.ring_addr,	HEX)					\
	S(bgid,		pbuf.bgid,	DEC)					\
	S(ring_entries,	pbuf.ring_entries, DEC)					\
	S(flags,	pbuf.flags,	HEX)					\
	S(ret,		pbuf.ret,	SDEC)
/* PBUF_UNREG, BUFRING_PIN, BUFRING_UNPIN */
#define RL_TEXT_PBUF(T, P, L)						\
	T(ctx,		hex,		pbuf.ctx)				\
	T(bgid,		dec,		pbuf.bgid)				\
	T(ret,		sdec,		pbuf.ret)
#define RL_TEXT_PBUF_REG(T, P, L)					\
	T(ctx,		hex,		pbuf.ctx)				\
	T(bgid,		dec,		pbuf.bgid)				\
	T(ring_addr,	hex,		pbuf.ring_addr)				\
	T(entries,	dec,		pbuf.ring_entries)			\
	T(flags,	hex,		pbuf.flags)				\
	T(ret,		sdec,		pbuf.ret)

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

#define RL_FIELDS_PIN(S, A)						\
	S(ctx,		pin.ctx,	KPTR)					\
	S(key,		pin.key,	DEC)					\
	S(pages,	pin.pages,	KPTR)					\
	S(uaddr,	pin.uaddr,	HEX)					\
	S(owner,	pin.owner,	OWNER)					\
	S(owner_id,	pin.owner_id,	DEC)					\
	S(nr_pages,	pin.nr_pages,	DEC)					\
	S(first,	pin.first,	DEC)					\
	S(count,	pin.count,	DEC)					\
	A(pfn,		pin.pfn,	PFN,	pin.count)			\
	A(npins,	pin.npins,	DEC,	pin.count)			\
	A(backing,	pin.backing,	BACKING, pin.count)			\
	A(file,		pin.file,	KPTR,	pin.count)
/* owner=<owner>[/<owner_id>] ... folios=<pfn>*<npins>:<backing>,... */
#define RL_TEXT_PIN(T, P, L)						\
	T(ctx,		hex,		pin.ctx)				\
	T(set,		dec,		pin.key)				\
	P(owner,	owner_and_id,	pin.owner, pin.owner_id)		\
	T(uaddr,	hex,		pin.uaddr)				\
	T(nr_pages,	dec,		pin.nr_pages)				\
	T(from,		dec,		pin.first)				\
	L(folios,	pin_folios,	pin.pfn, pin.count)

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

#define RL_FIELDS_UNPIN(S, A)						\
	S(ctx,		unpin.ctx,	KPTR)					\
	S(key,		unpin.key,	DEC)					\
	S(owner,	unpin.owner,	OWNER)					\
	S(owner_id,	unpin.owner_id,	DEC)					\
	S(count,	unpin.count,	DEC)					\
	S(flags,	unpin.flags,	HEX)					\
	A(pfn,		unpin.pfn,	PFN,	unpin.count)			\
	A(npins,	unpin.npins,	DEC,	unpin.count)
/* folios=<pfn>*<npins>,... (- for none), then the flags as words */
#define RL_TEXT_UNPIN(T, P, L)						\
	T(ctx,		hex,		unpin.ctx)				\
	T(set,		dec,		unpin.key)				\
	P(owner,	owner_and_id,	unpin.owner, unpin.owner_id)		\
	L(folios,	unpin_folios,	unpin.pfn, unpin.count)			\
	T(,		unpin_flags,	unpin.flags)

struct rl_ev_lost {		/* LOST (user space only) */
	__u64 count;
	__u32 counter;		/* enum rl_counter or enum rl_loss   */
	__u32 pad;
};

#define RL_FIELDS_LOST(S, A)						\
	S(count,	lost.count,	DEC)					\
	S(counter,	lost.counter,	COUNTER)
#define RL_TEXT_LOST(T, P, L)						\
	T(counter,	counter,	lost.counter)				\
	T(count,	dec,		lost.count)

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

/* The kernel stack every event may carry, after its payload. */
#define RL_FIELDS_STACK(S, A)						\
	A(stack,	stack,		KPTR,	nr_stack)

/*
 * Ring-buffer records.  A record is the header, then the payload of its
 * type (as many bytes as that union member), then, only in records reserved
 * with room for one, a struct rl_record_stack.  So a PAGE_FREE is 64 bytes
 * (264 with its stack), a REGION_PAGES of 32 pfns 448, where every event
 * used to be a whole struct rl_event (688).  User space copies a record
 * into a zeroed struct rl_event (src/loader.c).
 */
struct rl_record_stack {
	__u32 nr;		/* frames in ip[]                              */
	__u32 pad;
	__u64 ip[RL_STACK_DEPTH];
};

#define RL_EV_PAYLOAD_SIZE_(TYPE, name, payload, FIELDS, TEXT)		\
	case RL_EV_##TYPE: return sizeof(((struct rl_event *)0)->payload);
/* Bytes of a type's payload; 0 for a type that does not exist.  A switch
 * over constants: with a constant type the BPF side gets a constant. */
static inline __attribute__((always_inline)) __u32 rl_event_payload_size(__u32 type)
{
	switch (type) {
	RL_EVENT_TYPES(RL_EV_PAYLOAD_SIZE_)
	default:
		return 0;
	}
}
#undef RL_EV_PAYLOAD_SIZE_

/* The record of a type: header and payload, and room for a stack. */
static inline __attribute__((always_inline)) __u32 rl_record_size(__u32 type, int with_stack)
{
	return sizeof(struct rl_event_hdr) + rl_event_payload_size(type) +
	       (with_stack ? sizeof(struct rl_record_stack) : 0);
}

_Static_assert(__builtin_offsetof(struct rl_event, ctx) == sizeof(struct rl_event_hdr),
	       "the payload follows the header directly: records are prefixes");
_Static_assert(sizeof(struct rl_event_hdr) % 8 == 0, "records keep 8-byte alignment");

#endif /* RL_EVENTS_H */
