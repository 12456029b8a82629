/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * loader.h - one tracing session: open -> configure -> load -> attach the
 * BPF skeleton, then deliver events.  Knows nothing of the ledger's rules.
 */
#ifndef RL_LOADER_H
#define RL_LOADER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "attach.h"
#include "rl_events.h"

struct ringledger_bpf;
struct ring_buffer;

typedef void (*rl_event_fn)(const struct rl_event *ev, void *cookie);

struct rl_session_opts {
	const char *btf_path;		/* NULL: the running kernel's      */
	enum rl_attach_pref pref;
	bool follow_only;		/* births only from followed pids  */
	const char *comm;		/* births only from this comm      */
	const char *cgroup;		/* ... only inside this cgroup v2
					 * directory (and below it)       */
	bool stacks;			/* kernel stacks on rule events    */
	uint32_t max_pages;		/* tracked-pfn map size            */
	uint32_t ringbuf_kib;		/* ring buffer size                */
	bool verbose;			/* libbpf debug output             */
	/* `stat`: events folded into maps in the kernel, none sent
	 * (include/rl_stat.h); these hooks (NULL-terminated) not attached */
	bool stat;
	const char *const *leave_out;
	rl_event_fn on_event;
	void *cookie;
};

struct rl_session {
	struct ringledger_bpf *skel;
	struct rl_kernel_caps caps;
	struct rl_plan plan;
	struct ring_buffer *rb;
	rl_event_fn on_event;
	void *cookie;
	uint64_t bad_records;		/* ring records of the wrong size  */
	int attach_failures;
	bool verbose;
};

/* What was lost; any non-zero field makes a verdict inconclusive. */
struct rl_losses {
	uint64_t counter[RL_CNT__MAX];
	uint64_t recursion_misses;	/* sum over our programs but ...   */
	uint64_t page_free_misses;	/* ... the page-free tracepoint's:
					 * nested frees from interrupts skip
					 * it; they matter only if a tracked
					 * page's free went unseen          */
	uint64_t bad_records;
	/* not losses: a kprobe whose own misses the kernel does not report
	 * (rl_hook_misses.blind, any hook: rl_losses_note_blind), how full
	 * the ring buffer got (bytes, a lower bound) and its size */
	bool kprobe_misses_blind;
	uint64_t ringbuf_peak;
	uint64_t ringbuf_bytes;
};

/* Exit status of the preflight and open steps: fills `err` with one line
 * (what failed, why, what to do). */
int rl_preflight(const char *btf_path, char *err, size_t len);
int rl_session_open(struct rl_session *s, const struct rl_session_opts *o,
		    char *err, size_t len);
int rl_session_follow(struct rl_session *s, pid_t pid);
/* Deliver pending events: waits up to timeout_ms for the kernel side to
 * wake us, then reads whatever is there. */
int rl_session_poll(struct rl_session *s, int timeout_ms);
void rl_session_losses(struct rl_session *s, struct rl_losses *out);
void rl_session_close(struct rl_session *s);
/* Give the reader a head start on the CPU (nice -10, as root may): a
 * CPU-bound command on every CPU must not leave the ring buffer unread.
 * Called after any child is forked, so the child keeps its own nice. */
void rl_reader_priority(void);

/* One line on stderr when lo->kprobe_misses_blind. */
void rl_losses_note_blind(const struct rl_losses *lo);

/* LOST events for the ledger, one per non-zero loss (enum rl_counter,
 * then enum rl_loss); returns how many. */
#define RL_MAX_LOSS_EVENTS	RL_LOST__MAX
size_t rl_losses_to_events(const struct rl_losses *lo, struct rl_event *out, size_t max);

#endif /* RL_LOADER_H */
