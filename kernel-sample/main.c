/* main.c: kernel_main: validate the handoff, report it, take over the machine, wake every AP,
 * release what the tags allow, and print the RESULT line. */
#include "kernel.h"

#include <stddef.h>

#include "apcheck.h"
#include "console.h"
#include "cpu.h"
#include "desc.h"
#include "frame.h"
#include "mem.h"
#include "options.h"
#include "paging.h"
#include "report.h"
#include "result.h"
#include "selftest.h"
#include "smp.h"
#include "tagboot_handoff.h"
#include "timer.h"
#include "verify.h"

/* The kernel works on copies of the blob in its own image: the loader's copy sits in
 * LOADER_RECLAIMABLE memory, which the kernel gives back once it has left the handoff. */
#define KERNEL_HANDOFF_MAX (256u * 1024u)
/* INIT-SIPI-SIPI starts an AP in real mode at a page below 1 MiB. */
#define KERNEL_TRAMPOLINE_LIMIT 0x100000ull
#define KERNEL_CMDLINE_MAX 1024u
/* Canonical, far above any RAM the tests give the guest: never in the identity map. */
#define KERNEL_FAULT_ADDRESS 0x00007ff000000000ul

static uint8_t kernel_handoff[KERNEL_HANDOFF_MAX] __attribute__((aligned(8)));
static uint8_t kernel_handoff_received[KERNEL_HANDOFF_MAX] __attribute__((aligned(8)));
static char kernel_cmdline[KERNEL_CMDLINE_MAX];
static struct smp_plan kernel_plan;

/* Copy the blob into the kernel and validate the copy (so nothing changes after the check). */
static void kernel_take_handoff(uint64_t handoff_phys)
{
	if (handoff_phys == 0)
		result_fail("handoff: RDI is 0, no handoff was passed");
	if (handoff_phys & (TB_ALIGN - 1))
		result_fail("handoff: address 0x%lx is not 8-byte aligned", handoff_phys);
	const struct tb_header *header = (const struct tb_header *)(uintptr_t)handoff_phys;
	if (header->magic != TB_MAGIC)
		result_fail("handoff: bad magic 0x%lx at 0x%lx (expected \"TAGBOOT1\")",
		            header->magic, handoff_phys);
	uint32_t size = header->total_size;
	if (size < sizeof(*header) || size > KERNEL_HANDOFF_MAX)
		result_fail("handoff: total_size %u outside [%zu, %u] bytes", size, sizeof(*header),
		            KERNEL_HANDOFF_MAX);
	memcpy(kernel_handoff, header, size);
	report_dump_handoff(kernel_handoff, size);
	size_t where = 0;
	enum tb_status status = tb_validate(kernel_handoff, size, &where);
	if (status != TB_OK)
		result_fail("handoff: %s (at byte offset %zu)", tb_status_str(status), where);
	memcpy(kernel_handoff_received, kernel_handoff, size);
}

static void kernel_read_options(struct options *options)
{
	const struct tb_rec_cmdline *rec = (const void *)tb_find_record(
		kernel_handoff, TB_REC_CMDLINE, sizeof(struct tb_rec_cmdline));
	const char *cmdline = NULL;
	if (rec != NULL) {
		/* tb_validate checked offset and length against the record. */
		size_t length = rec->length < KERNEL_CMDLINE_MAX - 1 ? rec->length
		                                                     : KERNEL_CMDLINE_MAX - 1;
		memcpy(kernel_cmdline, (const char *)rec + rec->offset, length);
		kernel_cmdline[length] = '\0';
		cmdline = kernel_cmdline;
	}
	kprint("command line: \"%s\"\n", cmdline != NULL ? cmdline : "");
	const char *error = NULL;
	if (!options_parse(cmdline, options, &error))
		result_fail("options: %s", error);
	kprint("options: selftest=%s%s%s%s\n", options->selftest ? "on" : "off",
	       options->ignore_ap_held ? " ignore-ap-held (AP_HELD memory treated as usable)" : "",
	       options->test_fault ? " test-fault" : "",
	       options->test_triple_fault ? " test-triple-fault" : "");
}

