/* test_boot_handoff.c: cmocka tests for boot_handoff_build: a synthetic OVMF-style EFI map plus
 * tags and records in, a blob out that is validated and read back record by record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot_handoff.h"
#include "efimap.h"
#include "fake_fw.h"

#define RT_ATTR (EFIMAP_ATTR_RUNTIME | 0xFull)
#define MMIO_RT_ATTR (EFIMAP_ATTR_RUNTIME | 0x1ull)

struct desc_spec {
	uint32_t type;
	uint64_t phys;
	uint64_t pages;
	uint64_t attr;
};

/* A TDX guest's map as an older TDVF reports it (0x0-0x80ffff conventional memory around the
 * reset-vector page tables), in firmware order (not sorted), with the loader's LoaderData
 * allocations, three runtime descriptors and unaccepted memory above 4 GiB. */
static const struct desc_spec descs[] = {
	{ EFIMAP_BOOT_SERVICES_CODE, 0x0, 0x1, 0xF },
	{ EFIMAP_CONVENTIONAL_MEMORY, 0x1000, 0x9F, 0xF },
	{ EFIMAP_CONVENTIONAL_MEMORY, 0x100000, 0x710, 0xF },     /* to 0x80ffff */
	{ EFIMAP_BOOT_SERVICES_DATA, 0x810000, 0xF0, 0xF },
	{ EFIMAP_LOADER_DATA, 0x1000000, 0x200, 0xF },             /* kernel */
	{ EFIMAP_LOADER_DATA, 0x1200000, 0x10, 0xF },              /* handoff + data */
	{ EFIMAP_LOADER_DATA, 0x1210000, 0x1F0, 0xF },             /* page tables, stack, GDT */
	{ EFIMAP_LOADER_DATA, 0x1400000, 0x80, 0xF },              /* initrd */
	{ EFIMAP_LOADER_CODE, 0x1480000, 0x40, 0xF },              /* the loader: scratch */
	{ EFIMAP_CONVENTIONAL_MEMORY, 0x900000, 0x700, 0xF },      /* to 0xffffff */
	{ EFIMAP_CONVENTIONAL_MEMORY, 0x14C0000, 0x7DB40, 0xF },   /* to 0x7effffff */
	{ EFIMAP_ACPI_MEMORY_NVS, 0x7F000000, 0x2, 0xF },          /* mailbox + AP loop code */
	{ EFIMAP_ACPI_RECLAIM_MEMORY, 0x7F002000, 0xE, 0xF },
	{ EFIMAP_RUNTIME_SERVICES_CODE, 0x7F800000, 0x10, RT_ATTR },
	{ EFIMAP_RUNTIME_SERVICES_DATA, 0x7F810000, 0x20, RT_ATTR },
	{ EFIMAP_CONVENTIONAL_MEMORY, 0x7F830000, 0x7D0, 0xF },    /* to 0x7fffffff */
	{ EFIMAP_MEMORY_MAPPED_IO, 0xFFC00000, 0x400, MMIO_RT_ATTR },
	{ EFIMAP_UNACCEPTED_MEMORY, 0x100000000ull, 0x80000, 0xF },
};
#define DESC_COUNT (sizeof(descs) / sizeof(descs[0]))

static uint8_t efi_map[DESC_COUNT * FAKE_FW_DESC_SIZE];

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 48-byte descriptors as OVMF returns them; the 8 bytes after Attribute are filled with a
 * pattern so that the runtime copy can be checked byte for byte. */
static void build_efi_map(void)
{
	memset(efi_map, 0, sizeof(efi_map));
	for (size_t i = 0; i < DESC_COUNT; i++) {
		uint8_t *d = efi_map + i * FAKE_FW_DESC_SIZE;
		put_le(d, descs[i].type, 4);
		put_le(d + 8, descs[i].phys, 8);
		put_le(d + 16, (descs[i].attr & EFIMAP_ATTR_RUNTIME) ? descs[i].phys : 0, 8);
		put_le(d + 24, descs[i].pages, 8);
		put_le(d + 32, descs[i].attr, 8);
		put_le(d + 40, 0xA5A5000000000000ull | i, 8);
	}
}

static const struct tagging_alloc allocs[] = {
	{ 0x1000000, 0x200000, TAGGING_ALLOC_KERNEL },
	{ 0x1200000, 0x8000, TAGGING_ALLOC_HANDOFF },
	{ 0x1208000, 0x1000, TAGGING_ALLOC_HANDOFF_DATA },
	{ 0x1210000, 0x6000, TAGGING_ALLOC_PAGE_TABLES },
	{ 0x1216000, 0x4000, TAGGING_ALLOC_STACK },
	{ 0x121A000, 0x1000, TAGGING_ALLOC_GDT },
	{ 0x1400000, 0x7F123, TAGGING_ALLOC_MODULE },
};
#define ALLOC_COUNT (sizeof(allocs) / sizeof(allocs[0]))

static const struct boot_handoff_module modules[] = {
	{ 0x1400000, 0x7F123, "/initrd.img", "root=/dev/vda quiet" },
};

static const char cmdline[] = "console=ttyS0 tdx quiet";

