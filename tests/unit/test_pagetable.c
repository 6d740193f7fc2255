/* test_pagetable.c: build page tables in a fake pool and walk them like the MMU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pagetable.h"

/* The pool pretends to live at this physical address (any page-aligned value works). */
#define FAKE_PHYS 0x10000000ull
#define KERNEL_BASE 0xffffffff80000000ull

static struct pagetable_pool make_pool(uint64_t pages)
{
	struct pagetable_pool pool = {0};
	pool.mem = aligned_alloc(4096, pages * 4096);
	pool.phys = FAKE_PHYS;
	pool.pages = pages;
	return pool;
}

static uint64_t walk(const struct pagetable_pool *pool, uint64_t cr3, uint64_t vaddr)
{
	uint64_t paddr = 0;
	assert_true(pagetable_translate(pool, cr3, vaddr, &paddr));
	return paddr;
}

static void assert_unmapped(const struct pagetable_pool *pool, uint64_t cr3, uint64_t vaddr)
{
	uint64_t paddr;
	assert_false(pagetable_translate(pool, cr3, vaddr, &paddr));
}

static void test_identity_4g(void **state)
{
	(void)state;
	/* PML4 + 1 PDPT + 4 PDs = 6 pages. */
	assert_int_equal(pagetable_pool_pages(PAGETABLE_4G, NULL, 0), 6);
	struct pagetable_pool pool = make_pool(6);
	uint64_t cr3 = 0;
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, NULL, 0, &cr3), PAGETABLE_OK);
	assert_int_equal(cr3, FAKE_PHYS);
	assert_int_equal(pool.used, 6);
	assert_int_equal(walk(&pool, cr3, 0), 0);
	assert_int_equal(walk(&pool, cr3, 0x12345678), 0x12345678);
	assert_int_equal(walk(&pool, cr3, 0x800123), 0x800123);
	assert_int_equal(walk(&pool, cr3, 0xfffff123), 0xfffff123);
	assert_unmapped(&pool, cr3, 0x100000000ull);
	assert_unmapped(&pool, cr3, KERNEL_BASE);
	/* 2 MiB pages: the PDE for 0x800000 (PD 0, entry 4) carries PS. */
	uint64_t *pml4 = (uint64_t *)(void *)pool.mem;
	uint64_t pdpt_phys = pml4[0] & PAGETABLE_ADDR_MASK;
	uint64_t *pdpt = (uint64_t *)(void *)(pool.mem + (pdpt_phys - FAKE_PHYS));
	uint64_t *pd0 = (uint64_t *)(void *)(pool.mem + ((pdpt[0] & PAGETABLE_ADDR_MASK) - FAKE_PHYS));
	assert_int_equal(pd0[4], 0x800000 | PAGETABLE_P | PAGETABLE_RW | PAGETABLE_PS);
	free(pool.mem);
}

static void test_identity_top_above_4g(void **state)
{
	(void)state;
	uint64_t top = pagetable_identity_top(64 * PAGETABLE_1G + 0x1000);
	assert_int_equal(top, 65 * PAGETABLE_1G);
	assert_int_equal(pagetable_identity_top(0x80000000ull), PAGETABLE_4G);
	/* PML4 + 1 PDPT + 65 PDs. */
	assert_int_equal(pagetable_pool_pages(top, NULL, 0), 67);
	struct pagetable_pool pool = make_pool(67);
	uint64_t cr3;
	assert_int_equal(pagetable_build(&pool, top, NULL, 0, &cr3), PAGETABLE_OK);
	assert_int_equal(walk(&pool, cr3, 64 * PAGETABLE_1G + 5), 64 * PAGETABLE_1G + 5);
	assert_unmapped(&pool, cr3, 65 * PAGETABLE_1G);
	free(pool.mem);
}

static void test_higher_half_kernel(void **state)
{
	(void)state;
	/* Text at -2 GiB + 2 MiB -> 0x200000; data at +0x4800 -> 0x205800 (not contiguous). */
	const struct pagetable_range segs[] = {
		{KERNEL_BASE + 0x200000, 0x200000, 0x3000},
		{KERNEL_BASE + 0x204800, 0x205800, 0x1000},
	};
	struct pagetable_pool pool = make_pool(64);
	uint64_t cr3;
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, segs, 2, &cr3), PAGETABLE_OK);
	/* identity 6 + PDPT (PML4 slot 511) + PD + PT = 9 pages. */
	assert_int_equal(pool.used, 9);
	assert_int_equal(walk(&pool, cr3, KERNEL_BASE + 0x200000), 0x200000);
	assert_int_equal(walk(&pool, cr3, KERNEL_BASE + 0x202fff), 0x202fff);
	assert_unmapped(&pool, cr3, KERNEL_BASE + 0x203000);
	assert_int_equal(walk(&pool, cr3, KERNEL_BASE + 0x204abc), 0x205abc);
	/* The second segment's last byte (0x...205800 - 1) lies on the next page. */
	assert_int_equal(walk(&pool, cr3, KERNEL_BASE + 0x2057ff), 0x2067ff);
	assert_unmapped(&pool, cr3, KERNEL_BASE + 0x206000);
	/* The identity map is still there. */
	assert_int_equal(walk(&pool, cr3, 0x200000), 0x200000);
	assert_true(pool.used <= pagetable_pool_pages(PAGETABLE_4G, segs, 2));
	free(pool.mem);
}

