/* test_elf.c: elf_check on hand-built ELF64 files: good files, truncation at every length, bad fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "elf.h"

/* A file built in a buffer: 64-byte header, program headers at 64, content after. */
struct test_file {
	uint8_t bytes[8192];
	size_t size;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void make_header(struct test_file *f, uint64_t entry, uint16_t phnum)
{
	memset(f->bytes, 0, sizeof f->bytes);
	memcpy(f->bytes, "\x7f" "ELF", 4);
	f->bytes[4] = 2; /* ELFCLASS64 */
	f->bytes[5] = 1; /* little-endian */
	f->bytes[6] = 1; /* EV_CURRENT */
	put16(f->bytes + 16, 2);  /* ET_EXEC */
	put16(f->bytes + 18, 62); /* EM_X86_64 */
	put32(f->bytes + 20, 1);
	put64(f->bytes + 24, entry);
	put64(f->bytes + 32, 64); /* e_phoff */
	put16(f->bytes + 52, 64);
	put16(f->bytes + 54, 56);
	put16(f->bytes + 56, phnum);
	f->size = 64 + (size_t)phnum * 56;
}

static void set_phdr(struct test_file *f, unsigned i, uint32_t type, uint32_t flags, uint64_t offset,
                     uint64_t vaddr, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *p = f->bytes + 64 + i * 56;
	put32(p, type);
	put32(p + 4, flags);
	put64(p + 8, offset);
	put64(p + 16, vaddr);
	put64(p + 24, paddr);
	put64(p + 32, filesz);
	put64(p + 40, memsz);
	put64(p + 48, 0x1000);
	if (offset + filesz > f->size && offset + filesz <= sizeof f->bytes)
		f->size = offset + filesz;
}

#define KV 0xffffffff80000000ull

/* A typical kernel: text RX at 1 MiB, a PT_NOTE, data RW with bss at 1 MiB + 8 KiB. */
static void make_kernel(struct test_file *f)
{
	make_header(f, KV + 0x100010, 3);
	set_phdr(f, 0, 1, 5, 0x1000, KV + 0x100000, 0x100000, 0x800, 0x1000);
	set_phdr(f, 1, 4, 4, 0x200, 0, 0, 0x20, 0x20); /* PT_NOTE: ignored */
	set_phdr(f, 2, 1, 6, 0x1800, KV + 0x102000, 0x102000, 0x100, 0x3000);
}

static void expect_error(const struct test_file *f, const char *want)
{
	struct elf_image img;
	struct elf_error err;
	assert_false(elf_check(f->bytes, f->size, &img, &err));
	assert_string_equal(err.message, want);
}

static void test_good_kernel(void **state)
{
	(void)state;
	struct test_file f;
	struct elf_image img;
	struct elf_error err;
	make_kernel(&f);
	assert_int_equal(f.size, 0x1900);
	assert_true(elf_check(f.bytes, f.size, &img, &err));
	assert_string_equal(err.message, "");
	assert_true(img.entry == KV + 0x100010);
	assert_int_equal(img.segment_count, 2);
	assert_true(img.segments[1].paddr == 0x102000);
	assert_true(img.segments[1].vaddr == KV + 0x102000);
	assert_true(img.segments[1].offset == 0x1800);
	assert_true(img.segments[1].filesz == 0x100);
	assert_true(img.segments[1].memsz == 0x3000);
	assert_int_equal(img.segments[1].flags, ELF_PF_R | ELF_PF_W);
	assert_true(img.phys_low == 0x100000);
	assert_true(img.phys_high == 0x105000);
	/* err may be NULL. */
	assert_true(elf_check(f.bytes, f.size, &img, NULL));
}

/* Every proper prefix of a valid file is rejected, never read past (ASan watches). */
static void test_truncated_at_every_length(void **state)
{
	(void)state;
	struct test_file f;
	make_kernel(&f);
	for (size_t len = 0; len < f.size; len++) {
		/* A fresh heap-sized copy so ASan catches any read past len. */
		uint8_t *copy = test_malloc(len == 0 ? 1 : len);
		memcpy(copy, f.bytes, len);
		struct elf_image img;
		struct elf_error err;
		assert_false(elf_check(copy, len, &img, &err));
		assert_true(err.message[0] != '\0');
		test_free(copy);
	}
	expect_error(&(struct test_file){.size = 10}, "file size (0xa) is smaller than the 64-byte ELF64 header");
}

static void test_bad_header_fields(void **state)
{
	(void)state;
	struct test_file f;
	make_kernel(&f);
	f.bytes[1] = 'X';
	expect_error(&f, "e_ident: bad magic (not an ELF file)");
	make_kernel(&f);
	f.bytes[4] = 1;
	expect_error(&f, "e_ident[EI_CLASS] (0x1) is not ELFCLASS64 (2)");
	make_kernel(&f);
	f.bytes[5] = 2;
	expect_error(&f, "e_ident[EI_DATA] (0x2) is not ELFDATA2LSB (1, little-endian)");
	make_kernel(&f);
	put16(f.bytes + 16, 3);
	expect_error(&f, "e_type (0x3) is not ET_EXEC (2)");
	make_kernel(&f);
	put16(f.bytes + 18, 183); /* EM_AARCH64 */
	expect_error(&f, "e_machine (0xb7) is not EM_X86_64 (62)");
	make_kernel(&f);
	put16(f.bytes + 54, 64);
	expect_error(&f, "e_phentsize (0x40) is not 56 (ELF64 program header)");
	make_kernel(&f);
	put16(f.bytes + 56, 0);
	expect_error(&f, "e_phnum: the file has no program headers");
	make_kernel(&f);
	put64(f.bytes + 32, 0xfffffffffffffff0ull);
	expect_error(&f, "e_phoff (0xfffffffffffffff0) + e_phnum (3) * 56 is past the end of the file (size 0x1900)");
}

static void test_bad_segments(void **state)
{
	(void)state;
	struct test_file f;
	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0x102000, 0x200, 0x3000);
	f.size = 0x1900; /* content ends 0x100 early */
	expect_error(&f, "program header 2: p_offset + p_filesz (0x1800 + 0x200) is past the end of the file (size 0x1900)");

	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0xffffffffffffff00ull, KV + 0x102000, 0x102000, 0x200, 0x3000);
	expect_error(&f, "program header 2: p_offset + p_filesz (0xffffffffffffff00 + 0x200) is past the end of the file (size 0x1900)");

	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0x102000, 0x100, 0x80);
	expect_error(&f, "program header 2: p_filesz (0x100) is larger than p_memsz");

	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0x102000, 0x100, (1ull << 30) + 1);
	expect_error(&f, "program header 2: p_memsz (0x40000001) is larger than 1 GiB");

	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0xfffffffffffff000ull, 0x100, 0x3000);
	expect_error(&f, "program header 2: p_paddr (0xfffffffffffff000) + p_memsz runs past the top of the address space (rounded up to a page)");

	/* The last page of the address space: p_paddr + p_memsz fits, but rounded up to a page
	 * it would wrap to 0 and the loader would allocate nothing (found by attacking the
	 * loader with a hostile ESP). */
	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0xfffffffffffff000ull, 0x100, 0xfff);
	expect_error(&f, "program header 2: p_paddr (0xfffffffffffff000) + p_memsz runs past the top of the address space (rounded up to a page)");

	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, 0xfffffffffffff000ull, 0x102000, 0x100, 0x3000);
	expect_error(&f, "program header 2: p_vaddr (0xfffffffffffff000) + p_memsz runs past the top of the address space (rounded up to a page)");

	/* Beyond the 52 physical address bits a page-table entry holds (found by fuzz_place: the
	 * tables mapped the segment to an address with the high bits cut off). */
	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, 0xffffffff80400000ull, 0x72000000200000ull, 0x100, 0x3000);
	expect_error(&f, "program header 2: p_paddr (0x72000000200000) + p_memsz is beyond the 52-bit physical address space");

	/* Physical overlap by one byte: text ends at 0x101000. */
	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0x100fff, 0x100, 0x3000);
	expect_error(&f, "program header 2: p_paddr (0x100fff) overlaps an earlier PT_LOAD physically");
	/* Touching is fine. */
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x102000, 0x101000, 0x100, 0x3000);
	struct elf_image img;
	assert_true(elf_check(f.bytes, f.size, &img, NULL));

	make_kernel(&f);
	set_phdr(&f, 2, 1, 6, 0x1800, KV + 0x100800, 0x102000, 0x100, 0x3000);
	expect_error(&f, "program header 2: p_vaddr (0xffffffff80100800) overlaps an earlier PT_LOAD virtually");
}

