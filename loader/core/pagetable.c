/* pagetable.c: x86-64 4-level page tables for kernel entry, built in a caller-provided pool. */
#include "pagetable.h"

#define PAGETABLE_ENTRIES 512u

const char *pagetable_status_str(enum pagetable_status status)
{
	switch (status) {
	case PAGETABLE_OK: return "success";
	case PAGETABLE_ERR_POOL: return "page-table pool exhausted";
	case PAGETABLE_ERR_ALIGN: return "virtual and physical addresses differ within a page";
	case PAGETABLE_ERR_NONCANONICAL: return "virtual address is not canonical";
	case PAGETABLE_ERR_CONFLICT: return "virtual page already mapped elsewhere";
	case PAGETABLE_ERR_ARG: return "bad argument";
	}
	return "unknown page-table status";
}

uint64_t pagetable_identity_top(uint64_t map_top)
{
	uint64_t top = map_top > PAGETABLE_4G ? map_top : PAGETABLE_4G;
	return (top + PAGETABLE_1G - 1) & ~(PAGETABLE_1G - 1);
}

static uint64_t pagetable_div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

uint64_t pagetable_pool_pages(uint64_t identity_top, const struct pagetable_range *ranges,
                              size_t count)
{
	/* PML4 + one PDPT per 512 GiB + one PD per GiB of identity map. */
	uint64_t pages = 1 + pagetable_div_up(identity_top, 512 * PAGETABLE_1G) +
	                 pagetable_div_up(identity_top, PAGETABLE_1G);
	for (size_t i = 0; i < count; i++) {
		/* A range of n pages touches at most n/512 + 2 page tables, n/512^2 + 2 page
		 * directories and n/512^3 + 2 PDPTs (it may straddle a boundary at each end). */
		/* A length this close to 2^64 cannot be mapped (pagetable_build refuses it); do not
		 * let the sum wrap into a small pool. */
		if (ranges[i].length > UINT64_MAX - 2 * PAGETABLE_PAGE)
			return UINT64_MAX;
		uint64_t n = pagetable_div_up(ranges[i].length + (ranges[i].vaddr & 0xfff),
		                              PAGETABLE_PAGE);
		pages += n / 512 + 2;
		pages += n / (512ull * 512) + 2;
		pages += n / (512ull * 512 * 512) + 2;
	}
	return pages;
}

static uint64_t *pagetable_table(const struct pagetable_pool *pool, uint64_t phys)
{
	return (uint64_t *)(void *)(pool->mem + (phys - pool->phys));
}

static bool pagetable_in_pool(const struct pagetable_pool *pool, uint64_t phys)
{
	return phys >= pool->phys && phys - pool->phys < pool->pages * PAGETABLE_PAGE;
}

/* A zeroed page from the pool, or 0 when the pool is exhausted. */
static uint64_t pagetable_new_table(struct pagetable_pool *pool)
{
	if (pool->used >= pool->pages)
		return 0;
	uint64_t phys = pool->phys + pool->used * PAGETABLE_PAGE;
	pool->used++;
	uint64_t *t = pagetable_table(pool, phys);
	for (unsigned i = 0; i < PAGETABLE_ENTRIES; i++)
		t[i] = 0;
	return phys;
}

/* The next-level table of entry e of table t, created if absent. A large page in the way
 * means the address is already mapped: PAGETABLE_ERR_CONFLICT. */
static enum pagetable_status pagetable_descend(struct pagetable_pool *pool, uint64_t *t,
                                               unsigned e, uint64_t *next)
{
	if (t[e] & PAGETABLE_P) {
		if (t[e] & PAGETABLE_PS)
			return PAGETABLE_ERR_CONFLICT;
		*next = t[e] & PAGETABLE_ADDR_MASK;
		return PAGETABLE_OK;
	}
	uint64_t phys = pagetable_new_table(pool);
	if (!phys)
		return PAGETABLE_ERR_POOL;
	t[e] = phys | PAGETABLE_P | PAGETABLE_RW;
	*next = phys;
	return PAGETABLE_OK;
}

