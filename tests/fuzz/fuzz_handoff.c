/* fuzz_handoff.c: libFuzzer harness for the handoff validator and reader (tb_validate, record walk, map queries, tb_release). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tagboot_handoff.h"

#define HANDOFF_FUZZ_CRC_AT 28u /* offsetof(struct tb_header, crc32) */
#define HANDOFF_FUZZ_TOTAL_AT 16u

static uint32_t handoff_fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Everything a kernel does with a blob tb_validate accepted; every pointer it gets must stay
 * inside the blob (ASan sees the exact-size heap copy). */
static void handoff_fuzz_read(uint8_t *blob, size_t size)
{
	const struct tb_header *h = (const struct tb_header *)blob;
	FUZZ_CHECK(h->total_size <= size && h->header_size <= h->total_size,
	           "validated header sizes %u/%u exceed the buffer of %zu", h->header_size,
	           h->total_size, size);

	uint32_t records = 0;
	for (const struct tb_record *r = tb_next_record(blob, NULL); r != NULL;
	     r = tb_next_record(blob, r)) {
		size_t off = (size_t)((const uint8_t *)r - blob);
		FUZZ_CHECK(off + r->size <= h->total_size, "record at %zu runs past total_size", off);
		FUZZ_CHECK(records < h->record_count, "walk yields more than record_count records");
		records++;
	}
	FUZZ_CHECK(records == h->record_count, "walk yields %u records, header says %u", records,
	           h->record_count);

	for (uint16_t type = 0; type <= TB_REC_LOADER + 1; type++)
		(void)tb_find_record(blob, type, sizeof(struct tb_record));

	const struct tb_rec_memmap *map = tb_memmap(blob);
	FUZZ_CHECK(map != NULL, "validated blob without a memory map");
	uint64_t prev_end = 0;
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		FUZZ_CHECK(e != NULL, "entry %u of %u missing", i, map->entry_count);
		FUZZ_CHECK((const uint8_t *)e + sizeof *e <= (const uint8_t *)map + map->hdr.size,
		           "entry %u runs past the memmap record", i);
		FUZZ_CHECK(i == 0 || e->base >= prev_end, "validated map entry %u overlaps", i);
		prev_end = e->base + e->length;
		(void)tb_mem_type_name(e->type);
		(void)tb_owner_name(e->owner);
		(void)tb_reason_name(e->reason);
		(void)tb_reclaim_name(e->reclaim);
		(void)tb_source_name(e->source);
		bool now = tb_frame_usable_now(blob, e->base);
		bool later = tb_frame_usable_after_wakeup(blob, e->base + e->length - 1, true);
		FUZZ_CHECK(now == (tb_mem_type_known(e->type) == TB_MEM_USABLE),
		           "usable_now disagrees with entry %u", i);
		FUZZ_CHECK(!now || later, "entry %u usable now but not after wakeup", i);
		(void)tb_frame_usable_now(blob, e->base - 1);
	}
	FUZZ_CHECK(tb_memmap_entry(map, map->entry_count) == NULL, "entry past the count returned");

	/* Release everything; the result must still be a valid blob. */
	uint64_t pages = 0;
	enum tb_status st = tb_release(blob, TB_EVENT_APS_WOKEN | TB_EVENT_NO_RESET |
	                                             TB_EVENT_LEFT_HANDOFF, &pages);
	FUZZ_CHECK(st == TB_OK, "tb_release on a valid blob: %s", tb_status_str(st));
	size_t where = 0;
	st = tb_validate(blob, size, &where);
	FUZZ_CHECK(st == TB_OK, "blob invalid after tb_release: %s at %zu", tb_status_str(st), where);
}

static void handoff_fuzz_one(uint8_t *copy, size_t size)
{
	size_t where = (size_t)-1;
	enum tb_status st = tb_validate(copy, size, &where);
	FUZZ_CHECK(st < TB_STATUS_COUNT, "status %d out of range", (int)st);
	FUZZ_CHECK(tb_status_str(st) != NULL, "no text for status %d", (int)st);
	if (st == TB_OK)
		handoff_fuzz_read(copy, size);
	else if (where != (size_t)-1)
		FUZZ_CHECK(where <= size, "error offset %zu past the buffer of %zu", where, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: the reader writes (tb_release) and ASan sees one byte past. */
	uint8_t *copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	handoff_fuzz_one(copy, size);

	/* Random bytes almost never carry a right CRC; also try the same bytes with the CRC
	 * fixed up so the fuzzer gets past it to the record and map checks. */
	if (size >= sizeof(struct tb_header)) {
		memcpy(copy, data, size);
		uint32_t total = handoff_fuzz_le32(copy + HANDOFF_FUZZ_TOTAL_AT);
		if (total >= sizeof(struct tb_header) && total <= size) {
			memset(copy + HANDOFF_FUZZ_CRC_AT, 0, 4);
			uint32_t crc = tb_crc32(0, copy, total);
			for (unsigned i = 0; i < 4; i++)
				copy[HANDOFF_FUZZ_CRC_AT + i] = (uint8_t)(crc >> (8 * i));
			handoff_fuzz_one(copy, size);
		}
	}
	free(copy);
	return 0;
}
