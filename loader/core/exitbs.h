/* exitbs.h: the final memory map and ExitBootServices, with the map-key retry (one place). */
#ifndef TAGBOOT_EXITBS_H
#define TAGBOOT_EXITBS_H

#include <stdbool.h>
#include <stdint.h>

#include "fw.h"

/* Descriptors of slack in the map buffer. Linux raised its slack from 8 to 32 descriptors
 * because real firmware needed it (EFI_MMAP_NR_SLACK_SLOTS in drivers/firmware/efi/libstub/efistub.h). */
#define EXITBS_SLACK_DESCS 32u
/* ExitBootServices attempts before giving up. Linux tries twice, Limine up to 128 times; a
 * firmware whose map changes eight times in a row between two calls will not settle. */
#define EXITBS_MAX_ATTEMPTS 8u
/* Times exitbs_alloc_map re-sizes the buffer when its own allocation grew the map. */
#define EXITBS_MAX_ALLOC_ROUNDS 4u

/* The map buffer and what the last GetMemoryMap put into it. */
struct exitbs_map {
	uint64_t buf_addr;     /* physical address of the buffer pages (identity mapped) */
	uint64_t pages;        /* pages allocated */
	uint64_t cap;          /* bytes available */
	uint64_t size;         /* bytes the last GetMemoryMap wrote */
	uint64_t key;          /* its map key */
	uint64_t desc_size;    /* bytes per descriptor (step by this, never by sizeof) */
	uint32_t desc_version;
	uint32_t attempts;     /* ExitBootServices calls made by exitbs_exit */
};

enum exitbs_error {
	EXITBS_OK = 0,
	EXITBS_ERR_ALLOC,     /* AllocatePages for the map buffer failed */
	EXITBS_ERR_GET_MAP,   /* GetMemoryMap failed with something other than too small */
	EXITBS_ERR_GROWING,   /* the map outgrew every buffer exitbs_alloc_map tried */
	EXITBS_ERR_MAP_FULL,  /* the final GetMemoryMap did not fit the buffer (no slack left) */
	EXITBS_ERR_EXIT,      /* ExitBootServices failed with something other than a stale key */
	EXITBS_ERR_RETRIES,   /* ExitBootServices kept reporting a stale key */
	EXITBS_ERR_CONVERT,   /* the conversion callback failed (boot services are gone) */
};

/* Turns the final map into the handoff. Runs after ExitBootServices succeeded, so it must not
 * call the firmware. Returns false on failure. */
typedef bool (*exitbs_convert_fn)(void *ctx, const struct exitbs_map *map);

/* Allocate the map buffer (LoaderData): the current map plus EXITBS_SLACK_DESCS descriptors,
 * checked by reading the map into it once. Call it after every other allocation the boot
 * needs, so that the slack only has to absorb the firmware's own changes. *fw_err (if not
 * NULL) gets the firmware status of a failure. */
enum exitbs_error exitbs_alloc_map(struct fw *fw, struct exitbs_map *map,
                                   enum fw_status *fw_err);

/* Final GetMemoryMap + ExitBootServices (retried on a stale key), then convert(ctx, map).
 * No allocation and no console output happen between the final map and ExitBootServices.
 * On EXITBS_OK boot services are gone and convert saw the map that ExitBootServices
 * accepted. On any error after the first ExitBootServices call, boot services may be gone
 * too: print only through paths that do not need them. */
enum exitbs_error exitbs_exit(struct fw *fw, struct exitbs_map *map, exitbs_convert_fn convert,
                              void *ctx, enum fw_status *fw_err);

/* Free the map buffer (only before exitbs_exit was called). */
void exitbs_free_map(struct fw *fw, struct exitbs_map *map);

/* Short English text for an error ("map buffer full", ...). Never NULL. */
const char *exitbs_error_str(enum exitbs_error err);

#endif /* TAGBOOT_EXITBS_H */
