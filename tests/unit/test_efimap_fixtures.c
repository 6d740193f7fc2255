/* test_efimap_fixtures.c: the real OVMF memory maps in tests/fixtures through memtext, efimap_build and tb_normalize, checked against hand-worked numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "efimap.h"
#include "memtext.h"
#include "tagboot_handoff.h"

#define ROWS_MAX 256
#define DESC_SIZE 48 /* OVMF's descriptor stride (background.md section 7) */

/* What one fixture should become, worked out by hand from its text (see the comments at the
 * expectations below). */
struct expect {
	const char *file;
	size_t rows;              /* descriptor rows in the file */
	uint64_t raw_bytes;       /* sum of all row lengths */
	size_t entries;           /* entries of the normalized map */
	uint64_t usable;          /* bytes of TB_MEM_USABLE after normalizing */
	uint64_t firmware_rt;     /* bytes of TB_MEM_FIRMWARE_RUNTIME */
	size_t runtime_descs;     /* rows with the EFI_MEMORY_RUNTIME attribute */
	uint32_t type_at_8m;      /* type of the entry holding 0x800000 */
	uint64_t base_at_8m, length_at_8m;
};

/*
 * ovmf-2022.11-pc-1G: rows cover 0..0x3FFFFFFF except the legacy hole 0xA0000..0xFFFFF, plus
 * MMIO 0xFFC00000..0xFFFFFFFF (0x400 pages = 0x400000).
 *   RAM bytes = 0x40000000 - 0x60000 (hole) = 0x3FFA0000; raw total = 0x3FFA0000 + 0x400000
 *   = 0x403A0000.
 *   Rows that are not usable (everything else is BS_*, Loader*, Available):
 *     ACPI_NVS 0x806000 (2 pages = 0x2000), ACPI_NVS 0x810000 (0xF0 = 0xF0000),
 *     RT_Data 0x3EA8A000 (0x102 = 0x102000), RT_Data 0x3F4EC000 (0x100000),
 *     RT_Code 0x3F5EC000 (0x100000), Reserved 0x3F6EC000 (0x80000), ACPI_Recl 0x3F76C000
 *     (0x12 = 0x12000), ACPI_NVS 0x3F77E000 (0x80000), RT_Data 0x3FEEC000 (0x84 = 0x84000),
 *     ACPI_NVS 0x3FF70000 (0x90 = 0x90000).
 *   Sum in RAM: 0x2000 + 0xF0000 + 0x102000 + 0x200000 + 0x80000 + 0x12000 + 0x80000
 *             + 0x84000 + 0x90000 = 0x61A000.
 *   usable = 0x3FFA0000 - 0x61A000 = 0x3F986000.
 *   Cross-check by runs: 0xA0000 + 0x706000 (0x100000..0x805FFF) + 0x8000 (0x808000..)
 *     + 0x3E18A000 (0x900000..0x3EA89FFF) + 0x960000 (0x3EB8C000..0x3F4EBFFF)
 *     + 0x6EE000 (0x3F7FE000..0x3FEEBFFF) = 0x3F986000.
 *   Entries: U 0, U 0x100000, NVS 0x806000, U 0x808000, NVS 0x810000, U 0x900000,
 *     RT 0x3EA8A000, U 0x3EB8C000, RT 0x3F4EC000 (RT_Data+RT_Code merge: 0x200000),
 *     RSV 0x3F6EC000, ACPI 0x3F76C000, NVS 0x3F77E000, U 0x3F7FE000, RT 0x3FEEC000,
 *     NVS 0x3FF70000, MMIO 0xFFC00000 = 16.
 *   firmware runtime = 0x102000 + 0x200000 + 0x84000 = 0x386000.
 *   Runtime attribute (0x8000...): 4 RT rows + the MMIO row = 5.
 *   0x800000 lies in the usable run 0x100000..0x805FFF (length 0x706000).
 *
 * ovmf-2022.11-q35-2G: the same firmware layout with RAM up to 0x80000000 (every address
 * above 0x3E000000 moves up by 0x40000000) and q35's MMCONFIG window Reserved
 * 0xB0000000..0xBFFFFFFF (0x10000 pages = 0x10000000).
 *   RAM = 0x80000000 - 0x60000 = 0x7FFA0000; raw = 0x7FFA0000 + 0x10000000 + 0x400000
 *   = 0x903A0000.
 *   Non-usable in RAM: the same ten rows, 0x61A000. usable = 0x7FFA0000 - 0x61A000
 *   = 0x7F986000. Runs: 0xA0000 + 0x706000 + 0x8000 + 0x7E18A000 + 0x960000 + 0x6EE000
 *   = 0x7F986000.
 *   Entries: the 16 above plus RSV 0xB0000000 = 17. Runtime rows 5, firmware runtime
 *   0x386000; 0x800000 as for pc-1G.
 *
 * ovmf-x64-pc-128M-uefi-lessons: RAM 0..0x7FFFFFF minus the hole, plus MMIO 0x400000.
 *   RAM = 0x8000000 - 0x60000 = 0x7FA0000; raw = 0x7FA0000 + 0x400000 = 0x83A0000.
 *   Non-usable in RAM: ACPI_NVS 0x800000 (0x8000), ACPI_NVS 0x810000 (0xF0000),
 *     RT_Data 0x78EF000 + RT_Code 0x79EF000 (0x200000), Reserved 0x7AEF000 (0x80000),
 *     ACPI_Recl 0x7B6F000 (0x10000), ACPI_NVS 0x7B7F000 (0x80000), RT_Data 0x7EF4000
 *     (0x84000), ACPI_NVS 0x7F78000 (0x88000):
 *     0x8000 + 0xF0000 + 0x200000 + 0x80000 + 0x10000 + 0x80000 + 0x84000 + 0x88000
 *     = 0x514000.
 *   usable = 0x7FA0000 - 0x514000 = 0x7A8C000. Runs: 0xA0000 + 0x700000 (0x100000..
 *     0x7FFFFF) + 0x8000 (0x808000..) + 0x6FEF000 (0x900000..0x78EEFFF) + 0x2F5000
 *     (0x7BFF000..0x7EF3FFF) = 0x7A8C000.
 *   Entries: U 0, U 0x100000, NVS 0x800000, U 0x808000, NVS 0x810000, U 0x900000,
 *     RT 0x78EF000, RSV 0x7AEF000, ACPI 0x7B6F000, NVS 0x7B7F000, U 0x7BFF000,
 *     RT 0x7EF4000, NVS 0x7F78000, MMIO 0xFFC00000 = 14.
 *   firmware runtime = 0x200000 + 0x84000 = 0x284000; runtime rows: RT_Data, RT_Code,
 *   RT_Data, MMIO = 4. 0x800000 is ACPI_NVS 0x800000..0x807FFF (this older build puts its
 *   NVS at the TDVF-style MEMFD base).
 */
