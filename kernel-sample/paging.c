/* paging.c: 4-level page tables: identity map of RAM (2 MiB pages), LAPIC page, higher half. */
#include "paging.h"

#include <stddef.h>

#include "frame.h"
#include "mem.h"
#include "tagboot_handoff.h"

/* Page-table entry bits (Intel SDM vol. 3A 4.5, tables 4-14 to 4-20). */
#define PTE_PRESENT 0x1ull
#define PTE_WRITE 0x2ull
#define PTE_PWT 0x8ull
#define PTE_PCD 0x10ull
#define PTE_LARGE 0x80ull
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull

#define PAGING_2M 0x200000ull

static uint64_t paging_pml4;
static uint64_t paging_top;
/* Bitmap of mapped 2 MiB chunks of the identity map, up to 1 TiB. */
#define PAGING_MAX_CHUNKS (1u << 19)
static uint8_t paging_chunk_mapped[PAGING_MAX_CHUNKS / 8];
static bool paging_out_of_frames;

/* Physical memory is reachable at its own address: through the loader's identity map before
 * the switch, through ours after. */
static uint64_t *paging_table(uint64_t phys)
{
	return (uint64_t *)(uintptr_t)phys;
}

static uint64_t paging_new_table(void)
{
	uint64_t frame = frame_alloc();
	if (frame == 0) {
		paging_out_of_frames = true;
		return 0;
	}
	memset(paging_table(frame), 0, FRAME_SIZE);
	return frame;
}

/* The entry for virt at `level` (3 = PDPT entry, 2 = PD entry, 1 = PT entry), creating the
 * tables above it; a 2 MiB page in the way is split into 4 KiB pages with the same flags. */
static uint64_t *paging_slot(uint64_t virt, int level)
{
	uint64_t *table = paging_table(paging_pml4);
	for (int current = 4; current > level; current--) {
		unsigned index = (unsigned)(virt >> (12 + 9 * (current - 1))) & 511u;
		uint64_t entry = table[index];
		if (!(entry & PTE_PRESENT)) {
			uint64_t next = paging_new_table();
			if (next == 0)
				return NULL;
			table[index] = next | PTE_PRESENT | PTE_WRITE;
		} else if (entry & PTE_LARGE) {
			/* Only 2 MiB pages are ever split (current == 2, level == 1). */
			uint64_t next = paging_new_table();
			if (next == 0)
				return NULL;
			uint64_t *pt = paging_table(next);
			uint64_t base = entry & PTE_ADDR_MASK & ~(PAGING_2M - 1);
			uint64_t flags = entry & (PTE_WRITE | PTE_PWT | PTE_PCD);
			for (unsigned i = 0; i < 512; i++)
				pt[i] = (base + i * FRAME_SIZE) | flags | PTE_PRESENT;
			table[index] = next | PTE_PRESENT | PTE_WRITE;
		}
		table = paging_table(table[index] & PTE_ADDR_MASK);
	}
	return &table[(unsigned)(virt >> (12 + 9 * (level - 1))) & 511u];
}

static void paging_map_chunk(uint64_t chunk)
{
	uint64_t index = chunk / PAGING_2M;
	if (index >= PAGING_MAX_CHUNKS || (paging_chunk_mapped[index / 8] & (1u << (index % 8))))
		return;
	uint64_t *slot = paging_slot(chunk, 2);
	if (slot == NULL)
		return;
	*slot = chunk | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	paging_chunk_mapped[index / 8] |= (uint8_t)(1u << (index % 8));
	if (chunk + PAGING_2M > paging_top)
		paging_top = chunk + PAGING_2M;
}

static void paging_map_4k(uint64_t virt, uint64_t phys, uint64_t flags)
{
	uint64_t *slot = paging_slot(virt, 1);
	if (slot != NULL)
		*slot = phys | flags | PTE_PRESENT;
}

uint64_t paging_build(const void *handoff, uint64_t lapic_phys)
{
	paging_out_of_frames = false;
	paging_pml4 = paging_new_table();
	if (paging_pml4 == 0)
		return 0;
	const struct tb_rec_memmap *map = tb_memmap(handoff);
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *entry = tb_memmap_entry(map, i);
		/* Device memory stays unmapped: a write-back mapping of MMIO is a bug waiting. */
		if (entry->type == TB_MEM_MMIO)
			continue;
		uint64_t end = entry->base + entry->length;
		for (uint64_t chunk = entry->base & ~(PAGING_2M - 1); chunk < end; chunk += PAGING_2M)
			paging_map_chunk(chunk);
	}
	if (lapic_phys != 0)
		paging_map_4k(lapic_phys & ~(FRAME_SIZE - 1), lapic_phys & ~(FRAME_SIZE - 1),
		              PTE_WRITE | PTE_PCD | PTE_PWT);
	uint64_t start = (uint64_t)(uintptr_t)__kernel_start;
	uint64_t end = (uint64_t)(uintptr_t)__kernel_end;
	for (uint64_t virt = start & ~(FRAME_SIZE - 1); virt < end; virt += FRAME_SIZE)
		paging_map_4k(virt, virt - PAGING_KERNEL_OFFSET, PTE_WRITE);
	return paging_out_of_frames ? 0 : paging_pml4;
}

uint64_t paging_identity_top(void)
{
	return paging_top;
}

bool paging_identity_mapped(uint64_t phys, uint64_t length)
{
	if (length == 0)
		length = 1;
	uint64_t last = phys + length - 1;
	if (last < phys)
		return false;
	for (uint64_t chunk = phys & ~(PAGING_2M - 1); chunk <= last; chunk += PAGING_2M) {
		uint64_t index = chunk / PAGING_2M;
		if (index >= PAGING_MAX_CHUNKS ||
		    !(paging_chunk_mapped[index / 8] & (1u << (index % 8))))
			return false;
		if (chunk + PAGING_2M < chunk)
			break;
	}
	return true;
}
