/* seedgen.c: writes the binary seed inputs of the fuzz harnesses (handoff blob, ranges, ACPI tables, ELF, bzImage, TDVF tail, EFI map). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tagboot_handoff.h"

/* Must match ACPI_FUZZ_BASE in fuzz_acpi.c: the harness maps the input there. */
#define SEEDGEN_ACPI_BASE 0xE0000ull

static const char *seedgen_dir;

static void seedgen_write(const char *harness, const char *name, const void *bytes, size_t len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s/%s", seedgen_dir, harness, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "seedgen: cannot write %s\n", path);
		exit(1);
	}
}

static void seedgen_put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void seedgen_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)(0u - sum);
}

static struct tb_mem_entry seedgen_entry(uint64_t base, uint64_t length, uint32_t type)
{
	struct tb_mem_entry e = { .base = base, .length = length, .type = type, .after_type = type };
	return e;
}

/* A small TDX-like map: low RAM, an AP-held page-table region, a kernel, ACPI, MMIO. */
static void seedgen_handoff(void)
{
	static uint8_t buf[4096];
	struct tb_mem_entry map[6] = {
		seedgen_entry(0x0, 0xA0000, TB_MEM_USABLE),
		seedgen_entry(0x100000, 0x700000, TB_MEM_USABLE),
		seedgen_entry(0x800000, 0x6000, TB_MEM_AP_HELD),
		seedgen_entry(0x1000000, 0x200000, TB_MEM_KERNEL),
		seedgen_entry(0x7F000000, 0x10000, TB_MEM_ACPI_RECLAIMABLE),
		seedgen_entry(0xFEC00000, 0x1000, TB_MEM_MMIO),
	};
	map[2].after_type = TB_MEM_USABLE;
	map[2].owner = TB_OWNER_FIRMWARE;
	map[2].reason = TB_REASON_PAGE_TABLES;
	map[2].reclaim = TB_RECLAIM_AFTER_AP_WAKEUP;
	map[2].source = TB_SOURCE_TDVF_METADATA;

	struct tb_builder b;
	tb_builder_init(&b, buf, sizeof buf, TB_FLAG_BOOT_SERVICES_EXITED);
	tb_builder_add_memmap(&b, map, 6);
	struct tb_rec_mp *mp = tb_builder_add(&b, TB_REC_MP, 1, sizeof *mp + 8);
	if (mp != NULL) {
		mp->mailbox_address = 0x7F001000;
		mp->flags = TB_MP_F_MAILBOX;
		mp->ap_count = 2;
		mp->ap_ids_offset = sizeof *mp;
		seedgen_put((uint8_t *)mp + sizeof *mp, 1, 4);
		seedgen_put((uint8_t *)mp + sizeof *mp + 4, 2, 4);
	}
	static const char cmdline[] = "console=ttyS0";
	struct tb_rec_cmdline *cl = tb_builder_add(&b, TB_REC_CMDLINE, 1, sizeof *cl + sizeof cmdline);
	if (cl != NULL) {
		cl->length = sizeof cmdline - 1;
		cl->offset = sizeof *cl;
		memcpy((uint8_t *)cl + sizeof *cl, cmdline, sizeof cmdline);
	}
	tb_builder_add(&b, TB_REC_PLATFORM, 1, sizeof(struct tb_rec_platform));
	size_t size = 0;
	if (tb_builder_finish(&b, &size) != TB_OK || tb_validate(buf, size, NULL) != TB_OK) {
		fprintf(stderr, "seedgen: the seed handoff blob does not validate\n");
		exit(1);
	}
	seedgen_write("handoff", "builder-tdx.bin", buf, size);
}

/* A 1.1 blob with every record 1.1 added and the version-2 MP and module records, each
 * array and string right after its record's fixed fields. */