static const struct expect fixtures[] = {
	{ "tests/fixtures/ovmf-2022.11-pc-1G.memmap.txt", 124, 0x403A0000ull, 16, 0x3F986000ull,
	  0x386000, 5, TB_MEM_USABLE, 0x100000, 0x706000 },
	{ "tests/fixtures/ovmf-2022.11-q35-2G.memmap.txt", 127, 0x903A0000ull, 17, 0x7F986000ull,
	  0x386000, 5, TB_MEM_USABLE, 0x100000, 0x706000 },
	{ "tests/fixtures/ovmf-x64-pc-128M-uefi-lessons.memmap.txt", 117, 0x83A0000ull, 14,
	  0x7A8C000ull, 0x284000, 4, TB_MEM_ACPI_NVS, 0x800000, 0x8000 },
};

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s (run from the repository root)", path);
	static char buf[64 * 1024];
	*len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* A parsed fixture: raw ranges and source types from memtext, attributes read separately
 * (memtext does not keep them) with sscanf, which also cross-checks memtext's numbers. */
struct fixture {
	struct tb_mem_entry raw[ROWS_MAX];
	uint32_t src[ROWS_MAX];
	uint64_t attr[ROWS_MAX];
	size_t n;
	uint8_t descs[ROWS_MAX * DESC_SIZE];
};

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void load(const char *text, size_t len, struct fixture *fx)
{
	struct memtext_diag d;
	memset(fx, 0, sizeof *fx);
	if (!memtext_parse_ex(text, len, fx->raw, fx->src, ROWS_MAX, &fx->n, &d))
		fail_msg("memtext: %s", d.error);
	assert_int_equal(d.skipped, 0);
	assert_int_equal(d.rows_by_form[MEMTEXT_FORM_EDK2_SHELL], fx->n);
	const char *p = text;
	for (size_t i = 0; i < fx->n; i++) {
		char name[32];
		unsigned long long start, end, pages, attr;
		int used = 0;
		assert_int_equal(sscanf(p, "%31s %llx-%llx %llx %llx%n", name, &start, &end, &pages,
		                        &attr, &used),
		                 5);
		p += used;
		assert_int_equal(fx->raw[i].base, start);
		assert_int_equal(fx->raw[i].length, pages * 4096);
		assert_int_equal(fx->raw[i].length, end - start + 1);
		assert_true(fx->src[i] < EFIMAP_TYPE_COUNT);
		fx->attr[i] = attr;
		/* Rebuild the descriptor the firmware handed over, at OVMF's 48-byte stride. */
		uint8_t *desc = fx->descs + i * DESC_SIZE;
		put_u32(desc, fx->src[i] - MEMTEXT_SRC_EFI);
		put_u64(desc + 8, start);
		put_u64(desc + 16, 0);
		put_u64(desc + 24, pages);
		put_u64(desc + 32, attr);
	}
}

