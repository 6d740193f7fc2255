/* tagging.c: the tagged regions the loader carves into the map (parked-AP memory, config reserves, loader allocations). */
#include "tagging.h"

#include "util.h"

#define TAGGING_PAGE_MASK (TB_PAGE_SIZE - 1u)

/* TDVF layout of OVMF X64 builds (MEMFD base 0x800000), used on TDX when the firmware's TDX
 * metadata was not read: background.md section 2 (edk2 OvmfPkg IntelTdxMetadata.asm and the
 * Asterinas TDX incident, asterinas/asterinas issue #1628). A newer TDVF that reports these
 * pages as ACPI NVS is harmless here: tb_map_tag never releases a tag below the map's type. */
struct tagging_quirk {
	uint64_t base;
	uint64_t length;
	uint8_t reason;
};

static const struct tagging_quirk tagging_tdx_quirks[] = {
	/* reset-vector page tables: PML4 0x800000, PDPT 0x801000, four PDs; CR3 of parked APs */
	{ 0x800000u, 0x6000u, TB_REASON_PAGE_TABLES },
	/* TD HOB list the VMM fills in (TDVF TD_HOB section) */
	{ 0x809000u, 0x2000u, TB_REASON_TD_HOB },
	/* TDX work area: the GDT the AP reset path (MADT wakeup v1) loads */
	{ 0x80B000u, 0x1000u, TB_REASON_WORK_AREA },
	/* initial TD mailbox of SEC/PEI AP parking */
	{ 0x80C000u, 0x1000u, TB_REASON_INITIAL_MAILBOX },
};

#define TAGGING_TDX_QUIRK_COUNT (sizeof(tagging_tdx_quirks) / sizeof(tagging_tdx_quirks[0]))

/* Appends regions to out[0..cap) and keeps counting past cap, so that a NO_SPACE result can
 * still say how many were needed. */
struct tagging_sink {
	struct tb_mem_entry *out;
	size_t cap;
	size_t count;
	enum tb_status status;
	const char *why; /* what made status TB_ERR_INVALID_ARG */
};

static void tagging_invalid(struct tagging_sink *sink, const char *why)
{
	if (sink->status != TB_ERR_INVALID_ARG)
		sink->why = why;
	sink->status = TB_ERR_INVALID_ARG;
}

static void tagging_push(struct tagging_sink *sink, uint64_t base, uint64_t length, uint32_t type,
                         uint32_t after_type, uint8_t owner, uint8_t reason, uint8_t reclaim,
                         uint8_t source)
{
	/* An empty region carves nothing; skip it rather than fail the boot. */
	if (length == 0)
		return;
	uint64_t first = base & ~TAGGING_PAGE_MASK;
	uint64_t last = base + (length - 1u);
	/* A region running past 2^64 is clipped at the top, as tb_normalize does. */
	if (last < base)
		last = UINT64_MAX;
	last |= TAGGING_PAGE_MASK;
	/* The whole 2^64 space has no length a tb_mem_entry can hold. */
	if (first == 0 && last == UINT64_MAX) {
		tagging_invalid(sink, "region covers all of memory");
		return;
	}
	if (sink->count >= sink->cap) {
		sink->count++;
		if (sink->status == TB_OK)
			sink->status = TB_ERR_NO_SPACE;
		return;
	}
	struct tb_mem_entry *e = &sink->out[sink->count++];
	e->base = first;
	e->length = last - first + 1u;
	e->type = type;
	e->after_type = after_type;
	e->owner = owner;
	e->reason = reason;
	e->reclaim = reclaim;
	e->source = source;
	e->reserved = 0;
}

/* When firmware AP memory may be reused. ACPI MP wakeup version 0 has no way back into the
 * firmware, so the memory is free once every AP has left it; version 1 adds a reset vector
 * that reloads the firmware page tables (CR3 = 0x800000 on TDVF), so the kernel may reuse it
 * only if it never uses that path. Without any mailbox the APs can never be woken: never. */
