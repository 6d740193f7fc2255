/* appark_efi.c: starting the APs into the loader's parking area after ExitBootServices. */
#include "appark_efi.h"

#include "util.h"

/* Local APIC (Intel SDM vol. 3A 10.4.4, 10.6.1, 10.12): IA32_APIC_BASE, xAPIC ICR registers,
 * the x2APIC ICR MSR; INIT (delivery mode 5) and STARTUP (6) with level assert. */
#define APPARK_MSR_APIC_BASE 0x1Bu
#define APPARK_APIC_BASE_X2APIC (1ull << 10)
#define APPARK_APIC_BASE_MASK 0x000FFFFFFFFFF000ull
#define APPARK_XAPIC_ICR_LOW 0x300u
#define APPARK_XAPIC_ICR_HIGH 0x310u
#define APPARK_MSR_X2APIC_ICR 0x830u
#define APPARK_ICR_INIT 0x00004500u
#define APPARK_ICR_STARTUP 0x00004600u
#define APPARK_ICR_PENDING 0x00001000u
/* INIT, 10 ms, STARTUP, 200 us, STARTUP (Intel SDM vol. 3A 8.4.4.1). */
#define APPARK_INIT_WAIT_US 10000u
#define APPARK_SIPI_WAIT_US 200u
/* Without a calibrated TSC, waits count PAUSE loops: generous, never endless. */
#define APPARK_PAUSES_PER_MS 100000ull

#define APPARK_EFI_NO_ID 0xFFFFFFFFu
_Static_assert(APPARK_PT_PAGES == 6, "appark.S sums APPARK_PT_PAGES_ASM = 6 page-table pages");

/* appark.S */
extern const uint8_t appark_tramp_start[], appark_tramp_end[], appark_tramp_pm32[];
extern const uint8_t appark_tramp_lm64[], appark_tramp_gdt[], appark_tramp_gdtr[];
extern const uint8_t appark_tramp_far32[], appark_tramp_far64[], appark_tramp_cr3[];
extern const uint8_t appark_tramp_loop[];
extern const uint8_t appark_loop_start[], appark_loop_end[], appark_loop_stop[];
extern const uint8_t appark_loop_gdt[], appark_loop_gdtr[], appark_loop_idtr[];
extern const uint8_t appark_loop_params[], appark_loop_arrived[], lp_code_end[];

/* The blob's parameter block, in the order appark.S lays it out. */
struct appark_efi_params {
	uint64_t stacks;
	uint64_t stack_size;
	uint64_t mailbox;
	uint64_t arrived_ids;
	uint64_t pt_base;   /* what a woken AP checks (tagboot_wakelog.h TB_WAKELOG_CHECK_*) */
	uint64_t pt_sum;
	uint64_t code_sum;
	uint32_t max_slots;
};

struct appark_efi_apic {
	bool x2apic;
	volatile uint32_t *mmio;
	uint64_t tsc_per_ms;
};

static uint64_t appark_efi_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static void appark_efi_wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
	                 : "memory");
}

static uint64_t appark_efi_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void appark_efi_pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* A deadline `us` from now in TSC ticks (or pause counts without a calibration). */
struct appark_efi_clock {
	const struct appark_efi_apic *apic;
	uint64_t start, span, pauses;
};

static void appark_efi_clock_start(struct appark_efi_clock *c, const struct appark_efi_apic *a,
                                   uint64_t us)
{
	c->apic = a;
	c->start = appark_efi_tsc();
	c->pauses = 0;
	uint64_t per_ms = a->tsc_per_ms ? a->tsc_per_ms : APPARK_PAUSES_PER_MS;
	c->span = per_ms * us / 1000u;
}

static bool appark_efi_clock_expired(struct appark_efi_clock *c)
{
	if (c->apic->tsc_per_ms)
		return appark_efi_tsc() - c->start >= c->span;
	return ++c->pauses >= c->span;
}

static void appark_efi_delay_us(const struct appark_efi_apic *a, uint64_t us)
{
	struct appark_efi_clock c;
	appark_efi_clock_start(&c, a, us);
	while (!appark_efi_clock_expired(&c))
		appark_efi_pause();
}

