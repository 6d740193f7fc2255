/* report.c: prints the handoff for humans (serial) and dumps it raw for machines (debugcon). */
#include "report.h"

#include <stdbool.h>

#include "console.h"
#include "tagboot_handoff.h"

#define REPORT_DUMP_BYTES_PER_LINE 32u

void report_dump_handoff(const void *blob, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *bytes = blob;
	con_printf(CON_DEBUGCON, "HANDOFF-BEGIN %zu\n", size);
	char line[REPORT_DUMP_BYTES_PER_LINE * 2 + 1];
	for (size_t off = 0; off < size; off += REPORT_DUMP_BYTES_PER_LINE) {
		size_t n = 0;
		for (size_t i = off; i < size && i < off + REPORT_DUMP_BYTES_PER_LINE; i++) {
			line[n++] = hex[bytes[i] >> 4];
			line[n++] = hex[bytes[i] & 15];
		}
		line[n++] = '\n';
		con_write(CON_DEBUGCON, line, n);
	}
	con_printf(CON_DEBUGCON, "HANDOFF-END\n");
}

/* Copy a fixed-size, NUL-padded text field into a NUL-terminated buffer. */
static void report_text(char *out, size_t out_size, const char *field, size_t field_size)
{
	size_t n = 0;
	while (n < field_size && n + 1 < out_size && field[n] != '\0') {
		char c = field[n];
		out[n++] = (c >= 0x20 && c < 0x7F) ? c : '?';
	}
	out[n] = '\0';
}

void report_header(const void *blob)
{
	const struct tb_header *header = blob;
	kprint("handoff: version %u.%u, %u bytes, %u records, flags 0x%x%s%s%s\n", header->major,
	       header->minor, header->total_size, header->record_count, header->flags,
	       (header->flags & TB_FLAG_BOOT_SERVICES_EXITED) ? " boot-services-exited" : "",
	       (header->flags & TB_FLAG_SECURE_BOOT) ? " secure-boot" : "",
	       (header->flags & TB_FLAG_APS_PARKED_BY_LOADER) ? " aps-parked-by-loader" : "");
	const struct tb_rec_loader *loader = (const void *)tb_find_record(
		blob, TB_REC_LOADER, sizeof(struct tb_rec_loader));
	if (loader != NULL) {
		char name[sizeof(loader->name) + 1];
		char version[sizeof(loader->version) + 1];
		report_text(name, sizeof(name), loader->name, sizeof(loader->name));
		report_text(version, sizeof(version), loader->version, sizeof(loader->version));
		kprint("loader: %s %s\n", name, version);
	}
	const struct tb_rec_platform *platform = (const void *)tb_find_record(
		blob, TB_REC_PLATFORM, sizeof(struct tb_rec_platform));
	if (platform != NULL) {
		char vendor[sizeof(platform->firmware_vendor) + 1];
		char signature[sizeof(platform->hypervisor_signature) + 1];
		report_text(vendor, sizeof(vendor), platform->firmware_vendor,
		            sizeof(platform->firmware_vendor));
		report_text(signature, sizeof(signature), platform->hypervisor_signature,
		            sizeof(platform->hypervisor_signature));
		kprint("platform: %s (flags 0x%x, hypervisor \"%s\"), firmware \"%s\" revision 0x%x\n",
		       tb_platform_name(platform->kind), platform->flags, signature, vendor,
		       platform->firmware_revision);
	}
	const struct tb_rec_mp *mp =
		(const void *)tb_find_record(blob, TB_REC_MP, TB_MP_V1_SIZE);
	if (mp != NULL)
		kprint("mp: bsp apic id %u, %u APs, flags 0x%x, mailbox 0x%lx version %u, reset "
		       "vector 0x%lx\n",
		       mp->bsp_apic_id, mp->ap_count, mp->flags, mp->mailbox_address,
		       mp->mailbox_version, mp->reset_vector);
	const struct tb_rec_timestamps *ts = (const void *)tb_find_record(
		blob, TB_REC_TIMESTAMPS, sizeof(struct tb_rec_timestamps));
	if (ts != NULL)
		kprint("timestamps: loader entry %lu, before exit %lu, jump %lu (TSC)\n",
		       ts->tsc_loader_entry, ts->tsc_before_exit, ts->tsc_jump);
}

static bool report_is_tagged(const struct tb_mem_entry *entry)
{
	return entry->owner != TB_OWNER_NONE || entry->reason != TB_REASON_NONE ||
	       entry->reclaim != TB_RECLAIM_NEVER || entry->after_type != entry->type;
}

void report_memmap(const void *blob, struct report_counts *counts)
{
	const struct tb_rec_memmap *map = tb_memmap(blob);
	counts->regions = 0;
	counts->ap_held = 0;
	counts->ap_held_pages = 0;
	counts->usable_pages = 0;
	kprint("memory map: %u entries of %u bytes\n", map->entry_count, map->entry_size);
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		kprint("  %016lx-%016lx %8lu KiB %s%s\n", e->base, e->base + e->length - 1,
		       e->length >> 10, tb_mem_type_name(e->type), report_is_tagged(e) ? " *" : "");
		if (e->type == TB_MEM_USABLE)
			counts->usable_pages += e->length / TB_PAGE_SIZE;
		if (e->type == TB_MEM_AP_HELD) {
			counts->ap_held++;
			counts->ap_held_pages += e->length / TB_PAGE_SIZE;
		}
		if (report_is_tagged(e))
			counts->regions++;
	}
	kprint("tagged regions (*): %u\n", counts->regions);
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		if (!report_is_tagged(e))
			continue;
		kprint("  %016lx-%016lx %s owner=%s reason=%s reclaim=%s source=%s then=%s\n",
		       e->base, e->base + e->length - 1, tb_mem_type_name(e->type),
		       tb_owner_name(e->owner), tb_reason_name(e->reason),
		       tb_reclaim_name(e->reclaim), tb_source_name(e->source),
		       tb_mem_type_name(e->after_type));
	}
	kprint("usable now: %lu pages (%lu MiB); ap-held: %u regions, %lu pages\n",
	       counts->usable_pages, counts->usable_pages >> 8, counts->ap_held,
	       counts->ap_held_pages);
}
