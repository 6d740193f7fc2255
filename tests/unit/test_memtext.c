/* test_memtext.c: memtext_parse on each text form (EDK2 shell, Linux efi: mem, BIOS-e820, bare), mixed input and malformed rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memtext.h"

#define CAP 32

struct parsed {
	struct tb_mem_entry e[CAP];
	uint32_t src[CAP];
	size_t n;
	struct memtext_diag d;
	bool ok;
};

static void parse(const char *text, struct parsed *p)
{
	memset(p, 0, sizeof *p);
	p->ok = memtext_parse_ex(text, strlen(text), p->e, p->src, CAP, &p->n, &p->d);
}

static void expect_row(const struct parsed *p, size_t i, uint64_t base, uint64_t length,
                       uint32_t type, uint32_t src)
{
	assert_true(i < p->n);
	assert_int_equal(p->e[i].base, base);
	assert_int_equal(p->e[i].length, length);
	assert_int_equal(p->e[i].type, type);
	assert_int_equal(p->src[i], src);
	/* Raw ranges are untagged. */
	assert_int_equal(p->e[i].after_type, type);
	assert_int_equal(p->e[i].owner, TB_OWNER_NONE);
	assert_int_equal(p->e[i].reason, TB_REASON_NONE);
	assert_int_equal(p->e[i].reclaim, TB_RECLAIM_NEVER);
}

static void test_edk2_shell(void **state)
{
	(void)state;
	struct parsed p;
	/* As the shell prints it: header, rows, summary. */
	parse("Type       Start            End              # Pages          Attributes\n"
	      "BS_Code    0000000000000000-0000000000000FFF 0000000000000001 000000000000000F\n"
	      "Available  0000000000001000-000000000009FFFF 000000000000009F 000000000000000F\n"
	      "RT_Data    00000000078EF000-00000000079EEFFF 0000000000000100 800000000000000F\n"
	      "ACPI_NVS   0000000000800000-0000000000807FFF 0000000000000008 000000000000000F\n"
	      "MMIO       00000000FFC00000-00000000FFFFFFFF 0000000000000400 8000000000000001\n"
	      "unaccepted 0000000100000000-000000017FFFFFFF 0000000000080000 000000000000000F\n"
	      "  \n"
	      "  Reserved  :            128 Pages (524,288 Bytes)\n"
	      "  Available :         32,000 Pages (131,072,000 Bytes)\n",
	      &p);
	assert_true(p.ok);
	assert_int_equal(p.n, 6);
	assert_string_equal(p.d.error, "");
	assert_int_equal(p.d.error_line, 0);
	assert_int_equal(p.d.rows, 6);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_EDK2_SHELL], 6);
	/* Header and two summary lines; the blank line is not counted. */
	assert_int_equal(p.d.skipped, 3);
	expect_row(&p, 0, 0, 0x1000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 3);
	/* 0x9FFFF - 0x1000 + 1 = 0x9F000 = 0x9F pages. */
	expect_row(&p, 1, 0x1000, 0x9F000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 2, 0x78EF000, 0x100000, TB_MEM_FIRMWARE_RUNTIME, MEMTEXT_SRC_EFI + 6);
	expect_row(&p, 3, 0x800000, 0x8000, TB_MEM_ACPI_NVS, MEMTEXT_SRC_EFI + 10);
	expect_row(&p, 4, 0xFFC00000, 0x400000, TB_MEM_MMIO, MEMTEXT_SRC_EFI + 11);
	/* 0x80000 pages * 4 KiB = 2 GiB; type names are case-insensitive. */
	expect_row(&p, 5, 0x100000000, 0x80000000, TB_MEM_UNACCEPTED, MEMTEXT_SRC_EFI + 15);
}

