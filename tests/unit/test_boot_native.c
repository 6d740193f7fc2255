/* test_boot_native.c: the native boot (load, allocate, exit, handoff) against a fake firmware, for handoff kernels and for Linux (linux-protocol native). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "boot_attempt.h"
#include "boot_native.h"
#include "linux_params.h"
#include "fake_fw.h"
#include "pagetable.h"
#include "sha256.h"

/*
 * The kernel these tests load: a hand-made ELF64 ET_EXEC with two PT_LOADs, linked like the
 * sample kernel (higher half) but loaded at 256 MiB, an address the test can really map in
 * the host process (below ASan's shadow, above the executable's low pages):
 *   0: R+X  vaddr 0xffffffff80200000  paddr 0x10000000  filesz 0x40  memsz 0x40
 *   1: R+W  vaddr 0xffffffff80201000  paddr 0x10001000  filesz 0x10  memsz 0x3000 (BSS)
 */
#define TEST_PHYS 0x10000000ull
#define TEST_VIRT 0xffffffff80200000ull
#define TEST_FILE_SIZE 0x200u
#define TEST_TEXT_OFF 0x100u
#define TEST_DATA_OFF 0x180u

static uint8_t test_kernel[TEST_FILE_SIZE];

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void test_phdr(uint8_t *ph, uint32_t flags, uint64_t off, uint64_t vaddr, uint64_t paddr,
                      uint64_t filesz, uint64_t memsz)
{
	put32(ph, 1); /* PT_LOAD */
	put32(ph + 4, flags);
	put64(ph + 8, off);
	put64(ph + 16, vaddr);
	put64(ph + 24, paddr);
	put64(ph + 32, filesz);
	put64(ph + 40, memsz);
	put64(ph + 48, 0x1000);
}

static void test_make_kernel(void)
{
	uint8_t *f = test_kernel;
	memset(f, 0, sizeof(test_kernel));
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 2; /* ELFCLASS64 */
	f[5] = 1; /* little-endian */
	f[6] = 1; /* EV_CURRENT */
	put16(f + 16, 2);  /* ET_EXEC */
	put16(f + 18, 62); /* EM_X86_64 */
	put32(f + 20, 1);
	put64(f + 24, TEST_VIRT); /* e_entry */
	put64(f + 32, 64);        /* e_phoff */
	put16(f + 52, 64);        /* e_ehsize */
	put16(f + 54, 56);        /* e_phentsize */
	put16(f + 56, 2);         /* e_phnum */
	test_phdr(f + 64, ELF_PF_R | ELF_PF_X, TEST_TEXT_OFF, TEST_VIRT, TEST_PHYS, 0x40, 0x40);
	test_phdr(f + 120, ELF_PF_R | ELF_PF_W, TEST_DATA_OFF, TEST_VIRT + 0x1000, TEST_PHYS + 0x1000,
	          0x10, 0x3000);
	for (unsigned i = 0; i < 0x40; i++)
		f[TEST_TEXT_OFF + i] = (uint8_t)(0x90 + i);
	for (unsigned i = 0; i < 0x10; i++)
		f[TEST_DATA_OFF + i] = (uint8_t)(0xa0 + i);
}

/* AllocateAddress needs memory at exactly that address: map it for real. Everything else
 * goes to the shared fake. */
struct test_fixed {
	uint64_t addr, pages;
};
static struct {
	struct test_fixed fixed[8];
	unsigned fixed_live;
	bool refuse_fixed; /* the firmware has the range in use */
} test_state;

static enum fw_status world_allocate(struct fw *fw, enum fw_alloc_kind kind, uint32_t type,
                                    uint64_t pages, uint64_t *addr)
{
	struct fake_fw *f = fake_of(fw);
	if (kind != FW_ALLOC_ADDRESS)
		return fake_allocate_pages(fw, kind, type, pages, addr);
	fake_log(f, 'A');
	if (f->exited || f->allocs_done >= f->fail_alloc_after)
		return FW_OUT_OF_RESOURCES;
	if (test_state.refuse_fixed)
		return FW_NOT_FOUND;
	void *p = mmap((void *)(uintptr_t)*addr, pages * 4096, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || (uint64_t)(uintptr_t)p != *addr) {
		if (p != MAP_FAILED)
			munmap(p, pages * 4096);
		return FW_NOT_FOUND;
	}
	/* Garbage, so that the test sees the loader zero the BSS. */
	memset(p, 0xcc, pages * 4096);
	for (unsigned i = 0; i < 8; i++) {
		if (test_state.fixed[i].pages == 0) {
			test_state.fixed[i] = (struct test_fixed){*addr, pages};
			break;
		}
	}
	test_state.fixed_live++;
	f->allocs_done++;
	f->descs++;
	f->key++;
	return FW_OK;
}

