/* boot_handoff.c: the handoff blob from the final EFI map and what the loader collected. */
#include "boot_handoff.h"

#include "efimap.h"
#include "util.h"

static size_t boot_handoff_align8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

/* A module without a name gets an empty one rather than a NULL dereference. */
static const char *boot_handoff_module_name(const struct boot_handoff_module *m)
{
	return m->name ? m->name : "";
}

size_t boot_handoff_entries_cap(size_t max_descs)
{
	/* Each tag can split one entry into three; the loader adds up to TAGGING_MAX_REGIONS. */
	return (max_descs + 64u) * 2u + 3u * TAGGING_MAX_REGIONS;
}

static const char *boot_handoff_str(const char *s)
{
	return s ? s : "";
}

size_t boot_handoff_blob_size(size_t max_descs, size_t desc_size, size_t cpu_count,
                              size_t cmdline_len, const struct boot_handoff_module *modules,
                              size_t module_count)
{
	size_t size = sizeof(struct tb_header);
	size += boot_handoff_align8(sizeof(struct tb_rec_loader));
	size += boot_handoff_align8(sizeof(struct tb_rec_platform));
	size += boot_handoff_align8(sizeof(struct tb_rec_acpi));
	size += boot_handoff_align8(sizeof(struct tb_rec_mp) + 4u * cpu_count +
	                            sizeof(struct tb_mp_cpu) * cpu_count);
	size += boot_handoff_align8(sizeof(struct tb_rec_framebuffer));
	size += boot_handoff_align8(sizeof(struct tb_rec_cmdline) + cmdline_len + 1u);
	for (size_t i = 0; i < module_count; i++)
		size += boot_handoff_align8(sizeof(struct tb_rec_module) +
		                            util_strlen(boot_handoff_module_name(&modules[i])) + 1u +
		                            util_strlen(boot_handoff_str(modules[i].string)) + 1u);
	size += boot_handoff_align8(sizeof(struct tb_rec_efi) + max_descs * desc_size);
	size += boot_handoff_align8(sizeof(struct tb_rec_timestamps));
	/* 1.1 */
	size += boot_handoff_align8(sizeof(struct tb_rec_kernel));
	size += boot_handoff_align8(sizeof(struct tb_rec_direct_map));
	size += boot_handoff_align8(sizeof(struct tb_rec_efi_map) + max_descs * desc_size);
	size += boot_handoff_align8(sizeof(struct tb_rec_smbios));
	size += boot_handoff_align8(sizeof(struct tb_rec_boot_device) + BOOT_HANDOFF_PATH_MAX);
	size += boot_handoff_align8(sizeof(struct tb_rec_tsc));
	size += boot_handoff_align8(sizeof(struct tb_rec_time));
	size += boot_handoff_align8(sizeof(struct tb_rec_request));
	size += TB_MEMMAP_ENTRIES_OFFSET + boot_handoff_entries_cap(max_descs) *
	                                       sizeof(struct tb_mem_entry);
	return size + 256u;
}

/* Copy a fixed-layout record the caller filled (everything after the record header). */
static void boot_handoff_copy_record(struct tb_builder *b, uint16_t type, const void *src,
                                     uint32_t size)
{
	uint8_t *r = tb_builder_add(b, type, 1, size);
	if (r)
		util_memcpy(r + sizeof(struct tb_record), (const uint8_t *)src + sizeof(struct tb_record),
		            size - sizeof(struct tb_record));
}

/* The records new in 1.1 that need no map: kernel, direct map, SMBIOS, boot device, TSC, time,
 * request. */
