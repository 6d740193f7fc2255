/* kernel.h: the sample kernel's C entry point, called by entry.S on its own stack. */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <stdint.h>

/* handoff_phys: RDI at entry, the physical (identity-mapped) address of the handoff blob. */
__attribute__((noreturn)) void kernel_main(uint64_t handoff_phys);

#endif
