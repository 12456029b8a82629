// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * elf_load.c - a BPF object by raw bpf(2) (see elf_load.h).
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include "elf_load.h"

#ifndef R_BPF_64_64
#define R_BPF_64_64	1
#endif

long rl_bpf(int cmd, void *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

int rl_nommu_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct { const char *prefix; uint32_t type; } prog_kinds[] = {
	{ "kprobe/",	 BPF_PROG_TYPE_KPROBE },
	{ "kretprobe/",	 BPF_PROG_TYPE_KPROBE },
	{ "raw_tp/",	 BPF_PROG_TYPE_RAW_TRACEPOINT },
};

static int prog_type(const char *sec, uint32_t *type)
{
	size_t i;

	for (i = 0; i < sizeof(prog_kinds) / sizeof(prog_kinds[0]); i++)
		if (!strncmp(sec, prog_kinds[i].prefix, strlen(prog_kinds[i].prefix))) {
			*type = prog_kinds[i].type;
			return 0;
		}
	return -1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(buf = malloc(n ? n : 1)) || fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* the ELF file's section i, checked to lie inside it */
static const Elf64_Shdr *section(const char *elf, size_t len, size_t i)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(elf + eh->e_shoff) + i;

	if (i >= eh->e_shnum)
		return NULL;
	if (sh->sh_type != SHT_NOBITS && (sh->sh_offset > len || sh->sh_size > len - sh->sh_offset))
		return NULL;
	return sh;
}

static int parse(const char *elf, size_t len, struct rl_bpf_obj *o, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)elf;
	const Elf64_Shdr *shstr, *symtab = NULL, *strtab, *maps = NULL, *sh;
	const Elf64_Sym *syms;
	size_t i, j, nsyms, maps_idx = 0;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_BPF ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
	    (len - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum ||
	    !(shstr = section(elf, len, eh->e_shstrndx)))
		return rl_nommu_fail(err, errlen, "not a 64-bit BPF ELF object");
#define SEC_NAME(s) ((s)->sh_name < shstr->sh_size ? elf + shstr->sh_offset + (s)->sh_name : "")
	for (i = 1; i < eh->e_shnum; i++) {
		if (!(sh = section(elf, len, i)))
			return rl_nommu_fail(err, errlen, "section %zu lies outside the file", i);
		if (sh->sh_type == SHT_SYMTAB)
			symtab = sh;
		else if (!strcmp(SEC_NAME(sh), RL_NOMMU_MAP_SECTION)) {
			maps = sh;
			maps_idx = i;
		} else if (!strcmp(SEC_NAME(sh), "license"))
			snprintf(o->license, sizeof(o->license), "%.*s",
				 (int)sh->sh_size, elf + sh->sh_offset);
	}
	if (!symtab || !(strtab = section(elf, len, symtab->sh_link)) || !maps || !o->license[0])
		return rl_nommu_fail(err, errlen, "no symbol table, no %s section or no license",
			    RL_NOMMU_MAP_SECTION);
	syms = (const Elf64_Sym *)(elf + symtab->sh_offset);
	nsyms = symtab->sh_size / sizeof(*syms);
#define SYM_NAME(s) ((s)->st_name < strtab->sh_size ? elf + strtab->sh_offset + (s)->st_name : "")

	/* the maps: every object symbol of the maps section */
	for (i = 0; i < nsyms; i++) {
		struct rl_bpf_map *m;

		if (syms[i].st_shndx != maps_idx || ELF64_ST_TYPE(syms[i].st_info) != STT_OBJECT)
			continue;
		if (syms[i].st_size != sizeof(struct rl_nommu_map) ||
		    syms[i].st_value > maps->sh_size - sizeof(struct rl_nommu_map))
			return rl_nommu_fail(err, errlen, "map %s is not a struct rl_nommu_map", SYM_NAME(&syms[i]));
		m = realloc(o->maps, (o->nr_maps + 1) * sizeof(*m));
		if (!m)
			return rl_nommu_fail(err, errlen, "out of memory");
		o->maps = m;
		m = &o->maps[o->nr_maps++];
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		snprintf(m->name, sizeof(m->name), "%s", SYM_NAME(&syms[i]));
		memcpy(&m->def, elf + maps->sh_offset + syms[i].st_value, sizeof(m->def));
	}

	/* the programs: every function of an executable section, which names
	 * its kind and attach point */
	for (i = 1; i < eh->e_shnum; i++) {
		uint32_t type;

		sh = section(elf, len, i);
		if (sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_EXECINSTR) || !sh->sh_size)
			continue;
		if (prog_type(SEC_NAME(sh), &type))
			return rl_nommu_fail(err, errlen, "section %s: not a kind of program this loader attaches "
				    "(kprobe/, kretprobe/, raw_tp/)", SEC_NAME(sh));
		for (j = 0; j < nsyms; j++) {
			const Elf64_Sym *fn = &syms[j];
			struct rl_bpf_prog *p;

			if (fn->st_shndx != i || ELF64_ST_TYPE(fn->st_info) != STT_FUNC)
				continue;
			if (fn->st_value % 8 || fn->st_size % 8 || !fn->st_size ||
			    fn->st_value > sh->sh_size || fn->st_size > sh->sh_size - fn->st_value)
				return rl_nommu_fail(err, errlen, "%s: function %s lies outside its section",
					    SEC_NAME(sh), SYM_NAME(fn));
			if (ELF64_ST_BIND(fn->st_info) != STB_GLOBAL)
				return rl_nommu_fail(err, errlen, "%s: static function %s: a call between programs "
					    "needs libbpf (make it __always_inline)", SEC_NAME(sh), SYM_NAME(fn));
			p = realloc(o->progs, (o->nr_progs + 1) * sizeof(*p));
			if (!p)
				return rl_nommu_fail(err, errlen, "out of memory");
			o->progs = p;
			p = &o->progs[o->nr_progs++];
			memset(p, 0, sizeof(*p));
			p->fd = -1;
			p->type = type;
			p->shndx = i;
			p->sec_off = fn->st_value;
			snprintf(p->sec, sizeof(p->sec), "%s", SEC_NAME(sh));
			snprintf(p->name, sizeof(p->name), "%s", SYM_NAME(fn));
			p->nr_insns = fn->st_size / 8;
			p->insns = malloc(fn->st_size);
			if (!p->insns)
				return rl_nommu_fail(err, errlen, "out of memory");
			memcpy(p->insns, elf + sh->sh_offset + fn->st_value, fn->st_size);
		}
	}

	/* relocations: each must load a map's address, in one program */
	for (i = 1; i < eh->e_shnum; i++) {
		const Elf64_Rel *rel;
		const Elf64_Shdr *target;

		sh = section(elf, len, i);
		if (sh->sh_type != SHT_REL || !(target = section(elf, len, sh->sh_info)) ||
		    !(target->sh_flags & SHF_EXECINSTR))
			continue;	/* debug sections' relocations */
		rel = (const Elf64_Rel *)(elf + sh->sh_offset);
		for (j = 0; j < sh->sh_size / sizeof(*rel); j++) {
			size_t s = ELF64_R_SYM(rel[j].r_info), k;
			struct rl_bpf_prog *p = NULL;
			struct rl_bpf_reloc *r;
			uint32_t map = UINT32_MAX;
			uint64_t at = rel[j].r_offset;

			for (k = 0; k < o->nr_progs; k++)
				if (o->progs[k].shndx == sh->sh_info && at >= o->progs[k].sec_off &&
				    at < o->progs[k].sec_off + o->progs[k].nr_insns * 8)
					p = &o->progs[k];
			if (!p || s >= nsyms || ELF64_R_TYPE(rel[j].r_info) != R_BPF_64_64 || at % 8 ||
			    (at - p->sec_off) / 8 + 1 >= p->nr_insns)
				return rl_nommu_fail(err, errlen, "%s: a relocation this loader cannot do "
					    "(type %u at %#llx, symbol %s)", SEC_NAME(target),
					    (unsigned)ELF64_R_TYPE(rel[j].r_info), (unsigned long long)at,
					    s < nsyms ? SYM_NAME(&syms[s]) : "?");
			for (k = 0; k < o->nr_maps; k++)
				if (!strcmp(o->maps[k].name, SYM_NAME(&syms[s])))
					map = k;
			if (map == UINT32_MAX || syms[s].st_shndx != maps_idx)
				return rl_nommu_fail(err, errlen, "%s: relocation against %s, which is not a map "
					    "(global data needs libbpf)", p->sec, SYM_NAME(&syms[s]));
			r = realloc(p->relocs, (p->nr_relocs + 1) * sizeof(*r));
			if (!r)
				return rl_nommu_fail(err, errlen, "out of memory");
			p->relocs = r;
			p->relocs[p->nr_relocs].insn = (at - p->sec_off) / 8;
			p->relocs[p->nr_relocs++].map = map;
		}
	}
	if (!o->nr_progs)
		return rl_nommu_fail(err, errlen, "no programs");
	return 0;