static void boot_handoff_records_1_1(const struct boot_handoff_in *in, struct tb_builder *b)
{
	if (in->kernel)
		boot_handoff_copy_record(b, TB_REC_KERNEL, in->kernel, sizeof(*in->kernel));
	if (in->direct_map_size) {
		struct tb_rec_direct_map *dm = tb_builder_add(b, TB_REC_DIRECT_MAP, 1, sizeof(*dm));
		if (dm) {
			dm->offset = in->direct_map_offset;
			dm->size = in->direct_map_size;
			dm->page_size = 2u << 20;
		}
	}
	if (in->smbios_entry32 || in->smbios_entry64) {
		struct tb_rec_smbios *sm = tb_builder_add(b, TB_REC_SMBIOS, 1, sizeof(*sm));
		if (sm) {
			sm->entry32 = in->smbios_entry32;
			sm->entry64 = in->smbios_entry64;
		}
	}
	if (in->boot_device) {
		const char *path = boot_handoff_str(in->boot_path);
		size_t len = util_strnlen(path, BOOT_HANDOFF_PATH_MAX - 1u);
		struct tb_rec_boot_device *bd = tb_builder_add(
			b, TB_REC_BOOT_DEVICE, 1, (uint32_t)(sizeof(*bd) + len + 1u));
		if (bd) {
			struct tb_record hdr = bd->hdr;
			*bd = *in->boot_device;
			bd->hdr = hdr;
			bd->path_length = (uint32_t)len;
			bd->path_offset = sizeof(*bd);
			util_memcpy((uint8_t *)bd + sizeof(*bd), path, len);
		}
	}
	if (in->tsc)
		boot_handoff_copy_record(b, TB_REC_TSC, in->tsc, sizeof(*in->tsc));
	if (in->time)
		boot_handoff_copy_record(b, TB_REC_TIME, in->time, sizeof(*in->time));
	if (in->request)
		boot_handoff_copy_record(b, TB_REC_REQUEST, in->request, sizeof(*in->request));
}