/* One IPI; false if the xAPIC never finished sending it (100 ms). */
static bool appark_efi_ipi(const struct appark_efi_apic *a, uint32_t apic_id, uint32_t icr)
{
	if (a->x2apic) {
		appark_efi_wrmsr(APPARK_MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | icr);
		return true;
	}
	a->mmio[APPARK_XAPIC_ICR_HIGH / 4] = apic_id << 24;
	a->mmio[APPARK_XAPIC_ICR_LOW / 4] = icr;
	struct appark_efi_clock c;
	appark_efi_clock_start(&c, a, 100000);
	while (a->mmio[APPARK_XAPIC_ICR_LOW / 4] & APPARK_ICR_PENDING) {
		if (appark_efi_clock_expired(&c))
			return false;
		appark_efi_pause();
	}
	return true;
}

/* Write a value into the copy of a blob at the offset of one of its fields. */
static void appark_efi_put(uint8_t *copy, const uint8_t *blob, const uint8_t *field,
                           const void *value, size_t size)
{
	util_memcpy(copy + (field - blob), value, size);
}

/* Physical address of a label of a blob in its copy at `at`, as a u32 (below 4 GiB). */
static uint32_t appark_efi_at32(uint64_t at, const uint8_t *blob, const uint8_t *label)
{
	return (uint32_t)(at + (uint64_t)(label - blob));
}

/* The trampoline page: far pointers, GDT base, CR3 and where the loop is. */
static void appark_efi_fill_trampoline(const struct appark_layout *l)
{
	const uint8_t *t = appark_tramp_start;
	uint8_t *copy = (uint8_t *)(uintptr_t)l->trampoline;
	util_memset(copy, 0, 4096);
	util_memcpy(copy, t, (size_t)(appark_tramp_end - t));
	uint32_t gdt = appark_efi_at32(l->trampoline, t, appark_tramp_gdt);
	uint32_t pm32 = appark_efi_at32(l->trampoline, t, appark_tramp_pm32);
	uint32_t lm64 = appark_efi_at32(l->trampoline, t, appark_tramp_lm64);
	uint32_t cr3 = (uint32_t)l->page_tables;
	uint64_t loop = l->code;
	appark_efi_put(copy, t, appark_tramp_gdtr + 2, &gdt, 4);
	appark_efi_put(copy, t, appark_tramp_far32, &pm32, 4);
	appark_efi_put(copy, t, appark_tramp_far64, &lm64, 4);
	appark_efi_put(copy, t, appark_tramp_cr3, &cr3, 4);
	appark_efi_put(copy, t, appark_tramp_loop, &loop, 8);
}

/* The code page: loop, GDT and IDT bases, parameters, IDT, empty arrival list. */
static void appark_efi_fill_code(const struct appark_layout *l)
{
	const uint8_t *b = appark_loop_start;
	uint8_t *copy = (uint8_t *)(uintptr_t)l->code;
	util_memset(copy, 0, 4096);
	util_memcpy(copy, b, (size_t)(appark_loop_end - b));
	uint64_t gdt = l->code + (uint64_t)(appark_loop_gdt - b);
	uint64_t idt = l->code + APPARK_CODE_IDT_OFFSET;
	uint16_t idt_limit = APPARK_IDT_VECTORS * 16u - 1u;
	appark_efi_put(copy, b, appark_loop_gdtr + 2, &gdt, 8);
	appark_efi_put(copy, b, appark_loop_idtr, &idt_limit, 2);
	appark_efi_put(copy, b, appark_loop_idtr + 2, &idt, 8);
	struct appark_efi_params p = {
		.stacks = l->stacks,
		.stack_size = APPARK_STACK_SIZE,
		.mailbox = l->mailbox,
		.arrived_ids = l->code + APPARK_CODE_ARRIVED_OFFSET,
		.pt_base = l->page_tables,
		.pt_sum = appark_page_table_sum((const void *)(uintptr_t)l->page_tables),
		.code_sum = appark_code_sum(copy, (size_t)(lp_code_end - b)),
		.max_slots = l->ap_count,
	};
	appark_efi_put(copy, b, appark_loop_params, &p, sizeof(p));
	appark_build_idt(copy + APPARK_CODE_IDT_OFFSET, l->code + (uint64_t)(appark_loop_stop - b),
	                 APPARK_CODE_SEL);
	/* An empty arrival slot reads as APPARK_EFI_NO_ID until its AP writes its APIC ID. */
	util_memset(copy + APPARK_CODE_ARRIVED_OFFSET, 0xFF, (size_t)l->ap_count * 4u);
}