static uint8_t tagging_ap_reclaim(const struct tagging_input *in)
{
	const struct acpi_info *acpi = in->acpi;
	if (acpi == NULL || !acpi->mp_wakeup_found)
		return TB_RECLAIM_NEVER;
	if (acpi->has_reset_vector || acpi->mailbox_version >= 1u)
		return TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET;
	return TB_RECLAIM_AFTER_AP_WAKEUP;
}

static void tagging_collect_firmware(const struct tagging_input *in, struct tagging_sink *sink)
{
	uint8_t reclaim = tagging_ap_reclaim(in);
	const struct acpi_info *acpi = in->acpi;

	if (acpi != NULL && acpi->mp_wakeup_found && acpi->mailbox_address != 0)
		tagging_push(sink, acpi->mailbox_address, TB_PAGE_SIZE, TB_MEM_AP_HELD,
		             TB_MEM_USABLE, TB_OWNER_FIRMWARE, TB_REASON_MAILBOX, reclaim,
		             TB_SOURCE_ACPI);
	if (in->platform_kind != TB_PLATFORM_TDX)
		return;
	if (in->tdvf_regions != NULL && in->tdvf_region_count > 0) {
		for (size_t i = 0; i < in->tdvf_region_count; i++) {
			const struct tb_mem_entry *r = &in->tdvf_regions[i];
			tagging_push(sink, r->base, r->length, TB_MEM_AP_HELD, TB_MEM_USABLE,
			             TB_OWNER_FIRMWARE, r->reason, reclaim,
			             TB_SOURCE_TDVF_METADATA);
		}
		return;
	}
	for (size_t i = 0; i < TAGGING_TDX_QUIRK_COUNT; i++) {
		const struct tagging_quirk *q = &tagging_tdx_quirks[i];
		tagging_push(sink, q->base, q->length, TB_MEM_AP_HELD, TB_MEM_USABLE,
		             TB_OWNER_FIRMWARE, q->reason, reclaim, TB_SOURCE_QUIRK);
	}
}

/* The loader's own parking area: already complete tags, carved as they are. */
static void tagging_collect_parking(const struct tagging_input *in, struct tagging_sink *sink)
{
	for (size_t i = 0; i < in->parking_region_count; i++) {
		const struct tb_mem_entry *r = &in->parking_regions[i];
		tagging_push(sink, r->base, r->length, r->type, r->after_type, r->owner, r->reason,
		             r->reclaim, r->source);
	}
}

/* A `reserve` line's reason word: a reason name as tb_reason_name prints it ("page-tables";
 * '_' is accepted for '-', case ignored), else the generic TB_REASON_CONFIG. */
static uint8_t tagging_config_reason(const char *word)
{
	for (uint32_t r = TB_REASON_PAGE_TABLES; r <= TB_REASON_HANDOFF_DATA; r++) {
		const char *name = tb_reason_name(r);
		size_t i = 0;
		for (;; i++) {
			char c = util_ascii_lower(word[i]);
			if (c == '_')
				c = '-';
			if (c != name[i] || c == '\0')
				break;
		}
		if (name[i] == '\0' && word[i] == '\0')
			return (uint8_t)r;
	}
	return TB_REASON_CONFIG;
}

static void tagging_collect_reserves(const struct tagging_input *in, struct tagging_sink *sink)
{
	for (size_t i = 0; i < in->reserve_count; i++) {
		const struct config_reserve *r = &in->reserves[i];
		tagging_push(sink, r->base, r->size, TB_MEM_RESERVED, TB_MEM_RESERVED,
		             TB_OWNER_LOADER, tagging_config_reason(r->reason), TB_RECLAIM_NEVER,
		             TB_SOURCE_CONFIG);
	}
}

