/* fuzz_place.c: libFuzzer harness for what the loader does with elf_check's yes: the request note, the page range of every segment and the kernel's page tables with the direct map. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot_elf.h"
#include "elf.h"
#include "fuzz.h"
#include "kernel_request.h"
#include "pagetable.h"

/*
 * Input: one byte choosing the top of the identity map (1 to 64 GiB, as pagetable_identity_top
 * gives for a machine of that size), then the ELF file. For an accepted file: every segment's
 * page range covers it and does not wrap; the pool pagetable_pool_pages sizes is never too
 * small; and where pagetable_build succeeds, the first and last byte of every segment
 * translate to their physical addresses. The request note is looked for in the file (it must
 * never read outside it); a granted direct map fits the pool too, and where it is mapped its
 * first and last byte translate, and the segments still do.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint64_t top = pagetable_identity_top(((uint64_t)(data[0] % 64) + 1) << 30);
	size_t file_size = size - 1;
	uint8_t *file = malloc(file_size ? file_size : 1);
	if (!file)
		return 0;
	memcpy(file, data + 1, file_size);
	static struct elf_image img;
	struct elf_error err;
	if (!elf_check(file, file_size, &img, &err)) {
		free(file);
		return 0;
	}
	struct pagetable_range ranges[ELF_MAX_SEGMENTS];
	for (size_t i = 0; i < img.segment_count; i++) {
		const struct elf_segment *s = &img.segments[i];
		uint64_t first = 0, end = 0;
		FUZZ_CHECK(boot_elf_segment_pages(s, &first, &end), "segment %zu refused after elf_check", i);
		FUZZ_CHECK(first <= s->paddr && end > first && end - 1 >= s->paddr + (s->memsz - 1) &&
		                   (first & 4095) == 0 && (end & 4095) == 0,
		           "segment %zu pages [0x%llx, 0x%llx) do not cover it", i,
		           (unsigned long long)first, (unsigned long long)end);
		ranges[i].vaddr = s->vaddr;
		ranges[i].paddr = s->paddr;
		ranges[i].length = s->memsz;
	}
	struct tb_request req;
	bool found = false;
	char why_text[256];
	struct util_sb why;
	util_sb_init(&why, why_text, sizeof why_text);
	struct kernel_request_grant grant = {0};
	bool granted = kernel_request_find(file, file_size, &req, &found, &why) &&
	               kernel_request_resolve(&req, found, NULL, true, &grant, &why);
	FUZZ_CHECK(granted || why_text[0] != '\0', "a refused request without a reason");
	FUZZ_CHECK(!granted || (grant.stack_size >= 4096 && grant.stack_size <= TB_REQ_STACK_MAX &&
	                        grant.stack_size % 4096 == 0),
	           "granted stack of %llu bytes", (unsigned long long)grant.stack_size);
	bool direct = granted && grant.direct_map;
	uint64_t pages = pagetable_pool_pages(top, ranges, img.segment_count);
	if (direct)
		pages += pagetable_direct_pages(top);
	/* 1 GiB segments x 16 and a 64 GiB identity map stay far below this. */
	FUZZ_CHECK(pages < 16384, "pool of %llu pages", (unsigned long long)pages);
	struct pagetable_pool pool = {.pages = pages};
	pool.mem = aligned_alloc(4096, pages * 4096);
	if (!pool.mem) {
		free(file);
		return 0;
	}
	pool.phys = (uint64_t)(uintptr_t)pool.mem;
	uint64_t cr3 = 0;
	enum pagetable_status st = pagetable_build(&pool, top, ranges, img.segment_count, &cr3);
	FUZZ_CHECK(st != PAGETABLE_ERR_POOL, "the pool sized by pagetable_pool_pages ran out");
	if (st == PAGETABLE_OK && direct) {
		st = pagetable_map_direct(&pool, cr3, grant.direct_map_offset, top);
		FUZZ_CHECK(st != PAGETABLE_ERR_POOL, "the pool ran out in the direct map");
		uint64_t pa = 1;
		FUZZ_CHECK(st != PAGETABLE_OK ||
		                   (pagetable_translate(&pool, cr3, grant.direct_map_offset, &pa) && pa == 0 &&
		                    pagetable_translate(&pool, cr3, grant.direct_map_offset + top - 1, &pa) &&
		                    pa == top - 1),
		           "direct map at 0x%llx does not translate", (unsigned long long)grant.direct_map_offset);
	}
	if (st == PAGETABLE_OK) {
		for (size_t i = 0; i < img.segment_count; i++) {
			const struct pagetable_range *r = &ranges[i];
			uint64_t pa = 0;
			FUZZ_CHECK(pagetable_translate(&pool, cr3, r->vaddr, &pa) && pa == r->paddr,
			           "segment %zu first byte", i);
			FUZZ_CHECK(pagetable_translate(&pool, cr3, r->vaddr + (r->length - 1), &pa) &&
			                   pa == r->paddr + (r->length - 1),
			           "segment %zu last byte", i);
		}
	}
	free(pool.mem);
	free(file);
	return 0;
}
