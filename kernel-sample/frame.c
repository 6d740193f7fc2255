/* frame.c: frame allocator over the handoff map: per-entry cursors, usable-now frames only. */
#include "frame.h"

#include <stddef.h>

#include "console.h"
#include "result.h"
#include "tagboot_handoff.h"

/* Each map entry keeps the address up to which it has been handed out. tb_release changes
 * entry types in place, so an entry that becomes usable later starts at its base, and frames
 * handed out before a release are never handed out again. */
static uint64_t frame_consumed[FRAME_MAX_ENTRIES];
static void *frame_blob;
static const void *frame_received;
static uint32_t frame_entry_count;
static uint32_t frame_hint;
static bool frame_ignore_ap_held;
static uint64_t frame_allocated;
static uint64_t frame_reclaimed;

bool frame_init(void *handoff, const void *received, bool ignore_ap_held)
{
	const struct tb_rec_memmap *map = tb_memmap(handoff);
	if (map == NULL || map->entry_count > FRAME_MAX_ENTRIES)
		return false;
	frame_blob = handoff;
	frame_received = received;
	frame_entry_count = map->entry_count;
	frame_ignore_ap_held = ignore_ap_held;
	for (uint32_t i = 0; i < map->entry_count; i++)
		frame_consumed[i] = tb_memmap_entry(map, i)->base;
	frame_hint = 0;
	return true;
}

static bool frame_entry_allocatable(const struct tb_mem_entry *entry)
{
	/* tb_mem_type_known: a type this kernel does not know is reserved. */
	uint32_t type = tb_mem_type_known(entry->type);
	if (type == TB_MEM_USABLE)
		return true;
	return frame_ignore_ap_held && type == TB_MEM_AP_HELD;
}

uint64_t frame_alloc_below(uint64_t limit)
{
	const struct tb_rec_memmap *map = tb_memmap(frame_blob);
	for (uint32_t i = frame_hint; i < frame_entry_count; i++) {
		const struct tb_mem_entry *entry = tb_memmap_entry(map, i);
		if (entry->base >= limit)
			return 0;
		if (!frame_entry_allocatable(entry))
			continue;
		uint64_t end = entry->base + entry->length;
		/* Physical page 0 doubles as the null pointer: never hand it out. */
		if (frame_consumed[i] == 0)
			frame_consumed[i] = FRAME_SIZE;
		if (frame_consumed[i] >= end || frame_consumed[i] + FRAME_SIZE > limit) {
			if (frame_consumed[i] >= end && i == frame_hint)
				frame_hint = i + 1;
			continue;
		}
		uint64_t frame = frame_consumed[i];
		frame_consumed[i] += FRAME_SIZE;
		/* Belt and braces: the library's view of the live map must agree. */
		if (entry->type == TB_MEM_USABLE && !tb_frame_usable_now(frame_blob, frame))
			result_fail("frame allocator: 0x%lx is not usable now", frame);
		frame_allocated++;
		if (!tb_frame_usable_now(frame_received, frame))
			frame_reclaimed++;
		return frame;
	}
	return 0;
}

uint64_t frame_alloc(void)
{
	return frame_alloc_below(~0ull);
}

bool frame_release(uint32_t events, uint64_t *pages)
{
	const struct tb_rec_memmap *map = tb_memmap(frame_blob);
	uint64_t bases_before = 0;
	for (uint32_t i = 0; i < map->entry_count; i++)
		bases_before += tb_memmap_entry(map, i)->base;
	enum tb_status status = tb_release(frame_blob, events, pages);
	if (status != TB_OK) {
		kprint("tb_release(0x%x): %s\n", events, tb_status_str(status));
		return false;
	}
	/* The cursors are per entry: the release must keep the entries where they were. */
	map = tb_memmap(frame_blob);
	uint64_t bases_after = 0;
	for (uint32_t i = 0; map != NULL && i < map->entry_count; i++)
		bases_after += tb_memmap_entry(map, i)->base;
	if (map == NULL || map->entry_count != frame_entry_count || bases_after != bases_before) {
		kprint("tb_release reshaped the map: allocator cursors no longer apply\n");
		return false;
	}
	frame_hint = 0;
	return true;
}

uint64_t frame_allocated_count(void)
{
	return frame_allocated;
}

uint64_t frame_reclaimed_count(void)
{
	return frame_reclaimed;
}
