/* test_tagging.c: cmocka tests for tagging (TDX AP memory, mailbox reclaim rules, reserves,
 * loader allocations, hazards, limits) on hand-built maps and the real OVMF fixture maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "efimap.h"
#include "tagging.h"
#include "tdvf.h"

#define MAP_CAP 512u

static struct tb_mem_entry map[MAP_CAP];
static size_t map_n;
static struct acpi_info acpi;

static struct tb_mem_entry range(uint64_t base, uint64_t length, uint32_t type)
{
	return (struct tb_mem_entry){ .base = base, .length = length, .type = type, .after_type = type };
}

/* Normalize raw ranges into the global map, as efimap_build does for a firmware map. */
static void load_map(const struct tb_mem_entry *raw, size_t n)
{
	size_t scratch_size = tb_normalize_scratch_size(n);
	void *scratch = malloc(scratch_size);
	assert_non_null(scratch);
	assert_int_equal(tb_normalize(raw, n, map, MAP_CAP, &map_n, scratch, scratch_size), TB_OK);
	free(scratch);
}

static const struct tb_mem_entry *entry_at(uint64_t addr)
{
	for (size_t i = 0; i < map_n; i++)
		if (addr >= map[i].base && addr - map[i].base < map[i].length)
			return &map[i];
	return NULL;
}

/* The map entry starting exactly at base must have these extent and tags. */
static void expect_tagged(uint64_t base, uint64_t length, uint32_t type, uint32_t after_type,
                          uint8_t owner, uint8_t reason, uint8_t reclaim, uint8_t source)
{
	const struct tb_mem_entry *e = entry_at(base);
	assert_non_null(e);
	assert_int_equal(e->base, base);
	assert_int_equal(e->length, length);
	assert_int_equal(e->type, type);
	assert_int_equal(e->after_type, after_type);
	assert_int_equal(e->owner, owner);
	assert_int_equal(e->reason, reason);
	assert_int_equal(e->reclaim, reclaim);
	assert_int_equal(e->source, source);
}

static void expect_untagged(uint64_t base, uint64_t length, uint32_t type)
{
	expect_tagged(base, length, type, type, TB_OWNER_NONE, TB_REASON_NONE, TB_RECLAIM_NEVER,
	              TB_SOURCE_EFI_MAP);
}

/* The tagged map wrapped in a blob must pass the validator. */
static void expect_valid_map(void)
{
	size_t cap = 4096 + map_n * sizeof(struct tb_mem_entry), size = 0, where = 0;
	uint64_t *buf = malloc(cap);
	struct tb_builder b;
	assert_non_null(buf);
	tb_builder_init(&b, buf, cap, 0);
	tb_builder_add_memmap(&b, map, map_n);
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(tb_validate(buf, size, &where), TB_OK);
	free(buf);
}

static bool has_hazard(const struct tagging_report *rep, const char *text)
{
	for (unsigned i = 0; i < rep->hazard_count && i < TAGGING_MAX_HAZARDS; i++)
		if (strcmp(rep->hazards[i], text) == 0)
			return true;
	return false;
}

/* A mailbox in an ACPI NVS allocation of two pages (mailbox + AP loop code). */
static void set_mailbox(uint16_t version, uint64_t address)
{
	memset(&acpi, 0, sizeof(acpi));
	acpi.madt_found = true;
	acpi.mp_wakeup_found = true;
	acpi.mailbox_version = version;
	acpi.mailbox_address = address;
	if (version >= 1) {
		acpi.has_reset_vector = true;
		acpi.reset_vector = 0x7f001800;
	}
}

/* An older TDVF's map: "0x0-0x80bfff usable" (background section 1), a hole, RAM, the
 * relocated mailbox + AP loop code as ACPI NVS, and unaccepted memory above 4 GiB. */
static void load_tdx_map(void)
{
	const struct tb_mem_entry raw[] = {
		range(0x0, 0x80c000, TB_MEM_USABLE),
		range(0x900000, 0x7e700000, TB_MEM_USABLE),
		range(0x7f000000, 0x2000, TB_MEM_ACPI_NVS),
		range(0x7f002000, 0xffe000, TB_MEM_USABLE),
		range(0x100000000ull, 0x80000000ull, TB_MEM_UNACCEPTED),
	};
	load_map(raw, sizeof(raw) / sizeof(raw[0]));
}

