// SPDX-License-Identifier: GPL-2.0
/*
 * ring_hold - a ring whose process outlives the command that started it:
 * setup and map a ring, say so, keep it open for MS milliseconds, then
 * tear it down.  Run in the background by a `check` command that exits at
 * once, its ring is alive at the settle deadline, held by a running
 * process (the rings-alive explanation's "held" case).  Clean otherwise.
 *
 * usage: ring_hold [MS]   (default 5000)
 */
#include <stdlib.h>
#include <unistd.h>
#include "wl_common.h"

int main(int argc, char **argv)
{
	unsigned int ms = argc > 1 ? strtoul(argv[1], NULL, 0) : 5000;
	struct wl_ring r;

	wl_init("ring_hold");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_gt("holding pid=%d ms=%u", (int)getpid(), ms);
	wl_sleep_ms(ms);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