/* Everything the APs need, before the first IPI. */
static bool appark_efi_fill(const struct appark_layout *l)
{
	if (appark_loop_end - appark_loop_start > (ptrdiff_t)APPARK_CODE_IDT_OFFSET ||
	    appark_tramp_end - appark_tramp_start > 4096)
		return false;
	appark_efi_fill_trampoline(l);
	appark_build_page_tables((void *)(uintptr_t)l->page_tables, l->page_tables);
	appark_efi_fill_code(l);
	util_memset((void *)(uintptr_t)l->mailbox, 0, 4096);
	uint32_t magic = TB_WAKELOG_MAGIC;
	util_memcpy((uint8_t *)(uintptr_t)l->mailbox + TB_WAKELOG_LOG, &magic, 4);
	util_memset((void *)(uintptr_t)l->stacks, 0, (size_t)l->ap_count * APPARK_STACK_SIZE);
	return true;
}

static uint32_t appark_efi_arrived(const struct appark_layout *l)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)l->code;
	return __atomic_load_n((const uint32_t *)(code + (appark_loop_arrived - appark_loop_start)),
	                       __ATOMIC_ACQUIRE);
}

void appark_efi_park(const struct appark_layout *l, struct appark_result *r)
{
	util_memset(r, 0, sizeof(*r));
	struct appark_efi_apic apic;
	uint64_t base = appark_efi_rdmsr(APPARK_MSR_APIC_BASE);
	apic.x2apic = (base & APPARK_APIC_BASE_X2APIC) != 0;
	apic.mmio = (volatile uint32_t *)(uintptr_t)(base & APPARK_APIC_BASE_MASK);
	apic.tsc_per_ms = l->tsc_per_ms;
	r->x2apic = apic.x2apic;
	uint64_t start = appark_efi_tsc();
	if (!appark_efi_fill(l)) {
		r->error = "the parking code does not fit in its pages";
		appark_find_missing(l, r);
		return;
	}
	/* INIT all, then two rounds of STARTUP: a CPU already running ignores the second. */
	uint32_t vector = (uint32_t)(l->trampoline >> 12);
	for (uint32_t i = 0; i < l->ap_count && !r->error; i++)
		if (!appark_efi_ipi(&apic, l->ap_ids[i], APPARK_ICR_INIT))
			r->error = "the local APIC never sent an INIT IPI";
	appark_efi_delay_us(&apic, APPARK_INIT_WAIT_US);
	for (int round = 0; round < 2 && !r->error; round++) {
		for (uint32_t i = 0; i < l->ap_count && !r->error; i++)
			if (!appark_efi_ipi(&apic, l->ap_ids[i], APPARK_ICR_STARTUP | vector))
				r->error = "the local APIC never sent a STARTUP IPI";
		appark_efi_delay_us(&apic, APPARK_SIPI_WAIT_US);
	}
	struct appark_efi_clock c;
	appark_efi_clock_start(&c, &apic,
	                       1000ull * (APPARK_ARRIVAL_BASE_MS +
	                                  (uint64_t)APPARK_ARRIVAL_PER_AP_MS * l->ap_count));
	while (appark_efi_arrived(l) < l->ap_count && !appark_efi_clock_expired(&c))
		appark_efi_pause();
	/* Slots fill in any order: collect every one an AP has written. */
	const volatile uint32_t *slots =
		(const volatile uint32_t *)(uintptr_t)(l->code + APPARK_CODE_ARRIVED_OFFSET);
	for (uint32_t i = 0; i < l->ap_count; i++)
		if (slots[i] != APPARK_EFI_NO_ID)
			r->arrived_ids[r->arrived++] = slots[i];
	appark_find_missing(l, r);
	if (apic.tsc_per_ms)
		r->wait_ms = (appark_efi_tsc() - start) / apic.tsc_per_ms;
}
