/* fuzz_elf.c: libFuzzer harness for elf_check, the kernel ELF validation the loader runs before placing segments. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf.h"
#include "fuzz.h"

/* What the loader relies on after elf_check said yes (elf.h). */
static void elf_fuzz_check_image(const struct elf_image *img, size_t size)
{
	FUZZ_CHECK(img->segment_count >= 1 && img->segment_count <= ELF_MAX_SEGMENTS,
	           "segment_count %zu", img->segment_count);
	bool entry_in_exec = false;
	uint64_t low = UINT64_MAX, high = 0;
	for (size_t i = 0; i < img->segment_count; i++) {
		const struct elf_segment *s = &img->segments[i];
		FUZZ_CHECK(s->filesz <= s->memsz, "segment %zu filesz > memsz", i);
		FUZZ_CHECK(s->memsz <= ELF_MAX_SEGMENT_MEMSZ, "segment %zu memsz too large", i);
		FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset,
		           "segment %zu content past the file", i);
		FUZZ_CHECK(s->paddr <= UINT64_MAX - s->memsz && s->vaddr <= UINT64_MAX - s->memsz,
		           "segment %zu wraps", i);
		/* The loader rounds the physical end up to a page: that must not wrap either. */
		FUZZ_CHECK(s->paddr + s->memsz <= UINT64_MAX - 4095u, "segment %zu wraps when rounded", i);
		FUZZ_CHECK(s->paddr + s->memsz <= ELF_PHYS_LIMIT, "segment %zu beyond 52 bits", i);
		if ((s->flags & ELF_PF_X) != 0 && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			entry_in_exec = true;
		if (s->paddr < low)
			low = s->paddr;
		if (s->paddr + s->memsz > high)
			high = s->paddr + s->memsz;
		for (size_t j = 0; j < i; j++) {
			const struct elf_segment *t = &img->segments[j];
			if (s->memsz == 0 || t->memsz == 0)
				continue;
			FUZZ_CHECK(s->paddr >= t->paddr + t->memsz || t->paddr >= s->paddr + s->memsz,
			           "segments %zu and %zu overlap physically", j, i);
			FUZZ_CHECK(s->vaddr >= t->vaddr + t->memsz || t->vaddr >= s->vaddr + s->memsz,
			           "segments %zu and %zu overlap virtually", j, i);
		}
	}
	FUZZ_CHECK(entry_in_exec, "entry 0x%llx is not inside an executable segment",
	           (unsigned long long)img->entry);
	FUZZ_CHECK(img->phys_low == low && img->phys_high == high,
	           "phys range [0x%llx, 0x%llx) but segments span [0x%llx, 0x%llx)",
	           (unsigned long long)img->phys_low, (unsigned long long)img->phys_high,
	           (unsigned long long)low, (unsigned long long)high);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file = malloc(size ? size : 1);
	if (file == NULL)
		return 0;
	memcpy(file, data, size);
	static struct elf_image img;
	static struct elf_error err;
	memset(&err, 0x5A, sizeof err);
	bool ok = elf_check(file, size, &img, &err);
	if (ok) {
		elf_fuzz_check_image(&img, size);
	} else {
		size_t len = fuzz_bounded_len(err.message, sizeof err.message);
		FUZZ_CHECK(len > 0 && len < sizeof err.message, "error message empty or unterminated");
	}
	/* err may be NULL: the same answer without a message. */
	static struct elf_image img2;
	FUZZ_CHECK(elf_check(file, size, &img2, NULL) == ok, "answer depends on err");
	free(file);
	return 0;
}
