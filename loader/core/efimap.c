/* efimap.c: UEFI memory descriptors -> tagboot map entries (type mapping, conversion, runtime list). */
#include "efimap.h"

#include "util.h"

uint32_t efimap_type_to_tb(uint32_t efi_type)
{
	switch (efi_type) {
	/* Boot services and loader memory is free once ExitBootServices has run; the loader's own
	 * live allocations are tagged on top of it afterwards (tagging.c). */
	case EFIMAP_CONVENTIONAL_MEMORY:
	case EFIMAP_BOOT_SERVICES_CODE:
	case EFIMAP_BOOT_SERVICES_DATA:
	case EFIMAP_LOADER_CODE:
	case EFIMAP_LOADER_DATA:
		return TB_MEM_USABLE;
	case EFIMAP_RUNTIME_SERVICES_CODE:
	case EFIMAP_RUNTIME_SERVICES_DATA:
		return TB_MEM_FIRMWARE_RUNTIME;
	case EFIMAP_ACPI_RECLAIM_MEMORY:
		return TB_MEM_ACPI_RECLAIMABLE;
	case EFIMAP_ACPI_MEMORY_NVS:
		return TB_MEM_ACPI_NVS;
	case EFIMAP_MEMORY_MAPPED_IO:
	case EFIMAP_MEMORY_MAPPED_IO_PORT_SPACE:
		return TB_MEM_MMIO;
	case EFIMAP_UNUSABLE_MEMORY:
		return TB_MEM_BAD;
	case EFIMAP_PERSISTENT_MEMORY:
		return TB_MEM_PERSISTENT;
	case EFIMAP_UNACCEPTED_MEMORY:
		/* Never usable before acceptance (background.md section 4): pass it through. */
		return TB_MEM_UNACCEPTED;
	case EFIMAP_RESERVED_MEMORY:
	case EFIMAP_PAL_CODE:
	default:
		/* 0x70000000.. (OEM) and 0x80000000.. (OS) ranges and future types: do not touch. */
		return TB_MEM_RESERVED;
	}
}

uint32_t efimap_desc_to_tb(uint32_t efi_type, uint64_t attribute)
{
	uint32_t type = efimap_type_to_tb(efi_type);
	if (type == TB_MEM_USABLE &&
	    ((attribute & EFIMAP_ATTR_WB) == 0 || (attribute & EFIMAP_ATTR_SP) != 0))
		return TB_MEM_RESERVED;
	return type;
}

const char *efimap_type_name(uint32_t efi_type)
{
	static const char *const names[EFIMAP_TYPE_COUNT] = {
		"ReservedMemoryType", "LoaderCode", "LoaderData", "BootServicesCode",
		"BootServicesData", "RuntimeServicesCode", "RuntimeServicesData",
		"ConventionalMemory", "UnusableMemory", "ACPIReclaimMemory", "ACPIMemoryNVS",
		"MemoryMappedIO", "MemoryMappedIOPortSpace", "PalCode", "PersistentMemory",
		"UnacceptedMemoryType",
	};
	return efi_type < EFIMAP_TYPE_COUNT ? names[efi_type] : "Unknown";
}

bool efimap_get(const void *map, size_t map_size, size_t desc_size, size_t index,
                struct efimap_desc *out)
{
	if (map == NULL || out == NULL || desc_size < EFIMAP_DESC_MIN_SIZE)
		return false;
	size_t n = map_size / desc_size;
	if (index >= n)
		return false;
	const uint8_t *d = (const uint8_t *)map + index * desc_size;
	out->type = util_le32(d);
	out->phys_start = util_le64(d + 8);
	out->virt_start = util_le64(d + 16);
	out->pages = util_le64(d + 24);
	out->attribute = util_le64(d + 32);
	return true;
}

/* Bytes of a descriptor, clipped so that base + length never passes 2^64 (a firmware bug or a
 * corrupted map must not wrap around to low memory). */
static uint64_t desc_length(uint64_t base, uint64_t pages)
{
	/* Bytes from base to 2^64; for base 0 that is 2^64 itself, so use the largest u64. */
	uint64_t limit = base == 0 ? UINT64_MAX : (uint64_t)0 - base;
	if (pages > limit / EFIMAP_PAGE_SIZE)
		return limit;
	return pages * EFIMAP_PAGE_SIZE;
}

