/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * btf.h - the byte offset of a struct member, from a kernel's BTF
 * (/sys/kernel/btf/vmlinux): what libbpf's CO-RE relocations give the MMU
 * build, for the NOMMU loader, which has no libbpf.  Members of anonymous
 * structs and unions are found through them, as C names them.
 */
#ifndef RL_NOMMU_BTF_H
#define RL_NOMMU_BTF_H

#include <stddef.h>
#include <stdint.h>

struct rl_btf;

/* Parse raw BTF (the whole blob is copied); NULL when it is not BTF. */
struct rl_btf *rl_btf_parse(const void *data, size_t len);
/* Read and parse a raw BTF file; NULL with errno set. */
struct rl_btf *rl_btf_load(const char *path);
void rl_btf_free(struct rl_btf *b);
/* The size of struct (or union) name: 0 and *size set, or -1. */
int rl_btf_struct_size(const struct rl_btf *b, const char *name, uint32_t *size);
/* The byte offset of member of struct (or union) name: 0 and *off set, or
 * -1 when no such struct, no such member, or it is a bitfield. */
int rl_btf_member_offset(const struct rl_btf *b, const char *name, const char *member,
			 uint32_t *off);

#endif /* RL_NOMMU_BTF_H */