static void test_linux_efi(void **state)
{
	(void)state;
	struct parsed p;
	parse("[    0.000000] efi: EFI v2.70 by EDK II\n"
	      "[    0.000000] efi: mem00: [Boot Code   |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000000000000-0x0000000000000fff] (0MB)\n"
	      "[    0.000000] efi: mem01: [Conventional|   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000000001000-0x000000000009ffff] (0MB)\n"
	      "efi: mem45: [Runtime Data|RUN|  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x000000007f8ef000-0x000000007f9eefff] (1MB)\n"
	      "efi: mem50: [ACPI Mem NVS|   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x000000007fb7f000-0x000000007fbfefff] (0MB)\n"
	      "efi: mem51: [MMIO        |RUN|  |  |  |  |  |  |  |   |  |  |  |UC] "
	      "range=[0x00000000ffc00000-0x00000000ffffffff] (4MB)\n"
	      "efi: mem52: [Unaccepted  |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000100000000-0x00000001ffffffff] (4096MB)\n",
	      &p);
	assert_true(p.ok);
	assert_int_equal(p.n, 6);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_LINUX_EFI], 6);
	assert_int_equal(p.d.skipped, 1);
	expect_row(&p, 0, 0, 0x1000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 3);
	expect_row(&p, 1, 0x1000, 0x9F000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 2, 0x7f8ef000, 0x100000, TB_MEM_FIRMWARE_RUNTIME, MEMTEXT_SRC_EFI + 6);
	/* 0x7fbfefff - 0x7fb7f000 + 1 = 0x80000 */
	expect_row(&p, 3, 0x7fb7f000, 0x80000, TB_MEM_ACPI_NVS, MEMTEXT_SRC_EFI + 10);
	expect_row(&p, 4, 0xffc00000, 0x400000, TB_MEM_MMIO, MEMTEXT_SRC_EFI + 11);
	expect_row(&p, 5, 0x100000000, 0x100000000, TB_MEM_UNACCEPTED, MEMTEXT_SRC_EFI + 15);

	/* A type Linux has no name for (an OEM or future type) is printed as type=N: reserved. */
	parse("efi: mem60: [type=16     |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000000200000-0x00000000002fffff] (1MB)\n",
	      &p);
	assert_true(p.ok);
	expect_row(&p, 0, 0x200000, 0x100000, TB_MEM_RESERVED, MEMTEXT_SRC_EFI + 16);
}

static void test_e820(void **state)
{
	(void)state;
	struct parsed p;
	parse("[    0.000000] BIOS-provided physical RAM map:\n"
	      "[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	      "[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
	      "BIOS-e820: [mem 0x000000007ffe0000-0x000000007fffffff] ACPI data\n"
	      "BIOS-e820: [mem 0x0000000080000000-0x0000000080000fff] ACPI NVS\n"
	      "BIOS-e820: [mem 0x0000000080001000-0x0000000080001fff] unusable\n"
	      "BIOS-e820: [mem 0x0000000100000000-0x000000013fffffff] persistent (type 7)\n"
	      "BIOS-e820: [mem 0x0000000140000000-0x000000017fffffff] soft reserved\n"
	      "BIOS-e820: [mem 0x0000000180000000-0x0000000180000fff] type 20\n",
	      &p);
	assert_true(p.ok);
	assert_int_equal(p.n, 8);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_E820], 8);
	assert_int_equal(p.d.skipped, 1);
	/* e820 ranges need not be page aligned: 0x9fbff + 1 = 0x9fc00 bytes. */
	expect_row(&p, 0, 0, 0x9fc00, TB_MEM_USABLE, MEMTEXT_SRC_E820 + 1);
	expect_row(&p, 1, 0x9fc00, 0x400, TB_MEM_RESERVED, MEMTEXT_SRC_E820 + 2);
	expect_row(&p, 2, 0x7ffe0000, 0x20000, TB_MEM_ACPI_RECLAIMABLE, MEMTEXT_SRC_E820 + 3);
	expect_row(&p, 3, 0x80000000, 0x1000, TB_MEM_ACPI_NVS, MEMTEXT_SRC_E820 + 4);
	expect_row(&p, 4, 0x80001000, 0x1000, TB_MEM_BAD, MEMTEXT_SRC_E820 + 5);
	expect_row(&p, 5, 0x100000000, 0x40000000, TB_MEM_PERSISTENT, MEMTEXT_SRC_E820 + 7);
	expect_row(&p, 6, 0x140000000, 0x40000000, TB_MEM_RESERVED, MEMTEXT_SRC_E820 + 0xff);
	expect_row(&p, 7, 0x180000000, 0x1000, TB_MEM_RESERVED, MEMTEXT_SRC_E820 + 20);
}

