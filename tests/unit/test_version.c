/* test_version.c: version_compare against systemd's documented order, the UAPI examples and the cases systemd-boot users hit (~rc before the release). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "version.h"

static int sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

/* Each string is newer than the one before it (the order documented above systemd's
 * strverscmp_improved), and every pair compares accordingly both ways. */
static void test_documented_order(void **state)
{
	(void)state;
	static const char *const order[] = {
		"122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1",
		"123^post1", "123.a-1", "123.1-1", "123a-1", "124-1",
	};
	const size_t n = sizeof(order) / sizeof(order[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j;
			assert_int_equal(sign(version_compare(order[i], order[j])), want);
		}
}

static void test_cases(void **state)
{
	(void)state;
	/* What the issue found: a release candidate sorted above its release. */
	assert_true(version_compare("6.1~rc1", "6.1") < 0);
	assert_true(version_compare("6.1~rc1", "6.1~rc2") < 0);
	assert_true(version_compare("~", "") < 0);
	assert_true(version_compare("6.10", "6.9") > 0);
	assert_true(version_compare("5.10", "5.9") > 0);
	assert_true(version_compare("1.0", "1.0.1") < 0);
	assert_int_equal(version_compare("6.1.0-13", "6.1.0-13"), 0);
	assert_true(version_compare("6.1.0-13", "6.1.0-9") > 0);
	assert_int_equal(version_compare("007", "7"), 0);
	assert_true(version_compare("a", "b") < 0);
	assert_true(version_compare("A", "a") < 0);
	assert_true(version_compare("123456789012345678901234567890", "99") > 0);
	assert_true(version_compare("bar-123", "foo-123") < 0);
	assert_true(version_compare("123a", "123") > 0);
	assert_true(version_compare("123.a", "123.b") < 0);
	assert_true(version_compare("123a", "123.a") > 0);
	/* Bytes outside the version alphabet only separate. */
	assert_int_equal(version_compare("11\xce\xb1", "11\xce\xb2"), 0);
	assert_int_equal(version_compare("1_", "1"), 0);
	assert_int_equal(version_compare("_1", "1"), 0);
	assert_true(version_compare("1_2_3", "1.3.3") > 0);
	assert_true(version_compare("0.0", "0") > 0);
	assert_true(version_compare(NULL, "0") < 0);
	assert_int_equal(version_compare(NULL, ""), 0);
}

/* Separators alone must not loop and must be consistent. */
static void test_separator_runs(void **state)
{
	(void)state;
	static const char *const s[] = {"", "-", "^", ".", "~", "--", "^-", "-^.", "~~", ".~", "-1",
	                                "^a", "1-", "a.", "~1", "1~", "a^", "x-y.z^w~v"};
	const size_t n = sizeof(s) / sizeof(s[0]);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(version_compare(s[i], s[i]), 0);
		for (size_t j = 0; j < n; j++)
			assert_int_equal(sign(version_compare(s[i], s[j])),
			                 -sign(version_compare(s[j], s[i])));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documented_order),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_separator_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