static enum fw_status world_free(struct fw *fw, uint64_t addr, uint64_t pages)
{
	for (unsigned i = 0; i < 8; i++) {
		if (test_state.fixed[i].pages && test_state.fixed[i].addr == addr) {
			fake_log(fake_of(fw), 'F');
			assert_int_equal(test_state.fixed[i].pages, pages);
			munmap((void *)(uintptr_t)addr, pages * 4096);
			test_state.fixed[i].pages = 0;
			test_state.fixed_live--;
			fake_of(fw)->descs--;
			fake_of(fw)->key++;
			return FW_OK;
		}
	}
	return fake_free_pages(fw, addr, pages);
}

static struct fake_fw fake;
static struct config_entry entry;
static struct boot_facts facts;
static struct boot_native bn;

static int test_setup(void **state)
{
	(void)state;
	test_make_kernel();
	memset(&test_state, 0, sizeof(test_state));
	fake_fw_init(&fake, 40);
	fake.fw.allocate_pages = world_allocate;
	fake.fw.free_pages = world_free;
	fake_add_file(&fake, "/tagboot/kernel.elf", test_kernel, sizeof(test_kernel));
	memset(&entry, 0, sizeof(entry));
	strcpy(entry.id, "sample");
	strcpy(entry.path, "/tagboot/kernel.elf");
	strcpy(entry.options, "console=ttyS0");
	entry.kind = CONFIG_KIND_HANDOFF;
	memset(&facts, 0, sizeof(facts));
	facts.platform.kind = TB_PLATFORM_KVM;
	facts.bsp_apic_id = 0;
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 8; i++)
		if (test_state.fixed[i].pages)
			munmap((void *)(uintptr_t)test_state.fixed[i].addr, test_state.fixed[i].pages * 4096);
	fake_fw_release(&fake);
	return 0;
}

static void test_happy_path(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_null(strstr(fake.out, "error"));
	assert_non_null(strstr(fake.out, "loaded /tagboot/kernel.elf: 2 segments at "
	                                  "0x10000000-0x10003fff, entry 0xffffffff80200000"));
	/* Segment 0 copied, segment 1 copied and its BSS (0x10 .. 0x3000) zeroed over 0xcc. */
	const uint8_t *text = (const uint8_t *)(uintptr_t)TEST_PHYS;
	const uint8_t *data = (const uint8_t *)(uintptr_t)(TEST_PHYS + 0x1000);
	assert_int_equal(text[0], 0x90);
	assert_int_equal(text[0x3f], 0x90 + 0x3f);
	assert_int_equal(data[0xf], 0xa0 + 0xf);
	for (unsigned i = 0x10; i < 0x3000; i++)
		assert_int_equal(data[i], 0);
	/* Two fixed allocations: page 0x10000000 and pages 0x10001000-0x10003fff. */
	assert_int_equal(test_state.fixed_live, 2);
	/* The raw file is freed again; live: handoff, entries, scratch, stack, GDT, tables, map. */
	assert_int_equal(fake.live_allocs, 7);
	assert_int_equal(bn.entry_point, TEST_VIRT);
	assert_int_equal(bn.stack_top - bn.stack_addr, 65536);
	/* GDT: code 0x08 with L=1, data 0x10; GDTR limit 23 pointing at it. */
	const uint64_t *gdt = (const uint64_t *)(uintptr_t)bn.gdt_addr;
	assert_int_equal(gdt[1], 0x00af9a000000ffffull);
	assert_int_equal(gdt[2], 0x00cf92000000ffffull);
	uint16_t limit;
	uint64_t base;
	memcpy(&limit, (const void *)(uintptr_t)bn.gdtr_addr, 2);
	memcpy(&base, (const uint8_t *)(uintptr_t)bn.gdtr_addr + 2, 8);
	assert_int_equal(limit, 23);
	assert_int_equal(base, bn.gdt_addr);
	/* The page tables send the entry (and the BSS end) to the physical pages. */
	struct pagetable_pool pool = {(uint8_t *)(uintptr_t)bn.pt_addr, bn.pt_addr, bn.pt_pages, 0};
	uint64_t pa = 0;
	assert_true(pagetable_translate(&pool, bn.cr3, TEST_VIRT + 0x12, &pa));
	assert_int_equal(pa, TEST_PHYS + 0x12);
	assert_true(pagetable_translate(&pool, bn.cr3, TEST_VIRT + 0x3fff, &pa));
	assert_int_equal(pa, TEST_PHYS + 0x3fff);
	assert_true(pagetable_translate(&pool, bn.cr3, 0xfffff000ull, &pa));
	assert_int_equal(pa, 0xfffff000ull);
	/* Tagged: 2 kernel pieces, handoff, stack, GDT, page tables (not the scratch). */
	assert_int_equal(bn.tagging.alloc_count, 6);

	enum fw_status st = FW_OTHER;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_OK);
	assert_true(fake.exited);
	assert_int_equal(bn.map.attempts, 1);
	assert_int_equal(bn.convert_status, TB_OK);
	size_t where = 0;
	assert_int_equal(tb_validate((const void *)(uintptr_t)bn.handoff_addr, bn.out.blob_size,
	                             &where), TB_OK);
	/* The kernel range appears in the handoff map as KERNEL / kernel-image. */
	const struct tb_rec_memmap *mm = tb_memmap((const void *)(uintptr_t)bn.handoff_addr);
	assert_non_null(mm);
	bool kernel_seen = false;
	for (uint32_t i = 0; i < mm->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(mm, i);
		if (e->base <= TEST_PHYS && e->base + e->length >= TEST_PHYS + 0x4000) {
			assert_int_equal(e->type, TB_MEM_KERNEL);
			kernel_seen = true;
		}
	}
	assert_true(kernel_seen);
}

