/* e820.c: the tagged handoff map as a Linux e820 table, and the EFI-map overrides that keep both telling the same story. */
#include "e820.h"

uint32_t e820_type_of(const struct tb_mem_entry *e)
{
	switch (e->type) {
	case TB_MEM_USABLE:
	case TB_MEM_LOADER_RECLAIMABLE:
	case TB_MEM_KERNEL:
	case TB_MEM_MODULE:
		return E820_TYPE_RAM;
	case TB_MEM_ACPI_RECLAIMABLE:
		return E820_TYPE_ACPI;
	/* ACPI NVS, as TDVF itself reports its AP page tables since edk2-stable202411 and as the
	 * ACPI specification asks of the wakeup mailbox: a kernel treats tagboot-parked APs
	 * exactly as firmware-parked ones. Linux never allocates NVS memory. */
	case TB_MEM_ACPI_NVS:
	case TB_MEM_AP_HELD:
		return E820_TYPE_NVS;
	case TB_MEM_BAD:
		return E820_TYPE_UNUSABLE;
	case TB_MEM_PERSISTENT:
		return E820_TYPE_PMEM;
	/* Unaccepted memory: Linux takes it only through the EFI unaccepted-memory table, which
	 * tagboot does not build (and Linux 6.1 not at all): never RAM. */
	case TB_MEM_UNACCEPTED:
	case TB_MEM_RESERVED:
	case TB_MEM_MMIO:
	case TB_MEM_FIRMWARE_RUNTIME:
	case TB_MEM_FRAMEBUFFER:
	default:
		return E820_TYPE_RESERVED;
	}
}

const char *e820_type_name(uint32_t type)
{
	switch (type) {
	case E820_TYPE_RAM:
		return "usable";
	case E820_TYPE_RESERVED:
		return "reserved";
	case E820_TYPE_ACPI:
		return "ACPI data";
	case E820_TYPE_NVS:
		return "ACPI NVS";
	case E820_TYPE_UNUSABLE:
		return "unusable";
	case E820_TYPE_PMEM:
		return "persistent (type 7)";
	default:
		return "unknown";
	}
}

size_t e820_from_map(const struct tb_mem_entry *map, size_t n, struct e820_entry *out,
                     size_t cap)
{
	size_t count = 0;
	uint32_t last_type = 0;
	uint64_t last_end = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t type = e820_type_of(&map[i]);
		if (map[i].length == 0)
			continue;
		/* Merge with the previous entry (tracked here, so the count is right past cap). */
		if (count > 0 && last_type == type && last_end == map[i].base) {
			if (count <= cap)
				out[count - 1].size += map[i].length;
			last_end += map[i].length;
			continue;
		}
		if (count < cap) {
			out[count].addr = map[i].base;
			out[count].size = map[i].length;
			out[count].type = type;
		}
		count++;
		last_type = type;
		last_end = map[i].base + map[i].length;
	}
	return count;
}

static uint32_t e820_efi_type(uint32_t e820_type)
{
	switch (e820_type) {
	case E820_TYPE_ACPI:
		return EFIMAP_ACPI_RECLAIM_MEMORY;
	case E820_TYPE_NVS:
		return EFIMAP_ACPI_MEMORY_NVS;
	case E820_TYPE_UNUSABLE:
		return EFIMAP_UNUSABLE_MEMORY;
	case E820_TYPE_PMEM:
		return EFIMAP_PERSISTENT_MEMORY;
	default:
		return EFIMAP_RESERVED_MEMORY;
	}
}

size_t e820_withheld(const struct tb_mem_entry *map, size_t n, struct efimap_override *out,
                     size_t cap)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t type = e820_type_of(&map[i]);
		if (type == E820_TYPE_RAM || map[i].length == 0)
			continue;
		if (count < cap) {
			out[count].base = map[i].base;
			out[count].length = map[i].length;
			out[count].efi_type = e820_efi_type(type);
		}
		count++;
	}
	return count;
}
