/* verify.c: checks each handoff 1.1 record against what the kernel can see for itself. */
#include "verify.h"

#include <stddef.h>

#include "acpi.h"
#include "console.h"
#include "cpu.h"
#include "mem.h"
#include "paging.h"
#include "result.h"
#include "timer.h"

extern const uint32_t kernel_request_stack_size; /* request.c */
extern uint64_t kernel_entry_rsp;                /* entry.S: RSP as the loader left it */
extern char _start[];

/* UEFI memory types that may hold memory the kernel is given as usable: loader code and
 * data, boot-services code and data, conventional memory (UEFI 2.10 table 7.10). */
static bool verify_efi_type_free_after_exit(uint32_t type)
{
	return type == 1 || type == 2 || type == 3 || type == 4 || type == 7;
}

static uint64_t verify_le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint32_t verify_le32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static const void *verify_record(const void *blob, uint16_t type, uint32_t size, const char *what)
{
	const void *r = tb_find_record(blob, type, size);
	if (r == NULL)
		result_fail("verify: no %s record in the handoff (the loader writes it in 1.1)", what);
	return r;
}

/* The request note (request.c) was found and granted as asked. */
static void verify_request(const void *blob)
{
	const struct tb_rec_request *r =
		verify_record(blob, TB_REC_REQUEST, sizeof(*r), "request");
	if (!(r->flags & TB_REQUEST_F_NOTE_FOUND))
		result_fail("verify: request: the loader did not find this kernel's request note");
	if (r->asked.min_minor != 1 || r->asked.direct_map != TB_REQ_DIRECT_MAP_YES ||
	    r->asked.stack_size != kernel_request_stack_size)
		result_fail("verify: request: the record's copy of the note differs from the note");
	if (r->granted_minor < r->asked.min_minor || !r->granted_direct_map ||
	    r->granted_stack_size < kernel_request_stack_size)
		result_fail("verify: request: granted minor %u, direct map %u, stack %lu: less than asked",
		            r->granted_minor, r->granted_direct_map, r->granted_stack_size);
	/* The framebuffer record is there exactly when the grant says so, and never when the
	 * note said none (kernel-nofb.elf). */
	bool fb = tb_find_record(blob, TB_REC_FRAMEBUFFER, sizeof(struct tb_rec_framebuffer)) != NULL;
	if (fb != (r->granted_framebuffer != 0) ||
	    (r->asked.framebuffer == TB_REQ_FRAMEBUFFER_NONE && fb) ||
	    (r->asked.framebuffer == TB_REQ_FRAMEBUFFER_REQUIRED && !fb))
		result_fail("verify: request: framebuffer asked %u, granted %u, record %s",
		            r->asked.framebuffer, r->granted_framebuffer, fb ? "present" : "absent");
	kprint("verify: request ok: note found, minor %u, direct map at 0x%lx, stack %lu KiB, "
	       "framebuffer %s (asked %u)\n", r->granted_minor, r->granted_direct_map_offset,
	       r->granted_stack_size >> 10, fb ? "passed" : "not passed", r->asked.framebuffer);
}

/* The kernel record against the image's own symbols and the entry RSP. */
static void verify_kernel(const void *blob)
{
	const struct tb_rec_kernel *k = verify_record(blob, TB_REC_KERNEL, sizeof(*k), "kernel");
	uint64_t virt = (uint64_t)(uintptr_t)__kernel_start;
	uint64_t phys = virt - PAGING_KERNEL_OFFSET;
	uint64_t size = (uint64_t)(uintptr_t)__kernel_end - virt;
	if (k->phys_base != phys || k->virt_base != virt || k->size != size ||
	    k->entry != (uint64_t)(uintptr_t)_start)
		result_fail("verify: kernel: record says phys 0x%lx virt 0x%lx size 0x%lx entry 0x%lx; "
		            "the image is at phys 0x%lx virt 0x%lx size 0x%lx entry 0x%lx",
		            k->phys_base, k->virt_base, k->size, k->entry, phys, virt, size,
		            (uint64_t)(uintptr_t)_start);
	if (k->stack_size != kernel_request_stack_size ||
	    kernel_entry_rsp != k->stack_base + k->stack_size - 8)
		result_fail("verify: kernel: stack 0x%lx + %lu, but RSP at entry was 0x%lx (asked %u bytes)",
		            k->stack_base, k->stack_size, kernel_entry_rsp, kernel_request_stack_size);
	kprint("verify: kernel ok: phys 0x%lx virt 0x%lx size 0x%lx, entry stack 0x%lx + %lu KiB\n",
	       k->phys_base, k->virt_base, k->size, k->stack_base, k->stack_size >> 10);
}