struct fixture {
	struct acpi_info acpi;
	struct tb_rec_platform platform;
	struct tb_rec_framebuffer fb;
	struct tagging_input tagging;
	struct boot_handoff_in in;
	struct boot_handoff_out out;
	size_t blob_bound;
	size_t entries_cap;
	void *blob;
	struct tb_mem_entry *entries;
	void *scratch;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	build_efi_map();
	f->acpi.madt_found = true;
	f->acpi.rsdp_revision = 2;
	f->acpi.cpu_count = 4;
	for (uint32_t i = 0; i < 4; i++)
		f->acpi.cpus[i] = (struct acpi_cpu){ .apic_id = i * 2, .uid = i, .flags = 1 };
	f->acpi.mp_wakeup_found = true;
	f->acpi.mailbox_version = 1;
	f->acpi.mailbox_address = 0x7F000000;
	f->acpi.has_reset_vector = true;
	f->acpi.reset_vector = 0x7F001000;

	f->platform.kind = TB_PLATFORM_TDX;
	f->platform.flags = TB_PLATFORM_F_HYPERVISOR;
	f->platform.firmware_revision = 0x10000;
	strcpy(f->platform.firmware_vendor, "EDK II");
	strcpy(f->platform.hypervisor_signature, "IntelTDX    ");

	f->fb.address = 0x80000000;
	f->fb.size = 0x300000;
	f->fb.width = 1280;
	f->fb.height = 800;
	f->fb.pitch = 5120;
	f->fb.bpp = 32;
	f->fb.format = TB_PIXEL_BGRX8;

	f->tagging = (struct tagging_input){ .acpi = &f->acpi, .platform_kind = TB_PLATFORM_TDX,
	                                     .allocs = allocs, .alloc_count = ALLOC_COUNT };

	f->blob_bound = boot_handoff_blob_size(DESC_COUNT, FAKE_FW_DESC_SIZE, f->acpi.cpu_count,
	                                       strlen(cmdline), modules, 1);
	f->entries_cap = boot_handoff_entries_cap(DESC_COUNT);
	f->blob = aligned_alloc(8, (f->blob_bound + 7) & ~(size_t)7);
	f->entries = calloc(f->entries_cap, sizeof(struct tb_mem_entry));
	size_t scratch_size = efimap_build_scratch_size(sizeof(efi_map), FAKE_FW_DESC_SIZE);
	f->scratch = malloc(scratch_size);
	if (!f->blob || !f->entries || !f->scratch)
		return -1;
	memset(f->blob, 0xCC, f->blob_bound);

	f->in = (struct boot_handoff_in){
		.efi_map = efi_map, .map_size = sizeof(efi_map), .desc_size = FAKE_FW_DESC_SIZE,
		.desc_version = 1, .entries = f->entries, .entries_cap = f->entries_cap,
		.scratch = f->scratch, .scratch_size = scratch_size, .blob = f->blob,
		.blob_cap = f->blob_bound,
		.flags = TB_FLAG_BOOT_SERVICES_EXITED | TB_FLAG_SECURE_BOOT,
		.tagging = &f->tagging, .platform = &f->platform, .rsdp_address = 0x7F00E014,
		.acpi = &f->acpi, .bsp_apic_id = 2, .framebuffer = &f->fb, .cmdline = cmdline,
		.modules = modules, .module_count = 1, .system_table = 0x7F9EE018,
		.tsc_loader_entry = 1000, .tsc_before_exit = 5000,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->blob);
	free(f->entries);
	free(f->scratch);
	free(f);
	return 0;
}

static const struct tb_mem_entry *blob_entry_at(const void *blob, uint64_t addr)
{
	const struct tb_rec_memmap *m = tb_memmap(blob);
	for (uint32_t i = 0; i < m->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(m, i);
		if (addr >= e->base && addr - e->base < e->length)
			return e;
	}
	return NULL;
}

/* Every page of [base, base+length) is in the map and none of it is usable now. */
static void expect_not_usable(const void *blob, uint64_t base, uint64_t length)
{
	for (uint64_t a = base & ~0xFFFull; a < base + length; a += 0x1000) {
		const struct tb_mem_entry *e = blob_entry_at(blob, a);
		assert_non_null(e);
		assert_int_not_equal(e->type, TB_MEM_USABLE);
		assert_false(tb_frame_usable_now(blob, a));
	}
}

static void expect_region(const void *blob, uint64_t base, uint64_t length, uint32_t type,
                          uint32_t after_type, uint8_t reason, uint8_t reclaim, uint8_t source)
{
	const struct tb_mem_entry *e = blob_entry_at(blob, base);
	assert_non_null(e);
	assert_int_equal(e->base, base);
	assert_int_equal(e->length, length);
	assert_int_equal(e->type, type);
	assert_int_equal(e->after_type, after_type);
	assert_int_equal(e->reason, reason);
	assert_int_equal(e->reclaim, reclaim);
	assert_int_equal(e->source, source);
}

/* CRC-32/ISO-HDLC computed bit by bit here, independent of tb_crc32. */
static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xFFFFFFFFu;
}

static void expect_crc(const void *blob)
{
	const struct tb_header *h = blob;
	uint8_t *copy = malloc(h->total_size);
	assert_non_null(copy);
	memcpy(copy, blob, h->total_size);
	memset(copy + offsetof(struct tb_header, crc32), 0, 4);
	assert_int_equal(crc_bitwise(copy, h->total_size), h->crc32);
	free(copy);
}

