/* release.c: tb_release, turning tagged entries into their after_type once the kernel reports
 * that their reclaim condition holds. */
#include "tagboot_handoff.h"

#include <stdint.h>

#define RELEASE_KNOWN_EVENTS (TB_EVENT_APS_WOKEN | TB_EVENT_NO_RESET | TB_EVENT_LEFT_HANDOFF)

/* Does the reclaim rule of an entry hold, given the events? (docs/handoff.md "Reclaim") */
static bool release_condition_met(uint8_t reclaim, uint32_t events)
{
	switch (reclaim) {
	case TB_RECLAIM_AFTER_AP_WAKEUP:
		return (events & TB_EVENT_APS_WOKEN) != 0;
	case TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET:
		/* The MP wakeup v1 reset vector reloads the firmware's CR3: only a kernel that
		 * promises never to use it may take the pages back. */
		return (events & TB_EVENT_APS_WOKEN) != 0 && (events & TB_EVENT_NO_RESET) != 0;
	case TB_RECLAIM_AFTER_HANDOFF:
		return (events & TB_EVENT_LEFT_HANDOFF) != 0;
	default:
		/* NEVER, and any rule this reader does not know: keep. */
		return false;
	}
}

/* Neighbours of the same type are left unmerged: the map stays valid (sorted, disjoint), and
 * entry indices a kernel may hold stay stable. */
enum tb_status tb_release(void *blob, uint32_t events, uint64_t *pages)
{
	struct tb_rec_memmap *map;
	uint64_t released = 0;

	if (pages != NULL)
		*pages = 0;
	if (blob == NULL)
		return TB_ERR_NULL;
	if ((events & ~(uint32_t)RELEASE_KNOWN_EVENTS) != 0)
		return TB_ERR_INVALID_ARG;
	map = (struct tb_rec_memmap *)tb_memmap(blob);
	if (map == NULL)
		return TB_ERR_NO_MEMMAP;

	for (uint32_t i = 0; i < map->entry_count; i++) {
		struct tb_mem_entry *e = (struct tb_mem_entry *)tb_memmap_entry(map, i);

		if (!release_condition_met(e->reclaim, events))
			continue;
		if (tb_mem_type_known(e->type) != TB_MEM_USABLE &&
		    tb_mem_type_known(e->after_type) == TB_MEM_USABLE)
			released += e->length / TB_PAGE_SIZE;
		e->type = e->after_type;
		e->owner = TB_OWNER_NONE;
		e->reason = TB_REASON_NONE;
		e->reclaim = TB_RECLAIM_NEVER;
		e->source = TB_SOURCE_EFI_MAP;
	}
	tb_reseal(blob);
	if (pages != NULL)
		*pages = released;
	return TB_OK;
}
