/* elf.h: validation of the ELF64 x86-64 ET_EXEC kernel file before the loader places it. */
#ifndef TAGBOOT_ELF_H
#define TAGBOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16u                 /* PT_LOAD segments the loader places */
#define ELF_MAX_SEGMENT_MEMSZ (1ull << 30)   /* 1 GiB: anything larger is a broken file */
#define ELF_PHYS_LIMIT (1ull << 52)          /* x86-64 physical addresses: 52 bits at most */
/* p_flags bits (System V ABI, "Segment Permissions"). */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

struct elf_segment {
	uint64_t paddr;  /* physical load address (p_paddr) */
	uint64_t vaddr;  /* virtual address (p_vaddr) */
	uint64_t offset; /* file offset of the content (p_offset) */
	uint64_t filesz; /* bytes copied from the file */
	uint64_t memsz;  /* bytes in memory; memsz - filesz are zeroed */
	uint32_t flags;  /* ELF_PF_* */
};

struct elf_image {
	uint64_t entry;          /* e_entry, virtual */
	size_t segment_count;    /* PT_LOAD segments, in program-header order */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	uint64_t phys_low;       /* lowest p_paddr of a PT_LOAD */
	uint64_t phys_high;      /* highest p_paddr + p_memsz (exclusive end) */
};

struct elf_error {
	char message[256]; /* "program header 2: p_offset + p_filesz (0x..) is past the end ..." */
};

/* Check every rule the loader relies on (header, each PT_LOAD in bounds, no overflow, no
 * physical or virtual overlap, entry inside an executable PT_LOAD) for a file of size bytes.
 * On success fills out and returns true; on failure returns false with err->message naming
 * the field and the reason (err may be NULL). The file is only read, never trusted. */
bool elf_check(const void *file, size_t size, struct elf_image *out, struct elf_error *err);

#endif /* TAGBOOT_ELF_H */
