/* test_efimap.c: the EFI type mapping table and the attribute exceptions (no WB, SP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "efimap.h"

#define WB EFIMAP_ATTR_WB

static void test_type_table(void **state)
{
	(void)state;
	/* The table of docs/efi-type-mapping.md, row by row. */
	static const uint32_t expect[EFIMAP_TYPE_COUNT] = {
		TB_MEM_RESERVED, TB_MEM_USABLE, TB_MEM_USABLE, TB_MEM_USABLE, TB_MEM_USABLE,
		TB_MEM_FIRMWARE_RUNTIME, TB_MEM_FIRMWARE_RUNTIME, TB_MEM_USABLE, TB_MEM_BAD,
		TB_MEM_ACPI_RECLAIMABLE, TB_MEM_ACPI_NVS, TB_MEM_MMIO, TB_MEM_MMIO, TB_MEM_RESERVED,
		TB_MEM_PERSISTENT, TB_MEM_UNACCEPTED,
	};
	for (uint32_t t = 0; t < EFIMAP_TYPE_COUNT; t++)
		assert_int_equal(efimap_type_to_tb(t), expect[t]);
	/* Unknown, OEM and OS types: do not touch. */
	assert_int_equal(efimap_type_to_tb(16), TB_MEM_RESERVED);
	assert_int_equal(efimap_type_to_tb(0x70000001u), TB_MEM_RESERVED);
	assert_int_equal(efimap_type_to_tb(0x80000000u), TB_MEM_RESERVED);
}

static void test_attribute_exceptions(void **state)
{
	(void)state;
	assert_int_equal(efimap_desc_to_tb(EFIMAP_CONVENTIONAL_MEMORY, 0xF), TB_MEM_USABLE);
	/* Uncached-only RAM cannot be used as ordinary memory. */
	assert_int_equal(efimap_desc_to_tb(EFIMAP_CONVENTIONAL_MEMORY, 0x1), TB_MEM_RESERVED);
	assert_int_equal(efimap_desc_to_tb(EFIMAP_BOOT_SERVICES_DATA, 0x0), TB_MEM_RESERVED);
	/* Specific-purpose memory stays out of the allocator. */
	assert_int_equal(efimap_desc_to_tb(EFIMAP_CONVENTIONAL_MEMORY, WB | EFIMAP_ATTR_SP),
	                 TB_MEM_RESERVED);
	/* The exceptions only demote usable memory; other types keep their mapping. */
	assert_int_equal(efimap_desc_to_tb(EFIMAP_ACPI_MEMORY_NVS, 0x0), TB_MEM_ACPI_NVS);
	assert_int_equal(efimap_desc_to_tb(EFIMAP_UNACCEPTED_MEMORY, 0x0), TB_MEM_UNACCEPTED);
	assert_int_equal(efimap_desc_to_tb(EFIMAP_RUNTIME_SERVICES_CODE, EFIMAP_ATTR_RUNTIME),
	                 TB_MEM_FIRMWARE_RUNTIME);
}

static void put_desc(uint8_t *d, uint32_t type, uint64_t base, uint64_t pages, uint64_t attr)
{
	memset(d, 0, 48);
	memcpy(d, &type, 4);
	memcpy(d + 8, &base, 8);
	memcpy(d + 24, &pages, 8);
	memcpy(d + 32, &attr, 8);
}

static void test_convert_uses_attributes(void **state)
{
	(void)state;
	uint8_t map[3 * 48];
	put_desc(map, EFIMAP_CONVENTIONAL_MEMORY, 0x100000, 16, 0xF);
	put_desc(map + 48, EFIMAP_CONVENTIONAL_MEMORY, 0x200000, 16, WB | EFIMAP_ATTR_SP);
	put_desc(map + 96, EFIMAP_LOADER_DATA, 0x300000, 16, 0x1);
	struct tb_mem_entry out[3];
	size_t count = 0;
	assert_int_equal(efimap_convert(map, sizeof map, 48, out, 3, &count), TB_OK);
	assert_int_equal(count, 3);
	assert_int_equal(out[0].type, TB_MEM_USABLE);
	assert_int_equal(out[0].length, 16 * 4096);
	assert_int_equal(out[1].type, TB_MEM_RESERVED);
	assert_int_equal(out[2].type, TB_MEM_RESERVED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_table),
		cmocka_unit_test(test_attribute_exceptions),
		cmocka_unit_test(test_convert_uses_attributes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
