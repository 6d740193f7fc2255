/* efimap.h: UEFI memory descriptors -> tagboot map entries (type mapping, conversion, runtime list). */
#ifndef TAGBOOT_EFIMAP_H
#define TAGBOOT_EFIMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tagboot_handoff.h"

/* EFI_MEMORY_TYPE values (UEFI 2.10 section 7.2, EFI_BOOT_SERVICES.AllocatePages()). Our own
 * names so that this file needs no EFI headers. */
#define EFIMAP_RESERVED_MEMORY 0u
#define EFIMAP_LOADER_CODE 1u
#define EFIMAP_LOADER_DATA 2u
#define EFIMAP_BOOT_SERVICES_CODE 3u
#define EFIMAP_BOOT_SERVICES_DATA 4u
#define EFIMAP_RUNTIME_SERVICES_CODE 5u
#define EFIMAP_RUNTIME_SERVICES_DATA 6u
#define EFIMAP_CONVENTIONAL_MEMORY 7u
#define EFIMAP_UNUSABLE_MEMORY 8u
#define EFIMAP_ACPI_RECLAIM_MEMORY 9u
#define EFIMAP_ACPI_MEMORY_NVS 10u
#define EFIMAP_MEMORY_MAPPED_IO 11u
#define EFIMAP_MEMORY_MAPPED_IO_PORT_SPACE 12u
#define EFIMAP_PAL_CODE 13u
#define EFIMAP_PERSISTENT_MEMORY 14u
#define EFIMAP_UNACCEPTED_MEMORY 15u /* UEFI 2.9 */
#define EFIMAP_TYPE_COUNT 16u

/* Attribute bits (UEFI 2.10 section 7.2, GetMemoryMap()). */
#define EFIMAP_ATTR_WB (1ull << 3)       /* EFI_MEMORY_WB: cacheable write-back */
#define EFIMAP_ATTR_SP (1ull << 18)      /* EFI_MEMORY_SP: specific-purpose memory */
#define EFIMAP_ATTR_RUNTIME (1ull << 63) /* EFI_MEMORY_RUNTIME */
/* EFI_MEMORY_DESCRIPTOR: Type u32 @0, PhysicalStart u64 @8, VirtualStart u64 @16,
 * NumberOfPages u64 @24, Attribute u64 @32; 40 bytes. Firmware may use a larger stride
 * (OVMF: 48), so always step by the DescriptorSize it returned. */
#define EFIMAP_DESC_MIN_SIZE 40u
#define EFIMAP_PAGE_SIZE 4096ull

/* The tagboot type of an EFI memory type (unknown and OEM/OS ranges -> TB_MEM_RESERVED). */
uint32_t efimap_type_to_tb(uint32_t efi_type);
/* The tagboot type of one descriptor: efimap_type_to_tb, except that RAM the kernel could
 * not use as ordinary memory stays reserved: without EFI_MEMORY_WB (it cannot be mapped
 * cacheable) or with EFI_MEMORY_SP (set aside for a specific purpose; Linux calls it soft
 * reserved). Linux's EFI memory-map code makes the same two exceptions. */
uint32_t efimap_desc_to_tb(uint32_t efi_type, uint64_t attribute);
/* The spec name without the Efi prefix ("ConventionalMemory"), or "Unknown". */
const char *efimap_type_name(uint32_t efi_type);

/* One descriptor decoded (fields of the raw descriptor at index i). */
struct efimap_desc {
	uint32_t type;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages;
	uint64_t attribute;
};
/* Decode descriptor index of a map. Returns false if it lies outside map_size or desc_size
 * is below EFIMAP_DESC_MIN_SIZE. */
bool efimap_get(const void *map, size_t map_size, size_t desc_size, size_t index,
                struct efimap_desc *out);

/* Convert every descriptor (map_size / desc_size of them; a partial tail is ignored) into a raw
 * range (base, length = pages * 4096 clipped at 2^64, type mapped, untagged) in out[0..cap).
 * Errors: TB_ERR_NULL, TB_ERR_INVALID_ARG (desc_size < 40), TB_ERR_NO_SPACE (cap too small;
 * *count then holds the number needed). */
enum tb_status efimap_convert(const void *map, size_t map_size, size_t desc_size,
                              struct tb_mem_entry *out, size_t cap, size_t *count);

/* Copy the raw descriptors (desc_size bytes each, unchanged) whose Attribute has
 * EFIMAP_ATTR_RUNTIME into out (out_size bytes), for TB_REC_EFI. *count receives how many;
 * TB_ERR_NO_SPACE if they do not fit (*count then holds the number needed). */
enum tb_status efimap_runtime_descs(const void *map, size_t map_size, size_t desc_size,
                                    void *out, size_t out_size, size_t *count);

/* Scratch bytes efimap_build needs for a map of map_size bytes (desc_size stride). */
size_t efimap_build_scratch_size(size_t map_size, size_t desc_size);
/* Convert and tb_normalize in one step into out[0..out_cap); scratch holds the raw ranges and
 * the normaliser's scratch (see efimap_build_scratch_size). */
enum tb_status efimap_build(const void *map, size_t map_size, size_t desc_size,
                            struct tb_mem_entry *out, size_t out_cap, size_t *out_count,
                            void *scratch, size_t scratch_size);

/* One retyping for efimap_retype: [base, base + length), rounded out to whole pages. */
struct efimap_override {
	uint64_t base;
	uint64_t length;
	uint32_t efi_type; /* EFIMAP_* */
};

/* Descriptors of memory the OS may treat as RAM once boot services are gone (conventional,
 * loader and boot-services code and data): only these are ever retyped. */
bool efimap_is_ram_type(uint32_t efi_type);

/*
 * Copy the map (map_size bytes, desc_size stride) into out (out_cap bytes), giving every
 * RAM-type descriptor (efimap_is_ram_type) the override's type where an override covers it,
 * split into up to three descriptors per override where it covers only part. Descriptors of
 * other types are copied unchanged: an override never turns firmware or device memory into
 * anything else. Overrides must be sorted by base and must not overlap. Bytes beyond the 40
 * defined ones are copied from the original descriptor; split pieces get VirtualStart 0.
 * *out_size gets the bytes written. TB_ERR_NO_SPACE if out is too small (each override can add
 * at most two descriptors to the map), TB_ERR_INVALID_ARG for desc_size < 40.
 */
enum tb_status efimap_retype(const void *map, size_t map_size, size_t desc_size,
                             const struct efimap_override *ov, size_t ov_count, void *out,
                             size_t out_cap, size_t *out_size);

#endif /* TAGBOOT_EFIMAP_H */
