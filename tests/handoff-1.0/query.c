/* The 1.0 reader kept for the compatibility test: handoff/src/query.c at 6369646, unchanged. */
/* query.c: is a page usable now, or once the APs are woken? (binary search over the map) */
#include "tagboot_handoff.h"

/* The entry holding addr, or NULL when addr falls in a hole. Entries are sorted and disjoint
 * in a validated map, so the candidate is the last entry with base <= addr. */
static const struct tb_mem_entry *query_find_entry(const void *blob, uint64_t addr)
{
	const struct tb_rec_memmap *map = tb_memmap(blob);
	const struct tb_mem_entry *e;
	uint32_t lo = 0, hi;

	if (map == NULL || map->entry_count == 0)
		return NULL;
	hi = map->entry_count; /* invariant: entries [0, lo) have base <= addr, [hi, n) above */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (tb_memmap_entry(map, mid)->base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	e = tb_memmap_entry(map, lo - 1);
	if (addr - e->base > e->length - 1)
		return NULL;
	return e;
}

bool tb_frame_usable_now(const void *blob, uint64_t addr)
{
	const struct tb_mem_entry *e = query_find_entry(blob, addr);

	return e != NULL && tb_mem_type_known(e->type) == TB_MEM_USABLE;
}

bool tb_frame_usable_after_wakeup(const void *blob, uint64_t addr, bool no_reset)
{
	const struct tb_mem_entry *e = query_find_entry(blob, addr);

	if (e == NULL)
		return false;
	if (tb_mem_type_known(e->type) == TB_MEM_USABLE)
		return true;
	if (tb_mem_type_known(e->after_type) != TB_MEM_USABLE)
		return false;
	return e->reclaim == TB_RECLAIM_AFTER_AP_WAKEUP ||
	       (no_reset && e->reclaim == TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET);
}
