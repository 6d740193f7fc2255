/* decode.h: the parts of `handoff decode` that print a validated blob (records, memory map). */
#ifndef TAGBOOT_TOOL_DECODE_H
#define TAGBOOT_TOOL_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "tagboot_handoff.h"

/* A flag word as "0x5 (name, name)": names[bit] for the known bits, bitN for the rest. */
void records_flags(uint32_t flags, const char *const *names, unsigned count);
/* "      reserved field NAME is 0x.. (should be 0)" when value is not 0; nothing otherwise. */
void records_reserved(const char *name, uint64_t value);
/* A fixed-size text field up to its first NUL (or all cap bytes), quoted and escaped. */
void records_text_field(const char *text, size_t cap);
/* One line (or a few) per record, in blob order; unknown types are listed and skipped. */
void records_print(const void *blob);

/* The records new in 1.1 (records11.c), each printing the fields of a validated record. */
void records11_kernel(const void *rec);
void records11_direct_map(const void *rec);
void records11_efi_map(const void *rec);
void records11_smbios(const void *rec);
void records11_boot_device(const void *rec);
void records11_tsc(const void *rec);
void records11_time(const void *rec);
void records11_request(const void *rec);

/* count raw EFI_MEMORY_DESCRIPTORs at offset in a validated record, one line each, starting
 * "      LABEL: efi type N (Name), phys ...". */
void efidesc_print(const void *rec, uint32_t offset, uint32_t desc_size, uint32_t count,
                   const char *label);

/* The memory map as a table, then the totals. */
void maptable_print(const struct tb_rec_memmap *map);
/* The table alone (what maptable_print prints before its totals). */
void maptable_print_entries(const struct tb_rec_memmap *map);
/* A size in the largest binary unit that states it exactly ("636 KiB", "2 MiB"), in buf. */
const char *maptable_size(uint64_t bytes, char *buf, size_t cap);

#endif /* TAGBOOT_TOOL_DECODE_H */
