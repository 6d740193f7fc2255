/* fuzz_normalize.c: libFuzzer harness for tb_normalize, checking its output against a per-page oracle. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tagboot_handoff.h"

#define NORMALIZE_FUZZ_MAX_IN 128u
/* Two output entries per input boundary is the most a sweep can produce, plus one. */
#define NORMALIZE_FUZZ_OUT_CAP (2u * NORMALIZE_FUZZ_MAX_IN + 1u)
#define NORMALIZE_FUZZ_RAW_SIZE 17u    /* base u64, length u64, type u8 */
#define NORMALIZE_FUZZ_SMALL_SIZE 5u   /* base u16, length u16 (both in KiB), type u8 */
#define NORMALIZE_FUZZ_PAGE TB_PAGE_SIZE
#define NORMALIZE_FUZZ_TOP ((unsigned __int128)1 << 64)

typedef unsigned __int128 normalize_fuzz_u128;

static uint64_t normalize_fuzz_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Decode the input. The first byte picks the encoding: raw 64-bit ranges reach every corner
 * (wrap, 2^64 clipping); small KiB-granular ranges overlap densely and are rarely aligned. */
static size_t normalize_fuzz_decode(const uint8_t *data, size_t size, struct tb_mem_entry *in)
{
	if (size == 0)
		return 0;
	bool small = (data[0] & 1u) != 0;
	size_t step = small ? NORMALIZE_FUZZ_SMALL_SIZE : NORMALIZE_FUZZ_RAW_SIZE;
	size_t n = 0;
	for (size_t at = 1; at + step <= size && n < NORMALIZE_FUZZ_MAX_IN; at += step, n++) {
		memset(&in[n], 0xA5, sizeof in[n]); /* fields tb_normalize must not read */
		if (small) {
			in[n].base = normalize_fuzz_le(data + at, 2) * 1024u;
			in[n].length = normalize_fuzz_le(data + at + 2, 2) * 1024u;
			in[n].type = data[at + 4] % 18u; /* a few unknown types too */
		} else {
			in[n].base = normalize_fuzz_le(data + at, 8);
			in[n].length = normalize_fuzz_le(data + at + 8, 8);
			in[n].type = data[at + 16];
		}
	}
	return n;
}

/* The bytes [*lo, *hi) an input range covers, clipped at 2^64. False when empty. */
static bool normalize_fuzz_bytes(const struct tb_mem_entry *e, normalize_fuzz_u128 *lo,
                                 normalize_fuzz_u128 *hi)
{
	if (e->length == 0)
		return false;
	*lo = e->base;
	*hi = (normalize_fuzz_u128)e->base + e->length;
	if (*hi > NORMALIZE_FUZZ_TOP)
		*hi = NORMALIZE_FUZZ_TOP;
	return true;
}

/* Is every byte of [page, page + 4096) covered by some usable input? */
static bool normalize_fuzz_usable_page(const struct tb_mem_entry *in, size_t n,
                                       normalize_fuzz_u128 page)
{
	normalize_fuzz_u128 cursor = page, end = page + NORMALIZE_FUZZ_PAGE;
	bool moved = true;
	while (cursor < end && moved) {
		moved = false;
		for (size_t i = 0; i < n; i++) {
			normalize_fuzz_u128 lo, hi;
			if (tb_mem_type_known(in[i].type) != TB_MEM_USABLE ||
			    !normalize_fuzz_bytes(&in[i], &lo, &hi))
				continue;
			if (lo <= cursor && cursor < hi) {
				cursor = hi;
				moved = true;
			}
		}
	}
	return cursor >= end;
}

/* The type the page at addr must have, straight from the rules (tagboot_handoff.h,
 * tb_normalize): bytes take the highest-ranked type covering them; a non-usable byte makes
 * its whole page non-usable (the highest rank touching the page wins); a page is usable only
 * when usable bytes cover all of it. 0 means a hole. */
