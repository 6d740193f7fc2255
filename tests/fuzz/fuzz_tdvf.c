/* fuzz_tdvf.c: libFuzzer harness for tdvf_read and tdvf_regions over the tail of a firmware image. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tdvf.h"

#define TDVF_FUZZ_REGION_CAP 8u
#define TDVF_FUZZ_PAGE 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The image ends at 4 GiB, so the reader works from its last byte backwards; an
	 * exact-size heap copy makes a read before the start or past the end visible. */
	uint8_t *image = malloc(size ? size : 1);
	if (image == NULL)
		return 0;
	memcpy(image, data, size);

	static struct tdvf_metadata md;
	memset(&md, 0x77, sizeof md);
	enum tdvf_status st = tdvf_read(image, size, &md);
	FUZZ_CHECK(st < TDVF_STATUS_COUNT, "status %d", (int)st);
	FUZZ_CHECK(tdvf_status_str(st) != NULL, "no text for status %d", (int)st);
	if (st != TDVF_OK) {
		FUZZ_CHECK(md.section_count == 0, "failure %d left %u sections", (int)st,
		           md.section_count);
		free(image);
		return 0;
	}
	FUZZ_CHECK(md.version == 1, "version %u", md.version);
	FUZZ_CHECK(md.section_count >= 2 && md.section_count <= TDVF_MAX_SECTIONS, "count %u",
	           md.section_count);
	FUZZ_CHECK(md.descriptor_offset >= 16 && md.descriptor_offset +
	                   16u + 32u * (uint64_t)md.section_count <= size,
	           "descriptor at %llu outside the image", (unsigned long long)md.descriptor_offset);
	for (uint32_t i = 0; i < md.section_count; i++) {
		const struct tdvf_section *s = &md.sections[i];
		FUZZ_CHECK(s->address % TDVF_FUZZ_PAGE == 0 && s->size % TDVF_FUZZ_PAGE == 0,
		           "section %u unaligned", i);
		FUZZ_CHECK(s->raw_size <= s->size, "section %u raw size past its size", i);
		FUZZ_CHECK(s->size == 0 || s->address <= UINT64_MAX - (s->size - 1),
		           "section %u wraps", i);
		FUZZ_CHECK(tdvf_section_type_name(s->type) != NULL, "no name for type %u", s->type);
	}

	/* Every capacity from 0 up: either the regions fit or TDVF_NO_SPACE, never a write past. */
	for (size_t cap = 0; cap <= TDVF_FUZZ_REGION_CAP; cap++) {
		struct tb_mem_entry *out = malloc((cap ? cap : 1) * sizeof *out);
		if (out == NULL)
			break;
		size_t count = (size_t)-1;
		st = tdvf_regions(&md, out, cap, &count);
		FUZZ_CHECK(st == TDVF_OK || st == TDVF_NO_SPACE, "tdvf_regions: %s",
		           tdvf_status_str(st));
		FUZZ_CHECK(count <= cap, "count %zu past cap %zu", count, cap);
		for (size_t i = 0; st == TDVF_OK && i < count; i++) {
			FUZZ_CHECK(out[i].type == TB_MEM_AP_HELD && out[i].owner == TB_OWNER_FIRMWARE &&
			                   out[i].source == TB_SOURCE_TDVF_METADATA,
			           "region %zu tags", i);
			FUZZ_CHECK(out[i].length > 0 && out[i].base % TDVF_FUZZ_PAGE == 0 &&
			                   out[i].length % TDVF_FUZZ_PAGE == 0,
			           "region %zu shape", i);
		}
		free(out);
	}
	free(image);
	return 0;
}
