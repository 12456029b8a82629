// SPDX-License-Identifier: GPL-2.0
/*
 * probe queue|ringbuf - which BPF transport works without an MMU.
 *
 * "queue": a queue map written and read by syscalls alone (the transport of
 * the NOMMU build):  GT queue push=0 pop=0 value=0x5eed000, exit 0.
 *
 * "ringbuf": create a ring buffer map, the transport of the MMU build, and
 * map its consumer page MAP_SHARED as libbpf's reader does:
 *   GT ringbuf_create ret=FD
 *   GT ringbuf_mmap_shared ret=-ERRNO | addr=0x...
 * Measured on Debian's 7.3.4 built for riscv64 without MMU: the create never
 * returns.  ringbuf_map_alloc() calls vmap(), which mm/nommu.c implements as
 * BUG(): "kernel BUG at mm/nommu.c:310", and the kernel panics.  So the
 * NOMMU build must never create one (tests/nommu/test.sh keeps measuring).
 */
#include "rt.h"

#define BPF_MAP_CREATE			0
#define BPF_MAP_UPDATE_ELEM		2
#define BPF_MAP_LOOKUP_AND_DELETE_ELEM	21
#define BPF_MAP_TYPE_QUEUE		22
#define BPF_MAP_TYPE_RINGBUF		27

struct map_create {
	uint32_t map_type, key_size, value_size, max_entries, map_flags;
	uint32_t pad[27];
};

struct map_elem {
	uint32_t map_fd, pad;
	uint64_t key, value, flags;
};

static long map_create(uint32_t type, uint32_t vsize, uint32_t max)
{
	struct map_create a;

	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.value_size = vsize;
	a.max_entries = max;
	return sys3(NR_bpf, BPF_MAP_CREATE, &a, sizeof(a));
}

static int ringbuf(void)
{
	long fd, addr;

	fd = map_create(BPF_MAP_TYPE_RINGBUF, 0, 4096 * 4);
	rt_puts("GT ringbuf_create ret=");
	rt_put_dec(fd);
	rt_puts("\n");
	if (fd < 0)
		return 1;
	/* the consumer page, as libbpf maps it: shared, read-write */
	addr = sys6(NR_mmap, 0, 4096, 3, 1, fd, 0);
	rt_puts("GT ringbuf_mmap_shared ");
	if (addr < 0 && addr > -4096) {
		rt_puts("ret=");
		rt_put_dec(addr);
	} else {
		rt_puts("addr=");
		rt_put_hex((unsigned long)addr);
	}
	rt_puts("\n");
	return addr < 0 && addr > -4096 ? 1 : 0;
}

static int queue(void)
{
	struct map_elem e;
	uint64_t in = 0x5eed000, out = 0;
	long fd, push, pop;

	fd = map_create(BPF_MAP_TYPE_QUEUE, 8, 16);
	if (fd < 0) {
		rt_puts("GT queue create=");
		rt_put_dec(fd);
		rt_puts("\n");
		return 1;
	}
	memset(&e, 0, sizeof(e));
	e.map_fd = (uint32_t)fd;
	e.value = (uint64_t)(unsigned long)&in;
	push = sys3(NR_bpf, BPF_MAP_UPDATE_ELEM, &e, sizeof(e));
	e.value = (uint64_t)(unsigned long)&out;
	pop = sys3(NR_bpf, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &e, sizeof(e));
	rt_puts("GT queue push=");
	rt_put_dec(push);
	rt_puts(" pop=");
	rt_put_dec(pop);
	rt_puts(" value=");
	rt_put_hex(out);
	rt_puts("\n");
	return push == 0 && pop == 0 && out == in ? 0 : 1;
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc == 2 && rt_streq(argv[1], "queue"))
		return queue();
	if (argc == 2 && rt_streq(argv[1], "ringbuf"))
		return ringbuf();
	rt_puts("usage: probe queue|ringbuf\n");
	return 2;
}
