/* test_handoff_normalize.c: tb_normalize (order, precedence of every type pair, alignment,
 * 2^64 edges, a million entries) checked by hand and against a brute-force page model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tagboot_handoff.h"

#define PAGE TB_PAGE_SIZE
#define TOP_PAGE 0xFFFFFFFFFFFFF000ull

static struct tb_mem_entry out[64];
static size_t out_n;

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;
static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct tb_mem_entry range(uint64_t base, uint64_t length, uint32_t type)
{
	return (struct tb_mem_entry){ .base = base, .length = length, .type = type };
}

static enum tb_status run(const struct tb_mem_entry *in, size_t n)
{
	static uint8_t scratch[64 * 1024];

	assert_true(tb_normalize_scratch_size(n) <= sizeof(scratch));
	memset(out, 0xEE, sizeof(out));
	return tb_normalize(in, n, out, 64, &out_n, scratch, sizeof(scratch));
}

static void expect_entry(size_t i, uint64_t base, uint64_t length, uint32_t type)
{
	assert_true(i < out_n);
	assert_int_equal(out[i].base, base);
	assert_int_equal(out[i].length, length);
	assert_int_equal(out[i].type, type);
	assert_int_equal(out[i].after_type, type);
	assert_int_equal(out[i].owner, TB_OWNER_NONE);
	assert_int_equal(out[i].reclaim, TB_RECLAIM_NEVER);
	assert_int_equal(out[i].reason, TB_REASON_NONE);
	assert_int_equal(out[i].reserved, 0);
}

/* The output must pass the validator once wrapped in a blob. */
static void expect_valid_map(const struct tb_mem_entry *map, size_t n)
{
	size_t cap = 64 + 16 + n * sizeof(struct tb_mem_entry), size = 0, where = 0;
	uint64_t *buf = malloc(cap);
	struct tb_builder b;

	assert_non_null(buf);
	tb_builder_init(&b, buf, cap, 0);
	assert_non_null(tb_builder_add_memmap(&b, map, n));
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_string_equal(tb_status_str(tb_validate(buf, size, &where)), tb_status_str(TB_OK));
	free(buf);
}

static void test_unsorted_input_is_sorted(void **state)
{
	const struct tb_mem_entry in[] = {
		range(0x300000, 0x1000, TB_MEM_ACPI_NVS),
		range(0x100000, 0x2000, TB_MEM_USABLE),
		range(0x0, 0x1000, TB_MEM_RESERVED),
	};

	(void)state;
	assert_int_equal(run(in, 3), TB_OK);
	assert_int_equal(out_n, 3);
	expect_entry(0, 0x0, 0x1000, TB_MEM_RESERVED);
	expect_entry(1, 0x100000, 0x2000, TB_MEM_USABLE);
	expect_entry(2, 0x300000, 0x1000, TB_MEM_ACPI_NVS);
	expect_valid_map(out, out_n);
}

static void test_every_pair_of_types(void **state)
{
	(void)state;
	for (uint32_t a = 1; a <= TB_MEM_TYPE_MAX; a++) {
		for (uint32_t b = 1; b <= TB_MEM_TYPE_MAX; b++) {
			if (a == b)
				continue;
			bool a_wins = tb_mem_type_rank(a) > tb_mem_type_rank(b);
			/* Partial overlap: A [0x10000, 0x30000), B [0x20000, 0x40000). */
			const struct tb_mem_entry partial[] = { range(0x10000, 0x20000, a),
			                                        range(0x20000, 0x20000, b) };
			assert_int_equal(run(partial, 2), TB_OK);
			assert_int_equal(out_n, 2);
			if (a_wins) {
				expect_entry(0, 0x10000, 0x20000, a);
				expect_entry(1, 0x30000, 0x10000, b);
			} else {
				expect_entry(0, 0x10000, 0x10000, a);
				expect_entry(1, 0x20000, 0x20000, b);
			}
			/* Containment: B [0x20000, 0x30000) inside A [0x10000, 0x50000). */
			const struct tb_mem_entry inside[] = { range(0x20000, 0x10000, b),
			                                       range(0x10000, 0x40000, a) };
			assert_int_equal(run(inside, 2), TB_OK);
			if (a_wins) {
				assert_int_equal(out_n, 1);
				expect_entry(0, 0x10000, 0x40000, a);
			} else {
				assert_int_equal(out_n, 3);
				expect_entry(0, 0x10000, 0x10000, a);
				expect_entry(1, 0x20000, 0x10000, b);
				expect_entry(2, 0x30000, 0x20000, a);
			}
		}
	}
}

