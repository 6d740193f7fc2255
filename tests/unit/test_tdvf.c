/* test_tdvf.c: cmocka tests for the TDVF metadata reader (built images, corruptions, real OVMF). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tdvf.h"

/*
 * The test image: 256 KiB, mapped so that it ends at 4 GiB, laid out from the documented format
 * (background.md section 2; edk2 ResetVectorVtf0.asm / IntelTdxMetadata.asm):
 *
 *   0x3E000 .. 0x3E00F  descriptor GUID e9eaf9f3-...
 *   0x3E010             "TDVF" descriptor, 7 sections            (offset from end 0x2000)
 *   ...
 *   size - 50 - 44      SEV-like entry: 4 data bytes, u16 22, GUID dc886566-...
 *   size - 50 - 22      TDX entry: u32 0x2000, u16 22, GUID e47a6535-...
 *   size - 50           u16 table length 18 + 22 + 22 = 62
 *   size - 48           footer GUID 96b582de-...
 *   size - 32           32 bytes (the reset vector in a real image)
 *
 * The TDX entry is nearest the footer, so the walk meets it first; the SEV-like entry sits
 * below it.
 */
#define IMG_SIZE (256u * 1024u)
#define DESC_FROM_END 0x2000u
#define DESC_AT (IMG_SIZE - DESC_FROM_END)
#define LEN_AT (IMG_SIZE - 50u)
#define TDX_ENTRY_LEN_AT (LEN_AT - 18u)   /* u16 length of the TDX entry */
#define TDX_ENTRY_DATA_AT (LEN_AT - 22u)  /* its u32 offset */
#define TDX_ENTRY_GUID_AT (LEN_AT - 16u)
#define SEV_ENTRY_LEN_AT (LEN_AT - 22u - 18u)
#define SECTION_AT(i) (DESC_AT + 16u + 32u * (i))