static void seedgen_handoff_11(void)
{
	static uint8_t buf[4096];
	struct tb_mem_entry map[3] = {
		seedgen_entry(0x0, 0xA0000, TB_MEM_USABLE),
		seedgen_entry(0x100000, 0x100000, TB_MEM_KERNEL),
		seedgen_entry(0x200000, 0x7E00000, TB_MEM_USABLE),
	};
	struct tb_builder b;
	tb_builder_init(&b, buf, sizeof buf, TB_FLAG_BOOT_SERVICES_EXITED);
	tb_builder_add_memmap(&b, map, 3);

	uint32_t ids = sizeof(struct tb_rec_mp), cpus = ids + 4;
	struct tb_rec_mp *mp = tb_builder_add(&b, TB_REC_MP, 2, cpus + 2 * 16);
	if (mp != NULL) {
		mp->ap_count = 1;
		mp->ap_ids_offset = ids;
		seedgen_put((uint8_t *)mp + ids, 1, 4);
		mp->cpu_count = 2;
		mp->cpus_offset = cpus;
		mp->cpu_entry_size = 16;
		for (uint32_t i = 0; i < 2; i++) {
			uint8_t *c = (uint8_t *)mp + cpus + 16 * i;
			seedgen_put(c, i, 4);
			seedgen_put(c + 4, i, 4);
			seedgen_put(c + 8, i == 0 ? TB_CPU_F_BSP | TB_CPU_F_ENABLED : TB_CPU_F_ENABLED, 4);
		}
	}
	struct tb_rec_module *mod = tb_builder_add(&b, TB_REC_MODULE, 2, sizeof *mod + 16);
	if (mod != NULL) {
		mod->base = 0x300000;
		mod->size = 0x1000;
		mod->name_length = 6;
		mod->name_offset = sizeof *mod;
		memcpy((uint8_t *)mod + sizeof *mod, "initrd\0a=1", 11);
		mod->string_length = 3;
		mod->string_offset = sizeof *mod + 7;
	}
	struct tb_rec_efi_map *em = tb_builder_add(&b, TB_REC_EFI_MAP, 1, sizeof *em + 2 * 48);
	if (em != NULL) {
		em->desc_size = 48;
		em->desc_version = 1;
		em->desc_count = 2;
		em->map_offset = sizeof *em;
		uint8_t *d = (uint8_t *)em + sizeof *em;
		seedgen_put(d, 7, 4);
		seedgen_put(d + 24, 0xA0, 8);
		seedgen_put(d + 48, 2, 4);
		seedgen_put(d + 48 + 8, 0x100000, 8);
		seedgen_put(d + 48 + 24, 0x100, 8);
	}
	static const char path[] = "/tagboot/kernel.elf";
	struct tb_rec_boot_device *bd =
		tb_builder_add(&b, TB_REC_BOOT_DEVICE, 1, sizeof *bd + sizeof path);
	if (bd != NULL) {
		memset(bd->disk_guid, 0x11, 16);
		memset(bd->partition_guid, 0x22, 16);
		bd->partition_number = 1;
		bd->flags = TB_BOOT_DEVICE_F_GPT;
		bd->path_length = sizeof path - 1;
		bd->path_offset = sizeof *bd;
		memcpy((uint8_t *)bd + sizeof *bd, path, sizeof path);
	}
	static const uint16_t fixed_types[] = { TB_REC_KERNEL, TB_REC_DIRECT_MAP, TB_REC_SMBIOS,
		                                TB_REC_TSC, TB_REC_TIME, TB_REC_REQUEST };
	static const uint32_t fixed_sizes[] = {
		sizeof(struct tb_rec_kernel), sizeof(struct tb_rec_direct_map),
		sizeof(struct tb_rec_smbios), sizeof(struct tb_rec_tsc),
		sizeof(struct tb_rec_time),   sizeof(struct tb_rec_request),
	};
	for (size_t i = 0; i < sizeof fixed_types / sizeof fixed_types[0]; i++)
		tb_builder_add(&b, fixed_types[i], 1, fixed_sizes[i]);
	size_t size = 0;
	if (tb_builder_finish(&b, &size) != TB_OK || tb_validate(buf, size, NULL) != TB_OK) {
		fprintf(stderr, "seedgen: the 1.1 seed handoff blob does not validate\n");
		exit(1);
	}
	seedgen_write("handoff", "builder-1.1-all.bin", buf, size);
}

/* The same kind of map as raw ranges, in both encodings fuzz_normalize.c decodes. */
static void seedgen_normalize(void)
{
	static const struct { uint64_t base, length; uint8_t type; } ranges[] = {
		{ 0x0, 0xA0000, TB_MEM_USABLE },        { 0x9F000, 0x1000, TB_MEM_RESERVED },
		{ 0x100000, 0x7F00000, TB_MEM_USABLE }, { 0x800000, 0x6000, TB_MEM_AP_HELD },
		{ 0x1000800, 0x1800, TB_MEM_KERNEL },    { 0xFFFFFFFFFFFFF000ull, 0x2000, 5 },
		{ 0x7F000000, 0x10000, 200 },
	};
	uint8_t raw[1 + sizeof ranges / sizeof ranges[0] * 17] = { 0 };
	uint8_t small[1 + sizeof ranges / sizeof ranges[0] * 5] = { 1 };
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		seedgen_put(raw + 1 + 17 * i, ranges[i].base, 8);
		seedgen_put(raw + 1 + 17 * i + 8, ranges[i].length, 8);
		raw[1 + 17 * i + 16] = ranges[i].type;
		seedgen_put(small + 1 + 5 * i, ranges[i].base / 1024u, 2);
		seedgen_put(small + 1 + 5 * i + 2, ranges[i].length / 1024u, 2);
		small[1 + 5 * i + 4] = ranges[i].type;
	}
	seedgen_write("normalize", "raw.bin", raw, sizeof raw);
	seedgen_write("normalize", "small.bin", small, sizeof small);
}

