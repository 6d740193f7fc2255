/* records.c: printing each record of a validated handoff blob for `handoff decode`. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "tagboot_handoff.h"

/* Fixed-size text fields are NUL padded but may fill the array without a NUL. */
static int records_text_len(const char *s, size_t cap)
{
	size_t n = 0;

	while (n < cap && s[n] != '\0')
		n++;
	return (int)n;
}

void records_flags(uint32_t flags, const char *const *names, unsigned count)
{
	const char *sep = "";

	printf("0x%x (", flags);
	for (unsigned bit = 0; bit < 32; bit++) {
		if (!(flags & (1u << bit)))
			continue;
		if (bit < count)
			printf("%s%s", sep, names[bit]);
		else
			printf("%sbit%u", sep, bit);
		sep = ", ";
	}
	printf("%s)", flags == 0 ? "none" : "");
}

static void records_memmap(const void *rec)
{
	const struct tb_rec_memmap *m = rec;

	printf("      %u entries of %u bytes (table below)\n", m->entry_count, m->entry_size);
}

static void records_platform(const void *rec)
{
	static const char *const flag_names[] = { "hypervisor", "sev", "sev-es", "sev-snp",
		                                  "viridian" };
	const struct tb_rec_platform *p = rec;

	printf("      kind %s (%u), flags ", tb_platform_name(p->kind), p->kind);
	records_flags(p->flags, flag_names, sizeof(flag_names) / sizeof(flag_names[0]));
	printf("\n      hypervisor \"%.*s\" at CPUID leaf 0x%x\n",
	       records_text_len(p->hypervisor_signature, sizeof(p->hypervisor_signature)),
	       p->hypervisor_signature, p->hypervisor_leaf);
	printf("      firmware \"%.*s\" revision 0x%08x\n",
	       records_text_len(p->firmware_vendor, sizeof(p->firmware_vendor)), p->firmware_vendor,
	       p->firmware_revision);
}

static void records_acpi(const void *rec)
{
	const struct tb_rec_acpi *a = rec;

	printf("      RSDP at 0x%llx, revision %u (%s)\n", (unsigned long long)a->rsdp_address,
	       a->rsdp_revision, a->rsdp_revision >= 2 ? "XSDT" : "RSDT only");
}

static void records_mp(const void *rec)
{
	static const char *const flag_names[] = { "mailbox", "parked-by-loader", "reset-vector" };
	const struct tb_rec_mp *mp = rec;

	printf("      mailbox 0x%llx version %u, reset vector 0x%llx, flags ",
	       (unsigned long long)mp->mailbox_address, mp->mailbox_version,
	       (unsigned long long)mp->reset_vector);
	records_flags(mp->flags, flag_names, sizeof(flag_names) / sizeof(flag_names[0]));
	printf("\n      BSP APIC ID %u, %u APs, APIC IDs:", mp->bsp_apic_id, mp->ap_count);
	/* The validator checked that ap_count IDs lie inside the record. */
	for (uint32_t i = 0; i < mp->ap_count; i++) {
		uint32_t id;

		memcpy(&id, (const uint8_t *)rec + mp->ap_ids_offset + 4u * i, sizeof(id));
		printf(" %u", id);
	}
	printf("%s\n", mp->ap_count == 0 ? " none" : "");
}

static void records_framebuffer(const void *rec)
{
	static const char *const formats[] = { "rgbx8", "bgrx8", "bitmask" };
	const struct tb_rec_framebuffer *fb = rec;

	printf("      0x%llx, %llu bytes, %ux%u, pitch %u, %u bpp, format %s",
	       (unsigned long long)fb->address, (unsigned long long)fb->size, fb->width,
	       fb->height, fb->pitch, fb->bpp, fb->format < 3 ? formats[fb->format] : "unknown");
	if (fb->format == TB_PIXEL_BITMASK)
		printf(" (red 0x%08x green 0x%08x blue 0x%08x)", fb->red_mask, fb->green_mask,
		       fb->blue_mask);
	printf("\n");
}

static void records_cmdline(const void *rec)
{
	const struct tb_rec_cmdline *c = rec;

	printf("      \"%.*s\" (%u bytes)\n", (int)c->length, (const char *)rec + c->offset,
	       c->length);
}

static void records_module(const void *rec)
{
	const struct tb_rec_module *m = rec;

	printf("      \"%.*s\" at 0x%llx, %llu bytes\n", (int)m->name_length,
	       (const char *)rec + m->name_offset, (unsigned long long)m->base,
	       (unsigned long long)m->size);
}