static void test_zero_length_and_merges(void **state)
{
	const struct tb_mem_entry in[] = {
		range(0x5000, 0, TB_MEM_BAD),        /* vanishes: BAD would otherwise split */
		range(0x0, 0x3000, TB_MEM_USABLE),
		range(0x3000, 0x2000, TB_MEM_USABLE), /* adjacent: merges */
		range(0x4000, 0x4000, TB_MEM_USABLE), /* overlapping same type: union */
		range(0x8000, 0x1000, 99),            /* unknown: reserved */
		range(0x9000, 0x1000, TB_MEM_RESERVED),
	};
	const struct tb_mem_entry empty[] = { range(0x1000, 0, TB_MEM_USABLE) };

	(void)state;
	assert_int_equal(run(in, 6), TB_OK);
	assert_int_equal(out_n, 2);
	expect_entry(0, 0x0, 0x8000, TB_MEM_USABLE);
	expect_entry(1, 0x8000, 0x2000, TB_MEM_RESERVED);
	assert_int_equal(run(empty, 1), TB_OK);
	assert_int_equal(out_n, 0);
	assert_int_equal(run(NULL, 0), TB_OK);
	assert_int_equal(out_n, 0);
}

static void test_unaligned_edges(void **state)
{
	const struct tb_mem_entry usable[] = { range(0x1800, 0x4000, TB_MEM_USABLE) };
	const struct tb_mem_entry reserved[] = { range(0x1800, 0x1000, TB_MEM_RESERVED) };
	const struct tb_mem_entry sub_page[] = { range(0x0, 0x10000, TB_MEM_USABLE),
	                                         range(0x3100, 0x100, TB_MEM_RESERVED) };
	const struct tb_mem_entry tiny_usable[] = { range(0x1100, 0xE00, TB_MEM_USABLE) };
	/* Two sub-page pieces in one page: the higher rank takes it. */
	const struct tb_mem_entry shared[] = { range(0x1100, 0x10, TB_MEM_ACPI_NVS),
	                                       range(0x1800, 0x10, TB_MEM_MMIO),
	                                       range(0x1F00, 0x1100, TB_MEM_ACPI_NVS) };

	(void)state;
	assert_int_equal(run(usable, 1), TB_OK);
	assert_int_equal(out_n, 1);
	expect_entry(0, 0x2000, 0x3000, TB_MEM_USABLE);

	assert_int_equal(run(reserved, 1), TB_OK);
	assert_int_equal(out_n, 1);
	expect_entry(0, 0x1000, 0x2000, TB_MEM_RESERVED);

	assert_int_equal(run(sub_page, 2), TB_OK);
	assert_int_equal(out_n, 3);
	expect_entry(0, 0x0, 0x3000, TB_MEM_USABLE);
	expect_entry(1, 0x3000, 0x1000, TB_MEM_RESERVED);
	expect_entry(2, 0x4000, 0xC000, TB_MEM_USABLE);

	assert_int_equal(run(tiny_usable, 1), TB_OK);
	assert_int_equal(out_n, 0);

	assert_int_equal(run(shared, 3), TB_OK);
	assert_int_equal(out_n, 2);
	expect_entry(0, 0x1000, 0x1000, TB_MEM_MMIO);
	expect_entry(1, 0x2000, 0x1000, TB_MEM_ACPI_NVS);
}

static void test_top_of_address_space(void **state)
{
	const struct tb_mem_entry touching[] = {
		range(TOP_PAGE, PAGE, TB_MEM_RESERVED),
		range(TOP_PAGE - 0x1000, 0x20000, TB_MEM_MMIO), /* runs past 2^64: clipped */
		range(TOP_PAGE + 0x800, 0x1000, TB_MEM_USABLE),  /* nothing whole remains */
	};
	const struct tb_mem_entry everything[] = { range(0, UINT64_MAX, TB_MEM_RESERVED) };
	const struct tb_mem_entry usable_top[] = { range(TOP_PAGE - 0x1000, UINT64_MAX,
	                                                 TB_MEM_USABLE) };

	(void)state;
	assert_int_equal(run(touching, 3), TB_OK);
	assert_int_equal(out_n, 2);
	expect_entry(0, TOP_PAGE - 0x1000, 0x1000, TB_MEM_MMIO);
	expect_entry(1, TOP_PAGE, 0x1000, TB_MEM_RESERVED);
	expect_valid_map(out, out_n);

	/* [0, 2^64 - 1) grows to all 2^64 bytes, which one entry cannot hold. */
	assert_int_equal(run(everything, 1), TB_OK);
	assert_int_equal(out_n, 2);
	expect_entry(0, 0, 1ull << 63, TB_MEM_RESERVED);
	expect_entry(1, 1ull << 63, 1ull << 63, TB_MEM_RESERVED);
	expect_valid_map(out, out_n);

	assert_int_equal(run(usable_top, 1), TB_OK);
	assert_int_equal(out_n, 1);
	expect_entry(0, TOP_PAGE - 0x1000, 0x2000, TB_MEM_USABLE);
}

