// SPDX-License-Identifier: GPL-2.0
/*
 * pin.bpf.c - long-term pins of user memory for io_uring (io_pin_pages):
 * a pin set per call, its folios, their backing and owner, sent as PIN
 * events.
 */
#include "common.bpf.h"
#include "folio.bpf.h"
#include "pin_scope.bpf.h"
#include "flavours.h"

/* What the pages io_pin_pages just pinned are for, from the register
 * operation the task is in (none: ring setup with IORING_SETUP_NO_MMAP). */
static __always_inline __u32 pin_owner(const struct rl_task_scope *s, __u32 *id)
{
	__u32 op = s ? s->reg_opcode : 0;

	*id = 0;
	if (s && s->in_buf_register) {
		*id = s->buf_index;
		return RL_PO_BUFFER;
	}
	if (op == RL_IORING_REGISTER_PBUF_RING) {
		*id = s->reg_bgid;
		return RL_PO_PBUF;
	}
	if (op == RL_IORING_REGISTER_MEM_REGION)
		return RL_PO_REGION;
	if (op == RL_IORING_REGISTER_ZCRX_IFQ)
		return RL_PO_UNKNOWN;	/* zcrx areas: not followed */
	return RL_PO_RINGS;
}

/* The scratch a PIN event is built in, a slot per CPU and kind of program.
 * A trampoline program can be preempted mid-walk (7.x, full preemption):
 * no other task runs that program on the CPU meanwhile (the kernel skips
 * it), but a kprobe program of another task can run there, and a shared
 * slot sent one task's pins under the other's pin set (liburing-like load:
 * 12 of 255 pins under a wrong key).  Kprobe programs run with preemption
 * off and never inside one another, so one slot serves them all. */
enum { RL_SCRATCH_TRAMPOLINE = 0, RL_SCRATCH_KPROBE = 1 };

struct pin_walk {
	__u64 pages;		/* struct page ** */
	__u64 ctx, key, uaddr;
	__u32 owner, owner_id, nr_pages;
	__u32 chunk_first;	/* page index of the chunk being looked at */
	__u32 slot;		/* RL_SCRATCH_*: whose scratch */
};

static __always_inline struct rl_pin_scratch *pin_scratch_get(const struct pin_walk *w)
{
	__u32 slot = w->slot & 1;

	return bpf_map_lookup_elem(&pin_scratch, &slot);
}

/* A field of the struct page in sc->raw (read whole: one helper call per
 * page instead of one per field).  The offsets are CO-RE constants; a
 * layout that put them past the bytes read would read the field alone. */
#define RAW_FITS(type, field, size)	(bpf_core_field_offset(type, field) <= 64 - (size))
#define RAW_U64(sc, type, field) \
	(*(__u64 *)((sc)->raw + (bpf_core_field_offset(type, field) & 56)))
#define RAW_U32(sc, type, field) \
	(*(__u32 *)((sc)->raw + (bpf_core_field_offset(type, field) & 60)))

static __always_inline bool raw_page_read(struct rl_pin_scratch *sc, __u64 page)
{
	if (bpf_probe_read_kernel(sc->raw, sizeof(sc->raw), (void *)page)) {
		count(RL_CNT_READ_FAIL);
		return false;
	}
	return true;
}

static __always_inline __u64 raw_compound(struct rl_pin_scratch *sc, __u64 page)
{
	if (bpf_core_field_exists(struct page___compound_info, compound_info)) {
		if (RAW_FITS(struct page___compound_info, compound_info, 8))
			return RAW_U64(sc, struct page___compound_info, compound_info);
		return BPF_CORE_READ((struct page___compound_info *)page, compound_info);
	}
	if (RAW_FITS(struct page___compound_head, compound_head, 8))
		return RAW_U64(sc, struct page___compound_head, compound_head);
	return BPF_CORE_READ((struct page___compound_head *)page, compound_head);
}

