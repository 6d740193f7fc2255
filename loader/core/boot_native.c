/* boot_native.c: what every boot tagboot does itself shares: ACPI, allocations, AP parking, tagging, final map, ExitBootServices, handoff. */
#include "boot_native.h"

#include "tdvf.h"

#include "boot_attempt.h"
#include "boot_log.h"
#include "efimap.h"
#include "pagetable.h"
#include "sha256.h"
#include "util.h"
#include "wallclock.h"

struct util_sb *boot_native_err_begin(struct boot_native_err *err, const char *file)
{
	err->file = file;
	util_sb_init(&err->sb, err->text, sizeof(err->text));
	return &err->sb;
}

/* Print the error line and give back every page taken so far (before ExitBootServices). */
static bool boot_native_fail(struct boot_native *bn, struct boot_native_err *err)
{
	boot_log_error(bn->fw, bn->entry->id, err->file, err->text);
	exitbs_free_map(bn->fw, &bn->map);
	boot_alloc_free_all(bn->fw, &bn->allocs);
	return false;
}

void boot_native_sb_range(struct util_sb *sb, uint64_t base, uint64_t end)
{
	util_sb_hex(sb, base);
	util_sb_char(sb, '-');
	util_sb_hex(sb, end - 1);
}

/* Allocate (anywhere, or ending at or below max when max != 0) and remember, or say which
 * allocation failed and why. */
bool boot_native_alloc(struct boot_native *bn, struct boot_native_err *err, const char *what,
                       uint64_t pages, uint32_t kind, uint64_t max, uint64_t *addr)
{
	*addr = max;
	enum fw_status st = boot_alloc_pages(bn->fw, &bn->allocs,
	                                     max ? FW_ALLOC_MAX_ADDRESS : FW_ALLOC_ANY, pages, kind,
	                                     addr);
	if (st == FW_OK)
		return true;
	*addr = 0;
	struct util_sb *sb = boot_native_err_begin(err, bn->entry->path);
	util_sb_str(sb, "cannot allocate ");
	util_sb_u64(sb, pages);
	util_sb_str(sb, " pages ");
	if (max) {
		util_sb_str(sb, "below ");
		util_sb_hex(sb, max + 1);
		util_sb_char(sb, ' ');
	}
	util_sb_str(sb, "for the ");
	util_sb_str(sb, what);
	util_sb_str(sb, ": ");
	util_sb_str(sb, fw_status_str(st));
	return false;
}

/* Compare a file's SHA-256 with its pin; on mismatch the reason names both digests. */
bool boot_native_check_pin(const void *data, uint64_t size, const uint8_t pin[32],
                                  struct boot_native_err *err, const char *file)
{
	uint8_t got[SHA256_DIGEST_SIZE];
	sha256_digest(data, (size_t)size, got);
	if (sha256_equal(got, pin))
		return true;
	char hex[SHA256_HEX_SIZE + 1];
	struct util_sb *sb = boot_native_err_begin(err, file);
	util_sb_str(sb, "SHA-256 mismatch: expected ");
	sha256_format_hex(pin, hex);
	util_sb_str(sb, hex);
	util_sb_str(sb, ", file has ");
	sha256_format_hex(got, hex);
	util_sb_str(sb, hex);
	return false;
}

/* Read a whole file into remembered pages of the given kind. */
bool boot_native_read(struct boot_native *bn, struct boot_native_err *err,
                             const char *path, uint32_t kind, uint64_t *addr, uint64_t *size)
{
	enum fw_status st = bn->fw->read_file(bn->fw, path, addr, size);
	if (st != FW_OK) {
		struct util_sb *sb = boot_native_err_begin(err, path);
		const char *why = fw_file_error_str(st);
		util_sb_str(sb, why ? why : "cannot read: ");
		if (!why)
			util_sb_str(sb, fw_status_str(st));
		return false;
	}
	if (!boot_alloc_adopt(&bn->allocs, *addr, fw_pages_for(*size), kind)) {
		bn->fw->free_pages(bn->fw, *addr, fw_pages_for(*size));
		util_sb_str(boot_native_err_begin(err, path), "too many loader allocations");
		return false;
	}
	return true;
}

/* Where the TDX AP memory tags come from: the firmware's own TDX metadata, or the quirk table
 * of tagging.c when the metadata could not be read. */
static void boot_native_log_tdvf(struct boot_native *bn)
{
	const struct boot_facts *f = bn->facts;
	struct boot_log_line line;
	boot_log_begin(&line, false);
	if (f->tdvf_region_count > 0) {
		util_sb_str(&line.sb, "TDX: ");
		util_sb_u64(&line.sb, f->tdvf_region_count);
		util_sb_str(&line.sb, " AP memory regions from the firmware's TDX metadata");
	} else {
		util_sb_str(&line.sb, "TDX: firmware TDX metadata not used (");
		util_sb_str(&line.sb, f->tdvf_read_done ? tdvf_status_str((enum tdvf_status)f->tdvf_status)
		                                        : "not read");
		util_sb_str(&line.sb, "); tagging from the documented TDVF layout (quirk table)");
	}
	boot_log_end(bn->fw, &line);
}