static const uint8_t footer_guid[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
                                         0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const uint8_t tdx_offset_guid[16] = { 0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
                                             0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 };
static const uint8_t desc_guid[16] = { 0xf3, 0xf9, 0xea, 0xe9, 0x8e, 0x16, 0xd5, 0x44,
                                       0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae };
/* dc886566-984a-4798-a75e-5585a7bf67cc: edk2's SEV metadata offset block. */
static const uint8_t sev_offset_guid[16] = { 0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
                                             0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };

struct test_section {
	uint32_t data_offset, raw_size;
	uint64_t address, size;
	uint32_t type, attributes;
};

/* Modelled on edk2 IntelTdxMetadata.asm and background.md section 2. BFV and CFV raw data
 * point into this image (the last 128 KiB and the 64 KiB below it). */
static const struct test_section sections[] = {
	{ 0x20000, 0x20000, 0xFFFE0000ull, 0x20000, TDVF_SECTION_BFV, 1 },
	{ 0x10000, 0x10000, 0xFFFD0000ull, 0x10000, TDVF_SECTION_CFV, 0 },
	{ 0, 0, 0x810000, 0x10000, TDVF_SECTION_TEMP_MEM, 0 }, /* SEC/PEI temporary RAM */
	{ 0, 0, 0x80C000, 0x1000, TDVF_SECTION_TEMP_MEM, 0 },  /* initial TD mailbox */
	{ 0, 0, 0x80B000, 0x1000, TDVF_SECTION_TEMP_MEM, 0 },  /* TDX work area */
	{ 0, 0, 0x809000, 0x2000, TDVF_SECTION_TD_HOB, 0 },    /* TD HOB */
	{ 0, 0, 0x800000, 0x6000, TDVF_SECTION_TEMP_MEM, 0 },  /* reset-vector page tables */
};
#define SECTION_COUNT (sizeof(sections) / sizeof(sections[0]))

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* A heap buffer of exactly IMG_SIZE bytes, so ASan reports any read past either end. */
static uint8_t *build_image(void)
{
	uint8_t *img = calloc(1, IMG_SIZE);
	assert_non_null(img);

	memcpy(img + DESC_AT - 16, desc_guid, 16);
	memcpy(img + DESC_AT, "TDVF", 4);
	put32(img + DESC_AT + 4, (uint32_t)(16 + 32 * SECTION_COUNT));
	put32(img + DESC_AT + 8, 1);
	put32(img + DESC_AT + 12, (uint32_t)SECTION_COUNT);
	for (unsigned i = 0; i < SECTION_COUNT; i++) {
		uint8_t *s = img + SECTION_AT(i);
		put32(s, sections[i].data_offset);
		put32(s + 4, sections[i].raw_size);
		put64(s + 8, sections[i].address);
		put64(s + 16, sections[i].size);
		put32(s + 24, sections[i].type);
		put32(s + 28, sections[i].attributes);
	}

	/* SEV-like entry (further from the footer). */
	put32(img + SEV_ENTRY_LEN_AT - 4, 0x12345678);
	put16(img + SEV_ENTRY_LEN_AT, 22);
	memcpy(img + SEV_ENTRY_LEN_AT + 2, sev_offset_guid, 16);
	/* TDX metadata offset entry (nearest the footer). */
	put32(img + TDX_ENTRY_DATA_AT, DESC_FROM_END);
	put16(img + TDX_ENTRY_LEN_AT, 22);
	memcpy(img + TDX_ENTRY_GUID_AT, tdx_offset_guid, 16);
	/* Footer. */
	put16(img + LEN_AT, 62);
	memcpy(img + LEN_AT + 2, footer_guid, 16);
	return img;
}

static enum tdvf_status read_image(const uint8_t *img, size_t size, struct tdvf_metadata *md)
{
	memset(md, 0xA5, sizeof(*md));
	return tdvf_read(img, size, md);
}

static void test_reads_all_sections(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	struct tdvf_metadata md;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_OK);
	assert_int_equal(md.version, 1);
	assert_int_equal(md.section_count, 7);
	assert_int_equal(md.descriptor_offset, 0x3E000);
	for (unsigned i = 0; i < SECTION_COUNT; i++) {
		assert_int_equal(md.sections[i].data_offset, sections[i].data_offset);
		assert_int_equal(md.sections[i].raw_size, sections[i].raw_size);
		assert_int_equal(md.sections[i].address, sections[i].address);
		assert_int_equal(md.sections[i].size, sections[i].size);
		assert_int_equal(md.sections[i].type, sections[i].type);
		assert_int_equal(md.sections[i].attributes, sections[i].attributes);
	}
	/* Spot checks with literal numbers, not just the table above. */
	assert_int_equal(md.sections[6].address, 0x800000);
	assert_int_equal(md.sections[6].size, 0x6000);
	assert_int_equal(md.sections[5].type, 2);
	assert_int_equal(md.sections[0].address, 0xFFFE0000ull);
	free(img);
}

static void test_finds_tdx_entry_behind_other_entries(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	/* Swap the order: the SEV-like entry nearest the footer, the TDX entry below it. */
	uint8_t tmp[22];
	memcpy(tmp, img + LEN_AT - 22, 22);
	memcpy(img + LEN_AT - 22, img + LEN_AT - 44, 22);
	memcpy(img + LEN_AT - 44, tmp, 22);
	struct tdvf_metadata md;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_OK);
	assert_int_equal(md.section_count, 7);
	/* The same table ending after the SEV-like entry: no TDX entry within it. */
	put16(img + LEN_AT, 18 + 22);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_NO_TDX_METADATA);
	assert_int_equal(md.section_count, 0);
	free(img);
}

