/* wallclock.h: the firmware's calendar time as seconds since 1970 (TB_REC_TIME). */
#ifndef TAGBOOT_WALLCLOCK_H
#define TAGBOOT_WALLCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define WALLCLOCK_ZONE_UNSPECIFIED 2047

/* Seconds since 1970-01-01 00:00:00 UTC of a calendar time that is `time_zone` minutes ahead
 * of local time (EFI_TIME: local = UTC - TimeZone; 2047 means unspecified and is taken as
 * UTC). false when a field is out of range (month 13, day 31 of April, ...). */
bool wallclock_unix_seconds(uint16_t year, uint8_t month, uint8_t day, uint8_t hour,
                            uint8_t minute, uint8_t second, int16_t time_zone, int64_t *out);

#endif /* TAGBOOT_WALLCLOCK_H */
