/* report.h: what the kernel prints about the handoff: raw dump, memory map, tagged regions. */
#ifndef KERNEL_REPORT_H
#define KERNEL_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* Counts taken from the map at entry (before any release). */
struct report_counts {
	uint32_t regions;   /* tagged entries: owner or reason set */
	uint32_t ap_held;   /* entries of type AP_HELD */
	uint64_t ap_held_pages;
	uint64_t usable_pages;
};

/* The raw blob on debugcon as "HANDOFF-BEGIN <size>", 32 bytes of hex per line, "HANDOFF-END"
 * (tests/boot/run-boot.sh turns it back into build/last-boot/handoff.bin). */
void report_dump_handoff(const void *blob, size_t size);
/* Header facts and the platform, loader, CPU and command line records on serial. */
void report_header(const void *blob);
/* Every map entry, then every tagged region with owner, reason, reclaim, source. */
void report_memmap(const void *blob, struct report_counts *counts);

#endif
