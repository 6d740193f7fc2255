/* smp.h: finding the application processors and bringing every one of them up. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdbool.h>
#include <stdint.h>

#define SMP_MAX_CPUS 256u
/* ap_entry.S sizes (keep in sync). */
#define SMP_AP_STACK_SIZE 8192u
#define SMP_MAX_APS 63u

struct smp_plan {
	uint32_t bsp_apic_id;
	uint32_t ap_count;
	uint32_t ap_ids[SMP_MAX_CPUS];
	uint64_t lapic_phys;      /* xAPIC MMIO base */
	bool use_mailbox;         /* ACPI MP wakeup mailbox, else INIT-SIPI-SIPI */
	uint64_t mailbox_phys;
	uint16_t mailbox_version;
	bool has_reset_vector;
	const char *source;       /* where the CPU list came from */
};

/* Fill the plan from a validated handoff: TB_REC_MP if present, else the MADT through
 * TB_REC_ACPI. Returns false with a message in *error. */
bool smp_plan_from_handoff(const void *handoff, struct smp_plan *plan, const char **error);
/* Wake every AP of the plan; pml4 is the kernel's CR3 (below 4 GiB for the trampoline);
 * trampoline_page is a usable page below 1 MiB (unused with the mailbox). Returns the number
 * of APs that checked in (bounded wait); error set if waking itself failed. */
uint32_t smp_wake_all(const struct smp_plan *plan, uint64_t pml4, uint64_t trampoline_page,
                      const char **error);
/* Did the AP with this index in plan->ap_ids check in? */
bool smp_ap_online(uint32_t index);

/* Value of parker_apic_id when the AP did not come through the mailbox. */
#define SMP_NO_PARKER_ID 0xFFFFFFFFu

/* Called by ap_entry.S on each AP, on its own stack; parker_apic_id is the R8 the mailbox
 * parker handed over (or SMP_NO_PARKER_ID). */
__attribute__((noreturn)) void smp_ap_main(uint64_t slot, uint64_t parker_apic_id);

/* ap_entry.S */
extern const uint8_t smp_trampoline_start[];
extern const uint8_t smp_trampoline_end[];
extern const uint8_t smp_trampoline_cr3[];
extern const uint8_t smp_mailbox_entry[];
extern uint64_t smp_kernel_cr3;
extern uint32_t smp_ap_next_slot;
extern uint8_t smp_ap_stacks[];

#endif
