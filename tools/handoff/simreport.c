/* simreport.c: what `handoff simulate` reports about a simulated handoff: its tagged regions,
 * the hazards tagging found, and how much memory a kernel gets now and after waking the APs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "simulate.h"

void simreport_tagged(const struct tb_rec_memmap *map)
{
	unsigned tagged = 0;
	char size[32];

	for (uint32_t i = 0; i < map->entry_count; i++)
		tagged += tb_memmap_entry(map, i)->owner != TB_OWNER_NONE;
	printf("tagged regions: %u\n", tagged);
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);

		if (e->owner == TB_OWNER_NONE)
			continue;
		/* Inclusive ends, as the hazards and firmware dumps print ranges. */
		printf("  0x%llx-0x%llx (%s) %s, owner %s, reason %s, reclaim %s -> %s, source %s\n",
		       (unsigned long long)e->base, (unsigned long long)(e->base + (e->length - 1)),
		       maptable_size(e->length, size, sizeof(size)), tb_mem_type_name(e->type),
		       tb_owner_name(e->owner), tb_reason_name(e->reason),
		       tb_reclaim_name(e->reclaim), tb_mem_type_name(e->after_type),
		       tb_source_name(e->source));
	}
}

void simreport_hazards(const struct tagging_report *rep)
{
	unsigned shown = rep->hazard_count < TAGGING_MAX_HAZARDS ? rep->hazard_count
	                                                         : TAGGING_MAX_HAZARDS;

	printf("hazards: %u\n", rep->hazard_count);
	for (unsigned i = 0; i < shown; i++)
		printf("  %s\n", rep->hazards[i]);
	if (rep->hazard_count > shown)
		printf("  ... and %u more (the loader keeps the first %u)\n",
		       rep->hazard_count - shown, TAGGING_MAX_HAZARDS);
}

/* Bytes of the entries whose known type is `type`. */
static uint64_t simreport_bytes_of(const struct tb_rec_memmap *map, uint32_t type)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);

		if (tb_mem_type_known(e->type) == type)
			sum += e->length;
	}
	return sum;
}

/* Usable bytes once the kernel reports `events` to tb_release, on a copy of the blob. */
static bool simreport_released(const void *blob, size_t size, uint32_t events, uint64_t *out)
{
	void *copy = malloc(size);
	uint64_t pages = 0;
	enum tb_status st;

	if (copy == NULL) {
		fprintf(stderr, "handoff simulate: out of memory for a copy of the blob\n");
		return false;
	}
	memcpy(copy, blob, size);
	st = tb_release(copy, events, &pages);
	if (st == TB_OK)
		*out = simreport_bytes_of(tb_memmap(copy), TB_MEM_USABLE);
	free(copy);
	if (st != TB_OK) {
		fprintf(stderr, "handoff simulate: tb_release: %s\n", tb_status_str(st));
		return false;
	}
	return true;
}

/* The same figure page by page through the kernel's query, tb_frame_usable_after_wakeup. */
static uint64_t simreport_queried(const void *blob, bool no_reset)
{
	const struct tb_rec_memmap *map = tb_memmap(blob);
	uint64_t sum = 0;

	/* Every page of an entry shares its tags, so asking once per entry is asking per page. */
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);

		if (tb_frame_usable_after_wakeup(blob, e->base, no_reset))
			sum += e->length;
	}
	return sum;
}

bool simreport_totals(const void *blob, size_t size, struct simreport_totals *out)
{
	const struct tb_rec_memmap *map = tb_memmap(blob);

	memset(out, 0, sizeof(*out));
	out->usable_now = simreport_bytes_of(map, TB_MEM_USABLE);
	out->ap_held = simreport_bytes_of(map, TB_MEM_AP_HELD);
	out->unaccepted = simreport_bytes_of(map, TB_MEM_UNACCEPTED);
	if (!simreport_released(blob, size, TB_EVENT_APS_WOKEN, &out->after_wakeup) ||
	    !simreport_released(blob, size, TB_EVENT_APS_WOKEN | TB_EVENT_NO_RESET,
	                        &out->after_wakeup_no_reset))
		return false;
	/* Two implementations of one rule: a disagreement is a bug in handoff/src. */
	if (out->after_wakeup != simreport_queried(blob, false) ||
	    out->after_wakeup_no_reset != simreport_queried(blob, true)) {
		fprintf(stderr, "handoff simulate: internal error: tb_release and "
		                "tb_frame_usable_after_wakeup disagree on this map\n");
		return false;
	}
	return true;
}

static void simreport_line(const char *label, uint64_t bytes)
{
	char size[32];

	printf("  %-30s %20llu bytes (%s)\n", label, (unsigned long long)bytes,
	       maptable_size(bytes, size, sizeof(size)));
}

void simreport_print_totals(const struct simreport_totals *t)
{
	printf("totals:\n");
	simreport_line("usable-now", t->usable_now);
	simreport_line("usable-after-wakeup", t->after_wakeup);
	simreport_line("usable-after-wakeup-no-reset", t->after_wakeup_no_reset);
	simreport_line("ap-held", t->ap_held);
	simreport_line("unaccepted", t->unaccepted);
	printf("  (after-wakeup: every AP woken through the mailbox; no-reset: and the kernel never\n"
	       "   hands a CPU back through the MP wakeup v1 reset vector; see docs/handoff.md)\n");
}