/* The tags of each allocation kind (see enum tagging_alloc_kind). Everything live only at
 * kernel entry is LOADER_RECLAIMABLE and becomes usable after the handoff. The kernel's own
 * regions (image, modules, framebuffer) are `never`: no event releases them, the kernel
 * gives them up when it is done; their after_type says what they are then, so it is usable
 * here and tb_map_tag raises it to whatever lay beneath (reserved over a hole, MMIO over
 * MMIO): docs/handoff.md "Reclaim conditions". */
struct tagging_kind_tags {
	uint32_t type;
	uint32_t after_type;
	uint8_t reason;
	uint8_t reclaim;
};

static bool tagging_kind_tags(uint32_t kind, struct tagging_kind_tags *t)
{
	t->type = TB_MEM_LOADER_RECLAIMABLE;
	t->after_type = TB_MEM_USABLE;
	t->reclaim = TB_RECLAIM_AFTER_HANDOFF;
	switch (kind) {
	case TAGGING_ALLOC_KERNEL:
		t->type = TB_MEM_KERNEL;
		t->reason = TB_REASON_KERNEL_IMAGE;
		t->reclaim = TB_RECLAIM_NEVER;
		return true;
	case TAGGING_ALLOC_MODULE:
		t->type = TB_MEM_MODULE;
		t->reason = TB_REASON_MODULE;
		t->reclaim = TB_RECLAIM_NEVER;
		return true;
	case TAGGING_ALLOC_FRAMEBUFFER:
		t->type = TB_MEM_FRAMEBUFFER;
		t->reason = TB_REASON_FRAMEBUFFER;
		t->reclaim = TB_RECLAIM_NEVER;
		return true;
	case TAGGING_ALLOC_HANDOFF:
		t->reason = TB_REASON_HANDOFF;
		return true;
	case TAGGING_ALLOC_HANDOFF_DATA:
		t->reason = TB_REASON_HANDOFF_DATA;
		return true;
	case TAGGING_ALLOC_PAGE_TABLES:
		t->reason = TB_REASON_PAGE_TABLES;
		return true;
	case TAGGING_ALLOC_STACK:
		t->reason = TB_REASON_STACK;
		return true;
	case TAGGING_ALLOC_GDT:
		t->reason = TB_REASON_GDT;
		return true;
	default:
		return false;
	}
}

static void tagging_collect_allocs(const struct tagging_input *in, struct tagging_sink *sink)
{
	for (size_t i = 0; i < in->alloc_count; i++) {
		const struct tagging_alloc *a = &in->allocs[i];
		struct tagging_kind_tags t;
		if (!tagging_kind_tags(a->kind, &t)) {
			tagging_invalid(sink, "unknown loader allocation kind");
			continue;
		}
		tagging_push(sink, a->base, a->length, t.type, t.after_type, TB_OWNER_LOADER,
		             t.reason, t.reclaim, TB_SOURCE_LOADER);
	}
}

static bool tagging_input_ok(const struct tagging_input *in)
{
	return (in->tdvf_region_count == 0 || in->tdvf_regions != NULL) &&
	       (in->parking_region_count == 0 || in->parking_regions != NULL) &&
	       (in->reserve_count == 0 || in->reserves != NULL) &&
	       (in->alloc_count == 0 || in->allocs != NULL);
}

/* tagging_collect, also telling why an input was invalid. */
static enum tb_status tagging_collect_why(const struct tagging_input *in, struct tb_mem_entry *out,
                                          size_t cap, size_t *count, const char **why)
{
	*why = "missing input";
	if (in == NULL || count == NULL || (out == NULL && cap != 0) || !tagging_input_ok(in))
		return TB_ERR_NULL;
	struct tagging_sink sink = { out, cap, 0, TB_OK, "collecting regions" };
	tagging_collect_firmware(in, &sink);
	tagging_collect_parking(in, &sink);
	tagging_collect_reserves(in, &sink);
	tagging_collect_allocs(in, &sink);
	*count = sink.count;
	*why = sink.why;
	/* A bad region is a loader bug; it outranks running out of room. */
	return sink.status;
}

