/* boot_linux.c: the native Linux/x86 boot protocol (`linux-protocol native`): bzImage, initrd, boot_params, ACPI wakeup tables, e820 and EFI map from the tagged map. */
#include "boot_linux.h"

#include "acpi_publish.h"
#include "boot_native.h"
#include "e820.h"
#include "efimap.h"
#include "initrd.h"
#include "linux_params.h"
#include "util.h"

/* Everything boot_params points at stays below 4 GiB: the 32-bit fields then suffice, the
 * RSDT of the published tables can name them, and kernels without
 * XLF_CAN_BE_LOADED_ABOVE_4G are served too. */
#define BOOT_LINUX_LIMIT 0xffffffffull
/* Where the search for a load address starts when pref_address is taken: 16 MiB, Linux's
 * CONFIG_PHYSICAL_START default (and Debian's pref_address). */
#define BOOT_LINUX_SEARCH_START 0x1000000ull

static bool boot_linux_alloc(struct boot_native *bn, struct boot_native_err *err,
                             const char *what, uint64_t pages, uint32_t kind, uint64_t *addr)
{
	return boot_native_alloc(bn, err, what, pages, kind, BOOT_LINUX_LIMIT, addr);
}

/* The kernel at pref_address if that is free, else (relocatable kernels) at the first free
 * address aligned to kernel_alignment from 16 MiB up, below 4 GiB. */
static bool boot_linux_place(struct boot_native *bn, struct boot_native_err *err)
{
	struct boot_linux *L = &bn->linux;
	const struct bzimage_info *bz = &L->bz;
	uint64_t pages = fw_pages_for(bz->init_size);
	uint64_t size = pages * FW_PAGE_SIZE;
	uint64_t addr = bz->pref_address;
	if (bz->pref_address != 0 && (!bz->relocatable || bzimage_address_ok(bz, addr)) &&
	    boot_alloc_pages(bn->fw, &bn->allocs, FW_ALLOC_ADDRESS, pages, TAGGING_ALLOC_KERNEL,
	                     &addr) == FW_OK) {
		L->kernel_base = addr;
		return true;
	}
	if (bz->relocatable) {
		uint64_t align = bz->kernel_alignment;
		uint64_t start = (BOOT_LINUX_SEARCH_START + align - 1) & ~(align - 1);
		for (uint64_t a = start; a <= BOOT_LINUX_LIMIT + 1 - size; a += align) {
			addr = a;
			if (boot_alloc_pages(bn->fw, &bn->allocs, FW_ALLOC_ADDRESS, pages,
			                     TAGGING_ALLOC_KERNEL, &addr) == FW_OK) {
				L->kernel_base = addr;
				return true;
			}
		}
	}
	struct util_sb *sb = boot_native_err_begin(err, bn->entry->path);
	util_sb_str(sb, "no free memory for the kernel: init_size ");
	util_sb_hex(sb, bz->init_size);
	util_sb_str(sb, " bytes at pref_address ");
	util_sb_hex(sb, bz->pref_address);
	util_sb_str(sb, bz->relocatable ? " or at any multiple of kernel_alignment below 4 GiB"
	                                : " (the kernel is not relocatable)");
	return false;
}

