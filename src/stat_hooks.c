// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stat_hooks.c - the hooks `stat` leaves unattached (stat.h), apart so
 * that tests/unit/test_plan.c proves each names a hook of the table.
 */
#include <stddef.h>
#include "stat.h"

/* What stat_wants() (bpf/stat.bpf.h) does not fold in, whose hooks stay
 * off: page frees (every free of the system), fork copies, splits and
 * zaps of ring VMAs, where a ring mmap lands, inserted pages, arenas,
 * execs, the buffer-ring pins of seed 001, and each unpin (a pin set's
 * end is the release hook's: its UNPIN with RL_UNPIN_F_RELEASED). */
const char *const rl_stat_leave_out[] = {
	"page-free", "vma-copy", "vma-split", "vma-zap", "mmap-area", "insert-pages",
	"arena-area", "arena-window", "proc-exec", "bufring-pin", "bufring-unpin",
	"bufring-release", "unpin-folio", "unpin-page", "unpin-pages", NULL,
};
