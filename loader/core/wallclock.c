/* wallclock.c: the firmware's calendar time as seconds since 1970 (TB_REC_TIME). */
#include "wallclock.h"

static bool wallclock_leap(uint32_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static uint8_t wallclock_days_in_month(uint32_t y, uint8_t m)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return (uint8_t)(days[m - 1] + (m == 2 && wallclock_leap(y)));
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (the civil-from-days
 * inverse: count years in 400-year eras of 146097 days, March-based months). */
static int64_t wallclock_days(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool wallclock_unix_seconds(uint16_t year, uint8_t month, uint8_t day, uint8_t hour,
                            uint8_t minute, uint8_t second, int16_t time_zone, int64_t *out)
{
	/* EFI_TIME ranges (UEFI 2.10 8.3.1): year 1900-9999, zone -1440..1440 or 2047. */
	if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > wallclock_days_in_month(year, month) || hour > 23 || minute > 59 || second > 59)
		return false;
	if (time_zone != WALLCLOCK_ZONE_UNSPECIFIED && (time_zone < -1440 || time_zone > 1440))
		return false;
	int64_t t = wallclock_days(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	if (time_zone != WALLCLOCK_ZONE_UNSPECIFIED)
		t += (int64_t)time_zone * 60;
	*out = t;
	return true;
}
