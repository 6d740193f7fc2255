/* acpi_publish.h: tagboot's own ACPI root (RSDP, XSDT, RSDT) and a MADT that carries an MP wakeup structure. */
#ifndef TAGBOOT_ACPI_PUBLISH_H
#define TAGBOOT_ACPI_PUBLISH_H

/*
 * An OS learns of an ACPI MP wakeup mailbox only from the MADT (ACPI 6.4 5.2.12.19): Linux
 * 6.1 parses a type 0x10 structure on any x86-64 machine and then wakes every AP through the
 * mailbox instead of INIT-SIPI (arch/x86/kernel/acpi/boot.c, acpi_parse_mp_wake). When the
 * loader parks the APs itself (`ap-park mailbox`) it therefore publishes copies of the
 * firmware's root tables: a new RSDP (revision 2) -> new XSDT and RSDT -> new MADT, which is
 * the firmware's MADT with one version 0 wakeup structure appended. Every other table (FADT,
 * DSDT, ...) is shared with the firmware, whose own tables stay untouched. The kernel is told
 * the new RSDP directly (Linux: boot_params.acpi_rsdp_addr).
 *
 * Layout in the buffer, each part 16-byte aligned: RSDP (36 bytes), XSDT, RSDT (only when the
 * buffer and every table lie below 4 GiB, as its 32-bit entries require), MADT.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

#define ACPI_PUBLISH_WAKEUP_LEN 16u   /* MP wakeup structure, version 0 (no reset vector) */
#define ACPI_PUBLISH_RSDP_LEN 36u

/* Bytes acpi_publish_wakeup needs for the walk in info (acpi_parse succeeded, madt_found). */
uint64_t acpi_publish_size(const struct acpi_info *info);

/*
 * Build the tables into buf (buf_size bytes at physical buf_phys, 16-byte aligned) from the
 * firmware tables that info was parsed from (rsdp_phys: the firmware RSDP; mem reads them),
 * with a wakeup structure for the version 0 mailbox at mailbox (4 KiB aligned). On success
 * *rsdp_out is the physical address of the new RSDP. On failure returns false with err
 * (ACPI_ERROR_MAX bytes) naming the table and the reason; buf may then be partly written.
 */
bool acpi_publish_wakeup(const struct acpi_mem *mem, uint64_t rsdp_phys,
                         const struct acpi_info *info, uint64_t mailbox, void *buf,
                         uint64_t buf_phys, uint64_t buf_size, uint64_t *rsdp_out, char *err);

#endif /* TAGBOOT_ACPI_PUBLISH_H */