static unsigned pagetable_index(uint64_t vaddr, unsigned level)
{
	/* level 4: PML4 (bits 47..39), 3: PDPT, 2: PD, 1: PT (bits 20..12). */
	return (unsigned)((vaddr >> (12 + 9 * (level - 1))) & 0x1ff);
}

static bool pagetable_canonical(uint64_t vaddr)
{
	uint64_t high = vaddr >> 47;
	return high == 0 || high == 0x1ffff;
}

static enum pagetable_status pagetable_map_page(struct pagetable_pool *pool, uint64_t pml4,
                                                uint64_t vaddr, uint64_t paddr)
{
	uint64_t table = pml4;
	for (unsigned level = 4; level > 1; level--) {
		enum pagetable_status st = pagetable_descend(
			pool, pagetable_table(pool, table), pagetable_index(vaddr, level), &table);
		if (st != PAGETABLE_OK)
			return st;
	}
	uint64_t *pt = pagetable_table(pool, table);
	unsigned e = pagetable_index(vaddr, 1);
	uint64_t want = (paddr & PAGETABLE_ADDR_MASK) | PAGETABLE_P | PAGETABLE_RW;
	if ((pt[e] & PAGETABLE_P) && pt[e] != want)
		return PAGETABLE_ERR_CONFLICT;
	pt[e] = want;
	return PAGETABLE_OK;
}

static enum pagetable_status pagetable_identity(struct pagetable_pool *pool, uint64_t pml4,
                                                uint64_t top)
{
	for (uint64_t gib = 0; gib < top; gib += PAGETABLE_1G) {
		uint64_t pdpt, pd;
		enum pagetable_status st = pagetable_descend(
			pool, pagetable_table(pool, pml4), pagetable_index(gib, 4), &pdpt);
		if (st != PAGETABLE_OK)
			return st;
		st = pagetable_descend(pool, pagetable_table(pool, pdpt), pagetable_index(gib, 3),
		                       &pd);
		if (st != PAGETABLE_OK)
			return st;
		uint64_t *t = pagetable_table(pool, pd);
		for (unsigned i = 0; i < PAGETABLE_ENTRIES; i++) {
			uint64_t phys = gib + (uint64_t)i * PAGETABLE_2M;
			if (phys >= top)
				break;
			t[i] = phys | PAGETABLE_P | PAGETABLE_RW | PAGETABLE_PS;
		}
	}
	return PAGETABLE_OK;
}

enum pagetable_status pagetable_build(struct pagetable_pool *pool, uint64_t identity_top,
                                      const struct pagetable_range *ranges, size_t count,
                                      uint64_t *cr3)
{
	if (!pool || !pool->mem || !pool->pages || !cr3 || (count && !ranges) ||
	    (pool->phys & (PAGETABLE_PAGE - 1)))
		return PAGETABLE_ERR_ARG;
	identity_top = (identity_top + PAGETABLE_2M - 1) & ~(PAGETABLE_2M - 1);
	if (identity_top > (1ull << 47))
		return PAGETABLE_ERR_ARG;
	pool->used = 0;
	uint64_t pml4 = pagetable_new_table(pool);
	if (!pml4)
		return PAGETABLE_ERR_POOL;
	enum pagetable_status st = pagetable_identity(pool, pml4, identity_top);
	if (st != PAGETABLE_OK)
		return st;
	for (size_t i = 0; i < count; i++) {
		const struct pagetable_range *r = &ranges[i];
		if (r->length == 0)
			continue;
		if ((r->vaddr & 0xfff) != (r->paddr & 0xfff))
			return PAGETABLE_ERR_ALIGN;
		uint64_t first = r->vaddr & ~0xfffull;
		uint64_t last = r->vaddr + (r->length - 1);
		if (last < r->vaddr || r->paddr + (r->length - 1) < r->paddr)
			return PAGETABLE_ERR_ARG;
		/* A page-table entry holds physical address bits 51..12 (the x86-64 maximum): a
		 * higher address would be cut off and map another page. */
		if (r->paddr + (r->length - 1) > PAGETABLE_PHYS_LAST)
			return PAGETABLE_ERR_ARG;
		if (!pagetable_canonical(r->vaddr) || !pagetable_canonical(last) ||
		    (r->vaddr >> 47) != (last >> 47))
			return PAGETABLE_ERR_NONCANONICAL;
		uint64_t delta = first - (r->paddr & ~0xfffull);
		for (uint64_t v = first;; v += PAGETABLE_PAGE) {
			uint64_t p = v - delta;
			if (v < identity_top) {
				/* Identity-mapped already: fine only if it means the same page. */
				if (v != p)
					return PAGETABLE_ERR_CONFLICT;
			} else {
				st = pagetable_map_page(pool, pml4, v, p);
				if (st != PAGETABLE_OK)
					return st;
			}
			if (last - v < PAGETABLE_PAGE)
				break;
		}
	}
	*cr3 = pml4;
	return PAGETABLE_OK;
}

