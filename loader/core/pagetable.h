/* pagetable.h: x86-64 4-level page tables for kernel entry, built in a caller-provided pool. */
#ifndef TAGBOOT_PAGETABLE_H
#define TAGBOOT_PAGETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Page-table entry bits (Intel SDM vol. 3A, 4.5, tables 4-14..4-20). */
#define PAGETABLE_P (1ull << 0)   /* present */
#define PAGETABLE_RW (1ull << 1)  /* writable */
#define PAGETABLE_PS (1ull << 7)  /* page size: 1 GiB in a PDPTE, 2 MiB in a PDE */
#define PAGETABLE_ADDR_MASK 0x000ffffffffff000ull

#define PAGETABLE_PAGE 4096ull
#define PAGETABLE_2M (1ull << 21)
#define PAGETABLE_1G (1ull << 30)
#define PAGETABLE_4G (1ull << 32)

/* Pages for the tables, taken in order from one contiguous block. `mem` is where the loader
 * can write the block (in the loader: the same as phys; in tests: any buffer). */
struct pagetable_pool {
	uint8_t *mem;
	uint64_t phys;
	uint64_t pages;
	uint64_t used;
};

/* One virtual -> physical mapping (a kernel PT_LOAD segment). */
struct pagetable_range {
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t length; /* bytes; the mapping covers every 4 KiB page the range touches */
};

/* The highest physical address a page-table entry can hold (52 address bits). */
#define PAGETABLE_PHYS_LAST ((1ull << 52) - 1u)

enum pagetable_status {
	PAGETABLE_OK = 0,
	PAGETABLE_ERR_POOL,         /* the pool ran out of pages */
	PAGETABLE_ERR_ALIGN,        /* vaddr and paddr differ in their offset within a page */
	PAGETABLE_ERR_NONCANONICAL, /* a virtual range is not canonical (bits 63..47 differ) */
	PAGETABLE_ERR_CONFLICT,     /* a virtual page is already mapped to another physical page */
	PAGETABLE_ERR_ARG,          /* NULL pointer, zero-page pool or a range that wraps */
};

/* Short English text for a status. Never NULL. */
const char *pagetable_status_str(enum pagetable_status status);

/* The identity-map top the loader uses: max(4 GiB, top of the memory map) rounded up to
 * 1 GiB (one page directory per GiB). */
uint64_t pagetable_identity_top(uint64_t map_top);

/* Upper bound of the pool pages pagetable_build needs for these inputs. */
uint64_t pagetable_pool_pages(uint64_t identity_top, const struct pagetable_range *ranges,
                              size_t count);

/* Build the tables: an identity map of [0, identity_top) with 2 MiB pages, then each range
 * with 4 KiB pages. A range whose pages are already identity mapped to the same physical
 * page is left to the identity map; any other overlap is PAGETABLE_ERR_CONFLICT. All entries
 * are present and writable (NX is not used). On PAGETABLE_OK *cr3 is the PML4's physical
 * address. */
enum pagetable_status pagetable_build(struct pagetable_pool *pool, uint64_t identity_top,
                                      const struct pagetable_range *ranges, size_t count,
                                      uint64_t *cr3);

/* Pool pages pagetable_map_direct needs for [0, size): a PDPT per 512 GiB (two: the offset
 * need not sit on a 512 GiB boundary), a page directory per GiB. */
uint64_t pagetable_direct_pages(uint64_t size);

/* Add a direct map to tables built by pagetable_build: physical [0, size) (size rounded up to
 * 2 MiB) at virtual offset + p, writable, with 2 MiB pages. offset must be 1 GiB aligned and
 * offset + size canonical in one half; a virtual page already mapped (a kernel segment) is
 * PAGETABLE_ERR_CONFLICT. */
enum pagetable_status pagetable_map_direct(struct pagetable_pool *pool, uint64_t cr3,
                                           uint64_t offset, uint64_t size);

/* Walk the tables at cr3 (inside pool) like the MMU does. Returns false if vaddr is not
 * mapped; else *paddr is the translation. */
bool pagetable_translate(const struct pagetable_pool *pool, uint64_t cr3, uint64_t vaddr,
                         uint64_t *paddr);

#endif /* TAGBOOT_PAGETABLE_H */