/*
 * A broken ACPI walk only costs the MP record on ordinary machines, but on TDX the MADT
 * mailbox is what tells tagging which memory the parked APs still use: booting without it
 * would hand that memory out as free, so there it is fatal.
 */
static bool boot_native_acpi(struct boot_native *bn, struct boot_native_err *err)
{
	const struct boot_facts *f = bn->facts;
	bool tdx = f->platform.kind == TB_PLATFORM_TDX;
	if (!f->rsdp || !f->acpi_mem) {
		if (tdx) {
			util_sb_str(boot_native_err_begin(err, "ACPI"),
			            "no RSDP in the configuration table on a TDX guest");
			return false;
		}
		boot_log(bn->fw, "no ACPI RSDP: booting without CPU list");
		return true;
	}
	if (tdx)
		boot_native_log_tdvf(bn);
	if (acpi_parse(f->acpi_mem, f->rsdp, &bn->acpi)) {
		bn->acpi_ok = true;
		return true;
	}
	if (tdx) {
		util_sb_str(boot_native_err_begin(err, "ACPI"), bn->acpi.error);
		return false;
	}
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "warning: ACPI: ");
	util_sb_str(&line.sb, bn->acpi.error);
	util_sb_str(&line.sb, "; booting without CPU list");
	boot_log_end(bn->fw, &line);
	return true;
}

/* Descriptors in the current map and the highest address it describes. Reads the map into a
 * temporary buffer that is freed again before returning. */
static bool boot_native_probe_map(struct boot_native *bn, struct boot_native_err *err,
                                  uint64_t *descs, uint64_t *desc_size, uint64_t *top)
{
	uint64_t size = 0, key = 0;
	uint32_t version = 0;
	uint8_t probe = 0;
	*desc_size = 0;
	enum fw_status st = bn->fw->get_memory_map(bn->fw, &probe, &size, &key, desc_size, &version);
	if (st == FW_BUFFER_TOO_SMALL && *desc_size >= EFIMAP_DESC_MIN_SIZE) {
		uint64_t pages = fw_pages_for(size + BOOT_NATIVE_DESC_MARGIN * *desc_size);
		uint64_t buf = 0;
		st = bn->fw->allocate_pages(bn->fw, FW_ALLOC_ANY, FW_MEM_LOADER_DATA, pages, &buf);
		if (st == FW_OK) {
			size = pages * FW_PAGE_SIZE;
			st = bn->fw->get_memory_map(bn->fw, (void *)(uintptr_t)buf, &size, &key,
			                            desc_size, &version);
			*top = 0;
			struct efimap_desc d;
			for (size_t i = 0; st == FW_OK &&
			     efimap_get((void *)(uintptr_t)buf, size, *desc_size, i, &d); i++) {
				uint64_t end = d.phys_start + d.pages * FW_PAGE_SIZE;
				if (end > *top)
					*top = end;
			}
			*descs = st == FW_OK ? size / *desc_size : 0;
			bn->fw->free_pages(bn->fw, buf, pages);
		}
	} else if (st == FW_BUFFER_TOO_SMALL) {
		st = FW_OTHER;
	}
	if (st == FW_OK)
		return true;
	struct util_sb *sb = boot_native_err_begin(err, "memory map");
	util_sb_str(sb, "GetMemoryMap failed: ");
	util_sb_str(sb, fw_status_str(st));
	return false;
}

/* Handoff kernels: null, 64-bit code (0x08), data (0x10). Linux (boot.rst, 64-bit entry):
 * code at __BOOT_CS (0x10) and data at __BOOT_DS (0x18), 0x08 unused. The GDTR follows the
 * descriptors at offset 32. */
static void boot_native_write_gdt(struct boot_native *bn)
{
	uint64_t *gdt = (uint64_t *)(uintptr_t)bn->gdt_addr;
	const uint64_t code = 0x00af9a000000ffffull; /* present, ring 0, code, L=1 */
	const uint64_t data = 0x00cf92000000ffffull; /* present, ring 0, data, writable, 4 GiB */
	util_memset(gdt, 0, FW_PAGE_SIZE);
	unsigned descs;
	if (bn->is_linux) {
		gdt[BOOT_LINUX_CS / 8] = code;
		gdt[BOOT_LINUX_DS / 8] = data;
		descs = 4;
	} else {
		gdt[BOOT_NATIVE_CS / 8] = code;
		gdt[BOOT_NATIVE_DS / 8] = data;
		descs = 3;
	}
	uint8_t *gdtr = (uint8_t *)(uintptr_t)bn->gdt_addr + 32;
	uint16_t limit = (uint16_t)(descs * 8 - 1);
	util_memcpy(gdtr, &limit, 2);
	util_memcpy(gdtr + 2, &bn->gdt_addr, 8);
	bn->gdtr_addr = bn->gdt_addr + 32;
}