static void seedgen_sdt(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(p, sig, 4);
	seedgen_put(p + 4, len, 4);
	p[8] = rev;
	memcpy(p + 10, "TAGBT ", 6);
	memcpy(p + 16, "FUZZSEED", 8);
	seedgen_put(p + 24, 1, 4);
	memcpy(p + 28, "TBFZ", 4);
	seedgen_put(p + 32, 1, 4);
}

/* RSDP at the base, then the root table, a FACP, and the MADT (offsets inside the input). */
static void seedgen_acpi_one(const char *name, int xsdt, int wakeup_len)
{
	static uint8_t mem[0x300];
	memset(mem, 0, sizeof mem);
	const uint32_t root_at = 0x40, facp_at = 0x80, madt_at = 0x100;

	memcpy(mem, "RSD PTR ", 8);
	memcpy(mem + 9, "TAGBT ", 6);
	mem[15] = xsdt ? 2 : 0;
	seedgen_put(mem + 16, xsdt ? 0 : SEEDGEN_ACPI_BASE + root_at, 4);
	seedgen_checksum(mem, 20, 8);
	if (xsdt) {
		seedgen_put(mem + 20, 36, 4);
		seedgen_put(mem + 24, SEEDGEN_ACPI_BASE + root_at, 8);
		seedgen_checksum(mem, 36, 32);
	}

	uint32_t stride = xsdt ? 8 : 4;
	uint32_t root_len = 36 + 2 * stride;
	seedgen_sdt(mem + root_at, xsdt ? "XSDT" : "RSDT", root_len, 1);
	seedgen_put(mem + root_at + 36, SEEDGEN_ACPI_BASE + facp_at, stride);
	seedgen_put(mem + root_at + 36 + stride, SEEDGEN_ACPI_BASE + madt_at, stride);
	seedgen_checksum(mem + root_at, root_len, 9);

	seedgen_sdt(mem + facp_at, "FACP", 36, 6);
	seedgen_checksum(mem + facp_at, 36, 9);

	uint8_t *m = mem + madt_at;
	uint32_t off = 44;
	seedgen_put(m + 36, 0xFEE00000u, 4);
	seedgen_put(m + 40, 1, 4); /* PCAT_COMPAT */
	for (uint8_t id = 0; id < 3; id++) { /* Local APIC: type 0, len 8, uid, id, flags */
		m[off] = 0;
		m[off + 1] = 8;
		m[off + 2] = id;
		m[off + 3] = id;
		seedgen_put(m + off + 4, id == 2 ? 2 : 1, 4);
		off += 8;
	}
	m[off] = 9; /* x2APIC: type 9, len 16, reserved, id, flags, uid */
	m[off + 1] = 16;
	seedgen_put(m + off + 4, 300, 4);
	seedgen_put(m + off + 8, 1, 4);
	seedgen_put(m + off + 12, 300, 4);
	off += 16;
	m[off] = 5; /* Local APIC address override: type 5, len 12 */
	m[off + 1] = 12;
	seedgen_put(m + off + 4, 0xFEE00000ull, 8);
	off += 12;
	m[off] = 0x10; /* MP wakeup: type 0x10, len 16 (v0) or 24 (v1 with reset vector) */
	m[off + 1] = (uint8_t)wakeup_len;
	seedgen_put(m + off + 2, wakeup_len == 24 ? 1 : 0, 2);
	seedgen_put(m + off + 8, 0x7F001000ull, 8);
	if (wakeup_len == 24)
		seedgen_put(m + off + 16, 0x7F002000ull, 8);
	off += (uint32_t)wakeup_len;
	seedgen_sdt(m, "APIC", off, 5);
	seedgen_checksum(m, off, 9);
	seedgen_write("acpi", name, mem, madt_at + off);
}

/* A static ELF64 x86-64 executable: text (R+X) holding the entry, data (R+W) with bss. */
/* A bzImage header as small as bzimage_check accepts (4 setup sectors, 2.15, 64-bit,
 * relocatable), and the same with setup_sects 0 (meaning 4). */
