/* tdvf.h: reader for the TDX metadata (TDVF descriptor) in an OVMF firmware image ending at 4 GiB. */
#ifndef TAGBOOT_TDVF_H
#define TAGBOOT_TDVF_H

#include <stddef.h>
#include <stdint.h>

#include "tagboot_handoff.h"

/* The most sections a descriptor may list. edk2's IntelTdxMetadata.asm lists about ten; a
 * larger count is treated as malformed rather than truncated. */
#define TDVF_MAX_SECTIONS 32u

/* Section types (Intel TDX Virtual Firmware Design Guide, as used by edk2
 * OvmfPkg/ResetVector/X64/IntelTdxMetadata.asm and QEMU hw/i386/tdvf.c). */
enum tdvf_section_type {
	TDVF_SECTION_BFV = 0,           /* boot firmware volume (code), copied from the image */
	TDVF_SECTION_CFV = 1,           /* configuration firmware volume (variables) */
	TDVF_SECTION_TD_HOB = 2,        /* TD HOB list the VMM fills in */
	TDVF_SECTION_TEMP_MEM = 3,      /* zeroed private memory: page tables, stacks, work area */
	TDVF_SECTION_PERM_MEM = 4,      /* memory that stays private and accepted */
	TDVF_SECTION_PAYLOAD = 5,       /* a kernel image */
	TDVF_SECTION_PAYLOAD_PARAM = 6, /* the kernel's parameters */
};

/* One 32-byte section entry as stored in the descriptor (values already checked). */
struct tdvf_section {
	uint32_t data_offset; /* offset of the raw data from the start of the whole flash
	                       * (OVMF.fd = VARS + CODE), not of a CODE-only image */
	uint32_t raw_size;    /* bytes of raw data in the image (0 for memory-only sections) */
	uint64_t address;     /* guest physical address, 4 KiB aligned */
	uint64_t size;        /* bytes of guest memory, 4 KiB aligned, >= raw_size */
	uint32_t type;        /* enum tdvf_section_type (other values are kept as they are) */
	uint32_t attributes;  /* bit 0 MR.EXTEND, bit 1 PAGE.AUG */
};

struct tdvf_metadata {
	uint32_t version;           /* descriptor version (1) */
	uint32_t section_count;     /* valid entries in sections[] */
	uint64_t descriptor_offset; /* image offset of the "TDVF" signature */
	struct tdvf_section sections[TDVF_MAX_SECTIONS];
};

enum tdvf_status {
	TDVF_OK = 0,
	TDVF_ERR_NULL,               /* a required pointer is NULL */
	TDVF_NO_FOOTER,              /* no OVMF GUIDed footer table (not an OVMF image) */
	TDVF_NO_TDX_METADATA,        /* the footer table has no TDX metadata offset entry */
	TDVF_BAD_TABLE_LENGTH,       /* footer table length < 18 or beyond the image start */
	TDVF_BAD_ENTRY_LENGTH,       /* a table entry length < 18 or beyond the table */
	TDVF_BAD_OFFSET_ENTRY,       /* the TDX metadata offset entry holds fewer than 4 bytes */
	TDVF_BAD_METADATA_OFFSET,    /* the descriptor offset points outside the image */
	TDVF_BAD_DESCRIPTOR_GUID,    /* the 16 bytes before the descriptor are not its GUID */
	TDVF_BAD_SIGNATURE,          /* the descriptor does not start with "TDVF" */
	TDVF_BAD_VERSION,            /* descriptor version is not 1 */
	TDVF_BAD_SECTION_COUNT,      /* fewer than 2 or more than TDVF_MAX_SECTIONS sections */
	TDVF_BAD_DESCRIPTOR_LENGTH,  /* length is not 16 + 32 * count, or runs past the image */
	TDVF_BAD_SECTION_ALIGN,      /* a section address or size is not 4 KiB aligned */
	TDVF_BAD_SECTION_WRAP,       /* a section's address + size exceeds 2^64 */
	TDVF_BAD_SECTION_RAW_SIZE,   /* a section's raw size exceeds its memory size */
	TDVF_NO_SPACE,               /* the caller's output array is too small */
	TDVF_STATUS_COUNT
};

/* Read the TDX metadata of `image` (size bytes, mapped so that its last byte is at physical
 * 0xFFFFFFFF). Reads nothing outside the image; every loop is bounded by the image size.
 * On a failure *out is left with section_count 0. */
enum tdvf_status tdvf_read(const void *image, size_t size, struct tdvf_metadata *out);

/* Short English text naming the field and the reason ("no OVMF GUIDed footer table", ...).
 * Never NULL. */
const char *tdvf_status_str(enum tdvf_status status);

/* "BFV", "CFV", "TD_HOB", "TempMem", "PermMem", "Payload", "PayloadParam" or "unknown". */
const char *tdvf_section_type_name(uint32_t type);

/* The sections that parked APs or early firmware still use when the kernel gets control, as
 * tagged regions (type AP_HELD, owner FIRMWARE, source TDVF_METADATA, after_type USABLE,
 * reclaim AFTER_AP_WAKEUP; the caller adjusts the reclaim rule for the mailbox version):
 *   TempMem covering 0x800000  -> reason PAGE_TABLES (the reset-vector page tables)
 *   TempMem covering 0x80B000  -> reason WORK_AREA   (GDT of the AP reset path, MADT v1)
 *   TD_HOB                     -> reason TD_HOB
 * Writes at most cap entries to out and the number written to *count. */
enum tdvf_status tdvf_regions(const struct tdvf_metadata *md, struct tb_mem_entry *out,
                              size_t cap, size_t *count);

#endif /* TAGBOOT_TDVF_H */