/* What backs the folio whose struct page (its head) is in sc->raw; the
 * last file mapping's answer is kept (a buffer's pages share one). */
static __always_inline __u32 raw_backing(struct rl_pin_scratch *sc, __u64 head, __u64 *file)
{
	__u32 b;

	if (!RAW_FITS(struct page, mapping, 8) || !RAW_FITS(struct page, page_type, 4))
		return folio_backing(head, file);
	b = backing_of(RAW_U64(sc, struct page, mapping), RAW_U32(sc, struct page, page_type),
		       file);
	if (b != RL_BK__MAX)
		return b;
	if (*file != sc->last_mapping) {
		sc->last_backing = file_backing(*file);
		sc->last_mapping = *file;
	}
	return sc->last_backing;
}

/* log2 of the bytes the struct pages of a large folio whose head is
 * `head` span (folio_large_order() + log2(sizeof(struct page))); 0 when
 * struct page is not a power of two. */
static __always_inline __u64 folio_span_shift(__u64 head)
{
	struct folio *folio = (struct folio *)head;
	__u64 order = bpf_core_field_exists(struct folio___61, _folio_order) ?
		      BPF_CORE_READ((struct folio___61 *)head, _folio_order) :
		      BPF_CORE_READ(folio, _flags_1) & 0xff;
	__u32 size = bpf_core_type_size(struct page);

	if (size == 64)
		return order + 6;
	if (size == 128)
		return order + 7;
	return 0;
}

/* The last folio is now the one whose head is `head`; a large one's span
 * lets the pages inside it be counted without a look. */
static __always_inline void last_folio_set(struct rl_pin_scratch *sc, __u64 head, bool large)
{
	sc->last_head = head;
	sc->last_shift = large ? folio_span_shift(head) : 0;
	sc->last_end = sc->last_shift ? head + (1ULL << (sc->last_shift & 63)) : 0;
}

/* Are all RL_PIN_CHUNK pages in sc->page inside the last folio?  No branch
 * per page (a page inside is less than the span above the head, which the
 * shift turns into 0), a bpf_loop step each, so the verifier walks the
 * step once, not once per page. */
struct chunk_scan {
	struct rl_pin_scratch *sc;
	__u64 acc;
	__u64 lo;
	__u64 shift;
};

static long chunk_scan_page(__u32 step, struct chunk_scan *cs)
{
	__u64 k = step;

	barrier_var(k);
	if (k >= RL_PIN_CHUNK)
		return 1;
	cs->acc |= (cs->sc->page[k] - cs->lo) >> (cs->shift & 63);
	return 0;
}

static __always_inline bool chunk_in_last_folio(struct rl_pin_scratch *sc)
{
	struct chunk_scan cs = { .sc = sc, .lo = sc->last_head, .shift = sc->last_shift & 63 };

	if (!cs.shift)
		return false;
	bpf_loop(RL_PIN_CHUNK, chunk_scan_page, &cs, 0);
	return !cs.acc;
}

static __always_inline void pin_event_send(struct rl_pin_scratch *sc, struct rl_event *ev)
{
	event_header(ev, RL_EV_PIN);
	event_output(ev, RL_EV_PIN, sc->with_stack);
	sc->with_stack = false;	/* the stack goes with the first event only */
	ev->pin.count = 0;
}

/* Page i of the pin set, at page pointer p: one more pin of the last
 * folio (no look at the page when it lies inside that folio's struct
 * pages), or a new folio entry; a full event is sent first. */
