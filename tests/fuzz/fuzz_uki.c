/* fuzz_uki.c: libFuzzer harness for uki_entry, the Type #2 entry reader over files in /EFI/Linux. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "uki.h"

/* The input is the head of a file; the first 4 bytes (when present) say how much larger the
 * whole file claims to be, so sections past the head are tried too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t extra = 0;
	if (size >= 4) {
		extra = (size_t)(data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24);
		data += 4;
		size -= 4;
	}
	uint8_t *head = malloc(size ? size : 1);
	if (!head)
		return 0;
	memcpy(head, data, size);
	static struct config_entry e;
	const char *why = NULL;
	if (uki_entry("/EFI/Linux/fuzz.efi", head, size, size + extra, &e, &why)) {
		FUZZ_CHECK(fuzz_terminated(e.title, sizeof e.title), "title");
		FUZZ_CHECK(fuzz_terminated(e.version, sizeof e.version), "version");
		FUZZ_CHECK(fuzz_terminated(e.sort_key, sizeof e.sort_key), "sort_key");
		FUZZ_CHECK(strcmp(e.id, "fuzz") == 0, "id %s", e.id);
		FUZZ_CHECK(e.type2 && e.kind == CONFIG_KIND_EFI, "kind");
	} else {
		FUZZ_CHECK(why != NULL, "refused without a reason");
	}
	free(head);
	return 0;
}
