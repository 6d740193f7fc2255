/* maptable.c: the memory map of a validated blob as a table, and its totals, for `handoff
 * decode` (the table alone also serves `handoff simulate`). */
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "tagboot_handoff.h"

const char *maptable_size(uint64_t bytes, char *buf, size_t cap)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes != 0 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, cap, "%llu %s", (unsigned long long)bytes, units[u]);
	return buf;
}

/* Saturating: the entries of a valid map are disjoint, but may together cover all 2^64. */
static uint64_t maptable_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* "usable", or "unknown(99)=reserved" for a type this reader does not know. */
static const char *maptable_type(uint32_t type, char *buf, size_t cap)
{
	if (tb_mem_type_known(type) != type) {
		snprintf(buf, cap, "unknown(%u)=reserved", type);
		return buf;
	}
	return tb_mem_type_name(type);
}

/* An entry of a newer version's map is longer than struct tb_mem_entry: its further bytes
 * (entry_size - 32 of them) as hex, 32 a line; and a reserved field that is not 0. */
static void maptable_extra(const struct tb_rec_memmap *map, const struct tb_mem_entry *e)
{
	const uint8_t *extra = (const uint8_t *)e + sizeof(*e);
	uint32_t n = map->entry_size > sizeof(*e) ? map->entry_size - (uint32_t)sizeof(*e) : 0;

	for (uint32_t i = 0; i < n; i++) {
		if (i % 32 == 0)
			printf("%s    +%-3u", i == 0 ? "" : "\n", (unsigned)sizeof(*e) + i);
		printf(" %02x", extra[i]);
	}
	if (n != 0)
		printf("\n");
	if (e->reserved != 0)
		printf("    reserved field is 0x%x (should be 0)\n", e->reserved);
}

void maptable_print_entries(const struct tb_rec_memmap *map)
{
	char size[32], type[32], after[32];

	printf("memory map: %u entries\n", map->entry_count);
	printf("  %-18s %-18s %12s  %-18s %-8s %-15s %-24s %-18s %s\n", "base", "end (excl.)", "size",
	       "type", "owner", "reason", "reclaim", "after", "source");
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		/* end is exclusive; an entry ending at 2^64 prints its last byte + 1 as 0. */
		uint64_t end = e->base + e->length;

		printf("  0x%016llx 0x%016llx %12s  %-18s %-8s %-15s %-24s %-18s %s\n",
		       (unsigned long long)e->base, (unsigned long long)end,
		       maptable_size(e->length, size, sizeof(size)),
		       maptable_type(e->type, type, sizeof(type)), tb_owner_name(e->owner),
		       tb_reason_name(e->reason), tb_reclaim_name(e->reclaim),
		       maptable_type(e->after_type, after, sizeof(after)),
		       tb_source_name(e->source));
		maptable_extra(map, e);
	}
}

void maptable_print(const struct tb_rec_memmap *map)
{
	uint64_t usable = 0, ap_held = 0, loader = 0, after_wakeup = 0;
	char size[32];

	maptable_print_entries(map);
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		uint32_t known = tb_mem_type_known(e->type);

		if (known == TB_MEM_USABLE)
			usable = maptable_add(usable, e->length);
		if (known == TB_MEM_AP_HELD)
			ap_held = maptable_add(ap_held, e->length);
		if (known == TB_MEM_LOADER_RECLAIMABLE)
			loader = maptable_add(loader, e->length);
		if (known != TB_MEM_USABLE && tb_mem_type_known(e->after_type) == TB_MEM_USABLE &&
		    (e->reclaim == TB_RECLAIM_AFTER_AP_WAKEUP ||
		     e->reclaim == TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET))
			after_wakeup = maptable_add(after_wakeup, e->length);
	}
	printf("totals:\n");
	printf("  usable              %20llu bytes (%s)\n", (unsigned long long)usable,
	       maptable_size(usable, size, sizeof(size)));
	printf("  ap-held             %20llu bytes (%s)\n", (unsigned long long)ap_held,
	       maptable_size(ap_held, size, sizeof(size)));
	printf("  loader-reclaimable  %20llu bytes (%s)\n", (unsigned long long)loader,
	       maptable_size(loader, size, sizeof(size)));
	printf("  usable-after-wakeup %20llu bytes (%s)\n", (unsigned long long)after_wakeup,
	       maptable_size(after_wakeup, size, sizeof(size)));
}