static uint32_t normalize_fuzz_expected(const struct tb_mem_entry *in, size_t n, uint64_t addr)
{
	normalize_fuzz_u128 page = addr, page_end = page + NORMALIZE_FUZZ_PAGE;
	uint32_t best = 0;
	unsigned best_rank = 0;
	for (size_t i = 0; i < n; i++) {
		normalize_fuzz_u128 lo, hi;
		if (!normalize_fuzz_bytes(&in[i], &lo, &hi) || hi <= page || lo >= page_end)
			continue;
		unsigned rank = tb_mem_type_rank(in[i].type);
		if (best == 0 || rank > best_rank) {
			best = tb_mem_type_known(in[i].type);
			best_rank = rank;
		}
	}
	if (best == TB_MEM_USABLE && !normalize_fuzz_usable_page(in, n, page))
		return 0;
	return best;
}

/* The type of the output page at addr, or 0 when no entry covers it (binary search). */
static uint32_t normalize_fuzz_actual(const struct tb_mem_entry *out, size_t m, uint64_t addr)
{
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((normalize_fuzz_u128)out[mid].base + out[mid].length <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m && out[lo].base <= addr)
		return out[lo].type;
	return 0;
}

static void normalize_fuzz_probe(const struct tb_mem_entry *in, size_t n,
                                 const struct tb_mem_entry *out, size_t m, normalize_fuzz_u128 page)
{
	if (page >= NORMALIZE_FUZZ_TOP)
		return;
	uint64_t addr = (uint64_t)page;
	uint32_t want = normalize_fuzz_expected(in, n, addr);
	uint32_t got = normalize_fuzz_actual(out, m, addr);
	FUZZ_CHECK(want == got, "page 0x%llx: expected type %u, output has %u",
	           (unsigned long long)addr, want, got);
}

/* Structural rules of a normalized map (tagboot_handoff.h, struct tb_mem_entry). */
static void normalize_fuzz_check_shape(const struct tb_mem_entry *out, size_t m)
{
	for (size_t i = 0; i < m; i++) {
		const struct tb_mem_entry *e = &out[i];
		FUZZ_CHECK(e->length > 0, "entry %zu is empty", i);
		FUZZ_CHECK(e->base % NORMALIZE_FUZZ_PAGE == 0 && e->length % NORMALIZE_FUZZ_PAGE == 0,
		           "entry %zu not page aligned", i);
		FUZZ_CHECK((normalize_fuzz_u128)e->base + e->length <= NORMALIZE_FUZZ_TOP,
		           "entry %zu wraps past 2^64", i);
		FUZZ_CHECK(e->type >= TB_MEM_USABLE && e->type <= TB_MEM_TYPE_MAX,
		           "entry %zu has type %u", i, e->type);
		FUZZ_CHECK(e->after_type == e->type && e->owner == TB_OWNER_NONE &&
		                   e->reason == TB_REASON_NONE && e->reclaim == TB_RECLAIM_NEVER &&
		                   e->reserved == 0,
		           "entry %zu is not untagged", i);
		if (i == 0)
			continue;
		const struct tb_mem_entry *p = &out[i - 1];
		normalize_fuzz_u128 p_end = (normalize_fuzz_u128)p->base + p->length;
		FUZZ_CHECK(p->base < e->base, "entries %zu and %zu unsorted", i - 1, i);
		FUZZ_CHECK(p_end <= e->base, "entries %zu and %zu overlap", i - 1, i);
		/* One exception (docs/handoff.md "Normalization" rule 5): a single range covering
		 * all 2^64 bytes cannot store its length and is split at 2^63. */
		bool whole_space_split = m == 2 && p->base == 0 && e->base == (1ull << 63) &&
		                         p->length == (1ull << 63) && e->length == (1ull << 63);
		FUZZ_CHECK(p_end != e->base || p->type != e->type || whole_space_split,
		           "entries %zu and %zu touch with the same type and were not merged", i - 1, i);
	}
}

#define NORMALIZE_FUZZ_TAG_CAP (4u * NORMALIZE_FUZZ_OUT_CAP)
#define NORMALIZE_FUZZ_MAX_TAGS 8u

