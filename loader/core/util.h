/* util.h: freestanding helpers (memory, strings, number parsing, glob, string building) for loader/core. */
#ifndef TAGBOOT_UTIL_H
#define TAGBOOT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy n bytes; the ranges must not overlap. Returns dst. */
void *util_memcpy(void *dst, const void *src, size_t n);
/* Copy n bytes; the ranges may overlap. Returns dst. */
void *util_memmove(void *dst, const void *src, size_t n);
/* Fill n bytes with (unsigned char)value. Returns dst. */
void *util_memset(void *dst, int value, size_t n);
/* Compare n bytes as unsigned char: <0, 0 or >0, like memcmp. */
int util_memcmp(const void *a, const void *b, size_t n);

/* Length of a NUL-terminated string. */
size_t util_strlen(const char *s);
/* Length of s, but at most max (does not read past s[max - 1]). */
size_t util_strnlen(const char *s, size_t max);
/* Copy src into dst of cap bytes, always NUL-terminated when cap > 0. Returns strlen(src), so
 * a result >= cap means the copy was truncated (BSD strlcpy semantics). */
size_t util_strlcpy(char *dst, const char *src, size_t cap);
/* Copy exactly the first n bytes of src (which need not be NUL-terminated) into dst, NUL
 * terminated. Returns false (and writes a truncated copy) if n + 1 > cap. */
bool util_strncpy_n(char *dst, size_t cap, const char *src, size_t n);
/* Compare like strcmp (unsigned char order). */
int util_strcmp(const char *a, const char *b);
/* True if the two NUL-terminated strings are equal. */
bool util_streq(const char *a, const char *b);
/* True if the n bytes at s equal the NUL-terminated word (and word has exactly n bytes). */
bool util_token_eq(const char *s, size_t n, const char *word);

/* ASCII-only case folding ('A'..'Z' -> 'a'..'z'; other bytes unchanged). */
char util_ascii_lower(char c);
/* Space or horizontal tab (the separators of config and memory-map text). */
bool util_is_blank(char c);
/* '0'..'9'. */
bool util_is_digit(char c);
/* Value of a hex digit (either case) or -1. */
int util_hex_value(char c);

enum util_parse_status {
	UTIL_PARSE_OK = 0,
	UTIL_PARSE_EMPTY,     /* no digits at all */
	UTIL_PARSE_BAD_DIGIT, /* a character that is not a digit of the base */
	UTIL_PARSE_OVERFLOW,  /* the value does not fit in 64 bits */
};
/* Parse all n bytes at s as an unsigned 64-bit number: decimal, or hexadecimal with a 0x/0X
 * prefix. No sign, no spaces. */
enum util_parse_status util_parse_u64(const char *s, size_t n, uint64_t *out);
/* Parse all n bytes at s as hexadecimal digits without a prefix (memory-map dumps). */
enum util_parse_status util_parse_hex_u64(const char *s, size_t n, uint64_t *out);
/* Short English text for a parse status ("not a number", "too large for 64 bits", ...). */
const char *util_parse_status_str(enum util_parse_status status);

/* Glob match of a NUL-terminated pattern against a NUL-terminated string: '*' matches any run
 * (also empty), '?' exactly one byte; everything else literally, case-sensitive. */
bool util_glob_match(const char *pattern, const char *text);

/* String building without a printf: append pieces to a fixed buffer, always NUL-terminated;
 * text that does not fit is dropped and `truncated` set. */
struct util_sb {
	char *buf;
	size_t cap;
	size_t len;
	bool truncated;
};
/* Start building into buf of cap bytes (cap may be 0: everything is then dropped). */
void util_sb_init(struct util_sb *sb, char *buf, size_t cap);
/* Append a NUL-terminated string. */
void util_sb_str(struct util_sb *sb, const char *s);
/* Append n bytes of s (s need not be NUL-terminated). */
void util_sb_strn(struct util_sb *sb, const char *s, size_t n);
/* Append one character. */
void util_sb_char(struct util_sb *sb, char c);
/* Append an unsigned number in decimal. */
void util_sb_u64(struct util_sb *sb, uint64_t value);
/* Append an unsigned number in lower-case hex with a 0x prefix and no padding ("0x80b000"). */
void util_sb_hex(struct util_sb *sb, uint64_t value);

/* Little-endian reads byte by byte: firmware tables, ELF headers and EFI descriptors arrive at
 * any alignment, and the host tests need not run on x86. Inline, so that the kernel can use
 * the shared parsers (acpi.c) without linking util.c. */
static inline uint16_t util_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t util_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t util_le64(const uint8_t *p)
{
	return (uint64_t)util_le32(p) | (uint64_t)util_le32(p + 4) << 32;
}

#endif /* TAGBOOT_UTIL_H */
