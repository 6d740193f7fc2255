/* test_util.c: util_* against libc on random inputs, number parsing, glob, string building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"

/* Small deterministic generator so failures repeat. */
static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void test_mem_against_libc(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		unsigned char a[64], b[64], c[64], d[64];
		size_t n = rng() % 65;
		for (size_t i = 0; i < 64; i++) {
			a[i] = (unsigned char)rng();
			/* Mostly equal bytes, so memcmp differences appear at random positions. */
			b[i] = (rng() % 8 == 0) ? (unsigned char)rng() : a[i];
		}
		int want = memcmp(a, b, n), got = util_memcmp(a, b, n);
		assert_int_equal(want < 0, got < 0);
		assert_int_equal(want > 0, got > 0);

		memcpy(c, a, sizeof c);
		memcpy(d, a, sizeof d);
		int value = (int)(rng() % 256);
		assert_ptr_equal(util_memset(c, value, n), c);
		memset(d, value, n);
		assert_memory_equal(c, d, 64);

		assert_ptr_equal(util_memcpy(c, b, n), c);
		memcpy(d, b, n);
		assert_memory_equal(c, d, 64);

		/* Overlapping moves in both directions. */
		size_t from = rng() % 32, to = rng() % 32, len = rng() % 33;
		memcpy(c, a, 64);
		memcpy(d, a, 64);
		util_memmove(c + to, c + from, len);
		memmove(d + to, d + from, len);
		assert_memory_equal(c, d, 64);
	}
}

/* The word-at-a-time paths: every start alignment on both sides and lengths around 8,
 * compared over the whole buffer so that a write past the end shows too. */
static void test_mem_unaligned_against_libc(void **state)
{
	(void)state;
	_Alignas(8) unsigned char src[256], c[256], d[256];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (unsigned char)rng();
	for (size_t doff = 0; doff < 16; doff++)
		for (size_t soff = 0; soff < 16; soff++)
			for (size_t n = 0; n < 40; n++) {
				size_t len = n < 20 ? n : n * 5; /* short ones and up to 195 bytes */
				memset(c, 0xA5, sizeof c);
				memset(d, 0xA5, sizeof d);
				assert_ptr_equal(util_memcpy(c + doff, src + soff, len), c + doff);
				memcpy(d + doff, src + soff, len);
				assert_memory_equal(c, d, sizeof c);
				int value = (int)(doff * 16 + soff);
				assert_ptr_equal(util_memset(c + doff, value, len), c + doff);
				memset(d + doff, value, len);
				assert_memory_equal(c, d, sizeof c);
			}
}

static void test_strings_against_libc(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		char a[40], b[40];
		size_t la = rng() % 39, lb = rng() % 39;
		for (size_t i = 0; i < la; i++)
			a[i] = (char)('a' + rng() % 3);
		for (size_t i = 0; i < lb; i++)
			b[i] = (char)('a' + rng() % 3);
		a[la] = '\0';
		b[lb] = '\0';
		assert_int_equal(util_strlen(a), strlen(a));
		int want = strcmp(a, b), got = util_strcmp(a, b);
		assert_int_equal(want < 0, got < 0);
		assert_int_equal(want > 0, got > 0);
		assert_int_equal(util_streq(a, b), want == 0);
		assert_int_equal(util_strnlen(a, 5), la < 5 ? la : 5);

		char dst[16];
		size_t cap = rng() % 17;
		memset(dst, 'X', sizeof dst);
		assert_int_equal(util_strlcpy(dst, a, cap), la);
		if (cap > 0) {
			size_t copied = la < cap - 1 ? la : cap - 1;
			assert_memory_equal(dst, a, copied);
			assert_int_equal(dst[copied], '\0');
		} else {
			assert_int_equal(dst[0], 'X');
		}
	}
	assert_true(util_token_eq("linux  x", 5, "linux"));
	assert_false(util_token_eq("linux", 4, "linux"));
	assert_false(util_token_eq("linuxx", 6, "linux"));
	assert_int_equal(util_ascii_lower('Q'), 'q');
	assert_int_equal(util_ascii_lower('['), '[');
	assert_int_equal(util_ascii_lower('\xC4'), '\xC4');
}

