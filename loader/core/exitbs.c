/* exitbs.c: the final memory map and ExitBootServices, with the map-key retry (one place). */
#include "exitbs.h"

const char *exitbs_error_str(enum exitbs_error err)
{
	switch (err) {
	case EXITBS_OK: return "success";
	case EXITBS_ERR_ALLOC: return "cannot allocate the memory map buffer";
	case EXITBS_ERR_GET_MAP: return "GetMemoryMap failed";
	case EXITBS_ERR_GROWING: return "memory map keeps growing while its buffer is allocated";
	case EXITBS_ERR_MAP_FULL: return "map buffer full (final GetMemoryMap needs more than the slack)";
	case EXITBS_ERR_EXIT: return "ExitBootServices failed";
	case EXITBS_ERR_RETRIES: return "ExitBootServices kept rejecting the map key";
	case EXITBS_ERR_CONVERT: return "cannot convert the final memory map into the handoff";
	}
	return "unknown exitbs error";
}

static void exitbs_set_err(enum fw_status *fw_err, enum fw_status status)
{
	if (fw_err)
		*fw_err = status;
}

/*
 * The size GetMemoryMap reports is only true until the next allocation, and allocating the
 * buffer is itself an allocation (it can split a free descriptor into two or three). So: ask
 * for the size, allocate that plus slack, read the map into the buffer to prove it fits, and
 * if it does not (a firmware that allocates on its own), start again with the larger size.
 */
enum exitbs_error exitbs_alloc_map(struct fw *fw, struct exitbs_map *map,
                                   enum fw_status *fw_err)
{
	uint64_t need = 0;
	exitbs_set_err(fw_err, FW_OK);
	map->buf_addr = 0;
	map->pages = 0;
	map->cap = 0;
	map->size = 0;
	map->attempts = 0;
	for (uint32_t round = 0; round < EXITBS_MAX_ALLOC_ROUNDS; round++) {
		uint64_t size = need;
		uint8_t probe = 0;
		void *probe_buf = map->buf_addr ? (void *)(uintptr_t)map->buf_addr : &probe;
		if (map->buf_addr)
			size = map->cap;
		enum fw_status st = fw->get_memory_map(fw, probe_buf, &size, &map->key,
		                                        &map->desc_size, &map->desc_version);
		if (st == FW_OK && map->buf_addr) {
			map->size = size;
			return EXITBS_OK;
		}
		if (st != FW_BUFFER_TOO_SMALL) {
			exitbs_set_err(fw_err, st);
			exitbs_free_map(fw, map);
			return EXITBS_ERR_GET_MAP;
		}
		if (map->desc_size == 0) {
			exitbs_set_err(fw_err, st);
			exitbs_free_map(fw, map);
			return EXITBS_ERR_GET_MAP;
		}
		/* Too small (or the size probe): free what we had and take the new size + slack. */
		exitbs_free_map(fw, map);
		need = size + EXITBS_SLACK_DESCS * map->desc_size;
		uint64_t pages = fw_pages_for(need);
		uint64_t addr = 0;
		st = fw->allocate_pages(fw, FW_ALLOC_ANY, FW_MEM_LOADER_DATA, pages, &addr);
		if (st != FW_OK) {
			exitbs_set_err(fw_err, st);
			return EXITBS_ERR_ALLOC;
		}
		map->buf_addr = addr;
		map->pages = pages;
		map->cap = pages * FW_PAGE_SIZE;
	}
	exitbs_free_map(fw, map);
	return EXITBS_ERR_GROWING;
}

void exitbs_free_map(struct fw *fw, struct exitbs_map *map)
{
	if (map->buf_addr && map->pages)
		fw->free_pages(fw, map->buf_addr, map->pages);
	map->buf_addr = 0;
	map->pages = 0;
	map->cap = 0;
}

/*
 * Why the loop looks like this (UEFI 2.10 7.4, ExitBootServices; Linux
 * drivers/firmware/efi/libstub/efi-stub-helper.c efi_exit_boot_services does the same):
 * ExitBootServices takes the key of the latest map and fails with EFI_INVALID_PARAMETER if
 * the map changed since (an event or a timer callback can allocate at any time). After a
 * failed call the firmware may already have shut parts of itself down and only GetMemoryMap
 * and ExitBootServices are allowed, so the retry reads the map into the SAME buffer (no
 * allocation possible) and prints nothing. If the map no longer fits there is no way out: it
 * is reported as "map buffer full", never papered over with a stale map. The conversion runs
 * only after success, on the very map whose key ExitBootServices accepted.
 */
enum exitbs_error exitbs_exit(struct fw *fw, struct exitbs_map *map, exitbs_convert_fn convert,
                              void *ctx, enum fw_status *fw_err)
{
	exitbs_set_err(fw_err, FW_OK);
	map->attempts = 0;
	if (!map->buf_addr || map->cap == 0) {
		exitbs_set_err(fw_err, FW_INVALID_PARAMETER);
		return EXITBS_ERR_MAP_FULL;
	}
	while (map->attempts < EXITBS_MAX_ATTEMPTS) {
		uint64_t size = map->cap;
		enum fw_status st = fw->get_memory_map(fw, (void *)(uintptr_t)map->buf_addr, &size,
		                                        &map->key, &map->desc_size,
		                                        &map->desc_version);
		if (st == FW_BUFFER_TOO_SMALL) {
			exitbs_set_err(fw_err, st);
			return EXITBS_ERR_MAP_FULL;
		}
		if (st != FW_OK) {
			exitbs_set_err(fw_err, st);
			return EXITBS_ERR_GET_MAP;
		}
		map->size = size;
		map->attempts++;
		st = fw->exit_boot_services(fw, map->key);
		if (st == FW_OK)
			return convert(ctx, map) ? EXITBS_OK : EXITBS_ERR_CONVERT;
		if (st != FW_INVALID_PARAMETER) {
			exitbs_set_err(fw_err, st);
			return EXITBS_ERR_EXIT;
		}
		exitbs_set_err(fw_err, st);
	}
	return EXITBS_ERR_RETRIES;
}