static void test_bare_and_mixed(void **state)
{
	(void)state;
	struct parsed p;
	/* All four forms in one text, CRLF line endings, no final newline. */
	parse("0x100000 0x7fffff usable\r\n"
	      "0x0 0xfff BS_Code\r\n"
	      "0x800000 0x807fff ACPI data\r\n"
	      "Available  0000000000808000-000000000080FFFF 0000000000000008 000000000000000F\r\n"
	      "BIOS-e820: [mem 0x0000000000900000-0x0000000000900fff] reserved\r\n"
	      "efi: mem09: [Loader Data |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000000a00000-0x0000000000a00fff] (0MB)",
	      &p);
	assert_true(p.ok);
	assert_int_equal(p.n, 6);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_BARE], 3);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_EDK2_SHELL], 1);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_E820], 1);
	assert_int_equal(p.d.rows_by_form[MEMTEXT_FORM_LINUX_EFI], 1);
	assert_int_equal(p.d.skipped, 0);
	expect_row(&p, 0, 0x100000, 0x700000, TB_MEM_USABLE, MEMTEXT_SRC_E820 + 1);
	expect_row(&p, 1, 0, 0x1000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 3);
	expect_row(&p, 2, 0x800000, 0x8000, TB_MEM_ACPI_RECLAIMABLE, MEMTEXT_SRC_E820 + 3);
	expect_row(&p, 3, 0x808000, 0x8000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 4, 0x900000, 0x1000, TB_MEM_RESERVED, MEMTEXT_SRC_E820 + 2);
	expect_row(&p, 5, 0xa00000, 0x1000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 2);

	/* memtext_parse without source types gives the same ranges. */
	struct tb_mem_entry e[CAP];
	size_t n = 0;
	const char *t = "0x100000 0x7fffff usable\n0x0 0xfff BS_Code\n";
	assert_true(memtext_parse(t, strlen(t), e, CAP, &n, NULL));
	assert_int_equal(n, 2);
	assert_int_equal(e[1].length, 0x1000);

	/* Top of the address space: the last byte 2^64-1 is fine, length 0x1000. */
	parse("0xfffffffffffff000 0xffffffffffffffff reserved\n", &p);
	assert_true(p.ok);
	expect_row(&p, 0, 0xfffffffffffff000ull, 0x1000, TB_MEM_RESERVED, MEMTEXT_SRC_E820 + 2);
}

/* One malformed line: parse fails and names that line with this message. */
/* Rows that print attributes get the loader's rule: usable RAM without WB, or with SP,
 * stays reserved (efimap_desc_to_tb); the same types with WB stay usable. */
static void test_attributes_decide(void **state)
{
	(void)state;
	struct parsed p;
	parse("Available  0000000000100000-00000000001FFFFF 0000000000000100 000000000000000F\n"
	      "Available  0000000000200000-00000000002FFFFF 0000000000000100 0000000000000001\n"
	      "Available  0000000000300000-00000000003FFFFF 0000000000000100 000000000004000F\n"
	      "efi: mem01: [Conventional|   |SP|  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000000400000-0x00000000004fffff] (1MB)\n"
	      "efi: mem02: [Conventional|   |  |  |  |  |  |  |  |   |  |  |  |UC] "
	      "range=[0x0000000000500000-0x00000000005fffff] (1MB)\n"
	      "efi: mem03: [Boot Data   |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] "
	      "range=[0x0000000000600000-0x00000000006fffff] (1MB)\n",
	      &p);
	assert_true(p.ok);
	assert_int_equal(p.n, 6);
	expect_row(&p, 0, 0x100000, 0x100000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 1, 0x200000, 0x100000, TB_MEM_RESERVED, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 2, 0x300000, 0x100000, TB_MEM_RESERVED, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 3, 0x400000, 0x100000, TB_MEM_RESERVED, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 4, 0x500000, 0x100000, TB_MEM_RESERVED, MEMTEXT_SRC_EFI + 7);
	expect_row(&p, 5, 0x600000, 0x100000, TB_MEM_USABLE, MEMTEXT_SRC_EFI + 4);
}

