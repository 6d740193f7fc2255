/* tdvf.c: find and check the TDX metadata of an OVMF/TDVF image through its GUIDed footer table. */
#include "tdvf.h"

#include "util.h"

/*
 * Layout, from the end of the image (which is mapped to end at 4 GiB):
 *
 *   image end - 32  32 bytes after the table (reset vector and friends)
 *   image end - 48  footer GUID 96b582de-1fb2-45f7-baea-a366c55a082d   (phys 0xFFFFFFD0)
 *   image end - 50  u16 table length, counting the entries, itself and the footer GUID
 *   below that      entries, walked backwards: [data][u16 length][GUID], length = data + 18
 *
 * Sources: edk2 OvmfPkg/ResetVector/Ia16/ResetVectorVtf0.asm (the table and the TDX metadata
 * offset block "DD fourGigabytes - TdxMetadataGuid - 16"), QEMU hw/i386/pc_sysfw_ovmf.c
 * (footer GUID 48 bytes before the end, "32 bytes after the table + 16 bytes the GUID") and
 * hw/i386/tdvf.c (descriptor checks).
 */
#define TDVF_GUID_SIZE 16u
#define TDVF_BYTES_AFTER_FOOTER 32u
#define TDVF_ENTRY_TRAILER (2u + TDVF_GUID_SIZE) /* u16 length + GUID */
#define TDVF_DESCRIPTOR_HEADER 16u               /* signature, length, version, count */
#define TDVF_SECTION_SIZE 32u
#define TDVF_PAGE 4096u
/* "TDVF" read as a little-endian u32 (QEMU hw/i386/tdvf.c TDVF_SIGNATURE). */
#define TDVF_SIGNATURE 0x46564454u
#define TDVF_VERSION 1u
/* QEMU hw/i386/tdvf.c rejects descriptors with fewer than two sections (BFV and more). */
#define TDVF_MIN_SECTIONS 2u

/* TDVF memory layout (background.md section 2; edk2 OvmfPkg/IntelTdx/IntelTdxX64.fdf, MEMFD
 * base 0x800000: PcdOvmfSecPageTablesBase at +0x0 (0x6000 bytes), PcdOvmfWorkAreaBase at
 * +0xB000). */
#define TDVF_PAGE_TABLES_ADDR 0x800000ull
#define TDVF_WORK_AREA_ADDR 0x80B000ull

/* EFI GUIDs are stored as u32, u16, u16 little-endian, then 8 bytes as written. */
static const uint8_t tdvf_footer_guid[TDVF_GUID_SIZE] = { /* 96b582de-1fb2-45f7-baea-a366c55a082d */
	0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
	0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d,
};
static const uint8_t tdvf_offset_guid[TDVF_GUID_SIZE] = { /* e47a6535-984a-4798-865e-4685a7bf8ec2 */
	0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
	0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2,
};
static const uint8_t tdvf_descriptor_guid[TDVF_GUID_SIZE] = { /* e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae */
	0xf3, 0xf9, 0xea, 0xe9, 0x8e, 0x16, 0xd5, 0x44,
	0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae,
};

static bool tdvf_guid_eq(const uint8_t *p, const uint8_t *guid)
{
	for (size_t i = 0; i < TDVF_GUID_SIZE; i++)
		if (p[i] != guid[i])
			return false;
	return true;
}

/* Walk the footer table backwards for the TDX metadata offset entry. On TDVF_OK *data_off is
 * the image offset of the entry's data and *data_len its length. Each step consumes at least
 * 18 bytes of a table of at most 65535, so the loop ends after at most 3641 steps. */
static enum tdvf_status tdvf_find_offset_entry(const uint8_t *img, size_t size, size_t *data_off,
                                               size_t *data_len)
{
	if (size < TDVF_BYTES_AFTER_FOOTER + TDVF_GUID_SIZE)
		return TDVF_NO_FOOTER;
	size_t guid_at = size - TDVF_BYTES_AFTER_FOOTER - TDVF_GUID_SIZE;
	if (!tdvf_guid_eq(img + guid_at, tdvf_footer_guid))
		return TDVF_NO_FOOTER;
	if (guid_at < 2)
		return TDVF_BAD_TABLE_LENGTH;
	size_t len_at = guid_at - 2;
	size_t table_len = util_le16(img + len_at);
	/* The length counts the footer's own u16 and GUID; the entries fill the rest and must
	 * lie inside the image. */
	if (table_len < TDVF_ENTRY_TRAILER || table_len - TDVF_ENTRY_TRAILER > len_at)
		return TDVF_BAD_TABLE_LENGTH;

	size_t end = len_at; /* one past the last byte of the entry being looked at */
	size_t remaining = table_len - TDVF_ENTRY_TRAILER;
	while (remaining > 0) {
		if (remaining < TDVF_ENTRY_TRAILER)
			return TDVF_BAD_ENTRY_LENGTH;
		const uint8_t *guid = img + end - TDVF_GUID_SIZE;
		size_t entry_len = util_le16(img + end - TDVF_ENTRY_TRAILER);
		if (entry_len < TDVF_ENTRY_TRAILER || entry_len > remaining)
			return TDVF_BAD_ENTRY_LENGTH;
		if (tdvf_guid_eq(guid, tdvf_offset_guid)) {
			*data_off = end - entry_len;
			*data_len = entry_len - TDVF_ENTRY_TRAILER;
			return TDVF_OK;
		}
		end -= entry_len;
		remaining -= entry_len;
	}
	return TDVF_NO_TDX_METADATA;
}

