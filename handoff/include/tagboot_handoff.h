/* tagboot_handoff.h: the tagboot memory-handoff contract, v1.1 (copy this file alone into a kernel). */
/*
 * Self-contained on purpose: it needs only <stdint.h>, <stddef.h> and <stdbool.h>, which every
 * freestanding C11 compiler provides. The full specification is docs/handoff.md; the comments
 * here are the short form.
 *
 * Layout of a handoff blob (all little-endian, all offsets from the start of the blob):
 *
 *   struct tb_header            32 bytes, at offset 0
 *   record, record, ...         each starts with struct tb_record, 8-byte aligned, size % 8 == 0
 *
 * Compatibility rules (docs/handoff.md section "Compatibility"):
 *   - major differs from the reader's: reject the blob.
 *   - minor greater than the reader's: read it; additions are new record types (skip them)
 *     and fields appended to records or map entries (ignore them; use the sizes in the blob).
 *   - a record never shrinks or changes the meaning of a field; a reader checks that a record's
 *     size reaches the last field it reads (as EDK2 Universal Payload does).
 *   - a memory type the reader does not know means "reserved: do not touch".
 */
#ifndef TAGBOOT_HANDOFF_H
#define TAGBOOT_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Header                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* "TAGBOOT1" read as a little-endian u64. */
#define TB_MAGIC 0x31544f4f42474154ull
#define TB_VERSION_MAJOR 1
#define TB_VERSION_MINOR 1
#define TB_PAGE_SIZE 4096ull
#define TB_ALIGN 8u

/* Header flags. */
#define TB_FLAG_BOOT_SERVICES_EXITED (1u << 0) /* the loader called ExitBootServices */
#define TB_FLAG_SECURE_BOOT (1u << 1)          /* firmware reported Secure Boot enabled */
#define TB_FLAG_APS_PARKED_BY_LOADER (1u << 2) /* the loader parked the APs (see TB_REC_MP) */

struct tb_header {
	uint64_t magic;        /* TB_MAGIC */
	uint16_t major;        /* TB_VERSION_MAJOR of the writer */
	uint16_t minor;        /* TB_VERSION_MINOR of the writer */
	uint32_t header_size;  /* bytes of this header; records start here (>= 32, % 8 == 0) */
	uint32_t total_size;   /* bytes of the whole blob, header included (% 8 == 0) */
	uint32_t record_count; /* number of records that follow the header */
	uint32_t flags;        /* TB_FLAG_* */
	uint32_t crc32;        /* CRC-32/ISO-HDLC over total_size bytes, this field read as 0 */
};

/* ---------------------------------------------------------------------------------------- */
/* Records                                                                                   */
/* ---------------------------------------------------------------------------------------- */

enum tb_record_type {
	TB_REC_MEMMAP = 1,     /* struct tb_rec_memmap: the memory map (exactly one) */
	TB_REC_PLATFORM = 2,   /* struct tb_rec_platform */
	TB_REC_ACPI = 3,       /* struct tb_rec_acpi: RSDP */
	TB_REC_MP = 4,         /* struct tb_rec_mp: CPUs and the MP wakeup mailbox */
	TB_REC_FRAMEBUFFER = 5,/* struct tb_rec_framebuffer */
	TB_REC_CMDLINE = 6,    /* struct tb_rec_cmdline */
	TB_REC_MODULE = 7,     /* struct tb_rec_module: one record per module */
	TB_REC_EFI = 8,        /* struct tb_rec_efi: system table and runtime map */
	TB_REC_TIMESTAMPS = 9, /* struct tb_rec_timestamps */
	TB_REC_LOADER = 10,    /* struct tb_rec_loader */
	/* new in 1.1 */
	TB_REC_KERNEL = 11,      /* struct tb_rec_kernel: where the kernel image and stack are */
	TB_REC_DIRECT_MAP = 12,  /* struct tb_rec_direct_map: all memory mapped at an offset */
	TB_REC_EFI_MAP = 13,     /* struct tb_rec_efi_map: the full final EFI memory map */
	TB_REC_SMBIOS = 14,      /* struct tb_rec_smbios: SMBIOS entry points */
	TB_REC_BOOT_DEVICE = 15, /* struct tb_rec_boot_device: disk, partition, kernel path */
	TB_REC_TSC = 16,         /* struct tb_rec_tsc: time-stamp counter frequency */
	TB_REC_TIME = 17,        /* struct tb_rec_time: wall-clock time at boot */
	TB_REC_REQUEST = 18,     /* struct tb_rec_request: the kernel's request note, and what was granted */
};
#define TB_REC_TYPE_MAX 18 /* highest record type of this minor version */

/* Every record starts with this. size counts the header and is a multiple of 8. */
struct tb_record {
	uint16_t type;    /* enum tb_record_type; unknown types are skipped by size */
	uint8_t version;  /* per-type version; a newer version only appends fields */
	uint8_t reserved; /* 0 */
	uint32_t size;    /* bytes, header included, % 8 == 0 */
};

