// SPDX-License-Identifier: GPL-2.0
/*
 * seed000 - seed 000's scenario on its own ground, a NOMMU kernel.
 *
 * Without an MMU, mmap of a kernel-allocated provided-buffer ring
 * (IOU_PBUF_RING_MMAP) hands user space the kernel's own pages: the VMA
 * aliases the region.  Before the fix in seeds/000_*.txt, io_uring_mmap()
 * took no page reference for that VMA, so unregistering the ring while it
 * was mapped returned its pages to the allocator under the mapping.
 *
 *   1. a ring, provided-buffer ring A (bgid 1) allocated by the kernel, mmap
 *      it (MAP_SHARED: on NOMMU the address is the region's kernel address);
 *   2. fill the mapping, unregister A while it is mapped (then, given
 *      "seed000 MS", sleep MS milliseconds: on this one CPU, time for a
 *      tool that reads the kernel's events from user space to say what it
 *      saw before step 4 takes the kernel down);
 *   3. write the whole mapping again (a use after free when the page went);
 *   4. at once, provided-buffer ring B (bgid 2) on the same ring, mmap it:
 *      when A's page was freed, B's one-page region is the next order-0
 *      allocation on this CPU and gets it back, and B's mapping starts where
 *      A's still is, which mm/nommu.c's add_nommu_region() meets with BUG();
 *   5. munmap both, close the ring.
 *
 * With the fix, A's page lives until its munmap, B gets another and the run
 * ends with "GT done".  Output: the GT lines of tests/workloads/README.md.
 */
#include <linux/types.h>
#include "rt.h"
#include "../workloads/uring.h"

#define BGID	1
#define ENTRIES	8		/* 8 x 16 bytes: one page */
#define PAGE	4096UL

#define PROT_RW		3
#define MAP_SHARED	1

static void die(const char *what, long err)
{
	rt_puts("seed000: ");
	rt_puts(what);
	rt_puts(": errno ");
	rt_put_dec(-err);
	rt_puts("\n");
	rt_exit(1);
}

/* register provided-buffer ring BGID (the kernel allocates it) and map it */
static void pbuf_map(long fd, const char *name, unsigned bgid, unsigned long *addr)
{
	struct rlw_buf_reg reg;
	long ret;
	unsigned long off = RLW_OFF_PBUF_RING | ((unsigned long)bgid << RLW_OFF_PBUF_SHIFT);

	memset(&reg, 0, sizeof(reg));
	reg.ring_entries = ENTRIES;
	reg.bgid = (uint16_t)bgid;
	reg.flags = RLW_PBUF_RING_MMAP;
	ret = sys4(NR_io_uring_register, fd, RLW_REGISTER_PBUF_RING, &reg, 1);
	if (ret < 0)
		die("IORING_REGISTER_PBUF_RING", ret);
	rt_puts("GT pbuf_register bgid=");
	rt_put_dec(bgid);
	rt_puts(" ret=0 entries=8\n");
	*addr = (unsigned long)sys6(NR_mmap, 0, PAGE, PROT_RW, MAP_SHARED, fd, (long)off);
	if ((long)*addr < 0 && (long)*addr > -4096)
		die("mmap of the provided-buffer ring", (long)*addr);
	rt_puts("GT mmap kind=pbuf name=");
	rt_puts(name);
	rt_puts(" addr=");
	rt_put_hex(*addr);
	rt_puts(" len=4096 off=");
	rt_put_hex(off);
	rt_puts(" vma_len=4096\n");
}

int main(int argc, char **argv, char **envp)
{
	struct rlw_params p;
	struct rlw_buf_reg reg;
	unsigned long a, b, i, pause_ms = 0;
	long fd, ret;

	(void)envp;
	for (i = 0; argc > 1 && argv[1][i] >= '0' && argv[1][i] <= '9'; i++)
		pause_ms = pause_ms * 10 + (unsigned long)(argv[1][i] - '0');
	memset(&p, 0, sizeof(p));
	fd = sys2(NR_io_uring_setup, 8, &p);
	if (fd < 0)
		die("io_uring_setup", fd);
	rt_puts("GT ring fd=");
	rt_put_dec(fd);
	rt_puts("\n");
	pbuf_map(fd, "A", BGID, &a);
	for (i = 0; i < PAGE; i++)
		((volatile unsigned char *)a)[i] = 0xa5;

	memset(&reg, 0, sizeof(reg));
	reg.bgid = BGID;
	ret = sys4(NR_io_uring_register, fd, RLW_UNREGISTER_PBUF_RING, &reg, 1);
	if (ret < 0)
		die("IORING_UNREGISTER_PBUF_RING", ret);
	rt_puts("GT pbuf_unregister bgid=1 ret=0 (still mapped)\n");
	if (pause_ms) {
		long ts[2] = { (long)(pause_ms / 1000), (long)(pause_ms % 1000) * 1000000L };

		sys2(NR_nanosleep, (long)ts, 0);
		rt_puts("GT pause ms=");
		rt_put_dec((long)pause_ms);
		rt_puts("\n");
	}

	for (i = 0; i < PAGE; i++)
		((volatile unsigned char *)a)[i] = 0x5a;
	rt_puts("GT write addr=");
	rt_put_hex(a);
	rt_puts(" len=4096 (after the unregister)\n");

	pbuf_map(fd, "B", BGID + 1, &b);
	if (b == a)
		rt_puts("GT alias B mapped at A's address: A's page was freed under A's mapping\n");

	sys2(NR_munmap, a, PAGE);
	rt_puts("GT munmap addr=");
	rt_put_hex(a);
	rt_puts(" len=4096 kind=pbuf vma_len=4096\n");
	sys2(NR_munmap, b, PAGE);
	sys1(NR_close, fd);
	rt_puts("GT close fd=");
	rt_put_dec(fd);
	rt_puts("\nGT done\n");
	return 0;
}
