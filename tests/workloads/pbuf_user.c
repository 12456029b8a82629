// SPDX-License-Identifier: GPL-2.0
/*
 * pbuf_user [ENTRIES] - a provided-buffer ring in user memory (no
 * IOU_PBUF_RING_MMAP): posix_memalign'd page-aligned memory, register (the
 * kernel long-term pins the pages: io_pin_pages), publish a buffer and have a
 * READ consume it, unregister (unpin_user_pages), touch and free the memory.
 * Clean: every pin is dropped at unregister.
 */
#include <stdlib.h>
#include <string.h>
#include "wl_common.h"

#define BGID 2

int main(int argc, char **argv)
{
	unsigned entries = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 8;
	struct wl_ring r;
	size_t len;
	void *mem;
	int ret;

	wl_init("pbuf_user");
	if (!entries || (entries & (entries - 1)) || entries >= 65536)
		wl_die_err(0, "ENTRIES must be a power of two below 65536");

	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);

	len = wl_pbuf_ring_len(entries);
	ret = posix_memalign(&mem, wl_page_size(), len);
	if (ret)
		wl_die_err(ret, "posix_memalign %zu", len);
	memset(mem, 0, len);
	wl_gt("user_ring addr=%p len=%zu", mem, len);

	ret = wl_pbuf_register(&r, BGID, entries, 0, mem);
	if (ret == -EINVAL)
		wl_skip("IORING_REGISTER_PBUF_RING refused (EINVAL): kernel too old");
	if (ret)
		wl_die_err(-ret, "IORING_REGISTER_PBUF_RING bgid %u", BGID);
	wl_pbuf_use(&r, mem, entries, BGID);
	ret = wl_pbuf_unregister(&r, BGID, "(pins dropped)");
	if (ret)
		wl_die_err(-ret, "IORING_UNREGISTER_PBUF_RING bgid %u", BGID);

	memset(mem, 0x5a, len);
	wl_gt("free addr=%p len=%zu", mem, len);
	free(mem);

	wl_nop(&r, 0x2);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