static void test_full_blob(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(boot_handoff_build(&f->in, &f->out), TB_OK);
	assert_null(f->out.failed_step);
	const void *blob = f->blob;
	size_t where = 0;
	assert_true(f->out.blob_size <= f->blob_bound);
	assert_int_equal(tb_validate(blob, f->out.blob_size, &where), TB_OK);
	expect_crc(blob);

	const struct tb_header *h = blob;
	assert_int_equal(h->magic, TB_MAGIC);
	assert_int_equal(h->total_size, f->out.blob_size);
	assert_int_equal(h->flags, TB_FLAG_BOOT_SERVICES_EXITED | TB_FLAG_SECURE_BOOT);
	/* loader, platform, acpi, mp, framebuffer, cmdline, module, efi, timestamps, memmap */
	assert_int_equal(h->record_count, 10);

	const struct tb_rec_loader *ld = (const void *)tb_find_record(blob, TB_REC_LOADER,
	                                                               sizeof(*ld));
	assert_non_null(ld);
	assert_string_equal(ld->name, "tagboot");
	assert_string_equal(ld->version, TAGBOOT_VERSION_STRING);
	assert_int_equal(ld->version_minor, TAGBOOT_VERSION_MINOR);

	const struct tb_rec_platform *pf = (const void *)tb_find_record(blob, TB_REC_PLATFORM,
	                                                                 sizeof(*pf));
	assert_non_null(pf);
	assert_int_equal(pf->hdr.type, TB_REC_PLATFORM);
	assert_int_equal(pf->hdr.size, sizeof(*pf));
	assert_int_equal(pf->kind, TB_PLATFORM_TDX);
	assert_int_equal(pf->firmware_revision, 0x10000);
	assert_string_equal(pf->firmware_vendor, "EDK II");
	assert_string_equal(pf->hypervisor_signature, "IntelTDX    ");

	const struct tb_rec_acpi *ac = (const void *)tb_find_record(blob, TB_REC_ACPI, sizeof(*ac));
	assert_non_null(ac);
	assert_int_equal(ac->rsdp_address, 0x7F00E014);
	assert_int_equal(ac->rsdp_revision, 2);

	const struct tb_rec_mp *mp = (const void *)tb_find_record(blob, TB_REC_MP, sizeof(*mp));
	assert_non_null(mp);
	assert_int_equal(mp->mailbox_address, 0x7F000000);
	assert_int_equal(mp->mailbox_version, 1);
	assert_int_equal(mp->reset_vector, 0x7F001000);
	assert_int_equal(mp->flags, TB_MP_F_MAILBOX | TB_MP_F_RESET_VECTOR);
	assert_int_equal(mp->bsp_apic_id, 2);
	assert_int_equal(mp->ap_count, 3);
	assert_true(mp->ap_ids_offset + 12 <= mp->hdr.size);
	uint32_t ids[3];
	memcpy(ids, (const uint8_t *)mp + mp->ap_ids_offset, sizeof(ids));
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 4);
	assert_int_equal(ids[2], 6);

	const struct tb_rec_framebuffer *fb = (const void *)tb_find_record(
		blob, TB_REC_FRAMEBUFFER, sizeof(*fb));
	assert_non_null(fb);
	assert_int_equal(fb->hdr.type, TB_REC_FRAMEBUFFER);
	assert_int_equal(fb->address, 0x80000000);
	assert_int_equal(fb->pitch, 5120);
	assert_int_equal(fb->format, TB_PIXEL_BGRX8);

	const struct tb_rec_cmdline *cl = (const void *)tb_find_record(blob, TB_REC_CMDLINE,
	                                                                sizeof(*cl));
	assert_non_null(cl);
	assert_int_equal(cl->length, strlen(cmdline));
	assert_true(cl->offset + cl->length + 1 <= cl->hdr.size);
	assert_string_equal((const char *)cl + cl->offset, cmdline);

	const struct tb_rec_module *mod = (const void *)tb_find_record(blob, TB_REC_MODULE,
	                                                                sizeof(*mod));
	assert_non_null(mod);
	assert_int_equal(mod->base, 0x1400000);
	assert_int_equal(mod->size, 0x7F123);
	assert_int_equal(mod->name_length, strlen("/initrd.img"));
	assert_string_equal((const char *)mod + mod->name_offset, "/initrd.img");
	/* 1.1: version 2, the entry's string after the name */
	assert_int_equal(mod->hdr.version, 2);
	assert_string_equal(tb_module_string(mod), "root=/dev/vda quiet");
	assert_int_equal(mod->string_length, strlen("root=/dev/vda quiet"));

	/* the three runtime descriptors, byte for byte, in firmware order */
	const struct tb_rec_efi *efi = (const void *)tb_find_record(blob, TB_REC_EFI, sizeof(*efi));
	assert_non_null(efi);
	assert_int_equal(efi->system_table, 0x7F9EE018);
	assert_int_equal(efi->desc_size, FAKE_FW_DESC_SIZE);
	assert_int_equal(efi->desc_version, 1);
	assert_int_equal(efi->desc_count, 3);
	assert_true(efi->map_offset + 3 * FAKE_FW_DESC_SIZE <= efi->hdr.size);
	const uint8_t *rt = (const uint8_t *)efi + efi->map_offset;
	assert_memory_equal(rt, efi_map + 13 * FAKE_FW_DESC_SIZE, FAKE_FW_DESC_SIZE);
	assert_memory_equal(rt + FAKE_FW_DESC_SIZE, efi_map + 14 * FAKE_FW_DESC_SIZE,
	                    FAKE_FW_DESC_SIZE);
	assert_memory_equal(rt + 2 * FAKE_FW_DESC_SIZE, efi_map + 16 * FAKE_FW_DESC_SIZE,
	                    FAKE_FW_DESC_SIZE);

	const struct tb_rec_timestamps *ts = (const void *)tb_find_record(
		blob, TB_REC_TIMESTAMPS, sizeof(*ts));
	assert_non_null(ts);
	assert_ptr_equal(ts, f->out.timestamps);
	assert_int_equal(ts->tsc_loader_entry, 1000);
	assert_int_equal(ts->tsc_before_exit, 5000);
	assert_int_equal(ts->tsc_jump, 0);
	boot_handoff_stamp_jump(f->blob, f->out.timestamps, 9000);
	assert_int_equal(ts->tsc_jump, 9000);
	assert_int_equal(tb_validate(blob, f->out.blob_size, &where), TB_OK);
	expect_crc(blob);
}

