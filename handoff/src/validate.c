/* validate.c: tb_validate, every structural rule of a handoff blob, checked before any read. */
#include "tagboot_handoff.h"

#include <stdint.h>

/* Bytes each known record type must reach: the end of the fixed fields of the version the
 * record says it is (a version this reader does not know has at least its newest fields). */
static uint32_t validate_min_record_size(uint16_t type, uint8_t version)
{
	switch (type) {
	case TB_REC_MEMMAP: return sizeof(struct tb_rec_memmap);
	case TB_REC_PLATFORM: return sizeof(struct tb_rec_platform);
	case TB_REC_ACPI: return sizeof(struct tb_rec_acpi);
	case TB_REC_MP: return version >= 2 ? sizeof(struct tb_rec_mp) : TB_MP_V1_SIZE;
	case TB_REC_FRAMEBUFFER: return sizeof(struct tb_rec_framebuffer);
	case TB_REC_CMDLINE: return sizeof(struct tb_rec_cmdline);
	case TB_REC_MODULE: return version >= 2 ? sizeof(struct tb_rec_module) : TB_MODULE_V1_SIZE;
	case TB_REC_EFI: return sizeof(struct tb_rec_efi);
	case TB_REC_TIMESTAMPS: return sizeof(struct tb_rec_timestamps);
	case TB_REC_LOADER: return sizeof(struct tb_rec_loader);
	case TB_REC_KERNEL: return sizeof(struct tb_rec_kernel);
	case TB_REC_DIRECT_MAP: return sizeof(struct tb_rec_direct_map);
	case TB_REC_EFI_MAP: return sizeof(struct tb_rec_efi_map);
	case TB_REC_SMBIOS: return sizeof(struct tb_rec_smbios);
	case TB_REC_BOOT_DEVICE: return sizeof(struct tb_rec_boot_device);
	case TB_REC_TSC: return sizeof(struct tb_rec_tsc);
	case TB_REC_TIME: return sizeof(struct tb_rec_time);
	case TB_REC_REQUEST: return sizeof(struct tb_rec_request);
	default: return sizeof(struct tb_record);
	}
}

static enum tb_status validate_fail(enum tb_status status, size_t offset, size_t *where)
{
	if (where != NULL)
		*where = offset;
	return status;
}

/* A NUL-terminated string of `length` bytes at `offset` must lie in the record's variable
 * part: after its fixed fields (`fixed`), before its end. All sums are done in 64 bits:
 * offset and length are u32, so they cannot overflow. */
static bool validate_text_inside(const uint8_t *rec, uint32_t size, uint32_t fixed,
                                 uint32_t offset, uint32_t length)
{
	if (offset < fixed || (uint64_t)offset + length + 1 > size)
		return false;
	/* length is the text's length: a NUL before it would make a reader that stops at the
	 * first NUL see another text than one that counts (1.1). */
	for (uint32_t i = 0; i < length; i++)
		if (rec[(uint64_t)offset + i] == '\0')
			return false;
	return rec[(uint64_t)offset + length] == '\0';
}

/* count items of item_size bytes at offset, in the variable part of the record. */
static bool validate_array_inside(uint32_t size, uint32_t fixed, uint32_t offset,
                                  uint32_t item_size, uint32_t count)
{
	return offset >= fixed && (uint64_t)offset + (uint64_t)item_size * count <= size;
}

static enum tb_status validate_memmap(const uint8_t *blob, size_t rec_off, size_t *where)
{
	const struct tb_rec_memmap *map = (const void *)(blob + rec_off);
	uint64_t prev_base = 0, prev_last = 0;

	if (map->entry_size < sizeof(struct tb_mem_entry) || map->entry_size % TB_ALIGN != 0)
		return validate_fail(TB_ERR_ENTRY_SIZE, rec_off + 8, where);
	if (TB_MEMMAP_ENTRIES_OFFSET + (uint64_t)map->entry_size * map->entry_count > map->hdr.size)
		return validate_fail(TB_ERR_ENTRIES_PAST_END, rec_off + 12, where);