static void test_regions(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	struct tdvf_metadata md;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_OK);
	struct tb_mem_entry r[TDVF_MAX_SECTIONS];
	size_t n = 99;
	assert_int_equal(tdvf_regions(&md, r, TDVF_MAX_SECTIONS, &n), TDVF_OK);
	/* Section order: work area (0x80B000), TD HOB, page tables. Temp RAM and the initial
	 * mailbox are not tagged. */
	assert_int_equal(n, 3);
	assert_int_equal(r[0].base, 0x80B000);
	assert_int_equal(r[0].length, 0x1000);
	assert_int_equal(r[0].reason, TB_REASON_WORK_AREA);
	assert_int_equal(r[1].base, 0x809000);
	assert_int_equal(r[1].length, 0x2000);
	assert_int_equal(r[1].reason, TB_REASON_TD_HOB);
	assert_int_equal(r[2].base, 0x800000);
	assert_int_equal(r[2].length, 0x6000);
	assert_int_equal(r[2].reason, TB_REASON_PAGE_TABLES);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].type, TB_MEM_AP_HELD);
		assert_int_equal(r[i].after_type, TB_MEM_USABLE);
		assert_int_equal(r[i].owner, TB_OWNER_FIRMWARE);
		assert_int_equal(r[i].reclaim, TB_RECLAIM_AFTER_AP_WAKEUP);
		assert_int_equal(r[i].source, TB_SOURCE_TDVF_METADATA);
		assert_int_equal(r[i].reserved, 0);
	}
	/* Too small an output array. */
	assert_int_equal(tdvf_regions(&md, r, 2, &n), TDVF_NO_SPACE);
	/* A TempMem section that starts below 0x800000 still covers it. */
	md.sections[6].address = 0x7FF000;
	md.sections[6].size = 0x7000;
	assert_int_equal(tdvf_regions(&md, r, TDVF_MAX_SECTIONS, &n), TDVF_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].base, 0x7FF000);
	assert_int_equal(r[2].reason, TB_REASON_PAGE_TABLES);
	/* One that ends exactly at 0x800000 does not. */
	md.sections[6].address = 0x7FA000;
	md.sections[6].size = 0x6000;
	assert_int_equal(tdvf_regions(&md, r, TDVF_MAX_SECTIONS, &n), TDVF_OK);
	assert_int_equal(n, 2);
	free(img);
}

static void test_footer_guid_wrong(void **state)
{
	(void)state;
	struct tdvf_metadata md;
	for (unsigned byte = 0; byte < 16; byte++) {
		uint8_t *img = build_image();
		img[LEN_AT + 2 + byte] ^= 0x01;
		assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_NO_FOOTER);
		free(img);
	}
	/* The footer one byte off its place is not found either. */
	uint8_t *img = build_image();
	memmove(img + LEN_AT + 3, img + LEN_AT + 2, 16);
	img[LEN_AT + 2] = 0;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_NO_FOOTER);
	free(img);
}

static void test_table_length(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	struct tdvf_metadata md;
	/* Shorter than the footer itself. */
	put16(img + LEN_AT, 17);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_TABLE_LENGTH);
	put16(img + LEN_AT, 0);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_TABLE_LENGTH);
	/* Only the footer: no entries, so no TDX metadata. */
	put16(img + LEN_AT, 18);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_NO_TDX_METADATA);
	/* Too small to hold the first entry. */
	put16(img + LEN_AT, 18 + 21);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_ENTRY_LENGTH);
	put16(img + LEN_AT, 18 + 5);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_ENTRY_LENGTH);
	/* Too large, with the TDX entry gone: the walk passes the SEV-like entry and meets zeros
	 * (entry length 0). */
	put16(img + LEN_AT, 62 + 100);
	img[TDX_ENTRY_GUID_AT] ^= 0xFF;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_ENTRY_LENGTH);
	free(img);

	/* Too large for the image: the last 1 KiB of it, table length 0xFFFF. */
	img = build_image();
	put16(img + LEN_AT, 0xFFFF);
	assert_int_equal(read_image(img + IMG_SIZE - 1024, 1024, &md), TDVF_BAD_TABLE_LENGTH);
	/* Exactly reaching the image start is allowed (1024 - 50 bytes of entries): the walk
	 * then finds the TDX entry, whose offset 0x2000 lies beyond this 1 KiB image. */
	put16(img + LEN_AT, (uint16_t)(1024 - 50 + 18));
	assert_int_equal(read_image(img + IMG_SIZE - 1024, 1024, &md), TDVF_BAD_METADATA_OFFSET);
	put16(img + LEN_AT, (uint16_t)(1024 - 50 + 19));
	assert_int_equal(read_image(img + IMG_SIZE - 1024, 1024, &md), TDVF_BAD_TABLE_LENGTH);
	free(img);
}