/* Every allocation the prepare step makes can fail; each failure must leave nothing behind. */
static void test_alloc_failure_each_step(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	unsigned total = fake.allocs_done;
	/* file, 2 segments, map probe, handoff, entries, scratch, stack, GDT, page tables, map
	 * buffer: 11 (the map buffer fits on the first try, the fake only grows by allocations). */
	assert_int_equal(total, 11);
	test_teardown(NULL);
	for (unsigned k = 0; k < total; k++) {
		test_setup(NULL);
		fake.fail_alloc_after = k;
		assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
		assert_int_equal(fake.live_allocs, 0);
		assert_int_equal(test_state.fixed_live, 0);
		assert_non_null(strstr(fake.out, "tagboot: error: entry 'sample': "));
		assert_int_equal(fake.ebs_calls, 0);
		test_teardown(NULL);
	}
	test_setup(NULL);
}

static void test_range_not_free(void **state)
{
	(void)state;
	test_state.refuse_fixed = true;
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "tagboot: error: entry 'sample': /tagboot/kernel.elf: "
	                                  "PT_LOAD 0: physical range 0x10000000-0x10000fff is not "
	                                  "free memory"));
	assert_int_equal(fake.live_allocs, 0);
}

/* Only the second segment's range is taken: the first one's pages must be given back. */
static void test_second_range_not_free(void **state)
{
	(void)state;
	void *p = mmap((void *)(uintptr_t)(TEST_PHYS + 0x2000), 4096, PROT_READ,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_int_equal((uint64_t)(uintptr_t)p, TEST_PHYS + 0x2000);
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	munmap(p, 4096);
	assert_non_null(strstr(fake.out, "PT_LOAD 1: physical range 0x10001000-0x10003fff is not "
	                                  "free memory"));
	assert_int_equal(test_state.fixed_live, 0);
	assert_int_equal(fake.live_allocs, 0);
}

static void test_hash_mismatch(void **state)
{
	(void)state;
	entry.has_kernel_sha256 = true;
	for (unsigned i = 0; i < 32; i++)
		entry.kernel_sha256[i] = (uint8_t)(0x11 * (i % 16));
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "/tagboot/kernel.elf: SHA-256 mismatch: expected "
	                                  "00112233445566778899aabbccddeeff"
	                                  "00112233445566778899aabbccddeeff, file has "));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(test_state.fixed_live, 0);
}

static void test_hash_match_boots(void **state)
{
	(void)state;
	entry.has_kernel_sha256 = true;
	sha256_digest(test_kernel, sizeof(test_kernel), entry.kernel_sha256);
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
}

