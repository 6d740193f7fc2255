/* sample11.c: the records new in handoff 1.1 for `handoff sample`: kernel, direct map, EFI map,
 * SMBIOS, boot device, TSC, time and request, with made-up values that fit sample.c's map. */
#include <stdint.h>
#include <string.h>

#include "sample11.h"
#include "tagboot_handoff.h"

#define SAMPLE11_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SAMPLE11_DESC_SIZE 48u /* OVMF's EFI_MEMORY_DESCRIPTOR stride */
#define SAMPLE11_EFI_RUNTIME 0x8000000000000000ull

static void sample11_kernel(struct tb_builder *b)
{
	struct tb_rec_kernel *k = tb_builder_add(b, TB_REC_KERNEL, 1, sizeof(*k));

	if (k == NULL)
		return;
	k->phys_base = SAMPLE11_KERNEL_PHYS;
	k->virt_base = 0xffffffff80200000ull;
	k->size = SAMPLE11_KERNEL_SIZE;
	k->entry = 0xffffffff80201000ull;
	k->stack_base = SAMPLE11_STACK_BASE;
	k->stack_size = SAMPLE11_STACK_SIZE;
}

static void sample11_direct_map(struct tb_builder *b)
{
	struct tb_rec_direct_map *d = tb_builder_add(b, TB_REC_DIRECT_MAP, 1, sizeof(*d));

	if (d == NULL)
		return;
	d->offset = TB_DIRECT_MAP_DEFAULT_OFFSET;
	d->size = 4ull << 30;
	d->page_size = 2u << 20;
}

/* The firmware's final map, a few descriptors of it as GetMemoryMap returns them (the last
 * one an OEM type, which has no UEFI name). */
static void sample11_efi_map(struct tb_builder *b)
{
	static const struct {
		uint32_t type;
		uint64_t phys, pages, attr;
	} descs[] = {
		{ 7, 0x0, 0xa0, 0xf },                          /* ConventionalMemory */
		{ 0, 0xa0000, 0x60, 0x1 },                      /* ReservedMemoryType */
		{ 2, SAMPLE11_KERNEL_PHYS, 0x200, 0xf },        /* LoaderData: the kernel */
		{ 9, 0x7e000000, 0x80, 0xf },                   /* ACPIReclaimMemory */
		{ 10, 0x7e080000, 0x80, 0xf },                  /* ACPIMemoryNVS */
		{ 5, 0x7f000000, 0x400, SAMPLE11_EFI_RUNTIME | 0xf }, /* RuntimeServicesCode */
		{ 11, 0xfee00000, 0x1, SAMPLE11_EFI_RUNTIME | 0x1 },  /* MemoryMappedIO */
		{ 15, 0x100000000, 0x80000, 0xf },              /* UnacceptedMemoryType */
		{ 0x80000001u, 0x7f800000, 0x800, 0x1 },        /* an OEM type */
	};
	uint32_t count = SAMPLE11_COUNT(descs);
	struct tb_rec_efi_map *m =
		tb_builder_add(b, TB_REC_EFI_MAP, 1, sizeof(*m) + count * SAMPLE11_DESC_SIZE);
	uint8_t *d;

	if (m == NULL)
		return;
	m->desc_size = SAMPLE11_DESC_SIZE;
	m->desc_version = 1;
	m->desc_count = count;
	m->map_offset = sizeof(*m);
	d = (uint8_t *)m + m->map_offset;
	for (uint32_t i = 0; i < count; i++, d += SAMPLE11_DESC_SIZE) {
		memcpy(d, &descs[i].type, 4);
		memcpy(d + 8, &descs[i].phys, 8);
		memcpy(d + 24, &descs[i].pages, 8);
		memcpy(d + 32, &descs[i].attr, 8);
	}
}

