/* The 1.0 reader kept for the compatibility test: handoff/src/crc32.c at 6369646, unchanged. */
/* crc32.c: CRC-32/ISO-HDLC (the zlib CRC) used to seal handoff blobs, and tb_reseal. */
#include "tagboot_handoff.h"

#include <stdint.h>

/*
 * Polynomial 0x04C11DB7 reflected (0xEDB88320), init and xorout 0xFFFFFFFF: the "CRC-32" of
 * zlib and IEEE 802.3 (catalogue name CRC-32/ISO-HDLC, check value 0xCBF43926 for
 * "123456789"). Four bits per step with a 16-entry table: 64 bytes of data instead of the
 * usual 1 KiB, fast enough for blobs of tens of MiB. Entry i is the CRC register after
 * shifting the nibble i through four rounds of the bitwise algorithm.
 */
static const uint32_t crc32_nibble_table[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

/* The crc argument is a previous result (0 to start), so calls can be chained. */
uint32_t tb_crc32(uint32_t crc, const void *data, size_t length)
{
	const uint8_t *p = data;

	crc = ~crc;
	for (size_t i = 0; i < length; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc32_nibble_table[crc & 0xFu];
		crc = (crc >> 4) ^ crc32_nibble_table[crc & 0xFu];
	}
	return ~crc;
}

/* The CRC covers total_size bytes with the crc32 field read as 0 (tagboot_handoff.h). */
void tb_reseal(void *blob)
{
	struct tb_header *h = blob;

	if (blob == NULL)
		return;
	h->crc32 = 0;
	h->crc32 = tb_crc32(0, blob, h->total_size);
}
