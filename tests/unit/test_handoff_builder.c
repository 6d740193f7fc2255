/* test_handoff_builder.c: builder and reader round trip with every record type, forward
 * compatibility with a newer minor version, and major version rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tagboot_handoff.h"

#define PAGE TB_PAGE_SIZE

static uint64_t blob_storage[4096]; /* 32 KiB, 8-byte aligned */

static const struct tb_mem_entry sample_map[] = {
	{ .base = 0x0, .length = 0xA0000, .type = TB_MEM_USABLE, .after_type = TB_MEM_USABLE },
	{ .base = 0x100000, .length = 0x700000, .type = TB_MEM_USABLE,
	  .after_type = TB_MEM_USABLE },
	{ .base = 0x800000, .length = 0x6000, .type = TB_MEM_AP_HELD, .after_type = TB_MEM_USABLE,
	  .owner = TB_OWNER_FIRMWARE, .reason = TB_REASON_PAGE_TABLES,
	  .reclaim = TB_RECLAIM_AFTER_AP_WAKEUP, .source = TB_SOURCE_TDVF_METADATA },
	{ .base = 0x806000, .length = 0x2000, .type = TB_MEM_ACPI_NVS,
	  .after_type = TB_MEM_ACPI_NVS },
	{ .base = 0x808000, .length = 0x7F8000, .type = TB_MEM_USABLE,
	  .after_type = TB_MEM_USABLE },
};
#define SAMPLE_MAP_COUNT (sizeof(sample_map) / sizeof(sample_map[0]))

static void *add_text_record(struct tb_builder *b, uint16_t type, size_t fixed,
                             const char *text)
{
	size_t len = strlen(text);
	uint8_t *rec = tb_builder_add(b, type, 1, (uint32_t)(fixed + len + 1));

	assert_non_null(rec);
	memcpy(rec + fixed, text, len + 1);
	return rec;
}

/* A blob with one record of every type (two modules), as the loader would write it. */
static size_t build_full_blob(void *buf, size_t cap)
{
	struct tb_builder b;
	struct tb_rec_platform *plat;
	struct tb_rec_acpi *acpi;
	struct tb_rec_mp *mp;
	struct tb_rec_framebuffer *fb;
	struct tb_rec_cmdline *cmd;
	struct tb_rec_module *mod;
	struct tb_rec_efi *efi;
	struct tb_rec_timestamps *ts;
	struct tb_rec_loader *ld;
	uint32_t *ids;
	size_t size = 0;

	tb_builder_init(&b, buf, cap, TB_FLAG_BOOT_SERVICES_EXITED);
	assert_non_null(tb_builder_add_memmap(&b, sample_map, SAMPLE_MAP_COUNT));

	plat = tb_builder_add(&b, TB_REC_PLATFORM, 1, sizeof(*plat));
	assert_non_null(plat);
	plat->kind = TB_PLATFORM_TDX;
	plat->flags = TB_PLATFORM_F_HYPERVISOR;
	plat->hypervisor_leaf = 0x21;
	plat->firmware_revision = 0x10000;
	memcpy(plat->hypervisor_signature, "IntelTDX    ", 12);
	memcpy(plat->firmware_vendor, "EDK II", 6);

	acpi = tb_builder_add(&b, TB_REC_ACPI, 1, sizeof(*acpi));
	assert_non_null(acpi);
	acpi->rsdp_address = 0x7FB7E014;
	acpi->rsdp_revision = 2;

	mp = tb_builder_add(&b, TB_REC_MP, 1, sizeof(*mp) + 3 * sizeof(uint32_t));
	assert_non_null(mp);
	mp->mailbox_address = 0x7E5F0000;
	mp->mailbox_version = 0;
	mp->flags = TB_MP_F_MAILBOX;
	mp->bsp_apic_id = 0;
	mp->ap_count = 3;
	mp->ap_ids_offset = sizeof(*mp);
	ids = (uint32_t *)((uint8_t *)mp + mp->ap_ids_offset);
	ids[0] = 1;
	ids[1] = 2;
	ids[2] = 7;

	fb = tb_builder_add(&b, TB_REC_FRAMEBUFFER, 1, sizeof(*fb));
	assert_non_null(fb);
	fb->address = 0x80000000;
	fb->width = 1280;
	fb->height = 800;
	fb->pitch = 5120;
	fb->bpp = 32;
	fb->size = 5120ull * 800;
	fb->format = TB_PIXEL_BGRX8;

	cmd = add_text_record(&b, TB_REC_CMDLINE, sizeof(*cmd), "console=ttyS0 debug");
	cmd->length = 19;
	cmd->offset = sizeof(*cmd);

	mod = add_text_record(&b, TB_REC_MODULE, sizeof(*mod), "initrd.img");
	mod->base = 0x2000000;
	mod->size = 12345;
	mod->name_length = 10;
	mod->name_offset = sizeof(*mod);
	mod = add_text_record(&b, TB_REC_MODULE, sizeof(*mod), "cfg");
	mod->base = 0x3000000;
	mod->size = 10;
	mod->name_length = 3;
	mod->name_offset = sizeof(*mod);

	efi = tb_builder_add(&b, TB_REC_EFI, 1, sizeof(*efi) + 2 * 48);
	assert_non_null(efi);
	efi->system_table = 0x7FF00000;
	efi->desc_size = 48;
	efi->desc_version = 1;
	efi->desc_count = 2;
	efi->map_offset = sizeof(*efi);

	ts = tb_builder_add(&b, TB_REC_TIMESTAMPS, 1, sizeof(*ts));
	assert_non_null(ts);
	ts->tsc_loader_entry = 1000;
	ts->tsc_before_exit = 5000;
	ts->tsc_jump = 6000;

	ld = tb_builder_add(&b, TB_REC_LOADER, 1, sizeof(*ld));
	assert_non_null(ld);
	ld->version_major = 0;
	ld->version_minor = 1;
	memcpy(ld->name, "tagboot", 7);

	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	return size;
}

