/* facts.c: what the native boot learns from the firmware and the CPU (RSDP, platform, GOP, ...). */
#include "efi_glue.h"

#include "platform.h"
#include "tdvf.h"
#include "util.h"

uint64_t facts_read_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static void facts_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	(void)ctx;
	__asm__ volatile("cpuid"
	                 : "=a"(regs[PLATFORM_EAX]), "=b"(regs[PLATFORM_EBX]),
	                   "=c"(regs[PLATFORM_ECX]), "=d"(regs[PLATFORM_EDX])
	                 : "a"(leaf), "c"(subleaf));
}

/* platform_detect only asks for MSRs that CPUID announced, so RDMSR cannot fault here. */
static bool facts_read_msr(void *ctx, uint32_t msr, uint64_t *value)
{
	(void)ctx;
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	*value = ((uint64_t)hi << 32) | lo;
	return true;
}

/* UEFI runs identity mapped (UEFI 2.10 2.3.4): a physical address is a pointer. */
static const void *facts_acpi_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	(void)len;
	return phys ? (const void *)(uintptr_t)phys : NULL;
}

static const struct acpi_mem facts_acpi_mem = {facts_acpi_map, NULL};

static bool facts_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return util_memcmp(a, b, sizeof(*a)) == 0;
}

/* ACPI 2.0+ RSDP first (it carries the XSDT), else the ACPI 1.0 one. */
static uint64_t facts_rsdp(EFI_SYSTEM_TABLE *st)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	const EFI_GUID *order[2] = {&acpi20, &acpi10};
	for (unsigned k = 0; k < 2; k++)
		for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
			if (facts_guid_eq(&st->ConfigurationTable[i].VendorGuid, order[k]))
				return (uint64_t)(uintptr_t)st->ConfigurationTable[i].VendorTable;
	return 0;
}

/* Initial APIC ID: CPUID.0BH:EDX (x2APIC) when leaf 0xB exists, else CPUID.1:EBX[31:24]. */
static uint32_t facts_bsp_apic_id(void)
{
	uint32_t r[4];
	facts_cpuid(NULL, 0, 0, r);
	uint32_t max_leaf = r[PLATFORM_EAX];
	if (max_leaf >= 0xb) {
		facts_cpuid(NULL, 0xb, 0, r);
		if (r[PLATFORM_EBX] != 0)
			return r[PLATFORM_EDX];
	}
	facts_cpuid(NULL, 1, 0, r);
	return r[PLATFORM_EBX] >> 24;
}

static uint32_t facts_mask_bits(uint32_t mask)
{
	uint32_t n = 0;
	for (; mask; mask >>= 1)
		n += mask & 1u;
	return n;
}

static bool facts_framebuffer(struct tb_rec_framebuffer *fb)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	if (BS->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS || !gop ||
	    !gop->Mode || !gop->Mode->Info)
		return false;
	const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
	if (info->PixelFormat == PixelBltOnly || gop->Mode->FrameBufferBase == 0)
		return false;
	fb->address = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * 4u;
	fb->bpp = 32;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->format = TB_PIXEL_RGBX8;
		fb->red_mask = 0xffu, fb->green_mask = 0xff00u, fb->blue_mask = 0xff0000u;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->format = TB_PIXEL_BGRX8;
		fb->red_mask = 0xff0000u, fb->green_mask = 0xff00u, fb->blue_mask = 0xffu;
		break;
	default: {
		const EFI_PIXEL_BITMASK *m = &info->PixelInformation;
		fb->format = TB_PIXEL_BITMASK;
		fb->red_mask = m->RedMask, fb->green_mask = m->GreenMask, fb->blue_mask = m->BlueMask;
		uint32_t bits = facts_mask_bits(m->RedMask | m->GreenMask | m->BlueMask |
		                                m->ReservedMask);
		fb->bpp = bits > 16 ? 32 : bits > 8 ? 16 : 8;
		fb->pitch = info->PixelsPerScanLine * (fb->bpp / 8u);
		break;
	}
	}
	return true;
}

static bool facts_secure_boot(void)
{
	UINT8 value = 0;
	UINTN size = sizeof(value);
	UINT32 attrs = 0;
	EFI_STATUS s = RT->GetVariable(u"SecureBoot", &EfiGlobalVariable, &attrs, &size, &value);
	return s == EFI_SUCCESS && size == 1 && value == 1;
}

