/* kernel_request.h: the request note of a handoff kernel (TB_REQUEST): found in the ELF file, checked, merged with the entry. */
#ifndef TAGBOOT_KERNEL_REQUEST_H
#define TAGBOOT_KERNEL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "tagboot_handoff.h"
#include "util.h"

/* What the boot gives the kernel, decided before ExitBootServices. */
struct kernel_request_grant {
	bool found;                   /* the image carried a request note */
	struct tb_request asked;      /* its first 32 bytes, zero without a note */
	bool ap_park_from_entry;      /* an `ap-park` line overrode the note */
	enum config_ap_park ap_park;  /* what the boot does */
	bool framebuffer;             /* pass the framebuffer record (if there is one) */
	bool framebuffer_required;    /* refuse the boot without one */
	bool direct_map;
	uint64_t direct_map_offset;
	uint64_t stack_size;          /* bytes, a multiple of 4096 */
};

/*
 * Look through the PT_NOTE segments of an ELF64 file (already accepted by elf_check) for the
 * tagboot request note. No note: true with *found false. Other programs' notes, even
 * malformed ones, are skipped. A tagboot note with a bad size, or two of them: false with the
 * reason in why.
 */
bool kernel_request_find(const void *file, size_t size, struct tb_request *out, bool *found,
                         struct util_sb *why);

/*
 * Decide what to grant: the note (if any) with the entry's `ap-park` line on top (the one
 * override docs/handoff.md allows). Refuses, with the field and the reason in why, what this
 * loader cannot give: a newer handoff minor, flags or values it does not know, a stack above
 * TB_REQ_STACK_MAX, a direct-map offset that is not canonical, high-half and 1 GiB aligned,
 * a framebuffer that is required but absent.
 */
bool kernel_request_resolve(const struct tb_request *asked, bool found,
                            const struct config_entry *entry, bool has_framebuffer,
                            struct kernel_request_grant *grant, struct util_sb *why);

#endif /* TAGBOOT_KERNEL_REQUEST_H */