static void test_buffers_too_small(void **state)
{
	const struct tb_mem_entry in[] = { range(0, 0x1000, TB_MEM_USABLE),
	                                   range(0x2000, 0x1000, TB_MEM_RESERVED) };
	uint8_t scratch[256];
	size_t n = 99;

	(void)state;
	assert_int_equal(tb_normalize(in, 2, out, 1, &n, scratch, sizeof(scratch)),
	                 TB_ERR_NO_SPACE);
	assert_int_equal(tb_normalize(in, 2, out, 2, &n, scratch, tb_normalize_scratch_size(2) - 1),
	                 TB_ERR_NO_SPACE);
	/* An unaligned scratch pointer is fine. */
	assert_int_equal(tb_normalize(in, 2, out, 2, &n, scratch + 3, tb_normalize_scratch_size(2)),
	                 TB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(tb_normalize(in, 2, out, 2, NULL, scratch, sizeof(scratch)), TB_ERR_NULL);
}

/*
 * Brute force model on 16 pages split in 256-byte units: the winner of a unit is the highest
 * rank covering it; a page is the highest non-usable unit winner it holds, else usable when
 * all its units are usable, else nothing.
 */
#define MODEL_PAGES 16
#define MODEL_UNITS (MODEL_PAGES * 16)

static void test_random_against_page_model(void **state)
{
	(void)state;
	for (int round = 0; round < 3000; round++) {
		struct tb_mem_entry in[8];
		int unit_type[MODEL_UNITS];
		uint32_t page_type[MODEL_PAGES];
		size_t n = 1 + rng_next() % 8;
		struct tb_mem_entry expected[MODEL_PAGES];
		size_t expected_n = 0;

		for (size_t i = 0; i < n; i++) {
			uint64_t first = rng_next() % MODEL_UNITS;
			uint64_t units = rng_next() % 40;

			if (first + units > MODEL_UNITS)
				units = MODEL_UNITS - first;
			/* Usable most often, so that small reserved ranges cut into it. */
			uint32_t type = rng_next() % 3 ? TB_MEM_USABLE : 1 + rng_next() % 15;
			in[i] = range(first * 0x100, units * 0x100, type);
		}
		for (int u = 0; u < MODEL_UNITS; u++) {
			unit_type[u] = 0;
			for (size_t i = 0; i < n; i++) {
				if (u * 0x100u < in[i].base || u * 0x100u >= in[i].base + in[i].length)
					continue;
				uint32_t t = tb_mem_type_known(in[i].type);
				if (unit_type[u] == 0 || tb_mem_type_rank(t) > tb_mem_type_rank(unit_type[u]))
					unit_type[u] = (int)t;
			}
		}
		for (int p = 0; p < MODEL_PAGES; p++) {
			int usable_units = 0;

			page_type[p] = 0;
			for (int u = p * 16; u < p * 16 + 16; u++) {
				if (unit_type[u] == TB_MEM_USABLE)
					usable_units++;
				else if (unit_type[u] != 0 &&
				         (page_type[p] == 0 ||
				          tb_mem_type_rank(unit_type[u]) > tb_mem_type_rank(page_type[p])))
					page_type[p] = (uint32_t)unit_type[u];
			}
			if (page_type[p] == 0 && usable_units == 16)
				page_type[p] = TB_MEM_USABLE;
			if (page_type[p] == 0)
				continue;
			if (expected_n > 0 && expected[expected_n - 1].type == page_type[p] &&
			    expected[expected_n - 1].base + expected[expected_n - 1].length == p * PAGE)
				expected[expected_n - 1].length += PAGE;
			else
				expected[expected_n++] = range(p * PAGE, PAGE, page_type[p]);
		}

		assert_int_equal(run(in, n), TB_OK);
		assert_int_equal(out_n, expected_n);
		for (size_t i = 0; i < expected_n; i++)
			expect_entry(i, expected[i].base, expected[i].length, expected[i].type);
	}
}

/*
 * A million entries, shuffled: 500,000 adjacent 8 KiB usable ranges (which merge) and in each
 * of them a 256-byte reserved range at +0x800 (which takes the first page). Expected: reserved
 * and usable pages alternating, 1,000,000 entries, 500,000 pages of each.
 */
static void test_a_million_entries(void **state)
{
	const size_t half = 500000, n = 2 * half;
	struct tb_mem_entry *in = malloc(n * sizeof(*in));
	struct tb_mem_entry *result = malloc((2 * n + 1) * sizeof(*result));
	size_t scratch_size = tb_normalize_scratch_size(n), count = 0;
	void *scratch = malloc(scratch_size);
	uint64_t usable = 0, reserved = 0;

	(void)state;
	assert_non_null(in);
	assert_non_null(result);
	assert_non_null(scratch);
	for (size_t i = 0; i < half; i++) {
		in[i] = range(i * 0x2000, 0x2000, TB_MEM_USABLE);
		in[half + i] = range(i * 0x2000 + 0x800, 0x100, TB_MEM_RESERVED);
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rng_next() % (i + 1);
		struct tb_mem_entry t = in[i];

		in[i] = in[j];
		in[j] = t;
	}
	assert_int_equal(tb_normalize(in, n, result, 2 * n + 1, &count, scratch, scratch_size),
	                 TB_OK);
	assert_int_equal(count, n);
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(result[i].base, i * 0x1000);
		assert_int_equal(result[i].type, i % 2 ? TB_MEM_USABLE : TB_MEM_RESERVED);
		if (result[i].type == TB_MEM_USABLE)
			usable += result[i].length;
		else
			reserved += result[i].length;
	}
	assert_int_equal(usable, half * PAGE);
	assert_int_equal(reserved, half * PAGE);
	expect_valid_map(result, count);
	free(in);
	free(result);
	free(scratch);
}