static void boot_handoff_records(const struct boot_handoff_in *in, struct tb_builder *b,
                                 struct boot_handoff_out *out)
{
	struct tb_rec_loader *ld = tb_builder_add(b, TB_REC_LOADER, 1, sizeof(*ld));
	if (ld) {
		ld->version_major = TAGBOOT_VERSION_MAJOR;
		ld->version_minor = TAGBOOT_VERSION_MINOR;
		ld->version_patch = TAGBOOT_VERSION_PATCH;
		util_strlcpy(ld->name, "tagboot", sizeof(ld->name));
		util_strlcpy(ld->version, TAGBOOT_VERSION_STRING, sizeof(ld->version));
	}
	if (in->platform) {
		struct tb_rec_platform *pf = tb_builder_add(b, TB_REC_PLATFORM, 1, sizeof(*pf));
		if (pf) {
			struct tb_record hdr = pf->hdr;
			*pf = *in->platform;
			pf->hdr = hdr;
		}
	}
	if (in->rsdp_address) {
		struct tb_rec_acpi *ac = tb_builder_add(b, TB_REC_ACPI, 1, sizeof(*ac));
		if (ac) {
			ac->rsdp_address = in->rsdp_address;
			ac->rsdp_revision = in->acpi ? in->acpi->rsdp_revision : 0;
		}
	}
	if (in->acpi) {
		const struct acpi_info *ai = in->acpi;
		/* The APs that are there now: enabled MADT processors. An online-capable one that is
		 * not enabled is a hot-plug slot, no CPU; nobody parks or wakes it (appark_select,
		 * the sample kernel), so a kernel waiting for ap_count APs must not count it. */
		size_t aps = 0;
		for (size_t i = 0; i < ai->cpu_count; i++)
			if (ai->cpus[i].apic_id != in->bsp_apic_id && (ai->cpus[i].flags & ACPI_CPU_ENABLED))
				aps++;
		/* Version 2: the 1.0 fields, then every MADT processor (BSP and hot-plug slots
		 * too), then the AP IDs a 1.0 reader finds through ap_ids_offset. */
		uint32_t cpus = (uint32_t)ai->cpu_count;
		struct tb_rec_mp *mp = tb_builder_add(
			b, TB_REC_MP, 2,
			(uint32_t)(sizeof(*mp) + sizeof(struct tb_mp_cpu) * cpus + 4u * aps));
		if (mp) {
			mp->bsp_apic_id = in->bsp_apic_id;
			mp->ap_count = (uint32_t)aps;
			mp->cpu_count = cpus;
			mp->cpu_entry_size = sizeof(struct tb_mp_cpu);
			mp->cpus_offset = sizeof(*mp);
			mp->ap_ids_offset = (uint32_t)(sizeof(*mp) + sizeof(struct tb_mp_cpu) * cpus);
			if (in->x2apic_mode)
				mp->flags |= TB_MP_F_X2APIC_MODE;
			if (in->parked_mailbox) {
				/* The loader's own mailbox: version 0, no reset vector. */
				mp->mailbox_address = in->parked_mailbox;
				mp->mailbox_version = 0;
				mp->flags |= TB_MP_F_MAILBOX | TB_MP_F_PARKED_BY_LOADER;
			} else if (ai->mp_wakeup_found) {
				mp->mailbox_address = ai->mailbox_address;
				mp->mailbox_version = ai->mailbox_version;
				mp->flags |= TB_MP_F_MAILBOX;
				if (ai->has_reset_vector) {
					mp->reset_vector = ai->reset_vector;
					mp->flags |= TB_MP_F_RESET_VECTOR;
				}
			}
			struct tb_mp_cpu *list = (struct tb_mp_cpu *)((uint8_t *)mp + mp->cpus_offset);
			uint8_t *ids = (uint8_t *)mp + mp->ap_ids_offset;
			size_t k = 0;
			for (size_t i = 0; i < ai->cpu_count; i++) {
				const struct acpi_cpu *c = &ai->cpus[i];
				list[i].apic_id = c->apic_id;
				list[i].acpi_uid = c->uid;
				list[i].flags = (c->apic_id == in->bsp_apic_id ? TB_CPU_F_BSP : 0u) |
				                (c->flags & ACPI_CPU_ENABLED ? TB_CPU_F_ENABLED : 0u) |
				                (c->flags & ACPI_CPU_ONLINE_CAPABLE ? TB_CPU_F_ONLINE_CAPABLE : 0u) |
				                (c->x2apic ? TB_CPU_F_X2APIC : 0u);
				uint32_t id = c->apic_id;
				if (id == in->bsp_apic_id || !(c->flags & ACPI_CPU_ENABLED))
					continue;
				util_memcpy(ids + 4u * k++, &id, 4);
			}
		}
	}
	if (in->framebuffer) {
		struct tb_rec_framebuffer *fb = tb_builder_add(b, TB_REC_FRAMEBUFFER, 1, sizeof(*fb));
		if (fb) {
			struct tb_record hdr = fb->hdr;
			*fb = *in->framebuffer;
			fb->hdr = hdr;
		}
	}
	const char *cmdline = in->cmdline ? in->cmdline : "";
	size_t len = util_strlen(cmdline);
	struct tb_rec_cmdline *cl =
		tb_builder_add(b, TB_REC_CMDLINE, 1, (uint32_t)(sizeof(*cl) + len + 1u));
	if (cl) {
		cl->length = (uint32_t)len;
		cl->offset = sizeof(*cl);
		util_memcpy((uint8_t *)cl + sizeof(*cl), cmdline, len + 1u);
	}
	for (size_t i = 0; i < in->module_count; i++) {
		const char *name = boot_handoff_module_name(&in->modules[i]);
		const char *str = boot_handoff_str(in->modules[i].string);
		size_t nlen = util_strlen(name), slen = util_strlen(str);
		struct tb_rec_module *m = tb_builder_add(
			b, TB_REC_MODULE, 2, (uint32_t)(sizeof(*m) + nlen + 1u + slen + 1u));
		if (m) {
			m->base = in->modules[i].base;
			m->size = in->modules[i].size;
			m->name_length = (uint32_t)nlen;
			m->name_offset = sizeof(*m);
			m->string_length = (uint32_t)slen;
			m->string_offset = (uint32_t)(sizeof(*m) + nlen + 1u);
			util_memcpy((uint8_t *)m + m->name_offset, name, nlen + 1u);
			util_memcpy((uint8_t *)m + m->string_offset, str, slen + 1u);
		}
	}
	/* Runtime descriptors: count first (NO_SPACE tells how many), then copy in place. */
	size_t rt = 0;
	efimap_runtime_descs(in->efi_map, in->map_size, in->desc_size, NULL, 0, &rt);
	struct tb_rec_efi *efi =
		tb_builder_add(b, TB_REC_EFI, 1, (uint32_t)(sizeof(*efi) + rt * in->desc_size));
	if (efi) {
		efi->system_table = in->system_table;
		efi->desc_size = (uint32_t)in->desc_size;
		efi->desc_version = in->desc_version;
		efi->map_offset = sizeof(*efi);
		size_t got = 0;
		if (rt)
			efimap_runtime_descs(in->efi_map, in->map_size, in->desc_size,
			                     (uint8_t *)efi + sizeof(*efi), rt * in->desc_size, &got);
		efi->desc_count = (uint32_t)got;
	}
	/* The whole final map, raw: what the firmware said, for kernels that want attributes or
	 * boot-services regions (docs/handoff.md "EFI map record"). */
	if (in->full_efi_map) {
		size_t n = in->desc_size ? in->map_size / in->desc_size : 0;
		struct tb_rec_efi_map *em = tb_builder_add(
			b, TB_REC_EFI_MAP, 1, (uint32_t)(sizeof(*em) + n * in->desc_size));
		if (em) {
			em->desc_size = (uint32_t)in->desc_size;
			em->desc_version = in->desc_version;
			em->desc_count = (uint32_t)n;
			em->map_offset = sizeof(*em);
			util_memcpy((uint8_t *)em + sizeof(*em), in->efi_map, n * in->desc_size);
		}
	}
	boot_handoff_records_1_1(in, b);
	struct tb_rec_timestamps *ts = tb_builder_add(b, TB_REC_TIMESTAMPS, 1, sizeof(*ts));
	if (ts) {
		ts->tsc_loader_entry = in->tsc_loader_entry;
		ts->tsc_before_exit = in->tsc_before_exit;
	}
	out->timestamps = ts;
}

