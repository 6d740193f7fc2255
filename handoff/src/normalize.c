/* normalize.c: tb_normalize, turning raw ranges (any order, overlap, alignment) into a valid
 * handoff memory map, in O(n log n) time with the caller's scratch memory. */
#include "tagboot_handoff.h"

#include <stdint.h>

#define NORMALIZE_RANKS 14u                 /* tb_mem_type_rank gives 0..13 */
#define NORMALIZE_KEY_AT_TOP (1u << 31)     /* event position is 2^64 (pos field is 0) */
#define NORMALIZE_KEY_CLOSE (1u << 8)       /* the range ends here (else it starts here) */
#define NORMALIZE_KEY_RANK_MASK 0xFFu
#define NORMALIZE_PAGE_MASK (TB_PAGE_SIZE - 1)

/* One boundary of an input range. Sorted by (AT_TOP, pos); the order of events at the same
 * position does not matter because the sweep applies all of them before looking again. */
struct normalize_event {
	uint64_t pos;
	uint32_t key;
	uint32_t unused;
};

/* The type each rank stands for; unknown input types took RESERVED's rank and come out as
 * TB_MEM_RESERVED. Inverse of tb_mem_type_rank (rank.c). */
static const uint32_t normalize_rank_type[NORMALIZE_RANKS] = {
	TB_MEM_USABLE,      TB_MEM_LOADER_RECLAIMABLE, TB_MEM_ACPI_RECLAIMABLE, TB_MEM_MODULE,
	TB_MEM_KERNEL,      TB_MEM_FRAMEBUFFER,        TB_MEM_UNACCEPTED,       TB_MEM_PERSISTENT,
	TB_MEM_ACPI_NVS,    TB_MEM_FIRMWARE_RUNTIME,   TB_MEM_MMIO,             TB_MEM_RESERVED,
	TB_MEM_AP_HELD,     TB_MEM_BAD,
};

size_t tb_normalize_scratch_size(size_t n)
{
	/* Two events per range, plus slack to align a caller pointer to 8 bytes. */
	if (n > (SIZE_MAX - TB_ALIGN) / (2 * sizeof(struct normalize_event)))
		return SIZE_MAX;
	return n * 2 * sizeof(struct normalize_event) + TB_ALIGN;
}

static bool normalize_before(const struct normalize_event *a, const struct normalize_event *b)
{
	uint32_t a_top = a->key & NORMALIZE_KEY_AT_TOP, b_top = b->key & NORMALIZE_KEY_AT_TOP;

	if (a_top != b_top)
		return a_top < b_top;
	return a->pos < b->pos;
}

static void normalize_swap(struct normalize_event *a, struct normalize_event *b)
{
	struct normalize_event t = *a;

	*a = *b;
	*b = t;
}

/* Heapsort: in place, O(n log n) worst case; the fallback when quicksort meets bad pivots. */
static void normalize_sift_down(struct normalize_event *ev, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && normalize_before(&ev[child], &ev[child + 1]))
			child++;
		if (!normalize_before(&ev[root], &ev[child]))
			return;
		normalize_swap(&ev[root], &ev[child]);
		root = child;
	}
}

static void normalize_heapsort(struct normalize_event *ev, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		normalize_sift_down(ev, i, n);
	for (size_t end = n; end-- > 1;) {
		normalize_swap(&ev[0], &ev[end]);
		normalize_sift_down(ev, 0, end);
	}
}

static void normalize_insertion_sort(struct normalize_event *ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct normalize_event t = ev[i];
		size_t j = i;

		for (; j > 0 && normalize_before(&t, &ev[j - 1]); j--)
			ev[j] = ev[j - 1];
		ev[j] = t;
	}
}

/*
 * Hoare partition of n > 2 events around the median of the first, middle and last. Returns p
 * with every event of [0, p) not after every event of [p, n), and 0 < p < n: the median step
 * puts an event not before the pivot at n - 1 and the pivot index n / 2 is below n - 1, so
 * both scans stop inside the array and both parts are non-empty.
 */
static size_t normalize_partition(struct normalize_event *ev, size_t n)
{
	size_t mid = n / 2, i = 0, j = n - 1;
	struct normalize_event pivot;

	if (normalize_before(&ev[mid], &ev[0]))
		normalize_swap(&ev[mid], &ev[0]);
	if (normalize_before(&ev[n - 1], &ev[0]))
		normalize_swap(&ev[n - 1], &ev[0]);
	if (normalize_before(&ev[n - 1], &ev[mid]))
		normalize_swap(&ev[n - 1], &ev[mid]);
	pivot = ev[mid];
	for (;;) {
		while (normalize_before(&ev[i], &pivot))
			i++;
		while (normalize_before(&pivot, &ev[j]))
			j--;
		if (i >= j)
			return j + 1;
		normalize_swap(&ev[i], &ev[j]);
		i++;
		j--;
	}
}

#define NORMALIZE_SMALL_SORT 16u

