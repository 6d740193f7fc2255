/* acpi_bytes.h: little-endian reads, writes and the byte checksum shared by the ACPI reader and writer. */
#ifndef TAGBOOT_ACPI_BYTES_H
#define TAGBOOT_ACPI_BYTES_H

#include <stdint.h>

/*
 * acpi/ is freestanding and links into the loader, the sample kernel and the host tools
 * alike, so it carries these few helpers itself instead of reaching into loader/core/util.h.
 * ACPI tables are little-endian and unaligned (ACPI 6.5 section 5.2).
 */
static inline uint16_t acpi_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_le64(const uint8_t *p)
{
	return (uint64_t)acpi_le32(p) | (uint64_t)acpi_le32(p + 4) << 32;
}

static inline void acpi_put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Sum of n bytes modulo 256: every ACPI checksum makes its table sum to 0. */
static inline uint8_t acpi_sum8(const uint8_t *p, uint64_t n)
{
	uint8_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

#endif /* TAGBOOT_ACPI_BYTES_H */