static void test_round_trip_every_record(void **state)
{
	const struct tb_header *h = (const void *)blob_storage;
	size_t size, where = 99;
	unsigned seen[11] = { 0 };
	unsigned records = 0;

	(void)state;
	size = build_full_blob(blob_storage, sizeof(blob_storage));
	assert_int_equal(tb_validate(blob_storage, size, &where), TB_OK);
	assert_int_equal(h->magic, TB_MAGIC);
	assert_int_equal(h->header_size, 32);
	assert_int_equal(h->total_size, size);
	assert_int_equal(h->record_count, 11);
	assert_int_equal(h->flags, TB_FLAG_BOOT_SERVICES_EXITED);
	assert_int_equal(size % 8, 0);

	for (const struct tb_record *r = tb_next_record(blob_storage, NULL); r != NULL;
	     r = tb_next_record(blob_storage, r)) {
		assert_true(r->type >= 1 && r->type <= 10);
		assert_int_equal(((const uint8_t *)r - (const uint8_t *)blob_storage) % 8, 0);
		seen[r->type]++;
		records++;
	}
	assert_int_equal(records, 11);
	for (int t = 1; t <= 10; t++)
		assert_int_equal(seen[t], t == TB_REC_MODULE ? 2 : 1);

	const struct tb_rec_platform *plat =
		(const void *)tb_find_record(blob_storage, TB_REC_PLATFORM, sizeof(*plat));
	assert_non_null(plat);
	assert_int_equal(plat->kind, TB_PLATFORM_TDX);
	assert_string_equal(plat->firmware_vendor, "EDK II");

	const struct tb_rec_mp *mp = (const void *)tb_find_record(blob_storage, TB_REC_MP, 48);
	assert_non_null(mp);
	assert_int_equal(mp->ap_count, 3);
	assert_int_equal(((const uint32_t *)((const uint8_t *)mp + mp->ap_ids_offset))[2], 7);

	const struct tb_rec_cmdline *cmd =
		(const void *)tb_find_record(blob_storage, TB_REC_CMDLINE, sizeof(*cmd));
	assert_non_null(cmd);
	assert_string_equal((const char *)cmd + cmd->offset, "console=ttyS0 debug");

	/* A min_size larger than the record skips it. */
	assert_null(tb_find_record(blob_storage, TB_REC_ACPI, 4096));
	assert_null(tb_find_record(blob_storage, 99, 8));

	const struct tb_rec_memmap *map = tb_memmap(blob_storage);
	assert_non_null(map);
	assert_int_equal(map->entry_count, SAMPLE_MAP_COUNT);
	assert_int_equal(map->entry_size, 32);
	for (uint32_t i = 0; i < SAMPLE_MAP_COUNT; i++)
		assert_memory_equal(tb_memmap_entry(map, i), &sample_map[i], sizeof(sample_map[i]));
	assert_null(tb_memmap_entry(map, SAMPLE_MAP_COUNT));
}

