/* fuzz_efimap.c: libFuzzer harness for the UEFI memory-map conversion (efimap_convert, efimap_build, runtime descriptors). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "efimap.h"
#include "fuzz.h"
#include "tagboot_handoff.h"

#define EFIMAP_FUZZ_CAP 512u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* The first byte picks the descriptor stride firmware reported: 40 (the struct), 48
	 * (OVMF), up to 96, or a too-small one that must be refused. */
	size_t desc_size = (data[0] & 0x80u) ? (size_t)(data[0] & 0x3Fu) : 40u + 8u * (data[0] % 8u);
	size_t map_size = size - 1;
	uint8_t *map = malloc(map_size ? map_size : 1);
	if (map == NULL)
		return 0;
	memcpy(map, data + 1, map_size);

	static struct tb_mem_entry raw[EFIMAP_FUZZ_CAP];
	size_t count = 0;
	enum tb_status st = efimap_convert(map, map_size, desc_size, raw, EFIMAP_FUZZ_CAP, &count);
	if (desc_size < EFIMAP_DESC_MIN_SIZE) {
		FUZZ_CHECK(st == TB_ERR_INVALID_ARG, "desc_size %zu accepted: %s", desc_size,
		           tb_status_str(st));
		free(map);
		return 0;
	}
	size_t expected = map_size / desc_size;
	if (expected > EFIMAP_FUZZ_CAP) {
		FUZZ_CHECK(st == TB_ERR_NO_SPACE && count == expected, "%zu descriptors: %s, count %zu",
		           expected, tb_status_str(st), count);
		free(map);
		return 0;
	}
	FUZZ_CHECK(st == TB_OK && count == expected, "convert: %s, count %zu of %zu",
	           tb_status_str(st), count, expected);
	for (size_t i = 0; i < count; i++) {
		struct efimap_desc d;
		FUZZ_CHECK(efimap_get(map, map_size, desc_size, i, &d), "descriptor %zu unreadable", i);
		FUZZ_CHECK(raw[i].base == d.phys_start, "entry %zu base", i);
		FUZZ_CHECK(raw[i].type == efimap_desc_to_tb(d.type, d.attribute), "entry %zu type", i);
		FUZZ_CHECK(raw[i].length == 0 || raw[i].length - 1 <= UINT64_MAX - raw[i].base,
		           "entry %zu runs past 2^64", i);
		(void)efimap_type_name(d.type);
	}
	struct efimap_desc past;
	FUZZ_CHECK(!efimap_get(map, map_size, desc_size, count, &past), "descriptor past the end");

	/* Runtime descriptors into an exact-size buffer, after asking how many there are. */
	size_t rt = 0;
	st = efimap_runtime_descs(map, map_size, desc_size, NULL, 0, &rt);
	FUZZ_CHECK(st == TB_OK || st == TB_ERR_NO_SPACE || st == TB_ERR_NULL, "runtime count: %s",
	           tb_status_str(st));
	if (rt > 0 && rt <= count) {
		uint8_t *rt_buf = malloc(rt * desc_size);
		size_t rt2 = 0;
		if (rt_buf != NULL) {
			st = efimap_runtime_descs(map, map_size, desc_size, rt_buf, rt * desc_size, &rt2);
			FUZZ_CHECK(st == TB_OK && rt2 == rt, "runtime copy: %s, %zu of %zu",
			           tb_status_str(st), rt2, rt);
			free(rt_buf);
		}
	}

	/* The loader's one-step path: convert and normalize. */
	size_t scratch_size = efimap_build_scratch_size(map_size, desc_size);
	void *scratch = malloc(scratch_size ? scratch_size : 1);
	static struct tb_mem_entry out[2 * EFIMAP_FUZZ_CAP + 1];
	size_t out_count = 0;
	if (scratch != NULL) {
		st = efimap_build(map, map_size, desc_size, out, 2 * EFIMAP_FUZZ_CAP + 1, &out_count,
		                  scratch, scratch_size);
		FUZZ_CHECK(st == TB_OK, "efimap_build: %s", tb_status_str(st));
		for (size_t i = 1; i < out_count; i++)
			FUZZ_CHECK(out[i - 1].base + out[i - 1].length <= out[i].base,
			           "built entries %zu and %zu overlap or are unsorted", i - 1, i);
		free(scratch);
	}
	free(map);
	return 0;
}