/* Wrap a map in a blob and run the validator, as the loader's final step does. */
static void normalize_fuzz_validate_map(const struct tb_mem_entry *map, size_t m, size_t tag)
{
	static uint64_t blob[(64 + 16 + NORMALIZE_FUZZ_TAG_CAP * sizeof(struct tb_mem_entry)) / 8];
	struct tb_builder b;
	size_t size = 0, where = 0;
	tb_builder_init(&b, blob, sizeof blob, 0);
	tb_builder_add_memmap(&b, map, m);
	FUZZ_CHECK(tb_builder_finish(&b, &size) == TB_OK, "builder failed on %zu entries", m);
	enum tb_status st = tb_validate(blob, size, &where);
	FUZZ_CHECK(st == TB_OK, "map after tag %zu does not validate: %s at %zu", tag,
	           tb_status_str(st), where);
}

/* Carve every fourth input range as a tag (tb_map_tag) into a copy of the normalized map;
 * the pages at the region's edges must take the higher-ranked of the tag's and their old
 * type, the pages just outside must keep theirs, and the map must stay valid. */
static void normalize_fuzz_tags(const struct tb_mem_entry *in, size_t n,
                                const struct tb_mem_entry *out, size_t m)
{
	static const uint32_t tag_types[] = { TB_MEM_AP_HELD, TB_MEM_LOADER_RECLAIMABLE,
		                              TB_MEM_KERNEL, TB_MEM_MODULE, TB_MEM_ACPI_NVS };
	static struct tb_mem_entry map[NORMALIZE_FUZZ_TAG_CAP], before[NORMALIZE_FUZZ_TAG_CAP];
	size_t count = m, tags = 0;
	memcpy(map, out, m * sizeof map[0]);
	for (size_t i = 3; i < n && tags < NORMALIZE_FUZZ_MAX_TAGS; i += 4, tags++) {
		struct tb_mem_entry region = in[i];
		uint32_t pick = in[i].type;
		region.type = tag_types[pick % 5u];
		region.after_type = (pick & 0x10u) ? TB_MEM_USABLE : region.type;
		region.owner = TB_OWNER_LOADER;
		region.reason = TB_REASON_PAGE_TABLES;
		region.reclaim = (uint8_t)((pick >> 5) & 3u);
		region.source = TB_SOURCE_LOADER;
		region.reserved = 0;

		size_t before_count = count;
		memcpy(before, map, count * sizeof map[0]);
		enum tb_status st = tb_map_tag(map, &count, NORMALIZE_FUZZ_TAG_CAP, &region);
		bool wraps = region.length == 0 || region.length - 1 > UINT64_MAX - region.base;
		if (wraps) {
			FUZZ_CHECK(st == TB_ERR_INVALID_ARG, "tag %zu: empty or wrapping region: %s",
			           tags, tb_status_str(st));
			continue;
		}
		if (st == TB_ERR_NO_SPACE) {
			FUZZ_CHECK(count == before_count &&
			                   memcmp(map, before, count * sizeof map[0]) == 0,
			           "tag %zu: TB_ERR_NO_SPACE changed the map", tags);
			continue;
		}
		FUZZ_CHECK(st == TB_OK, "tag %zu: %s", tags, tb_status_str(st));
		normalize_fuzz_validate_map(map, count, tags);

		uint64_t first = region.base & ~(NORMALIZE_FUZZ_PAGE - 1);
		uint64_t last = (region.base + (region.length - 1)) & ~(NORMALIZE_FUZZ_PAGE - 1);
		const uint64_t inside[2] = { first, last };
		for (unsigned k = 0; k < 2; k++) {
			uint32_t old = normalize_fuzz_actual(before, before_count, inside[k]);
			uint32_t want = region.type;
			if (old != 0 && tb_mem_type_rank(old) > tb_mem_type_rank(region.type))
				want = old;
			uint32_t got = normalize_fuzz_actual(map, count, inside[k]);
			FUZZ_CHECK(got == want, "tag %zu: page 0x%llx has type %u, expected %u", tags,
			           (unsigned long long)inside[k], got, want);
		}
		if (first >= NORMALIZE_FUZZ_PAGE)
			FUZZ_CHECK(normalize_fuzz_actual(map, count, first - NORMALIZE_FUZZ_PAGE) ==
			                   normalize_fuzz_actual(before, before_count,
			                                         first - NORMALIZE_FUZZ_PAGE),
			           "tag %zu: the page below the region changed", tags);
		if (last + NORMALIZE_FUZZ_PAGE != 0)
			FUZZ_CHECK(normalize_fuzz_actual(map, count, last + NORMALIZE_FUZZ_PAGE) ==
			                   normalize_fuzz_actual(before, before_count,
			                                         last + NORMALIZE_FUZZ_PAGE),
			           "tag %zu: the page above the region changed", tags);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tb_mem_entry in[NORMALIZE_FUZZ_MAX_IN];
	static struct tb_mem_entry out[NORMALIZE_FUZZ_OUT_CAP];
	size_t n = normalize_fuzz_decode(data, size, in);

	size_t scratch_size = tb_normalize_scratch_size(n);
	void *scratch = malloc(scratch_size ? scratch_size : 1);
	if (scratch == NULL)
		return 0;
	memset(out, 0xCC, sizeof out);
	size_t m = 0;
	enum tb_status st = tb_normalize(in, n, out, NORMALIZE_FUZZ_OUT_CAP, &m, scratch,
	                                 scratch_size);
	free(scratch);
	FUZZ_CHECK(st == TB_OK, "tb_normalize failed with %d (%s) on %zu entries", (int)st,
	           tb_status_str(st), n);
	FUZZ_CHECK(m <= NORMALIZE_FUZZ_OUT_CAP, "out_count %zu past the capacity", m);
	normalize_fuzz_check_shape(out, m);

	/* Compare with the oracle at every page where something could change: the pages holding
	 * the first and last byte of each input and of each output entry, and their neighbours. */
	for (size_t i = 0; i < n; i++) {
		normalize_fuzz_u128 lo, hi;
		if (!normalize_fuzz_bytes(&in[i], &lo, &hi))
			continue;
		normalize_fuzz_u128 first = lo / NORMALIZE_FUZZ_PAGE * NORMALIZE_FUZZ_PAGE;
		normalize_fuzz_u128 last = (hi - 1) / NORMALIZE_FUZZ_PAGE * NORMALIZE_FUZZ_PAGE;
		normalize_fuzz_probe(in, n, out, m, first);
		normalize_fuzz_probe(in, n, out, m, last);
		normalize_fuzz_probe(in, n, out, m, last + NORMALIZE_FUZZ_PAGE);
		if (first >= NORMALIZE_FUZZ_PAGE)
			normalize_fuzz_probe(in, n, out, m, first - NORMALIZE_FUZZ_PAGE);
	}
	for (size_t i = 0; i < m; i++) {
		normalize_fuzz_u128 end = (normalize_fuzz_u128)out[i].base + out[i].length;
		normalize_fuzz_probe(in, n, out, m, out[i].base);
		normalize_fuzz_probe(in, n, out, m, end - NORMALIZE_FUZZ_PAGE);
	}

	normalize_fuzz_validate_map(out, m, 0);
	normalize_fuzz_tags(in, n, out, m);

	/* A second pass over its own output must change nothing. */
	if (m > 0) {
		static struct tb_mem_entry again[NORMALIZE_FUZZ_OUT_CAP];
		size_t scratch2_size = tb_normalize_scratch_size(m);
		void *scratch2 = malloc(scratch2_size);
		size_t m2 = 0;
		if (scratch2 == NULL)
			return 0;
		st = tb_normalize(out, m, again, NORMALIZE_FUZZ_OUT_CAP, &m2, scratch2, scratch2_size);
		free(scratch2);
		FUZZ_CHECK(st == TB_OK && m2 == m && memcmp(again, out, m * sizeof out[0]) == 0,
		           "normalizing the output again changed it (%zu -> %zu entries)", m, m2);
	}
	return 0;
}
