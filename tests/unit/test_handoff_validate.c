/* test_handoff_validate.c: tb_validate rejects each kind of corruption with its own status and
 * the offset of the offending field, record or entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tagboot_handoff.h"

/*
 * The base blob, worked out by hand:
 *   0    header (32)
 *   32   memmap record: 16 + 3 * 32 = 112 bytes; entries at 48, 80, 112
 *   144  cmdline record: 16 + "hello\0" = 22, rounded to 24
 *   168  acpi record: 24
 *   192  end, record_count 3
 */
#define OFF_MAP 32
#define OFF_ENTRY(i) (48 + 32 * (i))
#define OFF_CMDLINE 144
#define OFF_ACPI 168
#define BLOB_SIZE 192

static uint64_t storage[512];
static uint8_t *const blob = (uint8_t *)storage;

static struct tb_header *header(void)
{
	return (struct tb_header *)blob;
}

static struct tb_mem_entry *entry(int i)
{
	return (struct tb_mem_entry *)(blob + OFF_ENTRY(i));
}

static struct tb_record *record_at(size_t off)
{
	return (struct tb_record *)(blob + off);
}

static size_t build_base(void)
{
	static const struct tb_mem_entry map[3] = {
		{ .base = 0x0, .length = 0x9F000, .type = TB_MEM_USABLE, .after_type = TB_MEM_USABLE },
		{ .base = 0x100000, .length = 0x100000, .type = TB_MEM_USABLE,
		  .after_type = TB_MEM_USABLE },
		{ .base = 0x200000, .length = 0x1000, .type = TB_MEM_RESERVED,
		  .after_type = TB_MEM_RESERVED },
	};
	struct tb_builder b;
	struct tb_rec_cmdline *cmd;
	size_t size = 0;

	memset(storage, 0, sizeof(storage));
	tb_builder_init(&b, blob, sizeof(storage), 0);
	tb_builder_add_memmap(&b, map, 3);
	cmd = tb_builder_add(&b, TB_REC_CMDLINE, 1, sizeof(*cmd) + 6);
	assert_non_null(cmd);
	cmd->length = 5;
	cmd->offset = sizeof(*cmd);
	memcpy((char *)cmd + cmd->offset, "hello", 6);
	assert_non_null(tb_builder_add(&b, TB_REC_ACPI, 1, sizeof(struct tb_rec_acpi)));
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(size, BLOB_SIZE);
	return size;
}

static void expect(enum tb_status status, size_t where_expected)
{
	size_t where = 12345;

	assert_string_equal(tb_status_str(tb_validate(blob, sizeof(storage), &where)),
	                    tb_status_str(status));
	assert_int_equal(where, where_expected);
}

/* Change the blob, reseal it so only the intended rule is broken, check the verdict. */
#define RESEALED(mutation, status, where)                                                        \
	do {                                                                                     \
		build_base();                                                                    \
		mutation;                                                                        \
		tb_reseal(blob);                                                                 \
		expect(status, where);                                                           \
	} while (0)

static void test_base_blob_is_valid(void **state)
{
	size_t where = 0;

	(void)state;
	build_base();
	assert_int_equal(tb_validate(blob, BLOB_SIZE, &where), TB_OK);
	assert_int_equal(tb_validate(blob, BLOB_SIZE, NULL), TB_OK);
}