/*
 * Still on the loader's page tables: the direct map must show the same bytes as the identity
 * map (the handoff itself), and a write through it must land in the identity-mapped page
 * (the first page of each usable entry, restored afterwards).
 */
static void verify_direct_map(const void *blob, uint64_t handoff_phys)
{
	const struct tb_rec_direct_map *dm =
		verify_record(blob, TB_REC_DIRECT_MAP, sizeof(*dm), "direct-map");
	if (dm->offset != TB_DIRECT_MAP_DEFAULT_OFFSET || dm->page_size != (2u << 20))
		result_fail("verify: direct map at 0x%lx with %u-byte pages, asked for the default",
		            dm->offset, dm->page_size);
	const struct tb_rec_memmap *map = tb_memmap(blob);
	uint64_t top = 0;
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (e->type != TB_MEM_MMIO && e->base + e->length > top)
			top = e->base + e->length;
	}
	if (dm->size < top)
		result_fail("verify: direct map covers 0x%lx bytes, the map's RAM reaches 0x%lx",
		            dm->size, top);
	const uint8_t *direct = (const uint8_t *)(uintptr_t)(dm->offset + handoff_phys);
	if (memcmp(direct, (const void *)(uintptr_t)handoff_phys, sizeof(struct tb_header)) != 0)
		result_fail("verify: direct map: the handoff at 0x%lx reads differently through it",
		            handoff_phys);
	unsigned written = 0;
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (e->type != TB_MEM_USABLE || e->base == 0)
			continue;
		volatile uint64_t *through = (volatile uint64_t *)(uintptr_t)(dm->offset + e->base);
		volatile uint64_t *ident = (volatile uint64_t *)(uintptr_t)e->base;
		uint64_t saved = *ident;
		*through = 0x7461676256455249ull ^ e->base;
		uint64_t seen = *ident;
		*ident = saved;
		if (seen != (0x7461676256455249ull ^ e->base))
			result_fail("verify: direct map: a write to 0x%lx + 0x%lx did not reach 0x%lx",
			            dm->offset, e->base, e->base);
		written++;
	}
	kprint("verify: direct-map ok: 0x%lx bytes at 0x%lx, %u usable regions written through it\n",
	       dm->size, dm->offset, written);
}

/* Every usable byte of the handoff map is memory the full EFI map says is free once boot
 * services are gone; every runtime descriptor of the EFI record is in the full map. */
static void verify_efi_map(const void *blob)
{
	const struct tb_rec_efi_map *em = verify_record(blob, TB_REC_EFI_MAP, sizeof(*em), "efi-map");
	const uint8_t *d = (const uint8_t *)em + em->map_offset;
	const struct tb_rec_memmap *map = tb_memmap(blob);
	uint64_t usable = 0;
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (e->type != TB_MEM_USABLE)
			continue;
		uint64_t covered = 0;
		for (uint32_t k = 0; k < em->desc_count; k++) {
			const uint8_t *desc = d + (size_t)k * em->desc_size;
			uint64_t base = verify_le64(desc + 8), end = base + verify_le64(desc + 24) * 4096;
			uint64_t lo = base > e->base ? base : e->base;
			uint64_t hi = end < e->base + e->length ? end : e->base + e->length;
			if (lo >= hi)
				continue;
			if (!verify_efi_type_free_after_exit(verify_le32(desc)))
				result_fail("verify: efi-map: usable 0x%lx-0x%lx overlaps EFI type %u at 0x%lx",
				            e->base, e->base + e->length - 1, verify_le32(desc), base);
			covered += hi - lo;
		}
		if (covered != e->length)
			result_fail("verify: efi-map: usable 0x%lx-0x%lx: only 0x%lx bytes are in the EFI map",
			            e->base, e->base + e->length - 1, covered);
		usable += e->length;
	}
	const struct tb_rec_efi *rt = (const void *)tb_find_record(blob, TB_REC_EFI, sizeof(*rt));
	uint32_t found = 0;
	for (uint32_t r = 0; rt && r < rt->desc_count; r++) {
		const uint8_t *want = (const uint8_t *)rt + rt->map_offset + (size_t)r * rt->desc_size;
		for (uint32_t k = 0; k < em->desc_count; k++)
			if (memcmp(d + (size_t)k * em->desc_size, want, 40) == 0) {
				found++;
				break;
			}
	}
	if (rt && found != rt->desc_count)
		result_fail("verify: efi-map: %u of %u runtime descriptors are not in the full map",
		            rt->desc_count - found, rt->desc_count);
	kprint("verify: efi-map ok: %u descriptors of %u bytes; %lu usable KiB all free in it; %u "
	       "runtime descriptors in it\n", em->desc_count, em->desc_size, usable >> 10, found);
}