/* ---- memory map ---- */

/* Region types. A reader treats any value it does not know as TB_MEM_RESERVED. */
enum tb_mem_type {
	TB_MEM_USABLE = 1,             /* free RAM */
	TB_MEM_RESERVED = 2,           /* do not touch */
	TB_MEM_ACPI_RECLAIMABLE = 3,   /* ACPI tables; usable once the kernel has read them */
	TB_MEM_ACPI_NVS = 4,           /* preserve across sleep states; never usable */
	TB_MEM_MMIO = 5,               /* device memory (EFI MMIO and MMIO port space) */
	TB_MEM_BAD = 6,                /* failed RAM (EFI unusable memory) */
	TB_MEM_PERSISTENT = 7,         /* byte-addressable persistent memory */
	TB_MEM_UNACCEPTED = 8,         /* RAM that must be accepted before use (EFI type 15) */
	TB_MEM_FIRMWARE_RUNTIME = 9,   /* EFI runtime services code and data */
	TB_MEM_LOADER_RECLAIMABLE = 10,/* live at kernel entry: page tables, GDT, stack, handoff */
	TB_MEM_KERNEL = 11,            /* the kernel image as loaded */
	TB_MEM_MODULE = 12,            /* a module (initrd and friends) */
	TB_MEM_FRAMEBUFFER = 13,       /* the boot framebuffer */
	TB_MEM_AP_HELD = 14,           /* memory that parked application processors still use */
};
#define TB_MEM_TYPE_MAX 14

enum tb_owner {
	TB_OWNER_NONE = 0,     /* untagged region */
	TB_OWNER_FIRMWARE = 1, /* firmware placed it there */
	TB_OWNER_LOADER = 2,   /* tagboot placed it there */
};

enum tb_reason {
	TB_REASON_NONE = 0,
	TB_REASON_PAGE_TABLES = 1,     /* active page tables (firmware's for parked APs, or loader's) */
	TB_REASON_MAILBOX = 2,         /* ACPI MP wakeup mailbox page */
	TB_REASON_AP_LOOP_CODE = 3,    /* code parked APs execute */
	TB_REASON_AP_STACK = 4,        /* stacks of parked APs */
	TB_REASON_STACK = 5,           /* the BSP stack at kernel entry */
	TB_REASON_WORK_AREA = 6,       /* TDX work area (GDT of the AP reset path) */
	TB_REASON_TD_HOB = 7,          /* TD HOB list */
	TB_REASON_INITIAL_MAILBOX = 8, /* TDVF's SEC/PEI mailbox */
	TB_REASON_HANDOFF = 9,         /* this handoff blob */
	TB_REASON_GDT = 10,            /* the GDT at kernel entry */
	TB_REASON_KERNEL_IMAGE = 11,
	TB_REASON_MODULE = 12,
	TB_REASON_FRAMEBUFFER = 13,
	TB_REASON_CONFIG = 14,         /* a `reserve` line in the boot entry */
	TB_REASON_SNP_SECRETS = 15,    /* SEV-SNP secrets page */
	TB_REASON_SNP_CPUID = 16,      /* SEV-SNP CPUID page */
	TB_REASON_XEN_SHARED = 17,     /* Xen shared-info / start-info pages */
	TB_REASON_HANDOFF_DATA = 18,   /* buffers the handoff points at (command line, module names) */
};

enum tb_reclaim {
	/* Never: the loader states no condition. The region stays what it is until its user
	 * gives it up (the kernel, for its image, modules and framebuffer); it is then after_type. */
	TB_RECLAIM_NEVER = 0,
	/* After every AP has been woken and has left the page tables it was parked on. Used with
	 * an MP wakeup mailbox of version 0, which has no reset vector (background: TDX). */
	TB_RECLAIM_AFTER_AP_WAKEUP = 1,
	/* As TB_RECLAIM_AFTER_AP_WAKEUP, and only if the kernel will never hand a CPU back to the
	 * firmware through the mailbox's reset vector (ACPI MP wakeup version 1): that path
	 * reloads the firmware's page tables, so a kernel that may use it must keep the region. */
	TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET = 2,
	/* Once the kernel runs on its own page tables, GDT and stack and no longer reads the
	 * handoff (copy what you need first). */
	TB_RECLAIM_AFTER_HANDOFF = 3,
};

enum tb_source {
	TB_SOURCE_EFI_MAP = 0,       /* the UEFI memory map */
	TB_SOURCE_ACPI = 1,          /* ACPI tables (MADT multiprocessor wakeup) */
	TB_SOURCE_TDVF_METADATA = 2, /* the TDVF metadata in the firmware image */
	TB_SOURCE_QUIRK = 3,         /* tagboot's per-platform quirk table */
	TB_SOURCE_CONFIG = 4,        /* the boot entry (`reserve`) */
	TB_SOURCE_LOADER = 5,        /* allocated by tagboot */
};

/* One map entry. Entries are sorted by base, do not overlap, are page aligned and non-empty.
 * An untagged entry has owner NONE, reason NONE, reclaim NEVER and after_type == type. */