static bool boot_native_page_tables(struct boot_native *bn, struct boot_native_err *err,
                                    uint64_t map_top)
{
	struct pagetable_range ranges[ELF_MAX_SEGMENTS];
	for (size_t i = 0; i < bn->elf.segment_count; i++) {
		ranges[i].vaddr = bn->elf.segments[i].vaddr;
		ranges[i].paddr = bn->elf.segments[i].paddr;
		ranges[i].length = bn->elf.segments[i].memsz;
	}
	uint64_t top = pagetable_identity_top(map_top);
	bn->pt_pages = pagetable_pool_pages(top, ranges, bn->elf.segment_count);
	/* The direct map covers what the identity map covers: all of the memory map. */
	if (bn->grant.direct_map) {
		bn->direct_map_size = top;
		bn->pt_pages += pagetable_direct_pages(top);
	}
	if (!boot_native_alloc(bn, err, "page tables", bn->pt_pages, TAGGING_ALLOC_PAGE_TABLES, 0,
	                       &bn->pt_addr))
		return false;
	struct pagetable_pool pool = {
		.mem = (uint8_t *)(uintptr_t)bn->pt_addr,
		.phys = bn->pt_addr,
		.pages = bn->pt_pages,
	};
	enum pagetable_status st =
		pagetable_build(&pool, top, ranges, bn->elf.segment_count, &bn->cr3);
	bool direct = false;
	if (st == PAGETABLE_OK && bn->grant.direct_map) {
		direct = true;
		st = pagetable_map_direct(&pool, bn->cr3, bn->grant.direct_map_offset, top);
	}
	if (st == PAGETABLE_OK)
		return true;
	struct util_sb *sb = boot_native_err_begin(err, bn->entry->path);
	if (direct) {
		util_sb_str(sb, "request note: direct map at ");
		boot_native_sb_range(sb, bn->grant.direct_map_offset, bn->grant.direct_map_offset + top);
		util_sb_str(sb, st == PAGETABLE_ERR_CONFLICT ? ": overlaps the kernel's segments ("
		                                             : ": cannot be mapped (");
	} else {
		util_sb_str(sb, "page tables: ");
	}
	util_sb_str(sb, pagetable_status_str(st));
	if (direct)
		util_sb_char(sb, ')');
	return false;
}

/* Handoff blob, map entries, conversion scratch, stack, GDT and page tables. */
static bool boot_native_allocate(struct boot_native *bn, struct boot_native_err *err)
{
	uint64_t descs = 0, desc_size = 0, top = 0;
	if (!boot_native_probe_map(bn, err, &descs, &desc_size, &top))
		return false;
	bn->max_descs = descs + BOOT_NATIVE_DESC_MARGIN;
	bn->desc_size = desc_size;
	size_t cpus = bn->acpi_ok ? bn->acpi.cpu_count : 0;
	size_t cmdline_len = util_strlen(bn->entry->options);
	bn->handoff_cap = boot_handoff_blob_size((size_t)bn->max_descs, (size_t)desc_size, cpus,
	                                         cmdline_len, bn->modules, bn->module_count);
	bn->entries_cap = boot_handoff_entries_cap((size_t)bn->max_descs);
	bn->scratch_size = efimap_build_scratch_size((size_t)(bn->max_descs * desc_size),
	                                             (size_t)desc_size);
	bn->stack_size = bn->grant.stack_size; /* kernel_request_resolve: the note's or the default */
	if (!boot_native_alloc(bn, err, "handoff", fw_pages_for(bn->handoff_cap),
	                       TAGGING_ALLOC_HANDOFF, 0, &bn->handoff_addr) ||
	    !boot_native_alloc(bn, err, "map entries",
	                       fw_pages_for(bn->entries_cap * sizeof(struct tb_mem_entry)),
	                       BOOT_ALLOC_SCRATCH, 0, &bn->entries_addr) ||
	    !boot_native_alloc(bn, err, "conversion scratch", fw_pages_for(bn->scratch_size),
	                       BOOT_ALLOC_SCRATCH, 0, &bn->scratch_addr) ||
	    !boot_native_alloc(bn, err, "stack", fw_pages_for(bn->stack_size),
	                       TAGGING_ALLOC_STACK, 0, &bn->stack_addr) ||
	    !boot_native_alloc(bn, err, "GDT", 1, TAGGING_ALLOC_GDT, 0, &bn->gdt_addr))
		return false;
	bn->stack_top = bn->stack_addr + bn->stack_size;
	boot_native_write_gdt(bn);
	return boot_native_page_tables(bn, err, top);
}

