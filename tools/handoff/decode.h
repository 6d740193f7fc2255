/* decode.h: the parts of `handoff decode` that print a validated blob (records, memory map). */
#ifndef TAGBOOT_TOOL_DECODE_H
#define TAGBOOT_TOOL_DECODE_H

#include <stdint.h>

#include "tagboot_handoff.h"

/* A flag word as "0x5 (name, name)": names[bit] for the known bits, bitN for the rest. */
void records_flags(uint32_t flags, const char *const *names, unsigned count);
/* One line (or a few) per record, in blob order; unknown types are listed and skipped. */
void records_print(const void *blob);
/* The memory map as a table, then the totals. */
void maptable_print(const struct tb_rec_memmap *map);

#endif /* TAGBOOT_TOOL_DECODE_H */