struct tb_mem_entry {
	uint64_t base;       /* physical address, multiple of TB_PAGE_SIZE */
	uint64_t length;     /* bytes, multiple of TB_PAGE_SIZE, > 0; base + length <= 2^64 */
	uint32_t type;       /* enum tb_mem_type */
	uint32_t after_type; /* the type this region becomes once `reclaim` holds */
	uint8_t owner;       /* enum tb_owner */
	uint8_t reason;      /* enum tb_reason */
	uint8_t reclaim;     /* enum tb_reclaim */
	uint8_t source;      /* enum tb_source */
	uint32_t reserved;   /* 0 */
};

/* Entries start at offset 16 from the record start; entry i is at 16 + i * entry_size. */
struct tb_rec_memmap {
	struct tb_record hdr;  /* type TB_REC_MEMMAP, version 1 */
	uint32_t entry_size;   /* >= sizeof(struct tb_mem_entry) (32), % 8 == 0 */
	uint32_t entry_count;
	/* struct tb_mem_entry entries[entry_count], each entry_size bytes apart */
};
#define TB_MEMMAP_ENTRIES_OFFSET 16u

/* ---- platform ---- */

enum tb_platform_kind {
	TB_PLATFORM_NONE = 0,    /* bare metal or an unrecognised hypervisor */
	TB_PLATFORM_TDX = 1,     /* Intel TDX guest */
	TB_PLATFORM_SEV_SNP = 2, /* AMD SEV-SNP guest */
	TB_PLATFORM_XEN_HVM = 3, /* Xen HVM guest */
	TB_PLATFORM_KVM = 4,     /* KVM (or QEMU TCG), not confidential */
	TB_PLATFORM_OTHER_HV = 5,/* another hypervisor; see hypervisor_signature */
};

#define TB_PLATFORM_F_HYPERVISOR (1u << 0) /* CPUID.1:ECX[31] */
#define TB_PLATFORM_F_SEV (1u << 1)
#define TB_PLATFORM_F_SEV_ES (1u << 2)
#define TB_PLATFORM_F_SEV_SNP (1u << 3)
#define TB_PLATFORM_F_VIRIDIAN (1u << 4) /* Xen behind a Hyper-V ("Microsoft Hv") leaf */

struct tb_rec_platform {
	struct tb_record hdr;             /* type TB_REC_PLATFORM, version 1 */
	uint32_t kind;                    /* enum tb_platform_kind */
	uint32_t flags;                   /* TB_PLATFORM_F_* */
	uint32_t hypervisor_leaf;         /* CPUID leaf where the signature was found, or 0 */
	uint32_t firmware_revision;       /* EFI_SYSTEM_TABLE.FirmwareRevision */
	char hypervisor_signature[16];    /* 12 CPUID bytes, NUL padded; "" when none */
	char firmware_vendor[64];         /* EFI FirmwareVendor as ASCII ('?' for others), NUL padded */
};

/* ---- ACPI ---- */

struct tb_rec_acpi {
	struct tb_record hdr;  /* type TB_REC_ACPI, version 1 */
	uint64_t rsdp_address; /* physical address of the RSDP; 0 if none */
	uint32_t rsdp_revision;/* RSDP revision byte (0 = ACPI 1.0, RSDT only; 2 = XSDT) */
	uint32_t reserved;
};

/* ---- CPUs and MP wakeup ---- */

#define TB_MP_F_MAILBOX (1u << 0)          /* mailbox_address is valid */
#define TB_MP_F_PARKED_BY_LOADER (1u << 1) /* tagboot parked the APs on this mailbox */
#define TB_MP_F_RESET_VECTOR (1u << 2)     /* reset_vector is valid (mailbox version 1) */

/* ACPI MP wakeup mailbox layout (ACPI 6.4 5.2.12.19), for kernels that use it. */
#define TB_MAILBOX_COMMAND_OFFSET 0u   /* u16: 0 noop, 1 wakeup, 2 test */
#define TB_MAILBOX_APIC_ID_OFFSET 4u   /* u32 */
#define TB_MAILBOX_VECTOR_OFFSET 8u    /* u64 wakeup vector */
#define TB_MAILBOX_CMD_NOOP 0u
#define TB_MAILBOX_CMD_WAKEUP 1u
#define TB_MAILBOX_CMD_TEST 2u

