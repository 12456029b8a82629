/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * core_types.h - the few kernel types ringledger reads, written by hand.
 *
 * Why not a generated vmlinux.h: the build must not depend on the build
 * machine's kernel, and a vmlinux.h generated from one pinned Debian kernel
 * would tie the build to a 100 MB download and hide which fields we really
 * depend on.  Each struct below names only the fields the BPF programs read;
 * preserve_access_index makes every access a CO-RE relocation that libbpf
 * resolves against the running kernel's BTF at load time, so offsets come
 * from the kernel we run on, never from this file.
 *
 * A field that moved or was renamed between kernels gets a ___flavour struct
 * here and a bpf_core_field_exists() test at the read.
 */
#ifndef RL_CORE_TYPES_H
#define RL_CORE_TYPES_H
/* we stand in for vmlinux.h: bpf_tracing.h then uses kernel pt_regs names */
#define __VMLINUX_H__

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

/* uapi constants the map definitions need (include/uapi/linux/bpf.h) */
enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
	BPF_MAP_TYPE_RINGBUF = 27,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 };
#define BPF_F_NO_PREALLOC (1U << 0)
enum { BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2 };	/* ringbuf output flags */
enum { BPF_RB_AVAIL_DATA = 0 };				/* bpf_ringbuf_query() */

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

/* x86_64 (arch/x86/include/asm/ptrace.h): bpf_tracing.h's PT_REGS_* read it */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

typedef struct { int counter; } atomic_t;

struct address_space;

struct page {
	struct address_space *mapping;	/* anon_vma | 1 for anonymous folios */
	unsigned int page_type;		/* PGTY_* << 24 for typed folios     */
	atomic_t _refcount;
};

/* A tail page's pointer to its head: compound_head (up to 7.1), renamed
 * compound_info in 7.2, where it holds either head | 1 or, with
 * HUGETLB_PAGE_OPTIMIZE_VMEMMAP, a mask | 1 that turns the tail's address
 * into the head's. */
struct page___compound_head {
	unsigned long compound_head;
};

struct page___compound_info {
	unsigned long compound_info;
};

/* A large folio's order is in the low byte of _flags_1 (its first tail
 * page's flags): folio_large_order(), 6.12 and 7.x. */
struct folio {
	unsigned long _flags_1;
};

/* include/linux/page-flags.h (the same values in 6.12 and 7.x) */
enum pagetype {
	PGTY_hugetlb = 0xf4,
};

struct super_block {
	unsigned long s_magic;
};

struct inode {
	struct super_block *i_sb;
};

struct address_space {
	struct inode *host;
};

struct file {
	void *private_data;
};

struct mm_struct {
	unsigned long task_size;	/* end of the mm's user address space */
};

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	struct mm_struct *vm_mm;
	unsigned long vm_pgoff;
	struct file *vm_file;
};

struct io_mapped_region {		/* 7.x: io_uring/memmap.h */
	struct page **pages;
	void *ptr;
	unsigned int nr_pages;
	unsigned int flags;
};

struct work_struct {
	unsigned long data;
};

struct io_ring_ctx {
	struct work_struct exit_work;	/* only its offset is used */
	struct io_mapped_region ring_region;	/* 7.x */
	struct io_mapped_region sq_region;	/* 7.x */
};

/* io_uring_cmd_to_io_kiocb() is a cast: a command is its request */
struct io_kiocb {
	struct io_ring_ctx *ctx;
};

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

struct io_mapped_ubuf {
	refcount_t refs;		/* clones share one, 7.x and 6.12 */
};

/* 7.x: a table slot; buf is its io_mapped_ubuf for IORING_RSRC_BUFFER.
 * 6.12's io_rsrc_node has no buf (its slots point at the imu). */
struct io_rsrc_node {
	unsigned char type;
	struct io_mapped_ubuf *buf;
};

struct signal_struct {
	atomic_t live;		/* threads not yet in do_exit's group check */
};

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	int exit_code;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct signal_struct *signal;
};

/* sched_process_exec's third argument: the file being run */
struct linux_binprm {
	const char *filename;
};

#pragma clang attribute pop

#endif /* RL_CORE_TYPES_H */