/* An entry point: its anchor, and its bytes (length at len_at) sum to 0. */
static bool verify_smbios_anchor(uint64_t addr, const char *anchor, size_t anchor_len,
                                 size_t len_at)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
	if (memcmp(p, anchor, anchor_len) != 0)
		return false;
	uint8_t sum = 0;
	for (unsigned i = 0; i < p[len_at]; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0 && p[len_at] >= 0x10;
}

static void verify_smbios(const void *blob)
{
	const struct tb_rec_smbios *sm = verify_record(blob, TB_REC_SMBIOS, sizeof(*sm), "smbios");
	if (sm->entry32 && !verify_smbios_anchor(sm->entry32, "_SM_", 4, 5))
		result_fail("verify: smbios: no valid \"_SM_\" entry point at 0x%lx", sm->entry32);
	if (sm->entry64 && !verify_smbios_anchor(sm->entry64, "_SM3_", 5, 6))
		result_fail("verify: smbios: no valid \"_SM3_\" entry point at 0x%lx", sm->entry64);
	if (!sm->entry32 && !sm->entry64)
		result_fail("verify: smbios: a record with neither entry point");
	kprint("verify: smbios ok: _SM_ at 0x%lx, _SM3_ at 0x%lx (anchors and checksums)\n",
	       sm->entry32, sm->entry64);
}

/* HPET (IA-PC HPET spec 1.0a): capabilities at 0 (counter period in femtoseconds in bits
 * 63:32), configuration at 0x10 (bit 0 runs the main counter), main counter at 0xf0. QEMU's
 * pc and q35 put it at the address the spec suggests; the loader's tables map it (0-4 GiB). */
#define VERIFY_HPET_BASE 0xfed00000ull
#define VERIFY_HPET_WINDOW_FS 100000000000000ull /* 100 ms */

/* TSC ticks per second against the HPET main counter, or 0 without one. Each end reads the
 * counter and the TSC back to back, so a vCPU the host deschedules in between the ends costs
 * nothing (the PIT's one-shot wait of timer.c cannot say that); the median of three windows
 * of 100 ms. */
static uint64_t verify_hpet_tsc_hz(void)
{
	volatile uint64_t *hpet = (volatile uint64_t *)(uintptr_t)VERIFY_HPET_BASE;
	uint64_t period = hpet[0] >> 32;
	if (period == 0 || period > 100000000ull) /* at most 100 ns per tick (the spec's limit) */
		return 0;
	hpet[0x10 / 8] |= 1u;
	uint64_t hz[3];
	for (int w = 0; w < 3; w++) {
		uint64_t c0 = hpet[0xf0 / 8], t0 = cpu_rdtsc(), c1 = c0, t1 = t0;
		uint64_t ticks = VERIFY_HPET_WINDOW_FS / period;
		for (uint64_t spin = 0; spin < 1000000000ull && c1 - c0 < ticks; spin++) {
			c1 = hpet[0xf0 / 8];
			t1 = cpu_rdtsc();
		}
		if (c1 - c0 < ticks)
			return 0;
		uint64_t ns = (c1 - c0) * period / 1000000u;
		hz[w] = (t1 - t0) * 1000000000ull / ns;
	}
	uint64_t lo = hz[0] < hz[1] ? hz[0] : hz[1], hi = hz[0] < hz[1] ? hz[1] : hz[0];
	return hz[2] < lo ? lo : hz[2] > hi ? hi : hz[2];
}

