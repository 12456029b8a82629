// SPDX-License-Identifier: GPL-2.0
/*
 * page_churn [MIB] [LOOPS] - benchmark load for ringledger's page-free path,
 * no io_uring: LOOPS times (default 4), mmap MIB MiB (default 1024) of
 * anonymous memory, write one byte per 4 KiB, munmap.  Every page goes
 * through allocation and kmem:mm_page_free, which ringledger filters in BPF
 * against its tracked pfns; compare the elapsed time with and without the
 * tool attached.  The region is MADV_NOHUGEPAGE so every 4 KiB page is its own
 * allocation and free.  Prints "GT churn mib=.. loops=.. seconds=..".
 */
#include <stdlib.h>
#include <sys/mman.h>
#include "wl_common.h"

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	unsigned long loops = argc > 2 ? strtoul(argv[2], NULL, 0) : 4;
	size_t len, off;
	unsigned long i;
	double t0, dt;

	wl_init("page_churn");
	if (!mib || !loops)
		wl_die_err(0, "usage: page_churn [MIB>0] [LOOPS>0]");
	len = (size_t)mib << 20;

	t0 = wl_now();
	for (i = 0; i < loops; i++) {
		volatile unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			wl_die("mmap %lu MiB", mib);
		/* Best effort: kernels without THP refuse the advice. */
		(void)madvise((void *)p, len, MADV_NOHUGEPAGE);
		for (off = 0; off < len; off += 4096)
			p[off] = (unsigned char)(off >> 12);
		if (munmap((void *)p, len))
			wl_die("munmap");
	}
	dt = wl_now() - t0;
	wl_gt("churn mib=%lu loops=%lu seconds=%.3f pages=%lu mib_per_s=%.1f",
	      mib, loops, dt, (unsigned long)(len / 4096) * loops,
	      dt > 0 ? (double)(mib * loops) / dt : 0.0);
	return 0;
}
