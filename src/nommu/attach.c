// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * attach.c - kprobes and raw tracepoints by syscalls alone
 * (see attach.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include "attach.h"
#include "elf_load.h"

static int read_long(const char *path, long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%ld", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int perf_open(struct perf_event_attr *pa)
{
	/* pid -1, cpu 0: the program hangs on the event's trace call, which
	 * runs it on every CPU (as libbpf attaches) */
	return syscall(__NR_perf_event_open, pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
}

static int kprobe(const char *fn, int retprobe, char *err, size_t errlen)
{
	struct perf_event_attr pa;
	long type, bit = 0;
	FILE *f;
	int fd;

	if (read_long("/sys/bus/event_source/devices/kprobe/type", &type))
		return rl_nommu_fail(err, errlen, "no kprobe PMU (/sys/bus/event_source/devices/kprobe): "
			    "a kernel without CONFIG_KPROBE_EVENTS");
	if (retprobe) {
		f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "r");
		if (!f || fscanf(f, "config:%ld", &bit) != 1 || bit < 0 || bit > 63) {
			if (f)
				fclose(f);
			return rl_nommu_fail(err, errlen, "the kprobe PMU has no retprobe bit");
		}
		fclose(f);
	}
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = type;
	pa.config = retprobe ? 1ULL << bit : 0;
	pa.config1 = (uintptr_t)fn;	/* kprobe_func */
	pa.config2 = 0;			/* its offset  */
	fd = perf_open(&pa);
	if (fd < 0)
		return rl_nommu_fail(err, errlen, "%s %s: perf_event_open: %s", retprobe ? "kretprobe" : "kprobe",
			    fn, strerror(errno));
	return fd;
}

int rl_nommu_attach(const char *sec, int prog_fd, char *err, size_t errlen)
{
	const char *slash = strchr(sec, '/');
	union bpf_attr a;
	int fd;

	if (!slash)
		return rl_nommu_fail(err, errlen, "section %s names no attach point", sec);
	if (!strncmp(sec, "raw_tp/", 7)) {
		memset(&a, 0, sizeof(a));
		a.raw_tracepoint.name = (uintptr_t)(slash + 1);
		a.raw_tracepoint.prog_fd = prog_fd;
		fd = rl_bpf(BPF_RAW_TRACEPOINT_OPEN, &a, sizeof(a));
		if (fd < 0)
			return rl_nommu_fail(err, errlen, "raw tracepoint %s: BPF_RAW_TRACEPOINT_OPEN: %s",
				    slash + 1, strerror(errno));
		return fd;
	}
	if (!strncmp(sec, "kprobe/", 7))
		fd = kprobe(slash + 1, 0, err, errlen);
	else if (!strncmp(sec, "kretprobe/", 10))
		fd = kprobe(slash + 1, 1, err, errlen);
	else
		return rl_nommu_fail(err, errlen, "section %s: unknown kind of attach point", sec);
	if (fd < 0)
		return -1;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
		int e = errno;

		close(fd);
		return rl_nommu_fail(err, errlen, "%s: PERF_EVENT_IOC_SET_BPF: %s", sec, strerror(e));
	}
	return fd;
}
