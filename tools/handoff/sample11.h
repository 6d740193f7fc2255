/* sample11.h: the records new in handoff 1.1 that `handoff sample` adds (sample11.c). */
#ifndef TAGBOOT_TOOL_SAMPLE11_H
#define TAGBOOT_TOOL_SAMPLE11_H

#include "tagboot_handoff.h"

/* Where the sample's kernel image and entry stack are: the memory map tags the same ranges. */
#define SAMPLE11_KERNEL_PHYS 0x200000ull
#define SAMPLE11_KERNEL_SIZE 0x200000ull
#define SAMPLE11_STACK_BASE 0x7dfc0000ull
#define SAMPLE11_STACK_SIZE 0x10000ull

/* Append TB_REC_KERNEL .. TB_REC_REQUEST (one each) to b. */
void sample11_records(struct tb_builder *b);

#endif /* TAGBOOT_TOOL_SAMPLE11_H */
