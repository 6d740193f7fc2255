/* test_appark.c: cmocka tests for the loader's AP parking plan: AP choice, placement, page tables, IDT, tags, release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "appark.h"
#include "boot_handoff.h"
#include "efimap.h"
#include "tagging.h"

/* The addresses OVMF gave a 3-AP boot on q35 with 512 MiB (tests/boot, ap-park mailbox). */
#define LOW 0x9e000ull
#define HIGH 0x1dd76000ull

static struct acpi_info acpi;
static struct appark_layout layout;

static void add_cpu(uint32_t apic_id, uint32_t flags)
{
	acpi.cpus[acpi.cpu_count].apic_id = apic_id;
	acpi.cpus[acpi.cpu_count].flags = flags;
	acpi.cpu_count++;
}

/* BSP 0 and APs 1, 2, 3, all enabled; placed at LOW/HIGH. */
static void three_aps(void)
{
	const char *why = NULL;
	memset(&acpi, 0, sizeof(acpi));
	acpi.madt_found = true;
	for (uint32_t id = 0; id < 4; id++)
		add_cpu(id, ACPI_CPU_ENABLED);
	assert_true(appark_select(&acpi, 0, &layout, &why));
	assert_true(appark_place(&layout, LOW, HIGH, &why));
}

static uint64_t u64_at(const void *p, size_t offset)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)p + offset, sizeof(v));
	return v;
}

static void test_select(void **state)
{
	(void)state;
	const char *why = NULL;
	memset(&acpi, 0, sizeof(acpi));
	add_cpu(5, ACPI_CPU_ENABLED);
	add_cpu(0, ACPI_CPU_ENABLED);                 /* the BSP, not first in the MADT */
	add_cpu(2, ACPI_CPU_ONLINE_CAPABLE);          /* hot-pluggable, not there */
	add_cpu(9, ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE);
	assert_true(appark_select(&acpi, 0, &layout, &why));
	assert_int_equal(layout.bsp_apic_id, 0);
	assert_int_equal(layout.ap_count, 2);
	assert_int_equal(layout.ap_ids[0], 5);
	assert_int_equal(layout.ap_ids[1], 9);

	/* Only the BSP: nothing to park. */
	memset(&acpi, 0, sizeof(acpi));
	add_cpu(0, ACPI_CPU_ENABLED);
	assert_true(appark_select(&acpi, 0, &layout, &why));
	assert_int_equal(layout.ap_count, 0);

	/* 256 APs (the BSP, ID 300, is not listed) do not fit the arrival list. */
	memset(&acpi, 0, sizeof(acpi));
	for (uint32_t id = 0; id < ACPI_MAX_CPUS; id++)
		add_cpu(id, ACPI_CPU_ENABLED);
	why = NULL;
	assert_false(appark_select(&acpi, 300, &layout, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "more than 255 APs"));
	/* 255 APs do: the same list with the BSP in it. */
	assert_true(appark_select(&acpi, 7, &layout, &why));
	assert_int_equal(layout.ap_count, 255);
	assert_int_equal(layout.ap_ids[7], 8);
}