static enum tdvf_status tdvf_read_section(const uint8_t *p, struct tdvf_section *s)
{
	s->data_offset = util_le32(p);
	s->raw_size = util_le32(p + 4);
	s->address = util_le64(p + 8);
	s->size = util_le64(p + 16);
	s->type = util_le32(p + 24);
	s->attributes = util_le32(p + 28);

	/* QEMU hw/i386/tdvf.c: address and size page aligned, raw data no larger than memory. */
	if ((s->address % TDVF_PAGE) != 0 || (s->size % TDVF_PAGE) != 0)
		return TDVF_BAD_SECTION_ALIGN;
	if (s->size != 0 && s->address > UINT64_MAX - (s->size - 1))
		return TDVF_BAD_SECTION_WRAP;
	if (s->raw_size > s->size)
		return TDVF_BAD_SECTION_RAW_SIZE;
	/* data_offset is not checked against the image: it counts from the start of the whole
	 * flash (variables + code). Debian's OVMF_CODE.fd (0x1E0000 bytes) lists its BFV at
	 * data offset 0x20000, raw size 0x1E0000, i.e. inside OVMF.fd = OVMF_VARS.fd + OVMF_CODE.fd. */
	return TDVF_OK;
}

static enum tdvf_status tdvf_read_descriptor(const uint8_t *img, size_t size, size_t desc,
                                             struct tdvf_metadata *out)
{
	const uint8_t *d = img + desc;
	size_t room = size - desc; /* bytes from the descriptor to the image end (>= 16) */

	if (util_le32(d) != TDVF_SIGNATURE)
		return TDVF_BAD_SIGNATURE;
	uint32_t length = util_le32(d + 4);
	uint32_t version = util_le32(d + 8);
	uint32_t count = util_le32(d + 12);
	if (version != TDVF_VERSION)
		return TDVF_BAD_VERSION;
	if (count < TDVF_MIN_SECTIONS || count > TDVF_MAX_SECTIONS)
		return TDVF_BAD_SECTION_COUNT;
	/* count <= 32 here, so the expected length is small and exact. */
	uint32_t expected = TDVF_DESCRIPTOR_HEADER + count * TDVF_SECTION_SIZE;
	if (length != expected || (size_t)length > room)
		return TDVF_BAD_DESCRIPTOR_LENGTH;

	for (uint32_t i = 0; i < count; i++) {
		enum tdvf_status st = tdvf_read_section(
			d + TDVF_DESCRIPTOR_HEADER + (size_t)i * TDVF_SECTION_SIZE, &out->sections[i]);
		if (st != TDVF_OK)
			return st;
	}
	out->version = version;
	out->section_count = count;
	out->descriptor_offset = desc;
	return TDVF_OK;
}

enum tdvf_status tdvf_read(const void *image, size_t size, struct tdvf_metadata *out)
{
	if (out == NULL)
		return TDVF_ERR_NULL;
	out->version = 0;
	out->section_count = 0;
	out->descriptor_offset = 0;
	if (image == NULL)
		return TDVF_ERR_NULL;

	const uint8_t *img = image;
	size_t data_off = 0;
	size_t data_len = 0;
	enum tdvf_status st = tdvf_find_offset_entry(img, size, &data_off, &data_len);
	if (st != TDVF_OK)
		return st;
	if (data_len < 4)
		return TDVF_BAD_OFFSET_ENTRY;

	/* The entry holds the distance from the image end to the descriptor, which the
	 * descriptor GUID immediately precedes. */
	uint32_t from_end = util_le32(img + data_off);
	if (from_end < TDVF_DESCRIPTOR_HEADER || from_end > size ||
	    size - from_end < TDVF_GUID_SIZE)
		return TDVF_BAD_METADATA_OFFSET;
	size_t desc = size - from_end;
	if (!tdvf_guid_eq(img + desc - TDVF_GUID_SIZE, tdvf_descriptor_guid))
		return TDVF_BAD_DESCRIPTOR_GUID;

	st = tdvf_read_descriptor(img, size, desc, out);
	if (st != TDVF_OK) {
		out->version = 0;
		out->section_count = 0;
		out->descriptor_offset = 0;
	}
	return st;
}