static void test_range_straddles_2m_and_1g(void **state)
{
	(void)state;
	/* Crosses the 1 GiB boundary at -1 GiB: two PDs and two PTs. */
	const struct pagetable_range seg = {0xffffffffbffff000ull, 0x3ffff000ull, 0x2000};
	struct pagetable_pool pool = make_pool(64);
	uint64_t cr3;
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &seg, 1, &cr3), PAGETABLE_OK);
	assert_int_equal(pool.used, 6 + 1 + 2 + 2);
	assert_int_equal(walk(&pool, cr3, 0xffffffffbffff010ull), 0x3ffff010ull);
	assert_int_equal(walk(&pool, cr3, 0xffffffffc0000020ull), 0x40000020ull);
	assert_true(pool.used <= pagetable_pool_pages(PAGETABLE_4G, &seg, 1));
	free(pool.mem);
}

static void test_identity_linked_kernel_uses_identity(void **state)
{
	(void)state;
	const struct pagetable_range seg = {0x100000, 0x100000, 0x5000};
	struct pagetable_pool pool = make_pool(16);
	uint64_t cr3;
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &seg, 1, &cr3), PAGETABLE_OK);
	assert_int_equal(pool.used, 6);
	assert_int_equal(walk(&pool, cr3, 0x104321), 0x104321);
	free(pool.mem);
}

/* The direct map: physical p at offset + p with 2 MiB pages, beside identity and kernel;
 * a kernel segment in its way is a conflict; bad offsets are refused. */
static void test_direct_map(void **state)
{
	(void)state;
	const struct pagetable_range segs[] = {{KERNEL_BASE + 0x200000, 0x200000, 0x3000}};
	const uint64_t off = 0xffff800000000000ull, size = 6ull << 30;
	uint64_t pages = pagetable_pool_pages(size, segs, 1) + pagetable_direct_pages(size);
	struct pagetable_pool pool = make_pool(pages);
	uint64_t cr3;
	assert_int_equal(pagetable_build(&pool, size, segs, 1, &cr3), PAGETABLE_OK);
	assert_int_equal(pagetable_map_direct(&pool, cr3, off, size), PAGETABLE_OK);
	assert_true(pool.used <= pages);
	assert_int_equal(walk(&pool, cr3, off), 0);
	assert_int_equal(walk(&pool, cr3, off + 0x123456789ull), 0x123456789ull);
	assert_int_equal(walk(&pool, cr3, off + size - 1), size - 1);
	assert_unmapped(&pool, cr3, off + size);
	/* identity and kernel untouched */
	assert_int_equal(walk(&pool, cr3, 0x1234), 0x1234);
	assert_int_equal(walk(&pool, cr3, KERNEL_BASE + 0x200010), 0x200010);
	/* an offset that puts the direct map over the kernel's 2 MiB: conflict */
	assert_int_equal(pagetable_map_direct(&pool, cr3, KERNEL_BASE, 1ull << 30),
	                 PAGETABLE_ERR_CONFLICT);
	assert_int_equal(pagetable_map_direct(&pool, cr3, off + 4096, size), PAGETABLE_ERR_ARG);
	/* running out of the upper half */
	assert_int_equal(pagetable_map_direct(&pool, cr3, 0xffffffffc0000000ull, 2ull << 30),
	                 PAGETABLE_ERR_NONCANONICAL);
	assert_int_equal(pagetable_map_direct(&pool, cr3, 0x0000700000000000ull, 32ull << 40),
	                 PAGETABLE_ERR_NONCANONICAL);
	free(pool.mem);
}

static void test_errors(void **state)
{
	(void)state;
	struct pagetable_pool pool = make_pool(16);
	uint64_t cr3;
	/* Low virtual address mapped elsewhere: it would break the identity map. */
	const struct pagetable_range low = {0x100000, 0x200000, 0x1000};
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &low, 1, &cr3),
	                 PAGETABLE_ERR_CONFLICT);
	const struct pagetable_range misaligned = {KERNEL_BASE + 0x10, 0x200020, 0x1000};
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &misaligned, 1, &cr3),
	                 PAGETABLE_ERR_ALIGN);
	const struct pagetable_range noncanon = {0x0000900000000000ull, 0x200000, 0x1000};
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &noncanon, 1, &cr3),
	                 PAGETABLE_ERR_NONCANONICAL);
	/* Two segments mapping one virtual page to two physical pages. */
	const struct pagetable_range clash[] = {
		{KERNEL_BASE + 0x200000, 0x200000, 0x1000},
		{KERNEL_BASE + 0x200000, 0x300000, 0x1000},
	};
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, clash, 2, &cr3),
	                 PAGETABLE_ERR_CONFLICT);
	/* Physical pages beyond 52 bits: an entry would cut the address off (fuzz_place). */
	const struct pagetable_range high = {KERNEL_BASE, 0x72000000200000ull, 0x1000};
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &high, 1, &cr3), PAGETABLE_ERR_ARG);
	const struct pagetable_range top = {KERNEL_BASE, PAGETABLE_PHYS_LAST - 0xfff, 0x1000};
	assert_int_equal(pagetable_build(&pool, PAGETABLE_4G, &top, 1, &cr3), PAGETABLE_OK);
	/* A length near 2^64 must not wrap the pool size into a small number. */
	const struct pagetable_range huge = {KERNEL_BASE, 0x200000, UINT64_MAX - 0x10};
	assert_int_equal(pagetable_pool_pages(PAGETABLE_4G, &huge, 1), UINT64_MAX);
	/* Pool one page short of the identity map. */
	struct pagetable_pool small = make_pool(5);
	assert_int_equal(pagetable_build(&small, PAGETABLE_4G, NULL, 0, &cr3), PAGETABLE_ERR_POOL);
	free(small.mem);
	free(pool.mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_4g),
		cmocka_unit_test(test_identity_top_above_4g),
		cmocka_unit_test(test_higher_half_kernel),
		cmocka_unit_test(test_range_straddles_2m_and_1g),
		cmocka_unit_test(test_identity_linked_kernel_uses_identity),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_direct_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
