/* test_shield.c: the shield plan over the TDX-style and real OVMF fixtures (which hazard pieces are covered, which cannot be) and shield_apply against a fake firmware. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "efimap.h"
#include "fake_fw.h"
#include "memtext.h"
#include "shield.h"

#define DS 48u
#define MAX_ROWS 256u

static uint8_t efi_map[MAX_ROWS * DS];
static size_t efi_map_size;

/* A fixture in one of memtext's forms with EFI rows, as raw EFI descriptors. */
static void load_efi_fixture(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char text[65536];
	size_t len = fread(text, 1, sizeof text, f);
	fclose(f);
	static struct tb_mem_entry rows[MAX_ROWS];
	static uint32_t src[MAX_ROWS];
	size_t n = 0;
	assert_true(memtext_parse_ex(text, len, rows, src, MAX_ROWS, &n, NULL));
	memset(efi_map, 0, sizeof efi_map);
	for (size_t i = 0; i < n; i++) {
		assert_true(src[i] < 0x100u); /* EFI rows only */
		uint8_t *d = efi_map + i * DS;
		uint32_t type = src[i];
		uint64_t pages = rows[i].length / 4096;
		memcpy(d, &type, 4);
		memcpy(d + 8, &rows[i].base, 8);
		memcpy(d + 24, &pages, 8);
	}
	efi_map_size = n * DS;
}

static const struct shield_piece *piece_at(const struct shield_plan *plan, uint64_t base)
{
	for (size_t i = 0; i < plan->piece_count; i++)
		if (plan->pieces[i].base == base)
			return &plan->pieces[i];
	return NULL;
}

static struct shield_plan plan;
static struct acpi_info acpi;

/* An older TDVF (the incident): the page tables, TD HOB and work area are conventional memory
 * and get covered as ACPI NVS; the initial mailbox sits in boot-services data and cannot be;
 * the relocated mailbox (MADT) is ACPI NVS already. */
static void test_tdx_style_fixture(void **state)
{
	(void)state;
	load_efi_fixture("tests/fixtures/tdx-style-2G.efi-dmesg.txt");
	memset(&acpi, 0, sizeof acpi);
	acpi.madt_found = acpi.mp_wakeup_found = true;
	acpi.mailbox_address = 0x7e080000;
	struct tagging_input in = {.acpi = &acpi, .platform_kind = TB_PLATFORM_TDX};
	assert_int_equal(shield_hazards(&in, &plan), TB_OK);
	assert_int_equal(plan.hazard_count, 5); /* mailbox + 4 quirk regions */
	shield_plan_map(efi_map, efi_map_size, DS, &plan);
	assert_false(plan.truncated);
	const struct shield_piece *p = piece_at(&plan, 0x800000);
	assert_non_null(p);
	assert_int_equal(p->verdict, SHIELD_COVER);
	assert_int_equal(p->efi_type, EFIMAP_ACPI_MEMORY_NVS);
	assert_true(p->length == 0x6000);
	assert_int_equal(piece_at(&plan, 0x809000)->verdict, SHIELD_COVER);
	assert_int_equal(piece_at(&plan, 0x80b000)->verdict, SHIELD_COVER);
	p = piece_at(&plan, 0x80c000);
	assert_int_equal(p->verdict, SHIELD_CANNOT);
	assert_int_equal(p->firmware_type, EFIMAP_BOOT_SERVICES_DATA);
	p = piece_at(&plan, 0x7e080000);
	assert_int_equal(p->verdict, SHIELD_ALREADY);
	assert_int_equal(p->firmware_type, EFIMAP_ACPI_MEMORY_NVS);
	/* Not TDX: only the MADT mailbox is a hazard. */
	in.platform_kind = TB_PLATFORM_KVM;
	assert_int_equal(shield_hazards(&in, &plan), TB_OK);
	assert_int_equal(plan.hazard_count, 1);
}

/* Debian's OVMF, q35 2 GiB, real: reserve lines across descriptor boundaries and holes split
 * into pieces of one firmware type each; reserved lines are shielded as reserved. */
