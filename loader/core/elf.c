/* elf.c: validation of the ELF64 x86-64 ET_EXEC kernel file before the loader places it. */
#include "elf.h"

#include "util.h"

#define ELF_PAGE_SIZE 4096ull

/* ELF64 layout (System V ABI, gABI "ELF Header" and "Program Header"). */
#define EHDR_SIZE 64u
#define PHDR_SIZE 56u
#define EI_CLASS 4u
#define EI_DATA 5u
#define EI_VERSION 6u
#define ELFCLASS64 2u
#define ELFDATA2LSB 1u
#define EV_CURRENT 1u
#define ET_EXEC 2u
#define EM_X86_64 62u
#define PN_XNUM 0xffffu
#define PT_LOAD 1u

/* Message helpers: every failure names the field and says why. */
static bool fail(struct elf_error *err, const char *msg)
{
	if (err != NULL)
		util_strlcpy(err->message, msg, sizeof err->message);
	return false;
}

static void start_msg(struct util_sb *sb, struct elf_error *err, char *fallback, size_t cap)
{
	if (err != NULL)
		util_sb_init(sb, err->message, sizeof err->message);
	else
		util_sb_init(sb, fallback, cap);
}

/* "FIELD (0xVALUE) REASON" for a header field. */
static bool fail_value(struct elf_error *err, const char *field, uint64_t value, const char *reason)
{
	char scratch[8];
	struct util_sb sb;
	start_msg(&sb, err, scratch, sizeof scratch);
	util_sb_str(&sb, field);
	util_sb_str(&sb, " (");
	util_sb_hex(&sb, value);
	util_sb_str(&sb, ") ");
	util_sb_str(&sb, reason);
	return false;
}

/* "program header N: FIELD (0xVALUE) REASON" */
static bool fail_phdr(struct elf_error *err, size_t index, const char *field, uint64_t value,
                      const char *reason)
{
	char scratch[8];
	struct util_sb sb;
	start_msg(&sb, err, scratch, sizeof scratch);
	util_sb_str(&sb, "program header ");
	util_sb_u64(&sb, index);
	util_sb_str(&sb, ": ");
	util_sb_str(&sb, field);
	util_sb_str(&sb, " (");
	util_sb_hex(&sb, value);
	util_sb_str(&sb, ") ");
	util_sb_str(&sb, reason);
	return false;
}

static bool check_header(const uint8_t *f, size_t size, struct elf_error *err)
{
	if (size < EHDR_SIZE)
		return fail_value(err, "file size", size, "is smaller than the 64-byte ELF64 header");
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return fail(err, "e_ident: bad magic (not an ELF file)");
	if (f[EI_CLASS] != ELFCLASS64)
		return fail_value(err, "e_ident[EI_CLASS]", f[EI_CLASS], "is not ELFCLASS64 (2)");
	if (f[EI_DATA] != ELFDATA2LSB)
		return fail_value(err, "e_ident[EI_DATA]", f[EI_DATA],
		                  "is not ELFDATA2LSB (1, little-endian)");
	if (f[EI_VERSION] != EV_CURRENT)
		return fail_value(err, "e_ident[EI_VERSION]", f[EI_VERSION], "is not EV_CURRENT (1)");
	if (util_le16(f + 16) != ET_EXEC)
		return fail_value(err, "e_type", util_le16(f + 16), "is not ET_EXEC (2)");
	if (util_le16(f + 18) != EM_X86_64)
		return fail_value(err, "e_machine", util_le16(f + 18), "is not EM_X86_64 (62)");
	if (util_le32(f + 20) != EV_CURRENT)
		return fail_value(err, "e_version", util_le32(f + 20), "is not EV_CURRENT (1)");
	if (util_le16(f + 54) != PHDR_SIZE)
		return fail_value(err, "e_phentsize", util_le16(f + 54), "is not 56 (ELF64 program header)");
	uint16_t phnum = util_le16(f + 56);
	if (phnum == 0)
		return fail(err, "e_phnum: the file has no program headers");
	if (phnum == PN_XNUM)
		return fail(err, "e_phnum: PN_XNUM (extended numbering) is not supported");
	uint64_t phoff = util_le64(f + 32);
	uint64_t table = (uint64_t)phnum * PHDR_SIZE;
	if (phoff > size || table > size - phoff) {
		char scratch[8];
		struct util_sb sb;
		start_msg(&sb, err, scratch, sizeof scratch);
		util_sb_str(&sb, "e_phoff (");
		util_sb_hex(&sb, phoff);
		util_sb_str(&sb, ") + e_phnum (");
		util_sb_u64(&sb, phnum);
		util_sb_str(&sb, ") * 56 is past the end of the file (size ");
		util_sb_hex(&sb, size);
		util_sb_str(&sb, ")");
		return false;
	}
	return true;
}