bool boot_linux_load(struct boot_native *bn, struct boot_native_err *err)
{
	struct boot_linux *L = &bn->linux;
	const struct config_entry *e = bn->entry;
	uint64_t file = 0, size = 0;
	if (!boot_native_read(bn, err, e->path, BOOT_ALLOC_SCRATCH, &file, &size))
		return false;
	const uint8_t *data = (const uint8_t *)(uintptr_t)file;
	if (e->has_kernel_sha256 && !boot_native_check_pin(data, size, e->kernel_sha256, err, e->path))
		return false;
	struct bzimage_error bz_err;
	if (!bzimage_check(data, (size_t)size, &L->bz, &bz_err)) {
		util_sb_str(boot_native_err_begin(err, e->path), bz_err.message);
		return false;
	}
	if (bn->facts->measure_file)
		bn->facts->measure_file(bn->facts->measure_ctx, true, e->path, data, size);
	if (!boot_linux_place(bn, err))
		return false;
	util_memcpy((void *)(uintptr_t)L->kernel_base, data + L->bz.kernel_offset,
	            (size_t)L->bz.kernel_size);
	bn->entry_point = L->kernel_base + BZIMAGE_ENTRY_64_OFFSET;

	/* The zero page now, while the file (and its setup header) is still there. */
	if (!boot_linux_alloc(bn, err, "zero page (boot_params)", 1, TAGGING_ALLOC_HANDOFF_DATA,
	                      &L->params))
		return false;
	size_t opt_len = util_strlen(e->options);
	if (opt_len > L->bz.cmdline_size) {
		struct util_sb *sb = boot_native_err_begin(err, e->path);
		util_sb_str(sb, "options: ");
		util_sb_u64(sb, opt_len);
		util_sb_str(sb, " bytes, longer than the kernel's cmdline_size (");
		util_sb_u64(sb, L->bz.cmdline_size);
		util_sb_str(sb, ")");
		return false;
	}
	if (!boot_linux_alloc(bn, err, "command line", fw_pages_for(opt_len + 1),
	                      TAGGING_ALLOC_HANDOFF_DATA, &L->cmdline))
		return false;
	util_memcpy((void *)(uintptr_t)L->cmdline, e->options, opt_len + 1);
	struct linux_params_setup setup = {
		.kernel_file = data,
		.bz = &L->bz,
		.cmdline = L->cmdline,
		.rsdp = bn->facts->rsdp,
		.fb = bn->facts->has_framebuffer ? &bn->facts->framebuffer : NULL,
	};
	linux_params_init((uint8_t *)(uintptr_t)L->params, &setup);
	boot_alloc_free(bn->fw, &bn->allocs, file);

	if (e->initrd_count == 0)
		return true;
	struct initrd_image img;
	const char *failed = NULL;
	uint64_t max = L->bz.initrd_addr_max < BOOT_LINUX_LIMIT ? L->bz.initrd_addr_max : BOOT_LINUX_LIMIT;
	enum fw_status st = initrd_load(bn->fw, e, max, &img, &failed);
	if (st != FW_OK) {
		struct util_sb *sb = boot_native_err_begin(err, failed ? failed : e->initrd[0]);
		const char *why = failed ? fw_file_error_str(st) : NULL;
		util_sb_str(sb, why       ? why
		                : failed  ? "cannot read: "
		                          : "cannot allocate the initrd below initrd_addr_max: ");
		if (!why)
			util_sb_str(sb, fw_status_str(st));
		return false;
	}
	if (!boot_alloc_adopt(&bn->allocs, img.addr, img.pages, TAGGING_ALLOC_MODULE)) {
		bn->fw->free_pages(bn->fw, img.addr, img.pages);
		util_sb_str(boot_native_err_begin(err, e->initrd[0]), "too many loader allocations");
		return false;
	}
	L->initrd = img.addr;
	L->initrd_size = img.size;
	linux_params_set_initrd((uint8_t *)(uintptr_t)L->params, img.addr, img.size);
	/* One module record in the handoff for the concatenation, named after the first file. */
	bn->modules[0].base = img.addr;
	bn->modules[0].size = img.size;
	bn->modules[0].name = e->initrd[0];
	bn->module_count = 1;
	return true;
}