/* Against the HPET, within 5%; without an HPET, against the PIT calibration of timer.c, which
 * a busy host can only make too high: within 5% below and 100% above. */
static void verify_tsc(const void *blob)
{
	const struct tb_rec_tsc *t = verify_record(blob, TB_REC_TSC, sizeof(*t), "tsc");
	uint64_t ref = verify_hpet_tsc_hz();
	const char *by = "HPET";
	uint64_t below = 20, above = 20; /* 1/20 = 5% */
	if (ref == 0) {
		ref = timer_tsc_per_ms() * 1000u;
		by = "PIT";
		above = 1;
	}
	uint64_t f = t->frequency_hz;
	if (f == 0 || (f < ref && (ref - f) * below > ref) || (f > ref && (f - ref) * above > ref))
		result_fail("verify: tsc: the loader says %lu Hz (source %u), the %s %lu Hz", f, t->source,
		            by, ref);
	uint64_t diff = f > ref ? f - ref : ref - f;
	kprint("verify: tsc ok: %lu Hz (source %u), %s %lu Hz, %lu.%lu%% apart\n", f, t->source, by,
	       ref, diff * 100 / ref, diff * 1000 / ref % 10);
}

/* CMOS RTC (MC146818: index port 0x70, data 0x71), BCD or binary per register B. */
static uint8_t verify_cmos(uint8_t reg)
{
	cpu_outb(0x70, reg);
	return cpu_inb(0x71);
}

static unsigned verify_bcd(uint8_t v, bool binary)
{
	return binary ? v : (unsigned)(v >> 4) * 10u + (v & 15u);
}

/* Seconds since 1970 by counting whole years and months: a different way from the loader's
 * era arithmetic (wallclock.c), so the two check each other. */
static int64_t verify_unix(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int64_t total = 0;
	for (unsigned year = 1970; year < y; year++)
		total += ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0) ? 366 : 365;
	for (unsigned m = 1; m < mo; m++)
		total += days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	total += d - 1;
	return total * 86400 + h * 3600 + mi * 60 + s;
}

static int64_t verify_rtc_now(void)
{
	for (unsigned spin = 0; spin < 1000000u && (verify_cmos(0x0a) & 0x80); spin++)
		cpu_pause();
	uint8_t b = verify_cmos(0x0b);
	bool binary = b & 4;
	unsigned s = verify_bcd(verify_cmos(0), binary), mi = verify_bcd(verify_cmos(2), binary);
	uint8_t hr = verify_cmos(4);
	unsigned h = verify_bcd(hr & 0x7f, binary);
	if (!(b & 2) && (hr & 0x80)) /* 12-hour clock, PM */
		h = h % 12 + 12;
	unsigned d = verify_bcd(verify_cmos(7), binary), mo = verify_bcd(verify_cmos(8), binary);
	unsigned y = verify_bcd(verify_cmos(9), binary), c = verify_bcd(verify_cmos(0x32), binary);
	y += (c >= 19 && c <= 99) ? c * 100 : 2000;
	return verify_unix(y, mo, d, h, mi, s);
}

static void verify_time(const void *blob)
{
	const struct tb_rec_time *t = verify_record(blob, TB_REC_TIME, sizeof(*t), "time");
	if (!(t->flags & TB_TIME_F_VALID))
		result_fail("verify: time: the record is not valid (flags 0x%x)", t->flags);
	int64_t fields = verify_unix(t->year, t->month, t->day, t->hour, t->minute, t->second);
	if (t->time_zone != 2047)
		fields += (int64_t)t->time_zone * 60;
	if (fields != t->unix_seconds)
		result_fail("verify: time: %u-%u-%u %u:%u:%u is %ld s, the record says %ld",
		            t->year, t->month, t->day, t->hour, t->minute, t->second, fields,
		            t->unix_seconds);
	int64_t rtc = verify_rtc_now();
	int64_t since = (int64_t)((cpu_rdtsc() - t->tsc) / (timer_tsc_per_ms() * 1000u));
	int64_t gap = rtc - t->unix_seconds - since;
	if (gap < -5 || gap > 5)
		result_fail("verify: time: the loader read %ld, %ld s ago; the RTC says %ld now",
		            t->unix_seconds, since, rtc);
	kprint("verify: time ok: %u-%u-%u %u:%u:%u UTC = %ld, RTC %ld, %ld s later\n", t->year,
	       t->month, t->day, t->hour, t->minute, t->second, t->unix_seconds, rtc, since);
}