#undef SEC_NAME
#undef SYM_NAME
}

int rl_bpf_obj_parse(const void *elf, size_t len, struct rl_bpf_obj *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	if (parse(elf, len, o, err, errlen)) {
		rl_bpf_obj_close(o);
		return -1;
	}
	return 0;
}

int rl_bpf_obj_open(const char *path, struct rl_bpf_obj *o, char *err, size_t errlen)
{
	size_t len;
	char *elf;
	int ret;

	memset(o, 0, sizeof(*o));
	elf = read_file(path, &len);
	if (!elf)
		return rl_nommu_fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
	ret = rl_bpf_obj_parse(elf, len, o, err, errlen);
	free(elf);
	return ret;
}

const struct rl_bpf_map *rl_bpf_obj_map(const struct rl_bpf_obj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->nr_maps; i++)
		if (!strcmp(o->maps[i].name, name))
			return &o->maps[i];
	return NULL;
}

/* the last lines of a verifier log, on one line */
static void log_tail(char *dst, size_t len, const char *log)
{
	size_t n = strlen(log), i;
	int lines = 0;

	while (n && log[n - 1] == '\n')
		n--;
	for (i = n; i > 0; i--)
		if (log[i - 1] == '\n' && ++lines == 3)
			break;
	snprintf(dst, len, "%.*s", (int)(n - i), log + i);
	for (i = 0; dst[i]; i++)
		if (dst[i] == '\n')
			dst[i] = '|';
}