	for (uint32_t i = 0; i < map->entry_count; i++) {
		size_t off = rec_off + TB_MEMMAP_ENTRIES_OFFSET + (size_t)i * map->entry_size;
		const struct tb_mem_entry *e = (const void *)(blob + off);

		if (e->length == 0)
			return validate_fail(TB_ERR_MAP_EMPTY_ENTRY, off, where);
		if (e->base % TB_PAGE_SIZE != 0 || e->length % TB_PAGE_SIZE != 0)
			return validate_fail(TB_ERR_MAP_ALIGN, off, where);
		/* base + length <= 2^64 without computing the sum: the last byte must fit. */
		if (e->length - 1 > UINT64_MAX - e->base)
			return validate_fail(TB_ERR_MAP_WRAP, off, where);
		if (i > 0 && e->base < prev_base)
			return validate_fail(TB_ERR_MAP_UNSORTED, off, where);
		if (i > 0 && e->base <= prev_last)
			return validate_fail(TB_ERR_MAP_OVERLAP, off, where);
		/* Usable now means nobody holds it: an owner, a reason, a reclaim rule or another
		 * type to become would be a lie (1.1: reason and after_type are checked too). */
		if (e->type == TB_MEM_USABLE &&
		    (e->reclaim != TB_RECLAIM_NEVER || e->owner != TB_OWNER_NONE ||
		     e->reason != TB_REASON_NONE || e->after_type != TB_MEM_USABLE))
			return validate_fail(TB_ERR_MAP_USABLE_TAG, off, where);
		prev_base = e->base;
		prev_last = e->base + (e->length - 1);
	}
	return TB_OK;
}

/* EFI descriptors (TB_REC_EFI runtime ones, TB_REC_EFI_MAP all of them). A descriptor is at
 * least 40 bytes (UEFI EFI_MEMORY_DESCRIPTOR); a smaller stride would make a reader of the
 * last one run past the record. Nothing is read when the count is 0. */
static bool validate_descs(uint32_t size, uint32_t fixed, uint32_t desc_size, uint32_t count,
                           uint32_t offset)
{
	if (count == 0)
		return true;
	return desc_size >= 40 && validate_array_inside(size, fixed, offset, desc_size, count);
}

/* Offsets and lengths inside the known variable-size records. Each offset must point past the
 * record's fixed fields (never into its header) and the data must end inside the record; an
 * array of count 0 is not read, so its offset is not checked. */
static enum tb_status validate_record_data(const uint8_t *blob, size_t off, size_t *where)
{
	const uint8_t *rec = blob + off;
	const struct tb_record *r = (const void *)rec;
	uint32_t fixed = validate_min_record_size(r->type, r->version);
	bool ok = true;

	switch (r->type) {
	case TB_REC_MEMMAP:
		return validate_memmap(blob, off, where);
	case TB_REC_CMDLINE: {
		const struct tb_rec_cmdline *c = (const void *)rec;

		ok = validate_text_inside(rec, r->size, fixed, c->offset, c->length);
		break;
	}
	case TB_REC_MODULE: {
		const struct tb_rec_module *m = (const void *)rec;

		ok = validate_text_inside(rec, r->size, fixed, m->name_offset, m->name_length) &&
		     (r->version < 2 ||
		      validate_text_inside(rec, r->size, fixed, m->string_offset, m->string_length));
		break;
	}
	case TB_REC_MP: {
		const struct tb_rec_mp *mp = (const void *)rec;

		/* The IDs are read as u32: they must be 4-byte aligned. */
		if (mp->ap_count > 0 && mp->ap_ids_offset % 4 != 0)
			return validate_fail(TB_ERR_RECORD_ALIGN, off, where);
		if (mp->ap_count > 0)
			ok = validate_array_inside(r->size, fixed, mp->ap_ids_offset, 4, mp->ap_count);
		if (ok && r->version >= 2 && mp->cpu_count > 0) {
			if (mp->cpus_offset % 4 != 0 || mp->cpu_entry_size % 4 != 0)
				return validate_fail(TB_ERR_RECORD_ALIGN, off, where);
			ok = mp->cpu_entry_size >= sizeof(struct tb_mp_cpu) &&
			     validate_array_inside(r->size, fixed, mp->cpus_offset, mp->cpu_entry_size,
			                           mp->cpu_count);
		}
		break;
	}
	case TB_REC_EFI: {
		const struct tb_rec_efi *efi = (const void *)rec;

		ok = validate_descs(r->size, fixed, efi->desc_size, efi->desc_count, efi->map_offset);
		break;
	}
	case TB_REC_EFI_MAP: {
		const struct tb_rec_efi_map *em = (const void *)rec;

		ok = validate_descs(r->size, fixed, em->desc_size, em->desc_count, em->map_offset);
		break;
	}
	case TB_REC_BOOT_DEVICE: {
		const struct tb_rec_boot_device *bd = (const void *)rec;

		ok = validate_text_inside(rec, r->size, fixed, bd->path_offset, bd->path_length);
		break;
	}
	default:
		break;
	}
	return ok ? TB_OK : validate_fail(TB_ERR_DATA_PAST_END, off, where);
}