enum tb_status efimap_convert(const void *map, size_t map_size, size_t desc_size,
                              struct tb_mem_entry *out, size_t cap, size_t *count)
{
	if (map == NULL || count == NULL || (out == NULL && cap > 0))
		return TB_ERR_NULL;
	if (desc_size < EFIMAP_DESC_MIN_SIZE)
		return TB_ERR_INVALID_ARG;
	size_t n = map_size / desc_size;
	*count = n;
	if (n > cap)
		return TB_ERR_NO_SPACE;
	for (size_t i = 0; i < n; i++) {
		struct efimap_desc d;
		efimap_get(map, map_size, desc_size, i, &d);
		struct tb_mem_entry *e = &out[i];
		e->base = d.phys_start;
		e->length = desc_length(d.phys_start, d.pages);
		e->type = efimap_desc_to_tb(d.type, d.attribute);
		e->after_type = e->type;
		e->owner = TB_OWNER_NONE;
		e->reason = TB_REASON_NONE;
		e->reclaim = TB_RECLAIM_NEVER;
		e->source = TB_SOURCE_EFI_MAP;
		e->reserved = 0;
	}
	return TB_OK;
}

enum tb_status efimap_runtime_descs(const void *map, size_t map_size, size_t desc_size,
                                    void *out, size_t out_size, size_t *count)
{
	if (map == NULL || count == NULL || (out == NULL && out_size > 0))
		return TB_ERR_NULL;
	if (desc_size < EFIMAP_DESC_MIN_SIZE)
		return TB_ERR_INVALID_ARG;
	size_t n = map_size / desc_size, found = 0;
	for (size_t i = 0; i < n; i++) {
		struct efimap_desc d;
		efimap_get(map, map_size, desc_size, i, &d);
		if ((d.attribute & EFIMAP_ATTR_RUNTIME) != 0)
			found++;
	}
	*count = found;
	if (found > out_size / desc_size)
		return TB_ERR_NO_SPACE;
	uint8_t *dst = out;
	for (size_t i = 0; i < n; i++) {
		struct efimap_desc d;
		efimap_get(map, map_size, desc_size, i, &d);
		if ((d.attribute & EFIMAP_ATTR_RUNTIME) == 0)
			continue;
		const uint8_t *src = (const uint8_t *)map + i * desc_size;
		for (size_t b = 0; b < desc_size; b++)
			dst[b] = src[b];
		dst += desc_size;
	}
	return TB_OK;
}

/* Round up to 8 so the normaliser's scratch after the raw entries stays aligned. */
static size_t align8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

size_t efimap_build_scratch_size(size_t map_size, size_t desc_size)
{
	if (desc_size < EFIMAP_DESC_MIN_SIZE)
		return 0;
	size_t n = map_size / desc_size;
	return align8(n * sizeof(struct tb_mem_entry)) + tb_normalize_scratch_size(n) + 8u;
}

enum tb_status efimap_build(const void *map, size_t map_size, size_t desc_size,
                            struct tb_mem_entry *out, size_t out_cap, size_t *out_count,
                            void *scratch, size_t scratch_size)
{
	if (map == NULL || out == NULL || out_count == NULL || scratch == NULL)
		return TB_ERR_NULL;
	if (desc_size < EFIMAP_DESC_MIN_SIZE)
		return TB_ERR_INVALID_ARG;
	if (scratch_size < efimap_build_scratch_size(map_size, desc_size))
		return TB_ERR_NO_SPACE;
	/* The caller's scratch may be any byte buffer: start the entries at an 8-byte boundary. */
	uintptr_t start = ((uintptr_t)scratch + 7u) & ~(uintptr_t)7u;
	struct tb_mem_entry *raw = (struct tb_mem_entry *)start;
	size_t n = map_size / desc_size, raw_count = 0;
	enum tb_status st = efimap_convert(map, map_size, desc_size, raw, n, &raw_count);
	if (st != TB_OK)
		return st;
	uint8_t *norm_scratch = (uint8_t *)start + align8(n * sizeof(struct tb_mem_entry));
	size_t used = (size_t)(norm_scratch - (uint8_t *)scratch);
	return tb_normalize(raw, raw_count, out, out_cap, out_count, norm_scratch,
	                    scratch_size - used);
}