static void test_map_contents(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(boot_handoff_build(&f->in, &f->out), TB_OK);
	const void *blob = f->blob;
	const struct tb_rec_memmap *m = tb_memmap(blob);
	assert_non_null(m);
	assert_int_equal(m->entry_count, f->out.map_entries);
	assert_int_equal(m->entry_size, sizeof(struct tb_mem_entry));

	/* No memory appears or vanishes: the map covers exactly the descriptors' pages. */
	uint64_t desc_bytes = 0, map_bytes = 0;
	for (size_t i = 0; i < DESC_COUNT; i++)
		desc_bytes += descs[i].pages * 4096;
	for (uint32_t i = 0; i < m->entry_count; i++)
		map_bytes += tb_memmap_entry(m, i)->length;
	assert_int_equal(map_bytes, desc_bytes);

	/* TDX firmware AP memory (quirk table; mailbox version 1 -> no-reset rule) */
	expect_region(blob, 0x800000, 0x6000, TB_MEM_AP_HELD, TB_MEM_USABLE,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_QUIRK);
	expect_region(blob, 0x809000, 0x2000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_REASON_TD_HOB,
	              TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_QUIRK);
	expect_region(blob, 0x80B000, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_REASON_WORK_AREA,
	              TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_QUIRK);
	expect_region(blob, 0x80C000, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE,
	              TB_REASON_INITIAL_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET,
	              TB_SOURCE_QUIRK);
	expect_region(blob, 0x7F000000, 0x1000, TB_MEM_AP_HELD, TB_MEM_ACPI_NVS,
	              TB_REASON_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_ACPI);
	expect_region(blob, 0x7F001000, 0x1000, TB_MEM_AP_HELD, TB_MEM_ACPI_NVS,
	              TB_REASON_AP_LOOP_CODE, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET,
	              TB_SOURCE_EFI_MAP);
	/* loader allocations */
	expect_region(blob, 0x1000000, 0x200000, TB_MEM_KERNEL, TB_MEM_USABLE,
	              TB_REASON_KERNEL_IMAGE, TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
	expect_region(blob, 0x1200000, 0x8000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_REASON_HANDOFF, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER);
	expect_region(blob, 0x1210000, 0x6000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	              TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER);
	expect_region(blob, 0x1400000, 0x80000, TB_MEM_MODULE, TB_MEM_USABLE, TB_REASON_MODULE,
	              TB_RECLAIM_NEVER, TB_SOURCE_LOADER);
	/* nothing live is usable */
	for (size_t i = 0; i < ALLOC_COUNT; i++)
		expect_not_usable(blob, allocs[i].base, allocs[i].length);
	expect_not_usable(blob, 0x800000, 0x6000);
	expect_not_usable(blob, 0x809000, 0x4000);
	/* the pages between the page tables and the TD HOB are not in the TDVF layout */
	assert_true(tb_frame_usable_now(blob, 0x806000));
	expect_not_usable(blob, 0x7F000000, 0x2000);
	/* unused LoaderData of the handoff allocation and the loader's own code are free */
	assert_true(tb_frame_usable_now(blob, 0x1209000));
	assert_true(tb_frame_usable_now(blob, 0x1480000));
	assert_true(tb_frame_usable_now(blob, 0x7FF000));
	/* unaccepted and runtime memory pass through as their own types */
	expect_region(blob, 0x100000000ull, 0x80000000ull, TB_MEM_UNACCEPTED, TB_MEM_UNACCEPTED,
	              TB_REASON_NONE, TB_RECLAIM_NEVER, TB_SOURCE_EFI_MAP);
	expect_region(blob, 0x7F800000, 0x30000, TB_MEM_FIRMWARE_RUNTIME, TB_MEM_FIRMWARE_RUNTIME,
	              TB_REASON_NONE, TB_RECLAIM_NEVER, TB_SOURCE_EFI_MAP);
	assert_false(tb_frame_usable_now(blob, 0x100000000ull));
	/* After every AP is woken, with the reset vector given up, the page tables are free. */
	assert_false(tb_frame_usable_after_wakeup(blob, 0x800000, false));
	assert_true(tb_frame_usable_after_wakeup(blob, 0x800000, true));
	assert_false(tb_frame_usable_after_wakeup(blob, 0x7F000000, true));

	/* The report: page tables, TD HOB, work area, initial mailbox all reported usable. */
	assert_int_equal(f->out.report.hazard_count, 4);
	assert_string_equal(f->out.report.hazards[0], "0x800000-0x805fff is reported usable but "
	                                              "parked APs use it (page tables)");
	assert_int_equal(f->out.report.regions, 2 + 4 + ALLOC_COUNT);
}

static void test_release_after_handoff(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(boot_handoff_build(&f->in, &f->out), TB_OK);
	uint64_t pages = 0;
	assert_int_equal(tb_release(f->blob, TB_EVENT_LEFT_HANDOFF, &pages), TB_OK);
	/* handoff 8 + data 1 + page tables 6 + stack 4 + GDT 1 */
	assert_int_equal(pages, 20);
	assert_int_equal(tb_validate(f->blob, f->out.blob_size, NULL), TB_OK);
	expect_crc(f->blob);
}

/* An online-capable CPU that is not enabled is a hot-plug slot: not an AP of the MP record
 * (nobody parks or wakes it), so a kernel waiting for ap_count APs does not wait for it. */
static void test_mp_lists_enabled_cpus_only(void **state)
{
	struct fixture *f = *state;
	f->acpi.cpus[3].flags = ACPI_CPU_ONLINE_CAPABLE;
	assert_int_equal(boot_handoff_build(&f->in, &f->out), TB_OK);
	const struct tb_rec_mp *mp = (const void *)tb_find_record(f->blob, TB_REC_MP, sizeof(*mp));
	assert_non_null(mp);
	assert_int_equal(mp->bsp_apic_id, 2);
	assert_int_equal(mp->ap_count, 2);
	uint32_t ids[2];
	memcpy(ids, (const uint8_t *)mp + mp->ap_ids_offset, sizeof(ids));
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 4);
}

