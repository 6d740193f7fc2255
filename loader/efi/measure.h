/* measure.h: measured boot of native entries through EFI_TCG2_PROTOCOL and EFI_CC_MEASUREMENT_PROTOCOL. */
#ifndef TAGBOOT_MEASURE_H
#define TAGBOOT_MEASURE_H

#include "efi_glue.h"
#include "shield.h"

/* PCRs (docs/security.md "Measured boot"): files the kernel runs or reads, and what the loader
 * tells it (command line, handoff plan). */
#define MEASURE_PCR_FILES 9u
#define MEASURE_PCR_PARAMS 12u
#define MEASURE_EV_IPL 0x0000000Du

/* Find the TCG2 and CC measurement protocols; when either is there, point
 * facts->measure_file at the kernel/module measurement. Logs what it found. */
void measure_init(struct fw *fw, struct boot_facts *facts);

/* Before ExitBootServices of a native entry: measure the command line and the handoff plan
 * into PCR 12, then log the TPM's PCR 9 and 12 (SHA-256 bank). No-op without a protocol. */
void measure_native_final(struct fw *fw, const struct boot_native *bn);

/* Before StartImage of a chainloaded entry: the ranges the shield allocated (shield.h), as one
 * EV_IPL event into PCR 12 whose data is its own text. No-op without a protocol or a range. */
void measure_shield(struct fw *fw, const struct shield_plan *plan, const struct tagging_input *in);

#endif /* TAGBOOT_MEASURE_H */