static __always_inline bool pin_page(struct rl_pin_scratch *sc, __u64 p, __u32 i)
{
	struct rl_event *ev = &sc->ev;
	__u32 j = ev->pin.count;
	__u64 head;

	if (j > 0 && j <= RL_PINS_PER_EVENT && sc->last_end &&
	    p >= sc->last_head && p < sc->last_end) {
		ev->pin.npins[(j - 1) & (RL_PINS_PER_EVENT - 1)]++;
		return true;
	}
	if (!raw_page_read(sc, p))
		return false;
	head = head_from_compound(p, raw_compound(sc, p));
	if (j > 0 && j <= RL_PINS_PER_EVENT && head == sc->last_head) {
		/* a tail of the last folio: learn its size once */
		ev->pin.npins[(j - 1) & (RL_PINS_PER_EVENT - 1)]++;
		if (!sc->last_end)
			last_folio_set(sc, head, true);
		return true;
	}
	if (j >= RL_PINS_PER_EVENT) {
		pin_event_send(sc, ev);
		j = 0;
	}
	if (j == 0)
		ev->pin.first = i;
	j &= RL_PINS_PER_EVENT - 1;	/* for the verifier */
	if (head != p && !raw_page_read(sc, head))
		return false;
	ev->pin.pfn[j] = page_to_pfn((struct page *)head);
	ev->pin.npins[j] = 1;
	ev->pin.backing[j] = raw_backing(sc, head, &ev->pin.file[j]);
	ev->pin.count = j + 1;
	last_folio_set(sc, head, head != p);
	return true;
}

/* bpf_loop step: page k of the chunk in sc->page */
static long pin_chunk_page(__u32 k, struct pin_walk *w)
{
	struct rl_pin_scratch *sc = pin_scratch_get(w);
	__u32 i;

	if (!sc || k >= RL_PIN_CHUNK)
		return 1;
	i = w->chunk_first + k;
	barrier_var(k);		/* keep the mask: the verifier needs it */
	k &= RL_PIN_CHUNK - 1;
	return pin_page(sc, sc->page[k], i) ? 0 : 1;
}

/* bpf_loop step: pages [64c, 64c + 64), whose pointers are read at once.
 * A chunk wholly inside the last folio (THP, hugetlb) is counted at once;
 * otherwise each page is looked at (pin_page). */
static long pin_chunk(__u32 c, struct pin_walk *w)
{
	struct rl_pin_scratch *sc = pin_scratch_get(w);
	__u32 first = c * RL_PIN_CHUNK, n, j;

	if (!sc || first >= w->nr_pages)
		return 1;
	n = w->nr_pages - first;
	n = n > RL_PIN_CHUNK ? RL_PIN_CHUNK : n;
	n = ((n - 1) & (RL_PIN_CHUNK - 1)) + 1;	/* 1..64, for the verifier */
	if (bpf_probe_read_kernel(sc->page, n * sizeof(__u64),
				  (void *)(w->pages + first * sizeof(__u64)))) {
		count(RL_CNT_READ_FAIL);
		return 1;
	}
	j = sc->ev.pin.count;
	if (n == RL_PIN_CHUNK && j > 0 && j <= RL_PINS_PER_EVENT && chunk_in_last_folio(sc)) {
		sc->ev.pin.npins[(j - 1) & (RL_PINS_PER_EVENT - 1)] += n;
		return 0;
	}
	w->chunk_first = first;
	bpf_loop(n, pin_chunk_page, w, 0);
	return 0;
}

