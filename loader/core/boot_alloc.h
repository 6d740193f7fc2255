/* boot_alloc.h: the loader's page allocations, remembered so they can be tagged or freed. */
#ifndef TAGBOOT_BOOT_ALLOC_H
#define TAGBOOT_BOOT_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "fw.h"
#include "tagging.h"

#define BOOT_ALLOC_MAX 48u

/* kind is an enum tagging_alloc_kind, or BOOT_ALLOC_SCRATCH for memory the kernel does not
 * need (the raw kernel file, the map buffer, conversion scratch): left to the EFI map's type. */
#define BOOT_ALLOC_SCRATCH 0u

struct boot_alloc_list {
	size_t count;
	struct tagging_alloc items[BOOT_ALLOC_MAX];
	uint64_t pages[BOOT_ALLOC_MAX];
};

/* AllocatePages(kind_of_address, LoaderData) and remember the allocation. For
 * FW_ALLOC_ADDRESS *addr is the wanted base. Returns the firmware status (FW_OUT_OF_RESOURCES
 * if the list is full). */
enum fw_status boot_alloc_pages(struct fw *fw, struct boot_alloc_list *list,
                                enum fw_alloc_kind how, uint64_t pages, uint32_t kind,
                                uint64_t *addr);
/* Record an allocation made elsewhere (read_file) so that it is tagged and freed with the
 * rest. Returns false if the list is full (the caller frees it). */
bool boot_alloc_adopt(struct boot_alloc_list *list, uint64_t addr, uint64_t pages,
                      uint32_t kind);
/* Free one remembered allocation (by base) and forget it. */
void boot_alloc_free(struct fw *fw, struct boot_alloc_list *list, uint64_t addr);
/* Free everything (error path, before ExitBootServices). */
void boot_alloc_free_all(struct fw *fw, struct boot_alloc_list *list);
/* The allocations the kernel must know about (kind != SCRATCH) into out[0..cap);
 * returns how many. */
size_t boot_alloc_tagged(const struct boot_alloc_list *list, struct tagging_alloc *out,
                         size_t cap);

#endif /* TAGBOOT_BOOT_ALLOC_H */