enum tb_status boot_handoff_build(const struct boot_handoff_in *in, struct boot_handoff_out *out)
{
	if (in == NULL || out == NULL)
		return TB_ERR_NULL;
	util_memset(out, 0, sizeof(*out));
	size_t count = 0;
	enum tb_status st = efimap_build(in->efi_map, in->map_size, in->desc_size, in->entries,
	                                 in->entries_cap, &count, in->scratch, in->scratch_size);
	if (st != TB_OK) {
		out->failed_step = "efimap_build";
		return st;
	}
	/* No tagging input means nothing to carve, not an error. */
	static const struct tagging_input no_tags;
	const struct tagging_input *tags = in->tagging ? in->tagging : &no_tags;
	st = tagging_apply(in->entries, &count, in->entries_cap, tags, &out->report);
	if (st != TB_OK) {
		out->failed_step = "tagging_apply";
		return st;
	}
	out->map_entries = count;
	struct tb_builder b;
	tb_builder_init(&b, in->blob, in->blob_cap, in->flags);
	boot_handoff_records(in, &b, out);
	tb_builder_add_memmap(&b, in->entries, count);
	st = tb_builder_finish(&b, &out->blob_size);
	if (st != TB_OK) {
		out->failed_step = "tb_builder";
		out->timestamps = NULL;
		return st;
	}
	return TB_OK;
}

void boot_handoff_stamp_jump(void *blob, struct tb_rec_timestamps *ts, uint64_t tsc)
{
	if (!ts)
		return;
	ts->tsc_jump = tsc;
	tb_reseal(blob);
}