static void test_header_corruptions(void **state)
{
	size_t where = 0;

	(void)state;
	assert_int_equal(tb_validate(NULL, 100, &where), TB_ERR_NULL);
	build_base();
	assert_int_equal(tb_validate(blob + 4, BLOB_SIZE, &where), TB_ERR_INVALID_ARG);
	assert_int_equal(tb_validate(blob, 31, &where), TB_ERR_TRUNCATED);
	assert_int_equal(where, 0);
	assert_int_equal(tb_validate(blob, BLOB_SIZE - 8, &where), TB_ERR_TRUNCATED);
	assert_int_equal(where, 16);

	RESEALED(blob[0] ^= 1, TB_ERR_MAGIC, 0);
	RESEALED(header()->major = 2, TB_ERR_MAJOR, 8);
	RESEALED(header()->header_size = 24, TB_ERR_HEADER_SIZE, 12);
	RESEALED(header()->header_size = 36, TB_ERR_HEADER_SIZE, 12);
	RESEALED(header()->total_size = 196, TB_ERR_TOTAL_SIZE, 16);
	RESEALED(header()->record_count = 4, TB_ERR_RECORD_COUNT, 20);
	RESEALED(header()->record_count = 2, TB_ERR_RECORD_COUNT, 20);

	/* One flipped bit anywhere, not resealed. */
	build_base();
	blob[OFF_CMDLINE + 17] ^= 0x20;
	expect(TB_ERR_CRC, 28);
	build_base();
	header()->crc32 ^= 0x80000000u;
	expect(TB_ERR_CRC, 28);
}

static void test_record_corruptions(void **state)
{
	(void)state;
	RESEALED(record_at(OFF_ACPI)->size = 32, TB_ERR_RECORD_PAST_END, OFF_ACPI);
	RESEALED(record_at(OFF_CMDLINE)->size = 20, TB_ERR_RECORD_ALIGN, OFF_CMDLINE);
	RESEALED(record_at(OFF_CMDLINE)->size = 0, TB_ERR_RECORD_SIZE, OFF_CMDLINE);
	/* ACPI's version-1 fields need 24 bytes: 16 is too small even though it is aligned; the
	 * 8 bytes left after it then form a record of type 0 size 0... the first error wins. */
	RESEALED(record_at(OFF_ACPI)->size = 16, TB_ERR_RECORD_SIZE, OFF_ACPI);
	/* total_size shorter than the records: the last record runs past it. */
	RESEALED(header()->total_size = 184, TB_ERR_RECORD_PAST_END, OFF_ACPI);
	/* cmdline offset past the record, and text without its NUL. */
	RESEALED(((struct tb_rec_cmdline *)record_at(OFF_CMDLINE))->offset = 20,
	         TB_ERR_DATA_PAST_END, OFF_CMDLINE);
	RESEALED(((struct tb_rec_cmdline *)record_at(OFF_CMDLINE))->length = 0xFFFFFFFFu,
	         TB_ERR_DATA_PAST_END, OFF_CMDLINE);
	RESEALED(blob[OFF_CMDLINE + 16 + 5] = '!', TB_ERR_DATA_PAST_END, OFF_CMDLINE);
	/* A second memmap in place of the ACPI record (same size: 16 + 0 entries would be 16,
	 * so give it 24 bytes with entry_size 32 and no entries). */
	RESEALED((record_at(OFF_ACPI)->type = TB_REC_MEMMAP,
	          ((struct tb_rec_memmap *)record_at(OFF_ACPI))->entry_size = 32,
	          ((struct tb_rec_memmap *)record_at(OFF_ACPI))->entry_count = 0),
	         TB_ERR_DUPLICATE, OFF_ACPI);
	RESEALED(record_at(OFF_CMDLINE)->type = TB_REC_ACPI, TB_ERR_DUPLICATE, OFF_ACPI);
	/* No memory map: turn it into an unknown record type. */
	RESEALED(record_at(OFF_MAP)->type = 200, TB_ERR_NO_MEMMAP, 0);
	/* Unknown types and newer versions are skipped, not rejected. */
	RESEALED(record_at(OFF_ACPI)->type = 1000, TB_OK, 12345);
	RESEALED(record_at(OFF_ACPI)->version = 9, TB_OK, 12345);
}

