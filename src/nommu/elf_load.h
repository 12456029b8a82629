/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * elf_load.h - a BPF object loaded by raw bpf(2), without libbpf: the
 * NOMMU build's loader (libbpf's light skeleton cannot run there: its
 * loader program needs BPF_PROG_RUN of a syscall program, a stub without
 * CONFIG_NET, and reads through NULL, which Oopses a kernel without an
 * MMU).  It knows the subset bpf/nommu.h describes: maps in section
 * "nommu.maps", one program per section (kprobe/, kretprobe/, raw_tp/),
 * map relocations only.
 *
 * rl_bpf_obj_open() only reads the file (a host can test it);
 * rl_bpf_obj_load() creates the maps and loads the programs.
 */
#ifndef RL_NOMMU_ELF_LOAD_H
#define RL_NOMMU_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include "nommu.h"

#define RL_BPF_NAME_LEN	64

struct rl_bpf_reloc {
	uint32_t insn;		/* index of the ld_imm64 to patch */
	uint32_t map;		/* index into maps[]              */
};

struct rl_bpf_prog {
	char sec[128];		/* its section: the attach point  */
	char name[RL_BPF_NAME_LEN];	/* its function            */
	size_t shndx;		/* where it lies in the object    */
	uint64_t sec_off;
	uint32_t type;		/* enum bpf_prog_type              */
	uint64_t *insns;	/* struct bpf_insn, 8 bytes each   */
	size_t nr_insns;
	struct rl_bpf_reloc *relocs;
	size_t nr_relocs;
	int fd;
};

struct rl_bpf_map {
	char name[RL_BPF_NAME_LEN];
	struct rl_nommu_map def;
	int fd;
};

struct rl_bpf_obj {
	struct rl_bpf_prog *progs;
	size_t nr_progs;
	struct rl_bpf_map *maps;
	size_t nr_maps;
	char license[64];
};

/* Parse the object in memory (8-byte aligned); 0, or -1 with the reason
 * in err. */
int rl_bpf_obj_parse(const void *elf, size_t len, struct rl_bpf_obj *o, char *err, size_t errlen);
/* Parse the object at path; 0, or -1 with the reason in err. */
int rl_bpf_obj_open(const char *path, struct rl_bpf_obj *o, char *err, size_t errlen);
/* Create the maps, patch and load the programs; 0, or -1 with the reason
 * (the verifier's log's last lines for a program it refused) in err. */
int rl_bpf_obj_load(struct rl_bpf_obj *o, char *err, size_t errlen);
void rl_bpf_obj_close(struct rl_bpf_obj *o);
const struct rl_bpf_map *rl_bpf_obj_map(const struct rl_bpf_obj *o, const char *name);

/* bpf(2) */
long rl_bpf(int cmd, void *attr, unsigned int size);
/* printf into err (errlen bytes); returns -1, for `return rl_nommu_fail(...)` */
int rl_nommu_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* RL_NOMMU_ELF_LOAD_H */
