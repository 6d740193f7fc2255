/* util.c: freestanding helpers (memory, strings, number parsing, glob, string building) for loader/core. */
#include "util.h"

/* Eight bytes at a time where both sides allow it: the loader copies and clears whole kernel
 * segments (a megabyte of BSS byte by byte cost ~5e6 instructions, docs/performance.md).
 * may_alias keeps the wide accesses legal whatever type the bytes really have. */
typedef uint64_t __attribute__((may_alias)) util_word;

void *util_memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t i = 0;
	if ((((uintptr_t)d | (uintptr_t)s) & 7u) == 0)
		for (; i + 8 <= n; i += 8)
			*(util_word *)(d + i) = *(const util_word *)(s + i);
	for (; i < n; i++)
		d[i] = s[i];
	return dst;
}

void *util_memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d == s || n == 0)
		return dst;
	/* Compare as integers: the ranges may belong to one buffer in either order. */
	if ((uintptr_t)d < (uintptr_t)s) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		for (size_t i = n; i > 0; i--)
			d[i - 1] = s[i - 1];
	}
	return dst;
}

void *util_memset(void *dst, int value, size_t n)
{
	unsigned char *d = dst;
	size_t i = 0;
	for (; i < n && ((uintptr_t)(d + i) & 7u) != 0; i++)
		d[i] = (unsigned char)value;
	util_word word = 0x0101010101010101ull * (unsigned char)value;
	for (; i + 8 <= n; i += 8)
		*(util_word *)(d + i) = word;
	for (; i < n; i++)
		d[i] = (unsigned char)value;
	return dst;
}

int util_memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t util_strlen(const char *s)
{
	size_t n = 0;
	while (s[n] != '\0')
		n++;
	return n;
}

size_t util_strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n] != '\0')
		n++;
	return n;
}

size_t util_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t len = util_strlen(src);
	if (cap > 0) {
		size_t copy = len < cap - 1 ? len : cap - 1;
		util_memcpy(dst, src, copy);
		dst[copy] = '\0';
	}
	return len;
}

bool util_strncpy_n(char *dst, size_t cap, const char *src, size_t n)
{
	if (cap == 0)
		return false;
	size_t copy = n < cap - 1 ? n : cap - 1;
	util_memcpy(dst, src, copy);
	dst[copy] = '\0';
	return copy == n;
}

int util_strcmp(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
	while (*x != '\0' && *x == *y) {
		x++;
		y++;
	}
	return (*x > *y) - (*x < *y);
}

bool util_streq(const char *a, const char *b)
{
	return util_strcmp(a, b) == 0;
}

bool util_token_eq(const char *s, size_t n, const char *word)
{
	size_t i = 0;
	for (; i < n; i++) {
		if (word[i] == '\0' || word[i] != s[i])
			return false;
	}
	return word[i] == '\0';
}

char util_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool util_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool util_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int util_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Shared digit loop: base 10 or 16, every byte must be a digit of the base. */
static enum util_parse_status parse_digits(const char *s, size_t n, unsigned base, uint64_t *out)
{
	uint64_t value = 0;
	if (n == 0)
		return UTIL_PARSE_EMPTY;
	for (size_t i = 0; i < n; i++) {
		int digit = util_hex_value(s[i]);
		if (digit < 0 || (unsigned)digit >= base)
			return UTIL_PARSE_BAD_DIGIT;
		if (value > (UINT64_MAX - (uint64_t)digit) / base)
			return UTIL_PARSE_OVERFLOW;
		value = value * base + (uint64_t)digit;
	}
	*out = value;
	return UTIL_PARSE_OK;
}

enum util_parse_status util_parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, n - 2, 16, out);
	return parse_digits(s, n, 10, out);
}

enum util_parse_status util_parse_hex_u64(const char *s, size_t n, uint64_t *out)
{
	return parse_digits(s, n, 16, out);
}

const char *util_parse_status_str(enum util_parse_status status)
{
	switch (status) {
	case UTIL_PARSE_OK:
		return "ok";
	case UTIL_PARSE_EMPTY:
		return "no digits";
	case UTIL_PARSE_BAD_DIGIT:
		return "not a number (decimal, or hex with 0x)";
	case UTIL_PARSE_OVERFLOW:
		return "too large for 64 bits";
	}
	return "unknown parse error";
}

bool util_glob_match(const char *pattern, const char *text)
{
	/* Iterative matcher with one backtrack point: the last '*' seen and the text position it
	 * currently absorbs up to. Linear in practice, never recursive (small EFI stacks). */
	const char *star = NULL, *star_text = NULL;
	while (*text != '\0') {
		if (*pattern == '*') {
			star = pattern++;
			star_text = text;
		} else if (*pattern == '?' || (*pattern != '\0' && *pattern == *text)) {
			pattern++;
			text++;
		} else if (star != NULL) {
			pattern = star + 1;
			text = ++star_text;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

void util_sb_init(struct util_sb *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb->len = 0;
	sb->truncated = false;
	if (cap > 0)
		buf[0] = '\0';
}

void util_sb_char(struct util_sb *sb, char c)
{
	if (sb->cap == 0 || sb->len + 1 >= sb->cap) {
		sb->truncated = true;
		return;
	}
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

void util_sb_strn(struct util_sb *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		util_sb_char(sb, s[i]);
}

void util_sb_str(struct util_sb *sb, const char *s)
{
	util_sb_strn(sb, s, util_strlen(s));
}

void util_sb_u64(struct util_sb *sb, uint64_t value)
{
	char digits[20];
	size_t n = 0;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	while (n > 0)
		util_sb_char(sb, digits[--n]);
}

void util_sb_hex(struct util_sb *sb, uint64_t value)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];
	size_t n = 0;
	do {
		digits[n++] = hex[value & 0xf];
		value >>= 4;
	} while (value != 0);
	util_sb_str(sb, "0x");
	while (n > 0)
		util_sb_char(sb, digits[--n]);
}
