/* boot_native.h: what every boot tagboot does itself shares: ACPI, allocations, AP parking, tagging, final map, ExitBootServices, handoff. */
#ifndef TAGBOOT_BOOT_NATIVE_H
#define TAGBOOT_BOOT_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "appark.h"
#include "boot_elf.h"
#include "boot_linux.h"
#include "boot_log.h"
#include "boot_alloc.h"
#include "boot_handoff.h"
#include "config.h"
#include "elf.h"
#include "exitbs.h"
#include "fw.h"
#include "kernel_request.h"
#include "tagboot_handoff.h"

/* Descriptors beyond the current map that the work buffers can absorb: the loader's own
 * allocations after the size probe plus what the firmware adds before the final map. */
#define BOOT_NATIVE_DESC_MARGIN 256u
/* GDT selectors at kernel entry (docs/loader.md "Entry state"). */
#define BOOT_NATIVE_CS 0x08u
#define BOOT_NATIVE_DS 0x10u

/* The firmware clock as GetTime gave it (EFI_TIME, UEFI 2.10 8.3), and the TSC then. */
struct boot_time {
	bool valid;
	uint16_t year;
	uint8_t month, day, hour, minute, second, daylight;
	uint32_t nanosecond;
	int16_t time_zone; /* minutes, 2047 = unspecified */
	uint64_t tsc;
};

/* Which disk and partition a volume is (TB_REC_BOOT_DEVICE). */
struct boot_volume_id {
	bool gpt;            /* partition_guid and partition_number are valid */
	bool has_disk_guid;  /* disk_guid was read from the GPT header */
	uint8_t disk_guid[16];
	uint8_t partition_guid[16];
	uint32_t partition_number;
};

/* What the EFI glue found out before the boot; core code cannot ask the firmware itself. */
struct boot_facts {
	uint64_t system_table;
	uint64_t rsdp;                     /* 0 if the configuration table has none */
	const struct acpi_mem *acpi_mem;   /* physical memory reader for the ACPI walk */
	struct tb_rec_platform platform;   /* detected kind/flags + firmware vendor/revision */
	uint32_t bsp_apic_id;
	bool has_framebuffer;
	struct tb_rec_framebuffer framebuffer;
	bool secure_boot;
	/* TDX only: the regions the firmware's TDX metadata names (tdvf_regions), or none when
	 * the metadata could not be read (tdvf_status says why; tagging then uses its quirk
	 * table). tdvf_read_done is false on other platforms. */
	bool tdvf_read_done;
	int tdvf_status;                          /* enum tdvf_status */
	const struct tb_mem_entry *tdvf_regions;
	size_t tdvf_region_count;
	uint64_t tsc_entry;
	uint64_t (*read_tsc)(void);        /* may be NULL (tests): timestamps stay 0 */
	/* new in handoff 1.1 */
	uint64_t smbios_entry32, smbios_entry64; /* SMBIOS entry points, 0 if none */
	uint64_t tsc_hz_cpuid;             /* from CPUID 0x15, 0 if the leaf does not say */
	bool tsc_invariant;                /* CPUID.80000007H:EDX[8] */
	bool x2apic_mode;                  /* IA32_APIC_BASE.EXTD on the BSP */
	struct boot_volume_id esp_id, xbootldr_id;
	/* Read the firmware clock (called just before the rehearsal). NULL: no time record. */
	void (*read_time)(struct boot_time *out);
	/* Measured boot (loader/efi/measure.c): called with the exact bytes of the kernel file
	 * and of each module once their pins were checked. May be NULL (tests, no TPM). */
	void (*measure_file)(void *ctx, bool is_kernel, const char *path, const void *data,
	                     uint64_t size);
	void *measure_ctx;
	/* Start the APs of a placed parking area and wait for them (loader/efi/appark_efi.c);
	 * called after ExitBootServices. NULL (tests): `ap-park mailbox` parks nothing. */
	void (*park_aps)(const struct appark_layout *layout, struct appark_result *result);
};

/* Why one step failed: the file it concerns and a reason built into `text`. */
struct boot_native_err {
	const char *file;
	struct util_sb sb;
	char text[BOOT_LOG_LINE_MAX];
};

