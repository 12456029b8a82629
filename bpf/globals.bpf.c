// SPDX-License-Identifier: GPL-2.0
/*
 * globals.bpf.c - the one definition of every map and global of the BPF
 * side; every other object declares them extern (common.bpf.h).  Private
 * to an object, and never shared: its copy of vmemmap_base (page_to_pfn)
 * and the zeroes a pin scope starts from (pin_scope.bpf.h).
 */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- configuration, set by the loader before load ---------------------- */

const volatile bool follow_only = false;	/* births only from followed pids */
const volatile bool comm_filter = false;
const volatile bool cgroup_filter = false;
const volatile char target_comm[RL_COMM_LEN] = {};
const volatile bool capture_stacks = true;
const volatile bool kprobe_seconds = false;
/* bit (1 << stash slot) of each tracepoint hook whose iterator has a kprobe */
const volatile __u64 tp_kprobe_slots = 0;
const volatile __u64 vmemmap_base_default = 0xffffea0000000000ULL;
const volatile __u64 wakeup_bytes = RL_RINGBUF_DEFAULT_BYTES / 8;
const volatile bool stat_mode = false;

/* ---- maps; sizes are set by the loader before load --------------------- */

rl_events_map_t events SEC(".maps");
rl_followed_pids_t followed_pids SEC(".maps");
rl_tracked_ctxs_t tracked_ctxs SEC(".maps");		/* struct io_ring_ctx * */
rl_tracked_regions_t tracked_regions SEC(".maps");	/* region pages[] pointer */
rl_tracked_vmas_t tracked_vmas SEC(".maps");		/* struct vm_area_struct * */
rl_tracked_pfns_t tracked_pfns SEC(".maps");		/* pfn -> region pages[] */
rl_task_scopes_t task_scopes SEC(".maps");
rl_kprobe_stash_t kprobe_stash SEC(".maps");
rl_event_seq_t event_seq SEC(".maps");
rl_cgroup_of_t cgroup_of SEC(".maps");

/* Fixed buffers we saw pinned, until io_uring releases them: the imu is
 * what io_free_rsrc_node (7.x) / io_buffer_unmap (6.12) is handed. */
rl_tracked_imus_t tracked_imus SEC(".maps");

/* User memory of regions we saw pinned, until io_free_region: keyed by
 * the page array io_pin_pages returned. */
rl_tracked_pin_arrays_t tracked_pin_arrays SEC(".maps");

/* Per task: the pin set an unpin_user_*() drops pins of.  The only map the
 * unpin programs look at, so an unpin elsewhere costs one lookup. */
rl_pin_scopes_t pin_scopes SEC(".maps");

/* PIN events are built here, one page per bpf_loop step (a loop over the
 * pages inside one program is more than the verifier will walk), and sent
 * with bpf_ringbuf_output when 16 pages are described. */
rl_pin_scratch_t pin_scratch SEC(".maps");
rl_pair_notes_t pair_notes SEC(".maps");

/* `stat` (stat.bpf.h): what it shows, kept here instead of sent */
rl_stat_procs_t stat_procs SEC(".maps");
rl_stat_births_t stat_births SEC(".maps");
rl_stat_hists_t stat_hists SEC(".maps");
rl_stat_scratch_t stat_scratch SEC(".maps");
rl_stat_busy_t stat_busy SEC(".maps");

/* ---- globals ------------------------------------------------------------ */

/* Failure and drop counters, read by user space (rl_counter). */
__u64 counters[RL_CNT__MAX] = {};
/* Every program run that reached an emit point (for `stat`). */
__u64 events_emitted = 0;
/* the most bytes the ring buffer held when a producer looked (racy max:
 * a lower bound, reported as the peak fill) */
__u64 ringbuf_peak = 0;
/* Arena mmaps seen at all: the window hook (on every mmap of the system)
 * does work only inside one, so before the first its misses lose nothing. */
__u64 arena_scopes_opened = 0;
/* The last pin set number handed out (0 names none). */
__u64 pin_serial = 0;
/* Pin scopes open on any task: while there are none, an unpin needs no
 * lookup at all. */
__s64 open_pin_scopes = 0;
/* Arena scopes open on any task (arena.bpf.c): outside any, an mmap costs
 * one load. */
__s64 open_arena_scopes = 0;
/* A stat map (a new process, an object alive) had no room. */
__u64 stat_map_full = 0;
