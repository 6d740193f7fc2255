/* records.c: printing each record of a validated handoff blob for `handoff decode` (the 1.0
 * records here, the 1.1 ones in records11.c). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "escape.h"
#include "tagboot_handoff.h"

/* Fixed-size text fields are NUL padded but may fill the array without a NUL. */
static size_t records_text_len(const char *s, size_t cap)
{
	size_t n = 0;

	while (n < cap && s[n] != '\0')
		n++;
	return n;
}

void records_text_field(const char *text, size_t cap)
{
	putchar('"');
	escape_text(stdout, text, records_text_len(text, cap));
	putchar('"');
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

void records_reserved(const char *name, uint64_t value)
{
	if (value != 0)
		printf("      reserved field %s is 0x%llx (should be 0)\n", name,
		       (unsigned long long)value);
}

static void records_memmap(const void *rec)
{
	const struct tb_rec_memmap *m = rec;

	printf("      %u entries of %u bytes (table below", m->entry_count, m->entry_size);
	if (m->entry_size > sizeof(struct tb_mem_entry))
		printf("; the %u bytes past each entry's known fields as hex",
		       m->entry_size - (uint32_t)sizeof(struct tb_mem_entry));
	printf(")\n");
}

static void records_platform(const void *rec)
{
	static const char *const flag_names[] = { "hypervisor", "sev", "sev-es", "sev-snp",
		                                  "viridian" };
	const struct tb_rec_platform *p = rec;

	printf("      kind %s (%u), flags ", tb_platform_name(p->kind), p->kind);
	records_flags(p->flags, flag_names, sizeof(flag_names) / sizeof(flag_names[0]));
	printf("\n      hypervisor ");
	records_text_field(p->hypervisor_signature, sizeof(p->hypervisor_signature));
	printf(" at CPUID leaf 0x%x\n      firmware ", p->hypervisor_leaf);
	records_text_field(p->firmware_vendor, sizeof(p->firmware_vendor));
	printf(" revision 0x%08x\n", p->firmware_revision);
}

static void records_acpi(const void *rec)
{
	const struct tb_rec_acpi *a = rec;

	printf("      RSDP at 0x%llx, revision %u (%s)\n", (unsigned long long)a->rsdp_address,
	       a->rsdp_revision, a->rsdp_revision >= 2 ? "XSDT" : "RSDT only");
	records_reserved("reserved", a->reserved);
}

/* The CPU list of a version-2 MP record (the validator checked it lies in the record). */
static void records_mp_cpus(const struct tb_rec_mp *mp)
{
	static const char *const flag_names[] = { "bsp", "enabled", "online-capable", "x2apic" };

	printf("      %u CPUs of %u bytes at +%u%s\n", mp->cpu_count, mp->cpu_entry_size,
	       mp->cpus_offset, mp->cpu_count == 0 ? "" : ":");
	for (uint32_t i = 0; i < mp->cpu_count; i++) {
		const struct tb_mp_cpu *c = tb_mp_cpu_entry(mp, i);
		struct tb_mp_cpu cpu;

		if (c == NULL)
			break;
		memcpy(&cpu, c, sizeof(cpu));
		printf("      cpu %u: APIC ID %u, ACPI UID %u, flags ", i, cpu.apic_id, cpu.acpi_uid);
		records_flags(cpu.flags, flag_names, sizeof(flag_names) / sizeof(flag_names[0]));
		if (cpu.reserved != 0)
			printf(", reserved 0x%x (should be 0)", cpu.reserved);
		printf("\n");
	}
	records_reserved("reserved3", mp->reserved3);
}

static void records_mp(const void *rec)
{
	static const char *const flag_names[] = { "mailbox", "parked-by-loader", "reset-vector",
		                                  "x2apic-mode" };
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
	if (mp->ap_count != 0)
		printf("      AP IDs at +%u\n", mp->ap_ids_offset);
	records_reserved("reserved", mp->reserved);
	records_reserved("reserved2", mp->reserved2);
	if (mp->hdr.version >= 2)
		records_mp_cpus(mp);
}

static void records_framebuffer(const void *rec)
{
	static const char *const formats[] = { "rgbx8", "bgrx8", "bitmask" };
	const struct tb_rec_framebuffer *fb = rec;

	printf("      0x%llx, %llu bytes, %ux%u, pitch %u, %u bpp, format %s",
	       (unsigned long long)fb->address, (unsigned long long)fb->size, fb->width,
	       fb->height, fb->pitch, fb->bpp, fb->format < 3 ? formats[fb->format] : "unknown");
	if (fb->format >= 3)
		printf(" (%u)", fb->format);
	printf("\n      masks: red 0x%08x green 0x%08x blue 0x%08x\n", fb->red_mask,
	       fb->green_mask, fb->blue_mask);
}

static void records_cmdline(const void *rec)
{
	const struct tb_rec_cmdline *c = rec;

	printf("      \"");
	escape_text(stdout, (const char *)rec + c->offset, c->length);
	printf("\" (%u bytes at +%u)\n", c->length, c->offset);
}

static void records_module(const void *rec)
{
	const struct tb_rec_module *m = rec;

	printf("      \"");
	escape_text(stdout, (const char *)rec + m->name_offset, m->name_length);
	printf("\" at 0x%llx, %llu bytes (name %u bytes at +%u)\n", (unsigned long long)m->base,
	       (unsigned long long)m->size, m->name_length, m->name_offset);
	if (m->hdr.version >= 2) {
		printf("      string \"");
		escape_text(stdout, tb_module_string(m), m->string_length);
		printf("\" (%u bytes at +%u)\n", m->string_length, m->string_offset);
	}
}

static void records_efi(const void *rec)
{
	const struct tb_rec_efi *efi = rec;

	printf("      system table 0x%llx, %u runtime descriptors of %u bytes (version %u) at +%u\n",
	       (unsigned long long)efi->system_table, efi->desc_count, efi->desc_size,
	       efi->desc_version, efi->map_offset);
	efidesc_print(rec, efi->map_offset, efi->desc_size, efi->desc_count, "runtime");
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

	printf("      ");
	records_text_field(l->name, sizeof(l->name));
	printf(" %u.%u.%u ", l->version_major, l->version_minor, l->version_patch);
	records_text_field(l->version, sizeof(l->version));
	printf("\n");
	records_reserved("reserved", l->reserved);
}

/* Where a record's variable data starts (the lowest offset it points at), or its size when it
 * has none: the bytes between its known fixed fields and this are a newer version's fields. */
static uint32_t records_data_start(const struct tb_record *r)
{
	const uint8_t *rec = (const uint8_t *)r;
	uint32_t start = r->size;
	uint32_t offsets[2] = { r->size, r->size };

	switch (r->type) {
	case TB_REC_MEMMAP:
		offsets[0] = TB_MEMMAP_ENTRIES_OFFSET;
		break;
	case TB_REC_CMDLINE:
		offsets[0] = ((const struct tb_rec_cmdline *)rec)->offset;
		break;
	case TB_REC_MODULE: {
		const struct tb_rec_module *m = (const void *)rec;

		offsets[0] = m->name_offset;
		if (r->version >= 2)
			offsets[1] = m->string_offset;
		break;
	}
	case TB_REC_MP: {
		const struct tb_rec_mp *mp = (const void *)rec;

		if (mp->ap_count != 0)
			offsets[0] = mp->ap_ids_offset;
		if (r->version >= 2 && mp->cpu_count != 0)
			offsets[1] = mp->cpus_offset;
		break;
	}
	case TB_REC_EFI: {
		const struct tb_rec_efi *efi = (const void *)rec;

		if (efi->desc_count != 0)
			offsets[0] = efi->map_offset;
		break;
	}
	case TB_REC_EFI_MAP: {
		const struct tb_rec_efi_map *em = (const void *)rec;

		if (em->desc_count != 0)
			offsets[0] = em->map_offset;
		break;
	}
	case TB_REC_BOOT_DEVICE:
		offsets[0] = ((const struct tb_rec_boot_device *)rec)->path_offset;
		break;
	default:
		break;
	}
	for (int i = 0; i < 2; i++) {
		if (offsets[i] < start)
			start = offsets[i];
	}
	return start;
}

struct records_kind {
	uint16_t type;
	const char *name;
	uint8_t version; /* the newest record version this tool knows */
	uint32_t fixed;  /* bytes of that version's fixed fields */
	void (*print)(const void *rec);
};

static const struct records_kind records_kinds[] = {
	{ TB_REC_MEMMAP, "memmap", 1, sizeof(struct tb_rec_memmap), records_memmap },
	{ TB_REC_PLATFORM, "platform", 1, sizeof(struct tb_rec_platform), records_platform },
	{ TB_REC_ACPI, "acpi", 1, sizeof(struct tb_rec_acpi), records_acpi },
	{ TB_REC_MP, "mp", 2, sizeof(struct tb_rec_mp), records_mp },
	{ TB_REC_FRAMEBUFFER, "framebuffer", 1, sizeof(struct tb_rec_framebuffer),
	  records_framebuffer },
	{ TB_REC_CMDLINE, "cmdline", 1, sizeof(struct tb_rec_cmdline), records_cmdline },
	{ TB_REC_MODULE, "module", 2, sizeof(struct tb_rec_module), records_module },
	{ TB_REC_EFI, "efi", 1, sizeof(struct tb_rec_efi), records_efi },
	{ TB_REC_TIMESTAMPS, "timestamps", 1, sizeof(struct tb_rec_timestamps),
	  records_timestamps },
	{ TB_REC_LOADER, "loader", 1, sizeof(struct tb_rec_loader), records_loader },
	{ TB_REC_KERNEL, "kernel", 1, sizeof(struct tb_rec_kernel), records11_kernel },
	{ TB_REC_DIRECT_MAP, "direct-map", 1, sizeof(struct tb_rec_direct_map),
	  records11_direct_map },
	{ TB_REC_EFI_MAP, "efi-map", 1, sizeof(struct tb_rec_efi_map), records11_efi_map },
	{ TB_REC_SMBIOS, "smbios", 1, sizeof(struct tb_rec_smbios), records11_smbios },
	{ TB_REC_BOOT_DEVICE, "boot-device", 1, sizeof(struct tb_rec_boot_device),
	  records11_boot_device },
	{ TB_REC_TSC, "tsc", 1, sizeof(struct tb_rec_tsc), records11_tsc },
	{ TB_REC_TIME, "time", 1, sizeof(struct tb_rec_time), records11_time },
	{ TB_REC_REQUEST, "request", 1, sizeof(struct tb_rec_request), records11_request },
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
		/* The validator made a record of a newer version at least as large as the newest
		 * version known here, and its data offsets point past those fields. */
		if (r->version > kind->version) {
			uint32_t start = records_data_start(r);

			if (start > kind->fixed)
				printf("      (%u more bytes of a newer version)\n", start - kind->fixed);
		}
	}
}
