/* paging.h: the kernel's own page tables, built in frames from the frame allocator. */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdbool.h>
#include <stdint.h>

/* Virtual = physical + this for the kernel image (kernel.ld KERNEL_VIRT_OFFSET). */
#define PAGING_KERNEL_OFFSET 0xffffffff80000000ull

/* Identity-map every 2 MiB chunk that holds a non-MMIO map entry of the handoff, the page at
 * lapic_phys uncached (if not 0), and the kernel image at its higher-half address. Returns the
 * PML4's physical address, or 0 if the allocator ran dry. */
uint64_t paging_build(const void *handoff, uint64_t lapic_phys);
/* Highest physical address (exclusive) the identity map covers. */
uint64_t paging_identity_top(void);
/* Is [phys, phys + length) inside the identity map? */
bool paging_identity_mapped(uint64_t phys, uint64_t length);

/* kernel.ld */
extern char __kernel_start[];
extern char __kernel_end[];

#endif