/* `ap-park`: Linux learns the mailbox from the MADT only (acpi_publish.h). */
static bool boot_linux_publish_acpi(struct boot_native *bn, struct boot_native_err *err)
{
	struct boot_linux *L = &bn->linux;
	uint64_t bytes = acpi_publish_size(&bn->acpi);
	uint64_t pages = fw_pages_for(bytes), addr = BOOT_LINUX_LIMIT;
	enum fw_status st = bn->fw->allocate_pages(bn->fw, FW_ALLOC_MAX_ADDRESS,
	                                           FW_MEM_ACPI_RECLAIM, pages, &addr);
	if (st == FW_OK && !boot_alloc_adopt(&bn->allocs, addr, pages, BOOT_ALLOC_SCRATCH)) {
		bn->fw->free_pages(bn->fw, addr, pages);
		st = FW_OUT_OF_RESOURCES;
	}
	if (st != FW_OK) {
		struct util_sb *sb = boot_native_err_begin(err, "ACPI");
		util_sb_str(sb, "cannot allocate ACPI memory for the published MADT: ");
		util_sb_str(sb, fw_status_str(st));
		return false;
	}
	char why[ACPI_ERROR_MAX];
	if (!acpi_publish_wakeup(bn->facts->acpi_mem, bn->facts->rsdp, &bn->acpi, bn->park.mailbox,
	                         (void *)(uintptr_t)addr, addr, pages * FW_PAGE_SIZE, &L->rsdp, why)) {
		util_sb_str(boot_native_err_begin(err, "ACPI"), why);
		return false;
	}
	L->acpi_tables = addr;
	linux_params_set_rsdp((uint8_t *)(uintptr_t)L->params, L->rsdp);
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "acpi: published RSDP ");
	util_sb_hex(&line.sb, L->rsdp);
	util_sb_str(&line.sb, " -> XSDT -> MADT with an MP wakeup structure (mailbox ");
	util_sb_hex(&line.sb, bn->park.mailbox);
	util_sb_str(&line.sb, ", version 0)");
	boot_log_end(bn->fw, &line);
	return true;
}

bool boot_linux_prepare(struct boot_native *bn, struct boot_native_err *err)
{
	struct boot_linux *L = &bn->linux;
	L->rsdp = bn->facts->rsdp;
	if (bn->parking && !boot_linux_publish_acpi(bn, err))
		return false;
	/* Every tagged entry may become an e820 entry and an override; each override may split
	 * one EFI descriptor into three. */
	L->e820_cap = bn->entries_cap;
	L->ov_cap = bn->entries_cap + APPARK_REGION_COUNT;
	L->efi_map_cap = (bn->max_descs + 2u * L->ov_cap) * bn->desc_size;
	L->ext_cap = linux_params_ext_size((size_t)L->e820_cap);
	if (!boot_linux_alloc(bn, err, "e820 table", fw_pages_for(L->e820_cap * sizeof(struct e820_entry)),
	                      BOOT_ALLOC_SCRATCH, &L->e820) ||
	    !boot_linux_alloc(bn, err, "EFI map overrides",
	                      fw_pages_for(L->ov_cap * sizeof(struct efimap_override)),
	                      BOOT_ALLOC_SCRATCH, &L->ov) ||
	    !boot_linux_alloc(bn, err, "EFI map for Linux", fw_pages_for(L->efi_map_cap),
	                      TAGGING_ALLOC_HANDOFF_DATA, &L->efi_map) ||
	    !boot_linux_alloc(bn, err, "e820 setup_data", fw_pages_for(L->ext_cap),
	                      TAGGING_ALLOC_HANDOFF_DATA, &L->ext) ||
	    !boot_linux_alloc(bn, err, "handoff setup_data",
	                      fw_pages_for(LINUX_SETUP_DATA_HEADER + bn->handoff_cap),
	                      TAGGING_ALLOC_HANDOFF_DATA, &L->handoff_node))
		return false;
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "linux: boot protocol 2.");
	util_sb_u64(&line.sb, L->bz.version & 0xff);
	util_sb_str(&line.sb, ", kernel at ");
	util_sb_hex(&line.sb, L->kernel_base);
	util_sb_str(&line.sb, " (init_size ");
	util_sb_hex(&line.sb, L->bz.init_size);
	util_sb_str(&line.sb, "), 64-bit entry ");
	util_sb_hex(&line.sb, bn->entry_point);
	util_sb_str(&line.sb, ", initrd ");
	util_sb_u64(&line.sb, L->initrd_size);
	util_sb_str(&line.sb, " bytes, boot_params ");
	util_sb_hex(&line.sb, L->params);
	boot_log_end(bn->fw, &line);
	return true;
}