struct tb_rec_mp {
	struct tb_record hdr;     /* type TB_REC_MP, version 1 */
	uint64_t mailbox_address; /* physical address of the 4 KiB mailbox, 0 if none */
	uint64_t reset_vector;    /* MADT wakeup v1 reset vector, 0 if none */
	uint16_t mailbox_version; /* MADT wakeup mailbox version (0 or 1) */
	uint16_t reserved;
	uint32_t flags;           /* TB_MP_F_* */
	uint32_t bsp_apic_id;     /* APIC ID of the CPU that runs the kernel entry */
	uint32_t ap_count;        /* number of enabled (or online-capable) APs in the MADT */
	uint32_t ap_ids_offset;   /* from the record start: u32 apic_id[ap_count] */
	uint32_t reserved2;
	/* version 2 (new in 1.1): every MADT processor that is enabled or online capable, the BSP
	 * and hot-plug slots included, in MADT order */
	uint32_t cpu_count;       /* entries at cpus_offset */
	uint32_t cpus_offset;     /* from the record start: cpu_count entries, cpu_entry_size apart */
	uint32_t cpu_entry_size;  /* >= sizeof(struct tb_mp_cpu) (16), % 4 == 0 */
	uint32_t reserved3;
};
#define TB_MP_V1_SIZE 48u

#define TB_MP_F_X2APIC_MODE (1u << 3) /* (1.1) the BSP's local APIC is in x2APIC mode at entry */

#define TB_CPU_F_BSP (1u << 0)            /* the CPU that runs the kernel entry */
#define TB_CPU_F_ENABLED (1u << 1)        /* MADT Enabled: a CPU that exists now */
#define TB_CPU_F_ONLINE_CAPABLE (1u << 2) /* MADT Online Capable: a hot-plug slot when not enabled */
#define TB_CPU_F_X2APIC (1u << 3)         /* listed by a Processor Local x2APIC structure (type 9) */

/* One processor of the MADT (MP record version 2). */
struct tb_mp_cpu {
	uint32_t apic_id;  /* local (x2)APIC ID */
	uint32_t acpi_uid; /* ACPI processor UID: the _UID of its processor object */
	uint32_t flags;    /* TB_CPU_F_* */
	uint32_t reserved;
};

/* ---- framebuffer ---- */

enum tb_pixel_format {
	TB_PIXEL_RGBX8 = 0,  /* byte 0 red */
	TB_PIXEL_BGRX8 = 1,  /* byte 0 blue */
	TB_PIXEL_BITMASK = 2,/* see the masks */
};

struct tb_rec_framebuffer {
	struct tb_record hdr; /* type TB_REC_FRAMEBUFFER, version 1 */
	uint64_t address;     /* physical */
	uint64_t size;        /* bytes */
	uint32_t width;       /* pixels */
	uint32_t height;      /* pixels */
	uint32_t pitch;       /* bytes per scan line */
	uint32_t bpp;         /* bits per pixel */
	uint32_t format;      /* enum tb_pixel_format */
	uint32_t red_mask, green_mask, blue_mask;
};

/* ---- command line ---- */

struct tb_rec_cmdline {
	struct tb_record hdr; /* type TB_REC_CMDLINE, version 1 */
	uint32_t length;      /* bytes, without the NUL */
	uint32_t offset;      /* from the record start: char text[length + 1], NUL-terminated UTF-8 */
};

/* ---- modules ---- */

struct tb_rec_module {
	struct tb_record hdr; /* type TB_REC_MODULE, version 1 */
	uint64_t base;        /* physical, page aligned; the map tags it TB_MEM_MODULE */
	uint64_t size;        /* bytes of file content */
	uint32_t name_length; /* bytes, without the NUL */
	uint32_t name_offset; /* from the record start: NUL-terminated UTF-8 name */
	/* version 2 (new in 1.1) */
	uint32_t string_length; /* bytes of the entry's string for the module, without the NUL */
	uint32_t string_offset; /* from the record start: NUL-terminated UTF-8 string ("" if none) */
};
#define TB_MODULE_V1_SIZE 32u

/* ---- EFI ---- */

struct tb_rec_efi {
	struct tb_record hdr;     /* type TB_REC_EFI, version 1 */
	uint64_t system_table;    /* physical address of EFI_SYSTEM_TABLE */
	uint32_t desc_size;       /* bytes per EFI_MEMORY_DESCRIPTOR as the firmware gave them */
	uint32_t desc_version;    /* EFI_MEMORY_DESCRIPTOR_VERSION */
	uint32_t desc_count;      /* runtime descriptors that follow */
	uint32_t map_offset;      /* from the record start: the runtime descriptors (attribute
	                           * EFI_MEMORY_RUNTIME), raw, for SetVirtualAddressMap */
};

/* ---- timestamps ---- */

struct tb_rec_timestamps {
	struct tb_record hdr;     /* type TB_REC_TIMESTAMPS, version 1 */
	uint64_t tsc_loader_entry;/* RDTSC at efi_main */
	uint64_t tsc_before_exit; /* RDTSC just before the final GetMemoryMap/ExitBootServices */
	uint64_t tsc_jump;        /* RDTSC just before the jump to the kernel */
	uint64_t tsc_ap_park_start; /* RDTSC when AP parking began, 0 if the loader parked none */
	uint64_t tsc_ap_park_end;   /* RDTSC when every AP had reported parked, 0 if none */
};

/* ---- loader ---- */