static void test_missing_kernel(void **state)
{
	(void)state;
	strcpy(entry.path, "/tagboot/missing.elf");
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_string_equal(fake.out,
	                    "tagboot: error: entry 'sample': /tagboot/missing.elf: file not found\n");
}

static void test_bad_elf(void **state)
{
	(void)state;
	test_kernel[18] = 3; /* e_machine EM_386 */
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "/tagboot/kernel.elf: e_machine"));
	assert_int_equal(fake.live_allocs, 0);
}

/* On TDX the MADT mailbox tells tagging what the parked APs use: no ACPI there is fatal. */
static void test_tdx_without_acpi_refused(void **state)
{
	(void)state;
	facts.platform.kind = TB_PLATFORM_TDX;
	facts.rsdp = 0;
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "no RSDP in the configuration table on a TDX guest"));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(fake.ebs_calls, 0);
}

static void test_module_missing(void **state)
{
	(void)state;
	entry.module_count = 1;
	strcpy(entry.modules[0].path, "/tagboot/initrd.img");
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "entry 'sample': /tagboot/initrd.img: file not found"));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(test_state.fixed_live, 0);
}

static void test_module_loaded_and_tagged(void **state)
{
	(void)state;
	static const char mod[] = "module payload";
	fake_add_file(&fake, "/tagboot/mod.bin", mod, sizeof(mod));
	entry.module_count = 1;
	strcpy(entry.modules[0].path, "/tagboot/mod.bin");
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_int_equal(bn.module_count, 1);
	assert_int_equal(bn.modules[0].size, sizeof(mod));
	assert_memory_equal((const void *)(uintptr_t)bn.modules[0].base, mod, sizeof(mod));
	unsigned modules = 0;
	for (size_t i = 0; i < bn.tagging.alloc_count; i++)
		modules += bn.tagging.allocs[i].kind == TAGGING_ALLOC_MODULE;
	assert_int_equal(modules, 1);
}

/* ExitBootServices rejects the first key: one more GetMemoryMap, then it works. */
static void test_exit_refused_once(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	fake.ebs_stale_count = 1;
	enum fw_status st;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_OK);
	assert_int_equal(bn.map.attempts, 2);
	assert_int_equal(fake.ebs_calls, 2);
	assert_int_equal(bn.convert_status, TB_OK);
}

/* A key that is never accepted: give up after EXITBS_MAX_ATTEMPTS, and free nothing (boot
 * services may already be gone). */
static void test_exit_refused_always(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	unsigned live = fake.live_allocs;
	fake.ebs_stale_count = 1000;
	enum fw_status st;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_ERR_RETRIES);
	assert_int_equal(fake.ebs_calls, EXITBS_MAX_ATTEMPTS);
	assert_int_equal(fake.live_allocs, live);
	assert_int_equal(test_state.fixed_live, 2);
}

static void test_exit_hard_error(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	fake.ebs_error = FW_ACCESS_DENIED;
	enum fw_status st;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_ERR_EXIT);
	assert_int_equal(st, FW_ACCESS_DENIED);
	assert_int_equal(fake.ebs_calls, 1);
}


/* ---- before and after ExitBootServices ---- */

/* The record of the boot in flight: written before the exit ('V' before 'E'), deleted after
 * a built handoff ('D' after 'E'); the rehearsal reads the map into the final buffer and
 * allocates nothing. */
static void test_rehearsal_and_record_on_success(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	unsigned allocs = fake.allocs_done;
	assert_true(boot_native_rehearse(&bn));
	assert_int_equal(fake.allocs_done, allocs);
	assert_int_equal(fake.ebs_calls, 0);
	size_t where = 0;
	assert_int_equal(bn.out.blob_size, 0); /* the rehearsal's result is not kept */
	fake.log_len = 0;
	enum fw_status st;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_OK);
	assert_non_null(strstr(fake.log, "V"));
	assert_true(strchr(fake.log, 'V') < strchr(fake.log, 'E'));
	assert_true(strrchr(fake.log, 'D') > strchr(fake.log, 'E'));
	assert_null(fake_var_find(&fake, BOOT_ATTEMPT_VARIABLE));
	assert_int_equal(tb_validate((const void *)(uintptr_t)bn.handoff_addr, bn.out.blob_size,
	                             &where), TB_OK);
}

