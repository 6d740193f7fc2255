/* The 1.0 reader kept for the compatibility test: handoff/src/rank.c at 6369646, unchanged. */
/* rank.c: the precedence of memory types (tb_mem_type_rank) and the unknown-is-reserved rule
 * (tb_mem_type_known). */
#include "tagboot_handoff.h"

uint32_t tb_mem_type_known(uint32_t type)
{
	/* tagboot_handoff.h: a type the reader does not know means "reserved: do not touch". */
	if (type < TB_MEM_USABLE || type > TB_MEM_TYPE_MAX)
		return TB_MEM_RESERVED;
	return type;
}

/*
 * Precedence when ranges overlap (docs/handoff.md "Normalization"); a higher rank wins.
 * The order puts "free" lowest, then memory that is free once its user is done with it, then
 * memory with a fixed user, then memory nobody may touch, and failed RAM above all.
 */
static const unsigned char mem_type_ranks[TB_MEM_TYPE_MAX + 1] = {
	[TB_MEM_USABLE] = 0,
	[TB_MEM_LOADER_RECLAIMABLE] = 1,
	[TB_MEM_ACPI_RECLAIMABLE] = 2,
	[TB_MEM_MODULE] = 3,
	[TB_MEM_KERNEL] = 4,
	[TB_MEM_FRAMEBUFFER] = 5,
	[TB_MEM_UNACCEPTED] = 6,
	[TB_MEM_PERSISTENT] = 7,
	[TB_MEM_ACPI_NVS] = 8,
	[TB_MEM_FIRMWARE_RUNTIME] = 9,
	[TB_MEM_MMIO] = 10,
	[TB_MEM_RESERVED] = 11,
	[TB_MEM_AP_HELD] = 12,
	[TB_MEM_BAD] = 13,
};

unsigned tb_mem_type_rank(uint32_t type)
{
	return mem_type_ranks[tb_mem_type_known(type)];
}