/* Every 1.1 record from its input, and the MP record's CPU list from the MADT. */
static void test_records_1_1(void **state)
{
	struct fixture *f = *state;
	static const struct tb_rec_kernel kernel = { .phys_base = 0x200000,
		.virt_base = 0xffffffff80200000ull, .size = 0x40000, .entry = 0xffffffff80200010ull,
		.stack_base = 0x1216000, .stack_size = 0x4000 };
	struct tb_rec_boot_device bd = { .partition_number = 1,
		.flags = TB_BOOT_DEVICE_F_GPT | TB_BOOT_DEVICE_F_DISK_GUID };
	memset(bd.disk_guid, 0xd1, 16);
	memset(bd.partition_guid, 0x9a, 16);
	static const struct tb_rec_tsc tsc = { .frequency_hz = 2100000000ull,
		.source = TB_TSC_SOURCE_FIRMWARE_STALL, .flags = TB_TSC_F_INVARIANT };
	static const struct tb_rec_time when = { .unix_seconds = 1796171415, .year = 2026,
		.month = 12, .day = 2, .flags = TB_TIME_F_VALID };
	struct tb_rec_request req = { .flags = TB_REQUEST_F_NOTE_FOUND, .granted_minor = 1,
		.granted_stack_size = 0x4000 };
	req.asked.size = sizeof(req.asked);
	req.asked.min_minor = 1;
	f->acpi.cpus[3].flags = 2; /* a hot-plug slot: in the CPU list, not among the APs */
	f->acpi.cpus[3].x2apic = 1;
	f->in.kernel = &kernel;
	f->in.direct_map_offset = TB_DIRECT_MAP_DEFAULT_OFFSET;
	f->in.direct_map_size = 4ull << 30;
	f->in.full_efi_map = true;
	f->in.smbios_entry64 = 0x7f8a0000;
	f->in.boot_device = &bd;
	f->in.boot_path = "/tagboot/kernel.elf";
	f->in.tsc = &tsc;
	f->in.time = &when;
	f->in.request = &req;
	f->in.x2apic_mode = true;
	assert_int_equal(boot_handoff_build(&f->in, &f->out), TB_OK);
	assert_true(f->out.blob_size <= f->blob_bound);
	const void *blob = f->blob;
	assert_int_equal(tb_validate(blob, f->out.blob_size, NULL), TB_OK);
	/* the ten of 1.0 and eight new ones */
	assert_int_equal(((const struct tb_header *)blob)->record_count, 18);
	assert_int_equal(((const struct tb_header *)blob)->minor, 1);

	const struct tb_rec_kernel *k = (const void *)tb_find_record(blob, TB_REC_KERNEL, sizeof(*k));
	assert_non_null(k);
	assert_int_equal(k->virt_base, 0xffffffff80200000ull);
	assert_int_equal(k->stack_size, 0x4000);
	const struct tb_rec_direct_map *dm =
		(const void *)tb_find_record(blob, TB_REC_DIRECT_MAP, sizeof(*dm));
	assert_non_null(dm);
	assert_int_equal(dm->offset, TB_DIRECT_MAP_DEFAULT_OFFSET);
	assert_int_equal(dm->size, 4ull << 30);
	assert_int_equal(dm->page_size, 2u << 20);
	/* the full map, every descriptor byte for byte */
	const struct tb_rec_efi_map *em =
		(const void *)tb_find_record(blob, TB_REC_EFI_MAP, sizeof(*em));
	assert_non_null(em);
	assert_int_equal(em->desc_count, DESC_COUNT);
	assert_int_equal(em->desc_size, FAKE_FW_DESC_SIZE);
	assert_memory_equal((const uint8_t *)em + em->map_offset, efi_map, sizeof(efi_map));
	const struct tb_rec_smbios *sm = (const void *)tb_find_record(blob, TB_REC_SMBIOS, sizeof(*sm));
	assert_non_null(sm);
	assert_int_equal(sm->entry32, 0);
	assert_int_equal(sm->entry64, 0x7f8a0000);
	const struct tb_rec_boot_device *b =
		(const void *)tb_find_record(blob, TB_REC_BOOT_DEVICE, sizeof(*b));
	assert_non_null(b);
	assert_int_equal(b->disk_guid[15], 0xd1);
	assert_int_equal(b->partition_guid[0], 0x9a);
	assert_string_equal((const char *)b + b->path_offset, "/tagboot/kernel.elf");
	assert_int_equal(b->path_length, strlen("/tagboot/kernel.elf"));
	const struct tb_rec_tsc *t = (const void *)tb_find_record(blob, TB_REC_TSC, sizeof(*t));
	assert_non_null(t);
	assert_int_equal(t->frequency_hz, 2100000000ull);
	const struct tb_rec_time *tm = (const void *)tb_find_record(blob, TB_REC_TIME, sizeof(*tm));
	assert_non_null(tm);
	assert_int_equal(tm->unix_seconds, 1796171415);
	const struct tb_rec_request *r =
		(const void *)tb_find_record(blob, TB_REC_REQUEST, sizeof(*r));
	assert_non_null(r);
	assert_int_equal(r->asked.min_minor, 1);
	assert_int_equal(r->granted_stack_size, 0x4000);

	const struct tb_rec_mp *mp = (const void *)tb_find_record(blob, TB_REC_MP, sizeof(*mp));
	assert_non_null(mp);
	assert_int_equal(mp->hdr.version, 2);
	assert_true(mp->flags & TB_MP_F_X2APIC_MODE);
	assert_int_equal(mp->cpu_count, 4);
	assert_int_equal(mp->ap_count, 2);
	const struct tb_mp_cpu *bsp = tb_mp_cpu_entry(mp, 1);
	assert_non_null(bsp);
	assert_int_equal(bsp->apic_id, 2);
	assert_int_equal(bsp->acpi_uid, 1);
	assert_int_equal(bsp->flags, TB_CPU_F_BSP | TB_CPU_F_ENABLED);
	const struct tb_mp_cpu *slot = tb_mp_cpu_entry(mp, 3);
	assert_int_equal(slot->flags, TB_CPU_F_ONLINE_CAPABLE | TB_CPU_F_X2APIC);
	assert_null(tb_mp_cpu_entry(mp, 4));
	/* the 1.0 view: ap_ids_offset still leads to the AP IDs */
	uint32_t ids[2];
	memcpy(ids, (const uint8_t *)mp + mp->ap_ids_offset, sizeof(ids));
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 4);
}