/* What the input decides fails in the rehearsal, before any ExitBootServices call, with the
 * entry and the step named, and everything given back: here a reserve line over all of
 * memory (the parser refuses it too; this is the loader's second line). */
static void test_rehearsal_refuses_before_exit(void **state)
{
	(void)state;
	entry.reserve_count = 1;
	entry.reserves[0].base = 0;
	entry.reserves[0].size = UINT64_MAX;
	strcpy(entry.reserves[0].reason, "all");
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_false(boot_native_rehearse(&bn));
	assert_int_equal(fake.ebs_calls, 0);
	assert_non_null(strstr(fake.out, "tagboot: error: entry 'sample': /tagboot/kernel.elf: "
	                                  "cannot build the handoff: "));
	assert_non_null(strstr(fake.out, "region covers all of memory"));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(test_state.fixed_live, 0);
	assert_null(fake_var_find(&fake, BOOT_ATTEMPT_VARIABLE));
}

/* Room for too few map entries (a stand-in for every "larger than planned"): the rehearsal
 * names the step. */
static void test_rehearsal_names_the_step(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	bn.max_descs = 1;
	assert_false(boot_native_rehearse(&bn));
	assert_non_null(strstr(fake.out, "cannot build the handoff: map larger than planned"));
	assert_int_equal(fake.ebs_calls, 0);
	assert_int_equal(fake.live_allocs, 0);
}

/* A failure after the first ExitBootServices call keeps the record: the next start sees
 * that this entry never reached its kernel. */
static void test_failure_after_exit_keeps_record(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_true(boot_native_rehearse(&bn));
	fake.ebs_stale_count = 1000;
	enum fw_status st;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_ERR_RETRIES);
	struct boot_attempt a;
	assert_true(boot_attempt_take(&fake.fw, &a));
	assert_string_equal(a.entry, "sample");
	assert_string_equal(a.step, BOOT_ATTEMPT_STEP_EXIT);
	assert_null(fake_var_find(&fake, BOOT_ATTEMPT_VARIABLE));
}

/* A firmware that cannot store variables loses only the fallback, not the boot. */
static void test_record_unavailable_still_boots(void **state)
{
	(void)state;
	fake.var_error = FW_OUT_OF_RESOURCES;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_true(boot_native_rehearse(&bn));
	enum fw_status st;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_OK);
}

/* Segment placement is checked again where elf_check's result is used. */
static void test_place_wrapping_segment_refused(void **state)
{
	(void)state;
	/* The last page of the address space (elf_check refuses it; placement must not rely on
	 * that). */
	struct elf_segment seg0 = {.paddr = 0xfffffffffffff000ull, .memsz = 0xfff};
	bn.elf.segments[0] = seg0;
	struct elf_segment seg = bn.elf.segments[0];
	uint64_t first = 1, end = 1;
	assert_false(boot_elf_segment_pages(&seg, &first, &end));
	seg.paddr = 0x10000800;
	seg.memsz = 0x1000;
	assert_true(boot_elf_segment_pages(&seg, &first, &end));
	assert_int_equal(first, 0x10000000);
	assert_int_equal(end, 0x10002000);
}

/* ---- linux-protocol native ---- */

/* A bzImage as small as the checks allow: 4 setup sectors, a "kernel" of 0x800 bytes whose
 * 64-bit entry (offset 0x200) is recognisable, pref_address at the mappable 256 MiB. */
#define TEST_BZ_SIZE (5u * 512u + 0x800u)
static uint8_t test_bz[TEST_BZ_SIZE];

static void test_make_bzimage(void)
{
	uint8_t *f = test_bz;
	memset(f, 0, sizeof(test_bz));
	f[0x1f1] = 4;
	put32(f + 0x1f4, 0x800 / 16);
	put16(f + 0x1fe, 0xaa55);
	f[0x201] = 0x6a;
	memcpy(f + 0x202, "HdrS", 4);
	put16(f + 0x206, 0x020f);
	f[0x211] = 1;
	put32(f + 0x22c, 0x7fffffff);
	put32(f + 0x230, 0x200000);
	f[0x234] = 1;
	put16(f + 0x236, 0x7f);
	put32(f + 0x238, 64);
	put64(f + 0x258, TEST_PHYS);
	put32(f + 0x260, 0x4000);
	for (unsigned i = 0; i < 0x800; i++)
		f[5 * 512 + i] = (uint8_t)i;
}