static void test_tdx_quirk_layout(void **state)
{
	(void)state;
	struct tagging_report rep;
	load_tdx_map();
	set_mailbox(0, 0x7f000000);
	struct tagging_input in = { .acpi = &acpi, .platform_kind = TB_PLATFORM_TDX };

	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	assert_string_equal(rep.error, "");
	/* mailbox allocation, mailbox page, four quirk regions */
	assert_int_equal(rep.regions, 6);

	expect_untagged(0x0, 0x800000, TB_MEM_USABLE);
	expect_tagged(0x800000, 0x6000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_QUIRK);
	expect_untagged(0x806000, 0x3000, TB_MEM_USABLE);
	expect_tagged(0x809000, 0x2000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_TD_HOB, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_QUIRK);
	expect_tagged(0x80b000, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_WORK_AREA, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_QUIRK);
	/* 0x80c000 was a hole in the firmware map: it may only ever become reserved. */
	expect_tagged(0x80c000, 0x1000, TB_MEM_AP_HELD, TB_MEM_RESERVED, TB_OWNER_FIRMWARE,
	              TB_REASON_INITIAL_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_QUIRK);
	assert_null(entry_at(0x80d000));
	/* The mailbox page (ACPI) over the NVS allocation (AP loop code): both stay NVS after. */
	expect_tagged(0x7f000000, 0x1000, TB_MEM_AP_HELD, TB_MEM_ACPI_NVS, TB_OWNER_FIRMWARE,
	              TB_REASON_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_ACPI);
	expect_tagged(0x7f001000, 0x1000, TB_MEM_AP_HELD, TB_MEM_ACPI_NVS, TB_OWNER_FIRMWARE,
	              TB_REASON_AP_LOOP_CODE, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_EFI_MAP);
	/* unaccepted memory passes through untouched */
	expect_untagged(0x100000000ull, 0x80000000ull, TB_MEM_UNACCEPTED);

	assert_int_equal(rep.hazard_count, 3);
	assert_true(has_hazard(&rep, "0x800000-0x805fff is reported usable but parked APs use it "
	                             "(page tables)"));
	assert_true(has_hazard(&rep, "0x809000-0x80afff is reported usable but parked APs use it "
	                             "(td hob)"));
	assert_true(has_hazard(&rep, "0x80b000-0x80bfff is reported usable but parked APs use it "
	                             "(work area)"));
	expect_valid_map();
}

static void test_mailbox_version_reclaim(void **state)
{
	(void)state;
	struct tb_mem_entry out[8];
	size_t n = 0;
	struct tagging_input in = { .acpi = &acpi, .platform_kind = TB_PLATFORM_TDX };

	/* version 0: no way back into the firmware */
	set_mailbox(0, 0x7f000000);
	assert_int_equal(tagging_collect(&in, out, 8, &n), TB_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i].reclaim, TB_RECLAIM_AFTER_AP_WAKEUP);

	/* version 1: the reset vector reloads CR3 = 0x800000 */
	set_mailbox(1, 0x7f000000);
	assert_int_equal(tagging_collect(&in, out, 8, &n), TB_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i].reclaim, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET);
	assert_int_equal(out[0].base, 0x7f000000);
	assert_int_equal(out[0].length, 0x1000);
	assert_int_equal(out[0].reason, TB_REASON_MAILBOX);
	assert_int_equal(out[0].source, TB_SOURCE_ACPI);
	assert_int_equal(out[0].type, TB_MEM_AP_HELD);

	/* the quirk table: background.md section 2, in address order */
	static const uint64_t want[4][3] = {
		{ 0x800000, 0x6000, TB_REASON_PAGE_TABLES },
		{ 0x809000, 0x2000, TB_REASON_TD_HOB },
		{ 0x80B000, 0x1000, TB_REASON_WORK_AREA },
		{ 0x80C000, 0x1000, TB_REASON_INITIAL_MAILBOX },
	};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(out[1 + i].base, want[i][0]);
		assert_int_equal(out[1 + i].length, want[i][1]);
		assert_int_equal(out[1 + i].reason, want[i][2]);
		assert_int_equal(out[1 + i].source, TB_SOURCE_QUIRK);
		assert_int_equal(out[1 + i].owner, TB_OWNER_FIRMWARE);
		assert_int_equal(out[1 + i].type, TB_MEM_AP_HELD);
		assert_int_equal(out[1 + i].after_type, TB_MEM_USABLE);
	}

	/* Not TDX: only the mailbox page. */
	in.platform_kind = TB_PLATFORM_KVM;
	assert_int_equal(tagging_collect(&in, out, 8, &n), TB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].reason, TB_REASON_MAILBOX);

	/* TDX without a mailbox: the APs can never be woken, the memory is never released. */
	in.platform_kind = TB_PLATFORM_TDX;
	in.acpi = NULL;
	assert_int_equal(tagging_collect(&in, out, 8, &n), TB_OK);
	assert_int_equal(n, 4);
	assert_int_equal(out[0].base, 0x800000);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].reclaim, TB_RECLAIM_NEVER);
		assert_int_equal(out[i].source, TB_SOURCE_QUIRK);
	}

	/* No platform, no ACPI: nothing. */
	in.platform_kind = TB_PLATFORM_NONE;
	assert_int_equal(tagging_collect(&in, out, 8, &n), TB_OK);
	assert_int_equal(n, 0);
}