static void test_parse_u64(void **state)
{
	(void)state;
	uint64_t v = 0;
	assert_int_equal(util_parse_u64("0", 1, &v), UTIL_PARSE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(util_parse_u64("18446744073709551615", 20, &v), UTIL_PARSE_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(util_parse_u64("18446744073709551616", 20, &v), UTIL_PARSE_OVERFLOW);
	assert_int_equal(util_parse_u64("99999999999999999999", 20, &v), UTIL_PARSE_OVERFLOW);
	assert_int_equal(util_parse_u64("0xFFFFFFFFFFFFFFFF", 18, &v), UTIL_PARSE_OK);
	assert_true(v == UINT64_MAX);
	assert_int_equal(util_parse_u64("0x10000000000000000", 19, &v), UTIL_PARSE_OVERFLOW);
	assert_int_equal(util_parse_u64("0x80b000", 8, &v), UTIL_PARSE_OK);
	assert_int_equal(v, 0x80b000);
	assert_int_equal(util_parse_u64("0x", 2, &v), UTIL_PARSE_EMPTY);
	assert_int_equal(util_parse_u64("", 0, &v), UTIL_PARSE_EMPTY);
	assert_int_equal(util_parse_u64("12a", 3, &v), UTIL_PARSE_BAD_DIGIT);
	assert_int_equal(util_parse_u64("-1", 2, &v), UTIL_PARSE_BAD_DIGIT);
	assert_int_equal(util_parse_u64("0x1g", 4, &v), UTIL_PARSE_BAD_DIGIT);
	/* Only n bytes are read. */
	assert_int_equal(util_parse_u64("123junk", 3, &v), UTIL_PARSE_OK);
	assert_int_equal(v, 123);
	assert_int_equal(util_parse_hex_u64("00000000007FFFFF", 16, &v), UTIL_PARSE_OK);
	assert_int_equal(v, 0x7fffff);
	assert_string_equal(util_parse_status_str(UTIL_PARSE_OVERFLOW), "too large for 64 bits");

	/* Random round trips against snprintf/strtoull. */
	for (int round = 0; round < 2000; round++) {
		uint64_t x = ((uint64_t)rng() << 40) ^ ((uint64_t)rng() << 20) ^ rng();
		x >>= rng() % 64;
		char text[32];
		int n = snprintf(text, sizeof text, (round & 1) ? "0x%llx" : "%llu",
		                 (unsigned long long)x);
		assert_int_equal(util_parse_u64(text, (size_t)n, &v), UTIL_PARSE_OK);
		assert_true(v == x);
		assert_true(v == strtoull(text, NULL, 0));
	}
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(util_glob_match("*", ""));
	assert_true(util_glob_match("*", "anything"));
	assert_true(util_glob_match("arch-*", "arch-6.1"));
	assert_false(util_glob_match("arch-*", "debian-6.1"));
	assert_true(util_glob_match("a?c", "abc"));
	assert_false(util_glob_match("a?c", "ac"));
	assert_true(util_glob_match("*a", "aaa"));
	assert_true(util_glob_match("a*b*c", "aXXbYYbc"));
	assert_false(util_glob_match("a*b*c", "aXXbYYbd"));
	assert_true(util_glob_match("exact", "exact"));
	assert_false(util_glob_match("exact", "exactly"));
	assert_false(util_glob_match("", "x"));
	assert_true(util_glob_match("**x", "x"));
}

static void test_string_builder(void **state)
{
	(void)state;
	char buf[64];
	struct util_sb sb;
	util_sb_init(&sb, buf, sizeof buf);
	util_sb_str(&sb, "entry.conf:");
	util_sb_u64(&sb, 12);
	util_sb_str(&sb, ": ");
	util_sb_hex(&sb, 0x80b000);
	util_sb_char(&sb, ' ');
	util_sb_u64(&sb, UINT64_MAX);
	util_sb_char(&sb, ' ');
	util_sb_hex(&sb, 0);
	assert_string_equal(buf, "entry.conf:12: 0x80b000 18446744073709551615 0x0");
	assert_false(sb.truncated);

	char small[6];
	util_sb_init(&sb, small, sizeof small);
	util_sb_str(&sb, "abcdefgh");
	assert_string_equal(small, "abcde");
	assert_true(sb.truncated);
	assert_int_equal(sb.len, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_against_libc),
		cmocka_unit_test(test_mem_unaligned_against_libc),
		cmocka_unit_test(test_strings_against_libc),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_string_builder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
