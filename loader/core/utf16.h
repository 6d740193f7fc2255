/* utf16.h: UTF-8 text from the ESP as the UTF-16 an EFI program gets in its LoadOptions. */
#ifndef TAGBOOT_UTF16_H
#define TAGBOOT_UTF16_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode UTF-8 s and write it as UTF-16 (characters above U+FFFF as surrogate pairs, which
 * the Linux EFI stub decodes) with a terminating 0 into out[0..cap). A byte that does not
 * start or continue a valid sequence (overlong forms, surrogates, beyond U+10FFFF, a cut-off
 * sequence) becomes U+FFFD, one per bad byte, as systemd-boot and the stub treat it. Returns
 * the units written without the 0, or SIZE_MAX when cap is too small (utf16_units says how
 * many are needed).
 */
size_t utf16_from_utf8(const char *s, uint16_t *out, size_t cap);

/* Units utf16_from_utf8 writes for s, without the terminating 0. */
size_t utf16_units(const char *s);

#endif /* TAGBOOT_UTF16_H */
