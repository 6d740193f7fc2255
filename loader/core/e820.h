/* e820.h: the tagged handoff map as a Linux e820 table, and the EFI-map overrides that keep both telling the same story. */
#ifndef TAGBOOT_E820_H
#define TAGBOOT_E820_H

/*
 * The one mapping from handoff types to e820 types (docs/linux.md, "The e820 table"). RAM is
 * what Linux may hand out: free memory, and what tagboot placed there for Linux that Linux
 * copies or reserves itself (the kernel image, the initrd, boot_params, the command line,
 * setup_data, the EFI map). Memory that is live at kernel entry for someone else (parked APs,
 * firmware hazards, `reserve` lines) is never RAM. E820 type numbers: Linux
 * arch/x86/include/asm/e820/types.h.
 */

#include <stddef.h>
#include <stdint.h>

#include "efimap.h"
#include "tagboot_handoff.h"

#define E820_TYPE_RAM 1u
#define E820_TYPE_RESERVED 2u
#define E820_TYPE_ACPI 3u
#define E820_TYPE_NVS 4u
#define E820_TYPE_UNUSABLE 5u
#define E820_TYPE_PMEM 7u

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* The e820 type of one handoff map entry. */
uint32_t e820_type_of(const struct tb_mem_entry *e);

/* "usable", "reserved", "ACPI data", "ACPI NVS", "unusable", "persistent (type 7)": the words
 * Linux prints in its BIOS-e820 lines. */
const char *e820_type_name(uint32_t type);

/* The sorted, non-overlapping handoff map (n entries) as e820 entries, neighbours of one type
 * merged, into out[0..cap). Returns how many there are; if more than cap, only cap were
 * written (the caller sizes out by n, which always suffices). */
size_t e820_from_map(const struct tb_mem_entry *map, size_t n, struct e820_entry *out,
                     size_t cap);

/* For every handoff entry that e820 withholds from Linux (its e820 type is not RAM), an EFI
 * override (efimap_retype) with the EFI type that says the same, so that the EFI map given to
 * the kernel does not call it conventional memory. Sorted as the map. Returns how many
 * (at most n; only cap written). */
size_t e820_withheld(const struct tb_mem_entry *map, size_t n, struct efimap_override *out,
                     size_t cap);

#endif /* TAGBOOT_E820_H */
