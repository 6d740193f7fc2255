/* simshield.c: `handoff simulate --entry linux|efi`: tagboot's shield for a text memory map, each hazard covered or not, and the EFI map a chainloaded stub then reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "efimap.h"
#include "memtext.h"
#include "shield.h"
#include "simulate.h"
#include "util.h"

#define SIMSHIELD_DS 48u /* OVMF's descriptor stride, as the loader would see it */

static const char *simshield_verdict(const struct shield_piece *p)
{
	switch (p->verdict) {
	case SHIELD_COVER:
		return "covered: allocated at its address by the shield";
	case SHIELD_CANNOT:
		return "NOT covered: the firmware already allocated it; after ExitBootServices the "
		       "stub calls it usable";
	default:
		return p->firmware_type == UINT32_MAX ? "covered: not RAM (not in the map)"
		                                      : "covered: the firmware's own type keeps it";
	}
}

int simshield_report(const struct simargs *a, const struct tb_mem_entry *rows,
                     const uint32_t *src_types, size_t count, const struct acpi_info *acpi)
{
	/* The rows back into EFI descriptors: only EFI forms carry the types the stub reads. */
	uint8_t *map = calloc(count ? count : 1, SIMSHIELD_DS);
	if (map == NULL) {
		fprintf(stderr, "handoff simulate: out of memory\n");
		return TOOL_EXIT_USAGE;
	}
	for (size_t i = 0; i < count; i++) {
		if (src_types[i] >= MEMTEXT_SRC_E820) {
			fprintf(stderr, "handoff simulate: %s: --entry %s needs an EFI memory map (EDK2 shell "
			                "memmap or efi: mem lines): a stub reads EFI types, not e820 ones\n",
			        a->file, a->entry);
			free(map);
			return TOOL_EXIT_INVALID;
		}
		uint8_t *d = map + i * SIMSHIELD_DS;
		uint32_t type = src_types[i];
		uint64_t pages = rows[i].length / EFIMAP_PAGE_SIZE, wb = EFIMAP_ATTR_WB;
		memcpy(d, &type, 4);
		memcpy(d + 8, &rows[i].base, 8);
		memcpy(d + 24, &pages, 8);
		memcpy(d + 32, &wb, 8);
	}
	struct tagging_input in;
	memset(&in, 0, sizeof(in));
	in.acpi = a->have_mailbox ? acpi : NULL;
	in.platform_kind = a->platform;
	in.reserves = a->reserves;
	in.reserve_count = a->reserve_count;
	static struct shield_plan plan;
	enum tb_status st = shield_hazards(&in, &plan);
	if (st != TB_OK && plan.hazard_count == 0 && st != TB_ERR_NO_SPACE) {
		fprintf(stderr, "handoff simulate: %s: the hazards: %s\n", a->file, tb_status_str(st));
		free(map);
		return TOOL_EXIT_INVALID;
	}
	shield_plan_map(map, count * SIMSHIELD_DS, SIMSHIELD_DS, &plan);
	printf("entry: %s (chainloaded: its EFI stub reads the map itself; tagboot's shield runs "
	       "before StartImage)\n", a->entry);
	printf("shield: %zu hazards, %zu pieces\n", plan.hazard_count, plan.piece_count);
	size_t n = plan.piece_count < SHIELD_MAX_PIECES ? plan.piece_count : SHIELD_MAX_PIECES;
	size_t uncovered = 0, nov = 0;
	struct efimap_override ov[SHIELD_MAX_PIECES];
	for (size_t k = 0; k < n; k++) {
		const struct shield_piece *p = &plan.pieces[k];
		char what[96];
		struct util_sb sb;
		util_sb_init(&sb, what, sizeof(what));
		shield_describe(&sb, &plan, p->hazard, &in);
		printf("  0x%llx-0x%llx %-34s %-20s %s%s%s\n", (unsigned long long)p->base,
		       (unsigned long long)(p->base + p->length - 1), what,
		       p->firmware_type == UINT32_MAX ? "(not in map)" : efimap_type_name(p->firmware_type),
		       simshield_verdict(p), p->verdict == SHIELD_COVER ? " as " : "",
		       p->verdict == SHIELD_COVER ? efimap_type_name(p->efi_type) : "");
		if (p->verdict == SHIELD_CANNOT)
			uncovered++;
		if (p->verdict == SHIELD_COVER) {
			ov[nov].base = p->base;
			ov[nov].length = p->length;
			ov[nov].efi_type = p->efi_type;
			nov++;
		}
	}
	/* What the stub's GetMemoryMap returns afterwards: the firmware's map with the covered
	 * pieces retyped (efimap_retype wants the overrides sorted). */
	for (size_t i = 1; i < nov; i++)
		for (size_t j = i; j > 0 && ov[j - 1].base > ov[j].base; j--) {
			struct efimap_override t = ov[j];
			ov[j] = ov[j - 1];
			ov[j - 1] = t;
		}
	size_t cap = (count + 2 * nov + 1) * SIMSHIELD_DS, out_size = 0;
	uint8_t *out = malloc(cap);
	if (out == NULL || efimap_retype(map, count * SIMSHIELD_DS, SIMSHIELD_DS, ov, nov, out, cap,
	                                 &out_size) != TB_OK) {
		fprintf(stderr, "handoff simulate: cannot apply the shield to the map\n");
		free(out);
		free(map);
		return TOOL_EXIT_INVALID;
	}
	printf("map the %s stub sees after the shield:\n", a->entry);
	struct efimap_desc d;
	for (size_t i = 0; efimap_get(out, out_size, SIMSHIELD_DS, i, &d); i++)
		printf("  %-22s 0x%016llx-0x%016llx\n", efimap_type_name(d.type),
		       (unsigned long long)d.phys_start,
		       (unsigned long long)(d.phys_start + d.pages * EFIMAP_PAGE_SIZE - 1));
	printf("hazards not covered: %zu%s\n", uncovered,
	       uncovered ? " (a native boot, linux-protocol native, tags them for the kernel)" : "");
	free(out);
	free(map);
	if (plan.truncated)
		fprintf(stderr, "handoff simulate: more pieces than the shield plan holds; the rest not shown\n");
	if (a->strict && uncovered > 0) {
		fprintf(stderr, "handoff simulate: %s: %zu hazard piece(s) not covered (--strict)\n",
		        a->file, uncovered);
		return TOOL_EXIT_INVALID;
	}
	return TOOL_EXIT_OK;
}