static int test_setup_linux(void **state)
{
	test_setup(state);
	test_make_bzimage();
	fake_add_file(&fake, "/linux/vmlinuz", test_bz, sizeof(test_bz));
	static const uint8_t initrd1[5] = "07070", initrd2[3] = "abc";
	fake_add_file(&fake, "/linux/initrd1", initrd1, sizeof(initrd1));
	fake_add_file(&fake, "/linux/initrd2", initrd2, sizeof(initrd2));
	strcpy(entry.id, "debian");
	strcpy(entry.path, "/linux/vmlinuz");
	strcpy(entry.options, "console=ttyS0 root=/dev/vda");
	entry.kind = CONFIG_KIND_LINUX;
	entry.linux_protocol = CONFIG_LINUX_NATIVE;
	entry.initrd_count = 2;
	strcpy(entry.initrd[0], "/linux/initrd1");
	strcpy(entry.initrd[1], "/linux/initrd2");
	facts.system_table = 0x3f9ee018;
	return 0;
}

static uint64_t rd(uint64_t addr, int n)
{
	uint64_t v = 0;
	memcpy(&v, (const void *)(uintptr_t)addr, (size_t)n);
	return v;
}

static void test_linux_happy_path(void **state)
{
	(void)state;
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_null(strstr(fake.out, "error"));
	assert_non_null(strstr(fake.out, "linux: boot protocol 2.15, kernel at 0x10000000 (init_size 0x4000)"));
	assert_true(bn.is_linux);
	/* The protected-mode kernel at pref_address, entered at + 0x200. */
	assert_int_equal(bn.linux.kernel_base, TEST_PHYS);
	assert_int_equal(bn.entry_point, TEST_PHYS + 0x200);
	assert_memory_equal((const void *)(uintptr_t)TEST_PHYS, test_bz + 5 * 512, 0x800);
	/* GDT for boot.rst: code at 0x10, data at 0x18. */
	const uint64_t *gdt = (const uint64_t *)(uintptr_t)bn.gdt_addr;
	assert_int_equal(gdt[1], 0);
	assert_int_equal(gdt[2], 0x00af9a000000ffffull);
	assert_int_equal(gdt[3], 0x00cf92000000ffffull);
	assert_int_equal(rd(bn.gdtr_addr, 2), 31);
	/* Zero page: setup header, loader type, command line, initrds concatenated and padded. */
	uint64_t bp = bn.linux.params;
	assert_int_equal(rd(bp + 0x202, 4), 0x53726448);
	assert_int_equal(rd(bp + 0x210, 1), LINUX_TYPE_OF_LOADER);
	uint64_t cmd = rd(bp + 0x228, 4) | rd(bp + 0x0c8, 4) << 32;
	assert_string_equal((const char *)(uintptr_t)cmd, "console=ttyS0 root=/dev/vda");
	uint64_t initrd = rd(bp + 0x218, 4) | rd(bp + 0x0c0, 4) << 32;
	assert_int_equal(rd(bp + 0x21c, 4), 8 + 4); /* every part padded, the last too */
	assert_memory_equal((const void *)(uintptr_t)initrd, "07070\0\0\0abc", 11);
	assert_int_equal(bn.module_count, 1);
	/* The page tables identity map the kernel and the zero page. */
	struct pagetable_pool pool = {(uint8_t *)(uintptr_t)bn.pt_addr, bn.pt_addr, bn.pt_pages, 0};
	uint64_t pa = 0;
	assert_true(pagetable_translate(&pool, bn.cr3, TEST_PHYS + 0x200, &pa));
	assert_int_equal(pa, TEST_PHYS + 0x200);

	/* The rehearsal builds everything once before the exit; the setup_data chain it touched
	 * is put back, so the real build leaves exactly one node (the handoff), no loop. */
	assert_true(boot_native_rehearse(&bn));
	assert_int_equal(rd(bp + 0x250, 8), 0);
	enum fw_status st = FW_OTHER;
	assert_int_equal(boot_native_exit(&bn, &st), EXITBS_OK);
	assert_int_equal(bn.convert_status, TB_OK);
	/* efi_info: EL64, the system table, the EFI map given to Linux. */
	assert_int_equal(rd(bp + 0x1c0, 4), LINUX_EFI64_SIGNATURE);
	assert_int_equal(rd(bp + 0x1c4, 4), 0x3f9ee018);
	assert_int_equal(rd(bp + 0x1c8, 4), bn.map.desc_size);
	assert_int_equal(rd(bp + 0x1d0, 4) | rd(bp + 0x1dc, 4) << 32, bn.linux.efi_map);
	assert_int_equal(rd(bp + 0x1d4, 4), bn.linux.efi_map_size);
	/* e820: what e820_from_map gives for the tagged map. */
	unsigned n = (unsigned)rd(bp + 0x1e8, 1);
	assert_true(n > 0);
	assert_int_equal(n, bn.linux.e820_count);
	const struct e820_entry *want = (const struct e820_entry *)(uintptr_t)bn.linux.e820;
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = bp + 0x2d0 + 20u * i;
		assert_int_equal(rd(e, 8), want[i].addr);
		assert_int_equal(rd(e + 8, 8), want[i].size);
		assert_int_equal(rd(e + 16, 4), want[i].type);
	}
	/* setup_data: the handoff blob, valid, after the header. */
	uint64_t node = rd(bp + 0x250, 8);
	assert_int_equal(node, bn.linux.handoff_node);
	assert_int_equal(rd(node + 8, 4), LINUX_SETUP_TAGBOOT_HANDOFF);
	assert_int_equal(rd(node + 12, 4), bn.out.blob_size);
	size_t where = 0;
	assert_int_equal(tb_validate((const void *)(uintptr_t)(node + 16), bn.out.blob_size, &where),
	                 TB_OK);
	assert_int_equal(rd(node, 8), 0);
}

