/* The 1.0 reader kept for the compatibility test: handoff/src/reader.c at 6369646, unchanged. */
/* reader.c: walking the records of a validated blob and finding the memory map. */
#include "tagboot_handoff.h"

#include <stdint.h>

const struct tb_record *tb_next_record(const void *blob, const struct tb_record *prev)
{
	const struct tb_header *h = blob;
	const uint8_t *base = blob;
	size_t off;

	if (blob == NULL)
		return NULL;
	if (prev == NULL)
		off = h->header_size;
	else
		off = (size_t)((const uint8_t *)prev - base) + prev->size;
	/* A validated blob has its records end exactly at total_size; the size guard keeps a
	 * caller that skipped validation from walking forever on a zero-sized record. */
	if (off + sizeof(struct tb_record) > h->total_size)
		return NULL;
	if (prev != NULL && prev->size == 0)
		return NULL;
	return (const struct tb_record *)(base + off);
}

const struct tb_record *tb_find_record(const void *blob, uint16_t type, uint32_t min_size)
{
	for (const struct tb_record *r = tb_next_record(blob, NULL); r != NULL;
	     r = tb_next_record(blob, r)) {
		if (r->type == type && r->size >= min_size)
			return r;
	}
	return NULL;
}

const struct tb_rec_memmap *tb_memmap(const void *blob)
{
	return (const struct tb_rec_memmap *)tb_find_record(blob, TB_REC_MEMMAP,
	                                                    sizeof(struct tb_rec_memmap));
}

/* Step by entry_size, never by sizeof: a newer minor version may append fields. */
const struct tb_mem_entry *tb_memmap_entry(const struct tb_rec_memmap *map, uint32_t index)
{
	if (map == NULL || index >= map->entry_count)
		return NULL;
	return (const struct tb_mem_entry *)((const uint8_t *)map + TB_MEMMAP_ENTRIES_OFFSET +
	                                     (size_t)index * map->entry_size);
}