static void test_place(void **state)
{
	(void)state;
	three_aps();
	/* code 1 + page tables 6 + stacks 3 */
	assert_int_equal(appark_high_pages(3), 10);
	assert_int_equal(appark_high_pages(0), 7);
	assert_int_equal(layout.high_pages, 10);
	assert_int_equal(layout.mailbox, 0x9e000);
	assert_int_equal(layout.trampoline, 0x9f000);
	assert_int_equal(layout.code, 0x1dd76000);
	assert_int_equal(layout.page_tables, 0x1dd77000);
	assert_int_equal(layout.stacks, 0x1dd7d000);

	const char *why = NULL;
	/* The low part must be page aligned and end at or below 1 MiB. */
	assert_false(appark_place(&layout, 0x9e800, HIGH, &why));
	assert_non_null(strstr(why, "below 1 MiB"));
	assert_true(appark_place(&layout, 0xfe000, HIGH, &why));
	why = NULL;
	assert_false(appark_place(&layout, 0xff000, HIGH, &why));
	assert_non_null(strstr(why, "below 1 MiB"));
	assert_false(appark_place(&layout, 0, HIGH, &why));
	/* The high part must end at or below 4 GiB: 10 pages from 0xffff6000 end exactly there. */
	assert_true(appark_place(&layout, LOW, 0xffff6000ull, &why));
	why = NULL;
	assert_false(appark_place(&layout, LOW, 0xffff7000ull, &why));
	assert_non_null(strstr(why, "below 4 GiB"));
	assert_false(appark_place(&layout, LOW, 0x1dd76010ull, &why));
	/* The parts must not overlap; touching is fine. */
	why = NULL;
	assert_false(appark_place(&layout, LOW, 0x9f000, &why));
	assert_non_null(strstr(why, "overlap"));
	assert_false(appark_place(&layout, LOW, 0x95000, &why));
	assert_true(appark_place(&layout, LOW, 0x94000, &why)); /* 0x94000 + 10 pages = LOW */
	assert_true(appark_place(&layout, LOW, 0xa0000, &why));
}

static void test_page_tables(void **state)
{
	(void)state;
	const uint64_t phys = 0x1dd77000;
	uint8_t *mem = aligned_alloc(4096, APPARK_PT_PAGES * 4096);
	assert_non_null(mem);
	memset(mem, 0xAB, APPARK_PT_PAGES * 4096);
	appark_build_page_tables(mem, phys);
	/* PML4[0] -> PDPT at phys + 4 KiB; nothing above 512 GiB. */
	assert_int_equal(u64_at(mem, 0), 0x1dd78003ull);
	assert_int_equal(u64_at(mem, 8), 0);
	assert_int_equal(u64_at(mem, 4088), 0);
	/* PDPT[0..3] -> the four PDs; PDPT[4] empty (nothing above 4 GiB). */
	assert_int_equal(u64_at(mem, 4096 + 0), 0x1dd79003ull);
	assert_int_equal(u64_at(mem, 4096 + 24), 0x1dd7c003ull);
	assert_int_equal(u64_at(mem, 4096 + 32), 0);
	/* 2 MiB pages, present, writable, PS. */
	assert_int_equal(u64_at(mem, 8192 + 0), 0x83ull);
	assert_int_equal(u64_at(mem, 8192 + 8), 0x200083ull);
	/* the first PD entry of the second GiB maps 1 GiB */
	assert_int_equal(u64_at(mem, 8192 + 4096), 0x40000083ull);
	/* the last PD entry maps 4 GiB - 2 MiB, where the local APIC is */
	assert_int_equal(u64_at(mem, 8192 + 4 * 4096 - 8), 0xffe00083ull);
	free(mem);
}