/* TSC ticks per millisecond, measured against the firmware's Stall, for the waits of AP
 * parking after ExitBootServices (no Stall then). A busy host that deschedules the CPU
 * can only make a measurement longer: keep the shortest of three 1 ms stalls (5 ms ones cost
 * ~1.4e7 instructions per boot, docs/performance.md). 0 when there is no TSC reader. */
static uint64_t boot_native_tsc_per_ms(struct boot_native *bn)
{
	uint64_t (*tsc)(void) = bn->facts->read_tsc;
	uint64_t best = 0;
	for (int i = 0; tsc && i < 3; i++) {
		uint64_t start = tsc();
		bn->fw->stall(bn->fw, 1000);
		uint64_t ticks = tsc() - start;
		if (best == 0 || ticks < best)
			best = ticks;
	}
	return best;
}

/* `ap-park mailbox`: choose the APs and place the parking area below 1 MiB. A firmware that
 * parks the APs itself (MADT MP wakeup, as TDVF) keeps them: INIT-SIPI-SIPI does not work
 * there, so the key is ignored with a warning; so it is without a CPU list or APs. */
static bool boot_native_plan_parking(struct boot_native *bn, struct boot_native_err *err)
{
	if (bn->grant.ap_park == CONFIG_AP_PARK_NONE)
		return true;
	const char *skip = NULL;
	if (!bn->acpi_ok || !bn->acpi.madt_found)
		skip = "no MADT, no CPU list";
	else if (bn->acpi.mp_wakeup_found)
		skip = "the firmware parks the APs on its own MP wakeup mailbox";
	const char *why = NULL;
	if (!skip && !appark_select(&bn->acpi, bn->facts->bsp_apic_id, &bn->park, &why)) {
		util_sb_str(boot_native_err_begin(err, "ap-park"), why);
		return false;
	}
	if (!skip && bn->park.ap_count == 0)
		skip = "no APs in the MADT";
	if (skip) {
		struct boot_log_line line;
		boot_log_begin(&line, false);
		util_sb_str(&line.sb, "warning: ap-park mailbox ignored: ");
		util_sb_str(&line.sb, skip);
		boot_log_end(bn->fw, &line);
		return true;
	}
	/* Low part below 1 MiB; high part as high below 4 GiB as the firmware gives, so that it
	 * lies far from the low part (appark.h explains why). */
	uint64_t high_pages = appark_high_pages(bn->park.ap_count);
	uint64_t low = APPARK_LOW_LIMIT - 1u, high = APPARK_HIGH_LIMIT - 1u;
	const char *part = "mailbox and trampoline below 1 MiB";
	uint64_t pages = APPARK_LOW_PAGES;
	enum fw_status st = boot_alloc_pages(bn->fw, &bn->allocs, FW_ALLOC_MAX_ADDRESS, pages,
	                                     BOOT_ALLOC_SCRATCH, &low);
	if (st == FW_OK) {
		part = "parking code, page tables and stacks below 4 GiB";
		pages = high_pages;
		st = boot_alloc_pages(bn->fw, &bn->allocs, FW_ALLOC_MAX_ADDRESS, pages,
		                      BOOT_ALLOC_SCRATCH, &high);
	}
	if (st != FW_OK) {
		struct util_sb *sb = boot_native_err_begin(err, "ap-park");
		util_sb_str(sb, "cannot allocate ");
		util_sb_u64(sb, pages);
		util_sb_str(sb, " pages for the AP ");
		util_sb_str(sb, part);
		util_sb_str(sb, ": ");
		util_sb_str(sb, fw_status_str(st));
		return false;
	}
	if (!appark_place(&bn->park, low, high, &why)) {
		util_sb_str(boot_native_err_begin(err, "ap-park"), why);
		return false;
	}
	bn->park_region_count = appark_regions(&bn->park, bn->park_regions, APPARK_REGION_COUNT);
	bn->park.tsc_per_ms = bn->tsc_per_ms;
	bn->parking = true;
	if (bn->grant.ap_park == CONFIG_AP_PARK_MAILBOX_UNREPORTED)
		boot_log(bn->fw, "warning: ap-park mailbox-unreported: tagboot LIES ON PURPOSE: the APs are "
		                 "parked, but their mailbox, code, page tables and stacks are reported "
		                 "to the kernel as usable memory (emulating TDVF before "
		                 "edk2-stable202411); a kernel that trusts the map will destroy them");
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "ap-park: ");
	util_sb_u64(&line.sb, bn->park.ap_count);
	util_sb_str(&line.sb, " APs, mailbox ");
	util_sb_hex(&line.sb, bn->park.mailbox);
	util_sb_str(&line.sb, ", trampoline ");
	util_sb_hex(&line.sb, bn->park.trampoline);
	util_sb_str(&line.sb, ", code, page tables and stacks ");
	boot_native_sb_range(&line.sb, bn->park.high_base,
	                     bn->park.high_base + high_pages * FW_PAGE_SIZE);
	boot_log_end(bn->fw, &line);
	return true;
}