static const void *verify_acpi_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	return phys == 0 || phys + len < phys ? NULL : (const void *)(uintptr_t)phys;
}

/* The CPU list against this CPU: its APIC ID is the BSP's, its x2APIC mode the flag's, and
 * the enabled non-BSP entries are the APs of the 1.0 list. */
static void verify_cpus(const void *blob)
{
	const struct tb_rec_mp *mp = (const void *)tb_find_record(blob, TB_REC_MP, sizeof(*mp));
	if (mp == NULL || mp->hdr.version < 2)
		result_fail("verify: cpus: no version-2 MP record");
	uint32_t bsp = 0, aps = 0, x2 = 0;
	for (uint32_t i = 0; i < mp->cpu_count; i++) {
		const struct tb_mp_cpu *c = tb_mp_cpu_entry(mp, i);
		if (c->flags & TB_CPU_F_BSP) {
			bsp++;
			if (c->apic_id != cpu_apic_id() || c->apic_id != mp->bsp_apic_id)
				result_fail("verify: cpus: the BSP entry has APIC ID %u, this CPU is %u",
				            c->apic_id, cpu_apic_id());
		} else if (c->flags & TB_CPU_F_ENABLED) {
			aps++;
		}
		x2 += (c->flags & TB_CPU_F_X2APIC) != 0;
	}
	/* Entry by entry against this kernel's own walk of the MADT. */
	static struct acpi_info madt;
	const struct tb_rec_acpi *ac = (const void *)tb_find_record(blob, TB_REC_ACPI, sizeof(*ac));
	struct acpi_mem mem = {verify_acpi_map, NULL};
	if (ac == NULL || !acpi_parse(&mem, ac->rsdp_address, &madt) || !madt.madt_found)
		result_fail("verify: cpus: no MADT to compare the CPU list with");
	if (madt.cpu_count != mp->cpu_count)
		result_fail("verify: cpus: the MADT lists %zu processors, the record %u", madt.cpu_count,
		            mp->cpu_count);
	for (uint32_t i = 0; i < mp->cpu_count; i++) {
		const struct tb_mp_cpu *c = tb_mp_cpu_entry(mp, i);
		const struct acpi_cpu *m = &madt.cpus[i];
		uint32_t want = (m->flags & ACPI_CPU_ENABLED ? TB_CPU_F_ENABLED : 0u) |
		                (m->flags & ACPI_CPU_ONLINE_CAPABLE ? TB_CPU_F_ONLINE_CAPABLE : 0u) |
		                (m->x2apic ? TB_CPU_F_X2APIC : 0u);
		if (c->apic_id != m->apic_id || c->acpi_uid != m->uid ||
		    (c->flags & ~TB_CPU_F_BSP) != want)
			result_fail("verify: cpus: entry %u is apic %u uid %u flags 0x%x; the MADT says apic "
			            "%u uid %u flags 0x%x", i, c->apic_id, c->acpi_uid, c->flags, m->apic_id,
			            m->uid, want);
	}
	bool x2apic_mode = (cpu_rdmsr(0x1b) >> 10) & 1;
	if (bsp != 1 || aps != mp->ap_count ||
	    x2apic_mode != ((mp->flags & TB_MP_F_X2APIC_MODE) != 0))
		result_fail("verify: cpus: %u BSP entries, %u enabled APs for ap_count %u, x2APIC mode "
		            "%u but flag %u", bsp, aps, mp->ap_count, x2apic_mode,
		            (mp->flags & TB_MP_F_X2APIC_MODE) != 0);
	kprint("verify: cpus ok: %u MADT processors (APIC IDs, UIDs, flags as the MADT has them), BSP %u, %u APs, %u x2APIC entries, x2APIC mode %s\n",
	       mp->cpu_count, mp->bsp_apic_id, aps, x2, x2apic_mode ? "on" : "off");
}