static void facts_vendor(EFI_SYSTEM_TABLE *st, struct tb_rec_platform *p)
{
	p->firmware_revision = st->FirmwareRevision;
	size_t i = 0;
	if (st->FirmwareVendor)
		for (; st->FirmwareVendor[i] && i + 1 < sizeof(p->firmware_vendor); i++) {
			CHAR16 c = st->FirmwareVendor[i];
			p->firmware_vendor[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
	p->firmware_vendor[i] = 0;
}

/*
 * TDX guests only: the TDX metadata of the firmware image, which TDVF runs from memory ending
 * at 4 GiB. tdvf_read touches only the footer at the top and the descriptor the footer points
 * to, so the 16 MiB window is an upper bound on the image size, not memory that is read.
 * Elsewhere the window may be device space and there is nothing to learn, so it is left alone.
 */
#define FACTS_TDVF_WINDOW (16ull << 20)
static struct tdvf_metadata facts_tdvf_md;
static struct tb_mem_entry facts_tdvf_regions[8];

static void facts_tdvf(struct boot_facts *facts)
{
	if (facts->platform.kind != TB_PLATFORM_TDX)
		return;
	const void *image = (const void *)(uintptr_t)((1ull << 32) - FACTS_TDVF_WINDOW);
	enum tdvf_status s = tdvf_read(image, FACTS_TDVF_WINDOW, &facts_tdvf_md);
	size_t n = 0;
	if (s == TDVF_OK)
		s = tdvf_regions(&facts_tdvf_md, facts_tdvf_regions, 8, &n);
	facts->tdvf_read_done = true;
	facts->tdvf_status = (int)s;
	if (s == TDVF_OK && n > 0) {
		facts->tdvf_regions = facts_tdvf_regions;
		facts->tdvf_region_count = n;
	}
}

static uint64_t facts_config_table(EFI_SYSTEM_TABLE *st, EFI_GUID guid)
{
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
		if (facts_guid_eq(&st->ConfigurationTable[i].VendorGuid, &guid))
			return (uint64_t)(uintptr_t)st->ConfigurationTable[i].VendorTable;
	return 0;
}

/* CPUID 0x15: TSC = crystal Hz x EBX / EAX, when the CPU states all three (Intel SDM vol. 3B
 * 18.7.3); leaf 0x80000007 EDX bit 8: invariant TSC. */
static void facts_tsc(struct boot_facts *facts)
{
	uint32_t r[4];
	facts_cpuid(NULL, 0, 0, r);
	if (r[PLATFORM_EAX] >= 0x15) {
		facts_cpuid(NULL, 0x15, 0, r);
		if (r[PLATFORM_EAX] && r[PLATFORM_EBX] && r[PLATFORM_ECX])
			facts->tsc_hz_cpuid = (uint64_t)r[PLATFORM_ECX] * r[PLATFORM_EBX] / r[PLATFORM_EAX];
	}
	facts_cpuid(NULL, 0x80000000u, 0, r);
	if (r[PLATFORM_EAX] >= 0x80000007u) {
		facts_cpuid(NULL, 0x80000007u, 0, r);
		facts->tsc_invariant = (r[PLATFORM_EDX] >> 8) & 1u;
	}
}

/* IA32_APIC_BASE (MSR 0x1b) bit 10: the local APIC is in x2APIC mode. Only asked when
 * CPUID.1:EDX[9] says there is a local APIC. */
static bool facts_x2apic_mode(void)
{
	uint32_t r[4];
	uint64_t base = 0;
	facts_cpuid(NULL, 1, 0, r);
	if (!((r[PLATFORM_EDX] >> 9) & 1u))
		return false;
	facts_read_msr(NULL, 0x1b, &base);
	return (base >> 10) & 1u;
}

/* GetTime just before the boot (not at loader entry: the menu may wait). */
static void facts_read_time(struct boot_time *out)
{
	EFI_TIME t;
	util_memset(out, 0, sizeof(*out));
	if (RT->GetTime(&t, NULL) != EFI_SUCCESS)
		return;
	out->tsc = facts_read_tsc();
	out->valid = true;
	out->year = t.Year;
	out->month = t.Month;
	out->day = t.Day;
	out->hour = t.Hour;
	out->minute = t.Minute;
	out->second = t.Second;
	out->nanosecond = t.Nanosecond;
	out->time_zone = t.TimeZone;
	out->daylight = t.Daylight;
}

void facts_collect(EFI_SYSTEM_TABLE *st, struct boot_facts *facts)
{
	uint64_t tsc = facts->tsc_entry;
	util_memset(facts, 0, sizeof(*facts));
	facts->tsc_entry = tsc;
	facts->read_tsc = facts_read_tsc;
	facts->system_table = (uint64_t)(uintptr_t)st;
	facts->rsdp = facts_rsdp(st);
	facts->acpi_mem = &facts_acpi_mem;
	struct platform_probe probe = {facts_cpuid, facts_read_msr, NULL};
	platform_detect(&probe, &facts->platform);
	facts_vendor(st, &facts->platform);
	facts->bsp_apic_id = facts_bsp_apic_id();
	facts->has_framebuffer = facts_framebuffer(&facts->framebuffer);
	facts->secure_boot = facts_secure_boot();
	facts_tdvf(facts);
	facts->smbios_entry32 = facts_config_table(st, (EFI_GUID)SMBIOS_TABLE_GUID);
	facts->smbios_entry64 = facts_config_table(st, (EFI_GUID)SMBIOS3_TABLE_GUID);
	facts_tsc(facts);
	facts->x2apic_mode = facts_x2apic_mode();
	facts->read_time = facts_read_time;
}
