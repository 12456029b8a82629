// SPDX-License-Identifier: GPL-2.0
/*
 * ring_exec_mapped - map the rings, use them, then execve() ourselves with the
 * three mappings alive.  exec replaces the mm (the old VMAs go through
 * exit_mmap) and closes the ring fd (io_uring fds are O_CLOEXEC).  The new
 * image is started as "ring_exec_mapped --exec-child FD": it reports whether
 * FD is still open and exits 0.  Clean.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "wl_common.h"

extern char **environ;

static int exec_child(const char *fdstr)
{
	int fd = atoi(fdstr);
	int open_after = fcntl(fd, F_GETFD) != -1;

	wl_gt("exec child pid=%d ring_fd=%d open_after_exec=%d",
	      (int)getpid(), fd, open_after);
	wl_gt("done");
	return 0;
}

int main(int argc, char **argv)
{
	struct wl_ring r;
	char fdbuf[16];
	char *args[4];
	int flags;

	wl_init("ring_exec_mapped");
	if (argc >= 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child(argv[2]);

	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);
	flags = fcntl(r.fd, F_GETFD);
	snprintf(fdbuf, sizeof(fdbuf), "%d", r.fd);
	args[0] = argv[0];
	args[1] = "--exec-child";
	args[2] = fdbuf;
	args[3] = NULL;
	wl_gt("execve pid=%d with mappings sq=%p cq=%p sqes=%p fd=%d cloexec=%d",
	      (int)getpid(), r.sq_ptr, r.cq_ptr, r.sqes_ptr, r.fd,
	      flags >= 0 && (flags & FD_CLOEXEC));
	execve("/proc/self/exe", args, environ);
	if (errno == ENOENT || errno == EACCES)
		execve(argv[0], args, environ);
	wl_die("execve %s", argv[0]);
}