/* TDVF metadata from a descriptor, through the real tdvf_regions, replaces the quirk table. */
static void test_tdvf_metadata_regions(void **state)
{
	(void)state;
	struct tdvf_metadata md;
	memset(&md, 0, sizeof(md));
	md.version = 1;
	md.section_count = 4;
	md.sections[0] = (struct tdvf_section){ .address = 0xFFFC0000ull, .size = 0x40000,
	                                        .type = TDVF_SECTION_BFV };
	md.sections[1] = (struct tdvf_section){ .address = 0x800000, .size = 0x6000,
	                                        .type = TDVF_SECTION_TEMP_MEM };
	md.sections[2] = (struct tdvf_section){ .address = 0x809000, .size = 0x2000,
	                                        .type = TDVF_SECTION_TD_HOB };
	md.sections[3] = (struct tdvf_section){ .address = 0x80B000, .size = 0x2000,
	                                        .type = TDVF_SECTION_TEMP_MEM };
	struct tb_mem_entry tdvf[8];
	size_t tdvf_n = 0;
	assert_int_equal(tdvf_regions(&md, tdvf, 8, &tdvf_n), TDVF_OK);
	assert_int_equal(tdvf_n, 3);

	struct tagging_report rep;
	load_tdx_map();
	set_mailbox(1, 0x7f000000);
	struct tagging_input in = { .acpi = &acpi, .platform_kind = TB_PLATFORM_TDX,
	                            .tdvf_regions = tdvf, .tdvf_region_count = tdvf_n };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	assert_int_equal(rep.regions, 5);
	expect_tagged(0x800000, 0x6000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET,
	              TB_SOURCE_TDVF_METADATA);
	expect_tagged(0x809000, 0x2000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_TD_HOB, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET,
	              TB_SOURCE_TDVF_METADATA);
	/* the work area section is two pages; its second page is the firmware map's hole */
	expect_tagged(0x80b000, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_WORK_AREA, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET,
	              TB_SOURCE_TDVF_METADATA);
	expect_tagged(0x80c000, 0x1000, TB_MEM_AP_HELD, TB_MEM_RESERVED, TB_OWNER_FIRMWARE,
	              TB_REASON_WORK_AREA, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET,
	              TB_SOURCE_TDVF_METADATA);
	expect_tagged(0x7f000000, 0x1000, TB_MEM_AP_HELD, TB_MEM_ACPI_NVS, TB_OWNER_FIRMWARE,
	              TB_REASON_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_ACPI);
	assert_int_equal(rep.hazard_count, 3);
	expect_valid_map();
}