/*
 * Introsort: quicksort, which scans memory in order and stays fast when the events no longer
 * fit in the cache (heapsort alone took 8x longer per event at 10^6 ranges than at 10^4,
 * tests/bench/bench_normalize.c), with heapsort for a part that needs more than 2 log2(n)
 * partition levels, so the worst case stays O(n log n). The smaller part is sorted first and
 * the larger one waits on a fixed stack, which therefore never holds more than log2(n) < 64
 * parts: no recursion.
 */
static void normalize_sort(struct normalize_event *ev, size_t n)
{
	struct {
		struct normalize_event *ev;
		size_t n;
		unsigned depth;
	} pending[64];
	size_t top = 0;
	unsigned depth = 0;

	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	for (;;) {
		while (n > NORMALIZE_SMALL_SORT) {
			size_t p;

			if (depth == 0) {
				normalize_heapsort(ev, n);
				n = 0;
				break;
			}
			depth--;
			p = normalize_partition(ev, n);
			if (p < n - p) {
				pending[top].ev = ev + p;
				pending[top].n = n - p;
				n = p;
			} else {
				pending[top].ev = ev;
				pending[top].n = p;
				ev += p;
				n -= p;
			}
			pending[top++].depth = depth;
		}
		normalize_insertion_sort(ev, n);
		if (top == 0)
			return;
		top--;
		ev = pending[top].ev;
		n = pending[top].n;
		depth = pending[top].depth;
	}
}

/* Pieces live in `out` during the work with `length` holding the inclusive last byte, so that
 * a piece reaching 2^64 needs no special case. */
static uint64_t normalize_last(const struct tb_mem_entry *piece)
{
	return piece->length;
}

/* Sweep the sorted events, emitting one piece per maximal run of the same winning type. */
static enum tb_status normalize_sweep(const struct normalize_event *ev, size_t n_ev,
                                      struct tb_mem_entry *out, size_t out_cap, size_t *n_out)
{
	size_t open[NORMALIZE_RANKS] = { 0 };
	size_t k = 0;
	uint64_t start = 0;

	for (size_t i = 0; i < n_ev;) {
		uint64_t pos = ev[i].pos;
		uint32_t top = ev[i].key & NORMALIZE_KEY_AT_TOP;
		unsigned winner = NORMALIZE_RANKS;

		/* The run [start, pos) had the highest open rank as its type. */
		for (unsigned r = NORMALIZE_RANKS; r-- > 0;) {
			if (open[r] != 0) {
				winner = r;
				break;
			}
		}
		if (winner != NORMALIZE_RANKS) {
			uint32_t type = normalize_rank_type[winner];
			uint64_t last = top ? UINT64_MAX : pos - 1;

			if (k > 0 && out[k - 1].type == type && normalize_last(&out[k - 1]) + 1 == start) {
				out[k - 1].length = last;
			} else {
				if (k == out_cap)
					return TB_ERR_NO_SPACE;
				out[k].base = start;
				out[k].length = last;
				out[k].type = type;
				k++;
			}
		}
		/* Apply every event at this position. */
		for (; i < n_ev && ev[i].pos == pos && (ev[i].key & NORMALIZE_KEY_AT_TOP) == top; i++) {
			unsigned rank = ev[i].key & NORMALIZE_KEY_RANK_MASK;

			if (ev[i].key & NORMALIZE_KEY_CLOSE)
				open[rank]--;
			else
				open[rank]++;
		}
		start = pos;
	}
	*n_out = k;
	return TB_OK;
}

/* Usable shrinks inward to whole pages; every other type grows outward. Returns false when
 * the piece vanishes (a usable piece smaller than a page). */
static bool normalize_align(struct tb_mem_entry *piece)
{
	uint64_t base = piece->base, last = normalize_last(piece);

	if (piece->type != TB_MEM_USABLE) {
		piece->base = base & ~NORMALIZE_PAGE_MASK;
		piece->length = last | NORMALIZE_PAGE_MASK;
		return true;
	}
	if (base & NORMALIZE_PAGE_MASK) {
		if (base > UINT64_MAX - TB_PAGE_SIZE)
			return false;
		base = (base | NORMALIZE_PAGE_MASK) + 1;
	}
	if ((last & NORMALIZE_PAGE_MASK) != NORMALIZE_PAGE_MASK) {
		if (last < TB_PAGE_SIZE)
			return false;
		last = (last & ~NORMALIZE_PAGE_MASK) - 1;
	}
	if (base > last)
		return false;
	piece->base = base;
	piece->length = last;
	return true;
}

/*
 * Align every piece, then settle the pages that outward growth made two pieces share: the
 * higher rank keeps such a page. Pieces arrive sorted with non-decreasing aligned bases, and
 * growth reaches at most one page past the original edge, so a new piece can only collide
 * with the tail of the output; a stack (the output itself) resolves it in amortized O(1).
 */