/* What tagging carves into the final map: everything allocated that outlives the loader. */
static void boot_native_fill_tagging(struct boot_native *bn)
{
	size_t n = boot_alloc_tagged(&bn->allocs, bn->tag_allocs, BOOT_ALLOC_MAX);
	if (bn->facts->has_framebuffer && n < BOOT_ALLOC_MAX && bn->facts->framebuffer.size) {
		bn->tag_allocs[n].base = bn->facts->framebuffer.address & ~(FW_PAGE_SIZE - 1);
		bn->tag_allocs[n].length = bn->facts->framebuffer.address + bn->facts->framebuffer.size -
		                           bn->tag_allocs[n].base;
		bn->tag_allocs[n].kind = TAGGING_ALLOC_FRAMEBUFFER;
		n++;
	}
	util_memset(&bn->tagging, 0, sizeof(bn->tagging));
	bn->tagging.acpi = bn->acpi_ok ? &bn->acpi : NULL;
	bn->tagging.platform_kind = bn->facts->platform.kind;
	bn->tagging.tdvf_regions = bn->facts->tdvf_regions;
	bn->tagging.tdvf_region_count = bn->facts->tdvf_region_count;
	bn->tagging.reserves = bn->entry->reserves;
	bn->tagging.reserve_count = bn->entry->reserve_count;
	bn->tagging.allocs = bn->tag_allocs;
	bn->tagging.alloc_count = n;
	/* mailbox-unreported: the area stays untagged, so the map calls it usable. */
	bool tag_parking = bn->parking && bn->grant.ap_park == CONFIG_AP_PARK_MAILBOX;
	bn->tagging.parking_regions = tag_parking ? bn->park_regions : NULL;
	bn->tagging.parking_region_count = tag_parking ? bn->park_region_count : 0;
}

/* The 1.1 records that describe the boot rather than the map: kernel image and stack, boot
 * device, TSC, the request and its grant. */
static void boot_native_fill_records(struct boot_native *bn)
{
	const struct boot_facts *f = bn->facts;
	struct tb_rec_kernel *k = &bn->kernel_rec;
	util_memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < bn->elf.segment_count; i++) {
		const struct elf_segment *seg = &bn->elf.segments[i];
		if (seg->paddr == bn->elf.phys_low)
			k->virt_base = seg->vaddr;
	}
	k->phys_base = bn->elf.phys_low;
	k->size = bn->elf.phys_high - bn->elf.phys_low;
	k->entry = bn->entry_point;
	k->stack_base = bn->stack_addr;
	k->stack_size = bn->stack_size;

	const struct boot_volume_id *v = bn->entry->on_xbootldr ? &f->xbootldr_id : &f->esp_id;
	struct tb_rec_boot_device *bd = &bn->boot_device_rec;
	util_memset(bd, 0, sizeof(*bd));
	if (v->gpt) {
		util_memcpy(bd->partition_guid, v->partition_guid, 16);
		bd->partition_number = v->partition_number;
		bd->flags |= TB_BOOT_DEVICE_F_GPT;
	}
	if (v->has_disk_guid) {
		util_memcpy(bd->disk_guid, v->disk_guid, 16);
		bd->flags |= TB_BOOT_DEVICE_F_DISK_GUID;
	}
	if (bn->entry->on_xbootldr)
		bd->flags |= TB_BOOT_DEVICE_F_XBOOTLDR;

	/* CPUID's statement when the CPU makes one, else what the Stall measurement found. */
	struct tb_rec_tsc *t = &bn->tsc_rec;
	util_memset(t, 0, sizeof(*t));
	if (f->tsc_hz_cpuid) {
		t->frequency_hz = f->tsc_hz_cpuid;
		t->source = TB_TSC_SOURCE_CPUID_15H;
	} else if (bn->tsc_per_ms) {
		t->frequency_hz = bn->tsc_per_ms * 1000u;
		t->source = TB_TSC_SOURCE_FIRMWARE_STALL;
	}
	t->flags = f->tsc_invariant ? TB_TSC_F_INVARIANT : 0u;

	struct tb_rec_request *r = &bn->request_rec;
	const struct kernel_request_grant *g = &bn->grant;
	util_memset(r, 0, sizeof(*r));
	r->flags = (g->found ? TB_REQUEST_F_NOTE_FOUND : 0u) |
	           (g->ap_park_from_entry ? TB_REQUEST_F_ENTRY_AP_PARK : 0u);
	r->asked = g->asked;
	r->granted_minor = TB_VERSION_MINOR;
	r->granted_ap_park = bn->parking ? TB_REQ_AP_PARK_MAILBOX : TB_REQ_AP_PARK_NONE;
	r->granted_framebuffer = f->has_framebuffer && g->framebuffer;
	r->granted_direct_map = g->direct_map;
	r->granted_stack_size = bn->stack_size;
	r->granted_direct_map_offset = g->direct_map ? g->direct_map_offset : 0;
}