uint64_t pagetable_direct_pages(uint64_t size)
{
	return 2 + pagetable_div_up(size, 512 * PAGETABLE_1G) + pagetable_div_up(size, PAGETABLE_1G);
}

enum pagetable_status pagetable_map_direct(struct pagetable_pool *pool, uint64_t cr3,
                                           uint64_t offset, uint64_t size)
{
	if (!pool || !pool->mem || size == 0 || (offset & (PAGETABLE_1G - 1)) != 0 ||
	    !pagetable_in_pool(pool, cr3))
		return PAGETABLE_ERR_ARG;
	size = (size + PAGETABLE_2M - 1) & ~(PAGETABLE_2M - 1);
	if (size > PAGETABLE_PHYS_LAST + 1)
		return PAGETABLE_ERR_ARG;
	uint64_t last = offset + (size - 1);
	if (last < offset || !pagetable_canonical(offset) || !pagetable_canonical(last) ||
	    (offset >> 47) != (last >> 47))
		return PAGETABLE_ERR_NONCANONICAL;
	for (uint64_t gib = 0; gib < size; gib += PAGETABLE_1G) {
		uint64_t v = offset + gib, pdpt, pd;
		enum pagetable_status st = pagetable_descend(
			pool, pagetable_table(pool, cr3), pagetable_index(v, 4), &pdpt);
		if (st != PAGETABLE_OK)
			return st;
		st = pagetable_descend(pool, pagetable_table(pool, pdpt), pagetable_index(v, 3), &pd);
		if (st != PAGETABLE_OK)
			return st;
		uint64_t *t = pagetable_table(pool, pd);
		for (unsigned i = 0; i < PAGETABLE_ENTRIES && gib + (uint64_t)i * PAGETABLE_2M < size;
		     i++) {
			if (t[i] & PAGETABLE_P)
				return PAGETABLE_ERR_CONFLICT;
			t[i] = (gib + (uint64_t)i * PAGETABLE_2M) | PAGETABLE_P | PAGETABLE_RW | PAGETABLE_PS;
		}
	}
	return PAGETABLE_OK;
}

bool pagetable_translate(const struct pagetable_pool *pool, uint64_t cr3, uint64_t vaddr,
                         uint64_t *paddr)
{
	if (!pagetable_canonical(vaddr))
		return false;
	uint64_t table = cr3 & PAGETABLE_ADDR_MASK;
	for (unsigned level = 4; level >= 1; level--) {
		if (!pagetable_in_pool(pool, table))
			return false;
		uint64_t entry = pagetable_table(pool, table)[pagetable_index(vaddr, level)];
		if (!(entry & PAGETABLE_P))
			return false;
		uint64_t page_bits = 12 + 9 * (level - 1);
		if (level == 1 || ((level == 2 || level == 3) && (entry & PAGETABLE_PS))) {
			uint64_t offset_mask = (1ull << page_bits) - 1;
			*paddr = (entry & PAGETABLE_ADDR_MASK & ~offset_mask) | (vaddr & offset_mask);
			return true;
		}
		table = entry & PAGETABLE_ADDR_MASK;
	}
	return false;
}