static void test_entry_length(void **state)
{
	(void)state;
	struct tdvf_metadata md;
	static const uint16_t bad[] = { 0, 1, 17, 63, 0x1000, 0xFFFF };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *img = build_image();
		put16(img + TDX_ENTRY_LEN_AT, bad[i]);
		assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_ENTRY_LENGTH);
		free(img);
	}
	/* Lengths within the table but wrong also surface: 44 swallows both entries, the TDX
	 * GUID still matches and the data starts 22 bytes lower (the SEV-like entry's data). */
	uint8_t *img = build_image();
	put16(img + TDX_ENTRY_LEN_AT, 44);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_METADATA_OFFSET);
	free(img);
	/* The SEV-like entry broken, TDX entry first: never reached, still OK. */
	img = build_image();
	put16(img + SEV_ENTRY_LEN_AT, 0);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_OK);
	/* ... but without the TDX entry the walk reaches it. */
	img[TDX_ENTRY_GUID_AT + 15] ^= 0x80;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_ENTRY_LENGTH);
	free(img);
	/* An entry with fewer than 4 bytes of data: 2 bytes, table shrunk to match. */
	img = build_image();
	put16(img + TDX_ENTRY_LEN_AT, 20);
	put16(img + LEN_AT, 18 + 20);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_OFFSET_ENTRY);
	free(img);
}

static void test_metadata_offset(void **state)
{
	(void)state;
	struct tdvf_metadata md;
	/* Past the image, at its very start (no room for the GUID), below 16, zero, and huge. */
	static const uint32_t bad[] = { IMG_SIZE + 1, IMG_SIZE + 0x1000, IMG_SIZE, IMG_SIZE - 15,
		                        15, 0, 0xFFFFFFFFu };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *img = build_image();
		put32(img + TDX_ENTRY_DATA_AT, bad[i]);
		assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_METADATA_OFFSET);
		free(img);
	}
	/* Inside the image but not at the descriptor. */
	uint8_t *img = build_image();
	put32(img + TDX_ENTRY_DATA_AT, DESC_FROM_END + 0x1000);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_DESCRIPTOR_GUID);
	put32(img + TDX_ENTRY_DATA_AT, DESC_FROM_END - 4);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_DESCRIPTOR_GUID);
	/* The smallest offset that leaves 16 bytes of GUID before the descriptor. */
	put32(img + TDX_ENTRY_DATA_AT, IMG_SIZE - 16);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_DESCRIPTOR_GUID);
	free(img);
}

static void test_descriptor_fields(void **state)
{
	(void)state;
	struct tdvf_metadata md;
	uint8_t *img = build_image();
	img[DESC_AT - 1] ^= 1;
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_DESCRIPTOR_GUID);
	free(img);

	img = build_image();
	memcpy(img + DESC_AT, "TDVX", 4);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_SIGNATURE);
	free(img);

	img = build_image();
	put32(img + DESC_AT + 8, 2);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_VERSION);
	free(img);

	/* Length: 16 + 32 * 7 = 240 is right; 239, 241, 272, 0 and huge are not. */
	static const uint32_t bad_len[] = { 239, 241, 272, 0, 0xFFFFFFF0u };
	for (unsigned i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		img = build_image();
		put32(img + DESC_AT + 4, bad_len[i]);
		assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_DESCRIPTOR_LENGTH);
		free(img);
	}

	/* Section counts: huge, one more than allowed, too few. */
	static const uint32_t bad_count[] = { 0xFFFFFFFFu, 0x08000001u, 33, 1, 0 };
	for (unsigned i = 0; i < sizeof(bad_count) / sizeof(bad_count[0]); i++) {
		img = build_image();
		put32(img + DESC_AT + 12, bad_count[i]);
		/* Even with a length that would match the count modulo 2^32. */
		put32(img + DESC_AT + 4, 16u + 32u * bad_count[i]);
		assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_SECTION_COUNT);
		free(img);
	}

	/* 32 sections (the maximum), the extra ones zero: valid memory-less BFV entries. */
	img = build_image();
	put32(img + DESC_AT + 12, 32);
	put32(img + DESC_AT + 4, 16 + 32 * 32);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_OK);
	assert_int_equal(md.section_count, 32);
	assert_int_equal(md.sections[6].address, 0x800000);
	assert_int_equal(md.sections[31].size, 0);
	free(img);
}