static void sample11_smbios(struct tb_builder *b)
{
	struct tb_rec_smbios *s = tb_builder_add(b, TB_REC_SMBIOS, 1, sizeof(*s));

	if (s != NULL)
		s->entry64 = 0x7f6f0000; /* an SMBIOS 3 entry point only, as OVMF publishes */
}

/* The ESP of a GPT disk; GUIDs as stored on disk (first three fields little-endian). */
static void sample11_boot_device(struct tb_builder *b)
{
	static const uint8_t disk[16] = { 0xd5, 0xe9, 0x1a, 0x4a, 0xc4, 0xb0, 0x3a, 0x4c,
		                          0x8f, 0x07, 0x7a, 0x3a, 0x6d, 0x2b, 0x1c, 0x01 };
	static const uint8_t part[16] = { 0x1a, 0x2b, 0x3c, 0x9f, 0x4e, 0x5d, 0x60, 0x4f,
		                          0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18 };
	static const char path[] = "/tagboot/kernel.elf";
	struct tb_rec_boot_device *d =
		tb_builder_add(b, TB_REC_BOOT_DEVICE, 1, sizeof(*d) + sizeof(path));

	if (d == NULL)
		return;
	memcpy(d->disk_guid, disk, sizeof(disk));
	memcpy(d->partition_guid, part, sizeof(part));
	d->partition_number = 1;
	d->flags = TB_BOOT_DEVICE_F_GPT | TB_BOOT_DEVICE_F_DISK_GUID;
	d->path_length = sizeof(path) - 1;
	d->path_offset = sizeof(*d);
	memcpy((uint8_t *)d + d->path_offset, path, sizeof(path));
}

static void sample11_tsc(struct tb_builder *b)
{
	struct tb_rec_tsc *t = tb_builder_add(b, TB_REC_TSC, 1, sizeof(*t));

	if (t == NULL)
		return;
	t->frequency_hz = 2100000000ull;
	t->source = TB_TSC_SOURCE_CPUID_15H;
	t->flags = TB_TSC_F_INVARIANT;
}

/* 2025-11-21 09:30:00.25 UTC; OVMF's clock gives no time zone. */
static void sample11_time(struct tb_builder *b)
{
	struct tb_rec_time *t = tb_builder_add(b, TB_REC_TIME, 1, sizeof(*t));

	if (t == NULL)
		return;
	t->unix_seconds = 1763717400;
	t->tsc = 40000000;
	t->nanosecond = 250000000;
	t->year = 2025;
	t->month = 11;
	t->day = 21;
	t->hour = 9;
	t->minute = 30;
	t->second = 0;
	t->time_zone = 2047;
	t->flags = TB_TIME_F_VALID | TB_TIME_F_ZONE_UNSPECIFIED;
}

/* The kernel asked for 1.1 and a direct map; the firmware had parked the APs already, so the
 * loader parked none. */
static void sample11_request(struct tb_builder *b)
{
	struct tb_rec_request *q = tb_builder_add(b, TB_REC_REQUEST, 1, sizeof(*q));

	if (q == NULL)
		return;
	q->flags = TB_REQUEST_F_NOTE_FOUND;
	q->asked.size = sizeof(struct tb_request);
	q->asked.min_minor = 1;
	q->asked.direct_map = TB_REQ_DIRECT_MAP_YES;
	q->granted_minor = TB_VERSION_MINOR;
	q->granted_ap_park = TB_REQ_AP_PARK_NONE;
	q->granted_framebuffer = 1;
	q->granted_direct_map = 1;
	q->granted_stack_size = SAMPLE11_STACK_SIZE;
	q->granted_direct_map_offset = TB_DIRECT_MAP_DEFAULT_OFFSET;
}

void sample11_records(struct tb_builder *b)
{
	sample11_kernel(b);
	sample11_direct_map(b);
	sample11_efi_map(b);
	sample11_smbios(b);
	sample11_boot_device(b);
	sample11_tsc(b);
	sample11_time(b);
	sample11_request(b);
}
