/* boot_elf.h: the handoff-kernel boot protocol: an ELF kernel placed at its physical addresses, its modules, the log line. */
#ifndef TAGBOOT_BOOT_ELF_H
#define TAGBOOT_BOOT_ELF_H

#include <stdbool.h>
#include <stdint.h>

#include "elf.h"

struct boot_native;
struct boot_native_err;

/* Read the kernel (pin, elf_check), place and copy every PT_LOAD, read the modules (pins).
 * On failure fills err and returns false (the caller frees the allocations). */
bool boot_elf_load(struct boot_native *bn, struct boot_native_err *err);

/* The pages [*first, *end) a segment occupies; false when the page-rounded end would not be
 * an address (no segment that wraps is ever "placed"). */
bool boot_elf_segment_pages(const struct elf_segment *seg, uint64_t *first, uint64_t *end);

/* "loaded PATH: N segments at A-B, entry E, M modules, C CPUs[, mailbox X]". */
void boot_elf_log_loaded(struct boot_native *bn);

#endif /* TAGBOOT_BOOT_ELF_H */