static void test_descriptor_past_image_end(void **state)
{
	(void)state;
	/* A 4 KiB image whose descriptor starts 160 bytes before the end: 7 sections (240 bytes)
	 * would run past the end. Built by hand. */
	const size_t size = 4096;
	uint8_t *img = calloc(1, size);
	assert_non_null(img);
	const size_t len_at = size - 50;
	memcpy(img + len_at + 2, footer_guid, 16);
	put16(img + len_at, 18 + 22);
	put16(img + len_at - 18, 22);
	memcpy(img + len_at - 16, tdx_offset_guid, 16);
	const uint32_t from_end = 160; /* descriptor at size - 160, 240 bytes long */
	put32(img + len_at - 22, from_end);
	memcpy(img + size - from_end - 16, desc_guid, 16);
	memcpy(img + size - from_end, "TDVF", 4);
	put32(img + size - from_end + 4, 16 + 32 * 7);
	put32(img + size - from_end + 8, 1);
	put32(img + size - from_end + 12, 7);
	struct tdvf_metadata md;
	assert_int_equal(read_image(img, size, &md), TDVF_BAD_DESCRIPTOR_LENGTH);
	/* Two sections (80 bytes, zero) fit below the table, which starts 72 bytes before the end. */
	put32(img + size - from_end + 4, 16 + 32 * 2);
	put32(img + size - from_end + 12, 2);
	assert_int_equal(read_image(img, size, &md), TDVF_OK);
	assert_int_equal(md.section_count, 2);
	free(img);
}

static void test_section_checks(void **state)
{
	(void)state;
	struct tdvf_metadata md;
	uint8_t *img = build_image();
	put64(img + SECTION_AT(6) + 8, 0x800800); /* address not page aligned */
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_SECTION_ALIGN);
	assert_int_equal(md.section_count, 0);
	free(img);

	img = build_image();
	put64(img + SECTION_AT(5) + 16, 0x2001); /* size not page aligned */
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_SECTION_ALIGN);
	free(img);

	img = build_image();
	put64(img + SECTION_AT(2) + 8, 0xFFFFFFFFFFFFF000ull);
	put64(img + SECTION_AT(2) + 16, 0x2000);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_SECTION_WRAP);
	/* Ending exactly at 2^64 is fine. */
	put64(img + SECTION_AT(2) + 16, 0x1000);
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_OK);
	free(img);

	img = build_image();
	put32(img + SECTION_AT(0) + 4, 0x20001); /* raw size above memory size 0x20000 */
	assert_int_equal(read_image(img, IMG_SIZE, &md), TDVF_BAD_SECTION_RAW_SIZE);
	free(img);
}

/* The last n bytes of the image, then the first n bytes, for n = 0..64, each in a buffer of
 * exactly n bytes. The footer needs 48 bytes; its length field 50; the table of 62 bytes needs
 * 32 + 16 + 2 + 44 = 94, so every tail from 48 on has a table longer than the bytes below it. */
static void test_truncated_images(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	struct tdvf_metadata md;
	for (size_t n = 0; n <= 64; n++) {
		uint8_t *tail = malloc(n ? n : 1);
		assert_non_null(tail);
		memcpy(tail, img + IMG_SIZE - n, n);
		enum tdvf_status want = n < 48 ? TDVF_NO_FOOTER : TDVF_BAD_TABLE_LENGTH;
		enum tdvf_status got = read_image(tail, n, &md);
		if (got != want)
			fail_msg("tail of %zu bytes: got %d (%s), want %d", n, got,
			         tdvf_status_str(got), want);
		memcpy(tail, img, n);
		assert_int_equal(read_image(tail, n, &md), TDVF_NO_FOOTER);
		free(tail);
	}
	/* The tail that holds the whole table (94 bytes) but not the descriptor. */
	uint8_t *tail = malloc(94);
	assert_non_null(tail);
	memcpy(tail, img + IMG_SIZE - 94, 94);
	assert_int_equal(read_image(tail, 94, &md), TDVF_BAD_METADATA_OFFSET);
	free(tail);
	free(img);
}