/* The firmware clock, read as late as boot services allow: right before the rehearsal. */
static void boot_native_read_time(struct boot_native *bn)
{
	struct boot_time bt;
	bn->have_time = false;
	if (!bn->facts->read_time)
		return;
	bn->facts->read_time(&bt);
	struct tb_rec_time *t = &bn->time_rec;
	util_memset(t, 0, sizeof(*t));
	t->year = bt.year;
	t->month = bt.month;
	t->day = bt.day;
	t->hour = bt.hour;
	t->minute = bt.minute;
	t->second = bt.second;
	t->nanosecond = bt.nanosecond;
	t->daylight = bt.daylight;
	t->time_zone = bt.time_zone;
	t->tsc = bt.tsc;
	if (bt.time_zone == WALLCLOCK_ZONE_UNSPECIFIED)
		t->flags |= TB_TIME_F_ZONE_UNSPECIFIED;
	if (bt.valid && wallclock_unix_seconds(bt.year, bt.month, bt.day, bt.hour, bt.minute,
	                                       bt.second, bt.time_zone, &t->unix_seconds))
		t->flags |= TB_TIME_F_VALID;
	bn->have_time = bt.valid;
}

bool boot_native_prepare(struct boot_native *bn, struct fw *fw, const struct config_entry *entry,
                         const struct boot_facts *facts)
{
	util_memset(bn, 0, sizeof(*bn));
	bn->fw = fw;
	bn->entry = entry;
	bn->facts = facts;
	bn->convert_status = TB_OK;
	bn->is_linux = entry->kind == CONFIG_KIND_LINUX;
	struct boot_native_err err;
	boot_native_err_begin(&err, NULL);
	/* Linux has no request note: the entry alone decides (boot_elf.c reads a kernel's note). */
	if (bn->is_linux)
		kernel_request_resolve(NULL, false, entry, facts->has_framebuffer, &bn->grant, &err.sb);
	bool loaded = bn->is_linux ? boot_linux_load(bn, &err) : boot_elf_load(bn, &err);
	if (!loaded || !boot_native_acpi(bn, &err) || !boot_native_allocate(bn, &err))
		return boot_native_fail(bn, &err);
	bn->tsc_per_ms = boot_native_tsc_per_ms(bn);
	if (!boot_native_plan_parking(bn, &err) || (bn->is_linux && !boot_linux_prepare(bn, &err)))
		return boot_native_fail(bn, &err);
	boot_native_fill_records(bn);
	if (!bn->is_linux)
		boot_elf_log_loaded(bn);
	boot_native_fill_tagging(bn);
	/* The map buffer comes last so that its slack only absorbs the firmware's changes. */
	enum fw_status st = FW_OK;
	enum exitbs_error xe = exitbs_alloc_map(fw, &bn->map, &st);
	if (xe != EXITBS_OK) {
		struct util_sb *sb = boot_native_err_begin(&err, "memory map");
		util_sb_str(sb, exitbs_error_str(xe));
		util_sb_str(sb, ": ");
		util_sb_str(sb, fw_status_str(st));
		return boot_native_fail(bn, &err);
	}
	return true;
}

/*
 * Right after ExitBootServices, before the handoff is built: start the APs into the parking
 * area, so that the tags can say what the parking really left live. Once every AP has reached
 * the loop nothing runs the trampoline again: it is then not AP-held (poisoning it could never
 * make a boot fail) and stays untagged loader memory; if an AP did not arrive it may still be
 * on its way through the trampoline, which then stays AP-held with the rest.
 */
static void boot_native_park_now(struct boot_native *bn)
{
	const struct boot_facts *f = bn->facts;
	if (!bn->parking || !f->park_aps)
		return;
	bn->tsc_park_start = f->read_tsc ? f->read_tsc() : 0;
	f->park_aps(&bn->park, &bn->park_result);
	bn->tsc_park_end = f->read_tsc ? f->read_tsc() : 0;
	if (bn->park_result.missing != 0 || bn->park_result.error || !bn->tagging.parking_regions)
		return;
	size_t n = 0;
	for (size_t i = 0; i < bn->park_region_count; i++) {
		const struct tb_mem_entry *r = &bn->park_regions[i];
		if (r->base == bn->park.trampoline && r->reason == TB_REASON_AP_LOOP_CODE)
			continue;
		bn->park_regions[n++] = *r;
	}
	bn->park_region_count = n;
	bn->tagging.parking_region_count = n;
}