/* Everything the native boot holds; large, so the caller keeps it in static storage. */
struct boot_native {
	struct fw *fw;
	const struct config_entry *entry;
	const struct boot_facts *facts;
	struct boot_alloc_list allocs;
	struct elf_image elf;
	struct acpi_info acpi;
	bool acpi_ok;
	size_t module_count;
	struct boot_handoff_module modules[BOOT_HANDOFF_MAX_MODULES];
	/* the kernel's request note and what it is granted (kernel_request.h); the defaults
	 * for Linux and for kernels without a note */
	struct kernel_request_grant grant;
	uint64_t direct_map_size;               /* bytes mapped at grant.direct_map_offset */
	uint64_t stack_size;                    /* entry stack: TB_REQ_STACK_DEFAULT (64 KiB) or the note's */
	uint64_t tsc_per_ms;                    /* measured against Stall (0: no TSC reader) */
	/* 1.1 records, filled before the rehearsal */
	struct tb_rec_kernel kernel_rec;
	struct tb_rec_boot_device boot_device_rec;
	struct tb_rec_tsc tsc_rec;
	struct tb_rec_time time_rec;
	bool have_time;
	struct tb_rec_request request_rec;
	/* allocations */
	uint64_t handoff_addr, handoff_cap;
	uint64_t entries_addr, entries_cap;    /* entries_cap in entries */
	uint64_t scratch_addr, scratch_size;
	uint64_t max_descs;
	uint64_t desc_size;                     /* of the firmware's map, from the size probe */
	uint64_t stack_addr, gdt_addr, pt_addr, pt_pages;
	struct exitbs_map map;
	/* tagging input (filled before the exit, read by the conversion) */
	struct tagging_alloc tag_allocs[BOOT_ALLOC_MAX];
	struct tagging_input tagging;
	/* AP parking (`ap-park mailbox`): planned before the exit, done after it */
	bool parking;
	struct appark_layout park;
	struct tb_mem_entry park_regions[APPARK_REGION_COUNT];
	size_t park_region_count;
	struct appark_result park_result;
	uint64_t tsc_park_start, tsc_park_end;
	/* `linux` + `linux-protocol native` (boot_linux.c); unused for handoff kernels */
	bool is_linux;
	struct boot_linux linux;
	/* results */
	uint64_t tsc_before_exit;
	uint64_t cr3;
	uint64_t entry_point;
	uint64_t stack_top;
	uint64_t gdtr_addr;                     /* a 10-byte GDTR (limit, base) inside the GDT page */
	struct boot_handoff_out out;
	enum tb_status convert_status;
};

/* The protocol files (boot_elf.c for `handoff-kernel`, boot_linux.c for `linux-protocol
 * native`) load the kernel; the rest is here. */
/* Everything before ExitBootServices: read and check the kernel, place its segments, read the
 * modules, parse ACPI, allocate handoff/stack/GDT/page tables/map buffer, build the page
 * tables. Logs progress; on failure prints a "tagboot: error:" line naming the entry, file
 * and reason, frees what it allocated, and returns false. */
bool boot_native_prepare(struct boot_native *bn, struct fw *fw, const struct config_entry *entry,
                         const struct boot_facts *facts);

/* Last step before ExitBootServices: build the whole handoff once from the current map into
 * the final buffers (boot_native.c says why). On failure prints the "tagboot: error:" line
 * naming the entry, the step and the reason, frees everything and returns false. */
bool boot_native_rehearse(struct boot_native *bn);

/* Final map + ExitBootServices, (ap-park mailbox) the APs parked, the handoff built (its
 * tags follow what the parking left live), its AP parking stamps written. On EXITBS_OK the caller jumps (boot services are
 * gone). Before the first ExitBootServices call an error frees the allocations; after it,
 * the caller can only report through the UART and reset. */
enum exitbs_error boot_native_exit(struct boot_native *bn, enum fw_status *fw_err);

/* For the boot protocol files (boot_linux.c): start an error about file (the reason goes
 * into the returned builder); read a whole file into remembered pages of kind; compare a
 * file's SHA-256 with its pin (a mismatch names both digests). */
struct util_sb *boot_native_err_begin(struct boot_native_err *err, const char *file);
bool boot_native_read(struct boot_native *bn, struct boot_native_err *err, const char *path,
                      uint32_t kind, uint64_t *addr, uint64_t *size);
bool boot_native_check_pin(const void *data, uint64_t size, const uint8_t pin[32],
                           struct boot_native_err *err, const char *file);
/* Allocate (anywhere, or ending at or below max when max != 0) and remember it; on failure
 * the reason names what, the limit and the firmware status. */
bool boot_native_alloc(struct boot_native *bn, struct boot_native_err *err, const char *what,
                       uint64_t pages, uint32_t kind, uint64_t max, uint64_t *addr);
/* "0xBASE-0xLAST" for [base, end). */
void boot_native_sb_range(struct util_sb *sb, uint64_t base, uint64_t end);

#endif /* TAGBOOT_BOOT_NATIVE_H */