static void test_config_reserves(void **state)
{
	(void)state;
	struct config_reserve res[3];
	memset(res, 0, sizeof(res));
	/* unaligned on both ends: grows outward to 0x12000-0x13fff */
	res[0] = (struct config_reserve){ .base = 0x12345, .size = 0x1000 };
	strcpy(res[0].reason, "firmware-log");
	res[1] = (struct config_reserve){ .base = 0x200000, .size = 0x3000 };
	strcpy(res[1].reason, "Page_Tables");
	res[2] = (struct config_reserve){ .base = 0x300000, .size = 0x1000 };
	strcpy(res[2].reason, "mailbox");

	struct tagging_input in = { .reserves = res, .reserve_count = 3 };
	/* collect already aligns outward */
	struct tb_mem_entry out[3];
	size_t n = 0;
	assert_int_equal(tagging_collect(&in, out, 3, &n), TB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(out[0].base, 0x12000);
	assert_int_equal(out[0].length, 0x2000);
	assert_int_equal(out[0].source, TB_SOURCE_CONFIG);

	const struct tb_mem_entry raw[] = { range(0x0, 0x1000000, TB_MEM_USABLE) };
	load_map(raw, 1);
	struct tagging_report rep;
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	assert_int_equal(rep.regions, 3);
	assert_int_equal(rep.hazard_count, 0);
	expect_untagged(0x0, 0x12000, TB_MEM_USABLE);
	expect_tagged(0x12000, 0x2000, TB_MEM_RESERVED, TB_MEM_RESERVED, TB_OWNER_LOADER,
	              TB_REASON_CONFIG, TB_RECLAIM_NEVER, TB_SOURCE_CONFIG);
	expect_untagged(0x14000, 0x200000 - 0x14000, TB_MEM_USABLE);
	expect_tagged(0x200000, 0x3000, TB_MEM_RESERVED, TB_MEM_RESERVED, TB_OWNER_LOADER,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_NEVER, TB_SOURCE_CONFIG);
	expect_tagged(0x300000, 0x1000, TB_MEM_RESERVED, TB_MEM_RESERVED, TB_OWNER_LOADER,
	              TB_REASON_MAILBOX, TB_RECLAIM_NEVER, TB_SOURCE_CONFIG);
	expect_untagged(0x301000, 0x1000000 - 0x301000, TB_MEM_USABLE);
	assert_int_equal(map_n, 7);
	expect_valid_map();
}

static void test_loader_allocations(void **state)
{
	(void)state;
	const struct tagging_alloc allocs[] = {
		{ 0x1000000, 0x201000, TAGGING_ALLOC_KERNEL },
		{ 0x2000000, 0x1800, TAGGING_ALLOC_MODULE },    /* rounds up to two pages */
		{ 0x3000000, 0x3000, TAGGING_ALLOC_HANDOFF },
		{ 0x3003000, 0x1000, TAGGING_ALLOC_HANDOFF_DATA },
		{ 0x3010000, 0x6000, TAGGING_ALLOC_PAGE_TABLES },
		{ 0x3020000, 0x4000, TAGGING_ALLOC_STACK },
		{ 0x3030000, 0x1000, TAGGING_ALLOC_GDT },
		{ 0x80000000, 0x300000, TAGGING_ALLOC_FRAMEBUFFER },
		{ 0x100000000ull, 0x1000, TAGGING_ALLOC_STACK }, /* on unaccepted: must not carve */
	};
	const struct tb_mem_entry raw[] = {
		range(0x0, 0x7f000000, TB_MEM_USABLE),
		range(0x80000000, 0x300000, TB_MEM_MMIO),
		range(0x100000000ull, 0x10000000, TB_MEM_UNACCEPTED),
	};
	load_map(raw, 3);
	struct tagging_report rep;
	struct tagging_input in = { .allocs = allocs, .alloc_count = 9 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	assert_int_equal(rep.regions, 9);
	assert_int_equal(rep.hazard_count, 0);

	expect_tagged(0x1000000, 0x201000, TB_MEM_KERNEL, TB_MEM_USABLE, TB_OWNER_LOADER,
	              TB_REASON_KERNEL_IMAGE, TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
	expect_tagged(0x2000000, 0x2000, TB_MEM_MODULE, TB_MEM_USABLE, TB_OWNER_LOADER,
	              TB_REASON_MODULE, TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
	expect_tagged(0x3000000, 0x3000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_OWNER_LOADER, TB_REASON_HANDOFF, TB_RECLAIM_AFTER_HANDOFF,
	              TB_SOURCE_LOADER);
	expect_tagged(0x3003000, 0x1000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_OWNER_LOADER, TB_REASON_HANDOFF_DATA, TB_RECLAIM_AFTER_HANDOFF,
	              TB_SOURCE_LOADER);
	expect_tagged(0x3010000, 0x6000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_OWNER_LOADER, TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_HANDOFF,
	              TB_SOURCE_LOADER);
	expect_tagged(0x3020000, 0x4000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_OWNER_LOADER, TB_REASON_STACK, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER);
	expect_tagged(0x3030000, 0x1000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_OWNER_LOADER, TB_REASON_GDT, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER);
	/* MMIO outranks FRAMEBUFFER: a GOP framebuffer the firmware calls MMIO stays MMIO. */
	expect_untagged(0x80000000, 0x300000, TB_MEM_MMIO);
	expect_untagged(0x100000000ull, 0x10000000, TB_MEM_UNACCEPTED);
	expect_valid_map();

	/* After the handoff is released the reclaimable pieces are usable again. */
	uint64_t reclaimable = 0;
	for (size_t i = 0; i < map_n; i++)
		if (map[i].type == TB_MEM_LOADER_RECLAIMABLE)
			reclaimable += map[i].length;
	assert_int_equal(reclaimable, 0x3000 + 0x1000 + 0x6000 + 0x4000 + 0x1000);
}

static void test_framebuffer_in_usable(void **state)
{
	(void)state;
	const struct tagging_alloc fb = { 0x40000000, 0x1d5000, TAGGING_ALLOC_FRAMEBUFFER };
	const struct tb_mem_entry raw[] = { range(0x0, 0x80000000, TB_MEM_USABLE) };
	load_map(raw, 1);
	struct tagging_input in = { .allocs = &fb, .alloc_count = 1 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, NULL), TB_OK);
	expect_tagged(0x40000000, 0x1d5000, TB_MEM_FRAMEBUFFER, TB_MEM_USABLE,
	              TB_OWNER_LOADER, TB_REASON_FRAMEBUFFER, TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
	assert_int_equal(map_n, 3);
}

/* A framebuffer outside RAM (a hole, as QEMU's BAR): when the kernel gives it up it is not
 * memory, so its after_type is reserved, never usable. */
static void test_framebuffer_in_hole(void **state)
{
	(void)state;
	const struct tagging_alloc fb = { 0x80000000, 0x300000, TAGGING_ALLOC_FRAMEBUFFER };
	const struct tb_mem_entry raw[] = { range(0x0, 0x80000000, TB_MEM_USABLE),
	                                    range(0xfec00000, 0x1000, TB_MEM_MMIO) };
	load_map(raw, 2);
	struct tagging_input in = { .allocs = &fb, .alloc_count = 1 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, NULL), TB_OK);
	expect_tagged(0x80000000, 0x300000, TB_MEM_FRAMEBUFFER, TB_MEM_RESERVED,
	              TB_OWNER_LOADER, TB_REASON_FRAMEBUFFER, TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
}

static void test_alloc_over_ap_memory_hazard(void **state)
{
	(void)state;
	/* A stack the loader put across the end of the TDVF page tables, and a kernel over the
	 * mailbox page. */
	const struct tagging_alloc allocs[] = {
		{ 0x804000, 0x4000, TAGGING_ALLOC_STACK },
		{ 0x7f000000, 0x1000, TAGGING_ALLOC_KERNEL },
	};
	load_tdx_map();
	set_mailbox(0, 0x7f000000);
	struct tagging_report rep;
	struct tagging_input in = { .acpi = &acpi, .platform_kind = TB_PLATFORM_TDX,
	                            .allocs = allocs, .alloc_count = 2 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	/* three "reported usable" hazards, the stack over the page tables, the kernel over the
	 * mailbox page and over the NVS allocation that holds it */
	assert_int_equal(rep.hazard_count, 6);
	assert_true(has_hazard(&rep, "loader allocation 0x804000-0x807fff (stack) overlaps "
	                             "AP-held memory 0x804000-0x805fff (page tables)"));
	assert_true(has_hazard(&rep, "loader allocation 0x7f000000-0x7f000fff (kernel image) "
	                             "overlaps AP-held memory 0x7f000000-0x7f000fff (mailbox)"));
	/* AP_HELD outranks the loader's types: the page tables stay held. */
	expect_tagged(0x800000, 0x6000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_AP_WAKEUP, TB_SOURCE_QUIRK);
	expect_tagged(0x806000, 0x2000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE, TB_OWNER_LOADER,
	              TB_REASON_STACK, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER);
	expect_valid_map();
}

static void test_hazard_array_overflow(void **state)
{
	(void)state;
	/* Ten one-page kernel allocations over the page tables: ten hazards, eight kept. */
	struct tagging_alloc allocs[10];
	for (unsigned i = 0; i < 10; i++)
		allocs[i] = (struct tagging_alloc){ 0x800000, 0x1000, TAGGING_ALLOC_KERNEL };
	const struct tb_mem_entry raw[] = { range(0x0, 0x1000000, TB_MEM_ACPI_NVS) };
	load_map(raw, 1);
	struct tagging_report rep;
	struct tagging_input in = { .platform_kind = TB_PLATFORM_TDX, .allocs = allocs,
	                            .alloc_count = 10 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	assert_int_equal(rep.hazard_count, 10);
	assert_string_equal(rep.hazards[7], "loader allocation 0x800000-0x800fff (kernel image) "
	                                    "overlaps AP-held memory 0x800000-0x800fff (page tables)");
}

/* A reserve that runs past 2^64 is clipped to the top page. */
static void test_top_of_address_space(void **state)
{
	(void)state;
	struct config_reserve top = { .base = 0xFFFFFFFFFFFFE800ull, .size = 0x2000 };
	strcpy(top.reason, "rom");
	struct tagging_input in = { .reserves = &top, .reserve_count = 1 };
	struct tb_mem_entry out[1];
	size_t n = 0;
	assert_int_equal(tagging_collect(&in, out, 1, &n), TB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].base, 0xFFFFFFFFFFFFE000ull);
	assert_int_equal(out[0].length, 0x2000);
	assert_int_equal(out[0].reason, TB_REASON_CONFIG);

	const struct tb_mem_entry raw[] = { range(0xFFFFFFFFFFF00000ull, 0x100000, TB_MEM_MMIO) };
	load_map(raw, 1);
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, NULL), TB_OK);
	/* RESERVED outranks MMIO: the tag takes the top two pages */
	expect_tagged(0xFFFFFFFFFFFFE000ull, 0x2000, TB_MEM_RESERVED, TB_MEM_RESERVED,
	              TB_OWNER_LOADER, TB_REASON_CONFIG, TB_RECLAIM_NEVER, TB_SOURCE_CONFIG);
	expect_untagged(0xFFFFFFFFFFF00000ull, 0xFE000, TB_MEM_MMIO);
	expect_valid_map();
}

static void test_no_space(void **state)
{
	(void)state;
	struct tagging_alloc allocs[TAGGING_MAX_REGIONS + 1];
	for (unsigned i = 0; i < TAGGING_MAX_REGIONS + 1; i++)
		allocs[i] = (struct tagging_alloc){ 0x1000000 + 0x2000ull * i, 0x1000,
		                                    TAGGING_ALLOC_HANDOFF_DATA };
	struct tagging_input in = { .allocs = allocs, .alloc_count = 3 };
	struct tb_mem_entry out[2];
	size_t n = 0;

	/* collect: the count says how many were needed */
	assert_int_equal(tagging_collect(&in, out, 2, &n), TB_ERR_NO_SPACE);
	assert_int_equal(n, 3);
	assert_int_equal(tagging_collect(&in, NULL, 0, &n), TB_ERR_NO_SPACE);
	assert_int_equal(n, 3);

	/* apply: more regions than TAGGING_MAX_REGIONS */
	const struct tb_mem_entry raw[] = { range(0x0, 0x10000000, TB_MEM_USABLE) };
	load_map(raw, 1);
	struct tagging_report rep;
	in.alloc_count = TAGGING_MAX_REGIONS + 1;
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_ERR_NO_SPACE);
	assert_non_null(strstr(rep.error, "collecting regions"));
	assert_int_equal(map_n, 1);

	/* apply: the map has no room for the split (1 entry becomes 3, capacity 2) */
	load_map(raw, 1);
	in.alloc_count = 1;
	assert_int_equal(tagging_apply(map, &map_n, 2, &in, &rep), TB_ERR_NO_SPACE);
	assert_non_null(strstr(rep.error, "0x1000000-0x1000fff (handoff data)"));
	assert_int_equal(rep.regions, 0);
}

static void test_bad_input(void **state)
{
	(void)state;
	const struct tagging_alloc bad = { 0x1000000, 0x1000, 0 /* BOOT_ALLOC_SCRATCH */ };
	struct tagging_input in = { .allocs = &bad, .alloc_count = 1 };
	struct tb_mem_entry out[4];
	size_t n = 0;
	assert_int_equal(tagging_collect(&in, out, 4, &n), TB_ERR_INVALID_ARG);

	const struct tb_mem_entry raw[] = { range(0x0, 0x10000000, TB_MEM_USABLE) };
	load_map(raw, 1);
	struct tagging_report rep;
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_ERR_INVALID_ARG);
	assert_non_null(strstr(rep.error, "unknown loader allocation kind"));
	assert_int_equal(map_n, 1);

	in.alloc_count = 0;
	in.reserve_count = 1; /* with reserves == NULL */
	assert_int_equal(tagging_collect(&in, out, 4, &n), TB_ERR_NULL);
	assert_int_equal(tagging_apply(NULL, &map_n, MAP_CAP, &in, &rep), TB_ERR_NULL);
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, NULL, NULL), TB_ERR_NULL);

	/* a reserve line covering all 2^64 bytes cannot be one entry */
	struct config_reserve all = { .base = 0, .size = UINT64_MAX, .reason = "all" };
	in = (struct tagging_input){ .reserves = &all, .reserve_count = 1 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_ERR_INVALID_ARG);
	assert_string_equal(rep.error, "tagging: region covers all of memory: invalid argument");

	/* zero-length regions carve nothing */
	const struct tagging_alloc empty = { 0x1000000, 0, TAGGING_ALLOC_KERNEL };
	in = (struct tagging_input){ .allocs = &empty, .alloc_count = 1 };
	assert_int_equal(tagging_collect(&in, out, 4, &n), TB_OK);
	assert_int_equal(n, 0);
}

