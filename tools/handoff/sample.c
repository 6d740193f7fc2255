/* sample.c: `handoff sample OUT`: a representative 1.1 handoff (a TDX guest with 2 GiB, 4 CPUs,
 * firmware-parked APs on an MP wakeup v1 mailbox) built with the builder API, for tests and
 * docs: the memory map and the records of 1.0 here, the records new in 1.1 in sample11.c.
 * Every value is made up but laid out as tagboot would on such a machine. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "sample11.h"
#include "tagboot_handoff.h"

#define SAMPLE_MAP_CAP 64u
#define SAMPLE_MAILBOX 0x7e0ff000ull
#define SAMPLE_MODULE_BASE 0x1200000ull
#define SAMPLE_MODULE_SIZE 0x1a2c37ull
#define SAMPLE_MODULE_STRING "rdinit=/init"
/* A record type no 1.1 reader knows, to show that readers skip by size. */
#define SAMPLE_FUTURE_RECORD_TYPE 99u

/* The firmware's map after EFI types were mapped: the TDVF page tables at 0x800000 are
 * reported usable, as TDVF up to edk2-stable202408 did (background.md section 1). */
static const struct tb_mem_entry sample_firmware_map[] = {
	{ .base = 0x0, .length = 0xa0000, .type = TB_MEM_USABLE },
	{ .base = 0xa0000, .length = 0x60000, .type = TB_MEM_RESERVED },
	{ .base = 0x100000, .length = 0x7df00000, .type = TB_MEM_USABLE },
	{ .base = 0x7e000000, .length = 0x80000, .type = TB_MEM_ACPI_RECLAIMABLE },
	{ .base = 0x7e080000, .length = 0x80000, .type = TB_MEM_ACPI_NVS },
	{ .base = 0x7f000000, .length = 0x800000, .type = TB_MEM_FIRMWARE_RUNTIME },
	{ .base = 0x7f800000, .length = 0x800000, .type = TB_MEM_RESERVED },
	{ .base = 0xfee00000, .length = 0x1000, .type = TB_MEM_MMIO },
	{ .base = 0x100000000, .length = 0x80000000, .type = TB_MEM_UNACCEPTED },
};

/* What tagboot carves in, in its order (loader/core/tagging.c): firmware AP memory, then its
 * own allocations. The mailbox is version 1 (it has a reset vector), so AP memory is
 * reclaimable only by a kernel that never uses the reset vector. The ACPI NVS allocation
 * around the mailbox holds the AP loop code and goes back to ACPI NVS, never to usable; it
 * is tagged before the mailbox page so that the page keeps its own reason. */
static const struct tb_mem_entry sample_tags[] = {
	{ 0x7e080000, 0x80000, TB_MEM_AP_HELD, TB_MEM_ACPI_NVS, TB_OWNER_FIRMWARE,
	  TB_REASON_AP_LOOP_CODE, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_EFI_MAP, 0 },
	{ SAMPLE_MAILBOX, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	  TB_REASON_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_ACPI, 0 },
	{ 0x800000, 0x6000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	  TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_TDVF_METADATA, 0 },
	{ 0x809000, 0x2000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	  TB_REASON_TD_HOB, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_TDVF_METADATA, 0 },
	{ 0x80b000, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	  TB_REASON_WORK_AREA, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_TDVF_METADATA, 0 },
	{ 0x80c000, 0x1000, TB_MEM_AP_HELD, TB_MEM_USABLE, TB_OWNER_FIRMWARE,
	  TB_REASON_INITIAL_MAILBOX, TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET, TB_SOURCE_TDVF_METADATA,
	  0 },
	{ SAMPLE11_KERNEL_PHYS, SAMPLE11_KERNEL_SIZE, TB_MEM_KERNEL, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_KERNEL_IMAGE, TB_RECLAIM_NEVER, TB_SOURCE_LOADER, 0 },
	{ SAMPLE_MODULE_BASE, SAMPLE_MODULE_SIZE, TB_MEM_MODULE, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_MODULE, TB_RECLAIM_NEVER, TB_SOURCE_LOADER, 0 },
	{ SAMPLE11_STACK_BASE, SAMPLE11_STACK_SIZE, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE,
	  TB_OWNER_LOADER, TB_REASON_STACK, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER, 0 },
	{ 0x7dfe0000, 0x6000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_PAGE_TABLES, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER, 0 },
	{ 0x7dfe6000, 0x1000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_GDT, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER, 0 },
	{ 0x7dff0000, 0x2000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_HANDOFF, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER, 0 },
	{ 0x7dff2000, 0x1000, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_HANDOFF_DATA, TB_RECLAIM_AFTER_HANDOFF, TB_SOURCE_LOADER, 0 },
	{ 0x80000000, 0x300000, TB_MEM_FRAMEBUFFER, TB_MEM_USABLE, TB_OWNER_LOADER,
	  TB_REASON_FRAMEBUFFER, TB_RECLAIM_NEVER, TB_SOURCE_LOADER, 0 },
};

