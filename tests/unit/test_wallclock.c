/* test_wallclock.c: EFI calendar time to Unix seconds, against known instants and libc's timegm. */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "wallclock.h"

static void test_known_instants(void **state)
{
	(void)state;
	int64_t t = 0;
	assert_true(wallclock_unix_seconds(1970, 1, 1, 0, 0, 0, WALLCLOCK_ZONE_UNSPECIFIED, &t));
	assert_int_equal(t, 0);
	assert_true(wallclock_unix_seconds(2000, 2, 29, 12, 0, 0, 0, &t));
	assert_int_equal(t, 951825600);
	assert_true(wallclock_unix_seconds(2026, 12, 2, 0, 30, 15, WALLCLOCK_ZONE_UNSPECIFIED, &t));
	assert_int_equal(t, 1796171415);
	/* Before 1970 is negative; EFI allows 1900. */
	assert_true(wallclock_unix_seconds(1900, 1, 1, 0, 0, 0, 0, &t));
	assert_int_equal(t, -2208988800ll);
}

/* EFI: local = UTC - TimeZone, so UTC = local + TimeZone minutes. */
static void test_time_zone(void **state)
{
	(void)state;
	int64_t utc = 0, t = 0;
	assert_true(wallclock_unix_seconds(2026, 6, 1, 12, 0, 0, 0, &utc));
	assert_true(wallclock_unix_seconds(2026, 6, 1, 14, 0, 0, -120, &t)); /* UTC+2 */
	assert_int_equal(t, utc);
	assert_true(wallclock_unix_seconds(2026, 6, 1, 7, 0, 0, 300, &t)); /* UTC-5 */
	assert_int_equal(t, utc);
}

static void test_out_of_range(void **state)
{
	(void)state;
	int64_t t = 0;
	assert_false(wallclock_unix_seconds(2026, 13, 1, 0, 0, 0, 0, &t));
	assert_false(wallclock_unix_seconds(2026, 4, 31, 0, 0, 0, 0, &t));
	assert_false(wallclock_unix_seconds(2025, 2, 29, 0, 0, 0, 0, &t));
	assert_false(wallclock_unix_seconds(1899, 12, 31, 0, 0, 0, 0, &t));
	assert_false(wallclock_unix_seconds(2026, 1, 1, 24, 0, 0, 0, &t));
	assert_false(wallclock_unix_seconds(2026, 1, 1, 0, 0, 0, 1441, &t));
	assert_false(wallclock_unix_seconds(2026, 1, 0, 0, 0, 0, 0, &t));
}

/* Every day from 1900 to 2200 at a varying time agrees with glibc's timegm. */
static void test_against_timegm(void **state)
{
	(void)state;
	for (int64_t day = -25567; day < 84000; day += 1) {
		time_t when = (time_t)(day * 86400 + ((day * 3607) % 86400 + 86400) % 86400);
		struct tm tm;
		gmtime_r(&when, &tm);
		int64_t t = 0;
		assert_true(wallclock_unix_seconds((uint16_t)(tm.tm_year + 1900), (uint8_t)(tm.tm_mon + 1),
		                                   (uint8_t)tm.tm_mday, (uint8_t)tm.tm_hour,
		                                   (uint8_t)tm.tm_min, (uint8_t)tm.tm_sec, 0, &t));
		assert_int_equal(t, (int64_t)timegm(&tm));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_instants),
		cmocka_unit_test(test_time_zone),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_against_timegm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