static void kernel_print_plan(const struct smp_plan *plan)
{
	kprint("cpus: bsp apic id %u, %u APs from %s, start by %s\n", plan->bsp_apic_id,
	       plan->ap_count, plan->source,
	       plan->ap_count == 0 ? "nothing" : plan->use_mailbox ? "MP wakeup mailbox"
	                                                           : "INIT-SIPI-SIPI");
	for (uint32_t i = 0; i < plan->ap_count; i++)
		kprint("  ap %u: apic id %u\n", i, plan->ap_ids[i]);
}

/* Append ", " (after the first) and a decimal number to a NUL-terminated list. */
static void kernel_list_append(char *list, size_t cap, uint32_t value)
{
	size_t n = 0;
	while (list[n] != '\0')
		n++;
	char digits[10];
	int d = 0;
	do {
		digits[d++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	if (n != 0 && n + 2 < cap) {
		list[n++] = ',';
		list[n++] = ' ';
	}
	while (d > 0 && n + 1 < cap)
		list[n++] = digits[--d];
	list[n] = '\0';
}

/* Was the loader the one that parked the APs (TB_REC_MP flags)? Then its wakeup log is in
 * the mailbox. */
static bool kernel_parked_by_loader(void)
{
	const struct tb_rec_mp *mp =
		(const void *)tb_find_record(kernel_handoff, TB_REC_MP, TB_MP_V1_SIZE);
	return mp != NULL && (mp->flags & TB_MP_F_PARKED_BY_LOADER) != 0;
}

/* What waking the APs showed, for the verdict and the summary. */
struct kernel_wake {
	uint32_t online;   /* CPUs online, BSP included */
	uint32_t missing;
	char missing_ids[KERNEL_CMDLINE_MAX];
	bool have_log;     /* the parked loop's wakeup log was there */
	uint32_t logged, checks_ok;
	char bad_ids[KERNEL_CMDLINE_MAX];
	const char *error;
};

static void kernel_wake_aps(uint64_t pml4, uint64_t trampoline, struct kernel_wake *w)
{
	uint64_t start = timer_elapsed_ms();
	w->error = NULL;
	uint32_t online = smp_wake_all(&kernel_plan, pml4, trampoline, &w->error);
	if (w->error != NULL)
		kprint("smp: %s\n", w->error);
	kprint("smp: %u of %u APs checked in after %lu ms\n", online, kernel_plan.ap_count,
	       timer_elapsed_ms() - start);
	w->online = online + 1;
	w->missing = 0;
	w->missing_ids[0] = '\0';
	for (uint32_t i = 0; i < kernel_plan.ap_count; i++) {
		if (smp_ap_online(i))
			continue;
		kprint("smp: cpu with apic id %u did not check in\n", kernel_plan.ap_ids[i]);
		kernel_list_append(w->missing_ids, sizeof(w->missing_ids), kernel_plan.ap_ids[i]);
		w->missing++;
	}
	w->have_log = false;
	w->bad_ids[0] = '\0';
	if (kernel_plan.use_mailbox && kernel_parked_by_loader())
		w->have_log = apcheck_wakelog(kernel_plan.mailbox_phys, &w->logged, &w->checks_ok,
		                              w->bad_ids, sizeof(w->bad_ids));
}

/* The verdict on the wakeup (docs/writing-a-kernel.md "Proving the tags"). */
static void kernel_judge_wake(const struct kernel_wake *w, const struct options *options)
{
	if (options->poison != APCHECK_NONE) {
		/* Every AP that did not come online or whose own check failed, in plan order. */
		static char aps[KERNEL_CMDLINE_MAX];
		size_t n = 0;
		aps[0] = '\0';
		for (uint32_t i = 0; i < kernel_plan.ap_count && n + 12 < sizeof(aps); i++) {
			if (smp_ap_online(i))
				continue;
			char digits[11];
			unsigned d = 0;
			uint32_t id = kernel_plan.ap_ids[i];
			do {
				digits[d++] = (char)('0' + id % 10);
				id /= 10;
			} while (id != 0);
			if (n != 0)
				aps[n++] = ',';
			while (d > 0)
				aps[n++] = digits[--d];
			aps[n] = '\0';
		}
		const char *name = apcheck_class_name(options->poison);
		if (aps[0] == '\0')
			result_fail("class=%s: poisoned, but every AP came online: this tag is not "
			            "load-bearing", name);
		result_fail("class=%s aps=%s: the %s pages were overwritten before the wakeup%s%s",
		            name, aps, name, w->bad_ids[0] ? "; failed self-checks: apic id " : "",
		            w->bad_ids);
	}
	if (w->missing != 0)
		result_fail("cpus=%u/%u: %u APs did not check in: apic id %s%s%s", w->online,
		            kernel_plan.ap_count + 1, w->missing, w->missing_ids,
		            w->error != NULL ? "; smp: " : "", w->error != NULL ? w->error : "");
	if (w->error != NULL)
		result_fail("smp: %s (cpus=%u/%u)", w->error, w->online, kernel_plan.ap_count + 1);
	if (w->bad_ids[0])
		result_fail("ap self-check failed on apic id %s", w->bad_ids);
	if (kernel_plan.use_mailbox && kernel_parked_by_loader() &&
	    (!w->have_log || w->logged != kernel_plan.ap_count))
		result_fail("the loader's wakeup log holds %u entries for %u APs", w->have_log ? w->logged : 0,
		            kernel_plan.ap_count);
}

/* What this boot showed, in words: the last lines before the verdict (make run). */
static void kernel_summary(const struct kernel_wake *w, uint64_t reclaimed, bool selftest)
{
	unsigned regions = 0;
	uint64_t pages = 0;
	apcheck_totals(&regions, &pages);
	kprint("\nsummary:\n");
	if (kernel_plan.use_mailbox && kernel_parked_by_loader()) {
		kprint("  tagboot parked %u APs on an ACPI MP wakeup mailbox at 0x%lx, as TDVF parks\n"
		       "  them on a TDX guest, and tagged what they run on: %u AP-held regions,\n"
		       "  %lu pages (listed above as ap-held).\n",
		       kernel_plan.ap_count, kernel_plan.mailbox_phys, regions, pages);
		kprint("  This kernel kept off them%s until every AP had checked in: %u of %u woke\n"
		       "  through the mailbox, %u of %u found their page tables, stack and code intact.\n",
		       selftest ? " (its self-test wrote every other free frame)" : "",
		       w->online - 1, kernel_plan.ap_count, w->checks_ok, w->logged);
		kprint("  Then it reclaimed what the reclaim rules allow: %lu pages.\n", reclaimed);
	} else if (kernel_plan.ap_count > 0) {
		kprint("  %u APs started with %s (nothing parked, nothing AP-held: %u regions); %lu "
		       "pages reclaimed after the wakeup.\n",
		       kernel_plan.ap_count, kernel_plan.use_mailbox ? "the firmware's mailbox" : "INIT-SIPI-SIPI",
		       regions, reclaimed);
	} else {
		kprint("  one CPU, no APs to park.\n");
	}
}

/* tb_release for `events`, then (self-test) take and overwrite what it freed. Returns the
 * pages taken (self-test) or released (no self-test). */
static uint64_t kernel_release(uint32_t events, const char *what, bool selftest)
{
	uint64_t released = 0;
	if (!frame_release(events, &released))
		result_fail("tb_release(%s) failed", what);
	kprint("release %s: %lu pages became usable\n", what, released);
	if (!selftest)
		return released;
	uint64_t taken = selftest_consume_all();
	kprint("selftest: took and wrote %lu newly usable frames\n", taken);
	/* Everything released must reach the allocator (frame 0 excepted, which it never gives). */
	if (taken != released && taken + 1 != released)
		kprint("warning: %lu pages were released but the allocator handed out %lu\n",
		       released, taken);
	return taken;
}

void kernel_main(uint64_t handoff_phys)
{
	con_init();
	desc_init();
	desc_load();
	kprint("\ntagboot sample kernel: handoff at 0x%lx, bsp apic id %u\n", handoff_phys,
	       cpu_apic_id());
	timer_init();
	kprint("timer: %lu TSC ticks per ms\n", timer_tsc_per_ms());

	kernel_take_handoff(handoff_phys);
	/* Before anything else touches memory: what every AP-held region holds at entry. */
	apcheck_snapshot(kernel_handoff_received, 0);
	report_header(kernel_handoff);
	struct report_counts counts;
	report_memmap(kernel_handoff, &counts);
	struct options options;
	kernel_read_options(&options);
	/* Still on the loader's page tables and stack: what the 1.1 records say about them can
	 * be checked only now. */
	verify_handoff_1_1(kernel_handoff, handoff_phys, &options);

	const char *error = NULL;
	if (!smp_plan_from_handoff(kernel_handoff, &kernel_plan, &error))
		result_fail("smp: %s", error);
	kernel_print_plan(&kernel_plan);

	if (!frame_init(kernel_handoff, kernel_handoff_received, options.ignore_ap_held))
		result_fail("frame allocator: the map has more than %u entries", FRAME_MAX_ENTRIES);
	uint64_t trampoline = 0;
	if (kernel_plan.ap_count > 0 && !kernel_plan.use_mailbox) {
		trampoline = frame_alloc_below(KERNEL_TRAMPOLINE_LIMIT);
		if (trampoline == 0)
			result_fail("smp: no usable page below 1 MiB for the AP trampoline");
	}

	/* Own page tables: from here on the loader's tables, GDT and stack are unused. */
	uint64_t pml4 = paging_build(kernel_handoff, kernel_plan.lapic_phys);
	if (pml4 == 0)
		result_fail("paging: out of frames while building the page tables");
	cpu_write_cr3(pml4);
	kprint("paging: own page tables at 0x%lx, identity map up to 0x%lx\n", pml4,
	       paging_identity_top());

	if (options.test_triple_fault) {
		/* No IDT: #UD cannot be delivered, nor the #DF that follows, so the CPU shuts down
		 * (QEMU with -no-reboot exits 0). */
		static const struct __attribute__((packed)) {
			uint16_t limit;
			uint64_t base;
		} empty_idt = { 0, 0 };
		kprint("test-triple-fault: empty IDT, then ud2\n");
		__asm__ volatile("lidt %0\n\tud2" : : "m"(empty_idt));
	}
	if (options.test_fault) {
		kprint("test-fault: reading 0x%lx, which is not mapped\n", KERNEL_FAULT_ADDRESS);
		(void)*(volatile const uint64_t *)(uintptr_t)KERNEL_FAULT_ADDRESS;
	}

	if (options.selftest) {
		uint64_t start = timer_elapsed_ms();
		uint64_t taken = selftest_consume_all();
		kprint("selftest: took and wrote every free frame before the wakeup: %lu frames "
		       "(%lu MiB) in %lu ms\n",
		       taken, taken >> 8, timer_elapsed_ms() - start);
	}

	apcheck_snapshot(kernel_handoff_received, 1);
	if (options.poison != APCHECK_NONE &&
	    apcheck_poison(kernel_handoff_received, options.poison) == 0)
		result_fail("class=%s: the handoff tags nothing of this class (not AP-held here)",
		            apcheck_class_name(options.poison));
	static struct kernel_wake wake;
	kernel_wake_aps(pml4, trampoline, &wake);
	apcheck_snapshot(kernel_handoff_received, 2);
	bool untouched = apcheck_report_hashes();
	kernel_judge_wake(&wake, &options);
	if (!untouched && !options.ignore_ap_held)
		result_fail("AP-held memory changed between kernel entry and the wakeup");
	uint32_t online = wake.online;

	/* Every AP runs on our tables and the sample never hands a CPU back through the reset
	 * vector: both wakeup conditions hold. */
	uint64_t reclaimed = kernel_release(TB_EVENT_APS_WOKEN | TB_EVENT_NO_RESET,
	                                    "aps-woken+no-reset", options.selftest);
	uint64_t handoff_pages =
		kernel_release(TB_EVENT_LEFT_HANDOFF, "left-handoff", options.selftest);
	kprint("frames handed out: %lu, of which %lu were not usable at entry (%lu after the "
	       "wakeup, %lu loader-reclaimable)\n",
	       frame_allocated_count(), frame_reclaimed_count(), reclaimed, handoff_pages);
	kprint("done in %lu ms\n", timer_elapsed_ms());
	kernel_summary(&wake, reclaimed, options.selftest);
	result_pass("cpus=%u/%u regions=%u ap_held=%u reclaimed_pages=%lu", online,
	            kernel_plan.ap_count + 1, counts.regions, counts.ap_held, reclaimed);
}
