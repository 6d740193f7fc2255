/* apcheck.c: proof that AP-held memory matters: hashes of every AP-held region over the boot, the poison option that destroys one class on purpose, and the parked APs' own self-check reports. */
#include "apcheck.h"

#include <stddef.h>

#include "tagboot_wakelog.h"
#include "console.h"
#include "mem.h"
#include "tagboot_handoff.h"

struct apcheck_region {
	uint64_t base, length;
	uint8_t reason, owner;
	uint64_t hash[3];
};

static struct apcheck_region apcheck_regions[APCHECK_MAX_REGIONS];
static unsigned apcheck_count;
static bool apcheck_recorded;

static const char *const apcheck_names[] = {
	[APCHECK_NONE] = NULL,
	[APCHECK_MAILBOX] = "mailbox",
	[APCHECK_LOOP_CODE] = "loop-code",
	[APCHECK_PAGE_TABLES] = "page-tables",
	[APCHECK_STACKS] = "stacks",
	[APCHECK_TRAMPOLINE] = "trampoline",
};

const char *apcheck_class_name(enum apcheck_class c)
{
	return (unsigned)c < sizeof(apcheck_names) / sizeof(apcheck_names[0]) ? apcheck_names[c]
	                                                                       : NULL;
}

enum apcheck_class apcheck_class_parse(const char *word, unsigned length)
{
	for (unsigned c = APCHECK_MAILBOX; c <= APCHECK_TRAMPOLINE; c++) {
		const char *n = apcheck_names[c];
		unsigned i = 0;
		while (i < length && n[i] != '\0' && n[i] == word[i])
			i++;
		if (i == length && n[i] == '\0')
			return (enum apcheck_class)c;
	}
	return APCHECK_NONE;
}

/* FNV-1a, 64 bits: any changed byte changes it. */
static uint64_t apcheck_hash(uint64_t base, uint64_t length)
{
	const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)base;
	uint64_t h = 0xcbf29ce484222325ull;
	for (uint64_t i = 0; i < length; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void apcheck_record(const void *handoff)
{
	apcheck_recorded = true;
	const struct tb_rec_memmap *map = tb_memmap(handoff);
	for (uint32_t i = 0; map && i < map->entry_count && apcheck_count < APCHECK_MAX_REGIONS; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (e == NULL || e->type != TB_MEM_AP_HELD)
			continue;
		struct apcheck_region *r = &apcheck_regions[apcheck_count++];
		r->base = e->base;
		r->length = e->length;
		r->reason = e->reason;
		r->owner = e->owner;
	}
}

void apcheck_snapshot(const void *handoff, unsigned phase)
{
	if (!apcheck_recorded)
		apcheck_record(handoff);
	for (unsigned i = 0; i < apcheck_count && phase < 3; i++)
		apcheck_regions[i].hash[phase] = apcheck_hash(apcheck_regions[i].base,
		                                              apcheck_regions[i].length);
}

bool apcheck_report_hashes(void)
{
	bool untouched = true;
	for (unsigned i = 0; i < apcheck_count; i++) {
		const struct apcheck_region *r = &apcheck_regions[i];
		bool same = r->hash[0] == r->hash[1];
		untouched = untouched && same;
		kprint("ap-held 0x%lx-0x%lx %s (%s): hash at entry 0x%lx, before the wakeup 0x%lx "
		       "(%s), after it 0x%lx\n",
		       r->base, r->base + r->length - 1, tb_reason_name(r->reason),
		       tb_owner_name(r->owner), r->hash[0], r->hash[1], same ? "untouched" : "CHANGED",
		       r->hash[2]);
	}
	return untouched;
}

static bool apcheck_in_class(const struct tb_mem_entry *e, enum apcheck_class c)
{
	if (e->type != TB_MEM_AP_HELD)
		return false;
	switch (c) {
	case APCHECK_MAILBOX:
		return e->reason == TB_REASON_MAILBOX;
	case APCHECK_LOOP_CODE:
		return e->reason == TB_REASON_AP_LOOP_CODE && e->base >= 0x100000;
	case APCHECK_TRAMPOLINE:
		return e->reason == TB_REASON_AP_LOOP_CODE && e->base < 0x100000;
	case APCHECK_PAGE_TABLES:
		return e->reason == TB_REASON_PAGE_TABLES;
	case APCHECK_STACKS:
		return e->reason == TB_REASON_AP_STACK;
	default:
		return false;
	}
}

uint64_t apcheck_poison(const void *handoff, enum apcheck_class c)
{
	const struct tb_rec_memmap *map = tb_memmap(handoff);
	uint8_t fill = c == APCHECK_PAGE_TABLES ? 0x00 : c == APCHECK_STACKS ? 0xA5 : 0xFF;
	uint64_t bytes = 0;
	for (uint32_t i = 0; map && i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (e == NULL || !apcheck_in_class(e, c))
			continue;
		kprint("poison: class=%s: overwriting 0x%lx-0x%lx (%s) with 0x%02x\n",
		       apcheck_class_name(c), e->base, e->base + e->length - 1,
		       tb_reason_name(e->reason), fill);
		memset((void *)(uintptr_t)e->base, fill, (size_t)e->length);
		bytes += e->length;
	}
	return bytes;
}

static void apcheck_append(char *list, unsigned cap, uint32_t id)
{
	unsigned n = 0;
	while (n < cap && list[n] != '\0')
		n++;
	char digits[12];
	unsigned d = 0;
	do {
		digits[d++] = (char)('0' + id % 10);
		id /= 10;
	} while (id != 0);
	if (n != 0 && n + 1 < cap)
		list[n++] = ',';
	while (d > 0 && n + 1 < cap)
		list[n++] = digits[--d];
	list[n] = '\0';
}

bool apcheck_wakelog(uint64_t mailbox, uint32_t *logged, uint32_t *ok, char *bad_ids,
                     unsigned cap)
{
	*logged = *ok = 0;
	bad_ids[0] = '\0';
	const volatile uint8_t *mb = (const volatile uint8_t *)(uintptr_t)mailbox;
	uint32_t magic = *(const volatile uint32_t *)(mb + TB_WAKELOG_LOG);
	if (magic != TB_WAKELOG_MAGIC)
		return false;
	uint32_t count = *(const volatile uint32_t *)(mb + TB_WAKELOG_COUNT);
	if (count > TB_WAKELOG_MAX)
		count = TB_WAKELOG_MAX;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t id = *(const volatile uint32_t *)(mb + TB_WAKELOG_ENTRIES +
		                                           TB_WAKELOG_ENTRY_SIZE * i);
		uint32_t checks = *(const volatile uint32_t *)(mb + TB_WAKELOG_ENTRY_CHECKS +
		                                               TB_WAKELOG_ENTRY_SIZE * i);
		kprint("ap self-check: apic id %u: page tables %s, stack %s, code %s\n", id,
		       checks & TB_WAKELOG_CHECK_PAGE_TABLES ? "ok" : "BAD",
		       checks & TB_WAKELOG_CHECK_STACK ? "ok" : "BAD", checks & TB_WAKELOG_CHECK_CODE ? "ok" : "BAD");
		if (checks == TB_WAKELOG_CHECK_ALL)
			(*ok)++;
		else
			apcheck_append(bad_ids, cap, id);
	}
	*logged = count;
	return true;
}

void apcheck_totals(unsigned *regions, uint64_t *pages)
{
	*regions = apcheck_count;
	*pages = 0;
	for (unsigned i = 0; i < apcheck_count; i++)
		*pages += apcheck_regions[i].length / 4096u;
}
