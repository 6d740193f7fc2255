/* test_e820.c: the handoff -> e820 mapping, merging, the EFI-map overrides (efimap_retype) and the zero page (linux_params) of the native Linux boot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "e820.h"
#include "efimap.h"
#include "linux_params.h"

static struct tb_mem_entry ent(uint64_t base, uint64_t len, uint32_t type)
{
	struct tb_mem_entry e;
	memset(&e, 0, sizeof e);
	e.base = base;
	e.length = len;
	e.type = type;
	e.after_type = type;
	return e;
}

static void test_type_mapping(void **state)
{
	(void)state;
	static const struct { uint32_t tb, e820; } table[] = {
		{TB_MEM_USABLE, E820_TYPE_RAM},
		{TB_MEM_LOADER_RECLAIMABLE, E820_TYPE_RAM},
		{TB_MEM_KERNEL, E820_TYPE_RAM},
		{TB_MEM_MODULE, E820_TYPE_RAM},
		{TB_MEM_RESERVED, E820_TYPE_RESERVED},
		{TB_MEM_ACPI_RECLAIMABLE, E820_TYPE_ACPI},
		{TB_MEM_ACPI_NVS, E820_TYPE_NVS},
		{TB_MEM_AP_HELD, E820_TYPE_NVS},
		{TB_MEM_MMIO, E820_TYPE_RESERVED},
		{TB_MEM_BAD, E820_TYPE_UNUSABLE},
		{TB_MEM_PERSISTENT, E820_TYPE_PMEM},
		{TB_MEM_UNACCEPTED, E820_TYPE_RESERVED},
		{TB_MEM_FIRMWARE_RUNTIME, E820_TYPE_RESERVED},
		{TB_MEM_FRAMEBUFFER, E820_TYPE_RESERVED},
		{99, E820_TYPE_RESERVED}, /* unknown: do not touch */
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct tb_mem_entry e = ent(0, 4096, table[i].tb);
		assert_int_equal(e820_type_of(&e), table[i].e820);
	}
	assert_string_equal(e820_type_name(E820_TYPE_NVS), "ACPI NVS");
	assert_string_equal(e820_type_name(E820_TYPE_ACPI), "ACPI data");
}

static void test_merge_and_withheld(void **state)
{
	(void)state;
	const struct tb_mem_entry map[] = {
		ent(0x0, 0x9e000, TB_MEM_USABLE),
		ent(0x9e000, 0x1000, TB_MEM_AP_HELD),        /* mailbox */
		ent(0x9f000, 0x1000, TB_MEM_AP_HELD),        /* trampoline */
		ent(0x100000, 0x700000, TB_MEM_USABLE),
		ent(0x800000, 0x100000, TB_MEM_KERNEL),      /* RAM again: merges */
		ent(0x900000, 0x1000, TB_MEM_LOADER_RECLAIMABLE),
		ent(0x901000, 0x1000, TB_MEM_RESERVED),      /* a reserve line */
		ent(0x902000, 0xe000, TB_MEM_USABLE),
		ent(0x910000, 0, TB_MEM_RESERVED),           /* empty: dropped */
		ent(0xb0000000, 0x10000000, TB_MEM_MMIO),
	};
	size_t n = sizeof map / sizeof map[0];
	struct e820_entry out[16];
	size_t count = e820_from_map(map, n, out, 16);
	assert_int_equal(count, 6);
	assert_true(out[0].addr == 0 && out[0].size == 0x9e000 && out[0].type == E820_TYPE_RAM);
	assert_true(out[1].addr == 0x9e000 && out[1].size == 0x2000 && out[1].type == E820_TYPE_NVS);
	assert_true(out[2].addr == 0x100000 && out[2].size == 0x801000 && out[2].type == E820_TYPE_RAM);
	assert_true(out[3].addr == 0x901000 && out[3].type == E820_TYPE_RESERVED);
	assert_true(out[4].addr == 0x902000 && out[4].size == 0xe000);
	assert_true(out[5].type == E820_TYPE_RESERVED && out[5].addr == 0xb0000000);
	/* A too small array: the count still says what is needed. */
	assert_int_equal(e820_from_map(map, n, out, 2), 6);

	struct efimap_override ov[16];
	size_t nov = e820_withheld(map, n, ov, 16);
	assert_int_equal(nov, 4);
	assert_true(ov[0].base == 0x9e000 && ov[0].efi_type == EFIMAP_ACPI_MEMORY_NVS);
	assert_true(ov[1].base == 0x9f000 && ov[1].efi_type == EFIMAP_ACPI_MEMORY_NVS);
	assert_true(ov[2].base == 0x901000 && ov[2].efi_type == EFIMAP_RESERVED_MEMORY);
	assert_true(ov[3].base == 0xb0000000 && ov[3].efi_type == EFIMAP_RESERVED_MEMORY);
}

#define DS 48u /* OVMF's descriptor stride */