struct tb_rec_loader {
	struct tb_record hdr; /* type TB_REC_LOADER, version 1 */
	uint16_t version_major;
	uint16_t version_minor;
	uint16_t version_patch;
	uint16_t reserved;
	char name[24];        /* "tagboot", NUL padded */
	char version[32];     /* free-form version string, NUL padded */
};

/* ---- new in 1.1: kernel image ---- */

struct tb_rec_kernel {
	struct tb_record hdr; /* type TB_REC_KERNEL, version 1 */
	uint64_t phys_base;   /* lowest physical address of the image (the lowest PT_LOAD p_paddr) */
	uint64_t virt_base;   /* the virtual address phys_base is mapped at */
	uint64_t size;        /* bytes from phys_base to the end of the highest PT_LOAD */
	uint64_t entry;       /* the entry point (virtual) the loader jumped to */
	uint64_t stack_base;  /* lowest address of the entry stack (identity mapped) */
	uint64_t stack_size;  /* bytes of the entry stack; RSP at entry = stack_base + stack_size - 8 */
};

/* ---- new in 1.1: higher-half direct map ---- */

/* Physical address p in [0, size) is mapped, writable, at virtual offset + p, with pages of
 * page_size bytes, in the page tables at kernel entry. Present only when the kernel's request
 * note asked for it (TB_REQ_DIRECT_MAP_YES). */
struct tb_rec_direct_map {
	struct tb_record hdr; /* type TB_REC_DIRECT_MAP, version 1 */
	uint64_t offset;      /* virtual address of physical 0; canonical, 1 GiB aligned */
	uint64_t size;        /* bytes mapped from physical 0: at least to the top of the memory map
	                       * and at least 4 GiB, a multiple of 1 GiB (it may cover holes) */
	uint32_t page_size;   /* bytes per page of the mapping (2 MiB) */
	uint32_t reserved;
};
#define TB_DIRECT_MAP_DEFAULT_OFFSET 0xffff800000000000ull

/* ---- new in 1.1: the full EFI memory map ---- */

/* The final map ExitBootServices accepted, every descriptor as the firmware returned it
 * (types, attributes, boot-services regions: nothing normalized). Same layout rules as the
 * runtime descriptors of TB_REC_EFI. */
struct tb_rec_efi_map {
	struct tb_record hdr;  /* type TB_REC_EFI_MAP, version 1 */
	uint32_t desc_size;    /* bytes from one EFI_MEMORY_DESCRIPTOR to the next (>= 40) */
	uint32_t desc_version; /* EFI_MEMORY_DESCRIPTOR_VERSION */
	uint32_t desc_count;   /* descriptors at map_offset */
	uint32_t map_offset;   /* from the record start */
};

/* ---- new in 1.1: SMBIOS ---- */

struct tb_rec_smbios {
	struct tb_record hdr;  /* type TB_REC_SMBIOS, version 1 */
	uint64_t entry32;      /* physical address of the SMBIOS 2.x entry point ("_SM_"), 0 if none */
	uint64_t entry64;      /* physical address of the SMBIOS 3.x entry point ("_SM3_"), 0 if none */
};

/* ---- new in 1.1: boot device ---- */

#define TB_BOOT_DEVICE_F_GPT (1u << 0)      /* partition_guid and partition_number are valid */
#define TB_BOOT_DEVICE_F_XBOOTLDR (1u << 1) /* the kernel came from the XBOOTLDR partition */
#define TB_BOOT_DEVICE_F_DISK_GUID (1u << 2)/* disk_guid is valid (read from the GPT header) */

/* The partition the kernel file was read from. GUIDs in the byte order of the GPT on disk
 * (the first three fields little-endian, as EFI_GUID). */
struct tb_rec_boot_device {
	struct tb_record hdr;      /* type TB_REC_BOOT_DEVICE, version 1 */
	uint8_t disk_guid[16];     /* GPT header DiskGUID */
	uint8_t partition_guid[16];/* GPT entry UniquePartitionGUID */
	uint32_t partition_number; /* 1-based GPT entry number, 0 if unknown */
	uint32_t flags;            /* TB_BOOT_DEVICE_F_* */
	uint32_t path_length;      /* bytes of the kernel's path, without the NUL */
	uint32_t path_offset;      /* from the record start: NUL-terminated path as the entry wrote it */
};

/* ---- new in 1.1: TSC frequency ---- */

enum tb_tsc_source {
	TB_TSC_SOURCE_NONE = 0,          /* frequency unknown (0) */
	TB_TSC_SOURCE_CPUID_15H = 1,     /* CPUID leaf 0x15 (crystal clock x ratio) */
	TB_TSC_SOURCE_FIRMWARE_STALL = 2,/* counted across the firmware's Stall() before the exit */
};

#define TB_TSC_F_INVARIANT (1u << 0) /* CPUID.80000007H:EDX[8]: the rate does not change */

struct tb_rec_tsc {
	struct tb_record hdr;  /* type TB_REC_TSC, version 1 */
	uint64_t frequency_hz; /* TSC ticks per second on the BSP, 0 if unknown */
	uint32_t source;       /* enum tb_tsc_source */
	uint32_t flags;        /* TB_TSC_F_* */
};

