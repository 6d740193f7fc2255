/* lapic.h: sending INIT and STARTUP IPIs through the local APIC (xAPIC MMIO or x2APIC MSRs). */
#ifndef KERNEL_LAPIC_H
#define KERNEL_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Pick xAPIC (MMIO at mmio_phys, identity mapped and uncached) or x2APIC (if IA32_APIC_BASE
 * says x2APIC mode is on). */
void lapic_init(uint64_t mmio_phys);
bool lapic_is_x2apic(void);
/* INIT, then two STARTUP IPIs with vector page (Intel SDM vol. 3A 8.4.4.1). Returns false if
 * the ICR never reported the IPI as sent. */
bool lapic_start_ap(uint32_t apic_id, uint8_t vector_page);

#endif
