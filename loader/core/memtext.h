/* memtext.h: memory maps from text (EDK2 shell memmap, Linux efi: mem lines, e820 lines) into raw ranges. */
#ifndef TAGBOOT_MEMTEXT_H
#define TAGBOOT_MEMTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tagboot_handoff.h"

#define MEMTEXT_MESSAGE_MAX 192u

/* Line forms the parser recognises. */
enum memtext_form {
	MEMTEXT_FORM_NONE = 0,
	MEMTEXT_FORM_EDK2_SHELL = 1, /* "Available  0000000000001000-000000000009FFFF 000000000000009F 000000000000000F" */
	MEMTEXT_FORM_LINUX_EFI = 2,  /* "efi: mem07: [Conventional|...] range=[0x...-0x...] (7MB)" */
	MEMTEXT_FORM_E820 = 3,       /* "BIOS-e820: [mem 0x...-0x...] usable" */
	MEMTEXT_FORM_BARE = 4,       /* "0x100000 0x7fffff usable" (START END TYPE, END inclusive) */
};

/* Source type of a range, kept next to the mapped TB_MEM_* type. */
#define MEMTEXT_SRC_EFI 0x000u  /* + EFI memory type (0..15; Linux "type=N" up to 0xff) */
#define MEMTEXT_SRC_E820 0x100u /* + e820 type (1 usable, 2 reserved, 3 ACPI, 4 NVS, 5 unusable,
                                 * 7 persistent; 0xefffffff soft reserved is stored as 0xff) */

struct memtext_diag {
	unsigned rows;                /* lines parsed as rows */
	unsigned rows_by_form[5];     /* indexed by enum memtext_form */
	unsigned skipped;             /* lines that matched no form (headers, other log lines) */
	unsigned error_line;          /* 1-based line of the first error, 0 if none */
	char error[MEMTEXT_MESSAGE_MAX]; /* "line 12: ..." ; "" if none */
};

/* Parse len bytes of text (any mix of the forms, one row per line, CRLF accepted). Each row
 * becomes a raw range in out[0..cap): base, length (END inclusive -> END - START + 1), type as
 * TB_MEM_* (EFI rows through efimap_desc_to_tb with the attributes the row prints: the shell's
 * column, Linux's WB/SP/RUN flags), untagged. src_types (may be NULL) receives
 * MEMTEXT_SRC_* + the original type per row. Lines that match no form are skipped and counted;
 * a line that starts like a row but is malformed (bad number, END < START, unknown type name,
 * page count disagreeing with the range) is an error: returns false with diag->error naming
 * the line. Also false when more than cap rows (error "too many rows"). diag may be NULL. */
bool memtext_parse(const char *text, size_t len, struct tb_mem_entry *out, size_t cap,
                   size_t *count, struct memtext_diag *diag);
/* As memtext_parse, also filling src_types[0..cap) when not NULL. */
bool memtext_parse_ex(const char *text, size_t len, struct tb_mem_entry *out, uint32_t *src_types,
                      size_t cap, size_t *count, struct memtext_diag *diag);

/* The tagboot type for an e820 type number (ACPI 6.5 table 15.4; 7 persistent per Linux). */
uint32_t memtext_e820_to_tb(uint32_t e820_type);

#endif /* TAGBOOT_MEMTEXT_H */