static void test_ovmf_fixture_reserves(void **state)
{
	(void)state;
	load_efi_fixture("tests/fixtures/ovmf-2022.11-q35-2G.memmap.txt");
	struct config_reserve res[2] = {
		{.base = 0x9f800, .size = 0x62000, .reason = "spans"}, /* conventional, hole, ... */
		{.base = 0x800000, .size = 0x6000, .reason = "page-tables"},
	};
	struct tagging_input in = {.platform_kind = TB_PLATFORM_KVM, .reserves = res,
	                           .reserve_count = 2};
	assert_int_equal(shield_hazards(&in, &plan), TB_OK);
	assert_int_equal(plan.hazard_count, 2);
	shield_plan_map(efi_map, efi_map_size, DS, &plan);
	/* Pieces tile each hazard exactly, in order. */
	uint64_t expect[2][2] = {{0x9f000, 0x102000}, {0x800000, 0x806000}};
	size_t k = 0;
	for (size_t h = 0; h < 2; h++) {
		uint64_t cursor = expect[h][0];
		for (; k < plan.piece_count && plan.pieces[k].hazard == h; k++) {
			assert_true(plan.pieces[k].base == cursor);
			cursor += plan.pieces[k].length;
			if (plan.pieces[k].verdict == SHIELD_COVER)
				assert_int_equal(plan.pieces[k].efi_type, EFIMAP_RESERVED_MEMORY);
		}
		assert_true(cursor == expect[h][1]);
	}
	/* 0xa0000-0xfffff is no RAM in OVMF's map: a gap, nothing to do. */
	const struct shield_piece *gap = piece_at(&plan, 0xa0000);
	assert_non_null(gap);
	assert_int_equal(gap->verdict, SHIELD_ALREADY);
	assert_int_equal(gap->firmware_type, UINT32_MAX);
}

static struct fake_fw fake;
/* AllocateAddress as the firmware does it, without memory behind it (the shield never
 * touches the pages): the type and range are recorded. */
static struct { uint64_t addr, pages; uint32_t type; unsigned live; } fixed;

static enum fw_status shield_test_allocate(struct fw *fw, enum fw_alloc_kind kind, uint32_t type,
                                           uint64_t pages, uint64_t *addr)
{
	if (kind != FW_ALLOC_ADDRESS)
		return fake_allocate_pages(fw, kind, type, pages, addr);
	fixed.addr = *addr;
	fixed.pages = pages;
	fixed.type = type;
	fixed.live++;
	return FW_OK;
}

static enum fw_status shield_test_free(struct fw *fw, uint64_t addr, uint64_t pages)
{
	if (addr < 0x100000) {
		fixed.live--;
		return FW_OK;
	}
	return fake_free_pages(fw, addr, pages);
}

/* Against the fake firmware (whose map is one conventional page per descriptor at i * 4096):
 * a conventional range is allocated at its address with the shield's type and logged; released
 * again afterwards. */
static void test_apply_and_release(void **state)
{
	(void)state;
	fake_fw_init(&fake, 64);
	fake.fw.allocate_pages = shield_test_allocate;
	fake.fw.free_pages = shield_test_free;
	memset(&fixed, 0, sizeof fixed);
	struct config_reserve res[1] = {{.base = 0x3000, .size = 0x2000, .reason = "hole"}};
	struct tagging_input in = {.platform_kind = TB_PLATFORM_KVM, .reserves = res,
	                           .reserve_count = 1};
	assert_true(shield_apply(&fake.fw, &in, &plan));
	assert_non_null(strstr(fake.out, "tagboot: shield: 0x3000-0x3fff hole (reserve line) -> reserved\n"));
	assert_non_null(strstr(fake.out, "tagboot: shield: 0x4000-0x4fff hole (reserve line) -> reserved\n"));
	assert_int_equal(fixed.live, 2);
	assert_true(fixed.addr == 0x4000 && fixed.pages == 1 && fixed.type == EFIMAP_RESERVED_MEMORY);
	assert_int_equal(fake.live_allocs, 0); /* the map buffer was freed again */
	shield_release(&fake.fw, &plan);
	assert_int_equal(fixed.live, 0);
	fake_fw_release(&fake);
	/* No hazards: nothing read, nothing allocated. */
	fake_fw_init(&fake, 64);
	in.reserve_count = 0;
	assert_true(shield_apply(&fake.fw, &in, &plan));
	assert_int_equal(fake.allocs_done, 0);
	assert_string_equal(fake.out, "");
	fake_fw_release(&fake);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tdx_style_fixture),
		cmocka_unit_test(test_ovmf_fixture_reserves),
		cmocka_unit_test(test_apply_and_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