static void test_minimal_inputs(void **state)
{
	struct fixture *f = *state;
	/* no tagging input at all, a module without a name */
	static const struct boot_handoff_module nameless = { 0x1400000, 0x1000, NULL, NULL };
	f->in.tagging = NULL;
	f->in.acpi = NULL;
	f->in.rsdp_address = 0;
	f->in.platform = NULL;
	f->in.framebuffer = NULL;
	f->in.cmdline = NULL;
	f->in.modules = &nameless;
	f->in.module_count = 1;
	assert_int_equal(boot_handoff_build(&f->in, &f->out), TB_OK);
	assert_int_equal(tb_validate(f->blob, f->out.blob_size, NULL), TB_OK);
	const struct tb_header *h = f->blob;
	/* loader, cmdline, module, efi, timestamps, memmap */
	assert_int_equal(h->record_count, 6);
	assert_null(tb_find_record(f->blob, TB_REC_MP, 8));
	assert_null(tb_find_record(f->blob, TB_REC_FRAMEBUFFER, 8));
	assert_null(tb_find_record(f->blob, TB_REC_ACPI, 8));
	assert_null(tb_find_record(f->blob, TB_REC_PLATFORM, 8));
	const struct tb_rec_cmdline *cl = (const void *)tb_find_record(f->blob, TB_REC_CMDLINE,
	                                                                sizeof(*cl));
	assert_non_null(cl);
	assert_int_equal(cl->length, 0);
	assert_string_equal((const char *)cl + cl->offset, "");
	const struct tb_rec_module *mod = (const void *)tb_find_record(f->blob, TB_REC_MODULE,
	                                                                sizeof(*mod));
	assert_non_null(mod);
	assert_int_equal(mod->name_length, 0);
	assert_string_equal((const char *)mod + mod->name_offset, "");
	/* untagged: the page tables at 0x800000 are plain usable memory, LoaderData too */
	assert_true(tb_frame_usable_now(f->blob, 0x800000));
	assert_true(tb_frame_usable_now(f->blob, 0x1000000));
	assert_int_equal(f->out.report.regions, 0);
	/* and it fits inside the worst-case bound for these inputs */
	size_t bound = boot_handoff_blob_size(DESC_COUNT, FAKE_FW_DESC_SIZE, 0, 0, &nameless, 1);
	assert_true(f->out.blob_size <= bound);
	assert_int_equal(boot_handoff_build(NULL, &f->out), TB_ERR_NULL);
	assert_int_equal(boot_handoff_build(&f->in, NULL), TB_ERR_NULL);
}

