/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * attach.h - the NOMMU build's attach points, by the section a program
 * sits in: kprobe/FN and kretprobe/FN through the kprobe PMU
 * (perf_event_open + PERF_EVENT_IOC_SET_BPF), raw_tp/NAME through
 * BPF_RAW_TRACEPOINT_OPEN.  No fentry: the NOMMU kernel has no
 * trampolines (and no JIT).
 */
#ifndef RL_NOMMU_ATTACH_H
#define RL_NOMMU_ATTACH_H

#include <stddef.h>

/* Attach program fd of section sec; the link's fd (close it to detach),
 * or -1 with the reason in err. */
int rl_nommu_attach(const char *sec, int prog_fd, char *err, size_t errlen);

#endif /* RL_NOMMU_ATTACH_H */