static void desc(uint8_t *m, size_t i, uint32_t type, uint64_t base, uint64_t pages, uint64_t attr)
{
	uint8_t *d = m + i * DS;
	memset(d, 0, DS);
	memcpy(d, &type, 4);
	memcpy(d + 8, &base, 8);
	uint64_t virt = base + 0x1000; /* recognisable */
	memcpy(d + 16, &virt, 8);
	memcpy(d + 24, &pages, 8);
	memcpy(d + 32, &attr, 8);
	d[40] = 0xa5; /* padding beyond the 40 defined bytes is copied */
}

static void test_retype(void **state)
{
	(void)state;
	uint8_t map[6 * DS], out[16 * DS];
	/* Unsorted on purpose (firmware may return it so). */
	desc(map, 0, EFIMAP_CONVENTIONAL_MEMORY, 0x100000, 0x100, 0xf);    /* 1 MiB .. 2 MiB */
	desc(map, 1, EFIMAP_BOOT_SERVICES_DATA, 0x0, 0x9f, 0xf);
	desc(map, 2, EFIMAP_RUNTIME_SERVICES_DATA, 0x200000, 0x10, 0x800000000000000full);
	desc(map, 3, EFIMAP_LOADER_DATA, 0x210000, 0x10, 0xf);
	desc(map, 4, EFIMAP_MEMORY_MAPPED_IO, 0xb0000000, 0x10000, 1);
	desc(map, 5, EFIMAP_CONVENTIONAL_MEMORY, 0x220000, 0x10, 0xf);
	const struct efimap_override ov[] = {
		{0x9e000, 0x1000, EFIMAP_ACPI_MEMORY_NVS},      /* inside BS data at the end */
		{0x150000, 0x10000, EFIMAP_ACPI_MEMORY_NVS},    /* middle of conventional: 3 pieces */
		{0x1ff800, 0x800, EFIMAP_RESERVED_MEMORY},      /* rounded out to 0x1ff000 */
		{0x200000, 0x30000, EFIMAP_RESERVED_MEMORY},    /* runtime untouched, loader and
		                                                 * conventional all retyped */
		{0xb0000000, 0x1000, EFIMAP_ACPI_MEMORY_NVS},   /* MMIO untouched */
	};
	size_t size = 0;
	assert_int_equal(efimap_retype(map, sizeof map, DS, ov, 5, out, sizeof out, &size), TB_OK);
	struct { uint32_t type; uint64_t base, pages; } want[] = {
		{EFIMAP_CONVENTIONAL_MEMORY, 0x100000, 0x50},
		{EFIMAP_ACPI_MEMORY_NVS, 0x150000, 0x10},
		{EFIMAP_CONVENTIONAL_MEMORY, 0x160000, 0x9f},
		{EFIMAP_RESERVED_MEMORY, 0x1ff000, 0x1},
		{EFIMAP_BOOT_SERVICES_DATA, 0x0, 0x9e},
		{EFIMAP_ACPI_MEMORY_NVS, 0x9e000, 0x1},
		{EFIMAP_RUNTIME_SERVICES_DATA, 0x200000, 0x10},
		{EFIMAP_RESERVED_MEMORY, 0x210000, 0x10},
		{EFIMAP_MEMORY_MAPPED_IO, 0xb0000000, 0x10000},
		{EFIMAP_RESERVED_MEMORY, 0x220000, 0x10},
	};
	size_t nw = sizeof want / sizeof want[0];
	assert_int_equal(size, nw * DS);
	for (size_t i = 0; i < nw; i++) {
		struct efimap_desc d;
		assert_true(efimap_get(out, size, DS, i, &d));
		assert_int_equal(d.type, want[i].type);
		assert_true(d.phys_start == want[i].base);
		assert_true(d.pages == want[i].pages);
		assert_int_equal(out[i * DS + 40], 0xa5);
	}
	/* The first piece keeps VirtualStart, the split-off ones get 0; attributes stay. */
	struct efimap_desc d;
	efimap_get(out, size, DS, 0, &d);
	assert_true(d.virt_start == 0x101000 && d.attribute == 0xf);
	efimap_get(out, size, DS, 1, &d);
	assert_true(d.virt_start == 0 && d.attribute == 0xf);
	/* No overrides: an exact copy. */
	assert_int_equal(efimap_retype(map, sizeof map, DS, NULL, 0, out, sizeof out, &size), TB_OK);
	assert_int_equal(size, sizeof map);
	assert_memory_equal(map, out, sizeof map);
	/* Too small, bad stride. */
	assert_int_equal(efimap_retype(map, sizeof map, DS, ov, 5, out, 9 * DS, &size), TB_ERR_NO_SPACE);
	assert_int_equal(efimap_retype(map, sizeof map, 32, ov, 5, out, sizeof out, &size),
	                 TB_ERR_INVALID_ARG);
	assert_true(efimap_is_ram_type(EFIMAP_LOADER_CODE));
	assert_false(efimap_is_ram_type(EFIMAP_ACPI_RECLAIM_MEMORY));
}

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void test_zero_page(void **state)
{
	(void)state;
	static uint8_t file[0x1000], bp[LINUX_PARAMS_SIZE];
	memset(file, 0x77, sizeof file);
	file[0x1f1] = 4;
	file[0x201] = 0x6a;
	memcpy(file + 0x202, "HdrS", 4);
	struct bzimage_info bz = {.header_end = 0x26c};
	struct tb_rec_framebuffer fb = {
		.address = 0x180000000ull, .size = 0x300000, .width = 1024, .height = 768,
		.pitch = 4096, .bpp = 32, .red_mask = 0xff0000, .green_mask = 0xff00, .blue_mask = 0xff,
	};
	struct linux_params_setup s = {
		.kernel_file = file, .bz = &bz, .cmdline = 0x123456789000ull, .initrd = 0x2000000,
		.initrd_size = 0x50003, .rsdp = 0x3f772000, .fb = &fb,
	};
	memset(bp, 0xee, sizeof bp);
	linux_params_init(bp, &s);
	/* Only the setup header comes from the file; the rest is zero (sentinel included). */
	assert_int_equal(bp[0x1f0], 0);
	assert_int_equal(bp[LINUX_BP_SENTINEL], 0);
	assert_int_equal(bp[0x26c], 0);
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(bp[0x210], LINUX_TYPE_OF_LOADER);
	assert_true(rd(bp + 0x228, 4) == 0x56789000u && rd(bp + 0x0c8, 4) == 0x1234u);
	assert_true(rd(bp + 0x218, 4) == 0x2000000u && rd(bp + 0x21c, 4) == 0x50003u);
	assert_true(rd(bp + 0x070, 8) == 0x3f772000u);
	/* screen_info: EFI framebuffer, 64-bit base, BGRX 8:8:8:8. */
	assert_int_equal(bp[0x0f], 0x70);
	assert_true(rd(bp + 0x12, 2) == 1024 && rd(bp + 0x14, 2) == 768 && rd(bp + 0x16, 2) == 32);
	assert_true(rd(bp + 0x18, 4) == 0x80000000u && rd(bp + 0x3a, 4) == 1);
	assert_true(rd(bp + 0x24, 2) == 4096);
	assert_true(bp[0x26] == 8 && bp[0x27] == 16 && bp[0x28] == 8 && bp[0x29] == 8);
	assert_true(bp[0x2a] == 8 && bp[0x2b] == 0 && bp[0x2c] == 8 && bp[0x2d] == 24);
	assert_true(rd(bp + 0x36, 4) == 3);

	/* 130 e820 entries: 128 in the page, 2 in a SETUP_E820_EXT node, chained first. */
	static struct e820_entry e820[130];
	for (size_t i = 0; i < 130; i++)
		e820[i] = (struct e820_entry){.addr = i * 0x2000, .size = 0x1000, .type = 1 + (uint32_t)(i % 2)};
	static uint8_t ext[4096], node[64];
	memset(bp + 0x250, 0, 8);
	linux_params_add_setup_data(bp, node, 0x5000, LINUX_SETUP_TAGBOOT_HANDOFF, 8);
	struct linux_params_memory m = {
		.efi_systab = 0x3f9ee018, .efi_map = 0x123400000ull, .efi_map_size = 48 * 100,
		.desc_size = 48, .desc_version = 1, .e820 = e820, .e820_count = 130,
		.ext = ext, .ext_phys = 0x6000, .ext_cap = sizeof ext,
	};
	assert_int_equal(linux_params_set_memory(bp, &m), TB_OK);
	assert_int_equal(bp[LINUX_BP_E820_ENTRIES], 128);
	assert_true(rd(bp + LINUX_BP_E820_TABLE + 127 * 20, 8) == 127 * 0x2000u);
	assert_true(rd(bp + LINUX_BP_E820_TABLE + 127 * 20 + 16, 4) == 2);
	assert_true(rd(bp + 0x1c0, 4) == LINUX_EFI64_SIGNATURE);
	assert_true(rd(bp + 0x1c4, 4) == 0x3f9ee018u && rd(bp + 0x1d8, 4) == 0);
	assert_true(rd(bp + 0x1d0, 4) == 0x23400000u && rd(bp + 0x1dc, 4) == 1);
	assert_true(rd(bp + 0x1c8, 4) == 48 && rd(bp + 0x1d4, 4) == 4800);
	assert_true(rd(bp + 0x250, 8) == 0x6000);     /* ext first ... */
	assert_true(rd(ext, 8) == 0x5000);            /* ... then the handoff node */
	assert_true(rd(ext + 8, 4) == LINUX_SETUP_E820_EXT && rd(ext + 12, 4) == 40);
	assert_true(rd(ext + 16, 8) == 128 * 0x2000u && rd(ext + 36, 8) == 129 * 0x2000u);
	assert_true(rd(node + 8, 4) == LINUX_SETUP_TAGBOOT_HANDOFF && rd(node, 8) == 0);
	assert_int_equal(linux_params_ext_size(128), 0);
	m.ext_cap = 20;
	assert_int_equal(linux_params_set_memory(bp, &m), TB_ERR_NO_SPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_mapping),
		cmocka_unit_test(test_merge_and_withheld),
		cmocka_unit_test(test_retype),
		cmocka_unit_test(test_zero_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