#define SAMPLE_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static enum tb_status sample_map(struct tb_mem_entry *map, size_t *count)
{
	uint64_t scratch[(SAMPLE_COUNT(sample_firmware_map) * 2 * 16 + 8) / 8 + 1];
	enum tb_status st;

	if (tb_normalize_scratch_size(SAMPLE_COUNT(sample_firmware_map)) > sizeof(scratch))
		return TB_ERR_NO_SPACE;
	st = tb_normalize(sample_firmware_map, SAMPLE_COUNT(sample_firmware_map), map,
	                  SAMPLE_MAP_CAP, count, scratch, sizeof(scratch));
	for (size_t i = 0; st == TB_OK && i < SAMPLE_COUNT(sample_tags); i++)
		st = tb_map_tag(map, count, SAMPLE_MAP_CAP, &sample_tags[i]);
	return st;
}

/* A record with text after its fixed fields: room for the text and its NUL. */
static void *sample_add_with_text(struct tb_builder *b, uint16_t type, uint32_t fixed,
                                  const char *text)
{
	uint8_t *rec = tb_builder_add(b, type, 1, fixed + (uint32_t)strlen(text) + 1);

	if (rec != NULL)
		memcpy(rec + fixed, text, strlen(text) + 1);
	return rec;
}

/* The MP record, version 2: the AP IDs of version 1, then every MADT processor. The APs are
 * TDX vCPUs, the last one listed by a Processor Local x2APIC structure. */
static void sample_mp(struct tb_builder *b)
{
	static const uint32_t ap_ids[] = { 1, 2, 3 };
	static const struct tb_mp_cpu cpus[] = {
		{ 0, 0, TB_CPU_F_BSP | TB_CPU_F_ENABLED, 0 },
		{ 1, 1, TB_CPU_F_ENABLED, 0 },
		{ 2, 2, TB_CPU_F_ENABLED, 0 },
		{ 3, 3, TB_CPU_F_ENABLED | TB_CPU_F_X2APIC, 0 },
	};
	uint32_t ids_at = sizeof(struct tb_rec_mp), cpus_at = ids_at + sizeof(ap_ids);
	struct tb_rec_mp *mp = tb_builder_add(b, TB_REC_MP, 2, cpus_at + sizeof(cpus));

	if (mp == NULL)
		return;
	mp->mailbox_address = SAMPLE_MAILBOX;
	mp->reset_vector = 0x7e0fe000;
	mp->mailbox_version = 1;
	/* A TDX guest runs its local APIC in x2APIC mode. */
	mp->flags = TB_MP_F_MAILBOX | TB_MP_F_RESET_VECTOR | TB_MP_F_X2APIC_MODE;
	mp->bsp_apic_id = 0;
	mp->ap_count = SAMPLE_COUNT(ap_ids);
	mp->ap_ids_offset = ids_at;
	memcpy((uint8_t *)mp + ids_at, ap_ids, sizeof(ap_ids));
	mp->cpu_count = SAMPLE_COUNT(cpus);
	mp->cpus_offset = cpus_at;
	mp->cpu_entry_size = sizeof(struct tb_mp_cpu);
	memcpy((uint8_t *)mp + cpus_at, cpus, sizeof(cpus));
}

/* The module record, version 2: the file's name, then the entry's string for it. */
static void sample_module(struct tb_builder *b)
{
	static const char name[] = "initrd.img", string[] = SAMPLE_MODULE_STRING;
	uint32_t name_at = sizeof(struct tb_rec_module), string_at = name_at + sizeof(name);
	struct tb_rec_module *mod = tb_builder_add(b, TB_REC_MODULE, 2, string_at + sizeof(string));

	if (mod == NULL)
		return;
	mod->base = SAMPLE_MODULE_BASE;
	mod->size = SAMPLE_MODULE_SIZE;
	mod->name_offset = name_at;
	mod->name_length = sizeof(name) - 1;
	memcpy((uint8_t *)mod + name_at, name, sizeof(name));
	mod->string_offset = string_at;
	mod->string_length = sizeof(string) - 1;
	memcpy((uint8_t *)mod + string_at, string, sizeof(string));
}

