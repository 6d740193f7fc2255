/* tagging.h: the tagged regions the loader carves into the map (parked-AP memory, config reserves, loader allocations). */
#ifndef TAGBOOT_TAGGING_H
#define TAGBOOT_TAGGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "config.h"
#include "tagboot_handoff.h"

#define TAGGING_MAX_REGIONS 96u
#define TAGGING_MAX_HAZARDS 8u
#define TAGGING_MESSAGE_MAX 160u

/* What a loader allocation holds. */
enum tagging_alloc_kind {
	TAGGING_ALLOC_KERNEL = 1,       /* a kernel segment  -> KERNEL / KERNEL_IMAGE, never */
	TAGGING_ALLOC_MODULE = 2,       /* a module          -> MODULE / MODULE, never */
	TAGGING_ALLOC_HANDOFF = 3,      /* the handoff blob  -> LOADER_RECLAIMABLE, after handoff */
	TAGGING_ALLOC_HANDOFF_DATA = 4, /* command line, names the blob points at */
	TAGGING_ALLOC_PAGE_TABLES = 5,  /* the loader's page tables at kernel entry */
	TAGGING_ALLOC_STACK = 6,        /* the BSP stack at kernel entry */
	TAGGING_ALLOC_GDT = 7,          /* the GDT at kernel entry */
	TAGGING_ALLOC_FRAMEBUFFER = 8,  /* the boot framebuffer -> FRAMEBUFFER, never */
};

struct tagging_alloc {
	uint64_t base;
	uint64_t length;
	uint32_t kind; /* enum tagging_alloc_kind */
};

struct tagging_input {
	const struct acpi_info *acpi;              /* may be NULL: no MADT wakeup regions */
	uint32_t platform_kind;                    /* enum tb_platform_kind */
	/* Hook for the TDVF metadata reader: regions from tdvf_regions() (tdvf.h; source
	 * TDVF_METADATA). When given (count > 0) they replace the TDX quirk table; tagging sets
	 * their reclaim rule from the mailbox version as for the quirk regions. */
	const struct tb_mem_entry *tdvf_regions;
	size_t tdvf_region_count;
	/* AP-held regions of the loader's own AP parking (appark_regions: owner LOADER), carved
	 * as given right after the firmware's AP memory. */
	const struct tb_mem_entry *parking_regions;
	size_t parking_region_count;
	const struct config_reserve *reserves;     /* `reserve` lines of the boot entry */
	size_t reserve_count;
	const struct tagging_alloc *allocs;        /* what the loader allocated */
	size_t alloc_count;
};

struct tagging_report {
	unsigned regions;                               /* regions applied */
	unsigned hazard_count;                          /* hazards found (may exceed the array) */
	char hazards[TAGGING_MAX_HAZARDS][TAGGING_MESSAGE_MAX];
	char error[TAGGING_MESSAGE_MAX];                /* "" unless the return is not TB_OK */
};

/* The regions for an input, in application order (AP memory of firmware first, then the
 * loader's parking area, then config reserves, then loader allocations), into out[0..cap).
 * TB_ERR_NO_SPACE if they do not fit. */
enum tb_status tagging_collect(const struct tagging_input *in, struct tb_mem_entry *out,
                               size_t cap, size_t *count);

/* Collect the regions and carve each into the normalized map (in place, capacity cap) with
 * tb_map_tag. Hazards (rep may be NULL): an AP_HELD region the firmware map calls usable
 * ("0x800000-0x805fff is reported usable but ... (page tables)"), a loader allocation that
 * overlaps AP_HELD memory. Returns the first tb_map_tag error, else TB_OK. */
enum tb_status tagging_apply(struct tb_mem_entry *map, size_t *count, size_t cap,
                             const struct tagging_input *in, struct tagging_report *rep);

#endif /* TAGBOOT_TAGGING_H */
