/* test_uki.c: Type #2 entries from a PE image built here: sections found, os-release fields, the fallbacks, files that are not UKIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "uki.h"

static uint8_t img[8192];

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* MZ at 0, PE at 0x80, no optional header, sections' data from 0x400 in the given order. */
static size_t make_pe(const char *const *names, const char *const *data, unsigned n)
{
	memset(img, 0, sizeof(img));
	img[0] = 'M';
	img[1] = 'Z';
	put32(img + 0x3c, 0x80);
	put32(img + 0x80, 0x00004550);
	put16(img + 0x86, (uint16_t)n);
	put16(img + 0x94, 0);
	size_t at = 0x400;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *s = img + 0x80 + 24 + 40 * i;
		memcpy(s, names[i], strlen(names[i]));
		size_t len = strlen(data[i]);
		put32(s + 8, (uint32_t)len);
		put32(s + 16, (uint32_t)((len + 511) & ~511u));
		put32(s + 20, (uint32_t)at);
		memcpy(img + at, data[i], len);
		at += (len + 511) & ~511u;
	}
	return at;
}

static void test_full(void **state)
{
	(void)state;
	const char *names[] = {".osrel", ".cmdline", ".uname", ".linux"};
	const char *data[] = {"NAME=Debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
	                      "VERSION_ID=\"12\"\nIMAGE_ID=debian-uki\n",
	                      "root=/dev/vda ro", "6.1.0-57-amd64\n", "MZkernel"};
	size_t n = make_pe(names, data, 4);
	struct config_entry e;
	const char *why = NULL;
	assert_true(uki_entry("/EFI/Linux/debian-6.1.efi", img, n, n, &e, &why));
	assert_string_equal(e.id, "debian-6.1");
	assert_string_equal(e.title, "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(e.sort_key, "debian-uki");
	assert_string_equal(e.version, "12 6.1.0-57-amd64");
	assert_string_equal(e.path, "/EFI/Linux/debian-6.1.efi");
	assert_int_equal(e.kind, CONFIG_KIND_EFI);
	assert_true(e.type2);
	assert_string_equal(e.options, "");
}

static void test_fallbacks_and_refusals(void **state)
{
	(void)state;
	const char *names[] = {".osrel", ".linux"};
	const char *data[] = {"ID=arch\nBUILD_ID=rolling\n", "k"};
	size_t n = make_pe(names, data, 2);
	struct config_entry e;
	const char *why = NULL;
	assert_true(uki_entry("/EFI/Linux/arch.efi", img, n, n, &e, &why));
	assert_string_equal(e.title, "arch");
	assert_string_equal(e.sort_key, "arch");
	assert_string_equal(e.version, "rolling");
	/* No .linux: a plain EFI program in /EFI/Linux, not a UKI. */
	const char *n2[] = {".osrel"};
	const char *d2[] = {"ID=x\n"};
	n = make_pe(n2, d2, 1);
	assert_false(uki_entry("/EFI/Linux/x.efi", img, n, n, &e, &why));
	assert_non_null(strstr(why, "not a unified kernel image"));
	/* Not PE at all; a PE header offset past the file; a section table that claims more
	 * sections than the file holds is read as far as it goes. */
	assert_false(uki_entry("/EFI/Linux/x.efi", "hello", 5, 5, &e, &why));
	n = make_pe(names, data, 2);
	put32(img + 0x3c, 0xfffffff0);
	assert_false(uki_entry("/EFI/Linux/x.efi", img, n, n, &e, &why));
	n = make_pe(names, data, 2);
	put16(img + 0x86, 60000);
	assert_true(uki_entry("/EFI/Linux/x.efi", img, n, n, &e, &why));
	/* A section that lies past the file. */
	n = make_pe(names, data, 2);
	put32(img + 0x80 + 24 + 20, 0x7ffffff0);
	assert_false(uki_entry("/EFI/Linux/x.efi", img, n, n, &e, &why));
}

static void test_os_release(void **state)
{
	(void)state;
	const char t[] = "A=1\nPRETTY_NAME='single quoted'\nB=\"esc \\\"q\\\" \\\\\"\nEMPTY=\n";
	char v[64];
	assert_true(uki_os_release(t, sizeof(t) - 1, "PRETTY_NAME", v, sizeof(v)));
	assert_string_equal(v, "single quoted");
	assert_true(uki_os_release(t, sizeof(t) - 1, "B", v, sizeof(v)));
	assert_string_equal(v, "esc \"q\" \\");
	assert_true(uki_os_release(t, sizeof(t) - 1, "EMPTY", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(uki_os_release(t, sizeof(t) - 1, "PRETTY", v, sizeof(v)));
	/* Truncated at the buffer, never past it. */
	assert_true(uki_os_release(t, sizeof(t) - 1, "PRETTY_NAME", v, 4));
	assert_string_equal(v, "sin");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_fallbacks_and_refusals),
		cmocka_unit_test(test_os_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
