/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rl_hooks.h - every hook ringledger attaches, described once.
 *
 * One row per hook, expanded by each side with its own H():
 *   - src/attach.c builds the hook table from every column; P(prog) names
 *     a program of the skeleton by its member (offsetof(struct
 *     ringledger_bpf, progs.prog)), so a program name that the BPF side
 *     does not define breaks the build;
 *   - the BPF side (bpf/state.bpf.h) takes only the ID: the stash slot a
 *     kprobe keeps its arguments in for the kretprobe (RL_STASH_<ID>), so
 *     a slot is named by the hook that owns it.
 * tests/unit/test_hooks.c opens the skeleton and proves the rest: every
 * program belongs to exactly one hook, and is of the kind its column says.
 *
 *   H(ID, name, what,
 *     where:    FUNCS(kernel functions, first usable wins) or TP(tracepoint),
 *     programs: PROGS(.fentry, .fexit, .kprobe, .kretprobe, .tp = P(prog),
 *               .tp2 = P(prog): a second program on the tracepoint, run
 *               after the first, that does its work only for the calls the
 *               first was skipped for; a tracepoint's .kprobe goes on its
 *               iterator, __traceiter_<tp>, which calls the two (with two
 *               probes the kernel calls it, not the probe), so it runs
 *               first; and .paired = true: where the hook
 *               attaches with trampolines, its kprobe programs run beside
 *               them and each of the two does the work only if the other
 *               has not (the maps say).  The kernel runs a program once per
 *               CPU at a time: a call from an interrupt inside it, or, as
 *               trampoline and tracepoint programs can be preempted, from
 *               another task while one is, skips it.  Kprobe programs run
 *               with preemption off and skip only inside another kprobe
 *               program on that CPU, so a pair loses a call only when
 *               both skip it),
 *     findings that need the hook,
 *     optional: the function exists only in kernels with the feature it
 *               watches (seed 001's buffer-ring pinning): where it is absent
 *               nothing can happen there, so its absence costs its
 *               findings, never the verdict)
 *
 * Only the expanding side defines FUNCS, TP, PROGS, P and F (attach.c);
 * the BPF side never expands those columns.
 */
#ifndef RL_HOOKS_H
#define RL_HOOKS_H

/* findings shorthands for the rows (F() and the ids: rl_findings.h) */
#define RL_HF_PAGES	(F(RL001) | F(RL002))
#define RL_HF_PINS	(F(RL004) | F(RL009))

#define RL_HOOK_LIST(H)								\
	H(RING_CREATE, "ring-create",						\
	  "ring context born (tracepoint io_uring:io_uring_create)",		\
	  TP("io_uring_create"),						\
	  PROGS(.tp = P(tp_io_uring_create), .tp2 = P(tp_io_uring_create2),	\
		.kprobe = P(kp_io_uring_create)),					\
	  RL_HF_PAGES | F(RL003) | F(RL006) | F(RL008), false)			\
	H(RING_DEATH, "ring-death",						\
	  "ring context freed (io_napi_free, io_ring_ctx_free's last call)",	\
	  FUNCS("io_napi_free"),						\
	  PROGS(.fentry = P(fe_io_napi_free), .kprobe = P(kp_io_napi_free),	\
		.paired = true),						\
	  F(RL003), false)							\
	/* ring-death's stand-in (6.1, or no CONFIG_NET_RX_BUSY_POLL).  Not	\
	 * paired: io_ring_exit_work runs long and many at once (a test	\
	 * closing dozens of rings), beyond a kretprobe's maxactive: paired,	\
	 * liburing's teardowns.t left 19-27 deaths unseen */			\
	H(RING_EXIT_WORK, "ring-exit-work",					\
	  "ring context freed (end of io_ring_exit_work)",			\
	  FUNCS("io_ring_exit_work"),						\
	  PROGS(.fexit = P(fx_io_ring_exit_work), .kprobe = P(kp_io_ring_exit_work),	\
		.kretprobe = P(krp_io_ring_exit_work)),				\
	  0, true)								\
	H(RING_KILL, "ring-kill",						\
	  "ring context killed: io_ring_exit_work queued (io_ring_ctx_wait_and_kill)", \
	  FUNCS("io_ring_ctx_wait_and_kill"),					\
	  PROGS(.fentry = P(fe_io_ring_ctx_wait_and_kill),			\
		.kprobe = P(kp_io_ring_ctx_wait_and_kill), .paired = true),	\
	  0, true)								\
	H(REGISTER_SCOPE, "register-scope",					\
	  "io_uring_register op in progress (region owner and kind)",		\
	  FUNCS("__io_uring_register"),						\
	  PROGS(.fentry = P(fe_io_uring_register), .fexit = P(fx_io_uring_register), \
		.kprobe = P(kp_io_uring_register), .kretprobe = P(krp_io_uring_register), \
		.paired = true),						\
	  F(RL003) | F(RL006), false)						\
	H(REGION_CREATE, "region-create", "region allocated or pinned: pages, pfns, kind", \
	  FUNCS("io_create_region"),						\
	  PROGS(.fexit = P(fx_io_create_region), .kprobe = P(kp_io_create_region), \
		.kretprobe = P(krp_io_create_region), .paired = true),		\
	  RL_HF_PAGES | F(RL003) | F(RL006), false)				\
	H(REGION_FREE, "region-free",						\
	  "region released: refcounts at io_uring's last reference, its unpins", \
	  FUNCS("io_free_region"),						\
	  PROGS(.fentry = P(fe_io_free_region), .fexit = P(fx_io_free_region),	\
		.kprobe = P(kp_io_free_region), .kretprobe = P(krp_io_free_region), \
		.paired = true),						\
	  RL_HF_PAGES | F(RL003) | RL_HF_PINS, false)				\
	H(MMAP_AREA, "mmap-area", "address chosen for a ring mmap (get_unmapped_area)", \
	  FUNCS("io_uring_get_unmapped_area", "io_uring_mmu_get_unmapped_area"), \
	  PROGS(.fexit = P(fx_io_uring_get_unmapped_area),			\
		.kprobe = P(kp_io_uring_get_unmapped_area),			\
		.kretprobe = P(krp_io_uring_get_unmapped_area), .paired = true), \
	  F(RL008), false)							\
	H(MMAP, "mmap", "ring mmap: vma, offset, range",			\
	  FUNCS("io_uring_mmap"),						\
	  PROGS(.fentry = P(fe_io_uring_mmap), .fexit = P(fx_io_uring_mmap),	\
		.kprobe = P(kp_io_uring_mmap), .kretprobe = P(krp_io_uring_mmap), \
		.paired = true),						\
	  RL_HF_PAGES | F(RL006) | F(RL008), false)				\
	H(INSERT_PAGES, "insert-pages", "pages inserted into a ring vma (vm_insert_pages)", \
	  FUNCS("vm_insert_pages"),						\
	  PROGS(.fentry = P(fe_vm_insert_pages), .fexit = P(fx_vm_insert_pages), \
		.kprobe = P(kp_vm_insert_pages), .kretprobe = P(krp_vm_insert_pages), \
		.paired = true),						\
	  RL_HF_PAGES | F(RL006), false)					\
	H(VMA_COPY, "vma-copy", "ring vma copied by fork or split (vm_area_dup)", \
	  FUNCS("vm_area_dup"),							\
	  PROGS(.fexit = P(fx_vm_area_dup), .kprobe = P(kp_vm_area_dup),	\
		.kretprobe = P(krp_vm_area_dup), .paired = true),		\
	  RL_HF_PAGES, false)							\
	H(VMA_SPLIT, "vma-split",						\
	  "ring vma cut in two: the copy shares its pages (__split_vma)",	\
	  FUNCS("__split_vma"),							\
	  PROGS(.fexit = P(fx_split_vma), .kprobe = P(kp_split_vma),		\
		.kretprobe = P(krp_split_vma)),					\
	  RL_HF_PAGES, false)							\
	H(VMA_ZAP, "vma-zap", "page tables of a ring vma torn down",		\
	  FUNCS("__zap_vma_range", "unmap_single_vma"),				\
	  PROGS(.fentry = P(fe_zap_vma), .kprobe = P(kp_zap_vma), .paired = true), \
	  RL_HF_PAGES, false)							\
	H(VMA_REMOVE, "vma-remove", "ring vma destroyed (remove_vma)",		\
	  FUNCS("remove_vma", "vm_area_free"),					\
	  PROGS(.fentry = P(fe_remove_vma), .kprobe = P(kp_remove_vma),		\
		.paired = true),						\
	  RL_HF_PAGES, false)							\
	H(VMA_FREE, "vma-free",							\
	  "ring vma copy freed unmapped: a failed fork's (vm_area_free)",	\
	  FUNCS("vm_area_free"),						\
	  PROGS(.fentry = P(fe_vm_area_free), .kprobe = P(kp_vm_area_free),	\
		.paired = true),						\
	  RL_HF_PAGES, false)							\
	H(ARENA_AREA, "arena-area",						\
	  "BPF arena mmap address and its checks (arena_get_unmapped_area)",	\
	  FUNCS("arena_get_unmapped_area"),					\
	  PROGS(.fentry = P(fe_arena_area), .fexit = P(fx_arena_area),		\
		.kprobe = P(kp_arena_area), .kretprobe = P(krp_arena_area),	\
		.paired = true),						\
	  0, true)								\
	H(ARENA_WINDOW, "arena-window",						\
	  "the window an arena mmap reserved (mm_get_unmapped_area in it)",	\
	  FUNCS("mm_get_unmapped_area"),					\
	  PROGS(.fexit = P(fx_arena_window), .kretprobe = P(krp_arena_window)), \
	  0, true)								\
	H(PAGE_FREE, "page-free",						\
	  "tracked page returned to the allocator (kmem:mm_page_free)",		\
	  TP("mm_page_free"),							\
	  PROGS(.tp = P(tp_mm_page_free), .tp2 = P(tp_mm_page_free2),		\
		.kprobe = P(kp_mm_page_free)),					\
	  F(RL001), false)							\
	H(PIN, "pin", "user pages pinned for io_uring: folios, backing, owner",	\
	  FUNCS("io_pin_pages"),						\
	  PROGS(.fexit = P(fx_io_pin_pages), .kprobe = P(kp_io_pin_pages),	\
		.kretprobe = P(krp_io_pin_pages), .paired = true),		\
	  RL_HF_PINS | F(RL007), false)						\
	H(BUF_REGISTER, "buf-register",						\
	  "registered buffer: table index and the imu holding its pins",	\
	  FUNCS("io_sqe_buffer_register"),					\
	  PROGS(.fentry = P(fe_io_sqe_buffer_register),				\
		.fexit = P(fx_io_sqe_buffer_register),				\
		.kprobe = P(kp_io_sqe_buffer_register),				\
		.kretprobe = P(krp_io_sqe_buffer_register), .paired = true),	\
	  RL_HF_PINS, false)							\
	H(BUF_RELEASE, "buf-release", "a ring drops a registered buffer (last drop unpins)", \
	  FUNCS("io_free_rsrc_node", "io_buffer_unmap"),			\
	  PROGS(.fentry = P(fe_buf_release), .fexit = P(fx_buf_release),	\
		.kprobe = P(kp_buf_release), .kretprobe = P(krp_buf_release),	\
		.paired = true),						\
	  RL_HF_PINS, false)							\
	H(UBUF_RELEASE, "ubuf-release",						\
	  "a registered buffer's last release (io_release_ubuf, 7.x): its unpins", \
	  FUNCS("io_release_ubuf"),						\
	  PROGS(.fentry = P(fe_io_release_ubuf), .fexit = P(fx_io_release_ubuf), \
		.kprobe = P(kp_io_release_ubuf), .kretprobe = P(krp_io_release_ubuf), \
		.paired = true),						\
	  0, true)	/* refines buf-release's booking; without it that stands */ \
	/* optional, no findings of its own: 6.1 never unpins by folio;	\
	 * where it exists an attach failure is still a failure */		\
	H(UNPIN_FOLIO, "unpin-folio", "pins dropped inside a release (unpin_user_folio)", \
	  FUNCS("unpin_user_folio"),						\
	  PROGS(.fentry = P(fe_unpin_user_folio), .kprobe = P(kp_unpin_user_folio), \
		.paired = true),						\
	  0, true)								\
	H(UNPIN_PAGE, "unpin-page", "pins dropped inside a release (unpin_user_page)", \
	  FUNCS("unpin_user_page"),						\
	  PROGS(.fentry = P(fe_unpin_user_page), .kprobe = P(kp_unpin_user_page), \
		.paired = true),						\
	  RL_HF_PINS, false)							\
	H(UNPIN_PAGES, "unpin-pages", "pins dropped inside a release (unpin_user_pages)", \
	  FUNCS("unpin_user_pages"),						\
	  PROGS(.fentry = P(fe_unpin_user_pages), .kprobe = P(kp_unpin_user_pages), \
		.paired = true),						\
	  RL_HF_PINS, false)							\
	H(PBUF_REGISTER, "pbuf-register", "buffer ring registered: bgid, ring memory, result", \
	  FUNCS("io_register_pbuf_ring"),					\
	  PROGS(.fentry = P(fe_io_register_pbuf_ring),				\
		.fexit = P(fx_io_register_pbuf_ring),				\
		.kprobe = P(kp_io_register_pbuf_ring),				\
		.kretprobe = P(krp_io_register_pbuf_ring), .paired = true),	\
	  F(RL005), false)							\
	H(PBUF_UNREGISTER, "pbuf-unregister", "buffer ring unregistered: bgid, result", \
	  FUNCS("io_unregister_pbuf_ring", "io_unregister_buf_ring"),		\
	  PROGS(.fentry = P(fe_io_unregister_pbuf_ring),			\
		.fexit = P(fx_io_unregister_pbuf_ring),				\
		.kprobe = P(kp_io_unregister_pbuf_ring),			\
		.kretprobe = P(krp_io_unregister_pbuf_ring), .paired = true),	\
	  F(RL005), false)							\
	H(BUFRING_PIN, "bufring-pin", "a kernel user pins a buffer ring (seed 001)", \
	  FUNCS("io_uring_cmd_buf_ring_pin"),					\
	  PROGS(.fexit = P(fx_bufring_pin), .kprobe = P(kp_bufring_pin),	\
		.kretprobe = P(krp_bufring_pin)),				\
	  F(RL005), true)							\
	H(BUFRING_UNPIN, "bufring-unpin", "a kernel user unpins a buffer ring (seed 001)", \
	  FUNCS("io_uring_cmd_buf_ring_unpin"),					\
	  PROGS(.fexit = P(fx_bufring_unpin), .kprobe = P(kp_bufring_unpin),	\
		.kretprobe = P(krp_bufring_unpin)),				\
	  F(RL005), true)							\
	H(BUFRING_RELEASE, "bufring-release",					\
	  "a buffer ring unpinned outside a command (->release)",		\
	  FUNCS("io_uring_ctx_buf_ring_unpin"),					\
	  PROGS(.fexit = P(fx_bufring_unpin_ctx), .kprobe = P(kp_bufring_unpin_ctx), \
		.kretprobe = P(krp_bufring_unpin_ctx)),				\
	  0, true)								\
	H(PROC_FORK, "proc-fork", "followed process forks (sched:sched_process_fork)", \
	  TP("sched_process_fork"),						\
	  PROGS(.tp = P(tp_sched_process_fork), .tp2 = P(tp_sched_process_fork2), \
		.kprobe = P(kp_sched_process_fork)),				 \
	  0, false)								\
	H(PROC_EXEC, "proc-exec", "followed process execs (sched:sched_process_exec)", \
	  TP("sched_process_exec"),						\
	  PROGS(.tp = P(tp_sched_process_exec), .tp2 = P(tp_sched_process_exec2), \
		.kprobe = P(kp_sched_process_exec)),				 \
	  0, false)								\
	H(PROC_EXIT, "proc-exit", "followed process exits (sched:sched_process_exit)", \
	  TP("sched_process_exit"),						\
	  PROGS(.tp = P(tp_sched_process_exit), .tp2 = P(tp_sched_process_exit2), \
		.kprobe = P(kp_sched_process_exit)),				 \
	  0, false)								\
	H(PAGES_MAP, "pages-map",						\
	  "ring, SQE or buffer-ring pages allocated (6.12: io_pages_map)",	\
	  FUNCS("io_pages_map"),						\
	  PROGS(.fexit = P(fx_io_pages_map), .kprobe = P(kp_io_pages_map),	\
		.kretprobe = P(krp_io_pages_map)),				\
	  0, true)								\
	H(UADDR_MAP, "uaddr-map",						\
	  "rings in user memory pinned (6.12: __io_uaddr_map)",		\
	  FUNCS("__io_uaddr_map"),						\
	  PROGS(.fexit = P(fx_io_uaddr_map), .kprobe = P(kp_io_uaddr_map),	\
		.kretprobe = P(krp_io_uaddr_map)),				\
	  0, true)								\
	H(PAGES_UNMAP, "pages-unmap",						\
	  "ring, SQE or buffer-ring pages released (6.12: io_pages_unmap)",	\
	  FUNCS("io_pages_unmap"),						\
	  PROGS(.fentry = P(fe_io_pages_unmap), .kprobe = P(kp_io_pages_unmap)), \
	  0, true)								\
	H(PAGES_FREE, "pages-free",						\
	  "rings in user memory unpinned (6.12: io_pages_free)",		\
	  FUNCS("io_pages_free"),						\
	  PROGS(.fentry = P(fe_io_pages_free), .fexit = P(fx_io_pages_free),	\
		.kprobe = P(kp_io_pages_free), .kretprobe = P(krp_io_pages_free)), \
	  0, true)								\
	H(PUT_BL, "put-bl",							\
	  "a buffer ring in user memory let go: its unpins (6.12, 6.1)",	\
	  FUNCS("io_put_bl", "__io_remove_buffers"),				\
	  PROGS(.fentry = P(fe_io_put_bl), .fexit = P(fx_io_put_bl),		\
		.kprobe = P(kp_io_put_bl), .kretprobe = P(krp_io_put_bl)),	\
	  0, true)

/*
 * Stand-ins: S(STANDIN, PRIMARY, required).  Where PRIMARY's functions are
 * absent (6.12 and 6.1 have no io_create_region / io_free_region), its
 * STANDIN hooks together see what it sees through that kernel's own
 * functions; src/attach.c plans them only there.  PRIMARY is then seen if
 * every required stand-in is; a stand-in that is not required watches a
 * feature some of those kernels lack (rings in user memory,
 * IORING_SETUP_NO_MMAP: 6.5 on), and its absence costs nothing.  Where
 * PRIMARY can attach, its stand-ins stay off.
 */
#define RL_HOOK_STANDINS(S)							\
	S(RING_EXIT_WORK, RING_DEATH, true)					\
	S(PAGES_MAP, REGION_CREATE, true)					\
	S(UADDR_MAP, REGION_CREATE, false)					\
	S(PAGES_UNMAP, REGION_FREE, true)					\
	S(PAGES_FREE, REGION_FREE, false)					\
	S(PUT_BL, REGION_FREE, true)

#endif /* RL_HOOKS_H */
