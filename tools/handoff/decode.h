/* decode.h: the parts of `handoff decode` that print a validated blob (records, memory map). */
#ifndef TAGBOOT_TOOL_DECODE_H
#define TAGBOOT_TOOL_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "tagboot_handoff.h"

/* A flag word as "0x5 (name, name)": names[bit] for the known bits, bitN for the rest. */
void records_flags(uint32_t flags, const char *const *names, unsigned count);
/* One line (or a few) per record, in blob order; unknown types are listed and skipped. */
void records_print(const void *blob);
/* The memory map as a table, then the totals. */
void maptable_print(const struct tb_rec_memmap *map);
/* The table alone (what maptable_print prints before its totals). */
void maptable_print_entries(const struct tb_rec_memmap *map);
/* A size in the largest binary unit that states it exactly ("636 KiB", "2 MiB"), in buf. */
const char *maptable_size(uint64_t bytes, char *buf, size_t cap);

#endif /* TAGBOOT_TOOL_DECODE_H */
