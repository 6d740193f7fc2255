/* smp.c: AP bring-up: the MP wakeup mailbox (ACPI 6.4 5.2.12.19) or INIT-SIPI-SIPI, with
 * bounded waits and a check-in flag per AP. */
#include "smp.h"

#include <stddef.h>

#include "acpi.h"
#include "console.h"
#include "cpu.h"
#include "desc.h"
#include "lapic.h"
#include "mem.h"
#include "paging.h"
#include "tagboot_handoff.h"
#include "timer.h"

/* How long to wait for APs. TCG with many vCPUs on two host cores is slow: be generous. */
#define SMP_MAILBOX_ACK_US 3000000ull
#define SMP_CHECKIN_BASE_US 5000000ull
#define SMP_CHECKIN_PER_AP_US 500000ull

static volatile uint8_t smp_online[SMP_MAX_CPUS];
static volatile uint32_t smp_online_count;
static volatile uint32_t smp_stray_count;
/* APs woken through the mailbox whose R8 was not their APIC ID: they do not check in. */
static volatile uint32_t smp_bad_r8_count;
/* The AP list the APs look themselves up in. */
static const struct smp_plan *smp_active_plan;

static struct acpi_info smp_acpi;

/* acpi_mem accessor: physical memory is identity mapped (the loader's map, then ours). */
static const void *smp_acpi_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (phys == 0 || phys + len < phys)
		return NULL;
	return (const void *)(uintptr_t)phys;
}

bool smp_plan_from_handoff(const void *handoff, struct smp_plan *plan, const char **error)
{
	memset(plan, 0, sizeof(*plan));
	plan->bsp_apic_id = cpu_apic_id();
	/* Architectural default; the MADT's address replaces it below. */
	plan->lapic_phys = cpu_rdmsr(CPU_MSR_APIC_BASE) & 0x000FFFFFFFFFF000ull;

	bool have_acpi = false;
	const struct tb_rec_acpi *acpi =
		(const void *)tb_find_record(handoff, TB_REC_ACPI, sizeof(struct tb_rec_acpi));
	if (acpi != NULL && acpi->rsdp_address != 0) {
		struct acpi_mem mem = { .map = smp_acpi_map, .ctx = NULL };
		if (!acpi_parse(&mem, acpi->rsdp_address, &smp_acpi)) {
			kprint("acpi: %s\n", smp_acpi.error);
		} else if (smp_acpi.madt_found) {
			have_acpi = true;
			if (smp_acpi.local_apic_address != 0)
				plan->lapic_phys = smp_acpi.local_apic_address;
			kprint("acpi: MADT at 0x%lx via %s, %zu CPUs, local APIC 0x%lx, MP wakeup %s\n",
			       smp_acpi.madt_address, smp_acpi.used_xsdt ? "XSDT" : "RSDT",
			       smp_acpi.cpu_count, smp_acpi.local_apic_address,
			       smp_acpi.mp_wakeup_found ? "yes" : "no");
		}
	}

	const struct tb_rec_mp *mp =
		(const void *)tb_find_record(handoff, TB_REC_MP, TB_MP_V1_SIZE);
	if (mp != NULL) {
		/* tb_validate checked that the ID array lies inside the record. */
		if (mp->ap_ids_offset < TB_MP_V1_SIZE ||
		    (uint64_t)mp->ap_ids_offset + (uint64_t)mp->ap_count * 4 > mp->hdr.size) {
			*error = "TB_REC_MP: ap_ids run past the record";
			return false;
		}
		if (mp->ap_count > SMP_MAX_CPUS) {
			*error = "TB_REC_MP: more APs than this kernel supports";
			return false;
		}
		const uint8_t *ids = (const uint8_t *)mp + mp->ap_ids_offset;
		for (uint32_t i = 0; i < mp->ap_count; i++)
			memcpy(&plan->ap_ids[i], ids + 4 * i, 4);
		plan->ap_count = mp->ap_count;
		if (mp->bsp_apic_id != plan->bsp_apic_id)
			kprint("warning: TB_REC_MP says BSP APIC ID %u, CPUID says %u\n",
			       mp->bsp_apic_id, plan->bsp_apic_id);
		plan->use_mailbox = (mp->flags & TB_MP_F_MAILBOX) != 0;
		plan->mailbox_phys = mp->mailbox_address;
		plan->mailbox_version = mp->mailbox_version;
		plan->has_reset_vector = (mp->flags & TB_MP_F_RESET_VECTOR) != 0;
		plan->source = "TB_REC_MP";
		size_t enabled = 0;
		for (size_t i = 0; have_acpi && i < smp_acpi.cpu_count; i++)
			enabled += (smp_acpi.cpus[i].flags & ACPI_CPU_ENABLED) != 0;
		if (have_acpi && enabled != (size_t)mp->ap_count + 1)
			kprint("warning: MADT lists %zu enabled CPUs, TB_REC_MP %u APs + BSP\n", enabled,
			       mp->ap_count);
	} else if (have_acpi) {
		for (size_t i = 0; i < smp_acpi.cpu_count; i++) {
			if (smp_acpi.cpus[i].apic_id == plan->bsp_apic_id)
				continue;
			/* Online-capable but disabled CPUs are not present yet: nothing to wake. */
			if (!(smp_acpi.cpus[i].flags & ACPI_CPU_ENABLED))
				continue;
			if (plan->ap_count == SMP_MAX_CPUS) {
				*error = "MADT: more APs than this kernel supports";
				return false;
			}
			plan->ap_ids[plan->ap_count++] = smp_acpi.cpus[i].apic_id;
		}
		plan->use_mailbox = smp_acpi.mp_wakeup_found;
		plan->mailbox_phys = smp_acpi.mailbox_address;
		plan->mailbox_version = smp_acpi.mailbox_version;
		plan->has_reset_vector = smp_acpi.has_reset_vector;
		plan->source = "MADT";
	} else {
		/* No CPU list at all: run on the BSP alone, and say so. */
		plan->source = "none (no TB_REC_MP, no MADT)";
	}
	if (plan->use_mailbox && (plan->mailbox_phys == 0 || (plan->mailbox_phys & 0xFFF))) {
		*error = "MP wakeup mailbox address is 0 or not 4 KiB aligned";
		return false;
	}
	return true;
}

