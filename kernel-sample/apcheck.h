/* apcheck.h: proof that AP-held memory matters: hashes of every AP-held region over the boot, the poison option that destroys one class on purpose, and the parked APs' own self-check reports. */
#ifndef KERNEL_APCHECK_H
#define KERNEL_APCHECK_H

#include <stdbool.h>
#include <stdint.h>

#define APCHECK_MAX_REGIONS 16u

/* The tag classes `poison=` can destroy (docs/writing-a-kernel.md). */
enum apcheck_class {
	APCHECK_NONE = 0,
	APCHECK_MAILBOX,     /* reason mailbox */
	APCHECK_LOOP_CODE,   /* reason ap-loop-code (the loop, its GDT and IDT) */
	APCHECK_PAGE_TABLES, /* reason page-tables, AP-held */
	APCHECK_STACKS,      /* reason ap-stack */
	APCHECK_TRAMPOLINE,  /* reason ap-loop-code below 1 MiB (tagged only if an AP was late) */
};

/* "mailbox", "loop-code", ... ; NULL for APCHECK_NONE. */
const char *apcheck_class_name(enum apcheck_class c);
/* The class named by word (length bytes), or APCHECK_NONE when it names none. */
enum apcheck_class apcheck_class_parse(const char *word, unsigned length);

/* Hash every AP_HELD region of the handoff now: phase 0 at entry, 1 before the wakeup, 2
 * after it. The first call records the regions. */
void apcheck_snapshot(const void *handoff, unsigned phase);
/* Print one line per region with its three hashes; returns false when a region changed
 * between entry and the wakeup (nothing but the APs may touch it). */
bool apcheck_report_hashes(void);

/* Overwrite every page of that class (0xFF for the mailbox and code, zeros for page tables,
 * 0xA5 for stacks). Returns how many bytes, 0 when the handoff tags nothing of the class. */
uint64_t apcheck_poison(const void *handoff, enum apcheck_class c);

/* Read the parked loop's wakeup log in the mailbox (handoff/include/tagboot_wakelog.h): print each
 * woken AP's checks; *logged = entries, *ok = entries with every check passed; bad_ids gets
 * the APIC IDs whose checks failed (comma-separated). Returns false when there is no log. */
bool apcheck_wakelog(uint64_t mailbox, uint32_t *logged, uint32_t *ok, char *bad_ids,
                     unsigned cap);

/* AP-held regions and pages the handoff tags (for the summary). */
void apcheck_totals(unsigned *regions, uint64_t *pages);

#endif