static void test_failures_name_the_step(void **state)
{
	struct fixture *f = *state;
	struct boot_handoff_in in = f->in;

	in.blob_cap = 256;
	assert_int_equal(boot_handoff_build(&in, &f->out), TB_ERR_NO_SPACE);
	assert_string_equal(f->out.failed_step, "tb_builder");
	assert_null(f->out.timestamps);

	in = f->in;
	in.entries_cap = 4;
	assert_int_equal(boot_handoff_build(&in, &f->out), TB_ERR_NO_SPACE);
	assert_string_equal(f->out.failed_step, "efimap_build");

	/* room for the firmware's map, not for the split entries */
	in = f->in;
	in.entries_cap = 14;
	assert_int_equal(boot_handoff_build(&in, &f->out), TB_ERR_NO_SPACE);
	assert_string_equal(f->out.failed_step, "tagging_apply");
	assert_non_null(strstr(f->out.report.error, "tagging: carving"));

	in = f->in;
	in.desc_size = 32;
	assert_int_equal(boot_handoff_build(&in, &f->out), TB_ERR_INVALID_ARG);
	assert_string_equal(f->out.failed_step, "efimap_build");
}

/* The bound from boot_handoff_blob_size holds for the largest map it was asked for. */
static void test_size_bound_many_descriptors(void **state)
{
	(void)state;
	enum { N = 300 };
	static uint8_t big[N * FAKE_FW_DESC_SIZE];
	/* alternating conventional and boot-services data pages, every one runtime-free */
	for (size_t i = 0; i < N; i++) {
		uint8_t *d = big + i * FAKE_FW_DESC_SIZE;
		memset(d, 0, FAKE_FW_DESC_SIZE);
		put_le(d, (i % 2) ? EFIMAP_BOOT_SERVICES_DATA : EFIMAP_ACPI_RECLAIM_MEMORY, 4);
		put_le(d + 8, 0x100000 + 0x2000 * i, 8);
		put_le(d + 24, 1, 8);
		put_le(d + 32, (i % 3 == 0) ? RT_ATTR : 0xF, 8);
	}
	/* a tag on every ACPI-reclaimable page would not be legal; tag 60 loader pages */
	struct tagging_alloc many[60];
	for (size_t i = 0; i < 60; i++)
		many[i] = (struct tagging_alloc){ 0x100000 + 0x2000 * (2 * i + 1), 0x1000,
		                                  TAGGING_ALLOC_HANDOFF_DATA };
	struct tagging_input tin = { .allocs = many, .alloc_count = 60 };
	size_t bound = boot_handoff_blob_size(N, FAKE_FW_DESC_SIZE, 0, 0, NULL, 0);
	size_t ecap = boot_handoff_entries_cap(N);
	size_t ssize = efimap_build_scratch_size(sizeof(big), FAKE_FW_DESC_SIZE);
	void *blob = aligned_alloc(8, (bound + 7) & ~(size_t)7);
	struct tb_mem_entry *entries = calloc(ecap, sizeof(*entries));
	void *scratch = malloc(ssize);
	assert_true(blob && entries && scratch);
	struct boot_handoff_in in = { .efi_map = big, .map_size = sizeof(big),
	                              .desc_size = FAKE_FW_DESC_SIZE, .desc_version = 1,
	                              .entries = entries, .entries_cap = ecap, .scratch = scratch,
	                              .scratch_size = ssize, .blob = blob, .blob_cap = bound,
	                              .tagging = &tin };
	struct boot_handoff_out out;
	assert_int_equal(boot_handoff_build(&in, &out), TB_OK);
	assert_true(out.blob_size <= bound);
	assert_int_equal(tb_validate(blob, out.blob_size, NULL), TB_OK);
	const struct tb_rec_efi *efi = (const void *)tb_find_record(blob, TB_REC_EFI, sizeof(*efi));
	assert_non_null(efi);
	assert_int_equal(efi->desc_count, 100);
	assert_int_equal(out.report.regions, 60);
	free(blob);
	free(entries);
	free(scratch);
}

/* ---- real OVMF maps (tests/fixtures, EDK2 shell `memmap` form) as 48-byte descriptors ---- */

static uint32_t shell_efi_type(const char *name)
{
	static const char *const names[] = { "Reserved", "LoaderCode", "LoaderData", "BS_Code",
	                                      "BS_Data", "RT_Code", "RT_Data", "Available",
	                                      "Unusable", "ACPI_Recl", "ACPI_NVS", "MMIO",
	                                      "MMIO_Port", "PalCode", "Persistent", "Unaccepted" };
	for (uint32_t i = 0; i < 16; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	fail_msg("unknown shell type %s", name);
	return 0;
}

/* Returns the descriptor count; *runtime counts rows with EFI_MEMORY_RUNTIME, *bytes their
 * total size, *nvs the first ACPI NVS row above 1 MiB. */
static size_t fixture_to_descs(const char *path, uint8_t *out, size_t cap, size_t *runtime,
                               uint64_t *bytes, uint64_t *nvs)
{
	FILE *fp = fopen(path, "r");
	char line[256], name[32];
	unsigned long long start, end, pages, attr;
	size_t n = 0;
	assert_non_null(fp);
	*runtime = 0;
	*bytes = 0;
	*nvs = 0;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%31s %llx-%llx %llx %llx", name, &start, &end, &pages, &attr) != 5)
			continue;
		assert_true(n < cap);
		uint8_t *d = out + n * FAKE_FW_DESC_SIZE;
		memset(d, 0, FAKE_FW_DESC_SIZE);
		uint32_t type = shell_efi_type(name);
		put_le(d, type, 4);
		put_le(d + 8, start, 8);
		put_le(d + 24, pages, 8);
		put_le(d + 32, attr, 8);
		if (attr & EFIMAP_ATTR_RUNTIME)
			(*runtime)++;
		if (type == EFIMAP_ACPI_MEMORY_NVS && start >= 0x100000 && *nvs == 0)
			*nvs = start;
		*bytes += pages * 4096;
		n++;
	}
	fclose(fp);
	return n;
}

