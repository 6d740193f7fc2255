/* verify.h: checks each handoff 1.1 record against what the kernel can see for itself. */
#ifndef KERNEL_VERIFY_H
#define KERNEL_VERIFY_H

#include <stdint.h>

#include "options.h"
#include "tagboot_handoff.h"

/* On the loader's page tables, before the kernel touches memory: the request and its grant,
 * the kernel record (own symbols, entry RSP), the direct map (reads and writes through it),
 * the full EFI map against the handoff map, SMBIOS anchors, the TSC against the PIT, the time
 * against the CMOS clock, the MP CPU list against this CPU, the boot device, module strings.
 * Any disagreement ends the boot with RESULT: FAIL verify: ... */
void verify_handoff_1_1(const void *blob, uint64_t handoff_phys, const struct options *o);

#endif
