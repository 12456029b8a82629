/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nommu.h - what bpf/nommu.bpf.c and its loader (src/nommu/) share.
 *
 * The NOMMU build has no libbpf at run time: its loader reads the BPF
 * object itself (src/nommu/elf_load.c).  So the object keeps to what that
 * loader knows: maps are struct rl_nommu_map in section "nommu.maps",
 * programs are global functions in sections "kprobe/FN", "kretprobe/FN"
 * and "raw_tp/TP" (a section may hold several: each is attached), every
 * helper is inlined (no BPF-to-BPF calls),
 * there is no global data, and no CO-RE: the kernel field offsets the
 * programs need are read from the running kernel's BTF by the loader
 * (src/nommu/btf.c) and handed over in the cfg map (struct rl_nommu_cfg).
 */
#ifndef RL_NOMMU_H
#define RL_NOMMU_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* A map of the object: one per symbol of section "nommu.maps". */
struct rl_nommu_map {
	__u32 type;		/* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 flags;
};

#define RL_NOMMU_MAP_SECTION	"nommu.maps"
#define RL_NOMMU_QUEUE_ENTRIES	1024	/* events waiting for the reader */

/*
 * A kernel field the programs read: where it is found in the running
 * kernel's BTF (struct, member) and its slot in rl_nommu_cfg.off[].
 * RL_NOMMU_FIELDS(X): X(SLOT, struct, member).  The loader refuses to start
 * when one is missing: every read below depends on it.
 */
#define RL_NOMMU_FIELDS(X)						\
	X(MR_PAGES,	io_mapped_region, pages)				\
	X(MR_PTR,	io_mapped_region, ptr)					\
	X(MR_NR_PAGES,	io_mapped_region, nr_pages)				\
	X(MR_FLAGS,	io_mapped_region, flags)				\
	X(CTX_RING_REGION, io_ring_ctx, ring_region)				\
	X(CTX_SQ_REGION, io_ring_ctx,	sq_region)				\
	X(CTX_EXIT_WORK, io_ring_ctx,	exit_work)				\
	X(PAGE_REFCOUNT, page,		_refcount)				\
	X(FILE_PRIVATE,	file,		private_data)				\
	X(VMA_START,	vm_area_struct,	vm_start)				\
	X(VMA_END,	vm_area_struct,	vm_end)					\
	X(VMA_PGOFF,	vm_area_struct,	vm_pgoff)				\
	X(VMA_FLAGS,	vm_area_struct,	vm_flags)				\
	X(VMA_MM,	vm_area_struct,	vm_mm)					\
	X(TASK_PID,	task_struct,	pid)					\
	X(TASK_TGID,	task_struct,	tgid)					\
	X(TASK_REAL_PARENT, task_struct, real_parent)				\
	X(TASK_EXIT_CODE, task_struct,	exit_code)				\
	X(BPRM_FILENAME, linux_binprm,	filename)

#define RL_NOMMU_SLOT_(SLOT, s, m) RL_NOFF_##SLOT,
enum rl_nommu_slot {
	RL_NOMMU_FIELDS(RL_NOMMU_SLOT_)
	RL_NOFF__MAX,
};
#undef RL_NOMMU_SLOT_

struct rl_nommu_cfg {
	__u32 off[RL_NOFF__MAX];	/* byte offsets, from the kernel's BTF */
	__u32 page_struct_size;		/* sizeof(struct page), from its BTF   */
	__u32 page_shift;
	/* RAM, from /proc/iomem: every read is kept inside [ram_start,
	 * ram_end); without an MMU kernel addresses are physical ones, so
	 * a page's pfn is its address >> page_shift */
	__u64 ram_start;
	__u64 ram_end;
};

#endif /* RL_NOMMU_H */