static void test_idt(void **state)
{
	(void)state;
	uint8_t idt[16 * APPARK_IDT_VECTORS + 16];
	memset(idt, 0xCC, sizeof(idt));
	appark_build_idt(idt, 0x1dd76123ull, APPARK_CODE_SEL);
	/* offset 15:0, selector, IST 0, type 0x8E, offset 31:16, offset 63:32, reserved */
	const uint8_t gate[16] = { 0x23, 0x61, 0x08, 0x00, 0x00, 0x8e, 0xd7, 0x1d,
	                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	assert_memory_equal(idt, gate, 16);
	assert_memory_equal(idt + 16 * 2, gate, 16);  /* NMI */
	assert_memory_equal(idt + 16 * 31, gate, 16);
	/* exactly 32 gates */
	assert_int_equal(idt[16 * APPARK_IDT_VECTORS], 0xCC);
	/* a handler above 4 GiB fills the high half */
	appark_build_idt(idt, 0x123456789abcull, APPARK_CODE_SEL);
	assert_int_equal(idt[0], 0xbc);
	assert_int_equal(idt[1], 0x9a);
	assert_int_equal(idt[6], 0x78);
	assert_int_equal(idt[7], 0x56);
	assert_int_equal(idt[8], 0x34);
	assert_int_equal(idt[9], 0x12);
}

static void expect_region(const struct tb_mem_entry *e, uint64_t base, uint64_t length,
                          uint8_t reason)
{
	assert_int_equal(e->base, base);
	assert_int_equal(e->length, length);
	assert_int_equal(e->type, TB_MEM_AP_HELD);
	assert_int_equal(e->after_type, TB_MEM_USABLE);
	assert_int_equal(e->owner, TB_OWNER_LOADER);
	assert_int_equal(e->reason, reason);
	assert_int_equal(e->reclaim, TB_RECLAIM_AFTER_AP_WAKEUP);
	assert_int_equal(e->source, TB_SOURCE_LOADER);
}

static void test_regions(void **state)
{
	(void)state;
	struct tb_mem_entry out[APPARK_REGION_COUNT];
	three_aps();
	assert_int_equal(appark_regions(&layout, out, APPARK_REGION_COUNT), 5);
	expect_region(&out[0], 0x9e000, 0x1000, TB_REASON_MAILBOX);
	expect_region(&out[1], 0x9f000, 0x1000, TB_REASON_AP_LOOP_CODE);
	expect_region(&out[2], 0x1dd76000, 0x1000, TB_REASON_AP_LOOP_CODE);
	expect_region(&out[3], 0x1dd77000, 0x6000, TB_REASON_PAGE_TABLES);
	expect_region(&out[4], 0x1dd7d000, 0x3000, TB_REASON_AP_STACK);
	/* too little room, or nothing placed */
	assert_int_equal(appark_regions(&layout, out, 4), 0);
	struct appark_layout empty;
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(appark_regions(&empty, out, APPARK_REGION_COUNT), 0);
}

static void test_find_missing(void **state)
{
	(void)state;
	struct appark_result res;
	three_aps();
	memset(&res, 0, sizeof(res));
	/* APs 3 and 1 arrived, in that order: 2 is missing */
	res.arrived = 2;
	res.arrived_ids[0] = 3;
	res.arrived_ids[1] = 1;
	appark_find_missing(&layout, &res);
	assert_int_equal(res.missing, 1);
	assert_int_equal(res.missing_ids[0], 2);
	/* none arrived */
	res.arrived = 0;
	appark_find_missing(&layout, &res);
	assert_int_equal(res.missing, 3);
	assert_int_equal(res.missing_ids[0], 1);
	assert_int_equal(res.missing_ids[2], 3);
	/* all arrived */
	res.arrived = 3;
	res.arrived_ids[2] = 2;
	appark_find_missing(&layout, &res);
	assert_int_equal(res.missing, 0);
}

/* The parking area as the loader's tagging carves it into a map where it is LoaderData
 * (usable after ExitBootServices): AP_HELD, no hazard, and released by APS_WOKEN only. */
static void test_tagging_and_release(void **state)
{
	(void)state;
	struct tb_mem_entry regions[APPARK_REGION_COUNT];
	three_aps();
	assert_int_equal(appark_regions(&layout, regions, APPARK_REGION_COUNT), 5);
	struct tb_mem_entry map[32] = {
		{ .base = 0x0, .length = 0xa0000, .type = TB_MEM_USABLE, .after_type = TB_MEM_USABLE },
		{ .base = 0x100000, .length = 0x1ff00000, .type = TB_MEM_USABLE,
		  .after_type = TB_MEM_USABLE },
	};
	size_t n = 2;
	struct tagging_input in;
	memset(&in, 0, sizeof(in));
	in.acpi = &acpi;
	in.platform_kind = TB_PLATFORM_KVM;
	in.parking_regions = regions;
	in.parking_region_count = 5;
	struct tagging_report rep;
	assert_int_equal(tagging_apply(map, &n, 32, &in, &rep), TB_OK);
	assert_int_equal(rep.hazard_count, 0);
	assert_int_equal(rep.regions, 5);
	/* usable, mailbox, trampoline, usable, code, tables, stacks, usable */
	assert_int_equal(n, 8);
	assert_int_equal(map[7].base, 0x1dd80000);
	assert_int_equal(map[0].length, 0x9e000);
	expect_region(&map[1], 0x9e000, 0x1000, TB_REASON_MAILBOX);
	expect_region(&map[2], 0x9f000, 0x1000, TB_REASON_AP_LOOP_CODE);
	expect_region(&map[4], 0x1dd76000, 0x1000, TB_REASON_AP_LOOP_CODE);
	expect_region(&map[5], 0x1dd77000, 0x6000, TB_REASON_PAGE_TABLES);
	expect_region(&map[6], 0x1dd7d000, 0x3000, TB_REASON_AP_STACK);

	/* A loader allocation on top of the parking area is still a hazard. */
	struct tagging_alloc stack = { 0x1dd7f000, 0x2000, TAGGING_ALLOC_STACK };
	struct tb_mem_entry map2[32] = {
		{ .base = 0x0, .length = 0xa0000, .type = TB_MEM_USABLE, .after_type = TB_MEM_USABLE },
		{ .base = 0x100000, .length = 0x1ff00000, .type = TB_MEM_USABLE,
		  .after_type = TB_MEM_USABLE },
	};
	size_t n2 = 2;
	in.allocs = &stack;
	in.alloc_count = 1;
	assert_int_equal(tagging_apply(map2, &n2, 32, &in, &rep), TB_OK);
	assert_int_equal(rep.hazard_count, 1);
	assert_string_equal(rep.hazards[0], "loader allocation 0x1dd7f000-0x1dd80fff (stack) "
	                                     "overlaps AP-held memory 0x1dd7f000-0x1dd7ffff (ap stack)");

	/* In a blob: leaving the handoff frees nothing of it, the AP wakeup all 12 pages. */
	size_t cap = 4096 + n * sizeof(struct tb_mem_entry), size = 0, where = 0;
	uint64_t *blob = malloc(cap);
	assert_non_null(blob);
	struct tb_builder b;
	tb_builder_init(&b, blob, cap, TB_FLAG_APS_PARKED_BY_LOADER);
	tb_builder_add_memmap(&b, map, n);
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(tb_validate(blob, size, &where), TB_OK);
	assert_false(tb_frame_usable_now(blob, 0x9e000));
	assert_true(tb_frame_usable_after_wakeup(blob, 0x1dd7d000, false));
	uint64_t pages = 99;
	assert_int_equal(tb_release(blob, TB_EVENT_LEFT_HANDOFF, &pages), TB_OK);
	assert_int_equal(pages, 0);
	assert_int_equal(tb_release(blob, TB_EVENT_APS_WOKEN, &pages), TB_OK);
	assert_int_equal(pages, 2 + 1 + 6 + 3);
	assert_true(tb_frame_usable_now(blob, 0x9e000));
	assert_true(tb_frame_usable_now(blob, 0x1dd7f000));
	free(blob);
}


/* Little-endian store into a raw EFI descriptor. */
static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* boot_handoff_build with the parking area: the MP record names the loader's mailbox
 * (version 0, no reset vector, MAILBOX | PARKED_BY_LOADER), the header says so, and the map
 * holds the five AP_HELD regions over what the firmware calls LoaderData. */
static void test_handoff_mp_record(void **state)
{
	(void)state;
	enum { DESC = 48, COUNT = 5 };
	/* type, base, pages: conventional 0-0x9dfff, LoaderData mailbox+trampoline, conventional
	 * 1 MiB up to the high part, LoaderData high part (10 pages), conventional to 512 MiB */
	const uint64_t descs[COUNT][3] = {
		{ 7, 0x0, 0x9e },
		{ 2, 0x9e000, 2 },
		{ 7, 0x100000, (0x1dd76000 - 0x100000) / 4096 },
		{ 2, 0x1dd76000, 10 },
		{ 7, 0x1dd80000, (0x20000000 - 0x1dd80000) / 4096 },
	};
	uint8_t efi_map[DESC * COUNT];
	memset(efi_map, 0, sizeof(efi_map));
	for (size_t i = 0; i < COUNT; i++) {
		put_le(efi_map + i * DESC, descs[i][0], 4);
		put_le(efi_map + i * DESC + 8, descs[i][1], 8);
		put_le(efi_map + i * DESC + 24, descs[i][2], 8);
		put_le(efi_map + i * DESC + 32, 0xf, 8); /* UC WC WT WB */
	}
	struct tb_mem_entry regions[APPARK_REGION_COUNT];
	three_aps();
	assert_int_equal(appark_regions(&layout, regions, APPARK_REGION_COUNT), 5);
	struct tagging_input tags;
	memset(&tags, 0, sizeof(tags));
	tags.acpi = &acpi;
	tags.platform_kind = TB_PLATFORM_KVM;
	tags.parking_regions = regions;
	tags.parking_region_count = APPARK_REGION_COUNT;

	struct boot_handoff_in in;
	memset(&in, 0, sizeof(in));
	in.efi_map = efi_map;
	in.map_size = sizeof(efi_map);
	in.desc_size = DESC;
	in.desc_version = 1;
	in.entries_cap = boot_handoff_entries_cap(COUNT);
	in.entries = calloc(in.entries_cap, sizeof(struct tb_mem_entry));
	in.scratch_size = efimap_build_scratch_size(sizeof(efi_map), DESC);
	in.scratch = malloc(in.scratch_size);
	in.blob_cap = boot_handoff_blob_size(COUNT, DESC, acpi.cpu_count, 0, NULL, 0);
	in.blob = calloc(1, in.blob_cap);
	assert_non_null(in.entries);
	assert_non_null(in.scratch);
	assert_non_null(in.blob);
	in.flags = TB_FLAG_BOOT_SERVICES_EXITED | TB_FLAG_APS_PARKED_BY_LOADER;
	in.tagging = &tags;
	in.acpi = &acpi;
	in.bsp_apic_id = 0;
	in.parked_mailbox = layout.mailbox;
	struct boot_handoff_out out;
	assert_int_equal(boot_handoff_build(&in, &out), TB_OK);
	assert_int_equal(out.report.hazard_count, 0);
	size_t where = 0;
	assert_int_equal(tb_validate(in.blob, out.blob_size, &where), TB_OK);

	const struct tb_header *h = in.blob;
	assert_true(h->flags & TB_FLAG_APS_PARKED_BY_LOADER);
	const struct tb_rec_mp *mp = (const void *)tb_find_record(in.blob, TB_REC_MP, sizeof(*mp));
	assert_non_null(mp);
	assert_int_equal(mp->mailbox_address, 0x9e000);
	assert_int_equal(mp->mailbox_version, 0);
	assert_int_equal(mp->reset_vector, 0);
	assert_int_equal(mp->flags, TB_MP_F_MAILBOX | TB_MP_F_PARKED_BY_LOADER);
	assert_int_equal(mp->ap_count, 3);

	const struct tb_rec_memmap *map = tb_memmap(in.blob);
	unsigned held = 0;
	uint64_t held_bytes = 0;
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (e->type != TB_MEM_AP_HELD)
			continue;
		held++;
		held_bytes += e->length;
		assert_int_equal(e->owner, TB_OWNER_LOADER);
	}
	assert_int_equal(held, 5);
	assert_int_equal(held_bytes, 12 * 4096);
	free(in.entries);
	free(in.scratch);
	free(in.blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_page_tables),
		cmocka_unit_test(test_idt),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_find_missing),
		cmocka_unit_test(test_tagging_and_release),
		cmocka_unit_test(test_handoff_mp_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
