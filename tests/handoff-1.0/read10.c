/* read10.c: a kernel-like reader built only against the 1.0 header and the 1.0 reader, for the compatibility test. */
/*
 * Usage: handoff10-read FILE. Validates the blob with the 1.0 tb_validate, walks every record
 * (types 1..10 are known to 1.0; the rest are skipped by size), reads the records a 1.0 kernel
 * reads, steps through the memory map by entry_size, and prints a summary:
 *
 *   verdict: ok                      (or "verdict: invalid: STATUS at offset N")
 *   version: 1.1
 *   records: 19 (10 known, 9 skipped)
 *   map entries: 29 of 32 bytes
 *   usable: 2109575168 bytes
 *
 * Exit status: 0 valid, 1 invalid (or a reader check failed), 2 usage or I/O error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tagboot_handoff.h"

#if TB_VERSION_MAJOR != 1 || TB_VERSION_MINOR != 0
#error "read10.c must be built against the 1.0 header (tests/handoff-1.0/tagboot_handoff.h)"
#endif

/* The whole file in a malloc'd buffer of exactly its size (ASan sees a read one byte past);
 * malloc's alignment covers the 8 bytes tb_validate needs. */
static void *read10_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long length;
	void *buf;

	if (f == NULL) {
		fprintf(stderr, "handoff10-read: %s: cannot open\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    length > (long)UINT32_MAX) {
		fprintf(stderr, "handoff10-read: %s: cannot size it, or larger than any handoff\n",
		        path);
		fclose(f);
		return NULL;
	}
	buf = malloc(length ? (size_t)length : 1);
	if (buf == NULL || fread(buf, 1, (size_t)length, f) != (size_t)length) {
		fprintf(stderr, "handoff10-read: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)length;
	return buf;
}

/* What a 1.0 kernel reads besides the map: the MP record's AP IDs, the command line, module
 * names. Returns the number of failed checks (each printed). */
static int read10_known(const void *blob, const struct tb_record *r)
{
	const uint8_t *rec = (const uint8_t *)r;
	int bad = 0;

	switch (r->type) {
	case TB_REC_MP: {
		const struct tb_rec_mp *mp = (const void *)rec;
		uint64_t sum = 0;

		for (uint32_t i = 0; i < mp->ap_count; i++) {
			uint32_t id;

			memcpy(&id, rec + mp->ap_ids_offset + 4u * i, sizeof(id));
			sum += id;
		}
		printf("mp: %u APs (APIC ID sum %llu)\n", mp->ap_count, (unsigned long long)sum);
		if (tb_find_record(blob, TB_REC_MP, sizeof(struct tb_rec_mp)) != r) {
			printf("FAIL: tb_find_record does not return the MP record\n");
			bad++;
		}
		break;
	}
	case TB_REC_CMDLINE: {
		const struct tb_rec_cmdline *c = (const void *)rec;

		/* What the 1.0 validator promises: a NUL after length bytes (an earlier NUL only
		 * makes the C string shorter). */
		if (rec[c->offset + c->length] != '\0') {
			printf("FAIL: the command line has no NUL after %u bytes\n", c->length);
			bad++;
		}
		printf("cmdline: %u bytes\n", c->length);
		break;
	}
	case TB_REC_MODULE: {
		const struct tb_rec_module *m = (const void *)rec;

		if (rec[m->name_offset + m->name_length] != '\0') {
			printf("FAIL: a module name has no NUL after %u bytes\n", m->name_length);
			bad++;
		}
		printf("module: %u-byte name, %llu bytes at 0x%llx\n", m->name_length,
		       (unsigned long long)m->size, (unsigned long long)m->base);
		break;
	}
	default:
		break;
	}
	return bad;
}

int main(int argc, char **argv)
{
	const struct tb_header *h;
	const struct tb_rec_memmap *map;
	size_t size = 0, where = 0;
	uint32_t known = 0, skipped = 0;
	uint64_t usable = 0;
	enum tb_status st;
	int bad = 0;
	void *blob;

	if (argc != 2) {
		fprintf(stderr, "usage: handoff10-read FILE\n");
		return 2;
	}
	blob = read10_file(argv[1], &size);
	if (blob == NULL)
		return 2;
	st = tb_validate(blob, size, &where);
	if (st != TB_OK) {
		printf("verdict: invalid: %s at offset %zu\n", tb_status_str(st), where);
		free(blob);
		return 1;
	}
	h = blob;
	printf("verdict: ok\n");
	printf("version: %u.%u\n", h->major, h->minor);
	for (const struct tb_record *r = tb_next_record(blob, NULL); r != NULL;
	     r = tb_next_record(blob, r)) {
		if (r->type >= TB_REC_MEMMAP && r->type <= TB_REC_LOADER) {
			known++;
			bad += read10_known(blob, r);
		} else {
			skipped++;
		}
	}
	printf("records: %u (%u known, %u skipped)\n", known + skipped, known, skipped);
	map = tb_memmap(blob);
	if (map == NULL) {
		printf("FAIL: a validated blob without a memory map\n");
		free(blob);
		return 1;
	}
	printf("map entries: %u of %u bytes\n", map->entry_count, map->entry_size);
	for (uint32_t i = 0; i < map->entry_count; i++) {
		/* entry i at 16 + i * entry_size, whatever a newer minor appended to entries. */
		const struct tb_mem_entry *e = (const void *)((const uint8_t *)map +
		                                              TB_MEMMAP_ENTRIES_OFFSET +
		                                              (size_t)i * map->entry_size);
		bool now = tb_mem_type_known(e->type) == TB_MEM_USABLE;

		if (e != tb_memmap_entry(map, i)) {
			printf("FAIL: tb_memmap_entry(%u) is not at entry_size steps\n", i);
			bad++;
		}
		if (tb_frame_usable_now(blob, e->base) != now) {
			printf("FAIL: tb_frame_usable_now disagrees with entry %u\n", i);
			bad++;
		}
		if (now)
			usable += e->length;
	}
	printf("usable: %llu bytes\n", (unsigned long long)usable);
	free(blob);
	return bad == 0 ? 0 : 1;
}