static void verify_guid_text(const uint8_t g[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	int n = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[n++] = '-';
		out[n++] = hex[g[order[i]] >> 4];
		out[n++] = hex[g[order[i]] & 15];
	}
	out[n] = '\0';
}

static void verify_boot_device(const void *blob, const struct options *o)
{
	const struct tb_rec_boot_device *bd =
		verify_record(blob, TB_REC_BOOT_DEVICE, sizeof(*bd), "boot-device");
	const char *path = (const char *)bd + bd->path_offset;
	if (bd->path_length == 0 || path[0] != '/')
		result_fail("verify: boot-device: path \"%s\" is not an absolute path", path);
	if (o->expect_path && (bd->path_length != o->expect_path_len ||
	                       memcmp(path, o->expect_path, o->expect_path_len) != 0))
		result_fail("verify: boot-device: path \"%s\" is not the one of expect-boot-path=", path);
	char part[37], disk[37];
	verify_guid_text(bd->partition_guid, part);
	verify_guid_text(bd->disk_guid, disk);
	if (o->expect_partition && (!(bd->flags & TB_BOOT_DEVICE_F_GPT) ||
	                            memcmp(part, o->expect_partition, 36) != 0))
		result_fail("verify: boot-device: partition %s (flags 0x%x) is not the one of "
		            "expect-partition=", part, bd->flags);
	if (o->expect_disk && (!(bd->flags & TB_BOOT_DEVICE_F_DISK_GUID) ||
	                       memcmp(disk, o->expect_disk, 36) != 0))
		result_fail("verify: boot-device: disk %s (flags 0x%x) is not the one of expect-disk=",
		            disk, bd->flags);
	kprint("verify: boot-device ok: \"%s\", partition %u %s, disk %s, flags 0x%x\n", path,
	       bd->partition_number, part, disk, bd->flags);
}

/* check-modules: the test wrote each module's string as the first bytes of its file. */
static void verify_modules(const void *blob, const struct options *o)
{
	unsigned n = 0;
	for (const struct tb_record *r = tb_next_record(blob, NULL); r; r = tb_next_record(blob, r)) {
		if (r->type != TB_REC_MODULE)
			continue;
		const struct tb_rec_module *m = (const void *)r;
		const char *s = tb_module_string(m);
		const char *name = (const char *)m + m->name_offset;
		/* A version-1 record (another loader's) has no string: "" and length 0. */
		uint32_t slen = m->hdr.version >= 2 && m->hdr.size >= sizeof(*m) ? m->string_length : 0;
		if (o->check_modules &&
		    (slen == 0 || m->size < slen ||
		     memcmp((const void *)(uintptr_t)m->base, s, slen) != 0))
			result_fail("verify: modules: %s: string \"%s\" is not what the file begins with", name,
			            s);
		kprint("verify: module %s: string \"%s\"\n", name, s);
		n++;
	}
	if (o->check_modules && n == 0)
		result_fail("verify: modules: check-modules, but the handoff has no module");
	if (o->check_modules)
		kprint("verify: modules ok: %u strings match their files\n", n);
}

void verify_handoff_1_1(const void *blob, uint64_t handoff_phys, const struct options *o)
{
	const struct tb_header *h = blob;
	if (h->minor < 1)
		result_fail("verify: the loader wrote handoff 1.%u; this kernel's note asks for 1.1",
		            h->minor);
	verify_request(blob);
	verify_kernel(blob);
	verify_direct_map(blob, handoff_phys);
	verify_efi_map(blob);
	verify_smbios(blob);
	verify_tsc(blob);
	verify_time(blob);
	verify_cpus(blob);
	verify_boot_device(blob, o);
	verify_modules(blob, o);
	kprint("verify: handoff 1.1: every new record agrees with what this kernel sees\n");
}
