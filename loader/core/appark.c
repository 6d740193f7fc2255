/* appark.c: the loader parks the APs on a mailbox of its own: plan of the parking area, its page tables, IDT and tags. */
#include "appark.h"

#include "util.h"

#define APPARK_PAGE 4096ull
#define APPARK_PTE_PRESENT 0x1ull
#define APPARK_PTE_WRITABLE 0x2ull
#define APPARK_PTE_LARGE 0x80ull
#define APPARK_GATE_INTERRUPT 0x8Eu /* present, DPL 0, 64-bit interrupt gate */

uint64_t appark_high_pages(uint32_t ap_count)
{
	return 1u + APPARK_PT_PAGES + (uint64_t)ap_count * (APPARK_STACK_SIZE / APPARK_PAGE);
}

bool appark_select(const struct acpi_info *acpi, uint32_t bsp_apic_id, struct appark_layout *l,
                   const char **why)
{
	util_memset(l, 0, sizeof(*l));
	l->bsp_apic_id = bsp_apic_id;
	for (size_t i = 0; i < acpi->cpu_count; i++) {
		const struct acpi_cpu *c = &acpi->cpus[i];
		/* Online-capable but not enabled: the CPU is not there to be started. */
		if (c->apic_id == bsp_apic_id || !(c->flags & ACPI_CPU_ENABLED))
			continue;
		if (l->ap_count == APPARK_MAX_APS) {
			*why = "the MADT lists more than 255 APs, more than the parking area holds";
			return false;
		}
		l->ap_ids[l->ap_count++] = c->apic_id;
	}
	return true;
}

/* base .. base + pages pages: page aligned, not at 0, ending at or below limit. */
static bool appark_fits(uint64_t base, uint64_t pages, uint64_t limit)
{
	return (base & (APPARK_PAGE - 1)) == 0 && base != 0 && base <= limit &&
	       pages * APPARK_PAGE <= limit - base;
}

bool appark_place(struct appark_layout *l, uint64_t low, uint64_t high, const char **why)
{
	l->high_pages = appark_high_pages(l->ap_count);
	if (!appark_fits(low, APPARK_LOW_PAGES, APPARK_LOW_LIMIT)) {
		*why = "mailbox and trampoline not page aligned below 1 MiB "
		       "(a STARTUP IPI cannot reach them)";
		return false;
	}
	if (!appark_fits(high, l->high_pages, APPARK_HIGH_LIMIT)) {
		*why = "parking code, page tables and stacks not page aligned below 4 GiB";
		return false;
	}
	if (high < low + APPARK_LOW_PAGES * APPARK_PAGE &&
	    low < high + l->high_pages * APPARK_PAGE) {
		*why = "the two parts of the parking area overlap";
		return false;
	}
	l->low_base = low;
	l->high_base = high;
	l->mailbox = low;
	l->trampoline = low + APPARK_PAGE;
	l->code = high;
	l->page_tables = high + APPARK_PAGE;
	l->stacks = l->page_tables + APPARK_PT_PAGES * APPARK_PAGE;
	return true;
}

void appark_build_page_tables(void *mem, uint64_t phys)
{
	uint64_t *pml4 = mem;
	uint64_t *pdpt = pml4 + 512;
	uint64_t *pds = pdpt + 512;
	util_memset(mem, 0, APPARK_PT_PAGES * APPARK_PAGE);
	const uint64_t table = APPARK_PTE_PRESENT | APPARK_PTE_WRITABLE;
	pml4[0] = (phys + APPARK_PAGE) | table;
	for (uint64_t gib = 0; gib < 4; gib++) {
		pdpt[gib] = (phys + (2u + gib) * APPARK_PAGE) | table;
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t frame = (gib * 512u + i) << 21;
			pds[gib * 512u + i] = frame | table | APPARK_PTE_LARGE;
		}
	}
}

uint64_t appark_page_table_sum(const void *pt)
{
	const uint8_t *p = pt;
	uint64_t sum = 0;
	for (size_t i = 0; i < APPARK_PT_PAGES * APPARK_PAGE / 8u; i++) {
		uint64_t e;
		util_memcpy(&e, p + 8u * i, 8);
		sum += e & ~0x60ull;
	}
	return sum;
}

uint64_t appark_code_sum(const uint8_t *code, size_t len)
{
	uint64_t h = 0;
	for (size_t i = 0; i < len; i++)
		h = h * 31u + code[i];
	return h;
}

void appark_build_idt(void *idt, uint64_t handler, uint16_t cs)
{
	uint8_t *gate = idt;
	for (unsigned v = 0; v < APPARK_IDT_VECTORS; v++, gate += 16) {
		uint16_t low = (uint16_t)handler, mid = (uint16_t)(handler >> 16);
		uint32_t high = (uint32_t)(handler >> 32), zero = 0;
		uint8_t ist = 0, type = APPARK_GATE_INTERRUPT;
		util_memcpy(gate + 0, &low, 2);
		util_memcpy(gate + 2, &cs, 2);
		util_memcpy(gate + 4, &ist, 1);
		util_memcpy(gate + 5, &type, 1);
		util_memcpy(gate + 6, &mid, 2);
		util_memcpy(gate + 8, &high, 4);
		util_memcpy(gate + 12, &zero, 4);
	}
}

static void appark_region(struct tb_mem_entry *e, uint64_t base, uint64_t length, uint8_t reason)
{
	util_memset(e, 0, sizeof(*e));
	e->base = base;
	e->length = length;
	e->type = TB_MEM_AP_HELD;
	e->after_type = TB_MEM_USABLE;
	e->owner = TB_OWNER_LOADER;
	e->reason = reason;
	/* Version 0 mailbox: no reset vector leads back here, so the area is free once every
	 * AP has jumped to its wakeup vector and left these page tables. */
	e->reclaim = TB_RECLAIM_AFTER_AP_WAKEUP;
	e->source = TB_SOURCE_LOADER;
}

size_t appark_regions(const struct appark_layout *l, struct tb_mem_entry *out, size_t cap)
{
	if (l->low_base == 0 || l->ap_count == 0 || cap < APPARK_REGION_COUNT)
		return 0;
	appark_region(&out[0], l->mailbox, APPARK_PAGE, TB_REASON_MAILBOX);
	/* Left behind once an AP reaches the loop, but an AP slower than the BSP's wait may
	 * still be on its way through it. */
	appark_region(&out[1], l->trampoline, APPARK_PAGE, TB_REASON_AP_LOOP_CODE);
	appark_region(&out[2], l->code, APPARK_PAGE, TB_REASON_AP_LOOP_CODE);
	appark_region(&out[3], l->page_tables, APPARK_PT_PAGES * APPARK_PAGE,
	              TB_REASON_PAGE_TABLES);
	appark_region(&out[4], l->stacks, (uint64_t)l->ap_count * APPARK_STACK_SIZE,
	              TB_REASON_AP_STACK);
	return APPARK_REGION_COUNT;
}

void appark_find_missing(const struct appark_layout *l, struct appark_result *res)
{
	res->missing = 0;
	uint32_t arrived = res->arrived < APPARK_MAX_APS ? res->arrived : APPARK_MAX_APS;
	for (uint32_t i = 0; i < l->ap_count; i++) {
		bool seen = false;
		for (uint32_t j = 0; j < arrived && !seen; j++)
			seen = res->arrived_ids[j] == l->ap_ids[i];
		if (!seen)
			res->missing_ids[res->missing++] = l->ap_ids[i];
	}
}
