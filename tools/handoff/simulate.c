/* simulate.c: `handoff simulate FILE`: parse a text memory map, map and normalize it, tag it as
 * the loader would (tagging_apply), build and validate the handoff blob, and report. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "commands.h"
#include "decode.h"
#include "memtext.h"
#include "simulate.h"
#include "tagging.h"
#include "tagboot_handoff.h"

/* The parsed text: raw ranges with their mapped TB_MEM_* types. */
struct simulate_input {
	struct tb_mem_entry *rows;
	uint32_t *src_types; /* MEMTEXT_SRC_* + the row's own type */
	size_t count;
	struct memtext_diag diag;
};

/* The map after normalizing and tagging. */
struct simulate_map {
	struct tb_mem_entry *entries;
	size_t count;
	struct tagging_report report;
};

/* Read FILE and parse every row. Exit status TOOL_EXIT_OK, or the failure's after a message
 * naming the file (and the line, for a malformed row). */
static int simulate_read(const char *path, struct simulate_input *in)
{
	size_t size = 0, lines = 1;
	char *text = blobfile_read(path, &size);

	if (text == NULL)
		return TOOL_EXIT_USAGE;
	/* memtext stores at most one row per line. */
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	in->rows = calloc(lines, sizeof(*in->rows));
	in->src_types = calloc(lines, sizeof(*in->src_types));
	if (in->rows == NULL || in->src_types == NULL) {
		fprintf(stderr, "handoff: %s: out of memory for %zu lines\n", path, lines);
		free(text);
		return TOOL_EXIT_USAGE;
	}
	/* memtext maps EFI rows with efimap_type_to_tb (loader/core/efimap.h), the loader's
	 * mapping, and e820 rows with memtext_e820_to_tb. */
	if (!memtext_parse_ex(text, size, in->rows, in->src_types, lines, &in->count, &in->diag)) {
		fprintf(stderr, "handoff: %s: %s\n", path, in->diag.error);
		free(text);
		return TOOL_EXIT_INVALID;
	}
	free(text);
	if (in->count == 0) {
		fprintf(stderr, "handoff: %s: no memory map rows in %u non-empty lines (expected EDK2 "
		                "shell memmap, `efi: mem`, `BIOS-e820:` or `0xSTART 0xEND TYPE` lines)\n",
		        path, in->diag.skipped);
		return TOOL_EXIT_INVALID;
	}
	return TOOL_EXIT_OK;
}

/* The MADT facts the loader would have read (acpi_parse fills the same fields). */
static void simulate_acpi(const struct simargs *a, struct acpi_info *acpi)
{
	memset(acpi, 0, sizeof(*acpi));
	if (!a->have_mailbox)
		return;
	acpi->madt_found = true;
	acpi->mp_wakeup_found = true;
	acpi->mailbox_address = a->mailbox;
	acpi->mailbox_version = (uint16_t)a->mailbox_version;
	/* A version 1 entry is 24 bytes with a reset vector; its address is not simulated. */
	acpi->has_reset_vector = false;
}

/* Normalize the rows and tag them into a map of capacity cap. TB_ERR_NO_SPACE means: try a
 * larger cap. */
static enum tb_status simulate_tag(const struct simulate_input *in, const struct simargs *a,
                                   const struct acpi_info *acpi, size_t cap,
                                   struct simulate_map *m)
{
	size_t scratch_size = tb_normalize_scratch_size(in->count);
	void *scratch = malloc(scratch_size ? scratch_size : 1);
	struct tagging_input tin = { 0 };
	enum tb_status st;

	m->entries = calloc(cap, sizeof(*m->entries));
	m->count = 0;
	if (scratch == NULL || m->entries == NULL) {
		free(scratch);
		snprintf(m->report.error, sizeof(m->report.error), "out of memory for %zu entries",
		         cap);
		return TB_ERR_NO_SPACE;
	}
	st = tb_normalize(in->rows, in->count, m->entries, cap, &m->count, scratch, scratch_size);
	free(scratch);
	if (st != TB_OK) {
		snprintf(m->report.error, sizeof(m->report.error), "tb_normalize: %s",
		         tb_status_str(st));
		return st;
	}
	tin.acpi = a->have_mailbox ? acpi : NULL;
	tin.platform_kind = a->platform;
	tin.reserves = a->reserves;
	tin.reserve_count = a->reserve_count;
	return tagging_apply(m->entries, &m->count, cap, &tin, &m->report);
}

