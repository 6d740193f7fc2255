/* map_tag.c: tb_map_tag, carving a tagged region (AP page tables, mailbox, kernel, handoff...)
 * into a normalized map in place. */
#include "tagboot_handoff.h"

#include <stdint.h>

#define TAG_PAGE_MASK (TB_PAGE_SIZE - 1)

/* The region being carved, with inclusive page-aligned bounds. */
struct tag_region {
	uint64_t first;
	uint64_t last;
	const struct tb_mem_entry *tags;
};

/* Counting pass and writing pass share one walk: with `write`, pieces are stored backwards
 * from index *w. Writing backwards is what makes the growth safe in place: every entry yields
 * at least one piece, so the write index never falls onto an entry not yet read. */
struct tag_sink {
	struct tb_mem_entry *map;
	bool write;
	size_t w;
	size_t produced;
};

static void tag_emit(struct tag_sink *sink, const struct tb_mem_entry *piece)
{
	sink->produced++;
	if (sink->write)
		sink->map[--sink->w] = *piece;
}

/* The higher-ranked of two types; on a tie the first. */
static uint32_t tag_higher_type(uint32_t a, uint32_t b)
{
	return tb_mem_type_rank(b) > tb_mem_type_rank(a) ? b : a;
}

static struct tb_mem_entry tag_piece(const struct tag_region *r, uint64_t base, uint64_t last,
                                     uint32_t own_after_type)
{
	struct tb_mem_entry p = *r->tags;

	p.base = base;
	p.length = last - base + 1;
	p.after_type = tag_higher_type(r->tags->after_type, own_after_type);
	p.reserved = 0;
	return p;
}

/* Pieces of one map entry, emitted last first: untouched tail, tagged middle, untouched head. */
static void tag_entry(struct tag_sink *sink, const struct tag_region *r,
                      const struct tb_mem_entry *e)
{
	uint64_t first = e->base, last = e->base + (e->length - 1);
	struct tb_mem_entry part;

	if (last < r->first || first > r->last ||
	    tb_mem_type_rank(e->type) > tb_mem_type_rank(r->tags->type)) {
		tag_emit(sink, e);
		return;
	}
	if (last > r->last) {
		part = *e;
		part.base = r->last + 1;
		part.length = last - r->last;
		tag_emit(sink, &part);
	}
	part = tag_piece(r, first > r->first ? first : r->first, last < r->last ? last : r->last,
	                 e->after_type);
	tag_emit(sink, &part);
	if (first < r->first) {
		part = *e;
		part.length = r->first - first;
		tag_emit(sink, &part);
	}
}

/* Walk the map from the end: gap after entry j-1, then entry j-1, for j = n .. 0. */
static size_t tag_walk(struct tb_mem_entry *map, size_t n, const struct tag_region *r,
                       bool write, size_t total)
{
	struct tag_sink sink = { .map = map, .write = write, .w = total, .produced = 0 };
	bool next_exists = false; /* is there an entry after the gap? */
	uint64_t next_base = 0;

	for (size_t j = n + 1; j-- > 0;) {
		struct tb_mem_entry e = { 0 };
		bool gap = true;
		uint64_t gap_first = 0, gap_last = UINT64_MAX;

		if (j > 0) {
			e = map[j - 1]; /* read before any write can reach slot j - 1 */
			uint64_t e_last = e.base + (e.length - 1);

			if (e_last == UINT64_MAX)
				gap = false;
			else
				gap_first = e_last + 1;
		}
		if (next_exists) {
			if (next_base == 0)
				gap = false;
			else
				gap_last = next_base - 1;
		}
		if (gap && gap_first <= gap_last) {
			/* Holes inside the region: nothing was known there, so after the tag
			 * expires the memory is reserved, never usable. */
			uint64_t lo = gap_first > r->first ? gap_first : r->first;
			uint64_t hi = gap_last < r->last ? gap_last : r->last;

			if (lo <= hi) {
				struct tb_mem_entry hole = tag_piece(r, lo, hi, TB_MEM_RESERVED);

				tag_emit(&sink, &hole);
			}
		}
		if (j > 0) {
			tag_entry(&sink, r, &e);
			next_exists = true;
			next_base = e.base;
		}
	}
	return sink.produced;
}

static bool tag_same(const struct tb_mem_entry *a, const struct tb_mem_entry *b)
{
	return a->type == b->type && a->after_type == b->after_type && a->owner == b->owner &&
	       a->reason == b->reason && a->reclaim == b->reclaim && a->source == b->source;
}

/* Merge contiguous identical neighbours, unless the merged length would not fit in 64 bits. */
static size_t tag_merge(struct tb_mem_entry *map, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		if (w > 0) {
			struct tb_mem_entry *prev = &map[w - 1];

			if (tag_same(prev, &map[i]) && prev->base + prev->length == map[i].base &&
			    map[i].length <= UINT64_MAX - prev->length) {
				prev->length += map[i].length;
				continue;
			}
		}
		map[w++] = map[i];
	}
	return w;
}

enum tb_status tb_map_tag(struct tb_mem_entry *map, size_t *count, size_t cap,
                          const struct tb_mem_entry *region)
{
	struct tag_region r;
	size_t pieces;

	if (map == NULL || count == NULL || region == NULL)
		return TB_ERR_NULL;
	if (*count > cap || region->length == 0 || region->length - 1 > UINT64_MAX - region->base)
		return TB_ERR_INVALID_ARG;
	/* A tag on usable memory would make a usable-now entry carry a reclaim rule, which the
	 * validator rejects (TB_ERR_MAP_USABLE_TAG). */
	if (region->type == TB_MEM_USABLE)
		return TB_ERR_INVALID_ARG;

	r.first = region->base & ~TAG_PAGE_MASK;
	r.last = (region->base + (region->length - 1)) | TAG_PAGE_MASK;
	r.tags = region;

	/* Count first so that a full map is left untouched on TB_ERR_NO_SPACE. The count is
	 * before merging: the map needs room for the pieces while they are being carved. */
	pieces = tag_walk(map, *count, &r, false, 0);
	if (pieces > cap)
		return TB_ERR_NO_SPACE;
	tag_walk(map, *count, &r, true, pieces);
	*count = tag_merge(map, pieces);
	return TB_OK;
}
