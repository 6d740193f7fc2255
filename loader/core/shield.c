/* shield.c: the shield for chainloaded kernels: hazards the firmware map calls free become firmware-reserved memory before a `linux` or `efi` entry starts. */
#include "shield.h"

#include "boot_log.h"
#include "efimap.h"
#include "util.h"

#define SHIELD_NOT_IN_MAP UINT32_MAX

uint32_t shield_efi_type(const struct tb_mem_entry *hazard)
{
	return hazard->type == TB_MEM_AP_HELD ? EFIMAP_ACPI_MEMORY_NVS : EFIMAP_RESERVED_MEMORY;
}

enum tb_status shield_hazards(const struct tagging_input *in, struct shield_plan *plan)
{
	struct tagging_input only = *in;
	only.allocs = NULL;
	only.alloc_count = 0;
	only.parking_regions = NULL;
	only.parking_region_count = 0;
	plan->hazard_count = 0;
	plan->piece_count = 0;
	plan->truncated = false;
	size_t count = 0;
	enum tb_status st = tagging_collect(&only, plan->hazards, SHIELD_MAX_HAZARDS, &count);
	plan->hazard_count = count < SHIELD_MAX_HAZARDS ? count : SHIELD_MAX_HAZARDS;
	return st;
}

static enum shield_verdict shield_verdict_of(uint32_t firmware_type)
{
	if (firmware_type == EFIMAP_CONVENTIONAL_MEMORY)
		return SHIELD_COVER;
	if (firmware_type != SHIELD_NOT_IN_MAP && efimap_is_ram_type(firmware_type))
		return SHIELD_CANNOT;
	return SHIELD_ALREADY;
}

static void shield_add(struct shield_plan *plan, size_t hazard, uint64_t base, uint64_t end,
                       uint32_t firmware_type)
{
	if (end <= base)
		return;
	if (plan->piece_count >= SHIELD_MAX_PIECES) {
		plan->truncated = true;
		plan->piece_count++;
		return;
	}
	struct shield_piece *p = &plan->pieces[plan->piece_count++];
	p->base = base;
	p->length = end - base;
	p->hazard = hazard;
	p->firmware_type = firmware_type;
	p->verdict = shield_verdict_of(firmware_type);
	p->efi_type = p->verdict == SHIELD_COVER ? shield_efi_type(&plan->hazards[hazard])
	                                         : firmware_type;
	p->done = false;
}

void shield_plan_map(const void *map, size_t map_size, size_t desc_size, struct shield_plan *plan)
{
	plan->piece_count = 0;
	plan->truncated = false;
	for (size_t h = 0; h < plan->hazard_count; h++) {
		const struct tb_mem_entry *hz = &plan->hazards[h];
		uint64_t hb = hz->base, he = hz->base + hz->length;
		if (he < hb)
			he = UINT64_MAX & ~(EFIMAP_PAGE_SIZE - 1);
		/* Walk the hazard from low to high: at each cursor, the descriptor that holds it, or
		 * the gap up to the next descriptor (the map may be unsorted). */
		uint64_t cursor = hb;
		while (cursor < he) {
			uint64_t next_start = he, stop = he;
			uint32_t type = SHIELD_NOT_IN_MAP;
			struct efimap_desc d;
			for (size_t i = 0; efimap_get(map, map_size, desc_size, i, &d); i++) {
				uint64_t ds = d.phys_start;
				uint64_t de = d.pages > (UINT64_MAX - ds) / EFIMAP_PAGE_SIZE
				                      ? UINT64_MAX
				                      : ds + d.pages * EFIMAP_PAGE_SIZE;
				if (ds <= cursor && cursor < de) {
					type = d.type;
					stop = de < he ? de : he;
					break;
				}
				if (ds > cursor && ds < next_start)
					next_start = ds;
			}
			if (type == SHIELD_NOT_IN_MAP)
				stop = next_start;
			shield_add(plan, h, cursor, stop, type);
			cursor = stop;
		}
	}
}

static const char *shield_type_text(uint32_t efi_type)
{
	switch (efi_type) {
	case EFIMAP_ACPI_MEMORY_NVS:
		return "ACPI NVS";
	case EFIMAP_RESERVED_MEMORY:
		return "reserved";
	default:
		return efimap_type_name(efi_type);
	}
}

void shield_describe(struct util_sb *sb, const struct shield_plan *plan, size_t hazard,
                     const struct tagging_input *in)
{
	const struct tb_mem_entry *hz = &plan->hazards[hazard];
	if (hz->source == TB_SOURCE_CONFIG) {
		/* Config hazards come last, one per `reserve` line, in order. */
		size_t k = 0;
		for (size_t i = 0; i < hazard; i++)
			k += plan->hazards[i].source == TB_SOURCE_CONFIG;
		util_sb_str(sb, k < in->reserve_count ? in->reserves[k].reason : tb_reason_name(hz->reason));
		util_sb_str(sb, " (reserve line)");
		return;
	}
	util_sb_str(sb, tb_reason_name(hz->reason));
	util_sb_str(sb, " (");
	util_sb_str(sb, tb_source_name(hz->source));
	util_sb_char(sb, ')');
}

