/* appark.h: the loader parks the APs on a mailbox of its own: plan of the parking area, its page tables, IDT and tags. */
#ifndef TAGBOOT_APPARK_H
#define TAGBOOT_APPARK_H

/*
 * With `ap-park mailbox` the loader does what TDVF does on a TDX guest: after
 * ExitBootServices it starts every AP, brings it to long mode on page tables of its own and
 * parks it in a loop that polls an ACPI MP wakeup mailbox (version 0). The kernel must then
 * wake the APs through the mailbox, and must not reuse the parking area before they have
 * left it: the area is AP_HELD, owner LOADER, reclaim AFTER_AP_WAKEUP.
 *
 * The parking area is two allocations. Below 1 MiB, where a STARTUP IPI can start a CPU:
 *
 *   mailbox      1 page   the ACPI MP wakeup mailbox (command @0, APIC ID @4, vector @8)
 *   trampoline   1 page   real mode -> long mode on the parking tables (the SIPI vector)
 *
 * and below 4 GiB (the trampoline loads CR3 in 32-bit mode), as high as the firmware gives:
 *
 *   code         1 page   GDT, the long-mode loop, IDT (APPARK_CODE_IDT_OFFSET), arrival list
 *                         (APPARK_CODE_ARRIVED_OFFSET)
 *   page tables  6 pages  PML4, PDPT, 4 PDs: identity map of the low 4 GiB in 2 MiB pages
 *   stacks       1 page per AP
 *
 * The split is deliberate: a kernel that hands out memory lowest address first overwrites
 * the mailbox long before the code and tables the parked APs run on, and a parked AP that
 * finds in the mailbox something no OS writes (a command other than 0, 1, 2, or a nonzero
 * reserved field) stops for good (cli; hlt). It is then lost, but it does not run whatever
 * lands on its code page later (on QEMU a triple fault of any CPU resets the whole machine),
 * so the kernel's bounded wait can still report which APs never checked in. That only helps
 * while the code page and the page tables are intact: once they are overwritten, an
 * exception cannot reach the handler and the CPU shuts down (docs/loader.md).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "tagboot_wakelog.h"
#include "tagboot_handoff.h"

/* The arrival list holds one u32 per AP in the code page. */
#define APPARK_MAX_APS 255u
#define APPARK_LOW_LIMIT 0x100000ull     /* the low part must end at or below 1 MiB */
#define APPARK_HIGH_LIMIT 0x100000000ull /* the high part must end at or below 4 GiB */
#define APPARK_LOW_PAGES 2u              /* mailbox, trampoline */
#define APPARK_PT_PAGES 6u               /* PML4, PDPT, one PD per GiB of the low 4 GiB */
#define APPARK_STACK_SIZE 4096u          /* one page per AP */
#define APPARK_REGION_COUNT 5u
#define APPARK_IDT_VECTORS 32u           /* the exceptions; parked APs run with IF = 0 */
/* Inside the code page: the loop (appark.S) must fit below the IDT. */
#define APPARK_CODE_IDT_OFFSET 2048u
#define APPARK_CODE_ARRIVED_OFFSET (APPARK_CODE_IDT_OFFSET + 16u * APPARK_IDT_VECTORS)
#define APPARK_CODE_SEL 0x08u            /* 64-bit code selector of the parking GDTs */
/* How long the BSP waits for the APs to reach the loop, after the second STARTUP IPI. */
#define APPARK_ARRIVAL_BASE_MS 1000u
#define APPARK_ARRIVAL_PER_AP_MS 250u

struct appark_layout {
	uint32_t bsp_apic_id;
	uint32_t ap_count;                /* APs to start */
	uint32_t ap_ids[APPARK_MAX_APS];  /* their APIC IDs (MADT order) */
	uint64_t low_base;                /* physical, page aligned; 0 until appark_place */
	uint64_t high_base;
	uint64_t high_pages;
	uint64_t mailbox;
	uint64_t trampoline;              /* the SIPI vector is trampoline >> 12 */
	uint64_t code;
	uint64_t page_tables;             /* the PML4; CR3 of the parked APs */
	uint64_t stacks;                  /* ap_count stacks of APPARK_STACK_SIZE */
	uint64_t tsc_per_ms;              /* for the BSP's waits; 0: not calibrated */
};

/* What the BSP saw while parking. */
struct appark_result {
	uint32_t arrived;                     /* APs that reported in the loop */
	uint32_t arrived_ids[APPARK_MAX_APS]; /* their APIC IDs */
	uint32_t missing;                     /* APs of the layout that did not */
	uint32_t missing_ids[APPARK_MAX_APS];
	uint64_t wait_ms;                     /* from the first INIT to the last arrival or timeout */
	bool x2apic;
	const char *error;                    /* NULL, or why not every IPI could be sent */
};

/* Pages of the high part for ap_count APs (the low part is APPARK_LOW_PAGES). */
uint64_t appark_high_pages(uint32_t ap_count);

/* The APs to park: every enabled MADT CPU except the BSP. Returns false with *why when the
 * MADT has more than APPARK_MAX_APS of them. ap_count may be 0 (nothing to park). */
bool appark_select(const struct acpi_info *acpi, uint32_t bsp_apic_id, struct appark_layout *l,
                   const char **why);

/* Put the low part at low (page aligned, ending at or below 1 MiB) and the high part at high
 * (page aligned, ending at or below 4 GiB, not overlapping the low part); fills the
 * addresses. */
bool appark_place(struct appark_layout *l, uint64_t low, uint64_t high, const char **why);

/* PML4, PDPT and four PDs at mem (6 pages, physical address phys): the low 4 GiB identity
 * mapped with 2 MiB pages, writable, supervisor. */
void appark_build_page_tables(void *mem, uint64_t phys);

/* The sums a woken AP checks (appark.S lp_selfcheck computes the same): the 6 page-table
 * pages at pt as 64-bit entries with the accessed and dirty bits (5, 6) cleared, added up;
 * and len code bytes, h = h * 31 + byte. */
uint64_t appark_page_table_sum(const void *pt);
uint64_t appark_code_sum(const uint8_t *code, size_t len);

/* APPARK_IDT_VECTORS 64-bit interrupt gates at idt, all to handler (selector cs). */
void appark_build_idt(void *idt, uint64_t handler, uint16_t cs);

/* The AP-held regions of a placed area into out[0..cap): mailbox, trampoline, loop code,
 * page tables, stacks; type AP_HELD, after_type USABLE, owner LOADER, reclaim
 * AFTER_AP_WAKEUP, source LOADER. Returns how many: APPARK_REGION_COUNT, or 0 if the area is
 * not placed, has no APs or cap is too small. */
size_t appark_regions(const struct appark_layout *l, struct tb_mem_entry *out, size_t cap);

/* Fill res->missing/missing_ids: the APs of the layout whose ID is not among
 * res->arrived_ids[0..arrived). */
void appark_find_missing(const struct appark_layout *l, struct appark_result *res);

#endif /* TAGBOOT_APPARK_H */
