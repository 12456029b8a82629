// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_nommu_loader.c - the NOMMU build's loader on the host, no kernel:
 *   - src/nommu/btf.c finds in clang's BTF of nommu_btf_fixture.h the
 *     offsets the host compiler gives (through anonymous unions and
 *     structs), refuses a bitfield, a member of a named inner struct, an
 *     unknown struct, and a blob that is not BTF;
 *   - src/nommu/elf_load.c reads bpf/nommu.bpf.c's object: every program
 *     a known kind with one function, every relocation a 64-bit load of a
 *     map, every map used, the event queue and cfg sized from the headers;
 *     it refuses a file that is not a BPF object and a cut one.
 * Files: the fixture's raw BTF and the NOMMU object the Makefile built
 * (RL_FX_BTF, RL_NOMMU_OBJ), or the two arguments.
 */
#include <stddef.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "tests.h"
#include "btf.h"
#include "elf_load.h"
#include "nommu_btf_fixture.h"

static void test_btf(const char *path)
{
	struct rl_btf *b = rl_btf_load(path);
	uint32_t off = 12345;
	char junk[64] = "not BTF at all";

	if (!T_OK(b, "the fixture's BTF parses"))
		return;
#define OFF(m) do {								\
	off = 12345;								\
	T_EQ_I("offset of " #m, rl_btf_member_offset(b, "rl_fx_vma", #m, &off), 0);	\
	T_EQ_U("  ... is offsetof(" #m ")", off, offsetof(struct rl_fx_vma, m));	\
} while (0)
	OFF(first);
	OFF(vm_start);		/* in a struct in a union, both anonymous */
	OFF(vm_end);
	OFF(pad);
	OFF(after_bits);
	OFF(named);
	OFF(c);
	OFF(deep);		/* three anonymous levels down */
#undef OFF
	T_EQ_I("a bitfield has no byte offset", rl_btf_member_offset(b, "rl_fx_vma", "bits", &off), -1);
	T_EQ_I("a named inner struct's member is not the outer's",
	       rl_btf_member_offset(b, "rl_fx_vma", "inner", &off), -1);
	T_EQ_I("no such member", rl_btf_member_offset(b, "rl_fx_vma", "vm_pgoff", &off), -1);
	T_EQ_I("no such struct", rl_btf_member_offset(b, "io_ring_ctx", "ring_region", &off), -1);
	rl_btf_free(b);
	T_OK(!rl_btf_parse(junk, sizeof(junk)), "a blob that is not BTF is refused");
}

static void test_obj(const char *path)
{
	struct rl_bpf_obj o;
	char err[512] = "", cut[] = "/tmp/rl-nommu-cut.XXXXXX";
	size_t i, j, used = 0, bad_relocs = 0, bad_progs = 0;
	const struct rl_bpf_map *m;
	FILE *in, *out;
	char buf[4096];
	size_t n;
	int fd;

	if (!T_OK(!rl_bpf_obj_open(path, &o, err, sizeof(err)), "the NOMMU object parses")) {
		printf("#   %s\n", err);
		return;
	}
	T_OK(o.nr_progs >= 10, "it has the programs");
	T_EQ_STR("its license", o.license, "GPL");
	for (i = 0; i < o.nr_progs; i++) {
		const struct rl_bpf_prog *p = &o.progs[i];
		uint32_t want = !strncmp(p->sec, "raw_tp/", 7) ? BPF_PROG_TYPE_RAW_TRACEPOINT
			      : !strncmp(p->sec, "tracepoint/", 11) ? BPF_PROG_TYPE_TRACEPOINT
			      : BPF_PROG_TYPE_KPROBE;

		if (!p->name[0] || p->type != want || !p->nr_insns)
			bad_progs++;
		for (j = 0; j < p->nr_relocs; j++) {
			const struct bpf_insn *insn = (const struct bpf_insn *)p->insns + p->relocs[j].insn;

			if (p->relocs[j].insn + 1 >= p->nr_insns || insn->code != (BPF_LD | BPF_IMM | BPF_DW) ||
			    p->relocs[j].map >= o.nr_maps)
				bad_relocs++;
		}
	}
	T_EQ_U("every program: a name, its kind's type, code", bad_progs, 0);
	T_EQ_U("every relocation: a 64-bit load of a map", bad_relocs, 0);
	for (i = 0; i < o.nr_maps; i++) {
		bool found = false;

		for (j = 0; j < o.nr_progs && !found; j++) {
			size_t k;

			for (k = 0; k < o.progs[j].nr_relocs; k++)
				found |= o.progs[j].relocs[k].map == i;
		}
		used += found;
	}
	T_EQ_U("every map is used by a program", used, o.nr_maps);
	m = rl_bpf_obj_map(&o, "events");
	T_OK(m && m->def.type == BPF_MAP_TYPE_QUEUE && m->def.key_size == 0 &&
	     m->def.value_size == sizeof(struct rl_event), "events: a queue of struct rl_event");
	m = rl_bpf_obj_map(&o, "cfg");
	T_OK(m && m->def.type == BPF_MAP_TYPE_ARRAY && m->def.value_size == sizeof(struct rl_nommu_cfg),
	     "cfg: one struct rl_nommu_cfg");
	T_OK(!rl_bpf_obj_map(&o, "ringbuf"), "no ring buffer map (a NOMMU kernel BUG()s creating one)");
	for (i = 0; i < o.nr_maps; i++)
		if (o.maps[i].def.type == BPF_MAP_TYPE_RINGBUF)
			T_OK(0, "no map is a ring buffer");
	rl_bpf_obj_close(&o);

	T_OK(rl_bpf_obj_open("/proc/self/exe", &o, err, sizeof(err)) != 0 &&
	     strstr(err, "not a 64-bit BPF ELF object"), "a host binary is refused");
	/* the first 4 KiB of the object: its section table is cut off */
	fd = mkstemp(cut);
	in = fopen(path, "rb");
	out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	T_OK(rl_bpf_obj_open(cut, &o, err, sizeof(err)) != 0, "a cut object is refused");
	unlink(cut);
}

int main(int argc, char **argv)
{
	test_btf(argc > 2 ? argv[1] : RL_FX_BTF);
	test_obj(argc > 2 ? argv[2] : RL_NOMMU_OBJ);
	return t_done();
}
