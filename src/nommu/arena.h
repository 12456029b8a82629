/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* arena.h - the NOMMU build's malloc (arena.c): memory taken up front. */
#ifndef RL_NOMMU_ARENA_H
#define RL_NOMMU_ARENA_H

#include <stddef.h>

/* Map a fresh chunk now unless bytes are left in the current one: what
 * the run allocates later then needs no mmap.  0, or -1. */
int rl_arena_reserve(size_t bytes);

#endif
