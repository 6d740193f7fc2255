/* appark_efi.h: starting the APs into the loader's parking area after ExitBootServices. */
#ifndef TAGBOOT_APPARK_EFI_H
#define TAGBOOT_APPARK_EFI_H

#include "appark.h"

/* Fill the parking area of a placed layout (loop code, page tables, IDT, empty mailbox),
 * send INIT-SIPI-SIPI to every AP of the layout and wait, bounded, until each has reported
 * in the loop. For boot_facts.park_aps; no firmware calls. */
void appark_efi_park(const struct appark_layout *layout, struct appark_result *result);

#endif /* TAGBOOT_APPARK_EFI_H */
