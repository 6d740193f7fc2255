/* utf16.c: UTF-8 to UTF-16 for LoadOptions (utf16.h). */
#include "utf16.h"

#define UTF16_REPLACEMENT 0xfffdu

/* The code point at *p (advancing *p), U+FFFD for one bad byte. */
static uint32_t utf16_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	unsigned need = 0;
	uint32_t min = 0;
	if (c < 0x80) {
		*p = s + 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		need = 1;
		min = 0x80;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		need = 2;
		min = 0x800;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		need = 3;
		min = 0x10000;
		c &= 0x07;
	} else {
		*p = s + 1;
		return UTF16_REPLACEMENT;
	}
	for (unsigned i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + 1;
			return UTF16_REPLACEMENT;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*p = s + 1;
		return UTF16_REPLACEMENT;
	}
	*p = s + 1 + need;
	return c;
}

size_t utf16_units(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p)
		n += utf16_next(&p) > 0xffff ? 2 : 1;
	return n;
}

size_t utf16_from_utf8(const char *s, uint16_t *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p) {
		uint32_t c = utf16_next(&p);
		size_t k = c > 0xffff ? 2 : 1;
		if (n + k + 1 > cap)
			return SIZE_MAX;
		if (k == 2) {
			c -= 0x10000;
			out[n++] = (uint16_t)(0xd800 + (c >> 10));
			out[n++] = (uint16_t)(0xdc00 + (c & 0x3ff));
		} else {
			out[n++] = (uint16_t)c;
		}
	}
	if (n + 1 > cap)
		return SIZE_MAX;
	out[n] = 0;
	return n;
}