/* tb_map_tag may split entries and fill holes; grow the map until the tags fit. */
static enum tb_status simulate_map_build(const struct simulate_input *in,
                                         const struct simargs *a, const struct acpi_info *acpi,
                                         struct simulate_map *m)
{
	size_t cap = 2 * in->count + 4 * (TAGGING_MAX_REGIONS + 1) + 8;
	enum tb_status st;

	for (;;) {
		st = simulate_tag(in, a, acpi, cap, m);
		if (st != TB_ERR_NO_SPACE || cap > ((size_t)1 << 24))
			return st;
		free(m->entries);
		m->entries = NULL;
		cap *= 2;
	}
}

/* The platform record the loader writes after platform_detect; the signature is the one
 * CPUID would show on that platform (background.md section 5). */
static void simulate_platform(struct tb_rec_platform *pf, uint32_t kind)
{
	static const char vendor[] = "handoff simulate";

	pf->kind = kind;
	if (kind != TB_PLATFORM_NONE)
		pf->flags |= TB_PLATFORM_F_HYPERVISOR;
	if (kind == TB_PLATFORM_SEV_SNP)
		pf->flags |= TB_PLATFORM_F_SEV | TB_PLATFORM_F_SEV_ES | TB_PLATFORM_F_SEV_SNP;
	if (kind == TB_PLATFORM_TDX) {
		pf->hypervisor_leaf = 0x21;
		memcpy(pf->hypervisor_signature, "IntelTDX    ", 12);
	} else if (kind == TB_PLATFORM_XEN_HVM) {
		pf->hypervisor_leaf = 0x40000000;
		memcpy(pf->hypervisor_signature, "XenVMMXenVMM", 12);
	} else if (kind == TB_PLATFORM_KVM) {
		pf->hypervisor_leaf = 0x40000000;
		memcpy(pf->hypervisor_signature, "KVMKVMKVM\0\0\0", 12);
	}
	memcpy(pf->firmware_vendor, vendor, sizeof(vendor));
}

/* Platform, MP and memory-map records, as boot_handoff_build lays them out. Returns the blob
 * (free() it) or NULL after a message. */
static void *simulate_blob(const struct simargs *a, const struct simulate_map *m, size_t *size)
{
	size_t cap = sizeof(struct tb_header) + sizeof(struct tb_rec_platform) +
	             sizeof(struct tb_rec_mp) + TB_MEMMAP_ENTRIES_OFFSET +
	             m->count * sizeof(struct tb_mem_entry) + 64;
	void *buf = calloc(1, cap); /* malloc alignment covers the 8 tb_validate needs */
	struct tb_builder b;
	struct tb_rec_platform *pf;
	struct tb_rec_mp *mp;
	enum tb_status st;
	size_t where = 0;

	if (buf == NULL) {
		fprintf(stderr, "handoff simulate: out of memory for the blob\n");
		return NULL;
	}
	tb_builder_init(&b, buf, cap, TB_FLAG_BOOT_SERVICES_EXITED);
	pf = tb_builder_add(&b, TB_REC_PLATFORM, 1, sizeof(*pf));
	if (pf != NULL)
		simulate_platform(pf, a->platform);
	/* The CPUs are not simulated: no AP list, so a version-1 record of its 48 bytes (a
	 * version-2 CPU list would be empty too). */
	mp = tb_builder_add(&b, TB_REC_MP, 1, TB_MP_V1_SIZE);
	if (mp != NULL) {
		mp->ap_ids_offset = TB_MP_V1_SIZE;
		if (a->have_mailbox) {
			mp->mailbox_address = a->mailbox;
			mp->mailbox_version = (uint16_t)a->mailbox_version;
			mp->flags = TB_MP_F_MAILBOX;
		}
	}
	tb_builder_add_memmap(&b, m->entries, m->count);
	st = tb_builder_finish(&b, size);
	if (st == TB_OK)
		st = tb_validate(buf, *size, &where);
	if (st != TB_OK) {
		fprintf(stderr, "handoff simulate: the simulated handoff is invalid: %s (offset %zu)\n",
		        tb_status_str(st), where);
		free(buf);
		return NULL;
	}
	return buf;
}