static void expect_error(const char *text, const char *want, size_t rows_before)
{
	struct parsed p;
	parse(text, &p);
	if (p.ok || strcmp(p.d.error, want) != 0)
		fail_msg("for:\n%s\nwant: %s\ngot:  %s (ok=%d)", text, want, p.d.error, p.ok);
	assert_int_equal(p.n, rows_before);
	unsigned line = 0;
	sscanf(want, "line %u:", &line);
	assert_int_equal(p.d.error_line, line);
}

static void test_malformed(void **state)
{
	(void)state;
	const char *good = "Available  0000000000001000-000000000009FFFF 000000000000009F 000000000000000F\n";
	char text[512];
	snprintf(text, sizeof text, "%s%s", good,
	         "Bogus      0000000000100000-00000000001FFFFF 0000000000000100 000000000000000F\n");
	expect_error(text, "line 2: unknown memory type 'Bogus'", 1);
	/* 0x1FFFFF - 0x100000 + 1 = 0x100000 bytes = 0x100 pages, not 0xFF. */
	expect_error("Available  0000000000100000-00000000001FFFFF 00000000000000FF 000000000000000F\n",
	             "line 1: page count disagrees with the range '00000000000000FF'", 0);
	/* Not a whole number of pages. */
	expect_error("Available  0000000000100000-00000000001FFFFE 0000000000000100 000000000000000F\n",
	             "line 1: page count disagrees with the range '0000000000000100'", 0);
	expect_error("Available  0000000000200000-00000000001FFFFF 0000000000000001 000000000000000F\n",
	             "line 1: END below START '0000000000200000-00000000001FFFFF'", 0);
	expect_error("Available  0000000000100000-00000000001FFFFF 0000000000000100\n",
	             "line 1: expected TYPE START-END PAGES ATTRIBUTES", 0);
	expect_error("Available  0000000000100000-00000000001FFFFF 00000000000001G0 000000000000000F\n",
	             "line 1: bad page count '00000000000001G0'", 0);
	expect_error("Available  10000000000000000000-00000000001FFFFF 0000000000000100 000000000000000F\n",
	             "line 1: address too large '10000000000000000000-00000000001FFFFF'", 0);

	expect_error("efi: mem00: [Weird Type  |   |  |WB] range=[0x0-0xfff] (0MB)\n",
	             "line 1: unknown memory type 'Weird Type'", 0);
	expect_error("efi: mem00: [type=256 |   |  |WB] range=[0x0-0xfff] (0MB)\n",
	             "line 1: unknown memory type 'type=256'", 0);
	expect_error("efi: mem00: [Conventional|   |  |WB] (0MB)\n",
	             "line 1: expected range=[0xSTART-0xEND]", 0);
	expect_error("efi: mem00: [Conventional|   |  |WB] range=[0x2000-0x1fff] (0MB)\n",
	             "line 1: END below START '0x2000-0x1fff'", 0);
	expect_error("efi: mem00: Conventional range=[0x0-0xfff]\n",
	             "line 1: expected [TYPE|attributes]", 0);

	expect_error("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbzz] usable\n",
	             "line 1: bad range '0x0000000000000000-0x000000000009fbzz'", 0);
	expect_error("BIOS-e820: [mem 0x0-0xfff] weird\n", "line 1: unknown memory type 'weird'", 0);
	expect_error("BIOS-e820: mem 0x0-0xfff usable\n",
	             "line 1: expected [mem 0xSTART-0xEND] TYPE", 0);
	/* Decimal in the e820 form is not what Linux prints: refused. */
	expect_error("BIOS-e820: [mem 0-4095] usable\n", "line 1: bad range '0-4095'", 0);

	snprintf(text, sizeof text, "%s\n# note\n0x10g 0x20 usable\n", good);
	expect_error(text, "line 4: not a number (decimal, or hex with 0x) '0x10g'", 1);
	expect_error("0x1000 0x1fff\n", "line 1: expected START END TYPE", 0);
	expect_error("0x2000 0x1fff usable\n", "line 1: END below START '0x1fff'", 0);
	expect_error("0x1000 0x1fff Sometimes\n", "line 1: unknown memory type 'Sometimes'", 0);
	expect_error("0x0 0xffffffffffffffff reserved\n",
	             "line 1: range covers all of 2^64 bytes '0x0 0xffffffffffffffff reserved'", 0);
}