static void test_mp_and_efi_data_checks(void **state)
{
	struct tb_builder b;
	struct tb_rec_mp *mp;
	struct tb_rec_efi *efi;
	size_t size = 0, where = 0;
	static const struct tb_mem_entry one = { .base = 0, .length = 0x1000,
	                                         .type = TB_MEM_USABLE,
	                                         .after_type = TB_MEM_USABLE };

	(void)state;
	/* 32 header, 32 + 16 + 32 map = 80, mp at 80 (48 + 8 = 56), efi at 136 (32 + 48). */
	tb_builder_init(&b, blob, sizeof(storage), 0);
	tb_builder_add_memmap(&b, &one, 1);
	mp = tb_builder_add(&b, TB_REC_MP, 1, sizeof(*mp) + 8);
	mp->ap_count = 2;
	mp->ap_ids_offset = sizeof(*mp);
	efi = tb_builder_add(&b, TB_REC_EFI, 1, sizeof(*efi) + 48);
	efi->desc_size = 48;
	efi->desc_count = 1;
	efi->map_offset = sizeof(*efi);
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(tb_validate(blob, size, &where), TB_OK);

	mp->ap_count = 3;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_DATA_PAST_END);
	assert_int_equal(where, 80);
	mp->ap_count = 2;
	mp->ap_ids_offset = 50;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_RECORD_ALIGN);
	mp->ap_ids_offset = sizeof(*mp);
	efi->desc_count = 2;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_DATA_PAST_END);
	assert_int_equal(where, 136);
	/* Two 24-byte descriptors fit the record, but a reader reads 40 bytes each. */
	efi->desc_size = 24;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_DATA_PAST_END);
	assert_int_equal(where, 136);
	efi->desc_size = 48;
	efi->desc_count = 1;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_OK);
}

static void test_map_corruptions(void **state)
{
	(void)state;
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_size = 24, TB_ERR_ENTRY_SIZE,
	         OFF_MAP + 8);
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_size = 36, TB_ERR_ENTRY_SIZE,
	         OFF_MAP + 8);
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_count = 4,
	         TB_ERR_ENTRIES_PAST_END, OFF_MAP + 12);
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_size = 40,
	         TB_ERR_ENTRIES_PAST_END, OFF_MAP + 12);
	/* Fewer entries than the record holds is fine (the rest is padding). */
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_count = 2, TB_OK, 12345);

	RESEALED(entry(0)->base = 0x800, TB_ERR_MAP_ALIGN, OFF_ENTRY(0));
	RESEALED(entry(1)->length = 0x100800, TB_ERR_MAP_ALIGN, OFF_ENTRY(1));
	RESEALED(entry(1)->length = 0, TB_ERR_MAP_EMPTY_ENTRY, OFF_ENTRY(1));
	RESEALED((entry(2)->base = 0xFFFFFFFFFFFFF000ull, entry(2)->length = 0x2000),
	         TB_ERR_MAP_WRAP, OFF_ENTRY(2));
	/* Ending exactly at 2^64 is allowed. */
	RESEALED((entry(2)->base = 0xFFFFFFFFFFFFF000ull, entry(2)->length = 0x1000), TB_OK,
	         12345);
	RESEALED((entry(2)->base = 0x1000, entry(2)->length = 0x1000), TB_ERR_MAP_UNSORTED,
	         OFF_ENTRY(2));
	RESEALED(entry(1)->length = 0x101000, TB_ERR_MAP_OVERLAP, OFF_ENTRY(2));
	RESEALED(entry(1)->base = 0x0, TB_ERR_MAP_OVERLAP, OFF_ENTRY(1));
	RESEALED(entry(0)->reclaim = TB_RECLAIM_AFTER_AP_WAKEUP, TB_ERR_MAP_USABLE_TAG,
	         OFF_ENTRY(0));
	RESEALED(entry(1)->owner = TB_OWNER_LOADER, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(1));
	/* A tagged reserved entry is fine. */
	RESEALED((entry(2)->owner = TB_OWNER_FIRMWARE,
	          entry(2)->reclaim = TB_RECLAIM_AFTER_AP_WAKEUP), TB_OK, 12345);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_blob_is_valid),
		cmocka_unit_test(test_header_corruptions),
		cmocka_unit_test(test_record_corruptions),
		cmocka_unit_test(test_mp_and_efi_data_checks),
		cmocka_unit_test(test_map_corruptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