/* ---- new in 1.1: wall-clock time ---- */

#define TB_TIME_F_VALID (1u << 0)           /* the fields are in range and unix_seconds holds */
#define TB_TIME_F_ZONE_UNSPECIFIED (1u << 1)/* no time zone given: taken as UTC */

struct tb_rec_time {
	struct tb_record hdr;  /* type TB_REC_TIME, version 1 */
	int64_t unix_seconds;  /* seconds since 1970-01-01 00:00:00 UTC */
	uint64_t tsc;          /* RDTSC on the BSP when the clock was read */
	uint32_t nanosecond;   /* 0..999999999 */
	uint16_t year;         /* the firmware's fields, as GetTime returned them */
	uint8_t month, day, hour, minute, second;
	uint8_t daylight;      /* EFI_TIME.Daylight */
	int16_t time_zone;     /* minutes from UTC (local = UTC - time_zone), 2047 = unspecified */
	uint16_t flags;        /* TB_TIME_F_* */
};

/* ---- new in 1.1: requests in the kernel image ---- */

/*
 * A kernel states what it needs with one ELF note: owner "tagboot", type TB_NOTE_REQUEST,
 * descriptor struct tb_request, in a PT_NOTE segment. TB_REQUEST() below emits it. The loader
 * reads it before ExitBootServices, grants it or refuses the boot with a message naming the
 * field, and reports the result in TB_REC_REQUEST. Every field is u32 so the descriptor has
 * no padding after the 20-byte note header.
 */
#define TB_NOTE_NAME "tagboot"
#define TB_NOTE_REQUEST 0x54420001u

enum tb_req_ap_park {
	TB_REQ_AP_PARK_DEFAULT = 0, /* as the boot entry says (no `ap-park` line: leave them) */
	TB_REQ_AP_PARK_NONE = 1,    /* leave the APs as the firmware left them */
	TB_REQ_AP_PARK_MAILBOX = 2, /* park them on an MP wakeup mailbox unless the firmware does */
};
#define TB_REQ_AP_PARK_MAX 2

enum tb_req_framebuffer {
	TB_REQ_FRAMEBUFFER_DEFAULT = 0, /* a framebuffer record if there is a framebuffer */
	TB_REQ_FRAMEBUFFER_REQUIRED = 1,/* refuse the boot without a framebuffer */
	TB_REQ_FRAMEBUFFER_NONE = 2,    /* no framebuffer record (the map still tags its memory) */
};
#define TB_REQ_FRAMEBUFFER_MAX 2

enum tb_req_direct_map {
	TB_REQ_DIRECT_MAP_NO = 0,  /* no direct map (the identity map only) */
	TB_REQ_DIRECT_MAP_YES = 1, /* map all memory at direct_map_offset (TB_REC_DIRECT_MAP) */
};
#define TB_REQ_DIRECT_MAP_MAX 1

#define TB_REQ_STACK_DEFAULT (64u * 1024u)         /* stack_size 0 */
#define TB_REQ_STACK_MAX (16u * 1024u * 1024u)     /* larger requests are refused */

struct tb_request {
	uint32_t size;                  /* sizeof(struct tb_request) as the kernel knew it (>= 32) */
	uint32_t min_minor;             /* refuse to boot if the loader writes an older minor */
	uint32_t flags;                 /* 0 (no flags defined yet; other bits are refused) */
	uint8_t ap_park;                /* enum tb_req_ap_park */
	uint8_t framebuffer;            /* enum tb_req_framebuffer */
	uint8_t direct_map;             /* enum tb_req_direct_map */
	uint8_t reserved;               /* 0 */
	uint32_t stack_size;            /* bytes of entry stack, 0 = TB_REQ_STACK_DEFAULT */
	uint32_t direct_map_offset_lo;  /* 0 and 0 = TB_DIRECT_MAP_DEFAULT_OFFSET */
	uint32_t direct_map_offset_hi;
	uint32_t reserved2;             /* 0 */
};

/* The whole note as it sits in the image (ELF64 notes: 4-byte aligned words). */
struct tb_request_note {
	uint32_t namesz; /* 8 */
	uint32_t descsz; /* sizeof(struct tb_request) */
	uint32_t type;   /* TB_NOTE_REQUEST */
	char name[8];    /* "tagboot" */
	struct tb_request desc;
};

/* In one C file of the kernel: TB_REQUEST(.min_minor = 1, .direct_map = TB_REQ_DIRECT_MAP_YES);
 * The section name starts with .note so that linkers put it in a PT_NOTE segment; a linker
 * script must keep it (KEEP(*(.note.tagboot))) and give it a PT_NOTE program header. */
#define TB_REQUEST(...)                                                              \
	__attribute__((section(".note.tagboot"), aligned(4), used))                   \
	static const struct tb_request_note tb_request_note_ = {                      \
		8u, sizeof(struct tb_request), TB_NOTE_REQUEST, TB_NOTE_NAME,         \
		{ .size = sizeof(struct tb_request), __VA_ARGS__ } }