bool smp_ap_online(uint32_t index)
{
	return index < SMP_MAX_CPUS && smp_online[index] != 0;
}

void smp_ap_main(uint64_t slot, uint64_t parker_apic_id)
{
	(void)slot;
	/* Off the firmware's / trampoline's GDT; exceptions now report through our IDT. */
	desc_load();
	uint32_t apic_id = cpu_apic_id();
	if (parker_apic_id != SMP_NO_PARKER_ID && parker_apic_id != apic_id) {
		__atomic_fetch_add(&smp_bad_r8_count, 1, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	const struct smp_plan *plan = __atomic_load_n(&smp_active_plan, __ATOMIC_ACQUIRE);
	bool known = false;
	for (uint32_t i = 0; plan != NULL && i < plan->ap_count; i++) {
		if (plan->ap_ids[i] == apic_id) {
			__atomic_store_n(&smp_online[i], 1, __ATOMIC_RELEASE);
			known = true;
			break;
		}
	}
	if (known)
		__atomic_fetch_add(&smp_online_count, 1, __ATOMIC_RELEASE);
	else
		__atomic_fetch_add(&smp_stray_count, 1, __ATOMIC_RELEASE);
	/* This sample kernel has nothing for APs to do: park them in the kernel, IF = 0. */
	cpu_halt_forever();
}

static bool smp_mailbox_wake(const struct smp_plan *plan, uint32_t apic_id, const char **error)
{
	volatile uint16_t *command =
		(volatile uint16_t *)(uintptr_t)(plan->mailbox_phys + TB_MAILBOX_COMMAND_OFFSET);
	volatile uint32_t *target =
		(volatile uint32_t *)(uintptr_t)(plan->mailbox_phys + TB_MAILBOX_APIC_ID_OFFSET);
	volatile uint64_t *vector =
		(volatile uint64_t *)(uintptr_t)(plan->mailbox_phys + TB_MAILBOX_VECTOR_OFFSET);
	/* The previous command must be done before the next one (ACPI 6.4 5.2.12.19). */
	uint64_t deadline = timer_deadline_us(SMP_MAILBOX_ACK_US);
	while (__atomic_load_n(command, __ATOMIC_ACQUIRE) != TB_MAILBOX_CMD_NOOP) {
		if (timer_expired(deadline)) {
			*error = "mailbox busy";
			return false;
		}
		cpu_pause();
	}
	*target = apic_id;
	/* The vector must be identity mapped in the parked AP's tables: the kernel's physical
	 * address is. */
	*vector = (uint64_t)(uintptr_t)smp_mailbox_entry - PAGING_KERNEL_OFFSET;
	__atomic_store_n(command, (uint16_t)TB_MAILBOX_CMD_WAKEUP, __ATOMIC_RELEASE);
	deadline = timer_deadline_us(SMP_MAILBOX_ACK_US);
	while (__atomic_load_n(command, __ATOMIC_ACQUIRE) != TB_MAILBOX_CMD_NOOP) {
		if (timer_expired(deadline)) {
			kprint("smp: apic id %u did not acknowledge the mailbox wakeup\n", apic_id);
			return true;
		}
		cpu_pause();
	}
	return true;
}

uint32_t smp_wake_all(const struct smp_plan *plan, uint64_t pml4, uint64_t trampoline_page,
                      const char **error)
{
	*error = NULL;
	smp_kernel_cr3 = pml4;
	__atomic_store_n(&smp_active_plan, plan, __ATOMIC_RELEASE);
	uint32_t to_wake = plan->ap_count < SMP_MAX_APS ? plan->ap_count : SMP_MAX_APS;
	if (plan->ap_count > SMP_MAX_APS)
		kprint("smp: only %u of %u APs have a stack slot\n", SMP_MAX_APS, plan->ap_count);
	if (plan->use_mailbox) {
		if (!paging_identity_mapped(plan->mailbox_phys, 4096)) {
			*error = "mailbox not in the identity map";
			return 0;
		}
		kprint("smp: waking %u APs through the MP wakeup mailbox at 0x%lx (version %u)\n",
		       to_wake, plan->mailbox_phys, plan->mailbox_version);
		/* Keep going after one AP fails: the verdict names every AP that did not come. */
		const char *first_error = NULL;
		for (uint32_t i = 0; i < to_wake; i++) {
			const char *why = NULL;
			if (!smp_mailbox_wake(plan, plan->ap_ids[i], &why)) {
				kprint("smp: apic id %u: %s\n", plan->ap_ids[i], why);
				if (first_error == NULL)
					first_error = why;
			}
		}
		*error = first_error;
	} else if (to_wake > 0) {
		size_t size = (size_t)(smp_trampoline_end - smp_trampoline_start);
		if (trampoline_page == 0 || trampoline_page >= 0x100000 || size > 4096) {
			*error = "no usable page below 1 MiB for the AP trampoline";
			return 0;
		}
		if (pml4 >= 0x100000000ull) {
			*error = "kernel PML4 above 4 GiB: the trampoline cannot load it";
			return 0;
		}
		uint8_t *page = (uint8_t *)(uintptr_t)trampoline_page;
		memcpy(page, smp_trampoline_start, size);
		uint32_t cr3 = (uint32_t)pml4;
		memcpy(page + (smp_trampoline_cr3 - smp_trampoline_start), &cr3, 4);
		lapic_init(plan->lapic_phys);
		kprint("smp: waking %u APs with INIT-SIPI-SIPI (%s, trampoline at 0x%lx)\n", to_wake,
		       lapic_is_x2apic() ? "x2APIC" : "xAPIC", trampoline_page);
		for (uint32_t i = 0; i < to_wake; i++) {
			if (!lapic_start_ap(plan->ap_ids[i], (uint8_t)(trampoline_page >> 12))) {
				*error = "local APIC never accepted the IPI";
				return __atomic_load_n(&smp_online_count, __ATOMIC_ACQUIRE);
			}
		}
	}
	uint64_t deadline =
		timer_deadline_us(SMP_CHECKIN_BASE_US + SMP_CHECKIN_PER_AP_US * to_wake);
	while (__atomic_load_n(&smp_online_count, __ATOMIC_ACQUIRE) < to_wake &&
	       !timer_expired(deadline))
		cpu_pause();
	uint32_t stray = __atomic_load_n(&smp_stray_count, __ATOMIC_ACQUIRE);
	if (stray != 0)
		kprint("smp: %u CPUs checked in with APIC IDs not in the list\n", stray);
	uint32_t bad_r8 = __atomic_load_n(&smp_bad_r8_count, __ATOMIC_ACQUIRE);
	if (bad_r8 != 0)
		kprint("smp: %u APs arrived from the mailbox with R8 not their APIC ID\n", bad_r8);
	return __atomic_load_n(&smp_online_count, __ATOMIC_ACQUIRE);
}
