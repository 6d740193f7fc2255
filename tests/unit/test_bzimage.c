/* test_bzimage.c: bzimage_check on a synthetic setup header and on Debian's real vmlinuz when present: each rule names its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bzimage.h"

#define IMG_SIZE 0x8000u
static uint8_t img[IMG_SIZE];

static void put(uint32_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		img[off + i] = (uint8_t)(v >> (8 * i));
}

/* A 2.15 header like Debian's: 4 setup sectors, 64-bit, relocatable, 2 MiB aligned. */
static void make_image(void)
{
	memset(img, 0, sizeof img);
	img[0x1f1] = 4;
	put(0x1f4, (IMG_SIZE - 5 * 512) / 16, 4);
	put(0x1fe, 0xaa55, 2);
	img[0x200] = 0xeb;
	img[0x201] = 0x6a; /* header ends at 0x26c */
	put(0x202, 0x53726448, 4);
	put(0x206, 0x020f, 2);
	img[0x211] = 0x01;
	put(0x22c, 0x7fffffff, 4);
	put(0x230, 0x200000, 4);
	img[0x234] = 1;
	put(0x236, 0x7f, 2);
	put(0x238, 2047, 4);
	put(0x258, 0x1000000, 8);
	put(0x260, 0x3f98000, 4);
}

static void expect_error(size_t size, const char *text)
{
	struct bzimage_info bz;
	struct bzimage_error err;
	assert_false(bzimage_check(img, size, &bz, &err));
	if (strstr(err.message, text) == NULL) {
		fprintf(stderr, "want: %s\ngot:  %s\n", text, err.message);
		fail();
	}
}

static void test_good_header(void **state)
{
	(void)state;
	make_image();
	struct bzimage_info bz;
	struct bzimage_error err;
	assert_true(bzimage_check(img, IMG_SIZE, &bz, &err));
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_sects, 4);
	assert_true(bz.kernel_offset == 5 * 512);
	assert_true(bz.kernel_size == IMG_SIZE - 5 * 512);
	assert_true(bz.pref_address == 0x1000000);
	assert_true(bz.init_size == 0x3f98000);
	assert_true(bz.kernel_alignment == 0x200000);
	assert_true(bz.relocatable);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.header_end, 0x26c);
	assert_true(bzimage_address_ok(&bz, 0x1600000));
	assert_false(bzimage_address_ok(&bz, 0x1601000));
	/* setup_sects 0 means 4 (boot.rst). */
	img[0x1f1] = 0;
	assert_true(bzimage_check(img, IMG_SIZE, &bz, &err));
	assert_int_equal(bz.setup_sects, 4);
	/* A jump past 0x290 is clamped to the header's room in boot_params. */
	img[0x201] = 0xff;
	assert_true(bzimage_check(img, IMG_SIZE, &bz, &err));
	assert_int_equal(bz.header_end, BZIMAGE_HEADER_LIMIT);
}

static void test_each_rule_names_its_field(void **state)
{
	(void)state;
	make_image();
	expect_error(0x100, "too small for a setup header");
	expect_error(0x240, "ends inside the setup header (truncated kernel)");
	make_image();
	put(0x1fe, 0x1234, 2);
	expect_error(IMG_SIZE, "boot_flag (0x1fe): is not 0xaa55 (0x1234)");
	make_image();
	put(0x202, 0x58585858, 4);
	expect_error(IMG_SIZE, "header (0x202): magic is not \"HdrS\"");
	make_image();
	put(0x206, 0x020b, 2);
	expect_error(IMG_SIZE, "version (0x206): boot protocol older than 2.12");
	make_image();
	img[0x201] = 0x10;
	expect_error(IMG_SIZE, "jump (0x200)");
	make_image();
	put(0x236, 0x7e, 2);
	expect_error(IMG_SIZE, "xloadflags (0x236): XLF_KERNEL_64 is not set: a 32-bit-only kernel");
	make_image();
	img[0x211] = 0;
	expect_error(IMG_SIZE, "loadflags (0x211): LOADED_HIGH is not set");
	make_image();
	img[0x1f1] = 200;
	expect_error(IMG_SIZE, "setup_sects (0x1f1): the protected-mode kernel would start past the end");
	make_image();
	expect_error(IMG_SIZE - 16, "syssize (0x1f4): the file holds fewer bytes");
	make_image();
	put(0x230, 0x3000, 4);
	expect_error(IMG_SIZE, "kernel_alignment (0x230): is not a power of two");
	make_image();
	put(0x260, 0x100, 4);
	expect_error(IMG_SIZE, "init_size (0x260): is smaller than the kernel");
	make_image();
	put(0x258, 0x1000800, 8);
	expect_error(IMG_SIZE, "pref_address (0x258): is not page aligned");
	make_image();
	img[0x234] = 0;
	put(0x258, 0, 8);
	expect_error(IMG_SIZE, "a kernel that is not relocatable needs a usable preferred address");
}

/* Debian's own kernel, when tests/linux has fetched it (make linux-tests): accepted as 2.12+,
 * 64-bit, with the header fields that boot it in tests/linux. */
static void test_debian_vmlinuz(void **state)
{
	(void)state;
	const char *path = getenv("TAGBOOT_VMLINUZ");
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (f == NULL) {
		skip();
		return;
	}
	static uint8_t file[64u << 20];
	size_t n = fread(file, 1, sizeof file, f);
	fclose(f);
	struct bzimage_info bz;
	struct bzimage_error err;
	assert_true(bzimage_check(file, n, &bz, &err));
	assert_true(bz.version >= BZIMAGE_MIN_VERSION);
	assert_true(bz.xloadflags & BZIMAGE_XLF_KERNEL_64);
	assert_true(bz.init_size >= bz.kernel_size);
	/* Cut in half it is refused by syssize. */
	assert_false(bzimage_check(file, n / 2, &bz, &err));
	assert_non_null(strstr(err.message, "syssize"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_header),
		cmocka_unit_test(test_each_rule_names_its_field),
		cmocka_unit_test(test_debian_vmlinuz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