/* The handoff (and for Linux the e820, EFI map and zero page) from one map: no firmware
 * calls, no output. Used by the rehearsal before ExitBootServices and by the real build after
 * it, so that both run the very same code. */
static bool boot_native_build(struct boot_native *bn, const struct exitbs_map *map)
{
	const struct boot_facts *f = bn->facts;
	struct boot_handoff_in in;
	util_memset(&in, 0, sizeof(in));
	util_memset(&bn->out, 0, sizeof(bn->out));
	bn->convert_status = TB_OK;
	in.efi_map = (const void *)(uintptr_t)map->buf_addr;
	in.map_size = (size_t)map->size;
	in.desc_size = (size_t)map->desc_size;
	in.desc_version = map->desc_version;
	in.entries = (struct tb_mem_entry *)(uintptr_t)bn->entries_addr;
	in.entries_cap = (size_t)bn->entries_cap;
	in.scratch = (void *)(uintptr_t)bn->scratch_addr;
	in.scratch_size = (size_t)bn->scratch_size;
	in.blob = (void *)(uintptr_t)bn->handoff_addr;
	in.blob_cap = (size_t)bn->handoff_cap;
	in.flags = TB_FLAG_BOOT_SERVICES_EXITED | (f->secure_boot ? TB_FLAG_SECURE_BOOT : 0u) |
	           (bn->parking ? TB_FLAG_APS_PARKED_BY_LOADER : 0u);
	in.parked_mailbox = bn->parking ? bn->park.mailbox : 0;
	in.tagging = &bn->tagging;
	in.platform = &f->platform;
	in.rsdp_address = f->rsdp;
	in.acpi = bn->acpi_ok ? &bn->acpi : NULL;
	in.bsp_apic_id = f->bsp_apic_id;
	in.cmdline = bn->entry->options;
	in.modules = bn->modules;
	in.module_count = bn->module_count;
	in.system_table = f->system_table;
	in.tsc_loader_entry = f->tsc_entry;
	in.tsc_before_exit = bn->tsc_before_exit;
	in.framebuffer = f->has_framebuffer && bn->grant.framebuffer ? &f->framebuffer : NULL;
	in.kernel = bn->is_linux ? NULL : &bn->kernel_rec;
	in.direct_map_offset = bn->grant.direct_map_offset;
	in.direct_map_size = bn->grant.direct_map ? bn->direct_map_size : 0;
	in.full_efi_map = true;
	in.smbios_entry32 = f->smbios_entry32;
	in.smbios_entry64 = f->smbios_entry64;
	in.boot_device = &bn->boot_device_rec;
	in.boot_path = bn->entry->path;
	in.tsc = &bn->tsc_rec;
	in.time = bn->have_time ? &bn->time_rec : NULL;
	in.request = bn->is_linux ? NULL : &bn->request_rec;
	in.x2apic_mode = f->x2apic_mode;
	/* The blob was sized for max_descs descriptors of the probed size; a larger final map, or
	 * one whose descriptors grew, must not overrun it. */
	if (map->size > bn->max_descs * map->desc_size || map->desc_size > bn->desc_size) {
		bn->convert_status = TB_ERR_NO_SPACE;
		bn->out.failed_step = "map larger than planned";
		return false;
	}
	bn->convert_status = boot_handoff_build(&in, &bn->out);
	if (bn->convert_status != TB_OK)
		return false;
	if (bn->is_linux && !boot_linux_finish(bn, map)) {
		bn->convert_status = TB_ERR_NO_SPACE;
		return false;
	}
	return true;
}

/*
 * Runs after ExitBootServices: no output, and one firmware call, the runtime-services delete
 * of the boot-attempt record. It comes first, before the APs are parked: on QEMU a flash
 * write changes the memory map, which flushes every CPU's TLB, and parked APs must keep
 * running on what they cached (a poisoned page table must be found by their self-check, not
 * by a fault). The build it precedes was rehearsed; should it fail anyway, the caller
 * rewrites the record with the step.
 */
static bool boot_native_convert(void *ctx, const struct exitbs_map *map)
{
	struct boot_native *bn = ctx;
	boot_attempt_clear(bn->fw);
	boot_native_park_now(bn);
	return boot_native_build(bn, map);
}

/*
 * The rehearsal: everything the entry's input decides (tags, reserve lines, the handoff, for
 * Linux the e820 and zero page) is built once from the map as it is now, through the same
 * code as after ExitBootServices. Anything the input can make fail fails here, while tagboot
 * can still print a proper error and give everything back to the firmware. The real build
 * after the exit differs only by what the firmware changed in between (the slack absorbs it)
 * and by the parking, which can only drop the trampoline's tag. The map goes into the final
 * map buffer, so the rehearsal allocates nothing; what it wrote is rewritten by the real
 * build, except the zero page's setup_data chain, which is put back (it is prepended to).
 */