/* The pin set's PIN events; the first carries the stack of the pin. */
static __always_inline void emit_pins(void *ctx, struct pin_walk *w)
{
	struct rl_pin_scratch *sc = pin_scratch_get(w);
	struct rl_event *ev;
	__u32 nr = w->nr_pages;

	if (!sc)
		return;
	ev = &sc->ev;
	sc->last_head = 0;
	sc->last_end = 0;
	sc->last_shift = 0;
	sc->last_mapping = 0;
	if (nr > RL_MAX_PIN_PAGES) {
		count(RL_CNT_PIN_TRUNCATED);
		nr = RL_MAX_PIN_PAGES;
	}
	ev->pin.ctx = w->ctx;
	ev->pin.key = w->key;
	ev->pin.pages = w->pages;
	ev->pin.uaddr = w->uaddr;
	ev->pin.owner = w->owner;
	ev->pin.owner_id = w->owner_id;
	ev->pin.nr_pages = w->nr_pages;
	ev->pin.count = 0;
	if (stat_mode) {
		/* stat counts the set, not its folios: no walk */
		ev->pin.first = 0;
		sc->with_stack = false;
		pin_event_send(sc, ev);
		return;
	}
	event_stack(ctx, ev, RL_EV_PIN);
	sc->with_stack = true;
	w->nr_pages = nr;
	bpf_loop((nr + RL_PIN_CHUNK - 1) / RL_PIN_CHUNK, pin_chunk, w, 0);
	if (ev->pin.count)
		pin_event_send(sc, ev);
}

/* io_pin_pages returned: pages[0, *npages) are pinned for a registered
 * buffer, a buffer ring's or a region's user memory.  Give them a pin set
 * and remember where its pins will be dropped. */
static __always_inline int handle_pin_pages(void *ctx, __u64 uaddr, __u64 npages_ptr,
					    __u64 pages, __u32 slot)
{
	struct rl_task_scope *s = scope_get(false);
	struct pin_walk w = {};
	struct rl_pin_info info;
	int nr = 0;

	if (is_err_or_null(pages))
		return 0;
	w.ctx = s ? s->reg_ctx : 0;
	if (w.ctx ? !ctx_tracked(w.ctx) : !task_followed())
		return 0;
	/* one pin set per call, whichever program of a pair sends it */
	if (!note_take(RL_STASH_PIN, pages, uaddr, 0,
		       slot == RL_SCRATCH_TRAMPOLINE ? RL_RUNS_FIRST : RL_RUNS_SECOND))
		return 0;
	w.owner = pin_owner(s, &w.owner_id);
	if (w.owner == RL_PO_UNKNOWN)
		return 0;
	if (bpf_probe_read_kernel(&nr, sizeof(nr), (void *)npages_ptr) || nr <= 0) {
		count(RL_CNT_READ_FAIL);
		return 0;
	}
	w.key = __sync_fetch_and_add(&pin_serial, 1) + 1;
	w.slot = slot;
	w.pages = pages;
	w.uaddr = uaddr;
	w.nr_pages = nr;
	info.key = w.key;
	info.ctx = w.ctx;
	info.owner = w.owner;
	info.owner_id = w.owner_id;
	if (w.owner == RL_PO_BUFFER) {
		/* the registration may unpin some again (coalescing, errors) */
		s->buf_pin_key = w.key;
		pin_scope_open(ctx, &info, w.ctx, RL_OPENER_BUF_REGISTER, 0);
	} else if (bpf_map_update_elem(&tracked_pin_arrays, &pages, &info, BPF_ANY)) {
		count(RL_CNT_TRACK_MAP_FULL);
	}
	emit_pins(ctx, &w);
	return 0;
}

/* `int *npages` and the `struct page **` returned: read with
 * bpf_get_func_arg/ret, which every kernel's verifier takes. */
SEC("fexit/io_pin_pages")
int fx_io_pin_pages(__u64 *ctx)
{
	__u64 uaddr = 0, npages = 0, ret = 0;

	bpf_get_func_arg(ctx, 0, &uaddr);
	bpf_get_func_arg(ctx, 2, &npages);
	bpf_get_func_ret(ctx, &ret);
	return handle_pin_pages(ctx, uaddr, npages, ret, RL_SCRATCH_TRAMPOLINE);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_pin_pages, __u64 uaddr, __u64 len, int *npages)
{
	stash_args(RL_STASH_PIN, uaddr, (__u64)npages, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_pin_pages, void *ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_PIN, &s))
		return 0;
	return handle_pin_pages(ctx, s.arg[0], s.arg[1], (__u64)ret, RL_SCRATCH_KPROBE);
}