static size_t normalize_resolve(struct tb_mem_entry *out, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		struct tb_mem_entry cur = out[i];
		bool keep = normalize_align(&cur);

		while (keep && w > 0) {
			struct tb_mem_entry *prev = &out[w - 1];
			uint64_t prev_last = normalize_last(prev);

			if (prev_last < cur.base)
				break;
			if (prev->type == cur.type) {
				/* Same type: the union. */
				if (normalize_last(&cur) > prev_last)
					prev->length = normalize_last(&cur);
				keep = false;
			} else if (tb_mem_type_rank(prev->type) > tb_mem_type_rank(cur.type)) {
				/* prev keeps the shared page(s); cur starts after them. */
				if (prev_last == UINT64_MAX || prev_last + 1 > normalize_last(&cur))
					keep = false;
				else
					cur.base = prev_last + 1;
				break;
			} else {
				/* cur wins: prev ends before cur, or vanishes and the next one down
				 * may share the page too. */
				if (cur.base == 0 || cur.base - 1 < prev->base) {
					w--;
				} else {
					prev->length = cur.base - 1;
					break;
				}
			}
		}
		if (!keep)
			continue;
		if (w > 0 && out[w - 1].type == cur.type && normalize_last(&out[w - 1]) + 1 == cur.base)
			out[w - 1].length = normalize_last(&cur);
		else
			out[w++] = cur;
	}
	return w;
}

/*
 * Precedence and alignment (docs/handoff.md "Normalization"):
 *  1. Zero-length ranges vanish; a range running past 2^64 is clipped there.
 *  2. Where ranges overlap, the type of the highest rank (tb_mem_type_rank) wins, byte by
 *     byte; unknown types rank as RESERVED and are output as TB_MEM_RESERVED.
 *  3. Usable pieces shrink inward to whole pages (a partial page is never handed out as free);
 *     every other piece grows outward to whole pages (whatever it protects stays protected).
 *  4. A page that two pieces now share goes to the higher rank.
 *  5. Neighbours of the same type merge; a single entry covering all 2^64 bytes is split in
 *     two because its length would not fit in 64 bits.
 * Sorting 2n boundary events (introsort) is the O(n log n) part; everything else is linear.
 * out_cap of 2n + 1 entries always suffices (each piece ends at a distinct boundary).
 */
enum tb_status tb_normalize(const struct tb_mem_entry *in, size_t n, struct tb_mem_entry *out,
                            size_t out_cap, size_t *out_count, void *scratch,
                            size_t scratch_size)
{
	struct normalize_event *ev;
	size_t n_ev = 0, pieces = 0;
	enum tb_status st;

	if (out_count != NULL)
		*out_count = 0;
	if ((in == NULL && n != 0) || out_count == NULL || (out == NULL && out_cap != 0) ||
	    (scratch == NULL && n != 0))
		return TB_ERR_NULL;
	if (n != 0 && scratch_size < tb_normalize_scratch_size(n))
		return TB_ERR_NO_SPACE;
	if (n == 0)
		return TB_OK;

	ev = (struct normalize_event *)(((uintptr_t)scratch + TB_ALIGN - 1) &
	                                ~(uintptr_t)(TB_ALIGN - 1));
	for (size_t i = 0; i < n; i++) {
		uint64_t base = in[i].base, length = in[i].length;
		uint32_t rank = tb_mem_type_rank(in[i].type);

		if (length == 0)
			continue;
		ev[n_ev++] = (struct normalize_event){ .pos = base, .key = rank };
		if (length > UINT64_MAX - base) /* ends at or past 2^64: clip there */
			ev[n_ev++] = (struct normalize_event){
				.pos = 0, .key = NORMALIZE_KEY_AT_TOP | NORMALIZE_KEY_CLOSE | rank };
		else
			ev[n_ev++] = (struct normalize_event){
				.pos = base + length, .key = NORMALIZE_KEY_CLOSE | rank };
	}
	normalize_sort(ev, n_ev);

	st = normalize_sweep(ev, n_ev, out, out_cap, &pieces);
	if (st != TB_OK)
		return st;
	pieces = normalize_resolve(out, pieces);

	/* Back from inclusive last bytes to lengths, untagged. */
	if (pieces == 1 && out[0].base == 0 && out[0].length == UINT64_MAX) {
		if (out_cap < 2)
			return TB_ERR_NO_SPACE;
		out[1] = out[0];
		out[0].length = (1ull << 63) - 1;
		out[1].base = 1ull << 63;
		pieces = 2;
	}
	for (size_t i = 0; i < pieces; i++) {
		struct tb_mem_entry *e = &out[i];

		e->length = e->length - e->base + 1;
		e->after_type = e->type;
		e->owner = TB_OWNER_NONE;
		e->reason = TB_REASON_NONE;
		e->reclaim = TB_RECLAIM_NEVER;
		e->source = TB_SOURCE_EFI_MAP;
		e->reserved = 0;
	}
	*out_count = pieces;
	return TB_OK;
}