bool boot_native_rehearse(struct boot_native *bn)
{
	struct boot_native_err err;
	boot_native_read_time(bn);
	struct exitbs_map m = bn->map;
	uint64_t size = m.cap, key = 0;
	enum fw_status st = bn->fw->get_memory_map(bn->fw, (void *)(uintptr_t)m.buf_addr, &size,
	                                           &key, &m.desc_size, &m.desc_version);
	if (st != FW_OK) {
		struct util_sb *sb = boot_native_err_begin(&err, "memory map");
		util_sb_str(sb, "GetMemoryMap into the final buffer failed: ");
		util_sb_str(sb, fw_status_str(st));
		return boot_native_fail(bn, &err);
	}
	m.size = size;
	uint64_t setup_data = bn->is_linux ? boot_linux_setup_data(bn) : 0;
	bool ok = boot_native_build(bn, &m);
	if (bn->is_linux)
		boot_linux_set_setup_data(bn, setup_data);
	if (ok) {
		util_memset(&bn->out, 0, sizeof(bn->out));
		return true;
	}
	struct util_sb *sb = boot_native_err_begin(&err, bn->entry->path);
	util_sb_str(sb, "cannot build the handoff: ");
	util_sb_str(sb, bn->out.failed_step ? bn->out.failed_step : "handoff");
	if (bn->out.report.error[0]) {
		util_sb_str(sb, ": ");
		util_sb_str(sb, bn->out.report.error);
	}
	util_sb_str(sb, " (");
	util_sb_str(sb, tb_status_str(bn->convert_status));
	util_sb_char(sb, ')');
	return boot_native_fail(bn, &err);
}

/* After ExitBootServices and the handoff: stamp it with the parking times, say how the
 * parking went (UART only). */
static void boot_native_park_log(struct boot_native *bn)
{
	const struct boot_facts *f = bn->facts;
	if (!bn->parking || !f->park_aps)
		return;
	if (bn->out.timestamps) {
		bn->out.timestamps->tsc_ap_park_start = bn->tsc_park_start;
		bn->out.timestamps->tsc_ap_park_end = bn->tsc_park_end;
	}
	const struct appark_result *r = &bn->park_result;
	struct boot_log_line line;
	boot_log_begin(&line, false);
	if (r->error) {
		util_sb_str(&line.sb, "warning: ap-park: ");
		util_sb_str(&line.sb, r->error);
		boot_log_end(bn->fw, &line);
		boot_log_begin(&line, false);
	}
	util_sb_str(&line.sb, r->missing ? "warning: ap-park: " : "ap-park: ");
	util_sb_u64(&line.sb, r->arrived);
	util_sb_str(&line.sb, " of ");
	util_sb_u64(&line.sb, bn->park.ap_count);
	util_sb_str(&line.sb, " APs parked on mailbox ");
	util_sb_hex(&line.sb, bn->park.mailbox);
	util_sb_str(&line.sb, r->x2apic ? " (x2APIC) in " : " (xAPIC) in ");
	util_sb_u64(&line.sb, r->wait_ms);
	util_sb_str(&line.sb, " ms");
	for (uint32_t i = 0; i < r->missing; i++) {
		util_sb_str(&line.sb, i ? ", " : "; never arrived: apic id ");
		util_sb_u64(&line.sb, r->missing_ids[i]);
	}
	boot_log_end(bn->fw, &line);
}

enum exitbs_error boot_native_exit(struct boot_native *bn, enum fw_status *fw_err)
{
	const struct boot_facts *f = bn->facts;
	/* From here until the jump only firmware misbehaviour can fail the boot; should it, the
	 * record makes the next start fall back instead of repeating it (boot_attempt.h). */
	boot_attempt_record(bn->fw, bn->entry->id, BOOT_ATTEMPT_STEP_EXIT);
	bn->tsc_before_exit = f->read_tsc ? f->read_tsc() : 0;
	enum exitbs_error xe = exitbs_exit(bn->fw, &bn->map, boot_native_convert, bn, fw_err);
	if (xe == EXITBS_OK) {
		boot_native_park_log(bn);
		boot_handoff_stamp_jump((void *)(uintptr_t)bn->handoff_addr, bn->out.timestamps,
		                        f->read_tsc ? f->read_tsc() : 0);
		if (bn->is_linux)
			boot_linux_attach_handoff(bn);
		return EXITBS_OK;
	}
	/* Before the first ExitBootServices call the firmware is still whole: give it all back. */
	if (bn->map.attempts == 0) {
		boot_attempt_clear(bn->fw);
		exitbs_free_map(bn->fw, &bn->map);
		boot_alloc_free_all(bn->fw, &bn->allocs);
	}
	return xe;
}