#define TB_REQUEST_F_NOTE_FOUND (1u << 0)   /* the kernel carried a request note */
#define TB_REQUEST_F_ENTRY_AP_PARK (1u << 1)/* the note asked for an ap_park mode, the entry's
                                             * `ap-park` line decided instead */

/* What the kernel asked for (copied from its note, zero without one) and what it got. */
struct tb_rec_request {
	struct tb_record hdr;        /* type TB_REC_REQUEST, version 1 */
	uint32_t flags;              /* TB_REQUEST_F_* */
	uint32_t reserved;
	struct tb_request asked;     /* the note's descriptor (its first 32 bytes) */
	uint32_t granted_minor;      /* the minor version of this blob */
	uint8_t granted_ap_park;     /* TB_REQ_AP_PARK_NONE or _MAILBOX: what the loader did */
	uint8_t granted_framebuffer; /* 1 if a framebuffer record is present, else 0 */
	uint8_t granted_direct_map;  /* 1 if a direct-map record is present, else 0 */
	uint8_t reserved2;
	uint64_t granted_stack_size; /* bytes of the entry stack */
	uint64_t granted_direct_map_offset; /* 0 without a direct map */
};

/* ---------------------------------------------------------------------------------------- */
/* Reader API (handoff/src/, freestanding: no libc, no allocation)                           */
/* ---------------------------------------------------------------------------------------- */

enum tb_status {
	TB_OK = 0,
	TB_ERR_NULL,             /* a required pointer is NULL */
	TB_ERR_TRUNCATED,        /* the buffer is shorter than the header or total_size */
	TB_ERR_MAGIC,            /* magic is not TB_MAGIC */
	TB_ERR_MAJOR,            /* major version is not TB_VERSION_MAJOR */
	TB_ERR_HEADER_SIZE,      /* header_size < 32, not % 8, or > total_size */
	TB_ERR_TOTAL_SIZE,       /* total_size not % 8 */
	TB_ERR_CRC,              /* crc32 does not match */
	TB_ERR_RECORD_ALIGN,     /* a record size is not a multiple of 8 */
	TB_ERR_RECORD_SIZE,      /* a record is smaller than struct tb_record or its fields */
	TB_ERR_RECORD_PAST_END,  /* a record runs past total_size */
	TB_ERR_RECORD_COUNT,     /* record_count disagrees with the records present */
	TB_ERR_NO_MEMMAP,        /* no TB_REC_MEMMAP record */
	TB_ERR_DUPLICATE,        /* a record that must be unique appears twice */
	TB_ERR_ENTRY_SIZE,       /* memmap entry_size too small or not % 8 */
	TB_ERR_ENTRIES_PAST_END, /* memmap entries run past the record */
	TB_ERR_MAP_ALIGN,        /* an entry base or length is not page aligned */
	TB_ERR_MAP_EMPTY_ENTRY,  /* an entry has length 0 */
	TB_ERR_MAP_WRAP,         /* base + length exceeds 2^64 */
	TB_ERR_MAP_UNSORTED,     /* entries are not sorted by base */
	TB_ERR_MAP_OVERLAP,      /* two entries overlap */
	TB_ERR_MAP_USABLE_TAG,   /* a usable-now entry has an owner, reason, reclaim or other after_type */
	TB_ERR_DATA_PAST_END,    /* an offset/length inside a record points outside it */
	TB_ERR_NO_SPACE,         /* a caller buffer is too small */
	TB_ERR_INVALID_ARG,      /* an argument is out of range */
	TB_STATUS_COUNT
};

/* Short English text for a status ("bad magic", ...). Never NULL. */
const char *tb_status_str(enum tb_status status);

/* CRC-32/ISO-HDLC (poly 0xEDB88320 reflected, init and xorout 0xFFFFFFFF), the zlib CRC. */
uint32_t tb_crc32(uint32_t crc, const void *data, size_t length);

/* Check every structural rule of a blob of buf_size bytes. On failure *where (if not NULL)
 * is set to the byte offset of the offending header field, record or entry. */
enum tb_status tb_validate(const void *buf, size_t buf_size, size_t *where);

/* Iterate records of a validated blob: pass NULL to get the first; NULL at the end. */
const struct tb_record *tb_next_record(const void *blob, const struct tb_record *prev);

/* First record of a type (of at least min_size bytes), or NULL. */
const struct tb_record *tb_find_record(const void *blob, uint16_t type, uint32_t min_size);

/* The memory map of a validated blob: entries and count. NULL if absent. */
const struct tb_rec_memmap *tb_memmap(const void *blob);
const struct tb_mem_entry *tb_memmap_entry(const struct tb_rec_memmap *map, uint32_t index);

/* (1.1) Entry i of the MP record's CPU list, or NULL (index out of range, or a version-1
 * record, which has no list). */
