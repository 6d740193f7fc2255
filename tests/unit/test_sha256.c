/* test_sha256.c: FIPS 180-4 example vectors, streaming splits, hex parse/format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sha256.h"

static void digest_hex(const void *data, size_t len, char out[65])
{
	uint8_t d[32];
	sha256_digest(data, len, d);
	sha256_format_hex(d, out);
}

/* Vectors from the NIST FIPS 180-4 examples (SHA256.pdf, "abc" and the 448-bit message) and
 * the one-million-'a' vector. */
static void test_vectors(void **state)
{
	(void)state;
	char hex[65];
	digest_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	digest_hex(m448, strlen(m448), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	digest_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	static char million[1000000];
	memset(million, 'a', sizeof million);
	digest_hex(million, sizeof million, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every split of a message into two updates gives the same digest (covers partial blocks and
 * the padding crossing into a second block at lengths 56..63). */
static void test_streaming_splits(void **state)
{
	(void)state;
	uint8_t msg[200];
	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof msg; len += 1) {
		uint8_t whole[32];
		sha256_digest(msg, len, whole);
		for (size_t cut = 0; cut <= len; cut += 13) {
			struct sha256_ctx ctx;
			uint8_t parts[32];
			sha256_init(&ctx);
			sha256_update(&ctx, msg, cut);
			sha256_update(&ctx, msg + cut, len - cut);
			sha256_final(&ctx, parts);
			assert_memory_equal(whole, parts, 32);
		}
	}
}

static void test_hex(void **state)
{
	(void)state;
	const char *text = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
	uint8_t parsed[32], want[32];
	const char *why = NULL;
	assert_true(sha256_parse_hex(text, 64, parsed, &why));
	sha256_digest("abc", 3, want);
	assert_true(sha256_equal(parsed, want));
	parsed[31] ^= 1;
	assert_false(sha256_equal(parsed, want));

	assert_false(sha256_parse_hex(text, 63, parsed, &why));
	assert_string_equal(why, "too short: a SHA-256 is 64 hex digits");
	assert_false(sha256_parse_hex("g0000000000000000000000000000000000000000000000000000000000000000", 65,
	                              parsed, &why));
	assert_string_equal(why, "too long: a SHA-256 is 64 hex digits");
	char bad[65];
	memcpy(bad, text, 65);
	bad[40] = 'z';
	assert_false(sha256_parse_hex(bad, 64, parsed, &why));
	assert_string_equal(why, "not a hex digit (0-9, a-f)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_streaming_splits),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
