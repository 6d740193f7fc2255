/* boot_linux.h: the native Linux/x86 boot protocol (`linux-protocol native`): bzImage, initrd, boot_params, ACPI wakeup tables, e820 and EFI map from the tagged map. */
#ifndef TAGBOOT_BOOT_LINUX_H
#define TAGBOOT_BOOT_LINUX_H

/*
 * The rest of the boot is the native boot's (boot_native.c): ACPI walk, AP parking, tagging,
 * final map, ExitBootServices, the tagged map. This file adds what Linux's boot protocol
 * needs (Documentation/arch/x86/boot.rst, 64-bit entry) and turns the tagged map into the
 * e820 table and the EFI map Linux reads, so that what tagboot knows reaches Linux.
 */

#include <stdbool.h>
#include <stdint.h>

#include "bzimage.h"
#include "exitbs.h"

/* GDT selectors boot.rst asks for at the 64-bit entry: __BOOT_CS and __BOOT_DS. */
#define BOOT_LINUX_CS 0x10u
#define BOOT_LINUX_DS 0x18u

struct boot_native;
struct boot_native_err;

struct boot_linux {
	struct bzimage_info bz;
	uint64_t kernel_base;          /* where the protected-mode kernel was copied */
	uint64_t params;               /* the zero page */
	uint64_t cmdline;
	uint64_t initrd, initrd_size;  /* 0, 0 without initrd lines */
	uint64_t rsdp;                 /* what Linux is told: the published RSDP, or the firmware's */
	uint64_t acpi_tables;          /* the published tables (ap-park), else 0 */
	/* buffers for the step after ExitBootServices, sized before it */
	uint64_t efi_map, efi_map_cap; /* the EFI map Linux gets (the final map, retyped) */
	uint64_t e820, e820_cap;       /* struct e820_entry[e820_cap] */
	uint64_t ov, ov_cap;           /* struct efimap_override[ov_cap] */
	uint64_t ext, ext_cap;         /* SETUP_E820_EXT node, bytes */
	uint64_t handoff_node;         /* setup_data node for a copy of the handoff blob */
	uint64_t efi_map_size;         /* results */
	size_t e820_count;
};

/* Read and check the bzImage, place it, read the initrds, the command line and zero page.
 * On failure fills err and returns false (the caller frees the allocations). */
bool boot_linux_load(struct boot_native *bn, struct boot_native_err *err);

/* After parking is planned: publish the ACPI wakeup tables (when parking), size the buffers
 * of the step after exit, fill the zero page as far as it is known. */
bool boot_linux_prepare(struct boot_native *bn, struct boot_native_err *err);

/* After ExitBootServices and the tagged map: e820, EFI map and efi_info into the zero page.
 * No firmware calls. Returns false (with bn->out.failed_step set) if a buffer is too small. */
bool boot_linux_finish(struct boot_native *bn, const struct exitbs_map *map);

/* The zero page's setup_data head, read and put back around the rehearsal (which prepends
 * the SETUP_E820_EXT node a second time otherwise). */
uint64_t boot_linux_setup_data(const struct boot_native *bn);
void boot_linux_set_setup_data(struct boot_native *bn, uint64_t head);

/* Last, after the APs are parked and the blob stamped: a copy of the handoff blob as a
 * setup_data node (LINUX_SETUP_TAGBOOT_HANDOFF), so the tags reach Linux too. */
void boot_linux_attach_handoff(struct boot_native *bn);

#endif /* TAGBOOT_BOOT_LINUX_H */
