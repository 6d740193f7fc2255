/* initrd.c: the `initrd` files of a linux entry, read and concatenated as one image (each part padded to 4 bytes). */
#include "initrd.h"

#include "util.h"

static uint64_t initrd_padded(uint64_t size)
{
	return (size + 3u) & ~3ull;
}

enum fw_status initrd_load(struct fw *fw, const struct config_entry *e, uint64_t max_addr,
                           struct initrd_image *out, const char **failed)
{
	uint64_t addrs[CONFIG_INITRD_MAX], sizes[CONFIG_INITRD_MAX], total = 0;
	unsigned n = 0;
	enum fw_status st = FW_OK;
	util_memset(out, 0, sizeof(*out));
	*failed = NULL;
	for (; n < e->initrd_count && n < CONFIG_INITRD_MAX; n++) {
		st = fw->read_file(fw, e->initrd[n], &addrs[n], &sizes[n]);
		if (st != FW_OK) {
			*failed = e->initrd[n];
			break;
		}
		total += initrd_padded(sizes[n]);
	}
	if (st == FW_OK) {
		out->pages = fw_pages_for(total);
		out->addr = max_addr;
		st = fw->allocate_pages(fw, max_addr == UINT64_MAX ? FW_ALLOC_ANY : FW_ALLOC_MAX_ADDRESS,
		                        FW_MEM_LOADER_DATA, out->pages, &out->addr);
	}
	uint64_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		if (st == FW_OK) {
			uint8_t *dst = (uint8_t *)(uintptr_t)out->addr + off;
			util_memcpy(dst, (const void *)(uintptr_t)addrs[i], (size_t)sizes[i]);
			util_memset(dst + sizes[i], 0, (size_t)(initrd_padded(sizes[i]) - sizes[i]));
			off += initrd_padded(sizes[i]);
		}
		fw->free_pages(fw, addrs[i], fw_pages_for(sizes[i]));
	}
	if (st != FW_OK) {
		util_memset(out, 0, sizeof(*out));
		return st;
	}
	out->size = total;
	return FW_OK;
}