enum tb_status tagging_collect(const struct tagging_input *in, struct tb_mem_entry *out,
                               size_t cap, size_t *count)
{
	const char *why;
	return tagging_collect_why(in, out, cap, count, &why);
}

/* ---- tagging_apply ---- */

/* "page-tables" -> "page tables" for messages. */
static void tagging_sb_reason(struct util_sb *sb, uint32_t reason)
{
	for (const char *s = tb_reason_name(reason); *s != '\0'; s++)
		util_sb_char(sb, *s == '-' ? ' ' : *s);
}

/* "0x800000-0x805fff": inclusive end, as firmware map dumps print ranges. */
static void tagging_sb_range(struct util_sb *sb, uint64_t first, uint64_t last)
{
	util_sb_hex(sb, first);
	util_sb_char(sb, '-');
	util_sb_hex(sb, last);
}

static uint64_t tagging_last(const struct tb_mem_entry *e)
{
	return e->base + (e->length - 1u);
}

static bool tagging_overlap(const struct tb_mem_entry *a, const struct tb_mem_entry *b,
                            uint64_t *first, uint64_t *last)
{
	uint64_t a_last = tagging_last(a), b_last = tagging_last(b);
	if (a->length == 0 || b->length == 0 || a_last < b->base || b_last < a->base)
		return false;
	*first = a->base > b->base ? a->base : b->base;
	*last = a_last < b_last ? a_last : b_last;
	return true;
}

/* Room for the next hazard message, counting every hazard even when the array is full. */
static struct util_sb tagging_hazard(struct tagging_report *rep)
{
	struct util_sb sb;
	if (rep == NULL || rep->hazard_count >= TAGGING_MAX_HAZARDS)
		util_sb_init(&sb, NULL, 0);
	else
		util_sb_init(&sb, rep->hazards[rep->hazard_count], TAGGING_MESSAGE_MAX);
	if (rep != NULL)
		rep->hazard_count++;
	return sb;
}

/* The firmware's map calls memory usable that parked APs still use: the TDX incident. */
static void tagging_check_usable(const struct tb_mem_entry *map, size_t count,
                                 const struct tb_mem_entry *region, struct tagging_report *rep)
{
	for (size_t i = 0; i < count; i++) {
		uint64_t first, last;
		if (map[i].type != TB_MEM_USABLE || !tagging_overlap(&map[i], region, &first, &last))
			continue;
		struct util_sb sb = tagging_hazard(rep);
		tagging_sb_range(&sb, first, last);
		util_sb_str(&sb, " is reported usable but parked APs use it (");
		tagging_sb_reason(&sb, region->reason);
		util_sb_str(&sb, ")");
	}
}

/* The loader placed one of its own allocations on memory parked APs use. */
static void tagging_check_alloc(const struct tb_mem_entry *alloc, const struct tb_mem_entry *held,
                                struct tagging_report *rep)
{
	uint64_t first, last;
	if (!tagging_overlap(alloc, held, &first, &last))
		return;
	struct util_sb sb = tagging_hazard(rep);
	util_sb_str(&sb, "loader allocation ");
	tagging_sb_range(&sb, alloc->base, tagging_last(alloc));
	util_sb_str(&sb, " (");
	tagging_sb_reason(&sb, alloc->reason);
	util_sb_str(&sb, ") overlaps AP-held memory ");
	tagging_sb_range(&sb, first, last);
	util_sb_str(&sb, " (");
	tagging_sb_reason(&sb, held->reason);
	util_sb_str(&sb, ")");
}

static void tagging_error(struct tagging_report *rep, const char *what,
                          const struct tb_mem_entry *region, enum tb_status st)
{
	if (rep == NULL)
		return;
	struct util_sb sb;
	util_sb_init(&sb, rep->error, TAGGING_MESSAGE_MAX);
	util_sb_str(&sb, "tagging: ");
	util_sb_str(&sb, what);
	if (region != NULL) {
		util_sb_char(&sb, ' ');
		tagging_sb_range(&sb, region->base, tagging_last(region));
		util_sb_str(&sb, " (");
		tagging_sb_reason(&sb, region->reason);
		util_sb_char(&sb, ')');
	}
	util_sb_str(&sb, ": ");
	util_sb_str(&sb, tb_status_str(st));
}