/* Does [a, a + alen) intersect [b, b + blen)? Callers guarantee no overflow. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool check_segment(const uint8_t *ph, size_t index, size_t size, struct elf_segment *seg,
                          struct elf_error *err)
{
	seg->flags = util_le32(ph + 4);
	seg->offset = util_le64(ph + 8);
	seg->vaddr = util_le64(ph + 16);
	seg->paddr = util_le64(ph + 24);
	seg->filesz = util_le64(ph + 32);
	seg->memsz = util_le64(ph + 40);
	if (seg->offset > size || seg->filesz > size - seg->offset) {
		char scratch[8];
		struct util_sb sb;
		start_msg(&sb, err, scratch, sizeof scratch);
		util_sb_str(&sb, "program header ");
		util_sb_u64(&sb, index);
		util_sb_str(&sb, ": p_offset + p_filesz (");
		util_sb_hex(&sb, seg->offset);
		util_sb_str(&sb, " + ");
		util_sb_hex(&sb, seg->filesz);
		util_sb_str(&sb, ") is past the end of the file (size ");
		util_sb_hex(&sb, size);
		util_sb_str(&sb, ")");
		return false;
	}
	if (seg->filesz > seg->memsz)
		return fail_phdr(err, index, "p_filesz", seg->filesz, "is larger than p_memsz");
	if (seg->memsz > ELF_MAX_SEGMENT_MEMSZ)
		return fail_phdr(err, index, "p_memsz", seg->memsz, "is larger than 1 GiB");
	/* The loader allocates whole pages: the segment's end rounded up to a page must still be
	 * an address (p_paddr 0xfffffffffffff000 with p_memsz 0xfff would round up to 0). */
	if (seg->paddr > UINT64_MAX - seg->memsz ||
	    seg->paddr + seg->memsz > UINT64_MAX - (ELF_PAGE_SIZE - 1))
		return fail_phdr(err, index, "p_paddr", seg->paddr,
		                 "+ p_memsz runs past the top of the address space (rounded up to a page)");
	/* x86-64 physical addresses have at most 52 bits; page tables cannot map beyond. */
	if (seg->paddr + seg->memsz > ELF_PHYS_LIMIT)
		return fail_phdr(err, index, "p_paddr", seg->paddr,
		                 "+ p_memsz is beyond the 52-bit physical address space");
	if (seg->vaddr > UINT64_MAX - seg->memsz ||
	    seg->vaddr + seg->memsz > UINT64_MAX - (ELF_PAGE_SIZE - 1))
		return fail_phdr(err, index, "p_vaddr", seg->vaddr,
		                 "+ p_memsz runs past the top of the address space (rounded up to a page)");
	return true;
}

bool elf_check(const void *file, size_t size, struct elf_image *out, struct elf_error *err)
{
	if (err != NULL)
		err->message[0] = '\0';
	if (file == NULL || out == NULL)
		return fail(err, "no file");
	const uint8_t *f = file;
	if (!check_header(f, size, err))
		return false;

	uint64_t phoff = util_le64(f + 32);
	uint16_t phnum = util_le16(f + 56);
	out->entry = util_le64(f + 24);
	out->segment_count = 0;
	out->phys_low = UINT64_MAX;
	out->phys_high = 0;
	for (size_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + i * PHDR_SIZE;
		if (util_le32(ph) != PT_LOAD)
			continue;
		struct elf_segment seg;
		if (!check_segment(ph, i, size, &seg, err))
			return false;
		/* An empty PT_LOAD places nothing; linkers may emit one for an empty section. */
		if (seg.memsz == 0)
			continue;
		if (out->segment_count == ELF_MAX_SEGMENTS) {
			char scratch[8];
			struct util_sb sb;
			start_msg(&sb, err, scratch, sizeof scratch);
			util_sb_str(&sb, "program header ");
			util_sb_u64(&sb, i);
			util_sb_str(&sb, ": PT_LOAD number ");
			util_sb_u64(&sb, ELF_MAX_SEGMENTS + 1);
			util_sb_str(&sb, " with content; the loader supports at most ");
			util_sb_u64(&sb, ELF_MAX_SEGMENTS);
			return false;
		}
		for (size_t j = 0; j < out->segment_count; j++) {
			const struct elf_segment *o = &out->segments[j];
			if (ranges_overlap(seg.paddr, seg.memsz, o->paddr, o->memsz))
				return fail_phdr(err, i, "p_paddr", seg.paddr,
				                 "overlaps an earlier PT_LOAD physically");
			if (ranges_overlap(seg.vaddr, seg.memsz, o->vaddr, o->memsz))
				return fail_phdr(err, i, "p_vaddr", seg.vaddr,
				                 "overlaps an earlier PT_LOAD virtually");
		}
		out->segments[out->segment_count++] = seg;
		if (seg.paddr < out->phys_low)
			out->phys_low = seg.paddr;
		if (seg.paddr + seg.memsz > out->phys_high)
			out->phys_high = seg.paddr + seg.memsz;
	}
	if (out->segment_count == 0)
		return fail(err, "program headers: no PT_LOAD segment with content");

	for (size_t j = 0; j < out->segment_count; j++) {
		const struct elf_segment *s = &out->segments[j];
		if (out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz) {
			if ((s->flags & ELF_PF_X) == 0)
				return fail_value(err, "e_entry", out->entry,
				                  "lies in a PT_LOAD that is not executable");
			return true;
		}
	}
	return fail_value(err, "e_entry", out->entry, "is not inside any PT_LOAD segment");
}
