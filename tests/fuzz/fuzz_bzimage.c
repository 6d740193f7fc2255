/* fuzz_bzimage.c: libFuzzer harness for bzimage_check and the zero page built from an accepted header (the native Linux boot's parsing of an untrusted kernel file). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage.h"
#include "fuzz.h"
#include "linux_params.h"

/* What boot_linux.c relies on after bzimage_check said yes (bzimage.h). */
static void bzimage_fuzz_check_info(const struct bzimage_info *bz, size_t size)
{
	FUZZ_CHECK(bz->version >= BZIMAGE_MIN_VERSION, "version 0x%x", bz->version);
	FUZZ_CHECK(bz->xloadflags & BZIMAGE_XLF_KERNEL_64, "no XLF_KERNEL_64");
	FUZZ_CHECK(bz->kernel_offset + bz->kernel_size == size, "kernel range is not the file's tail");
	FUZZ_CHECK(bz->kernel_offset + BZIMAGE_ENTRY_64_OFFSET < size, "64-bit entry past the file");
	FUZZ_CHECK(bz->header_end >= BZIMAGE_MIN_HEADER_END && bz->header_end <= BZIMAGE_HEADER_LIMIT &&
	           bz->header_end <= size, "header_end 0x%x", bz->header_end);
	FUZZ_CHECK(bz->kernel_alignment >= 4096 && (bz->kernel_alignment & (bz->kernel_alignment - 1)) == 0,
	           "kernel_alignment 0x%llx", (unsigned long long)bz->kernel_alignment);
	FUZZ_CHECK(bz->init_size >= bz->kernel_size && bz->init_size <= BZIMAGE_MAX_INIT_SIZE,
	           "init_size 0x%llx", (unsigned long long)bz->init_size);
	FUZZ_CHECK((bz->pref_address & 0xfff) == 0, "pref_address not page aligned");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *file = malloc(size ? size : 1);
	if (file == NULL)
		return 0;
	memcpy(file, data, size);
	static struct bzimage_info bz;
	static struct bzimage_error err;
	memset(&err, 0x5A, sizeof err);
	bool ok = bzimage_check(file, size, &bz, &err);
	if (ok) {
		bzimage_fuzz_check_info(&bz, size);
		/* The zero page takes the setup header and nothing else from the file. */
		static uint8_t bp[LINUX_PARAMS_SIZE];
		struct linux_params_setup s = {.kernel_file = file, .bz = &bz, .cmdline = 0x1000};
		linux_params_init(bp, &s);
		FUZZ_CHECK(bp[LINUX_BP_SENTINEL] == 0, "sentinel copied");
		for (size_t i = bz.header_end; i < LINUX_PARAMS_SIZE; i++)
			FUZZ_CHECK(bp[i] == 0, "byte 0x%zx past the header is not zero", i);
	} else {
		size_t len = fuzz_bounded_len(err.message, sizeof err.message);
		FUZZ_CHECK(len > 0 && len < sizeof err.message, "error message empty or unterminated");
	}
	static struct bzimage_info bz2;
	FUZZ_CHECK(bzimage_check(file, size, &bz2, NULL) == ok, "answer depends on err");
	free(file);
	return 0;
}