/* The mailbox sits in an ACPI NVS allocation that also holds the AP loop code (TDVF
 * relocates both there; background section 2). The ACPI table gives only the mailbox page,
 * so the allocation is the NVS entry of the firmware map around it. Tagged with after_type
 * NVS so it never becomes usable. */
static bool tagging_mailbox_allocation(const struct tb_mem_entry *map, size_t count,
                                       const struct tagging_input *in, struct tb_mem_entry *out)
{
	const struct acpi_info *acpi = in->acpi;
	if (acpi == NULL || !acpi->mp_wakeup_found || acpi->mailbox_address == 0)
		return false;
	for (size_t i = 0; i < count; i++) {
		const struct tb_mem_entry *e = &map[i];
		if (acpi->mailbox_address < e->base || acpi->mailbox_address > tagging_last(e))
			continue;
		if (e->type != TB_MEM_ACPI_NVS)
			return false;
		util_memset(out, 0, sizeof(*out));
		out->base = e->base;
		out->length = e->length;
		out->type = TB_MEM_AP_HELD;
		out->after_type = TB_MEM_ACPI_NVS;
		out->owner = TB_OWNER_FIRMWARE;
		out->reason = TB_REASON_AP_LOOP_CODE;
		out->reclaim = tagging_ap_reclaim(in);
		out->source = TB_SOURCE_EFI_MAP;
		return true;
	}
	return false;
}

enum tb_status tagging_apply(struct tb_mem_entry *map, size_t *count, size_t cap,
                             const struct tagging_input *in, struct tagging_report *rep)
{
	if (rep != NULL)
		util_memset(rep, 0, sizeof(*rep));
	if (map == NULL || count == NULL || in == NULL) {
		tagging_error(rep, "missing map or input", NULL, TB_ERR_NULL);
		return TB_ERR_NULL;
	}
	/* Slot 0 holds the mailbox allocation when there is one; it goes first so that the
	 * mailbox page's own tags (collected next) win inside it. */
	struct tb_mem_entry regions[TAGGING_MAX_REGIONS + 1u];
	size_t n = tagging_mailbox_allocation(map, *count, in, &regions[0]) ? 1u : 0u;
	size_t collected = 0;
	const char *why;
	enum tb_status st =
		tagging_collect_why(in, &regions[n], TAGGING_MAX_REGIONS, &collected, &why);
	if (st != TB_OK) {
		tagging_error(rep, why, NULL, st);
		return st;
	}
	n += collected;

	/* Hazards are judged against the firmware's map, before any tag changes it. The loader's
	 * parking area (AP_HELD, owner LOADER) is its own LoaderData, usable in the firmware's
	 * map by design: neither a hazard nor an allocation on top of AP memory. */
	for (size_t i = 0; i < n; i++) {
		bool parking =
			regions[i].type == TB_MEM_AP_HELD && regions[i].owner == TB_OWNER_LOADER;
		if (regions[i].type == TB_MEM_AP_HELD && !parking)
			tagging_check_usable(map, *count, &regions[i], rep);
		if (regions[i].source != TB_SOURCE_LOADER || parking)
			continue;
		for (size_t j = 0; j < n; j++)
			if (regions[j].type == TB_MEM_AP_HELD)
				tagging_check_alloc(&regions[i], &regions[j], rep);
	}

	for (size_t i = 0; i < n; i++) {
		st = tb_map_tag(map, count, cap, &regions[i]);
		if (st != TB_OK) {
			tagging_error(rep, "carving", &regions[i], st);
			return st;
		}
		if (rep != NULL)
			rep->regions++;
	}
	return TB_OK;
}