static void test_null_arguments(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	struct tdvf_metadata md;
	size_t n;
	assert_int_equal(tdvf_read(img, IMG_SIZE, NULL), TDVF_ERR_NULL);
	assert_int_equal(tdvf_read(NULL, IMG_SIZE, &md), TDVF_ERR_NULL);
	assert_int_equal(tdvf_regions(NULL, NULL, 0, &n), TDVF_ERR_NULL);
	free(img);
}

/* Random corruption of the table and descriptor bytes: whatever the result, no read outside
 * the image (ASan) and a consistent output. Deterministic generator, so failures repeat. */
static void test_random_corruption(void **state)
{
	(void)state;
	uint8_t *img = build_image();
	uint8_t *work = malloc(IMG_SIZE);
	assert_non_null(work);
	uint32_t x = 12345;
	unsigned ok = 0;
	for (unsigned round = 0; round < 4000; round++) {
		memcpy(work, img, IMG_SIZE);
		for (unsigned k = 0; k < 1 + round % 6; k++) {
			x = x * 1103515245u + 12345u;
			size_t at;
			if ((x >> 16) & 1)
				at = IMG_SIZE - 160 + (x >> 17) % 160; /* table and footer */
			else
				at = DESC_AT - 16 + (x >> 17) % (16 + 240); /* GUID and descriptor */
			x = x * 1103515245u + 12345u;
			work[at] = (uint8_t)(x >> 16);
		}
		struct tdvf_metadata md;
		enum tdvf_status st = read_image(work, IMG_SIZE, &md);
		assert_true(st < TDVF_STATUS_COUNT);
		if (st == TDVF_OK) {
			ok++;
			assert_in_range(md.section_count, 2, TDVF_MAX_SECTIONS);
		} else {
			assert_int_equal(md.section_count, 0);
		}
	}
	/* Some corruptions hit bytes that do not matter (attributes, the SEV-like entry data). */
	assert_true(ok > 0);
	assert_true(ok < 4000);
	free(work);
	free(img);
}

static void test_status_strings(void **state)
{
	(void)state;
	assert_string_equal(tdvf_status_str(TDVF_NO_FOOTER), "no OVMF GUIDed footer table");
	assert_string_equal(tdvf_status_str(TDVF_NO_TDX_METADATA), "no TDX metadata");
	for (int s = 0; s <= TDVF_STATUS_COUNT; s++) {
		const char *t = tdvf_status_str((enum tdvf_status)s);
		assert_non_null(t);
		assert_true(strlen(t) > 0);
	}
	assert_string_equal(tdvf_section_type_name(3), "TempMem");
	assert_string_equal(tdvf_section_type_name(6), "PayloadParam");
	assert_string_equal(tdvf_section_type_name(99), "unknown");
}

/* Load a whole file into a buffer of exactly its size; NULL if absent. */
static uint8_t *load_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0)
		fail_msg("%s: cannot seek", path);
	long n = ftell(f);
	if (n <= 0)
		fail_msg("%s: empty or unreadable", path);
	rewind(f);
	uint8_t *buf = malloc((size_t)n);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("%s: short read", path);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

/* Debian 12's 4 MiB build (SMM, Secure Boot capable) is OVMF but not a TDVF: its footer table
 * holds three entries (00f771de..., 4c2eb361..., 7255371f...) and no TDX entry. */