static void test_builder_reports_no_space(void **state)
{
	struct tb_builder b;
	size_t size;

	(void)state;
	/* 32 header + 16 + 5 * 32 map = 208 bytes; give 200. */
	tb_builder_init(&b, blob_storage, 200, 0);
	assert_null(tb_builder_add_memmap(&b, sample_map, SAMPLE_MAP_COUNT));
	assert_int_equal(b.error, TB_ERR_NO_SPACE);
	assert_null(tb_builder_add(&b, TB_REC_ACPI, 1, 24)); /* later calls do nothing */
	assert_int_equal(tb_builder_finish(&b, &size), TB_ERR_NO_SPACE);

	tb_builder_init(&b, blob_storage, 208, 0);
	assert_non_null(tb_builder_add_memmap(&b, sample_map, SAMPLE_MAP_COUNT));
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(size, 208);

	/* Sizes round up to 8 and the body is zeroed. */
	memset(blob_storage, 0xFF, 256);
	tb_builder_init(&b, blob_storage, sizeof(blob_storage), 0);
	uint8_t *rec = tb_builder_add(&b, 42, 3, 13);
	assert_non_null(rec);
	assert_int_equal(((struct tb_record *)rec)->size, 16);
	assert_int_equal(((struct tb_record *)rec)->version, 3);
	for (int i = 8; i < 16; i++)
		assert_int_equal(rec[i], 0);
	assert_int_equal(b.used, 48);
}

/* A blob from a writer one minor version ahead: an unknown record type 99, a platform record
 * of version 2 with an appended field, and map entries of 40 bytes. */
static size_t build_newer_minor_blob(void *buf, size_t cap)
{
	static const uint64_t bases[3] = { 0x0, 0x100000, 0x800000 };
	static const uint64_t lengths[3] = { 0x9F000, 0x700000, 0x6000 };
	static const uint32_t types[3] = { TB_MEM_USABLE, TB_MEM_USABLE, 15 /* unknown */ };
	struct tb_builder b;
	struct tb_header *h = buf;
	struct tb_rec_memmap *map;
	uint8_t *rec;
	size_t size = 0;

	tb_builder_init(&b, buf, cap, 0);
	rec = tb_builder_add(&b, 99, 1, 24);
	assert_non_null(rec);
	memset(rec + 8, 0xCD, 16);
	map = tb_builder_add(&b, TB_REC_MEMMAP, 2, TB_MEMMAP_ENTRIES_OFFSET + 3 * 40);
	assert_non_null(map);
	map->entry_size = 40;
	map->entry_count = 3;
	for (int i = 0; i < 3; i++) {
		uint8_t *raw = (uint8_t *)map + TB_MEMMAP_ENTRIES_OFFSET + i * 40;
		struct tb_mem_entry e = { .base = bases[i], .length = lengths[i], .type = types[i],
		                          .after_type = types[i] };

		memcpy(raw, &e, sizeof(e));
		memset(raw + 32, 0xAB, 8); /* a field this reader does not know */
	}
	rec = tb_builder_add(&b, TB_REC_PLATFORM, 2, sizeof(struct tb_rec_platform) + 8);
	assert_non_null(rec);
	((struct tb_rec_platform *)rec)->kind = TB_PLATFORM_KVM;
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	h->minor = TB_VERSION_MINOR + 1;
	tb_reseal(buf);
	return size;
}

static void test_newer_minor_reads(void **state)
{
	size_t size, where = 0;
	const struct tb_rec_memmap *map;

	(void)state;
	size = build_newer_minor_blob(blob_storage, sizeof(blob_storage));
	assert_int_equal(tb_validate(blob_storage, size, &where), TB_OK);
	map = tb_memmap(blob_storage);
	assert_non_null(map);
	assert_int_equal(map->entry_count, 3);
	assert_int_equal(tb_memmap_entry(map, 1)->base, 0x100000);
	assert_int_equal(tb_memmap_entry(map, 2)->base, 0x800000);
	assert_int_equal(tb_memmap_entry(map, 2)->length, 0x6000);
	assert_true(tb_frame_usable_now(blob_storage, 0x7FF000));
	assert_false(tb_frame_usable_now(blob_storage, 0x800000)); /* unknown type 15 */
	assert_false(tb_frame_usable_now(blob_storage, 0x9F000));  /* hole */
	assert_false(tb_frame_usable_after_wakeup(blob_storage, 0x801000, true));
	const struct tb_rec_platform *plat =
		(const void *)tb_find_record(blob_storage, TB_REC_PLATFORM, sizeof(*plat));
	assert_non_null(plat);
	assert_int_equal(plat->kind, TB_PLATFORM_KVM);
	assert_int_equal(plat->hdr.version, 2);
}

static void test_major_mismatch_rejected(void **state)
{
	struct tb_header *h = (void *)blob_storage;
	size_t size, where = 0;

	(void)state;
	size = build_full_blob(blob_storage, sizeof(blob_storage));
	h->major = TB_VERSION_MAJOR + 1;
	tb_reseal(blob_storage);
	assert_int_equal(tb_validate(blob_storage, size, &where), TB_ERR_MAJOR);
	assert_int_equal(where, 8);
	h->major = 0;
	tb_reseal(blob_storage);
	assert_int_equal(tb_validate(blob_storage, size, &where), TB_ERR_MAJOR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_record),
		cmocka_unit_test(test_builder_reports_no_space),
		cmocka_unit_test(test_newer_minor_reads),
		cmocka_unit_test(test_major_mismatch_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