static void test_linux_bad_image(void **state)
{
	(void)state;
	test_bz[0x236] = 0; /* no XLF_KERNEL_64 */
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "tagboot: error: entry 'debian': /linux/vmlinuz: setup header "
	                                  "field xloadflags (0x236): XLF_KERNEL_64 is not set"));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(test_state.fixed_live, 0);
}

static void test_linux_options_too_long(void **state)
{
	(void)state;
	memset(entry.options, 'x', 100);
	entry.options[100] = 0;
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "options: 100 bytes, longer than the kernel's cmdline_size (64)"));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(test_state.fixed_live, 0);
}

/* pref_address taken: a relocatable kernel moves to the next free aligned address; with no
 * free address at all the error names init_size and pref_address. */
static void test_linux_placement(void **state)
{
	(void)state;
	put64(test_bz + 0x258, TEST_PHYS - 0x200000); /* 254 MiB: not mapped for the test... */
	test_state.refuse_fixed = true;
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "no free memory for the kernel: init_size 0x4000 bytes at "
	                                  "pref_address 0xfe00000 or at any multiple of kernel_alignment"));
	assert_int_equal(fake.live_allocs, 0);
	test_state.refuse_fixed = false;
	fake.out_len = 0;
	fake.out[0] = 0;
	test_bz[0x234] = 0; /* not relocatable: only pref_address */
	assert_true(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_int_equal(bn.linux.kernel_base, TEST_PHYS - 0x200000);
}

static void test_linux_initrd_missing(void **state)
{
	(void)state;
	strcpy(entry.initrd[1], "/linux/none");
	assert_false(boot_native_prepare(&bn, &fake.fw, &entry, &facts));
	assert_non_null(strstr(fake.out, "/linux/none: file not found"));
	assert_int_equal(fake.live_allocs, 0);
	assert_int_equal(test_state.fixed_live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_happy_path, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure_each_step, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_range_not_free, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_second_range_not_free, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_hash_mismatch, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_hash_match_boots, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_missing_kernel, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_bad_elf, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_tdx_without_acpi_refused, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_linux_happy_path, test_setup_linux, test_teardown),
		cmocka_unit_test_setup_teardown(test_linux_bad_image, test_setup_linux, test_teardown),
		cmocka_unit_test_setup_teardown(test_linux_options_too_long, test_setup_linux, test_teardown),
		cmocka_unit_test_setup_teardown(test_linux_placement, test_setup_linux, test_teardown),
		cmocka_unit_test_setup_teardown(test_linux_initrd_missing, test_setup_linux, test_teardown),
		cmocka_unit_test_setup_teardown(test_module_missing, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_module_loaded_and_tagged, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_exit_refused_once, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_exit_refused_always, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_exit_hard_error, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rehearsal_and_record_on_success, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rehearsal_refuses_before_exit, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_rehearsal_names_the_step, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_failure_after_exit_keeps_record, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_record_unavailable_still_boots, test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_place_wrapping_segment_refused, test_setup, test_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