/*
 * The sort's worst inputs for a quicksort: already sorted, reversed, and all identical.
 * 100,000 usable ranges of 8 KiB, each with a reserved 256 bytes at +0x800, in the three
 * orders; expected as in the million test: reserved and usable pages alternating. The
 * identical case is 100,000 copies of one 16 KiB reserved range: one entry.
 */
static void test_adversarial_orders(void **state)
{
	const size_t half = 50000, n = 2 * half;
	struct tb_mem_entry *in = malloc(n * sizeof(*in));
	struct tb_mem_entry *result = malloc((2 * n + 1) * sizeof(*result));
	size_t scratch_size = tb_normalize_scratch_size(n), count = 0;
	void *scratch = malloc(scratch_size);

	(void)state;
	assert_non_null(in);
	assert_non_null(result);
	assert_non_null(scratch);
	for (int order = 0; order < 2; order++) {
		for (size_t i = 0; i < half; i++) {
			size_t slot = order == 0 ? 2 * i : n - 2 - 2 * i;

			in[slot] = range(i * 0x2000, 0x2000, TB_MEM_USABLE);
			in[slot + 1] = range(i * 0x2000 + 0x800, 0x100, TB_MEM_RESERVED);
		}
		assert_int_equal(tb_normalize(in, n, result, 2 * n + 1, &count, scratch,
		                              scratch_size), TB_OK);
		assert_int_equal(count, n);
		for (size_t i = 0; i < count; i++) {
			assert_int_equal(result[i].base, i * 0x1000);
			assert_int_equal(result[i].length, PAGE);
			assert_int_equal(result[i].type, i % 2 ? TB_MEM_USABLE : TB_MEM_RESERVED);
		}
	}
	for (size_t i = 0; i < n; i++)
		in[i] = range(0x100000, 0x4000, TB_MEM_RESERVED);
	assert_int_equal(tb_normalize(in, n, result, 2 * n + 1, &count, scratch, scratch_size),
	                 TB_OK);
	assert_int_equal(count, 1);
	assert_int_equal(result[0].base, 0x100000);
	assert_int_equal(result[0].length, 0x4000);
	assert_int_equal(result[0].type, TB_MEM_RESERVED);
	free(in);
	free(result);
	free(scratch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsorted_input_is_sorted),
		cmocka_unit_test(test_every_pair_of_types),
		cmocka_unit_test(test_zero_length_and_merges),
		cmocka_unit_test(test_unaligned_edges),
		cmocka_unit_test(test_top_of_address_space),
		cmocka_unit_test(test_buffers_too_small),
		cmocka_unit_test(test_random_against_page_model),
		cmocka_unit_test(test_a_million_entries),
		cmocka_unit_test(test_adversarial_orders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
