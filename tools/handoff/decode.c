/* decode.c: `handoff decode FILE`: the validator's verdict, then the header, records, memory
 * map and totals of a blob, for people reading a handoff. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "decode.h"
#include "tagboot_handoff.h"

/* The enum identifiers, so that a message can be looked up in tagboot_handoff.h. */
static const char *const decode_status_ids[TB_STATUS_COUNT] = {
	[TB_OK] = "TB_OK",
	[TB_ERR_NULL] = "TB_ERR_NULL",
	[TB_ERR_TRUNCATED] = "TB_ERR_TRUNCATED",
	[TB_ERR_MAGIC] = "TB_ERR_MAGIC",
	[TB_ERR_MAJOR] = "TB_ERR_MAJOR",
	[TB_ERR_HEADER_SIZE] = "TB_ERR_HEADER_SIZE",
	[TB_ERR_TOTAL_SIZE] = "TB_ERR_TOTAL_SIZE",
	[TB_ERR_CRC] = "TB_ERR_CRC",
	[TB_ERR_RECORD_ALIGN] = "TB_ERR_RECORD_ALIGN",
	[TB_ERR_RECORD_SIZE] = "TB_ERR_RECORD_SIZE",
	[TB_ERR_RECORD_PAST_END] = "TB_ERR_RECORD_PAST_END",
	[TB_ERR_RECORD_COUNT] = "TB_ERR_RECORD_COUNT",
	[TB_ERR_NO_MEMMAP] = "TB_ERR_NO_MEMMAP",
	[TB_ERR_DUPLICATE] = "TB_ERR_DUPLICATE",
	[TB_ERR_ENTRY_SIZE] = "TB_ERR_ENTRY_SIZE",
	[TB_ERR_ENTRIES_PAST_END] = "TB_ERR_ENTRIES_PAST_END",
	[TB_ERR_MAP_ALIGN] = "TB_ERR_MAP_ALIGN",
	[TB_ERR_MAP_EMPTY_ENTRY] = "TB_ERR_MAP_EMPTY_ENTRY",
	[TB_ERR_MAP_WRAP] = "TB_ERR_MAP_WRAP",
	[TB_ERR_MAP_UNSORTED] = "TB_ERR_MAP_UNSORTED",
	[TB_ERR_MAP_OVERLAP] = "TB_ERR_MAP_OVERLAP",
	[TB_ERR_MAP_USABLE_TAG] = "TB_ERR_MAP_USABLE_TAG",
	[TB_ERR_DATA_PAST_END] = "TB_ERR_DATA_PAST_END",
	[TB_ERR_NO_SPACE] = "TB_ERR_NO_SPACE",
	[TB_ERR_INVALID_ARG] = "TB_ERR_INVALID_ARG",
};

static const char *decode_status_id(enum tb_status st)
{
	if ((unsigned)st >= TB_STATUS_COUNT || decode_status_ids[st] == NULL)
		return "TB_ERR_?";
	return decode_status_ids[st];
}

/* Names of the TB_FLAG_* bits, by bit number. */
static const char *const decode_flag_names[] = { "boot-services-exited", "secure-boot",
	                                         "aps-parked-by-loader" };

static void decode_header(const struct tb_header *h)
{
	char magic[9];

	for (int i = 0; i < 8; i++) {
		char c = (char)(h->magic >> (8 * i));

		magic[i] = (c >= 0x20 && c < 0x7f) ? c : '.';
	}
	magic[8] = '\0';
	printf("header:\n");
	printf("  magic          0x%016llx \"%s\"\n", (unsigned long long)h->magic, magic);
	printf("  version        %u.%u", h->major, h->minor);
	if (h->major == TB_VERSION_MAJOR && h->minor > TB_VERSION_MINOR)
		printf(" (newer than this reader's %u.%u: unknown additions are skipped)",
		       TB_VERSION_MAJOR, TB_VERSION_MINOR);
	printf("\n");
	printf("  header_size    %u\n", h->header_size);
	printf("  total_size     %u\n", h->total_size);
	printf("  record_count   %u\n", h->record_count);
	printf("  flags          ");
	records_flags(h->flags, decode_flag_names,
	              sizeof(decode_flag_names) / sizeof(decode_flag_names[0]));
	printf("\n");
	printf("  crc32          0x%08x\n", h->crc32);
}

int decode_main(int argc, char **argv)
{
	const char *path;
	size_t size = 0, where = 0;
	enum tb_status st;
	void *blob;

	if (argc != 2) {
		fprintf(stderr, "usage: handoff decode FILE\n");
		return TOOL_EXIT_USAGE;
	}
	path = argv[1];
	blob = blobfile_read(path, &size);
	if (blob == NULL)
		return TOOL_EXIT_USAGE;

	st = tb_validate(blob, size, &where);
	printf("file: %s (%zu bytes)\n", path, size);
	if (st == TB_OK) {
		printf("verdict: ok\n");
	} else {
		printf("verdict: invalid: %s (%d): %s at offset %zu (0x%zx)\n", decode_status_id(st),
		       (int)st, tb_status_str(st), where, where);
		fprintf(stderr, "handoff: %s: invalid handoff: %s: %s at offset %zu\n", path,
		        decode_status_id(st), tb_status_str(st), where);
	}
	/* The header is plain fixed fields and safe to show whenever it is all there; records
	 * are only walked in a blob the validator accepted. */
	if (size >= sizeof(struct tb_header))
		decode_header(blob);
	if (st == TB_OK) {
		records_print(blob);
		maptable_print(tb_memmap(blob));
	}
	free(blob);
	return st == TB_OK ? TOOL_EXIT_OK : TOOL_EXIT_INVALID;
}