static void sample_records(struct tb_builder *b)
{
	struct tb_rec_platform *pf = tb_builder_add(b, TB_REC_PLATFORM, 1, sizeof(*pf));
	struct tb_rec_acpi *acpi = tb_builder_add(b, TB_REC_ACPI, 1, sizeof(*acpi));
	struct tb_rec_framebuffer *fb;
	struct tb_rec_cmdline *cmd;
	struct tb_rec_efi *efi;
	struct tb_rec_timestamps *ts;
	struct tb_rec_loader *ld;

	if (pf != NULL) {
		pf->kind = TB_PLATFORM_TDX;
		pf->flags = TB_PLATFORM_F_HYPERVISOR;
		pf->hypervisor_leaf = 0x21; /* CPUID leaf 0x21: "IntelTDX    " */
		memcpy(pf->hypervisor_signature, "IntelTDX    ", 12);
		pf->firmware_revision = 0x10000;
		memcpy(pf->firmware_vendor, "EDK II", 6);
	}
	if (acpi != NULL) {
		acpi->rsdp_address = 0x7e07f014;
		acpi->rsdp_revision = 2;
	}
	sample_mp(b);
	/* BGRX8 with the masks tagboot fills in for it (byte 0 blue). */
	fb = tb_builder_add(b, TB_REC_FRAMEBUFFER, 1, sizeof(*fb));
	if (fb != NULL) {
		*fb = (struct tb_rec_framebuffer){ .hdr = fb->hdr, .address = 0x80000000,
			                           .size = 0x300000, .width = 1024, .height = 768,
			                           .pitch = 4096, .bpp = 32, .format = TB_PIXEL_BGRX8,
			                           .red_mask = 0xff0000, .green_mask = 0xff00,
			                           .blue_mask = 0xff };
	}
	cmd = sample_add_with_text(b, TB_REC_CMDLINE, sizeof(*cmd), "console=ttyS0 loglevel=7");
	if (cmd != NULL) {
		cmd->offset = sizeof(*cmd);
		cmd->length = (uint32_t)strlen("console=ttyS0 loglevel=7");
	}
	sample_module(b);
	/* Two EFI_MEMORY_DESCRIPTORs of 48 bytes (OVMF's size): runtime code and data. */
	efi = tb_builder_add(b, TB_REC_EFI, 1, sizeof(*efi) + 2 * 48);
	if (efi != NULL) {
		static const uint64_t attr = 0x800000000000000full; /* RUNTIME | UC WC WT WB */
		uint8_t *d = (uint8_t *)efi + sizeof(*efi);
		uint32_t types[2] = { 5, 6 }; /* EfiRuntimeServicesCode, EfiRuntimeServicesData */
		uint64_t phys[2] = { 0x7f000000, 0x7f400000 }, pages = 0x400;

		efi->system_table = 0x7f7ee018;
		efi->desc_size = 48;
		efi->desc_version = 1;
		efi->desc_count = 2;
		efi->map_offset = sizeof(*efi);
		for (int i = 0; i < 2; i++, d += 48) {
			memcpy(d, &types[i], 4);
			memcpy(d + 8, &phys[i], 8);
			memcpy(d + 24, &pages, 8);
			memcpy(d + 32, &attr, 8);
		}
	}
	ts = tb_builder_add(b, TB_REC_TIMESTAMPS, 1, sizeof(*ts));
	if (ts != NULL) {
		ts->tsc_loader_entry = 1000000;
		ts->tsc_before_exit = 41000000;
		ts->tsc_jump = 42000000;
	}
	ld = tb_builder_add(b, TB_REC_LOADER, 1, sizeof(*ld));
	if (ld != NULL) {
		ld->version_major = 0;
		ld->version_minor = 1;
		ld->version_patch = 0;
		memcpy(ld->name, "tagboot", 7);
		memcpy(ld->version, "0.1.0-sample", 12);
	}
	sample11_records(b);
	tb_builder_add(b, SAMPLE_FUTURE_RECORD_TYPE, 1, 24);
}

int sample_main(int argc, char **argv)
{
	static uint64_t buf[2048]; /* 16 KiB, 8-byte aligned */
	struct tb_mem_entry map[SAMPLE_MAP_CAP];
	struct tb_builder b;
	size_t count = 0, size = 0;
	enum tb_status st;

	if (argc != 2) {
		fprintf(stderr, "usage: handoff sample OUT\n");
		return TOOL_EXIT_USAGE;
	}
	st = sample_map(map, &count);
	if (st != TB_OK) {
		fprintf(stderr, "handoff: sample: building the memory map failed: %s\n",
		        tb_status_str(st));
		return TOOL_EXIT_INVALID;
	}
	tb_builder_init(&b, buf, sizeof(buf), TB_FLAG_BOOT_SERVICES_EXITED);
	tb_builder_add_memmap(&b, map, count);
	sample_records(&b);
	st = tb_builder_finish(&b, &size);
	if (st != TB_OK) {
		fprintf(stderr, "handoff: sample: building the blob failed: %s\n",
		        tb_status_str(st));
		return TOOL_EXIT_INVALID;
	}
	if (blobfile_write(argv[1], buf, size) != 0)
		return TOOL_EXIT_USAGE;
	printf("wrote %s (%zu bytes, %u records, %zu map entries)\n", argv[1], size, b.records,
	       count);
	return TOOL_EXIT_OK;
}