static void test_real_ovmf_maps(void **state)
{
	(void)state;
	static const char *const files[] = {
		"tests/fixtures/ovmf-2022.11-q35-2G.memmap.txt",
		"tests/fixtures/ovmf-2022.11-pc-1G.memmap.txt",
		"tests/fixtures/ovmf-x64-pc-128M-uefi-lessons.memmap.txt",
	};
	for (size_t fi = 0; fi < 3; fi++) {
		static uint8_t raw[256 * FAKE_FW_DESC_SIZE];
		size_t runtime = 0;
		uint64_t bytes = 0, nvs = 0;
		size_t n = fixture_to_descs(files[fi], raw, 256, &runtime, &bytes, &nvs);
		assert_true(n > 50);
		assert_true(nvs != 0);

		/* a mailbox in the firmware's ACPI NVS, the loader's allocations at 16 MiB (inside
		 * an Available or BS_Data row in all three maps) */
		struct acpi_info *acpi = calloc(1, sizeof(*acpi));
		assert_non_null(acpi);
		acpi->cpu_count = 2;
		acpi->cpus[1].apic_id = 1;
		acpi->mp_wakeup_found = true;
		acpi->mailbox_address = nvs;
		const struct tagging_alloc la[] = {
			{ 0x1000000, 0x100000, TAGGING_ALLOC_KERNEL },
			{ 0x1100000, 0x4000, TAGGING_ALLOC_HANDOFF },
			{ 0x1104000, 0x6000, TAGGING_ALLOC_PAGE_TABLES },
		};
		struct tagging_input tin = { .acpi = acpi, .platform_kind = TB_PLATFORM_KVM,
		                             .allocs = la, .alloc_count = 3 };
		size_t bound = boot_handoff_blob_size(n, FAKE_FW_DESC_SIZE, 2, 0, NULL, 0);
		size_t ecap = boot_handoff_entries_cap(n);
		size_t ssize = efimap_build_scratch_size(n * FAKE_FW_DESC_SIZE, FAKE_FW_DESC_SIZE);
		void *blob = aligned_alloc(8, (bound + 7) & ~(size_t)7);
		struct tb_mem_entry *entries = calloc(ecap, sizeof(*entries));
		void *scratch = malloc(ssize);
		assert_true(blob && entries && scratch);
		struct boot_handoff_in in = {
			.efi_map = raw, .map_size = n * FAKE_FW_DESC_SIZE,
			.desc_size = FAKE_FW_DESC_SIZE, .desc_version = 1, .entries = entries,
			.entries_cap = ecap, .scratch = scratch, .scratch_size = ssize, .blob = blob,
			.blob_cap = bound, .tagging = &tin, .acpi = acpi, .bsp_apic_id = 0,
		};
		struct boot_handoff_out out;
		assert_int_equal(boot_handoff_build(&in, &out), TB_OK);
		assert_true(out.blob_size <= bound);
		assert_int_equal(tb_validate(blob, out.blob_size, NULL), TB_OK);
		expect_crc(blob);

		const struct tb_rec_efi *efi = (const void *)tb_find_record(blob, TB_REC_EFI,
		                                                           sizeof(*efi));
		assert_non_null(efi);
		assert_int_equal(efi->desc_count, runtime);
		const struct tb_rec_memmap *m = tb_memmap(blob);
		uint64_t map_bytes = 0;
		for (uint32_t i = 0; i < m->entry_count; i++)
			map_bytes += tb_memmap_entry(m, i)->length;
		assert_int_equal(map_bytes, bytes);

		const struct tb_mem_entry *mb = blob_entry_at(blob, nvs);
		assert_non_null(mb);
		assert_int_equal(mb->type, TB_MEM_AP_HELD);
		assert_int_equal(mb->reason, TB_REASON_MAILBOX);
		assert_int_equal(mb->after_type, TB_MEM_ACPI_NVS);
		assert_int_equal(mb->reclaim, TB_RECLAIM_AFTER_AP_WAKEUP);
		for (size_t i = 0; i < 3; i++)
			expect_not_usable(blob, la[i].base, la[i].length);
		assert_int_equal(out.report.hazard_count, 0);
		free(blob);
		free(entries);
		free(scratch);
		free(acpi);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_blob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_contents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_after_handoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mp_lists_enabled_cpus_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimal_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_1_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failures_name_the_step, setup, teardown),
		cmocka_unit_test(test_size_bound_many_descriptors),
		cmocka_unit_test(test_real_ovmf_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
