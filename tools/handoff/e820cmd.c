/* e820cmd.c: `handoff e820 FILE`: the e820 table a native Linux boot derives from a handoff blob, in /sys/firmware/memmap form. */
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>

#include "e820.h"
#include "tagboot_handoff.h"

/* The type strings Linux shows in /sys/firmware/memmap/N/type (arch/x86/kernel/e820.c,
 * e820_type_to_string), so the output compares line by line with a booted kernel's. */
static const char *e820cmd_memmap_name(uint32_t type)
{
	switch (type) {
	case E820_TYPE_RAM:
		return "System RAM";
	case E820_TYPE_ACPI:
		return "ACPI Tables";
	case E820_TYPE_NVS:
		return "ACPI Non-volatile Storage";
	case E820_TYPE_UNUSABLE:
		return "Unusable memory";
	case E820_TYPE_PMEM:
		return "Persistent Memory (legacy)";
	default:
		return "Reserved";
	}
}

int e820_main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: handoff e820 FILE\n"
		                "  prints START END TYPE (END inclusive, /sys/firmware/memmap names),\n"
		                "  one line per e820 entry a native Linux boot gets from the blob\n");
		return TOOL_EXIT_USAGE;
	}
	size_t size = 0;
	void *blob = blobfile_read(argv[1], &size);
	if (blob == NULL)
		return TOOL_EXIT_USAGE;
	size_t where = 0;
	enum tb_status st = tb_validate(blob, size, &where);
	const struct tb_rec_memmap *map = st == TB_OK ? tb_memmap(blob) : NULL;
	if (map == NULL) {
		fprintf(stderr, "handoff: %s: not a valid handoff (%s at byte %zu)\n", argv[1],
		        tb_status_str(st), where);
		free(blob);
		return TOOL_EXIT_INVALID;
	}
	struct tb_mem_entry *entries = calloc(map->entry_count + 1u, sizeof(*entries));
	struct e820_entry *e820 = calloc(map->entry_count + 1u, sizeof(*e820));
	if (entries == NULL || e820 == NULL) {
		fprintf(stderr, "handoff: out of memory\n");
		free(entries);
		free(e820);
		free(blob);
		return TOOL_EXIT_USAGE;
	}
	for (uint32_t i = 0; i < map->entry_count; i++)
		entries[i] = *tb_memmap_entry(map, i);
	size_t n = e820_from_map(entries, map->entry_count, e820, map->entry_count);
	for (size_t i = 0; i < n; i++)
		printf("0x%llx 0x%llx %s\n", (unsigned long long)e820[i].addr,
		       (unsigned long long)(e820[i].addr + e820[i].size - 1),
		       e820cmd_memmap_name(e820[i].type));
	free(entries);
	free(e820);
	free(blob);
	return TOOL_EXIT_OK;
}
