/* fuzz_memtext.c: libFuzzer harness for the memory-map text readers (memtext_parse_ex), feeding its rows to tb_normalize. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "memtext.h"
#include "tagboot_handoff.h"

#define MEMTEXT_FUZZ_CAP 256u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copy, no terminator: the reader must stop at len. */
	char *text = malloc(size ? size : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);

	static struct tb_mem_entry rows[MEMTEXT_FUZZ_CAP];
	static uint32_t src[MEMTEXT_FUZZ_CAP];
	static struct memtext_diag diag;
	size_t count = (size_t)-1;
	memset(&diag, 0x3C, sizeof diag);
	bool ok = memtext_parse_ex(text, size, rows, src, MEMTEXT_FUZZ_CAP, &count, &diag);
	size_t err_len = fuzz_bounded_len(diag.error, sizeof diag.error);
	FUZZ_CHECK(err_len < sizeof diag.error, "diag.error unterminated");
	FUZZ_CHECK(ok == (err_len == 0), "result %d with error '%s'", ok, diag.error);
	FUZZ_CHECK(ok == (diag.error_line == 0), "result %d with error_line %u", ok,
	           diag.error_line);
	FUZZ_CHECK(count <= MEMTEXT_FUZZ_CAP, "count %zu past the capacity", count);
	unsigned by_form = 0;
	for (unsigned f = 0; f < 5; f++)
		by_form += diag.rows_by_form[f];
	FUZZ_CHECK(by_form == diag.rows, "rows %u but %u by form", diag.rows, by_form);

	/* The plain entry point must agree with the _ex one. */
	static struct tb_mem_entry rows2[MEMTEXT_FUZZ_CAP];
	size_t count2 = 0;
	bool ok2 = memtext_parse(text, size, rows2, MEMTEXT_FUZZ_CAP, &count2, NULL);
	FUZZ_CHECK(ok2 == ok, "memtext_parse and memtext_parse_ex disagree");

	if (ok) {
		FUZZ_CHECK(count2 == count && memcmp(rows, rows2, count * sizeof rows[0]) == 0,
		           "memtext_parse and memtext_parse_ex rows differ");
		for (size_t i = 0; i < count; i++) {
			FUZZ_CHECK(rows[i].length > 0, "row %zu is empty", i);
			FUZZ_CHECK(rows[i].base <= UINT64_MAX - (rows[i].length - 1), "row %zu wraps", i);
			FUZZ_CHECK(rows[i].type >= TB_MEM_USABLE && rows[i].type <= TB_MEM_TYPE_MAX,
			           "row %zu type %u", i, rows[i].type);
		}
		/* The rows go on to tb_normalize in the loader's tests; it must accept them. */
		size_t scratch_size = tb_normalize_scratch_size(count);
		void *scratch = malloc(scratch_size);
		static struct tb_mem_entry map[2 * MEMTEXT_FUZZ_CAP + 1];
		size_t n = 0;
		if (scratch != NULL) {
			enum tb_status st = tb_normalize(rows, count, map, 2 * MEMTEXT_FUZZ_CAP + 1, &n,
			                                 scratch, scratch_size);
			FUZZ_CHECK(st == TB_OK, "tb_normalize rejected parsed rows: %s",
			           tb_status_str(st));
			free(scratch);
		}
	}
	for (uint32_t t = 0; t < 0x100; t++)
		(void)memtext_e820_to_tb(t);
	free(text);
	return 0;
}
