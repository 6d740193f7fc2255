/* linux_params.h: the Linux/x86 zero page (struct boot_params) for the native Linux boot. */
#ifndef TAGBOOT_LINUX_PARAMS_H
#define TAGBOOT_LINUX_PARAMS_H

/*
 * Offsets from Linux arch/x86/include/uapi/asm/bootparam.h and include/uapi/linux/screen_info.h
 * (boot protocol: Documentation/arch/x86/boot.rst). The page is filled in two steps: what is
 * known before ExitBootServices (setup header, command line, initrd, ACPI, framebuffer), then
 * the memory description (e820 from the tagged map, efi_info with the final EFI map), which
 * only exists after it.
 */

#include <stddef.h>
#include <stdint.h>

#include "bzimage.h"
#include "e820.h"
#include "tagboot_handoff.h"

#define LINUX_PARAMS_SIZE 4096u
#define LINUX_PARAMS_E820_MAX 128u      /* E820_MAX_ENTRIES_ZEROPAGE */
#define LINUX_PARAMS_E820_ENTRY 20u     /* struct boot_e820_entry: u64 addr, u64 size, u32 type */
#define LINUX_SETUP_DATA_HEADER 16u     /* struct setup_data: u64 next, u32 type, u32 len */
#define LINUX_SETUP_E820_EXT 1u
/* The tagged handoff blob itself, as one setup_data node of a type Linux does not know (it
 * skips such nodes and keeps their memory reserved; /sys/kernel/boot_params/setup_data shows
 * them). "tb" in the high half keeps it far from Linux's own small numbers and from
 * SETUP_INDIRECT (bit 31). docs/linux.md. */
#define LINUX_SETUP_TAGBOOT_HANDOFF 0x74620001u
/* boot.rst, type_of_loader: 0xFF is "undefined", for a loader without an assigned ID. */
#define LINUX_TYPE_OF_LOADER 0xffu

/* zero-page offsets tagboot writes */
#define LINUX_BP_SCREEN_INFO 0x000u
#define LINUX_BP_ACPI_RSDP 0x070u
#define LINUX_BP_EXT_RAMDISK_IMAGE 0x0c0u
#define LINUX_BP_EXT_RAMDISK_SIZE 0x0c4u
#define LINUX_BP_EXT_CMD_LINE_PTR 0x0c8u
#define LINUX_BP_EFI_INFO 0x1c0u
#define LINUX_BP_E820_ENTRIES 0x1e8u
#define LINUX_BP_SENTINEL 0x1efu
#define LINUX_BP_E820_TABLE 0x2d0u
/* "EL64": efi_loader_signature of a 64-bit EFI boot (arch/x86/include/asm/efi.h) */
#define LINUX_EFI64_SIGNATURE 0x34364c45u

struct linux_params_setup {
	const uint8_t *kernel_file;        /* the bzImage, for its setup header */
	const struct bzimage_info *bz;
	uint64_t cmdline;                  /* physical address of the NUL-terminated command line */
	uint64_t initrd, initrd_size;      /* 0, 0: none */
	uint64_t rsdp;                     /* 0: Linux finds ACPI through the EFI system table */
	const struct tb_rec_framebuffer *fb; /* NULL: no screen_info */
};

/* Zero bp (LINUX_PARAMS_SIZE bytes), copy the kernel's setup header into it and fill what is
 * known before ExitBootServices. */
void linux_params_init(uint8_t *bp, const struct linux_params_setup *s);

/* The initrd (ramdisk_image/size and their ext_ halves) and acpi_rsdp_addr, for values that
 * become known after linux_params_init. */
void linux_params_set_initrd(uint8_t *bp, uint64_t addr, uint64_t size);
void linux_params_set_rsdp(uint8_t *bp, uint64_t rsdp);

struct linux_params_memory {
	uint64_t efi_systab;
	uint64_t efi_map, efi_map_size;   /* physical address and bytes of the EFI map Linux gets */
	uint32_t desc_size, desc_version;
	const struct e820_entry *e820;
	size_t e820_count;
	/* entries past the 128 of the zero page go into one SETUP_E820_EXT setup_data here */
	uint8_t *ext;
	uint64_t ext_phys;
	size_t ext_cap;                   /* bytes */
};

/* Bytes of the SETUP_E820_EXT node for e820_count entries (0 when the zero page holds them). */
size_t linux_params_ext_size(size_t e820_count);

/* Put a setup_data node (header + len bytes of data already at node + 16) at the head of the
 * kernel's setup_data list. */
void linux_params_add_setup_data(uint8_t *bp, uint8_t *node, uint64_t node_phys, uint32_t type,
                                 uint32_t len);

/* Fill efi_info and the e820 table (after ExitBootServices). TB_ERR_NO_SPACE if the entries
 * past 128 do not fit ext_cap. */
enum tb_status linux_params_set_memory(uint8_t *bp, const struct linux_params_memory *m);

#endif /* TAGBOOT_LINUX_PARAMS_H */
