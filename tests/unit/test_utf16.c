/* test_utf16.c: options as LoadOptions: ASCII, 2/3/4-byte UTF-8, bad bytes, sizes, against iconv-style expectations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf16.h"

static void expect(const char *s, const uint16_t *want, size_t n)
{
	uint16_t out[64];
	assert_int_equal(utf16_units(s), n);
	assert_int_equal(utf16_from_utf8(s, out, 64), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(out[i], want[i]);
	assert_int_equal(out[n], 0);
}

static void test_decoding(void **state)
{
	(void)state;
	expect("root=/dev/vda", (const uint16_t[]){'r', 'o', 'o', 't', '=', '/', 'd', 'e', 'v', '/', 'v', 'd', 'a'}, 13);
	/* é (2 bytes), € (3 bytes), 😀 U+1F600 (4 bytes, a surrogate pair). */
	expect("x=\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", (const uint16_t[]){'x', '=', 0xe9, 0x20ac, 0xd83d, 0xde00}, 6);
	/* Bad bytes: a lone continuation, an overlong '/', a surrogate, a cut-off sequence. */
	expect("\x80", (const uint16_t[]){0xfffd}, 1);
	expect("\xc0\xaf", (const uint16_t[]){0xfffd, 0xfffd}, 2);
	expect("\xed\xa0\x80", (const uint16_t[]){0xfffd, 0xfffd, 0xfffd}, 3);
	expect("a\xe2\x82", (const uint16_t[]){'a', 0xfffd, 0xfffd}, 3);
	expect("\xf4\x90\x80\x80", (const uint16_t[]){0xfffd, 0xfffd, 0xfffd, 0xfffd}, 4);
	expect("", (const uint16_t[]){0}, 0);
}

static void test_capacity(void **state)
{
	(void)state;
	uint16_t out[4];
	assert_int_equal(utf16_from_utf8("abc", out, 4), 3);
	assert_int_equal(utf16_from_utf8("abcd", out, 4), SIZE_MAX);
	/* A surrogate pair that would not fit with its terminator. */
	assert_int_equal(utf16_from_utf8("ab\xf0\x9f\x98\x80", out, 4), SIZE_MAX);
	assert_int_equal(utf16_from_utf8("", out, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decoding),
		cmocka_unit_test(test_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
