/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ksyms.h - kernel addresses to "function+0xoff", from /proc/kallsyms. */
#ifndef RL_KSYMS_H
#define RL_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rl_ksyms;

/* NULL path: /proc/kallsyms.  NULL on failure (errno set). */
struct rl_ksyms *rl_ksyms_load(const char *path);
void rl_ksyms_free(struct rl_ksyms *k);
/* "func+0x1a/0x80", or the hex address when unknown; returns buf. */
const char *rl_ksyms_format(const struct rl_ksyms *k, uint64_t addr, char *buf, size_t len);

/* The table read at its first use: a report without a stack to print
 * never reads /proc/kallsyms (about 0.4 s a run under emulation).  Zero
 * it, set path (NULL: /proc/kallsyms), give it as the cookie of
 * rl_ksyms_lazy_symbolize, which returns NULL, the address printed, when
 * the table cannot be read. */
struct rl_ksyms_lazy {
	const char *path;
	struct rl_ksyms *k;
	bool tried;
};

const char *rl_ksyms_lazy_symbolize(uint64_t addr, char *buf, size_t len, void *cookie);
void rl_ksyms_lazy_free(struct rl_ksyms_lazy *l);

#endif /* RL_KSYMS_H */
