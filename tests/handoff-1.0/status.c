/* The 1.0 reader kept for the compatibility test: handoff/src/status.c at 6369646, unchanged. */
/* status.c: English text for enum tb_status (tb_status_str). */
#include "tagboot_handoff.h"

/* Indexed by enum tb_status; the order must follow the enum in tagboot_handoff.h. */
static const char *const status_text[TB_STATUS_COUNT] = {
	[TB_OK] = "ok",
	[TB_ERR_NULL] = "null pointer",
	[TB_ERR_TRUNCATED] = "buffer shorter than the header or total_size",
	[TB_ERR_MAGIC] = "bad magic",
	[TB_ERR_MAJOR] = "unsupported major version",
	[TB_ERR_HEADER_SIZE] = "bad header_size",
	[TB_ERR_TOTAL_SIZE] = "total_size not a multiple of 8",
	[TB_ERR_CRC] = "CRC mismatch",
	[TB_ERR_RECORD_ALIGN] = "record size or offset not aligned",
	[TB_ERR_RECORD_SIZE] = "record too small for its fields",
	[TB_ERR_RECORD_PAST_END] = "record runs past total_size",
	[TB_ERR_RECORD_COUNT] = "record_count disagrees with the records present",
	[TB_ERR_NO_MEMMAP] = "no memory map record",
	[TB_ERR_DUPLICATE] = "record that must be unique appears twice",
	[TB_ERR_ENTRY_SIZE] = "memory map entry_size too small or not a multiple of 8",
	[TB_ERR_ENTRIES_PAST_END] = "memory map entries run past the record",
	[TB_ERR_MAP_ALIGN] = "memory map entry not page aligned",
	[TB_ERR_MAP_EMPTY_ENTRY] = "memory map entry of length 0",
	[TB_ERR_MAP_WRAP] = "memory map entry runs past 2^64",
	[TB_ERR_MAP_UNSORTED] = "memory map not sorted by base",
	[TB_ERR_MAP_OVERLAP] = "memory map entries overlap",
	[TB_ERR_MAP_USABLE_TAG] = "usable memory map entry carries a tag",
	[TB_ERR_DATA_PAST_END] = "offset or length points outside its record",
	[TB_ERR_NO_SPACE] = "buffer too small",
	[TB_ERR_INVALID_ARG] = "invalid argument",
};

const char *tb_status_str(enum tb_status status)
{
	if ((unsigned)status >= TB_STATUS_COUNT || status_text[status] == NULL)
		return "unknown status";
	return status_text[status];
}