/* The current map into fresh pages (freed by the caller with *pages). */
static bool shield_read_map(struct fw *fw, uint64_t *buf, uint64_t *pages, uint64_t *size,
                            uint64_t *desc_size)
{
	uint64_t key = 0;
	uint32_t version = 0;
	uint8_t probe = 0;
	*size = 0;
	*desc_size = 0;
	enum fw_status st = fw->get_memory_map(fw, &probe, size, &key, desc_size, &version);
	if (st != FW_BUFFER_TOO_SMALL || *desc_size < EFIMAP_DESC_MIN_SIZE)
		return false;
	/* Room for the descriptors our own allocation adds. */
	*pages = fw_pages_for(*size + 8u * *desc_size);
	if (fw->allocate_pages(fw, FW_ALLOC_ANY, FW_MEM_LOADER_DATA, *pages, buf) != FW_OK)
		return false;
	*size = *pages * FW_PAGE_SIZE;
	if (fw->get_memory_map(fw, (void *)(uintptr_t)*buf, size, &key, desc_size, &version) == FW_OK)
		return true;
	fw->free_pages(fw, *buf, *pages);
	return false;
}

/* A piece wholly inside pieces shielded before it (two hazards over the same pages). */
static bool shield_covered_before(const struct shield_plan *plan, size_t k)
{
	const struct shield_piece *p = &plan->pieces[k];
	uint64_t cursor = p->base, end = p->base + p->length;
	bool moved = true;
	while (cursor < end && moved) {
		moved = false;
		for (size_t j = 0; j < k; j++) {
			const struct shield_piece *q = &plan->pieces[j];
			if (q->done && q->base <= cursor && cursor < q->base + q->length) {
				cursor = q->base + q->length;
				moved = true;
			}
		}
	}
	return cursor >= end;
}

bool shield_apply(struct fw *fw, const struct tagging_input *in, struct shield_plan *plan)
{
	if (shield_hazards(in, plan) != TB_OK && plan->hazard_count == 0)
		return true;
	if (plan->hazard_count == 0)
		return true;
	uint64_t buf = 0, pages = 0, size = 0, desc_size = 0;
	if (!shield_read_map(fw, &buf, &pages, &size, &desc_size)) {
		boot_log(fw, "warning: shield: cannot read the memory map; nothing shielded");
		plan->piece_count = 0;
		return false;
	}
	shield_plan_map((const void *)(uintptr_t)buf, (size_t)size, (size_t)desc_size, plan);
	fw->free_pages(fw, buf, pages);
	size_t n = plan->piece_count < SHIELD_MAX_PIECES ? plan->piece_count : SHIELD_MAX_PIECES;
	for (size_t k = 0; k < n; k++) {
		struct shield_piece *p = &plan->pieces[k];
		struct boot_log_line line;
		boot_log_begin(&line, false);
		bool covered_before = false;
		enum fw_status st = FW_OK;
		if (p->verdict == SHIELD_COVER) {
			covered_before = shield_covered_before(plan, k);
			if (!covered_before) {
				uint64_t addr = p->base;
				st = fw->allocate_pages(fw, FW_ALLOC_ADDRESS, p->efi_type,
				                        p->length / FW_PAGE_SIZE, &addr);
				p->done = st == FW_OK && addr == p->base;
				if (st == FW_OK && !p->done)
					fw->free_pages(fw, addr, p->length / FW_PAGE_SIZE);
			}
		}
		util_sb_str(&line.sb, p->verdict == SHIELD_CANNOT || (p->verdict == SHIELD_COVER &&
		                                                      !p->done && !covered_before)
		                              ? "warning: shield: cannot cover "
		                              : "shield: ");
		util_sb_hex(&line.sb, p->base);
		util_sb_char(&line.sb, '-');
		util_sb_hex(&line.sb, p->base + p->length - 1);
		util_sb_char(&line.sb, ' ');
		shield_describe(&line.sb, plan, p->hazard, in);
		if (p->verdict == SHIELD_COVER && (p->done || covered_before)) {
			util_sb_str(&line.sb, " -> ");
			util_sb_str(&line.sb, shield_type_text(p->efi_type));
			if (covered_before)
				util_sb_str(&line.sb, " (shielded above)");
		} else if (p->verdict == SHIELD_COVER) {
			util_sb_str(&line.sb, ": AllocateAddress failed: ");
			util_sb_str(&line.sb, st == FW_OK ? "another address came back" : fw_status_str(st));
			util_sb_str(&line.sb, "; the next stage will see it as conventional memory");
		} else if (p->verdict == SHIELD_CANNOT) {
			util_sb_str(&line.sb, ": the firmware has it as ");
			util_sb_str(&line.sb, efimap_type_name(p->firmware_type));
			util_sb_str(&line.sb, "; the next stage will see it as usable memory after "
			                      "ExitBootServices");
		} else if (p->firmware_type == SHIELD_NOT_IN_MAP) {
			util_sb_str(&line.sb, ": not in the memory map (not RAM): nothing to do");
		} else {
			util_sb_str(&line.sb, ": already ");
			util_sb_str(&line.sb, efimap_type_name(p->firmware_type));
		}
		boot_log_end(fw, &line);
	}
	if (plan->truncated)
		boot_log(fw, "warning: shield: more pieces than the plan holds; the rest not shielded");
	return true;
}

void shield_release(struct fw *fw, struct shield_plan *plan)
{
	size_t n = plan->piece_count < SHIELD_MAX_PIECES ? plan->piece_count : SHIELD_MAX_PIECES;
	for (size_t k = 0; k < n; k++) {
		if (plan->pieces[k].done)
			fw->free_pages(fw, plan->pieces[k].base, plan->pieces[k].length / FW_PAGE_SIZE);
		plan->pieces[k].done = false;
	}
}