const struct tb_mp_cpu *tb_mp_cpu_entry(const struct tb_rec_mp *mp, uint32_t index);
/* (1.1) The entry's string for a module: "" for a version-1 record. */
const char *tb_module_string(const struct tb_rec_module *module);

/* A type as a reader that knows only this header must treat it: unknown becomes RESERVED. */
uint32_t tb_mem_type_known(uint32_t type);

/* Is the page holding addr usable right now (type USABLE)? Binary search. */
bool tb_frame_usable_now(const void *blob, uint64_t addr);
/* Will it be usable once every AP has been woken (and, if no_reset, the kernel never uses the
 * reset vector)? That is: USABLE now, or tagged with a wakeup reclaim whose after_type is
 * USABLE. */
bool tb_frame_usable_after_wakeup(const void *blob, uint64_t addr, bool no_reset);

/* Events a kernel reports to tb_release. */
#define TB_EVENT_APS_WOKEN (1u << 0)     /* every AP woken and off the parking page tables */
#define TB_EVENT_NO_RESET (1u << 1)      /* the kernel will never use the MP reset vector */
#define TB_EVENT_LEFT_HANDOFF (1u << 2)  /* own page tables, GDT, stack; handoff copied */

/* In a writable, validated blob: every entry whose reclaim condition the events satisfy takes
 * its after_type (and becomes untagged); the CRC is updated. *pages (if not NULL) receives the
 * number of pages that became USABLE. */
enum tb_status tb_release(void *blob, uint32_t events, uint64_t *pages);

/* Names for printing: "usable", "ap-held", "page-tables", "after-ap-wakeup", "acpi", ... */
const char *tb_mem_type_name(uint32_t type);
const char *tb_owner_name(uint32_t owner);
const char *tb_reason_name(uint32_t reason);
const char *tb_reclaim_name(uint32_t reclaim);
const char *tb_source_name(uint32_t source);
const char *tb_platform_name(uint32_t kind);

/* ---------------------------------------------------------------------------------------- */
/* Builder API (used by tagboot; usable by any loader)                                       */
/* ---------------------------------------------------------------------------------------- */

/* Precedence when regions overlap: the higher rank wins (docs/handoff.md "Normalization").
 * USABLE < LOADER_RECLAIMABLE < ACPI_RECLAIMABLE < MODULE < KERNEL < FRAMEBUFFER < UNACCEPTED
 * < PERSISTENT < ACPI_NVS < FIRMWARE_RUNTIME < MMIO < RESERVED (and unknown) < AP_HELD < BAD */
unsigned tb_mem_type_rank(uint32_t type);

/* Scratch bytes tb_normalize needs for n input entries. */
size_t tb_normalize_scratch_size(size_t n);

/* Turn raw ranges (only base, length, type are read; any alignment, order, overlap) into a
 * valid map: sorted, non-overlapping, page aligned, neighbours of the same type merged.
 * Overlaps: the higher rank wins. Usable ranges shrink inward to whole pages, every other type
 * grows outward; a range running past 2^64 is clipped there; zero-length ranges vanish.
 * Unknown types become RESERVED. Output entries are untagged. O(n log n), no allocation. */
enum tb_status tb_normalize(const struct tb_mem_entry *in, size_t n, struct tb_mem_entry *out,
                            size_t out_cap, size_t *out_count, void *scratch,
                            size_t scratch_size);

/* Carve a tagged region into a normalized map of *count entries (capacity cap), in place.
 * base/length are aligned outward to pages. Within the region, each piece whose rank is not
 * above region->type takes the region's type and tags, and after_type = the higher-ranked of
 * region->after_type and the piece's own after_type (so a tag over ACPI NVS releases back to
 * ACPI NVS, never to usable). Holes in the map inside the region are filled with after_type
 * RESERVED. Neighbours that become identical are merged. O(n) per call. */
enum tb_status tb_map_tag(struct tb_mem_entry *map, size_t *count, size_t cap,
                          const struct tb_mem_entry *region);

/* Building a blob in a caller buffer. */
struct tb_builder {
	uint8_t *buf;
	size_t cap;
	size_t used;
	uint32_t records;
	enum tb_status error; /* first error; later calls do nothing */
};

void tb_builder_init(struct tb_builder *b, void *buf, size_t cap, uint32_t flags);
/* Append a record of `size` bytes (rounded up to 8), header filled in, body zeroed; returns a
 * pointer to it or NULL (b->error set). */
void *tb_builder_add(struct tb_builder *b, uint16_t type, uint8_t version, uint32_t size);
/* Append the memory map record with `count` entries copied from `entries`. */
struct tb_rec_memmap *tb_builder_add_memmap(struct tb_builder *b,
                                            const struct tb_mem_entry *entries, size_t count);
/* Set total_size and the CRC. Returns b->error; on TB_OK *size is the blob size. */
enum tb_status tb_builder_finish(struct tb_builder *b, size_t *size);

/* Recompute the CRC of a blob after changing it in place. */
void tb_reseal(void *blob);

#ifdef __cplusplus
}
#endif

#endif /* TAGBOOT_HANDOFF_H */
