/* fuzz_handoff.c: libFuzzer harness for the handoff validator and reader (tb_validate, record walk, every record's data, map queries, tb_release). */
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

/* Keeps the reads below from being optimized away: every byte read ends up here. */
static volatile uint64_t handoff_fuzz_sink;

/* Bytes of a record's fixed fields for its version, as docs/handoff.md states them (written
 * out here rather than taken from validate.c, so that the two can disagree). */
static uint32_t handoff_fuzz_fixed(const struct tb_record *r)
{
	switch (r->type) {
	case TB_REC_MP: return r->version >= 2 ? sizeof(struct tb_rec_mp) : TB_MP_V1_SIZE;
	case TB_REC_MODULE: return r->version >= 2 ? sizeof(struct tb_rec_module) : TB_MODULE_V1_SIZE;
	case TB_REC_CMDLINE: return sizeof(struct tb_rec_cmdline);
	case TB_REC_EFI: return sizeof(struct tb_rec_efi);
	case TB_REC_EFI_MAP: return sizeof(struct tb_rec_efi_map);
	case TB_REC_BOOT_DEVICE: return sizeof(struct tb_rec_boot_device);
	default: return sizeof(struct tb_record);
	}
}

/* [offset, offset + bytes) lies in the record's variable part: past its fixed fields, before
 * its end. Then every byte of it is read (ASan: inside the heap copy). */
static void handoff_fuzz_span(const struct tb_record *r, uint64_t offset, uint64_t bytes,
                              const char *what)
{
	const uint8_t *rec = (const uint8_t *)r;

	FUZZ_CHECK(offset >= handoff_fuzz_fixed(r), "type %u: %s at %llu inside the fixed fields",
	           r->type, what, (unsigned long long)offset);
	FUZZ_CHECK(offset + bytes <= r->size, "type %u: %s (%llu bytes at %llu) past the record of %u",
	           r->type, what, (unsigned long long)bytes, (unsigned long long)offset, r->size);
	for (uint64_t i = 0; i < bytes; i++)
		handoff_fuzz_sink += rec[offset + i];
}

/* A NUL-terminated text of length bytes at offset: inside the record, NUL at its end. */
static void handoff_fuzz_text(const struct tb_record *r, uint32_t offset, uint32_t length,
                              const char *what)
{
	const char *text = (const char *)r + offset;

	handoff_fuzz_span(r, offset, (uint64_t)length + 1, what);
	FUZZ_CHECK(text[length] == '\0', "type %u: %s without its NUL", r->type, what);
	FUZZ_CHECK(fuzz_bounded_len(text, (size_t)length + 1) <= length, "type %u: %s too long",
	           r->type, what);
}

/* A fixed-size record: every byte of the structure (ASan: the structure is in the blob). */
static void handoff_fuzz_fields(const struct tb_record *r, size_t size)
{
	uint8_t copy[128];

	FUZZ_CHECK(size <= sizeof copy && r->size >= size, "type %u: %u bytes, fields need %zu",
	           r->type, r->size, size);
	memcpy(copy, r, size);
	for (size_t i = 0; i < size; i++)
		handoff_fuzz_sink += copy[i];
}

/* count EFI descriptors of desc_size bytes: each one's 40 bytes read as a kernel would. */
static void handoff_fuzz_descs(const struct tb_record *r, uint32_t offset, uint32_t desc_size,
                               uint32_t count)
{
	if (count == 0)
		return;
	FUZZ_CHECK(desc_size >= 40, "type %u: %u descriptors of %u bytes", r->type, count, desc_size);
	handoff_fuzz_span(r, offset, (uint64_t)desc_size * count, "descriptors");
	for (uint32_t i = 0; i < count; i++) {
		uint8_t d[40];

		memcpy(d, (const uint8_t *)r + offset + (size_t)i * desc_size, sizeof d);
		handoff_fuzz_sink += d[0] + d[39];
	}
}

