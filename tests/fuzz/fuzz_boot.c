/* fuzz_boot.c: libFuzzer harness for the whole path of a native boot's decisions: entry file -> tags -> handoff -> e820, through the loader's own code. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot_handoff.h"
#include "config.h"
#include "e820.h"
#include "efimap.h"
#include "fuzz.h"

/*
 * Input: u16 entry length (little endian), the entry file, one byte of platform kind, then EFI
 * memory descriptors of 48 bytes (the size OVMF uses) as the final map. The entry is parsed as
 * the loader parses it; its reserve lines and the platform go into tagging; boot_handoff_build
 * runs with buffers sized as boot_native sizes them (boot_native.c), then e820_from_map as for
 * Linux. Invariants: a built blob validates; no reserve line is usable in it or RAM in the
 * e820; failures are statuses with a step named, never crashes.
 */
#define FUZZ_BOOT_DESC 48u
#define FUZZ_BOOT_MARGIN 256u

static bool fuzz_boot_usable_overlap(const struct tb_mem_entry *m, size_t n, uint64_t base,
                                     uint64_t last)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].type == TB_MEM_USABLE && m[i].length &&
		    m[i].base <= last && base <= m[i].base + (m[i].length - 1))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t text_len = (size_t)(data[0] | data[1] << 8);
	if (text_len > size - 3)
		return 0;
	const char *text = (const char *)data + 2;
	uint32_t kind = data[2 + text_len] % 6;
	const uint8_t *map = data + 3 + text_len;
	size_t map_size = (size - 3 - text_len) / FUZZ_BOOT_DESC * FUZZ_BOOT_DESC;
	size_t descs = map_size / FUZZ_BOOT_DESC;
	if (descs == 0 || descs > 4096)
		return 0;

	static struct config_entry e;
	struct config_diag diag;
	config_diag_init(&diag, NULL, NULL);
	if (!config_parse_entry("/loader/entries/fuzz.conf", text, text_len, &e, &diag))
		return 0;

	size_t max_descs = descs + FUZZ_BOOT_MARGIN;
	size_t blob_cap = boot_handoff_blob_size(max_descs, FUZZ_BOOT_DESC, 0,
	                                         strlen(e.options), NULL, 0);
	size_t entries_cap = boot_handoff_entries_cap(max_descs);
	size_t scratch_size = efimap_build_scratch_size(max_descs * FUZZ_BOOT_DESC, FUZZ_BOOT_DESC);
	void *blob = aligned_alloc(8, (blob_cap + 7) / 8 * 8);
	struct tb_mem_entry *entries = calloc(entries_cap, sizeof(*entries));
	void *scratch = malloc(scratch_size ? scratch_size : 1);
	void *efi = malloc(map_size);
	struct e820_entry *e820 = NULL;
	if (!blob || !entries || !scratch || !efi)
		goto out;
	memcpy(efi, map, map_size);

	struct tagging_input tin;
	memset(&tin, 0, sizeof(tin));
	tin.platform_kind = kind;
	tin.reserves = e.reserves;
	tin.reserve_count = e.reserve_count;
	struct tb_rec_platform pf;
	memset(&pf, 0, sizeof(pf));
	pf.kind = kind;
	struct boot_handoff_in in;
	memset(&in, 0, sizeof(in));
	in.efi_map = efi;
	in.map_size = map_size;
	in.desc_size = FUZZ_BOOT_DESC;
	in.desc_version = 1;
	in.entries = entries;
	in.entries_cap = entries_cap;
	in.scratch = scratch;
	in.scratch_size = scratch_size;
	in.blob = blob;
	in.blob_cap = blob_cap;
	in.flags = TB_FLAG_BOOT_SERVICES_EXITED;
	in.tagging = &tin;
	in.platform = &pf;
	in.cmdline = e.options;
	static struct boot_handoff_out out;
	memset(&out, 0, sizeof(out));
	enum tb_status st = boot_handoff_build(&in, &out);
	if (st != TB_OK) {
		FUZZ_CHECK(out.failed_step != NULL, "status %s without a failed step",
		           tb_status_str(st));
		goto out;
	}
	size_t where = 0;
	FUZZ_CHECK(out.blob_size <= blob_cap, "blob %zu > cap %zu", out.blob_size, blob_cap);
	FUZZ_CHECK(tb_validate(blob, out.blob_size, &where) == TB_OK, "built blob invalid at %zu",
	           where);
	FUZZ_CHECK(out.map_entries <= entries_cap, "map entries %zu > cap", out.map_entries);
	for (unsigned i = 0; i < e.reserve_count; i++) {
		const struct config_reserve *r = &e.reserves[i];
		if (r->size == 0)
			continue;
		uint64_t last = r->base + (r->size - 1);
		if (last < r->base)
			last = UINT64_MAX;
		FUZZ_CHECK(!fuzz_boot_usable_overlap(entries, out.map_entries, r->base, last),
		           "reserve %u (0x%llx + 0x%llx) is usable in the handoff", i,
		           (unsigned long long)r->base, (unsigned long long)r->size);
	}
	e820 = calloc(out.map_entries ? out.map_entries : 1, sizeof(*e820));
	if (!e820)
		goto out;
	size_t n820 = e820_from_map(entries, out.map_entries, e820, out.map_entries);
	FUZZ_CHECK(n820 <= out.map_entries, "e820 has %zu entries for a map of %zu", n820,
	           out.map_entries);
	for (size_t k = 0; k < n820; k++) {
		if (e820[k].type != E820_TYPE_RAM || e820[k].size == 0)
			continue;
		uint64_t first = e820[k].addr, last = e820[k].addr + (e820[k].size - 1);
		for (unsigned i = 0; i < e.reserve_count; i++) {
			const struct config_reserve *r = &e.reserves[i];
			if (r->size == 0)
				continue;
			uint64_t rl = r->base + (r->size - 1);
			if (rl < r->base)
				rl = UINT64_MAX;
			/* Tagging works in whole pages: the reserve's pages are withheld. */
			uint64_t rb = r->base & ~4095ull;
			rl |= 4095;
			FUZZ_CHECK(!(first <= rl && rb <= last), "reserve %u is RAM in the e820", i);
		}
	}
out:
	free(e820);
	free(efi);
	free(scratch);
	free(entries);
	free(blob);
	return 0;
}