/* The normalized map through the loader's own path (efimap_build). */
static size_t build(struct fixture *fx, struct tb_mem_entry *out, size_t cap)
{
	size_t map_size = fx->n * DESC_SIZE, count = 0;
	size_t scratch_size = efimap_build_scratch_size(map_size, DESC_SIZE);
	void *scratch = malloc(scratch_size + 1);
	assert_non_null(scratch);
	/* An odd scratch address: efimap_build must align it itself. */
	assert_int_equal(efimap_build(fx->descs, map_size, DESC_SIZE, out, cap, &count,
	                              (uint8_t *)scratch + 1, scratch_size),
	                 TB_OK);
	free(scratch);
	return count;
}

static uint64_t bytes_of(const struct tb_mem_entry *m, size_t n, uint32_t type)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].type == type)
			sum += m[i].length;
	return sum;
}

static const struct tb_mem_entry *holding(const struct tb_mem_entry *m, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= m[i].base && addr - m[i].base < m[i].length)
			return &m[i];
	return NULL;
}

static void check_fixture(const struct expect *x)
{
	size_t len;
	const char *text = read_text(x->file, &len);
	static struct fixture fx;
	load(text, len, &fx);
	assert_int_equal(fx.n, x->rows);
	uint64_t raw = 0;
	size_t rt = 0;
	for (size_t i = 0; i < fx.n; i++) {
		raw += fx.raw[i].length;
		rt += (fx.attr[i] & EFIMAP_ATTR_RUNTIME) != 0;
	}
	assert_int_equal(raw, x->raw_bytes);
	assert_int_equal(rt, x->runtime_descs);

	/* The loader's runtime list for TB_REC_EFI picks out the same rows. */
	static uint8_t rt_out[ROWS_MAX * DESC_SIZE];
	size_t rt_count = 0;
	assert_int_equal(efimap_runtime_descs(fx.descs, fx.n * DESC_SIZE, DESC_SIZE, rt_out,
	                                      sizeof rt_out, &rt_count),
	                 TB_OK);
	assert_int_equal(rt_count, x->runtime_descs);

	static struct tb_mem_entry map[ROWS_MAX];
	size_t n = build(&fx, map, ROWS_MAX);
	assert_int_equal(n, x->entries);
	assert_int_equal(bytes_of(map, n, TB_MEM_USABLE), x->usable);
	assert_int_equal(bytes_of(map, n, TB_MEM_FIRMWARE_RUNTIME), x->firmware_rt);
	/* No unaccepted memory in these maps, and nothing ever comes out as unaccepted. */
	assert_int_equal(bytes_of(map, n, TB_MEM_UNACCEPTED), 0);
	const struct tb_mem_entry *e = holding(map, n, 0x800000);
	assert_non_null(e);
	assert_int_equal(e->type, x->type_at_8m);
	assert_int_equal(e->base, x->base_at_8m);
	assert_int_equal(e->length, x->length_at_8m);
	/* Page 0 (BS_Code) is usable after ExitBootServices; the 0xA0000 hole is absent. */
	assert_int_equal(map[0].base, 0);
	assert_int_equal(map[0].type, TB_MEM_USABLE);
	assert_int_equal(map[0].length, 0xA0000);
	assert_null(holding(map, n, 0xA0000));
	/* The last entry is the flash MMIO window just below 4 GiB. */
	assert_int_equal(map[n - 1].base, 0xFFC00000);
	assert_int_equal(map[n - 1].type, TB_MEM_MMIO);

	/* The structural rules hold: sorted, disjoint, no equal neighbours left unmerged. */
	for (size_t i = 1; i < n; i++) {
		assert_true(map[i - 1].base + map[i - 1].length <= map[i].base);
		if (map[i - 1].base + map[i - 1].length == map[i].base)
			assert_int_not_equal(map[i - 1].type, map[i].type);
	}

	/* memtext's mapped types + tb_normalize give exactly the same map. */
	static struct tb_mem_entry map2[ROWS_MAX];
	size_t n2 = 0, scratch_size = tb_normalize_scratch_size(fx.n);
	void *scratch = malloc(scratch_size);
	assert_int_equal(tb_normalize(fx.raw, fx.n, map2, ROWS_MAX, &n2, scratch, scratch_size),
	                 TB_OK);
	free(scratch);
	assert_int_equal(n2, n);
	assert_memory_equal(map2, map, n * sizeof map[0]);
}

