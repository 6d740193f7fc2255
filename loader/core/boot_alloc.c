/* boot_alloc.c: the loader's page allocations, remembered so they can be tagged or freed. */
#include "boot_alloc.h"

bool boot_alloc_adopt(struct boot_alloc_list *list, uint64_t addr, uint64_t pages,
                      uint32_t kind)
{
	if (list->count >= BOOT_ALLOC_MAX)
		return false;
	list->items[list->count].base = addr;
	list->items[list->count].length = pages * FW_PAGE_SIZE;
	list->items[list->count].kind = kind;
	list->pages[list->count] = pages;
	list->count++;
	return true;
}

enum fw_status boot_alloc_pages(struct fw *fw, struct boot_alloc_list *list,
                                enum fw_alloc_kind how, uint64_t pages, uint32_t kind,
                                uint64_t *addr)
{
	if (list->count >= BOOT_ALLOC_MAX)
		return FW_OUT_OF_RESOURCES;
	enum fw_status st = fw->allocate_pages(fw, how, FW_MEM_LOADER_DATA, pages, addr);
	if (st != FW_OK)
		return st;
	boot_alloc_adopt(list, *addr, pages, kind);
	return FW_OK;
}

void boot_alloc_free(struct fw *fw, struct boot_alloc_list *list, uint64_t addr)
{
	for (size_t i = 0; i < list->count; i++) {
		if (list->items[i].base != addr)
			continue;
		fw->free_pages(fw, addr, list->pages[i]);
		for (size_t j = i + 1; j < list->count; j++) {
			list->items[j - 1] = list->items[j];
			list->pages[j - 1] = list->pages[j];
		}
		list->count--;
		return;
	}
}

void boot_alloc_free_all(struct fw *fw, struct boot_alloc_list *list)
{
	while (list->count) {
		list->count--;
		fw->free_pages(fw, list->items[list->count].base, list->pages[list->count]);
	}
}

size_t boot_alloc_tagged(const struct boot_alloc_list *list, struct tagging_alloc *out,
                         size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < list->count && n < cap; i++)
		if (list->items[i].kind != BOOT_ALLOC_SCRATCH)
			out[n++] = list->items[i];
	return n;
}