const char *tdvf_status_str(enum tdvf_status status)
{
	switch (status) {
	case TDVF_OK:
		return "ok";
	case TDVF_ERR_NULL:
		return "null pointer";
	case TDVF_NO_FOOTER:
		return "no OVMF GUIDed footer table";
	case TDVF_NO_TDX_METADATA:
		return "no TDX metadata";
	case TDVF_BAD_TABLE_LENGTH:
		return "footer table length: shorter than its footer or past the image start";
	case TDVF_BAD_ENTRY_LENGTH:
		return "footer table entry length: shorter than 18 bytes or past the table";
	case TDVF_BAD_OFFSET_ENTRY:
		return "TDX metadata offset entry: data shorter than 4 bytes";
	case TDVF_BAD_METADATA_OFFSET:
		return "TDX metadata offset: points outside the image";
	case TDVF_BAD_DESCRIPTOR_GUID:
		return "TDVF descriptor: not preceded by the TDX metadata GUID";
	case TDVF_BAD_SIGNATURE:
		return "TDVF descriptor signature: not \"TDVF\"";
	case TDVF_BAD_VERSION:
		return "TDVF descriptor version: not 1";
	case TDVF_BAD_SECTION_COUNT:
		return "TDVF descriptor section count: fewer than 2 or more than 32";
	case TDVF_BAD_DESCRIPTOR_LENGTH:
		return "TDVF descriptor length: not 16 + 32 * section count, or past the image end";
	case TDVF_BAD_SECTION_ALIGN:
		return "TDVF section memory address or size: not 4 KiB aligned";
	case TDVF_BAD_SECTION_WRAP:
		return "TDVF section memory address + size: beyond 2^64";
	case TDVF_BAD_SECTION_RAW_SIZE:
		return "TDVF section raw size: larger than its memory size";
	case TDVF_NO_SPACE:
		return "output array too small";
	case TDVF_STATUS_COUNT:
		break;
	}
	return "unknown TDVF status";
}

const char *tdvf_section_type_name(uint32_t type)
{
	switch (type) {
	case TDVF_SECTION_BFV:
		return "BFV";
	case TDVF_SECTION_CFV:
		return "CFV";
	case TDVF_SECTION_TD_HOB:
		return "TD_HOB";
	case TDVF_SECTION_TEMP_MEM:
		return "TempMem";
	case TDVF_SECTION_PERM_MEM:
		return "PermMem";
	case TDVF_SECTION_PAYLOAD:
		return "Payload";
	case TDVF_SECTION_PAYLOAD_PARAM:
		return "PayloadParam";
	default:
		return "unknown";
	}
}

static bool tdvf_section_covers(const struct tdvf_section *s, uint64_t addr)
{
	return s->size != 0 && addr >= s->address && addr - s->address < s->size;
}

/* Why a section must outlive the loader, or TB_REASON_NONE if it need not. */
static uint8_t tdvf_section_reason(const struct tdvf_section *s)
{
	if (s->type == TDVF_SECTION_TD_HOB && s->size != 0)
		return TB_REASON_TD_HOB;
	if (s->type != TDVF_SECTION_TEMP_MEM)
		return TB_REASON_NONE;
	/* The parked APs' CR3 (background.md section 2; Asterinas issue #1628). */
	if (tdvf_section_covers(s, TDVF_PAGE_TABLES_ADDR))
		return TB_REASON_PAGE_TABLES;
	/* The GDT the MADT v1 reset path loads (edk2 commit 406f42cb reserves it). */
	if (tdvf_section_covers(s, TDVF_WORK_AREA_ADDR))
		return TB_REASON_WORK_AREA;
	return TB_REASON_NONE;
}

enum tdvf_status tdvf_regions(const struct tdvf_metadata *md, struct tb_mem_entry *out,
                              size_t cap, size_t *count)
{
	if (md == NULL || count == NULL || (out == NULL && cap != 0))
		return TDVF_ERR_NULL;
	*count = 0;
	uint32_t n = md->section_count;
	if (n > TDVF_MAX_SECTIONS)
		n = TDVF_MAX_SECTIONS;
	for (uint32_t i = 0; i < n; i++) {
		const struct tdvf_section *s = &md->sections[i];
		uint8_t reason = tdvf_section_reason(s);
		if (reason == TB_REASON_NONE)
			continue;
		if (*count >= cap)
			return TDVF_NO_SPACE;
		struct tb_mem_entry *e = &out[*count];
		e->base = s->address;
		e->length = s->size;
		e->type = TB_MEM_AP_HELD;
		e->after_type = TB_MEM_USABLE;
		e->owner = TB_OWNER_FIRMWARE;
		e->reason = reason;
		e->reclaim = TB_RECLAIM_AFTER_AP_WAKEUP;
		e->source = TB_SOURCE_TDVF_METADATA;
		e->reserved = 0;
		(*count)++;
	}
	return TDVF_OK;
}