static void seedgen_bzimage(void)
{
	static uint8_t f[5 * 512 + 0x800];
	memset(f, 0, sizeof f);
	f[0x1f1] = 4;
	seedgen_put(f + 0x1f4, 0x800 / 16, 4);
	seedgen_put(f + 0x1fe, 0xaa55, 2);
	f[0x200] = 0xeb;
	f[0x201] = 0x6a;
	memcpy(f + 0x202, "HdrS", 4);
	seedgen_put(f + 0x206, 0x020f, 2);
	f[0x211] = 1;
	seedgen_put(f + 0x22c, 0x7fffffff, 4);
	seedgen_put(f + 0x230, 0x200000, 4);
	f[0x234] = 1;
	seedgen_put(f + 0x236, 0x7f, 2);
	seedgen_put(f + 0x238, 2047, 4);
	seedgen_put(f + 0x258, 0x1000000, 8);
	seedgen_put(f + 0x260, 0x4000, 4);
	seedgen_write("bzimage", "minimal.bin", f, sizeof f);
	f[0x1f1] = 0;
	seedgen_write("bzimage", "setup-sects-0.bin", f, sizeof f);
}

static void seedgen_elf(void)
{
	static uint8_t f[0x3000];
	memset(f, 0, sizeof f);
	memcpy(f, "\x7f" "ELF", 4);
	f[4] = 2; /* ELFCLASS64 */
	f[5] = 1; /* little-endian */
	f[6] = 1; /* EV_CURRENT */
	seedgen_put(f + 16, 2, 2);           /* ET_EXEC */
	seedgen_put(f + 18, 62, 2);          /* EM_X86_64 */
	seedgen_put(f + 20, 1, 4);
	seedgen_put(f + 24, 0xFFFFFFFF80100000ull, 8); /* e_entry */
	seedgen_put(f + 32, 64, 8);          /* e_phoff */
	seedgen_put(f + 52, 64, 2);          /* e_ehsize */
	seedgen_put(f + 54, 56, 2);          /* e_phentsize */
	seedgen_put(f + 56, 3, 2);           /* e_phnum */
	static const struct { uint32_t type, flags; uint64_t off, vaddr, paddr, filesz, memsz; }
		ph[3] = {
			{ 1, 5, 0x1000, 0xFFFFFFFF80100000ull, 0x100000, 0x1000, 0x1000 },
			{ 1, 6, 0x2000, 0xFFFFFFFF80101000ull, 0x101000, 0x800, 0x3000 },
			{ 0x6474e551, 6, 0, 0, 0, 0, 0 }, /* PT_GNU_STACK, skipped */
		};
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *p = f + 64 + 56 * i;
		seedgen_put(p, ph[i].type, 4);
		seedgen_put(p + 4, ph[i].flags, 4);
		seedgen_put(p + 8, ph[i].off, 8);
		seedgen_put(p + 16, ph[i].vaddr, 8);
		seedgen_put(p + 24, ph[i].paddr, 8);
		seedgen_put(p + 32, ph[i].filesz, 8);
		seedgen_put(p + 40, ph[i].memsz, 8);
		seedgen_put(p + 48, 0x1000, 8);
	}
	f[0x1000] = 0xF4; /* hlt */
	seedgen_write("elf", "two-loads.elf", f, 0x2800);
}

static const uint8_t seedgen_footer_guid[16] = { 0xde, 0x82, 0xb5, 0x96, 0xb2, 0x1f, 0xf7, 0x45,
	                                         0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d };
static const uint8_t seedgen_offset_guid[16] = { 0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
	                                         0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 };
static const uint8_t seedgen_desc_guid[16] = { 0xf3, 0xf9, 0xea, 0xe9, 0x8e, 0x16, 0xd5, 0x44,
	                                       0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae };

/* The tail of a TDVF image: descriptor (preceded by its GUID) near the start, the GUIDed
 * footer table at the end with one other entry and the TDX metadata offset entry. */