/* Known records other than MODULE may appear at most once (one bit each in a u64). */
_Static_assert(TB_REC_TYPE_MAX < 64, "validate_records keeps one bit per unique record type");
static bool validate_unique_type(uint16_t type)
{
	return type >= TB_REC_MEMMAP && type <= TB_REC_TYPE_MAX && type != TB_REC_MODULE;
}

static enum tb_status validate_records(const uint8_t *blob, const struct tb_header *h,
                                       size_t *where)
{
	uint64_t seen = 0; /* bit t set: a record of unique type t was found */
	uint32_t count = 0;
	size_t off = h->header_size;

	while (off < h->total_size) {
		const struct tb_record *r = (const void *)(blob + off);
		enum tb_status st;

		if (h->total_size - off < sizeof(struct tb_record))
			return validate_fail(TB_ERR_RECORD_PAST_END, off, where);
		if (r->size < sizeof(struct tb_record))
			return validate_fail(TB_ERR_RECORD_SIZE, off, where);
		if (r->size % TB_ALIGN != 0)
			return validate_fail(TB_ERR_RECORD_ALIGN, off, where);
		if (r->size > h->total_size - off)
			return validate_fail(TB_ERR_RECORD_PAST_END, off, where);
		if (r->size < validate_min_record_size(r->type, r->version))
			return validate_fail(TB_ERR_RECORD_SIZE, off, where);
		if (validate_unique_type(r->type)) {
			if (seen & (1ull << r->type))
				return validate_fail(TB_ERR_DUPLICATE, off, where);
			seen |= 1ull << r->type;
		}
		st = validate_record_data(blob, off, where);
		if (st != TB_OK)
			return st;
		count++;
		off += r->size;
	}
	/* The walk stops exactly at total_size because every size and offset is % 8. */
	if (count != h->record_count)
		return validate_fail(TB_ERR_RECORD_COUNT, 20, where);
	if (!(seen & (1ull << TB_REC_MEMMAP)))
		return validate_fail(TB_ERR_NO_MEMMAP, 0, where);
	return TB_OK;
}

/*
 * Order: the header fields first (each failure names its field offset), then the CRC, then the
 * records. The CRC comes before the records so that a corrupted blob is reported as such
 * rather than as whichever record the corruption happened to hit.
 */
enum tb_status tb_validate(const void *buf, size_t buf_size, size_t *where)
{
	const uint8_t *blob = buf;
	const struct tb_header *h = buf;
	uint32_t crc;

	if (buf == NULL)
		return validate_fail(TB_ERR_NULL, 0, where);
	/* Records are read as structures: the blob must be 8-byte aligned (it is page aligned
	 * at kernel entry). */
	if ((uintptr_t)buf % TB_ALIGN != 0)
		return validate_fail(TB_ERR_INVALID_ARG, 0, where);
	if (buf_size < sizeof(struct tb_header))
		return validate_fail(TB_ERR_TRUNCATED, 0, where);
	if (h->magic != TB_MAGIC)
		return validate_fail(TB_ERR_MAGIC, 0, where);
	if (h->major != TB_VERSION_MAJOR)
		return validate_fail(TB_ERR_MAJOR, 8, where);
	if (h->header_size < sizeof(struct tb_header) || h->header_size % TB_ALIGN != 0 ||
	    h->header_size > h->total_size)
		return validate_fail(TB_ERR_HEADER_SIZE, 12, where);
	if (h->total_size % TB_ALIGN != 0)
		return validate_fail(TB_ERR_TOTAL_SIZE, 16, where);
	if (h->total_size > buf_size)
		return validate_fail(TB_ERR_TRUNCATED, 16, where);

	/* CRC over total_size bytes with the crc32 field (offset 28) read as zero. */
	crc = tb_crc32(0, blob, 28);
	crc = tb_crc32(crc, "\0\0\0\0", 4);
	crc = tb_crc32(crc, blob + 32, h->total_size - 32);
	if (crc != h->crc32)
		return validate_fail(TB_ERR_CRC, 28, where);

	return validate_records(blob, h, where);
}
