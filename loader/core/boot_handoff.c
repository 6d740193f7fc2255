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

size_t boot_handoff_blob_size(size_t max_descs, size_t desc_size, size_t cpu_count,
                              size_t cmdline_len, const struct boot_handoff_module *modules,
                              size_t module_count)
{
	size_t size = sizeof(struct tb_header);
	size += boot_handoff_align8(sizeof(struct tb_rec_loader));
	size += boot_handoff_align8(sizeof(struct tb_rec_platform));
	size += boot_handoff_align8(sizeof(struct tb_rec_acpi));
	size += boot_handoff_align8(sizeof(struct tb_rec_mp) + 4u * cpu_count);
	size += boot_handoff_align8(sizeof(struct tb_rec_framebuffer));
	size += boot_handoff_align8(sizeof(struct tb_rec_cmdline) + cmdline_len + 1u);
	for (size_t i = 0; i < module_count; i++)
		size += boot_handoff_align8(sizeof(struct tb_rec_module) +
		                            util_strlen(boot_handoff_module_name(&modules[i])) + 1u);
	size += boot_handoff_align8(sizeof(struct tb_rec_efi) + max_descs * desc_size);
	size += boot_handoff_align8(sizeof(struct tb_rec_timestamps));
	size += TB_MEMMAP_ENTRIES_OFFSET + boot_handoff_entries_cap(max_descs) *
	                                       sizeof(struct tb_mem_entry);
	return size + 256u;
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
		struct tb_rec_mp *mp =
			tb_builder_add(b, TB_REC_MP, 1, (uint32_t)(sizeof(*mp) + 4u * aps));
		if (mp) {
			mp->bsp_apic_id = in->bsp_apic_id;
			mp->ap_count = (uint32_t)aps;
			mp->ap_ids_offset = sizeof(*mp);
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
			uint8_t *ids = (uint8_t *)mp + sizeof(*mp);
			size_t k = 0;
			for (size_t i = 0; i < ai->cpu_count; i++) {
				uint32_t id = ai->cpus[i].apic_id;
				if (id == in->bsp_apic_id || !(ai->cpus[i].flags & ACPI_CPU_ENABLED))
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
		size_t nlen = util_strlen(name);
		struct tb_rec_module *m =
			tb_builder_add(b, TB_REC_MODULE, 1, (uint32_t)(sizeof(*m) + nlen + 1u));
		if (m) {
			m->base = in->modules[i].base;
			m->size = in->modules[i].size;
			m->name_length = (uint32_t)nlen;
			m->name_offset = sizeof(*m);
			util_memcpy((uint8_t *)m + sizeof(*m), name, nlen + 1u);
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