/* Overrides sorted by base (insertion sort: a few dozen at most). */
static void boot_linux_sort(struct efimap_override *ov, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct efimap_override x = ov[i];
		size_t j = i;
		for (; j > 0 && ov[j - 1].base > x.base; j--)
			ov[j] = ov[j - 1];
		ov[j] = x;
	}
}

bool boot_linux_finish(struct boot_native *bn, const struct exitbs_map *map)
{
	struct boot_linux *L = &bn->linux;
	const struct tb_mem_entry *entries = (const struct tb_mem_entry *)(uintptr_t)bn->entries_addr;
	size_t n = bn->out.map_entries;
	struct e820_entry *e820 = (struct e820_entry *)(uintptr_t)L->e820;
	L->e820_count = e820_from_map(entries, n, e820, (size_t)L->e820_cap);
	struct efimap_override *ov = (struct efimap_override *)(uintptr_t)L->ov;
	size_t nov = e820_withheld(entries, n, ov, (size_t)L->ov_cap);
	if (L->e820_count > L->e820_cap || nov > L->ov_cap - APPARK_REGION_COUNT) {
		bn->out.failed_step = "e820 table larger than planned";
		return false;
	}
	/* The emulated firmware bug: the parking area reads as conventional memory, as TDVF
	 * before edk2-stable202411 reported its AP page tables (its e820 is already RAM: the
	 * area was never tagged). */
	if (bn->parking && bn->grant.ap_park == CONFIG_AP_PARK_MAILBOX_UNREPORTED) {
		for (size_t i = 0; i < bn->park_region_count; i++) {
			ov[nov].base = bn->park_regions[i].base;
			ov[nov].length = bn->park_regions[i].length;
			ov[nov].efi_type = EFIMAP_CONVENTIONAL_MEMORY;
			nov++;
		}
		boot_linux_sort(ov, nov);
	}
	size_t efi_size = 0;
	if (efimap_retype((const void *)(uintptr_t)map->buf_addr, (size_t)map->size,
	                  (size_t)map->desc_size, ov, nov, (void *)(uintptr_t)L->efi_map,
	                  (size_t)L->efi_map_cap, &efi_size) != TB_OK) {
		bn->out.failed_step = "EFI map for Linux larger than planned";
		return false;
	}
	L->efi_map_size = efi_size;
	struct linux_params_memory mem = {
		.efi_systab = bn->facts->system_table,
		.efi_map = L->efi_map,
		.efi_map_size = efi_size,
		.desc_size = (uint32_t)map->desc_size,
		.desc_version = map->desc_version,
		.e820 = e820,
		.e820_count = L->e820_count,
		.ext = (uint8_t *)(uintptr_t)L->ext,
		.ext_phys = L->ext,
		.ext_cap = (size_t)L->ext_cap,
	};
	if (linux_params_set_memory((uint8_t *)(uintptr_t)L->params, &mem) != TB_OK) {
		bn->out.failed_step = "e820 setup_data larger than planned";
		return false;
	}
	return true;
}

uint64_t boot_linux_setup_data(const struct boot_native *bn)
{
	return util_le64((const uint8_t *)(uintptr_t)bn->linux.params + BZIMAGE_OFF_SETUP_DATA);
}

void boot_linux_set_setup_data(struct boot_native *bn, uint64_t head)
{
	util_memcpy((uint8_t *)(uintptr_t)bn->linux.params + BZIMAGE_OFF_SETUP_DATA, &head, 8);
}

void boot_linux_attach_handoff(struct boot_native *bn)
{
	struct boot_linux *L = &bn->linux;
	uint8_t *node = (uint8_t *)(uintptr_t)L->handoff_node;
	util_memcpy(node + LINUX_SETUP_DATA_HEADER, (const void *)(uintptr_t)bn->handoff_addr,
	            bn->out.blob_size);
	linux_params_add_setup_data((uint8_t *)(uintptr_t)L->params, node, L->handoff_node,
	                            LINUX_SETUP_TAGBOOT_HANDOFF, (uint32_t)bn->out.blob_size);
}