/* ---- real OVMF maps (tests/fixtures, EDK2 shell `memmap` form) ---- */

static uint32_t shell_type(const char *name)
{
	static const char *const names[] = { "Reserved", "LoaderCode", "LoaderData", "BS_Code",
	                                      "BS_Data", "RT_Code", "RT_Data", "Available",
	                                      "Unusable", "ACPI_Recl", "ACPI_NVS", "MMIO",
	                                      "MMIO_Port", "PalCode", "Persistent", "Unaccepted" };
	for (uint32_t i = 0; i < 16; i++)
		if (strcmp(names[i], name) == 0)
			return efimap_type_to_tb(i);
	fail_msg("unknown shell type %s", name);
	return 0;
}

static size_t read_fixture(const char *path, struct tb_mem_entry *raw, size_t cap)
{
	FILE *f = fopen(path, "r");
	char line[256], name[32];
	unsigned long long start, end, pages, attr;
	size_t n = 0;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %llx-%llx %llx %llx", name, &start, &end, &pages, &attr) != 5)
			continue;
		assert_true(n < cap);
		assert_int_equal(end - start + 1, pages * 4096ull);
		raw[n] = range(start, end - start + 1, shell_type(name));
		n++;
	}
	fclose(f);
	return n;
}

static uint64_t total_length(void)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < map_n; i++)
		sum += map[i].length;
	return sum;
}

