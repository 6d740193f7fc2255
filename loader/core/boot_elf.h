/* boot_elf.h: the handoff-kernel boot protocol: an ELF kernel placed at its physical addresses, its modules, the log line. */
#ifndef TAGBOOT_BOOT_ELF_H
#define TAGBOOT_BOOT_ELF_H

#include <stdbool.h>

struct boot_native;
struct boot_native_err;

/* Read the kernel (pin, elf_check), place and copy every PT_LOAD, read the modules (pins).
 * On failure fills err and returns false (the caller frees the allocations). */
bool boot_elf_load(struct boot_native *bn, struct boot_native_err *err);

/* "loaded PATH: N segments at A-B, entry E, M modules, C CPUs[, mailbox X]". */
void boot_elf_log_loaded(struct boot_native *bn);

#endif /* TAGBOOT_BOOT_ELF_H */
