/* boot_elf.c: the handoff-kernel boot protocol: an ELF kernel placed at its physical addresses, its modules, the log line. */
#include "boot_elf.h"

#include "boot_native.h"
#include "util.h"

/* elf_check refuses these; checked again here because a wrapped end would "place" the
 * segment with nothing allocated and the copy would write over whatever is at 0. */
bool boot_elf_segment_pages(const struct elf_segment *seg, uint64_t *first, uint64_t *end)
{
	if (seg->memsz == 0 || seg->paddr > UINT64_MAX - seg->memsz ||
	    seg->paddr + seg->memsz > UINT64_MAX - (FW_PAGE_SIZE - 1))
		return false;
	*first = seg->paddr & ~(FW_PAGE_SIZE - 1);
	*end = (seg->paddr + seg->memsz + FW_PAGE_SIZE - 1) & ~(FW_PAGE_SIZE - 1);
	return true;
}

/*
 * Place one PT_LOAD at its physical address. Segments that share a page (not page aligned)
 * must not ask for that page twice: the page range is clipped against the kernel pages
 * already allocated.
 */
static bool boot_elf_place_segment(struct boot_native *bn, struct boot_native_err *err,
                                      size_t index)
{
	const struct elf_segment *seg = &bn->elf.segments[index];
	uint64_t base = 0, end = 0;
	if (!boot_elf_segment_pages(seg, &base, &end)) {
		struct util_sb *sb = boot_native_err_begin(err, bn->entry->path);
		util_sb_str(sb, "PT_LOAD ");
		util_sb_u64(sb, index);
		util_sb_str(sb, ": p_paddr + p_memsz does not fit below the top of the address space");
		return false;
	}
	for (size_t i = 0; i < bn->allocs.count; i++) {
		const struct tagging_alloc *a = &bn->allocs.items[i];
		if (a->kind != TAGGING_ALLOC_KERNEL)
			continue;
		if (base >= a->base && base < a->base + a->length)
			base = a->base + a->length;
		if (end > a->base && end <= a->base + a->length)
			end = a->base;
	}
	if (base >= end)
		return true;
	uint64_t addr = base;
	enum fw_status st = boot_alloc_pages(bn->fw, &bn->allocs, FW_ALLOC_ADDRESS,
	                                     (end - base) / FW_PAGE_SIZE, TAGGING_ALLOC_KERNEL,
	                                     &addr);
	if (st == FW_OK && addr == base)
		return true;
	if (st == FW_OK)
		boot_alloc_free(bn->fw, &bn->allocs, addr);
	struct util_sb *sb = boot_native_err_begin(err, bn->entry->path);
	util_sb_str(sb, "PT_LOAD ");
	util_sb_u64(sb, index);
	util_sb_str(sb, ": physical range ");
	boot_native_sb_range(sb, base, end);
	if (st == FW_NOT_FOUND || st == FW_OK)
		util_sb_str(sb, " is not free memory (in use or not RAM)");
	else {
		util_sb_str(sb, " cannot be allocated: ");
		util_sb_str(sb, fw_status_str(st));
	}
	return false;
}

/* Read the kernel, check pin and ELF, place and copy every segment, free the file. */
static bool boot_elf_load_kernel(struct boot_native *bn, struct boot_native_err *err)
{
	const char *path = bn->entry->path;
	uint64_t file = 0, size = 0;
	if (!boot_native_read(bn, err, path, BOOT_ALLOC_SCRATCH, &file, &size))
		return false;
	const void *data = (const void *)(uintptr_t)file;
	if (bn->entry->has_kernel_sha256 &&
	    !boot_native_check_pin(data, size, bn->entry->kernel_sha256, err, path))
		return false;
	struct elf_error elf_err;
	if (!elf_check(data, (size_t)size, &bn->elf, &elf_err)) {
		util_sb_str(boot_native_err_begin(err, path), elf_err.message);
		return false;
	}
	/* The request note decides the stack, the parking and the direct map: before anything
	 * is allocated for them, and a refusal costs nothing but the file. */
	struct tb_request asked;
	bool found = false;
	if (!kernel_request_find(data, (size_t)size, &asked, &found, boot_native_err_begin(err, path)) ||
	    !kernel_request_resolve(&asked, found, bn->entry, bn->facts->has_framebuffer, &bn->grant,
	                            boot_native_err_begin(err, path)))
		return false;
	if (bn->facts->measure_file)
		bn->facts->measure_file(bn->facts->measure_ctx, true, path, data, size);
	for (size_t i = 0; i < bn->elf.segment_count; i++)
		if (!boot_elf_place_segment(bn, err, i))
			return false;
	for (size_t i = 0; i < bn->elf.segment_count; i++) {
		const struct elf_segment *seg = &bn->elf.segments[i];
		uint8_t *dst = (uint8_t *)(uintptr_t)seg->paddr;
		util_memcpy(dst, (const uint8_t *)data + seg->offset, (size_t)seg->filesz);
		util_memset(dst + seg->filesz, 0, (size_t)(seg->memsz - seg->filesz));
	}
	boot_alloc_free(bn->fw, &bn->allocs, file);
	bn->entry_point = bn->elf.entry;
	return true;
}

static bool boot_elf_load_modules(struct boot_native *bn, struct boot_native_err *err)
{
	for (unsigned i = 0; i < bn->entry->module_count && i < BOOT_HANDOFF_MAX_MODULES; i++) {
		const struct config_module *m = &bn->entry->modules[i];
		uint64_t addr = 0, size = 0;
		if (!boot_native_read(bn, err, m->path, TAGGING_ALLOC_MODULE, &addr, &size))
			return false;
		if (m->has_sha256 &&
		    !boot_native_check_pin((const void *)(uintptr_t)addr, size, m->sha256, err, m->path))
			return false;
		if (bn->facts->measure_file)
			bn->facts->measure_file(bn->facts->measure_ctx, false, m->path,
			                        (const void *)(uintptr_t)addr, size);
		bn->modules[bn->module_count].base = addr;
		bn->modules[bn->module_count].size = size;
		bn->modules[bn->module_count].name = m->path;
		bn->modules[bn->module_count].string = m->string;
		bn->module_count++;
	}
	return true;
}

bool boot_elf_load(struct boot_native *bn, struct boot_native_err *err)
{
	return boot_elf_load_kernel(bn, err) && boot_elf_load_modules(bn, err);
}

void boot_elf_log_loaded(struct boot_native *bn)
{
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "loaded ");
	util_sb_str(&line.sb, bn->entry->path);
	util_sb_str(&line.sb, ": ");
	util_sb_u64(&line.sb, bn->elf.segment_count);
	util_sb_str(&line.sb, " segments at ");
	boot_native_sb_range(&line.sb, bn->elf.phys_low, bn->elf.phys_high);
	util_sb_str(&line.sb, ", entry ");
	util_sb_hex(&line.sb, bn->elf.entry);
	util_sb_str(&line.sb, ", ");
	util_sb_u64(&line.sb, bn->module_count);
	util_sb_str(&line.sb, " modules, ");
	util_sb_u64(&line.sb, bn->acpi_ok ? bn->acpi.cpu_count : 0);
	util_sb_str(&line.sb, " CPUs");
	if (bn->acpi_ok && bn->acpi.mp_wakeup_found) {
		util_sb_str(&line.sb, ", mailbox ");
		util_sb_hex(&line.sb, bn->acpi.mailbox_address);
	}
	boot_log_end(bn->fw, &line);
}