bool efimap_is_ram_type(uint32_t efi_type)
{
	return efi_type == EFIMAP_CONVENTIONAL_MEMORY || efi_type == EFIMAP_LOADER_CODE ||
	       efi_type == EFIMAP_LOADER_DATA || efi_type == EFIMAP_BOOT_SERVICES_CODE ||
	       efi_type == EFIMAP_BOOT_SERVICES_DATA;
}

/* Append one descriptor: a copy of src (desc_size bytes) with type and range replaced. */
static bool efimap_emit(uint8_t *out, size_t out_cap, size_t desc_size, size_t *used,
                        const uint8_t *src, uint32_t type, uint64_t base, uint64_t end,
                        bool first_piece)
{
	if (end <= base)
		return true;
	if (out_cap - *used < desc_size)
		return false;
	uint8_t *d = out + *used;
	util_memcpy(d, src, desc_size);
	uint64_t pages = (end - base) / EFIMAP_PAGE_SIZE;
	util_memcpy(d, &type, 4);
	util_memcpy(d + 8, &base, 8);
	if (!first_piece)
		util_memset(d + 16, 0, 8);
	util_memcpy(d + 24, &pages, 8);
	*used += desc_size;
	return true;
}

enum tb_status efimap_retype(const void *map, size_t map_size, size_t desc_size,
                             const struct efimap_override *ov, size_t ov_count, void *out,
                             size_t out_cap, size_t *out_size)
{
	if (map == NULL || out == NULL || out_size == NULL || (ov_count && ov == NULL))
		return TB_ERR_NULL;
	if (desc_size < EFIMAP_DESC_MIN_SIZE)
		return TB_ERR_INVALID_ARG;
	size_t used = 0;
	struct efimap_desc d;
	for (size_t i = 0; efimap_get(map, map_size, desc_size, i, &d); i++) {
		const uint8_t *src = (const uint8_t *)map + i * desc_size;
		uint64_t start = d.phys_start;
		uint64_t end = start + desc_length(start, d.pages);
		end &= ~(EFIMAP_PAGE_SIZE - 1);
		if (!efimap_is_ram_type(d.type) || ov_count == 0) {
			if (out_cap - used < desc_size)
				return TB_ERR_NO_SPACE;
			util_memcpy((uint8_t *)out + used, src, desc_size);
			used += desc_size;
			continue;
		}
		/* Overrides are sorted and disjoint, so their ends are sorted too: binary search for
		 * the first that ends after this descriptor starts (the map itself may be unsorted). */
		size_t lo = 0, hi = ov_count;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ov[mid].base + ov[mid].length <= start)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t first_ov = lo;
		uint64_t cursor = start;
		bool first = true;
		for (size_t k = first_ov; k < ov_count && cursor < end; k++) {
			uint64_t ob = ov[k].base & ~(EFIMAP_PAGE_SIZE - 1);
			uint64_t oe = ov[k].base + ov[k].length;
			oe = oe > UINT64_MAX - (EFIMAP_PAGE_SIZE - 1) ? UINT64_MAX & ~(EFIMAP_PAGE_SIZE - 1)
			                                             : (oe + EFIMAP_PAGE_SIZE - 1) &
			                                                       ~(EFIMAP_PAGE_SIZE - 1);
			if (ob >= end)
				break;
			if (oe <= cursor)
				continue;
			uint64_t cut = ob > cursor ? ob : cursor;
			uint64_t stop = oe < end ? oe : end;
			if (!efimap_emit(out, out_cap, desc_size, &used, src, d.type, cursor, cut, first))
				return TB_ERR_NO_SPACE;
			first = first && cut == cursor;
			if (!efimap_emit(out, out_cap, desc_size, &used, src, ov[k].efi_type, cut, stop,
			                 first))
				return TB_ERR_NO_SPACE;
			first = false;
			cursor = stop;
		}
		if (!efimap_emit(out, out_cap, desc_size, &used, src, d.type, cursor, end, first))
			return TB_ERR_NO_SPACE;
	}
	*out_size = used;
	return TB_OK;
}