/* What a kernel reads of each known record, through the reader's accessors where it has them. */
static void handoff_fuzz_record(const struct tb_record *r)
{
	const uint8_t *rec = (const uint8_t *)r;

	switch (r->type) {
	case TB_REC_PLATFORM: handoff_fuzz_fields(r, sizeof(struct tb_rec_platform)); break;
	case TB_REC_ACPI: handoff_fuzz_fields(r, sizeof(struct tb_rec_acpi)); break;
	case TB_REC_FRAMEBUFFER: handoff_fuzz_fields(r, sizeof(struct tb_rec_framebuffer)); break;
	case TB_REC_TIMESTAMPS: handoff_fuzz_fields(r, sizeof(struct tb_rec_timestamps)); break;
	case TB_REC_LOADER: handoff_fuzz_fields(r, sizeof(struct tb_rec_loader)); break;
	case TB_REC_KERNEL: handoff_fuzz_fields(r, sizeof(struct tb_rec_kernel)); break;
	case TB_REC_DIRECT_MAP: handoff_fuzz_fields(r, sizeof(struct tb_rec_direct_map)); break;
	case TB_REC_SMBIOS: handoff_fuzz_fields(r, sizeof(struct tb_rec_smbios)); break;
	case TB_REC_TSC: handoff_fuzz_fields(r, sizeof(struct tb_rec_tsc)); break;
	case TB_REC_TIME: handoff_fuzz_fields(r, sizeof(struct tb_rec_time)); break;
	case TB_REC_REQUEST: handoff_fuzz_fields(r, sizeof(struct tb_rec_request)); break;
	case TB_REC_CMDLINE: {
		const struct tb_rec_cmdline *c = (const void *)rec;

		handoff_fuzz_text(r, c->offset, c->length, "cmdline");
		break;
	}
	case TB_REC_MODULE: {
		const struct tb_rec_module *m = (const void *)rec;
		const char *string = tb_module_string(m);

		handoff_fuzz_fields(r, handoff_fuzz_fixed(r));
		handoff_fuzz_text(r, m->name_offset, m->name_length, "module name");
		FUZZ_CHECK(string != NULL, "tb_module_string returned NULL");
		if (r->version >= 2) {
			FUZZ_CHECK(string == (const char *)rec + m->string_offset,
			           "tb_module_string not at string_offset");
			handoff_fuzz_text(r, m->string_offset, m->string_length, "module string");
		} else {
			FUZZ_CHECK(string[0] == '\0', "a version-1 module has a string");
		}
		break;
	}
	case TB_REC_MP: {
		const struct tb_rec_mp *mp = (const void *)rec;

		handoff_fuzz_fields(r, handoff_fuzz_fixed(r));
		if (mp->ap_count != 0) {
			FUZZ_CHECK(mp->ap_ids_offset % 4 == 0, "AP IDs misaligned");
			handoff_fuzz_span(r, mp->ap_ids_offset, 4ull * mp->ap_count, "AP IDs");
		}
		if (r->version < 2) {
			FUZZ_CHECK(tb_mp_cpu_entry(mp, 0) == NULL, "a version-1 MP record has CPUs");
			break;
		}
		if (mp->cpu_count != 0) {
			FUZZ_CHECK(mp->cpus_offset % 4 == 0 && mp->cpu_entry_size % 4 == 0 &&
			                   mp->cpu_entry_size >= sizeof(struct tb_mp_cpu),
			           "CPU list at %u, %u bytes apart", mp->cpus_offset, mp->cpu_entry_size);
			handoff_fuzz_span(r, mp->cpus_offset, (uint64_t)mp->cpu_entry_size * mp->cpu_count,
			                  "CPU list");
		}
		for (uint32_t i = 0; i < mp->cpu_count; i++) {
			const struct tb_mp_cpu *cpu = tb_mp_cpu_entry(mp, i);

			FUZZ_CHECK(cpu != NULL, "CPU %u of %u missing", i, mp->cpu_count);
			FUZZ_CHECK((const uint8_t *)cpu + sizeof *cpu <= rec + r->size,
			           "CPU %u runs past the MP record", i);
			handoff_fuzz_sink += cpu->apic_id + cpu->acpi_uid + cpu->flags + cpu->reserved;
		}
		FUZZ_CHECK(tb_mp_cpu_entry(mp, mp->cpu_count) == NULL, "CPU past the count returned");
		break;
	}
	case TB_REC_EFI: {
		const struct tb_rec_efi *e = (const void *)rec;

		handoff_fuzz_fields(r, sizeof *e);
		handoff_fuzz_descs(r, e->map_offset, e->desc_size, e->desc_count);
		break;
	}
	case TB_REC_EFI_MAP: {
		const struct tb_rec_efi_map *e = (const void *)rec;

		handoff_fuzz_fields(r, sizeof *e);
		handoff_fuzz_descs(r, e->map_offset, e->desc_size, e->desc_count);
		break;
	}
	case TB_REC_BOOT_DEVICE: {
		const struct tb_rec_boot_device *d = (const void *)rec;

		handoff_fuzz_fields(r, sizeof *d);
		handoff_fuzz_text(r, d->path_offset, d->path_length, "boot-device path");
		break;
	}
	default:
		break;
	}
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
		handoff_fuzz_record(r);
	}
	FUZZ_CHECK(records == h->record_count, "walk yields %u records, header says %u", records,
	           h->record_count);

	for (uint16_t type = 0; type <= TB_REC_TYPE_MAX + 1; type++) {
		const struct tb_record *r = tb_find_record(blob, type, sizeof(struct tb_record));

		FUZZ_CHECK(r == NULL || r->type == type, "tb_find_record(%u) found type %u", type,
		           r ? r->type : 0);
	}

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