/* The real q35 map of Debian's OVMF, read as if it came from a TDVF: its RAM at 0x800000 is
 * "Available", exactly the trap of the TDX incident. */
static void test_fixture_q35_as_tdx(void **state)
{
	(void)state;
	static struct tb_mem_entry raw[256];
	size_t n = read_fixture("tests/fixtures/ovmf-2022.11-q35-2G.memmap.txt", raw, 256);
	assert_true(n > 100);
	load_map(raw, n);
	uint64_t before = total_length();
	size_t entries_before = map_n;

	/* the loader's own code lies at 0x7E178000 (LoaderCode row) */
	const struct tagging_alloc allocs[] = {
		{ 0x7E178000, 0xD7000, TAGGING_ALLOC_KERNEL },
	};
	struct tagging_report rep;
	struct tagging_input in = { .platform_kind = TB_PLATFORM_TDX, .allocs = allocs,
	                            .alloc_count = 1 };
	assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
	assert_int_equal(rep.regions, 5);
	/* Available 0x100000-0x805FFF, 0x808000-0x80FFFF: page tables, TD HOB, work area,
	 * initial mailbox are all reported usable. */
	assert_int_equal(rep.hazard_count, 4);
	assert_true(has_hazard(&rep, "0x800000-0x805fff is reported usable but parked APs use it "
	                             "(page tables)"));
	assert_true(has_hazard(&rep, "0x80c000-0x80cfff is reported usable but parked APs use it "
	                             "(initial mailbox)"));
	expect_tagged(0x800000, 0x6000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_NEVER, TB_SOURCE_QUIRK);
	/* 0x806000 is ACPI NVS in this map: untouched by the quirk table */
	expect_untagged(0x806000, 0x2000, TB_MEM_ACPI_NVS);
	expect_untagged(0x808000, 0x1000, TB_MEM_USABLE);
	expect_tagged(0x7E178000, 0xD7000, TB_MEM_KERNEL, TB_MEM_USABLE, TB_OWNER_LOADER,
	              TB_REASON_KERNEL_IMAGE, TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
	/* no memory appeared or vanished; quirk regions lay inside the map */
	assert_int_equal(total_length(), before);
	assert_true(map_n > entries_before);
	expect_valid_map();
}

/* Every fixture, plain KVM with the loader's usual allocations: the map stays valid and every
 * allocation becomes its type. */
static void test_fixtures_loader_allocs(void **state)
{
	(void)state;
	static const char *const files[] = {
		"tests/fixtures/ovmf-2022.11-q35-2G.memmap.txt",
		"tests/fixtures/ovmf-2022.11-pc-1G.memmap.txt",
		"tests/fixtures/ovmf-x64-pc-128M-uefi-lessons.memmap.txt",
	};
	for (size_t f = 0; f < 3; f++) {
		static struct tb_mem_entry raw[256];
		size_t n = read_fixture(files[f], raw, 256);
		load_map(raw, n);
		uint64_t before = total_length();
		/* place allocations at the start of the largest usable entry */
		const struct tb_mem_entry *big = NULL;
		for (size_t i = 0; i < map_n; i++)
			if (map[i].type == TB_MEM_USABLE && (!big || map[i].length > big->length))
				big = &map[i];
		assert_non_null(big);
		uint64_t b = big->base;
		const struct tagging_alloc allocs[] = {
			{ b, 0x200000, TAGGING_ALLOC_KERNEL },
			{ b + 0x200000, 0x1000, TAGGING_ALLOC_HANDOFF },
			{ b + 0x201000, 0x6000, TAGGING_ALLOC_PAGE_TABLES },
			{ b + 0x207000, 0x4000, TAGGING_ALLOC_STACK },
		};
		struct tagging_report rep;
		struct tagging_input in = { .platform_kind = TB_PLATFORM_KVM, .allocs = allocs,
		                            .alloc_count = 4 };
		assert_int_equal(tagging_apply(map, &map_n, MAP_CAP, &in, &rep), TB_OK);
		assert_int_equal(rep.hazard_count, 0);
		assert_int_equal(entry_at(b)->type, TB_MEM_KERNEL);
		assert_int_equal(entry_at(b + 0x200000)->reason, TB_REASON_HANDOFF);
		assert_int_equal(entry_at(b + 0x201000)->length, 0x6000);
		assert_int_equal(entry_at(b + 0x207000)->reason, TB_REASON_STACK);
		assert_int_equal(entry_at(b + 0x20b000)->type, TB_MEM_USABLE);
		assert_int_equal(total_length(), before);
		expect_valid_map();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tdx_quirk_layout),
		cmocka_unit_test(test_mailbox_version_reclaim),
		cmocka_unit_test(test_tdvf_metadata_regions),
		cmocka_unit_test(test_config_reserves),
		cmocka_unit_test(test_loader_allocations),
		cmocka_unit_test(test_framebuffer_in_usable),
		cmocka_unit_test(test_framebuffer_in_hole),
		cmocka_unit_test(test_alloc_over_ap_memory_hazard),
		cmocka_unit_test(test_hazard_array_overflow),
		cmocka_unit_test(test_top_of_address_space),
		cmocka_unit_test(test_no_space),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_fixture_q35_as_tdx),
		cmocka_unit_test(test_fixtures_loader_allocs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
