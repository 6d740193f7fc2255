/* version.h: version comparison as systemd-boot orders entries (the UAPI Version Format, systemd's strverscmp_improved). */
#ifndef TAGBOOT_VERSION_H
#define TAGBOOT_VERSION_H

/*
 * Segments of digits or of letters, each possibly prefixed by one of
 *   '~'  a pre-release: older than anything, even the end of the string ("6.1~rc1" < "6.1");
 *   '-'  version/release separator: older than no prefix and than '^' or '.';
 *   '^'  a patched release: newer than '-', older than '.';
 *   '.'  a point release;
 * every other byte (including '_', '+' and non-ASCII) only separates segments. Digit runs
 * compare as numbers of any length (leading zeros skipped), a digit run is newer than a letter
 * run, letters compare by byte (capitals first), the longer letter run is newer, and when one
 * string ends the other (unless it continues with '~') is newer. The same order as Debian 12's
 * systemd-boot 252 (tests/compat compares them side by side). <0, 0, >0 as for strcmp.
 */
int version_compare(const char *a, const char *b);

#endif /* TAGBOOT_VERSION_H */