static void simulate_print_header(const struct simargs *a, const struct simulate_input *in)
{
	static const char *const forms[] = { "", "edk2-shell", "linux-efi", "e820", "bare" };
	const char *sep = "";

	printf("input: %s: %u rows (", a->file, in->diag.rows);
	for (unsigned f = 1; f < 5; f++) {
		if (in->diag.rows_by_form[f] == 0)
			continue;
		printf("%s%s %u", sep, forms[f], in->diag.rows_by_form[f]);
		sep = ", ";
	}
	printf("), %u other lines skipped\n", in->diag.skipped);
	printf("platform: %s\n", tb_platform_name(a->platform));
	if (a->have_mailbox)
		printf("MADT wakeup mailbox: 0x%llx version %d\n", (unsigned long long)a->mailbox,
		       a->mailbox_version);
	else
		printf("MADT wakeup mailbox: none\n");
	for (size_t i = 0; i < a->reserve_count; i++)
		printf("reserve: 0x%llx size 0x%llx %s\n", (unsigned long long)a->reserves[i].base,
		       (unsigned long long)a->reserves[i].size, a->reserves[i].reason);
}

/* Print everything and write the requested files. */
static int simulate_report(const struct simargs *a, const struct simulate_input *in,
                           const struct simulate_map *m, void *blob, size_t size)
{
	struct simreport_totals t;
	const struct tb_rec_memmap *map = tb_memmap(blob);

	simulate_print_header(a, in);
	printf("handoff: %zu bytes, valid\n", size);
	maptable_print_entries(map);
	simreport_tagged(map);
	simreport_hazards(&m->report);
	if (!simreport_totals(blob, size, &t))
		return TOOL_EXIT_INVALID;
	simreport_print_totals(&t);
	if (a->out != NULL) {
		if (blobfile_write(a->out, blob, size) != 0)
			return TOOL_EXIT_USAGE;
		printf("wrote %s (%zu bytes)\n", a->out, size);
	}
	if (a->svg != NULL) {
		if (simsvg_write(a->svg, a->file, map) != 0)
			return TOOL_EXIT_USAGE;
		printf("wrote %s\n", a->svg);
	}
	if (a->strict && m->report.hazard_count > 0) {
		fprintf(stderr, "handoff simulate: %s: %u hazard(s) (--strict)\n", a->file,
		        m->report.hazard_count);
		return TOOL_EXIT_INVALID;
	}
	return TOOL_EXIT_OK;
}

int simulate_main(int argc, char **argv)
{
	static struct acpi_info acpi; /* about 4 KiB of CPU slots */
	struct simargs a;
	struct simulate_input in = { 0 };
	struct simulate_map m = { 0 };
	enum tb_status st;
	void *blob;
	size_t size = 0;
	int rc = simargs_parse(argc, argv, &a);

	if (rc != TOOL_EXIT_OK || a.help) {
		if (a.help)
			simargs_usage(stdout);
		return rc;
	}
	rc = simulate_read(a.file, &in);
	if (rc != TOOL_EXIT_OK) {
		free(in.rows);
		free(in.src_types);
		return rc;
	}
	simulate_acpi(&a, &acpi);
	if (a.chainload) {
		simulate_print_header(&a, &in);
		rc = simshield_report(&a, in.rows, in.src_types, in.count, &acpi);
		free(in.rows);
		free(in.src_types);
		return rc;
	}
	st = simulate_map_build(&in, &a, &acpi, &m);
	if (st != TB_OK) {
		fprintf(stderr, "handoff: %s: %s\n", a.file, m.report.error);
		rc = TOOL_EXIT_INVALID;
	} else if ((blob = simulate_blob(&a, &m, &size)) == NULL) {
		rc = TOOL_EXIT_INVALID;
	} else {
		rc = simulate_report(&a, &in, &m, blob, size);
		free(blob);
	}
	free(m.entries);
	free(in.rows);
	free(in.src_types);
	return rc;
}