static void test_pc_1g(void **state)
{
	(void)state;
	check_fixture(&fixtures[0]);
}

static void test_q35_2g(void **state)
{
	(void)state;
	check_fixture(&fixtures[1]);
	/* q35's MMCONFIG window stays reserved (0xB0000000, 256 MiB). */
	size_t len;
	const char *text = read_text(fixtures[1].file, &len);
	static struct fixture fx;
	load(text, len, &fx);
	static struct tb_mem_entry map[ROWS_MAX];
	size_t n = build(&fx, map, ROWS_MAX);
	const struct tb_mem_entry *e = holding(map, n, 0xB0000000);
	assert_non_null(e);
	assert_int_equal(e->type, TB_MEM_RESERVED);
	assert_int_equal(e->length, 0x10000000);
}

static void test_128m(void **state)
{
	(void)state;
	check_fixture(&fixtures[2]);
}

/*
 * Unaccepted memory, as a TDX guest's firmware reports RAM it has not accepted yet: the pc-1G
 * map with its largest row, "Available 0000000001500000-000000003BB6CFFF 000000000003A66D",
 * turned into "Unaccepted". By hand:
 *   unaccepted = 0x3A66D pages = 0x3A66D000 bytes (0x3BB6D000 - 0x1500000);
 *   usable = 0x3F986000 - 0x3A66D000 = 0x5319000;
 *   the usable run 0x900000..0x3EA89FFF splits into 0x900000..0x14FFFFF, the unaccepted
 *   range and 0x3BB6D000..0x3EA89FFF: 16 + 2 = 18 entries.
 * Releasing every reclaim condition must not make it usable either.
 */
static void test_unaccepted_never_usable(void **state)
{
	(void)state;
	size_t len;
	const char *orig = read_text(fixtures[0].file, &len);
	static char text[64 * 1024];
	memcpy(text, orig, len + 1);
	char *row = strstr(text, "Available  0000000001500000-000000003BB6CFFF");
	assert_non_null(row);
	memcpy(row, "Unaccepted ", 11);

	static struct fixture fx;
	load(text, len, &fx);
	static struct tb_mem_entry map[ROWS_MAX];
	size_t n = build(&fx, map, ROWS_MAX);
	assert_int_equal(n, 18);
	assert_int_equal(bytes_of(map, n, TB_MEM_UNACCEPTED), 0x3A66D000);
	assert_int_equal(bytes_of(map, n, TB_MEM_USABLE), 0x5319000);
	const struct tb_mem_entry *e = holding(map, n, 0x2000000);
	assert_non_null(e);
	assert_int_equal(e->type, TB_MEM_UNACCEPTED);
	assert_int_equal(e->base, 0x1500000);
	assert_int_equal(e->after_type, TB_MEM_UNACCEPTED);

	/* Into a real blob, validated, every event released: still not usable. */
	static uint8_t blob[16384];
	struct tb_builder b;
	tb_builder_init(&b, blob, sizeof blob, TB_FLAG_BOOT_SERVICES_EXITED);
	assert_non_null(tb_builder_add_memmap(&b, map, n));
	size_t size = 0;
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(tb_validate(blob, size, NULL), TB_OK);
	assert_false(tb_frame_usable_now(blob, 0x2000000));
	assert_false(tb_frame_usable_after_wakeup(blob, 0x2000000, true));
	uint64_t pages = 99;
	assert_int_equal(tb_release(blob, TB_EVENT_APS_WOKEN | TB_EVENT_NO_RESET |
	                                      TB_EVENT_LEFT_HANDOFF, &pages),
	                 TB_OK);
	assert_int_equal(pages, 0);
	assert_false(tb_frame_usable_now(blob, 0x2000000));
	assert_false(tb_frame_usable_now(blob, 0x3BB6C000));
	/* Its neighbours are usable. */
	assert_true(tb_frame_usable_now(blob, 0x14FF000));
	assert_true(tb_frame_usable_now(blob, 0x3BB6D000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pc_1g),
		cmocka_unit_test(test_q35_2g),
		cmocka_unit_test(test_128m),
		cmocka_unit_test(test_unaccepted_never_usable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
