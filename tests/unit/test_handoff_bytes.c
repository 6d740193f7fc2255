/* test_handoff_bytes.c: the freestanding byte helpers against libc, CRC-32 against known
 * vectors, and the status and name tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../handoff/src/bytes.h"
#include "tagboot_handoff.h"

/* xorshift64: deterministic random inputs, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(uint8_t *p, size_t n, unsigned alphabet)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng_next() % alphabet);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_copy_and_set_match_libc(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		uint8_t src[300], a[300], b[300];
		size_t off = rng_next() % 40, n = rng_next() % 256;
		int value = (int)(rng_next() % 512) - 256;

		fill_random(src, sizeof(src), 256);
		fill_random(a, sizeof(a), 256);
		memcpy(b, a, sizeof(a));
		tb_bytes_copy(a + off, src, n);
		memcpy(b + off, src, n);
		assert_memory_equal(a, b, sizeof(a));
		tb_bytes_set(a + off, value, n);
		memset(b + off, value, n);
		assert_memory_equal(a, b, sizeof(a));
	}
}

static void test_move_overlapping_matches_memmove(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		uint8_t a[300], b[300];
		size_t from = rng_next() % 100, to = rng_next() % 100, n = rng_next() % 200;

		fill_random(a, sizeof(a), 256);
		memcpy(b, a, sizeof(a));
		tb_bytes_move(a + to, a + from, n);
		memmove(b + to, b + from, n);
		assert_memory_equal(a, b, sizeof(a));
	}
}

static void test_compare_and_strlen_match_libc(void **state)
{
	(void)state;
	for (int round = 0; round < 5000; round++) {
		/* A small alphabet makes equal prefixes, and so late differences, common. */
		char a[64], b[64];
		size_t n = rng_next() % 64;

		fill_random((uint8_t *)a, sizeof(a), 3);
		fill_random((uint8_t *)b, sizeof(b), 3);
		if (rng_next() % 2)
			memcpy(b, a, n);
		/* Bytes above 0x7f must compare as unsigned, as memcmp does. */
		a[rng_next() % 64] = (char)0xF0;
		assert_int_equal(sign(tb_bytes_compare(a, b, n)), sign(memcmp(a, b, n)));
		a[63] = '\0';
		for (size_t i = 0; i < 63; i++)
			if (a[i] == 0)
				a[i] = 'x';
		a[rng_next() % 64] = '\0';
		assert_int_equal(tb_bytes_strlen(a), strlen(a));
	}
}

/* Check values from the CRC catalogue (CRC-32/ISO-HDLC) and zlib's crc32(). */
static void test_crc32_known_vectors(void **state)
{
	(void)state;
	assert_int_equal(tb_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(tb_crc32(0, "", 0), 0x00000000u);
	assert_int_equal(tb_crc32(0, "a", 1), 0xE8B7BE43u);
	assert_int_equal(tb_crc32(0, "The quick brown fox jumps over the lazy dog", 43),
	                 0x414FA339u);
	/* Chaining two calls equals one call over the whole. */
	assert_int_equal(tb_crc32(tb_crc32(0, "12345", 5), "6789", 4), 0xCBF43926u);
}

static void test_status_text(void **state)
{
	(void)state;
	assert_string_equal(tb_status_str(TB_OK), "ok");
	assert_string_equal(tb_status_str(TB_ERR_CRC), "CRC mismatch");
	assert_string_equal(tb_status_str(TB_ERR_MAGIC), "bad magic");
	assert_string_equal(tb_status_str((enum tb_status)TB_STATUS_COUNT), "unknown status");
	for (int s = 0; s < TB_STATUS_COUNT; s++) {
		assert_non_null(tb_status_str((enum tb_status)s));
		assert_string_not_equal(tb_status_str((enum tb_status)s), "unknown status");
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(tb_mem_type_name(TB_MEM_USABLE), "usable");
	assert_string_equal(tb_mem_type_name(TB_MEM_AP_HELD), "ap-held");
	assert_string_equal(tb_mem_type_name(TB_MEM_LOADER_RECLAIMABLE), "loader-reclaimable");
	assert_string_equal(tb_mem_type_name(0), "unknown");
	assert_string_equal(tb_mem_type_name(99), "unknown");
	assert_string_equal(tb_owner_name(TB_OWNER_FIRMWARE), "firmware");
	assert_string_equal(tb_reason_name(TB_REASON_PAGE_TABLES), "page-tables");
	assert_string_equal(tb_reason_name(TB_REASON_HANDOFF_DATA), "handoff-data");
	assert_string_equal(tb_reason_name(19), "unknown");
	assert_string_equal(tb_reclaim_name(TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET),
	                    "after-ap-wakeup-no-reset");
	assert_string_equal(tb_reclaim_name(4), "unknown");
	assert_string_equal(tb_source_name(TB_SOURCE_TDVF_METADATA), "tdvf-metadata");
	assert_string_equal(tb_platform_name(TB_PLATFORM_OTHER_HV), "other-hypervisor");
	assert_string_equal(tb_platform_name(TB_PLATFORM_SEV_SNP), "sev-snp");
	/* Every known type has its own name. */
	for (uint32_t t = 1; t <= TB_MEM_TYPE_MAX; t++)
		for (uint32_t u = t + 1; u <= TB_MEM_TYPE_MAX; u++)
			assert_string_not_equal(tb_mem_type_name(t), tb_mem_type_name(u));
}

static void test_rank_order(void **state)
{
	static const uint32_t order[] = {
		TB_MEM_USABLE, TB_MEM_LOADER_RECLAIMABLE, TB_MEM_ACPI_RECLAIMABLE, TB_MEM_MODULE,
		TB_MEM_KERNEL, TB_MEM_FRAMEBUFFER, TB_MEM_UNACCEPTED, TB_MEM_PERSISTENT,
		TB_MEM_ACPI_NVS, TB_MEM_FIRMWARE_RUNTIME, TB_MEM_MMIO, TB_MEM_RESERVED,
		TB_MEM_AP_HELD, TB_MEM_BAD,
	};

	(void)state;
	for (size_t i = 0; i + 1 < sizeof(order) / sizeof(order[0]); i++)
		assert_true(tb_mem_type_rank(order[i]) < tb_mem_type_rank(order[i + 1]));
	assert_int_equal(tb_mem_type_rank(0), tb_mem_type_rank(TB_MEM_RESERVED));
	assert_int_equal(tb_mem_type_rank(15), tb_mem_type_rank(TB_MEM_RESERVED));
	assert_int_equal(tb_mem_type_known(15), TB_MEM_RESERVED);
	assert_int_equal(tb_mem_type_known(TB_MEM_MMIO), TB_MEM_MMIO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_and_set_match_libc),
		cmocka_unit_test(test_move_overlapping_matches_memmove),
		cmocka_unit_test(test_compare_and_strlen_match_libc),
		cmocka_unit_test(test_crc32_known_vectors),
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rank_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
