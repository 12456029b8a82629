/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* ksyms.h - kernel addresses to "function+0xoff", from /proc/kallsyms. */
#ifndef RL_KSYMS_H
#define RL_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct rl_ksyms;

/* NULL path: /proc/kallsyms.  NULL on failure (errno set). */
struct rl_ksyms *rl_ksyms_load(const char *path);
void rl_ksyms_free(struct rl_ksyms *k);
/* "func+0x1a/0x80", or the hex address when unknown; returns buf. */
const char *rl_ksyms_format(const struct rl_ksyms *k, uint64_t addr, char *buf, size_t len);

/* rl_symbolize_fn for the report formats; cookie is a struct rl_ksyms *. */
const char *rl_ksyms_symbolize(uint64_t addr, char *buf, size_t len, void *cookie);

#endif /* RL_KSYMS_H */