static void test_entry_point(void **state)
{
	(void)state;
	struct test_file f;
	make_kernel(&f);
	put64(f.bytes + 24, KV + 0x101000); /* one past the text segment */
	expect_error(&f, "e_entry (0xffffffff80101000) is not inside any PT_LOAD segment");
	put64(f.bytes + 24, KV + 0x102000); /* inside data */
	expect_error(&f, "e_entry (0xffffffff80102000) lies in a PT_LOAD that is not executable");
	put64(f.bytes + 24, KV + 0x100fff); /* last byte of text */
	struct elf_image img;
	assert_true(elf_check(f.bytes, f.size, &img, NULL));

	/* Only non-PT_LOAD headers. */
	make_header(&f, KV, 1);
	set_phdr(&f, 0, 4, 4, 0x100, 0, 0, 0x10, 0x10);
	expect_error(&f, "program headers: no PT_LOAD segment with content");
}

static void test_many_segments(void **state)
{
	(void)state;
	struct test_file f;
	struct elf_image img;
	struct elf_error err;
	/* 16 one-page segments: accepted; 17: rejected. */
	make_header(&f, KV + 0x200000, 17);
	for (unsigned i = 0; i < 16; i++)
		set_phdr(&f, i, 1, 5, 0x1000, KV + 0x200000 + i * 0x1000ull, 0x200000 + i * 0x1000ull,
		         0x10, 0x1000);
	set_phdr(&f, 16, 6, 4, 0, 0, 0, 0, 0); /* PT_PHDR, ignored */
	assert_true(elf_check(f.bytes, f.size, &img, &err));
	assert_int_equal(img.segment_count, 16);
	assert_true(img.phys_high == 0x210000);
	set_phdr(&f, 16, 1, 5, 0x1000, KV + 0x300000, 0x300000, 0x10, 0x1000);
	expect_error(&f, "program header 16: PT_LOAD number 17 with content; the loader supports at most 16");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_kernel),
		cmocka_unit_test(test_truncated_at_every_length),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_bad_segments),
		cmocka_unit_test(test_entry_point),
		cmocka_unit_test(test_many_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