static void test_capacity(void **state)
{
	(void)state;
	struct tb_mem_entry e[2];
	size_t n = 99;
	struct memtext_diag d;
	const char *t = "0x0 0xfff usable\n0x1000 0x1fff usable\n0x2000 0x2fff usable\n";
	assert_false(memtext_parse(t, strlen(t), e, 2, &n, &d));
	assert_string_equal(d.error, "line 3: too many rows");
	assert_int_equal(d.error_line, 3);
	assert_int_equal(n, 2);
	/* Exactly enough room is fine. */
	assert_true(memtext_parse(t, strlen(t) - 21, e, 2, &n, &d));
	assert_int_equal(n, 2);
}

static void test_e820_to_tb(void **state)
{
	(void)state;
	assert_int_equal(memtext_e820_to_tb(1), TB_MEM_USABLE);
	assert_int_equal(memtext_e820_to_tb(2), TB_MEM_RESERVED);
	assert_int_equal(memtext_e820_to_tb(3), TB_MEM_ACPI_RECLAIMABLE);
	assert_int_equal(memtext_e820_to_tb(4), TB_MEM_ACPI_NVS);
	assert_int_equal(memtext_e820_to_tb(5), TB_MEM_BAD);
	assert_int_equal(memtext_e820_to_tb(6), TB_MEM_RESERVED);
	assert_int_equal(memtext_e820_to_tb(7), TB_MEM_PERSISTENT);
	assert_int_equal(memtext_e820_to_tb(12), TB_MEM_RESERVED);
	assert_int_equal(memtext_e820_to_tb(0xff), TB_MEM_RESERVED);
	assert_int_equal(memtext_e820_to_tb(0), TB_MEM_RESERVED);
}

/* Random mixes of row fragments and bytes: never a crash; on failure the error names a line
 * that exists, and on success every range is non-empty and does not wrap. */
static void test_junk(void **state)
{
	(void)state;
	static const char *const frags[] = {
		"Available  ", "0000000000001000-000000000009FFFF ", "000000000000009F ",
		"000000000000000F", "efi: mem01: [Conventional|", " range=[0x1000-0x1fff]",
		"BIOS-e820: [mem ", "0x0-0xfff] ", "usable", "0x", "ffffffffffffffff ", "\r\n", "\n",
		" ", "-", "]",
	};
	uint32_t seed = 77;
	static char text[2048];
	struct tb_mem_entry e[CAP];
	for (int round = 0; round < 5000; round++) {
		size_t n = 0, want = (seed >> 5) % sizeof text;
		unsigned lines = 1;
		while (n < want) {
			seed = seed * 1103515245u + 12345u;
			unsigned pick = (seed >> 16) % 20;
			if (pick < 16) {
				size_t fl = strlen(frags[pick]);
				if (n + fl > want)
					break;
				memcpy(text + n, frags[pick], fl);
				n += fl;
			} else {
				text[n++] = (char)(seed >> 8);
			}
		}
		for (size_t i = 0; i < n; i++)
			lines += text[i] == '\n';
		size_t count = 0;
		struct memtext_diag d;
		bool ok = memtext_parse(text, n, e, CAP, &count, &d);
		assert_true(count <= CAP);
		if (!ok) {
			assert_true(d.error_line >= 1 && d.error_line <= lines);
			assert_true(strncmp(d.error, "line ", 5) == 0);
		}
		for (size_t i = 0; i < count; i++) {
			assert_true(e[i].length > 0);
			assert_true(e[i].base + e[i].length - 1 >= e[i].base);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edk2_shell),
		cmocka_unit_test(test_linux_efi),
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_bare_and_mixed),
		cmocka_unit_test(test_attributes_decide),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_e820_to_tb),
		cmocka_unit_test(test_junk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