static void test_debian_ovmf_code_4m(void **state)
{
	(void)state;
	static const char *const paths[] = { "/usr/share/OVMF/OVMF_CODE_4M.fd",
		                             "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd" };
	for (unsigned i = 0; i < 2; i++) {
		size_t size = 0;
		uint8_t *img = load_file(paths[i], &size);
		if (img == NULL) {
			print_message("SKIP: %s absent (Debian package ovmf)\n", paths[i]);
			continue;
		}
		struct tdvf_metadata md;
		enum tdvf_status st = read_image(img, size, &md);
		if (st != TDVF_NO_TDX_METADATA)
			fail_msg("%s: got %s, want \"no TDX metadata\"", paths[i], tdvf_status_str(st));
		free(img);
	}
}

/* Debian 12's 2 MiB OvmfPkgX64 build does carry TDX metadata (TDVF_OK): six sections, checked
 * against a hex dump of the file (descriptor 0x840 bytes before the end, length 208). Its
 * BFV data offset 0x20000 counts from the start of OVMF.fd (VARS + CODE), beyond this
 * 0x1E0000-byte CODE file. A loader must therefore not take TDX metadata as proof of a TD. */
static void test_debian_ovmf_code_2m(void **state)
{
	(void)state;
	const char *path = "/usr/share/OVMF/OVMF_CODE.fd";
	size_t size = 0;
	uint8_t *img = load_file(path, &size);
	if (img == NULL) {
		print_message("SKIP: %s absent (Debian package ovmf)\n", path);
		return;
	}
	struct tdvf_metadata md;
	enum tdvf_status st = read_image(img, size, &md);
	if (st != TDVF_OK)
		fail_msg("%s: got %s, want ok", path, tdvf_status_str(st));
	assert_int_equal(size, 0x1E0000);
	assert_int_equal(md.descriptor_offset, 0x1E0000 - 0x840);
	assert_int_equal(md.section_count, 6);
	assert_int_equal(md.sections[0].type, TDVF_SECTION_BFV);
	assert_int_equal(md.sections[0].data_offset, 0x20000);
	assert_int_equal(md.sections[0].address, 0xFFE20000ull);
	assert_int_equal(md.sections[1].type, TDVF_SECTION_CFV);
	assert_int_equal(md.sections[1].address, 0xFFE00000ull);
	assert_int_equal(md.sections[2].address, 0x810000);
	assert_int_equal(md.sections[3].address, 0x80B000);
	assert_int_equal(md.sections[3].size, 0x2000);
	assert_int_equal(md.sections[4].type, TDVF_SECTION_TD_HOB);
	assert_int_equal(md.sections[4].address, 0x809000);
	assert_int_equal(md.sections[5].type, TDVF_SECTION_TEMP_MEM);
	assert_int_equal(md.sections[5].address, 0x800000);
	assert_int_equal(md.sections[5].size, 0x6000);

	struct tb_mem_entry r[TDVF_MAX_SECTIONS];
	size_t n = 0;
	assert_int_equal(tdvf_regions(&md, r, TDVF_MAX_SECTIONS, &n), TDVF_OK);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].base, 0x80B000);
	assert_int_equal(r[0].reason, TB_REASON_WORK_AREA);
	assert_int_equal(r[1].base, 0x809000);
	assert_int_equal(r[1].reason, TB_REASON_TD_HOB);
	assert_int_equal(r[2].base, 0x800000);
	assert_int_equal(r[2].length, 0x6000);
	assert_int_equal(r[2].reason, TB_REASON_PAGE_TABLES);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_all_sections),
		cmocka_unit_test(test_finds_tdx_entry_behind_other_entries),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_footer_guid_wrong),
		cmocka_unit_test(test_table_length),
		cmocka_unit_test(test_entry_length),
		cmocka_unit_test(test_metadata_offset),
		cmocka_unit_test(test_descriptor_fields),
		cmocka_unit_test(test_descriptor_past_image_end),
		cmocka_unit_test(test_section_checks),
		cmocka_unit_test(test_truncated_images),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_random_corruption),
		cmocka_unit_test(test_status_strings),
		cmocka_unit_test(test_debian_ovmf_code_4m),
		cmocka_unit_test(test_debian_ovmf_code_2m),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