static void seedgen_tdvf(void)
{
	static uint8_t img[0x400];
	const size_t size = sizeof img, desc = 0x40;
	static const struct { uint32_t off, raw; uint64_t addr, size; uint32_t type, attr; } sec[] = {
		{ 0x20000, 0x1E0000, 0xFFE20000ull, 0x1E0000, 0, 1 }, /* BFV */
		{ 0x0, 0x20000, 0xFFE00000ull, 0x20000, 1, 0 },       /* CFV */
		{ 0, 0, 0x809000, 0x2000, 2, 0 },                     /* TD_HOB */
		{ 0, 0, 0x800000, 0x6000, 3, 0 },                     /* TempMem: page tables */
		{ 0, 0, 0x80B000, 0x2000, 3, 0 },                     /* TempMem: work area */
		{ 0, 0, 0x810000, 0x10000, 3, 0 },                    /* TempMem: other */
	};
	const uint32_t count = sizeof sec / sizeof sec[0];
	memset(img, 0, sizeof img);
	memcpy(img + desc - 16, seedgen_desc_guid, 16);
	memcpy(img + desc, "TDVF", 4);
	seedgen_put(img + desc + 4, 16 + 32 * count, 4);
	seedgen_put(img + desc + 8, 1, 4);
	seedgen_put(img + desc + 12, count, 4);
	for (uint32_t i = 0; i < count; i++) {
		uint8_t *s = img + desc + 16 + 32 * i;
		seedgen_put(s, sec[i].off, 4);
		seedgen_put(s + 4, sec[i].raw, 4);
		seedgen_put(s + 8, sec[i].addr, 8);
		seedgen_put(s + 16, sec[i].size, 8);
		seedgen_put(s + 24, sec[i].type, 4);
		seedgen_put(s + 28, sec[i].attr, 4);
	}
	/* From the end: 32 bytes, footer GUID, table length, then entries backwards. */
	size_t guid_at = size - 32 - 16;
	memcpy(img + guid_at, seedgen_footer_guid, 16);
	size_t end = guid_at - 2;
	/* TDX metadata offset entry: u32 distance from the image end to the descriptor. */
	memcpy(img + end - 16, seedgen_offset_guid, 16);
	seedgen_put(img + end - 18, 4 + 18, 2);
	seedgen_put(img + end - 22, size - desc, 4);
	end -= 22;
	/* An unrelated entry before it (any GUID, 8 bytes of data), skipped by the walk. */
	memset(img + end - 16, 0x11, 16);
	seedgen_put(img + end - 18, 8 + 18, 2);
	end -= 26;
	seedgen_put(img + guid_at - 2, 18 + 22 + 26, 2);
	(void)end;
	seedgen_write("tdvf", "built-tdvf-tail.bin", img, size);
}

/* A firmware memory map as GetMemoryMap returns it, with OVMF's 48-byte stride (first byte
 * 1 selects 40 + 8 * 1 in fuzz_efimap.c). */
static void seedgen_efimap(void)
{
	static const struct { uint32_t type; uint64_t start, pages, attr; } descs[] = {
		{ 3, 0x0, 0x1, 0xF },                   /* BootServicesCode */
		{ 7, 0x1000, 0x9F, 0xF },               /* ConventionalMemory */
		{ 7, 0x100000, 0x700, 0xF },
		{ 10, 0x800000, 0x8, 0xF },             /* ACPI NVS */
		{ 4, 0x808000, 0x8, 0xF },              /* BootServicesData */
		{ 5, 0x7F000000, 0x10, 0x800000000000000Full }, /* RuntimeServicesCode */
		{ 6, 0x7F010000, 0x10, 0x800000000000000Full }, /* RuntimeServicesData */
		{ 9, 0x7F020000, 0x20, 0xF },           /* ACPI reclaim */
		{ 11, 0xFFC00000, 0x400, 0x8000000000000001ull }, /* MMIO, runtime */
		{ 7, 0x100000000ull, 0x40000, 0x4000F }, /* specific-purpose RAM */
	};
	const size_t stride = 48, n = sizeof descs / sizeof descs[0];
	static uint8_t buf[1 + 48 * 10];
	memset(buf, 0, sizeof buf);
	buf[0] = 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = buf + 1 + stride * i;
		seedgen_put(d, descs[i].type, 4);
		seedgen_put(d + 8, descs[i].start, 8);
		seedgen_put(d + 24, descs[i].pages, 8);
		seedgen_put(d + 32, descs[i].attr, 8);
	}
	seedgen_write("efimap", "ovmf-like-48.bin", buf, sizeof buf);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seedgen SEED_DIR (with subdirectories per harness)\n");
		return 2;
	}
	seedgen_dir = argv[1];
	seedgen_handoff();
	seedgen_handoff_11();
	seedgen_normalize();
	seedgen_acpi_one("xsdt-v1-wakeup.bin", 1, 24);
	seedgen_acpi_one("rsdt-v0-wakeup.bin", 0, 16);
	seedgen_elf();
	seedgen_bzimage();
	seedgen_tdvf();
	seedgen_efimap();
	return 0;
}
