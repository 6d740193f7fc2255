/* shield.h: the shield for chainloaded kernels: hazards the firmware map calls free become firmware-reserved memory before a `linux` or `efi` entry starts. */
#ifndef TAGBOOT_SHIELD_H
#define TAGBOOT_SHIELD_H

/*
 * An EFI-stub kernel calls GetMemoryMap and ExitBootServices itself and believes the
 * firmware's types. On a TDVF older than edk2-stable202411 that map calls the page tables of
 * the parked APs conventional memory (background.md section 1), and every stub passes that on
 * as RAM. A loader can fix the map for everyone after it: a page the map calls conventional is
 * allocated at its address as a type no OS reuses, and every later GetMemoryMap, so every
 * stub's e820, shows it so. The hazards are the ones tagboot tags for its own kernels
 * (tagging.c: the MADT mailbox, TDVF metadata or the TDX quirk table, `reserve` lines).
 *
 * The type: AP-held memory (parked APs run on it) becomes EfiACPIMemoryNVS, as edk2 itself
 * has reported the TDX page tables since stable202411 and as the native Linux boot reports
 * AP-held memory (docs/linux.md); `reserve` lines become EfiReservedMemoryType, the plain
 * "do not touch". A page the firmware has already allocated (boot-services or loader code and
 * data) cannot be allocated again, so it cannot be retyped: the plan says so.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw.h"
#include "tagboot_handoff.h"
#include "tagging.h"

#define SHIELD_MAX_HAZARDS 32u
#define SHIELD_MAX_PIECES 96u

enum shield_verdict {
	SHIELD_COVER = 0,   /* conventional memory: allocate it as efi_type */
	SHIELD_CANNOT = 1,  /* boot-services or loader memory: already allocated, stays as is
	                     * and becomes usable after ExitBootServices */
	SHIELD_ALREADY = 2, /* a type no OS reuses (reserved, ACPI, MMIO, ...), or not in the map */
};

/* One piece of one hazard with a single firmware type. */
struct shield_piece {
	uint64_t base;          /* page aligned */
	uint64_t length;        /* whole pages */
	size_t hazard;          /* index into the hazard list */
	enum shield_verdict verdict;
	uint32_t firmware_type; /* EFI type of the map there (EFIMAP_*); UINT32_MAX: not in the map */
	uint32_t efi_type;      /* SHIELD_COVER: the type it is allocated as */
	bool done;              /* SHIELD_COVER: the allocation succeeded */
};

struct shield_plan {
	size_t hazard_count;
	struct tb_mem_entry hazards[SHIELD_MAX_HAZARDS];
	size_t piece_count;     /* may exceed SHIELD_MAX_PIECES: then truncated is set */
	bool truncated;
	struct shield_piece pieces[SHIELD_MAX_PIECES];
};

/* The EFI type a hazard is shielded as (AP_HELD: ACPI NVS, anything else: reserved). */
uint32_t shield_efi_type(const struct tb_mem_entry *hazard);

/* The hazards of in (firmware AP memory and `reserve` lines; in->allocs and parking are not
 * used) into plan->hazards. TB_ERR_NO_SPACE past SHIELD_MAX_HAZARDS. */
enum tb_status shield_hazards(const struct tagging_input *in, struct shield_plan *plan);

/* Split every hazard (page-rounded outward) by the types of the EFI map (map_size bytes,
 * desc_size stride, any order) into pieces, in address order per hazard. Pure. */
void shield_plan_map(const void *map, size_t map_size, size_t desc_size, struct shield_plan *plan);

/*
 * Everything before StartImage of a chainloaded entry: hazards, the current map, a plan, an
 * AllocateAddress of every SHIELD_COVER piece, and one console line per piece:
 *   shield: 0x800000-0x805fff page-tables (tdvf-quirk) -> ACPI NVS
 *   shield: cannot cover 0x...-0x... REASON (SOURCE): the firmware has it as BootServicesData;
 *           the next stage will see it as usable memory after ExitBootServices
 *   shield: 0x...-0x... REASON (SOURCE): already ReservedMemoryType
 * reserves names the `reserve` lines (their REASON words label the config hazards). Returns
 * false only when the map cannot be read (nothing allocated then); a piece that cannot be
 * allocated is reported and left. shield_release gives the allocations back (the image
 * returned).
 */
bool shield_apply(struct fw *fw, const struct tagging_input *in, struct shield_plan *plan);
void shield_release(struct fw *fw, struct shield_plan *plan);

/* "page-tables (tdvf-quirk)" or, for a `reserve` line, its REASON word "(config)", into sb. */
struct util_sb;
void shield_describe(struct util_sb *sb, const struct shield_plan *plan, size_t hazard,
                     const struct tagging_input *in);

#endif /* TAGBOOT_SHIELD_H */
