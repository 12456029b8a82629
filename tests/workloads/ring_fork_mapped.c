// SPDX-License-Identifier: GPL-2.0
/*
 * ring_fork_mapped - map the rings, use them, fork.  The child inherits the
 * three ring VMAs (they are VM_MIXEDMAP, so fork copies their page tables and
 * takes its own page references instead of going through io_uring_mmap),
 * reads the rings, writes a marker into an unused SQE slot and exits.  The
 * parent waits, checks that it sees the child's write (the pages are shared,
 * not copied), submits another NOP, munmaps and closes.  Clean.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "wl_common.h"

#define CHILD_MARK 0xc41dc41dULL

int main(void)
{
	struct wl_ring r;
	unsigned slot;
	pid_t pid;
	int status;

	wl_init("ring_fork_mapped");
	wl_ring_setup(&r, 8, 0);
	wl_ring_map(&r, 0);
	wl_nop(&r, 0x1);

	slot = *r.sq_mask;	/* the last SQE; the NOPs used slots 0 and 1 */
	pid = fork();
	if (pid < 0)
		wl_die("fork");
	if (pid == 0) {
		unsigned sq_entries = __atomic_load_n(r.sq_entries, __ATOMIC_ACQUIRE);
		unsigned cq_tail = __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE);
		unsigned long long ud = r.cqes[0].user_data;

		r.sqes[slot].user_data = CHILD_MARK;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		wl_gt("child pid=%d read sq_ring_entries=%u cq_tail=%u cqe0_user_data=0x%llx wrote sqe[%u].user_data=0x%llx",
		      (int)getpid(), sq_entries, cq_tail, ud, slot, CHILD_MARK);
		_exit(sq_entries == r.p.sq_entries && cq_tail == 1 && ud == 1 ? 0 : 3);
	}
	wl_gt("fork child=%d", (int)pid);
	if (waitpid(pid, &status, 0) != pid)
		wl_die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		wl_die_err(0, "child failed (status 0x%x)", (unsigned)status);
	wl_gt("child exited status=0 parent_sees_child_write=%d",
	      r.sqes[slot].user_data == CHILD_MARK);
	if (r.sqes[slot].user_data != CHILD_MARK)
		wl_die_err(0, "parent does not see the child's write to the SQEs");

	wl_nop(&r, 0x2);
	wl_ring_unmap(&r);
	wl_ring_close(&r);
	wl_gt("done");
	return 0;
}