/* EFI_MEMORY_DESCRIPTOR (UEFI 2.10 7.2): u32 Type, pad, u64 PhysicalStart, u64 VirtualStart,
 * u64 NumberOfPages, u64 Attribute: 40 bytes; firmware may space them further apart. */
#define RECORDS_EFI_DESC_MIN 40u

static void records_efi(const void *rec)
{
	const struct tb_rec_efi *efi = rec;

	printf("      system table 0x%llx, %u runtime descriptors of %u bytes (version %u)\n",
	       (unsigned long long)efi->system_table, efi->desc_count, efi->desc_size,
	       efi->desc_version);
	if (efi->desc_size < RECORDS_EFI_DESC_MIN) {
		if (efi->desc_count != 0)
			printf("      (descriptors smaller than %u bytes: not shown)\n",
			       RECORDS_EFI_DESC_MIN);
		return;
	}
	for (uint32_t i = 0; i < efi->desc_count; i++) {
		const uint8_t *d = (const uint8_t *)rec + efi->map_offset + (size_t)i * efi->desc_size;
		uint32_t type;
		uint64_t phys, virt, pages, attr;

		memcpy(&type, d, 4);
		memcpy(&phys, d + 8, 8);
		memcpy(&virt, d + 16, 8);
		memcpy(&pages, d + 24, 8);
		memcpy(&attr, d + 32, 8);
		printf("      runtime: efi type %u, phys 0x%llx, %llu pages, virt 0x%llx, "
		       "attr 0x%llx\n", type, (unsigned long long)phys, (unsigned long long)pages,
		       (unsigned long long)virt, (unsigned long long)attr);
	}
}

static void records_timestamps(const void *rec)
{
	const struct tb_rec_timestamps *t = rec;

	printf("      TSC: loader entry %llu, before exit %llu, jump %llu",
	       (unsigned long long)t->tsc_loader_entry, (unsigned long long)t->tsc_before_exit,
	       (unsigned long long)t->tsc_jump);
	if (t->tsc_jump >= t->tsc_loader_entry)
		printf(" (%llu cycles in the loader)",
		       (unsigned long long)(t->tsc_jump - t->tsc_loader_entry));
	printf("\n      TSC: AP parking %llu .. %llu\n", (unsigned long long)t->tsc_ap_park_start,
	       (unsigned long long)t->tsc_ap_park_end);
}

static void records_loader(const void *rec)
{
	const struct tb_rec_loader *l = rec;

	printf("      \"%.*s\" %u.%u.%u \"%.*s\"\n", records_text_len(l->name, sizeof(l->name)),
	       l->name, l->version_major, l->version_minor, l->version_patch,
	       records_text_len(l->version, sizeof(l->version)), l->version);
}

struct records_kind {
	uint16_t type;
	const char *name;
	void (*print)(const void *rec);
};

static const struct records_kind records_kinds[] = {
	{ TB_REC_MEMMAP, "memmap", records_memmap },
	{ TB_REC_PLATFORM, "platform", records_platform },
	{ TB_REC_ACPI, "acpi", records_acpi },
	{ TB_REC_MP, "mp", records_mp },
	{ TB_REC_FRAMEBUFFER, "framebuffer", records_framebuffer },
	{ TB_REC_CMDLINE, "cmdline", records_cmdline },
	{ TB_REC_MODULE, "module", records_module },
	{ TB_REC_EFI, "efi", records_efi },
	{ TB_REC_TIMESTAMPS, "timestamps", records_timestamps },
	{ TB_REC_LOADER, "loader", records_loader },
};

void records_print(const void *blob)
{
	const uint8_t *base = blob;
	unsigned index = 0;

	printf("records:\n");
	for (const struct tb_record *r = tb_next_record(blob, NULL); r != NULL;
	     r = tb_next_record(blob, r), index++) {
		const struct records_kind *kind = NULL;

		for (size_t k = 0; k < sizeof(records_kinds) / sizeof(records_kinds[0]); k++) {
			if (records_kinds[k].type == r->type)
				kind = &records_kinds[k];
		}
		if (kind == NULL) {
			/* A newer writer's record: a reader skips it by its size. */
			printf("  [%u] @%zu unknown type %u, skipped (version %u, %u bytes)\n", index,
			       (size_t)((const uint8_t *)r - base), r->type, r->version, r->size);
			continue;
		}
		printf("  [%u] @%zu %s (version %u, %u bytes)\n", index,
		       (size_t)((const uint8_t *)r - base), kind->name, r->version, r->size);
		kind->print(r);
	}
}