int rl_bpf_obj_load(struct rl_bpf_obj *o, char *err, size_t errlen)
{
	static char log[1 << 16];
	union bpf_attr a;
	size_t i, j;

	for (i = 0; i < o->nr_maps; i++) {
		struct rl_bpf_map *m = &o->maps[i];

		memset(&a, 0, sizeof(a));
		a.map_type = m->def.type;
		a.key_size = m->def.key_size;
		a.value_size = m->def.value_size;
		a.max_entries = m->def.max_entries;
		a.map_flags = m->def.flags;
		snprintf(a.map_name, sizeof(a.map_name), "%.15s", m->name);
		m->fd = rl_bpf(BPF_MAP_CREATE, &a, sizeof(a));
		if (m->fd < 0)
			return rl_nommu_fail(err, errlen, "map %s (type %u): BPF_MAP_CREATE: %s", m->name,
				    m->def.type, strerror(errno));
	}
	for (i = 0; i < o->nr_progs; i++) {
		struct rl_bpf_prog *p = &o->progs[i];

		for (j = 0; j < p->nr_relocs; j++) {
			struct bpf_insn *insn = (struct bpf_insn *)p->insns + p->relocs[j].insn;

			if (insn->code != (BPF_LD | BPF_IMM | BPF_DW))
				return rl_nommu_fail(err, errlen, "%s: relocation at insn %u is not a 64-bit load",
					    p->sec, p->relocs[j].insn);
			insn->src_reg = BPF_PSEUDO_MAP_FD;
			insn->imm = o->maps[p->relocs[j].map].fd;
		}
		memset(&a, 0, sizeof(a));
		a.prog_type = p->type;
		a.insns = (uintptr_t)p->insns;
		a.insn_cnt = p->nr_insns;
		a.license = (uintptr_t)o->license;
		snprintf(a.prog_name, sizeof(a.prog_name), "%.15s", p->name);
		p->fd = rl_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		if (p->fd < 0) {
			/* again with the verifier's log, for the reason */
			a.log_buf = (uintptr_t)log;
			a.log_size = sizeof(log);
			a.log_level = 1;
			log[0] = 0;
			rl_bpf(BPF_PROG_LOAD, &a, sizeof(a));
		}
		if (p->fd < 0) {
			char tail[512];
			int e = errno;

			log_tail(tail, sizeof(tail), log);
			return rl_nommu_fail(err, errlen, "program %s (%s): BPF_PROG_LOAD: %s: %s", p->name, p->sec,
				    strerror(e), tail[0] ? tail : "(no verifier log)");
		}
	}
	return 0;
}

void rl_bpf_obj_close(struct rl_bpf_obj *o)
{
	size_t i;

	for (i = 0; i < o->nr_progs; i++) {
		if (o->progs[i].fd >= 0)
			close(o->progs[i].fd);
		free(o->progs[i].insns);
		free(o->progs[i].relocs);
	}
	for (i = 0; i < o->nr_maps; i++)
		if (o->maps[i].fd >= 0)
			close(o->maps[i].fd);
	free(o->progs);
	free(o->maps);
	memset(o, 0, sizeof(*o));
}
