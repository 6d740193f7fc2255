/* test_handoff_validate.c: tb_validate rejects each kind of corruption with its own status and
 * the offset of the offending field, record or entry; the 1.1 rules and records; 1.0 blobs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tagboot_handoff.h"

/*
 * The base blob, worked out by hand:
 *   0    header (32)
 *   32   memmap record: 16 + 3 * 32 = 112 bytes; entries at 48, 80, 112
 *   144  cmdline record: 16 + "hello\0" = 22, rounded to 24
 *   168  acpi record: 24
 *   192  end, record_count 3
 */
#define OFF_MAP 32
#define OFF_ENTRY(i) (48 + 32 * (i))
#define OFF_CMDLINE 144
#define OFF_ACPI 168
#define BLOB_SIZE 192

static uint64_t storage[512];
static uint8_t *const blob = (uint8_t *)storage;

static struct tb_header *header(void)
{
	return (struct tb_header *)blob;
}

static struct tb_mem_entry *entry(int i)
{
	return (struct tb_mem_entry *)(blob + OFF_ENTRY(i));
}

static struct tb_record *record_at(size_t off)
{
	return (struct tb_record *)(blob + off);
}

static size_t build_base(void)
{
	static const struct tb_mem_entry map[3] = {
		{ .base = 0x0, .length = 0x9F000, .type = TB_MEM_USABLE, .after_type = TB_MEM_USABLE },
		{ .base = 0x100000, .length = 0x100000, .type = TB_MEM_USABLE,
		  .after_type = TB_MEM_USABLE },
		{ .base = 0x200000, .length = 0x1000, .type = TB_MEM_RESERVED,
		  .after_type = TB_MEM_RESERVED },
	};
	struct tb_builder b;
	struct tb_rec_cmdline *cmd;
	size_t size = 0;

	memset(storage, 0, sizeof(storage));
	tb_builder_init(&b, blob, sizeof(storage), 0);
	tb_builder_add_memmap(&b, map, 3);
	cmd = tb_builder_add(&b, TB_REC_CMDLINE, 1, sizeof(*cmd) + 6);
	assert_non_null(cmd);
	cmd->length = 5;
	cmd->offset = sizeof(*cmd);
	memcpy((char *)cmd + cmd->offset, "hello", 6);
	assert_non_null(tb_builder_add(&b, TB_REC_ACPI, 1, sizeof(struct tb_rec_acpi)));
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(size, BLOB_SIZE);
	return size;
}

static void expect(enum tb_status status, size_t where_expected)
{
	size_t where = 12345;

	assert_string_equal(tb_status_str(tb_validate(blob, sizeof(storage), &where)),
	                    tb_status_str(status));
	assert_int_equal(where, where_expected);
}

/* Change the blob, reseal it so only the intended rule is broken, check the verdict. */
#define RESEALED(mutation, status, where)                                                        \
	do {                                                                                     \
		build_base();                                                                    \
		mutation;                                                                        \
		tb_reseal(blob);                                                                 \
		expect(status, where);                                                           \
	} while (0)

static void test_base_blob_is_valid(void **state)
{
	size_t where = 0;

	(void)state;
	build_base();
	assert_int_equal(tb_validate(blob, BLOB_SIZE, &where), TB_OK);
	assert_int_equal(tb_validate(blob, BLOB_SIZE, NULL), TB_OK);
}

static void test_header_corruptions(void **state)
{
	size_t where = 0;

	(void)state;
	assert_int_equal(tb_validate(NULL, 100, &where), TB_ERR_NULL);
	build_base();
	assert_int_equal(tb_validate(blob + 4, BLOB_SIZE, &where), TB_ERR_INVALID_ARG);
	assert_int_equal(tb_validate(blob, 31, &where), TB_ERR_TRUNCATED);
	assert_int_equal(where, 0);
	assert_int_equal(tb_validate(blob, BLOB_SIZE - 8, &where), TB_ERR_TRUNCATED);
	assert_int_equal(where, 16);

	RESEALED(blob[0] ^= 1, TB_ERR_MAGIC, 0);
	RESEALED(header()->major = 2, TB_ERR_MAJOR, 8);
	RESEALED(header()->header_size = 24, TB_ERR_HEADER_SIZE, 12);
	RESEALED(header()->header_size = 36, TB_ERR_HEADER_SIZE, 12);
	RESEALED(header()->total_size = 196, TB_ERR_TOTAL_SIZE, 16);
	RESEALED(header()->record_count = 4, TB_ERR_RECORD_COUNT, 20);
	RESEALED(header()->record_count = 2, TB_ERR_RECORD_COUNT, 20);

	/* One flipped bit anywhere, not resealed. */
	build_base();
	blob[OFF_CMDLINE + 17] ^= 0x20;
	expect(TB_ERR_CRC, 28);
	build_base();
	header()->crc32 ^= 0x80000000u;
	expect(TB_ERR_CRC, 28);
}

static void test_record_corruptions(void **state)
{
	(void)state;
	RESEALED(record_at(OFF_ACPI)->size = 32, TB_ERR_RECORD_PAST_END, OFF_ACPI);
	RESEALED(record_at(OFF_CMDLINE)->size = 20, TB_ERR_RECORD_ALIGN, OFF_CMDLINE);
	RESEALED(record_at(OFF_CMDLINE)->size = 0, TB_ERR_RECORD_SIZE, OFF_CMDLINE);
	/* ACPI's version-1 fields need 24 bytes: 16 is too small even though it is aligned; the
	 * 8 bytes left after it then form a record of type 0 size 0... the first error wins. */
	RESEALED(record_at(OFF_ACPI)->size = 16, TB_ERR_RECORD_SIZE, OFF_ACPI);
	/* total_size shorter than the records: the last record runs past it. */
	RESEALED(header()->total_size = 184, TB_ERR_RECORD_PAST_END, OFF_ACPI);
	/* cmdline offset past the record, and text without its NUL. */
	RESEALED(((struct tb_rec_cmdline *)record_at(OFF_CMDLINE))->offset = 20,
	         TB_ERR_DATA_PAST_END, OFF_CMDLINE);
	RESEALED(((struct tb_rec_cmdline *)record_at(OFF_CMDLINE))->length = 0xFFFFFFFFu,
	         TB_ERR_DATA_PAST_END, OFF_CMDLINE);
	RESEALED(blob[OFF_CMDLINE + 16 + 5] = '!', TB_ERR_DATA_PAST_END, OFF_CMDLINE);
	/* A second memmap in place of the ACPI record (same size: 16 + 0 entries would be 16,
	 * so give it 24 bytes with entry_size 32 and no entries). */
	RESEALED((record_at(OFF_ACPI)->type = TB_REC_MEMMAP,
	          ((struct tb_rec_memmap *)record_at(OFF_ACPI))->entry_size = 32,
	          ((struct tb_rec_memmap *)record_at(OFF_ACPI))->entry_count = 0),
	         TB_ERR_DUPLICATE, OFF_ACPI);
	RESEALED(record_at(OFF_CMDLINE)->type = TB_REC_ACPI, TB_ERR_DUPLICATE, OFF_ACPI);
	/* No memory map: turn it into an unknown record type. */
	RESEALED(record_at(OFF_MAP)->type = 200, TB_ERR_NO_MEMMAP, 0);
	/* Unknown types and newer versions are skipped, not rejected. */
	RESEALED(record_at(OFF_ACPI)->type = 1000, TB_OK, 12345);
	RESEALED(record_at(OFF_ACPI)->version = 9, TB_OK, 12345);
}

static void test_mp_and_efi_data_checks(void **state)
{
	struct tb_builder b;
	struct tb_rec_mp *mp;
	struct tb_rec_efi *efi;
	size_t size = 0, where = 0;
	static const struct tb_mem_entry one = { .base = 0, .length = 0x1000,
	                                         .type = TB_MEM_USABLE,
	                                         .after_type = TB_MEM_USABLE };

	(void)state;
	/* 32 header, 32 + 16 + 32 map = 80, mp (version 1) at 80 (48 + 8 = 56), efi at 136
	 * (32 + 48). */
	tb_builder_init(&b, blob, sizeof(storage), 0);
	tb_builder_add_memmap(&b, &one, 1);
	mp = tb_builder_add(&b, TB_REC_MP, 1, TB_MP_V1_SIZE + 8);
	mp->ap_count = 2;
	mp->ap_ids_offset = TB_MP_V1_SIZE;
	efi = tb_builder_add(&b, TB_REC_EFI, 1, sizeof(*efi) + 48);
	efi->desc_size = 48;
	efi->desc_count = 1;
	efi->map_offset = sizeof(*efi);
	assert_int_equal(tb_builder_finish(&b, &size), TB_OK);
	assert_int_equal(tb_validate(blob, size, &where), TB_OK);

	mp->ap_count = 3;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_DATA_PAST_END);
	assert_int_equal(where, 80);
	mp->ap_count = 2;
	mp->ap_ids_offset = 50;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_RECORD_ALIGN);
	mp->ap_ids_offset = TB_MP_V1_SIZE;
	efi->desc_count = 2;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_DATA_PAST_END);
	assert_int_equal(where, 136);
	/* Two 24-byte descriptors fit the record, but a reader reads 40 bytes each. */
	efi->desc_size = 24;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_ERR_DATA_PAST_END);
	assert_int_equal(where, 136);
	efi->desc_size = 48;
	efi->desc_count = 1;
	tb_reseal(blob);
	assert_int_equal(tb_validate(blob, size, &where), TB_OK);
}

static void test_map_corruptions(void **state)
{
	(void)state;
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_size = 24, TB_ERR_ENTRY_SIZE,
	         OFF_MAP + 8);
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_size = 36, TB_ERR_ENTRY_SIZE,
	         OFF_MAP + 8);
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_count = 4,
	         TB_ERR_ENTRIES_PAST_END, OFF_MAP + 12);
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_size = 40,
	         TB_ERR_ENTRIES_PAST_END, OFF_MAP + 12);
	/* Fewer entries than the record holds is fine (the rest is padding). */
	RESEALED(((struct tb_rec_memmap *)record_at(OFF_MAP))->entry_count = 2, TB_OK, 12345);

	RESEALED(entry(0)->base = 0x800, TB_ERR_MAP_ALIGN, OFF_ENTRY(0));
	RESEALED(entry(1)->length = 0x100800, TB_ERR_MAP_ALIGN, OFF_ENTRY(1));
	RESEALED(entry(1)->length = 0, TB_ERR_MAP_EMPTY_ENTRY, OFF_ENTRY(1));
	RESEALED((entry(2)->base = 0xFFFFFFFFFFFFF000ull, entry(2)->length = 0x2000),
	         TB_ERR_MAP_WRAP, OFF_ENTRY(2));
	/* Ending exactly at 2^64 is allowed. */
	RESEALED((entry(2)->base = 0xFFFFFFFFFFFFF000ull, entry(2)->length = 0x1000), TB_OK,
	         12345);
	RESEALED((entry(2)->base = 0x1000, entry(2)->length = 0x1000), TB_ERR_MAP_UNSORTED,
	         OFF_ENTRY(2));
	RESEALED(entry(1)->length = 0x101000, TB_ERR_MAP_OVERLAP, OFF_ENTRY(2));
	RESEALED(entry(1)->base = 0x0, TB_ERR_MAP_OVERLAP, OFF_ENTRY(1));
	RESEALED(entry(0)->reclaim = TB_RECLAIM_AFTER_AP_WAKEUP, TB_ERR_MAP_USABLE_TAG,
	         OFF_ENTRY(0));
	RESEALED(entry(1)->owner = TB_OWNER_LOADER, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(1));
	/* A tagged reserved entry is fine. */
	RESEALED((entry(2)->owner = TB_OWNER_FIRMWARE,
	          entry(2)->reclaim = TB_RECLAIM_AFTER_AP_WAKEUP), TB_OK, 12345);
}

/* ---- 1.1: a small blob (header, a one-entry map, then the records a test adds) ---- */

/* The first added record starts at 32 + 16 + 32. */
#define OFF_FIRST 80

static struct tb_builder small;

static void small_begin(void)
{
	static const struct tb_mem_entry one = { .base = 0, .length = 0x1000,
	                                         .type = TB_MEM_USABLE,
	                                         .after_type = TB_MEM_USABLE };

	memset(storage, 0, sizeof(storage));
	tb_builder_init(&small, blob, sizeof(storage), 0);
	assert_non_null(tb_builder_add_memmap(&small, &one, 1));
}

static void *small_add(uint16_t type, uint8_t version, uint32_t size)
{
	void *rec = tb_builder_add(&small, type, version, size);

	assert_non_null(rec);
	return rec;
}

static void small_finish(void)
{
	size_t size = 0;

	assert_int_equal(tb_builder_finish(&small, &size), TB_OK);
}

/* Reseal after a change, then tb_validate must say status, at the start of record rec (or
 * where stays untouched for TB_OK). */
static void small_expect(enum tb_status status, const void *rec)
{
	tb_reseal(blob);
	expect(status, status == TB_OK ? 12345 : (size_t)((const uint8_t *)rec - blob));
}

/* A text record body: text (with its NUL) at byte `at` of rec. */
static void put_text(void *rec, uint32_t at, const char *text)
{
	memcpy((uint8_t *)rec + at, text, strlen(text) + 1);
}

/* Each variable-size record, built valid with its data right after its fixed fields. */
static struct tb_rec_cmdline *add_cmdline(void)
{
	struct tb_rec_cmdline *c = small_add(TB_REC_CMDLINE, 1, sizeof(*c) + 8);

	c->length = 5;
	c->offset = sizeof(*c);
	put_text(c, c->offset, "quiet");
	return c;
}

static struct tb_rec_module *add_module(uint8_t version)
{
	uint32_t fixed = version >= 2 ? sizeof(struct tb_rec_module) : TB_MODULE_V1_SIZE;
	struct tb_rec_module *m = small_add(TB_REC_MODULE, version, fixed + 16);

	m->base = 0x1000;
	m->size = 10;
	m->name_length = 4;
	m->name_offset = fixed;
	put_text(m, fixed, "init");
	if (version >= 2) {
		m->string_length = 5;
		m->string_offset = fixed + 5;
		put_text(m, fixed + 5, "a=b c");
	}
	return m;
}

/* MP version 2: two AP IDs, then three CPUs of cpu_entry_size bytes. */
static struct tb_rec_mp *add_mp_v2(uint32_t cpu_entry_size)
{
	uint32_t ids = sizeof(struct tb_rec_mp), cpus = ids + 8;
	struct tb_rec_mp *mp = small_add(TB_REC_MP, 2, cpus + 3 * cpu_entry_size);

	mp->ap_count = 2;
	mp->ap_ids_offset = ids;
	mp->cpu_count = 3;
	mp->cpus_offset = cpus;
	mp->cpu_entry_size = cpu_entry_size;
	for (uint32_t i = 0; i < 3; i++) {
		struct tb_mp_cpu cpu = { .apic_id = 10 + i, .acpi_uid = 20 + i,
			                 .flags = TB_CPU_F_ENABLED | (i == 0 ? TB_CPU_F_BSP : 0) };

		memcpy((uint8_t *)mp + cpus + i * cpu_entry_size, &cpu, sizeof(cpu));
		if (i > 0)
			memcpy((uint8_t *)mp + ids + 4 * (i - 1), &cpu.apic_id, 4);
	}
	return mp;
}

static struct tb_rec_efi *add_efi(void)
{
	struct tb_rec_efi *e = small_add(TB_REC_EFI, 1, sizeof(*e) + 2 * 48);

	e->desc_size = 48;
	e->desc_count = 2;
	e->map_offset = sizeof(*e);
	return e;
}

static struct tb_rec_efi_map *add_efi_map(void)
{
	struct tb_rec_efi_map *e = small_add(TB_REC_EFI_MAP, 1, sizeof(*e) + 3 * 40);

	e->desc_size = 40;
	e->desc_version = 1;
	e->desc_count = 3;
	e->map_offset = sizeof(*e);
	return e;
}

static struct tb_rec_boot_device *add_boot_device(void)
{
	struct tb_rec_boot_device *d = small_add(TB_REC_BOOT_DEVICE, 1, sizeof(*d) + 16);

	d->partition_number = 1;
	d->flags = TB_BOOT_DEVICE_F_GPT;
	d->path_length = 10;
	d->path_offset = sizeof(*d);
	put_text(d, d->path_offset, "/k/kernel1");
	return d;
}

static void test_variable_records_valid(void **state)
{
	(void)state;
	small_begin();
	add_cmdline();
	add_module(1);
	add_module(2);
	add_mp_v2(sizeof(struct tb_mp_cpu));
	add_efi();
	add_efi_map();
	add_boot_device();
	small_finish();
	expect(TB_OK, 12345);
}

/* 1.1: every data offset must point past its record's fixed fields, never into them. */
static void test_offsets_into_fixed_fields(void **state)
{
	struct tb_rec_cmdline *c;
	struct tb_rec_module *m;
	struct tb_rec_mp *mp;
	struct tb_rec_efi *efi;
	struct tb_rec_efi_map *em;
	struct tb_rec_boot_device *bd;

	(void)state;
	/* Each offset below points at a 0 byte inside the fixed fields, so the text would be a
	 * NUL-terminated "" inside the record: only the fixed-fields rule refuses it. Command
	 * line "text" at its own length field (0), then at the high byte of its offset field. */
	small_begin();
	c = add_cmdline();
	small_finish();
	c->offset = 8;
	c->length = 0;
	small_expect(TB_ERR_DATA_PAST_END, c);
	c->offset = 15;
	small_expect(TB_ERR_DATA_PAST_END, c);
	c->offset = sizeof(*c);
	c->length = 5;
	small_expect(TB_OK, c);

	/* Module v1: a name inside base/size; v2: a name or string inside string_length/offset. */
	small_begin();
	m = add_module(1);
	small_finish();
	m->name_offset = 8;
	m->name_length = 0;
	small_expect(TB_ERR_DATA_PAST_END, m);
	small_begin();
	m = add_module(2);
	small_finish();
	/* Past the v1 fields, inside the v2 ones: byte 34 (a 0 of string_length) as "". */
	m->name_offset = TB_MODULE_V1_SIZE + 2;
	m->name_length = 0;
	small_expect(TB_ERR_DATA_PAST_END, m);
	m->name_offset = sizeof(*m);
	m->name_length = 4;
	m->string_offset = 38; /* string_offset's own high bytes: 0, so "" but in the fields */
	m->string_length = 0;
	small_expect(TB_ERR_DATA_PAST_END, m);
	m->string_offset = sizeof(*m) + 4; /* the name's NUL: the empty string, valid */
	small_expect(TB_OK, m);

	/* MP: AP IDs inside the v1 fields; the CPU list inside the v2 fields. */
	small_begin();
	mp = add_mp_v2(sizeof(struct tb_mp_cpu));
	small_finish();
	mp->ap_ids_offset = 40;
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->ap_ids_offset = TB_MP_V1_SIZE; /* past v1, but this is a v2 record */
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->ap_ids_offset = sizeof(*mp);
	mp->cpus_offset = 48;
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->cpus_offset = 0;
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->cpus_offset = sizeof(*mp) + 8;
	small_expect(TB_OK, mp);

	/* EFI runtime descriptors and the EFI map inside their headers. */
	small_begin();
	efi = add_efi();
	em = add_efi_map();
	small_finish();
	efi->map_offset = 24;
	small_expect(TB_ERR_DATA_PAST_END, efi);
	efi->map_offset = sizeof(*efi);
	em->map_offset = 8;
	small_expect(TB_ERR_DATA_PAST_END, em);
	em->map_offset = 0;
	small_expect(TB_ERR_DATA_PAST_END, em);
	em->map_offset = sizeof(*em);
	small_expect(TB_OK, em);

	/* The boot-device path inside the GUIDs. */
	small_begin();
	bd = add_boot_device();
	small_finish();
	bd->path_offset = 16;
	bd->path_length = 0;
	small_expect(TB_ERR_DATA_PAST_END, bd);
	bd->path_offset = sizeof(*bd) - 1;
	small_expect(TB_ERR_DATA_PAST_END, bd);
}

/* An array of count 0 is never read: its offset, stride and alignment do not matter. */
static void test_zero_counts_ignore_offsets(void **state)
{
	struct tb_rec_mp *mp;
	struct tb_rec_efi *efi;
	struct tb_rec_efi_map *em;

	(void)state;
	small_begin();
	mp = add_mp_v2(sizeof(struct tb_mp_cpu));
	efi = add_efi();
	em = add_efi_map();
	small_finish();
	mp->ap_count = 0;
	mp->ap_ids_offset = 0xFFFFFFF3u; /* past the end and misaligned */
	small_expect(TB_OK, mp);
	mp->cpu_count = 0;
	mp->cpus_offset = 3;
	mp->cpu_entry_size = 1;
	small_expect(TB_OK, mp);
	assert_null(tb_mp_cpu_entry(mp, 0));
	efi->desc_count = 0;
	efi->desc_size = 7;
	efi->map_offset = 0xFFFFFFF0u;
	small_expect(TB_OK, efi);
	em->desc_count = 0;
	em->desc_size = 0;
	em->map_offset = 1;
	small_expect(TB_OK, em);
	/* A count again: the garbage is checked. */
	em->desc_count = 1;
	small_expect(TB_ERR_DATA_PAST_END, em);
}

/* 1.1: a usable entry must be untagged in every field. */
static void test_usable_entry_reason_and_after_type(void **state)
{
	(void)state;
	RESEALED(entry(0)->reason = TB_REASON_PAGE_TABLES, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(0));
	RESEALED(entry(1)->reason = TB_REASON_CONFIG, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(1));
	RESEALED(entry(0)->after_type = TB_MEM_RESERVED, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(0));
	RESEALED(entry(1)->after_type = TB_MEM_AP_HELD, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(1));
	RESEALED(entry(1)->after_type = 0, TB_ERR_MAP_USABLE_TAG, OFF_ENTRY(1));
	/* A reason on a reserved entry is fine; the source of a usable entry is not a tag. */
	RESEALED(entry(2)->reason = TB_REASON_CONFIG, TB_OK, 12345);
	RESEALED(entry(0)->source = TB_SOURCE_LOADER, TB_OK, 12345);
}

static void test_mp_v2_cpu_list(void **state)
{
	struct tb_rec_mp *mp;
	const struct tb_mp_cpu *cpu;

	(void)state;
	/* A wider stride than struct tb_mp_cpu: entries are cpu_entry_size apart. */
	small_begin();
	mp = add_mp_v2(24);
	small_finish();
	expect(TB_OK, 12345);
	cpu = tb_mp_cpu_entry(mp, 2);
	assert_non_null(cpu);
	assert_ptr_equal(cpu, (const uint8_t *)mp + mp->cpus_offset + 48);
	assert_int_equal(cpu->apic_id, 12);
	assert_int_equal(cpu->acpi_uid, 22);
	assert_int_equal(tb_mp_cpu_entry(mp, 0)->flags, TB_CPU_F_ENABLED | TB_CPU_F_BSP);
	assert_null(tb_mp_cpu_entry(mp, 3));
	assert_null(tb_mp_cpu_entry(NULL, 0));

	small_begin();
	mp = add_mp_v2(sizeof(struct tb_mp_cpu));
	small_finish();
	/* One CPU more than the record holds; a list ending one byte past the record. */
	mp->cpu_count = 4;
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->cpu_count = 3;
	mp->cpus_offset += 4; /* 3 * 16 from there ends 4 bytes past the record's 120 */
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->cpus_offset -= 4;
	/* A stride below the structure; a count whose product wraps 32 bits. */
	mp->cpu_entry_size = 12;
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->cpu_entry_size = 16;
	mp->cpu_count = 0x10000001u;
	small_expect(TB_ERR_DATA_PAST_END, mp);
	mp->cpu_count = 3;
	/* Misaligned: the list's offset or its stride not a multiple of 4. */
	mp->cpus_offset += 2;
	small_expect(TB_ERR_RECORD_ALIGN, mp);
	mp->cpus_offset -= 2;
	mp->cpu_entry_size = 18;
	small_expect(TB_ERR_RECORD_ALIGN, mp);
	mp->cpu_entry_size = 16;
	small_expect(TB_OK, mp);

	/* The same fields in a version-1 record are not read (and not there to read). */
	small_begin();
	mp = small_add(TB_REC_MP, 1, TB_MP_V1_SIZE);
	small_finish();
	expect(TB_OK, 12345);
	assert_null(tb_mp_cpu_entry(mp, 0));
}

static void test_module_v2_string(void **state)
{
	struct tb_rec_module *m;

	(void)state;
	small_begin();
	m = add_module(2);
	small_finish();
	expect(TB_OK, 12345);
	assert_string_equal(tb_module_string(m), "a=b c");
	/* The NUL after the string overwritten; a length running past the record. */
	((char *)m)[m->string_offset + m->string_length] = 'X';
	small_expect(TB_ERR_DATA_PAST_END, m);
	((char *)m)[m->string_offset + m->string_length] = '\0';
	m->string_length = 4; /* "a=b " then 'c', not NUL */
	small_expect(TB_ERR_DATA_PAST_END, m);
	m->string_length = 0xFFFFFFFFu;
	small_expect(TB_ERR_DATA_PAST_END, m);
	m->string_length = 5;
	m->string_offset = 0xFFFFFFF0u;
	small_expect(TB_ERR_DATA_PAST_END, m);
	m->string_offset = sizeof(*m) + 5;
	small_expect(TB_OK, m);
	/* A NUL inside the counted length: strlen and string_length would disagree. */
	((char *)m)[m->string_offset + 1] = '\0';
	small_expect(TB_ERR_DATA_PAST_END, m);
	((char *)m)[m->string_offset + 1] = '=';
	small_expect(TB_OK, m);

	/* Version 1 has no string: "" whatever follows the v1 fields. */
	small_begin();
	m = add_module(1);
	small_finish();
	expect(TB_OK, 12345);
	assert_string_equal(tb_module_string(m), "");
	assert_string_equal(tb_module_string(NULL), "");
}

/* Fixed size of each record type new in 1.1. */
static const struct {
	uint16_t type;
	uint32_t size;
} new_records[] = {
	{ TB_REC_KERNEL, sizeof(struct tb_rec_kernel) },
	{ TB_REC_DIRECT_MAP, sizeof(struct tb_rec_direct_map) },
	{ TB_REC_EFI_MAP, sizeof(struct tb_rec_efi_map) },
	{ TB_REC_SMBIOS, sizeof(struct tb_rec_smbios) },
	{ TB_REC_BOOT_DEVICE, sizeof(struct tb_rec_boot_device) },
	{ TB_REC_TSC, sizeof(struct tb_rec_tsc) },
	{ TB_REC_TIME, sizeof(struct tb_rec_time) },
	{ TB_REC_REQUEST, sizeof(struct tb_rec_request) },
};
#define NEW_RECORDS (sizeof(new_records) / sizeof(new_records[0]))

/* A valid record of a new type: zeroed fields are valid except the boot device's path. */
static void *add_new_record(uint16_t type, uint32_t size)
{
	if (type == TB_REC_BOOT_DEVICE) {
		struct tb_rec_boot_device *d = small_add(type, 1, size + 8);

		d->path_offset = size; /* "" */
		return d;
	}
	return small_add(type, 1, size);
}

static void test_new_records_unique(void **state)
{
	(void)state;
	/* All eight at once are valid. */
	small_begin();
	for (size_t i = 0; i < NEW_RECORDS; i++)
		add_new_record(new_records[i].type, new_records[i].size);
	small_finish();
	expect(TB_OK, 12345);
	assert_int_equal(TB_REC_TYPE_MAX, TB_REC_REQUEST);
	/* Each one twice: refused at the second. */
	for (size_t i = 0; i < NEW_RECORDS; i++) {
		void *second;

		small_begin();
		add_new_record(new_records[i].type, new_records[i].size);
		second = add_new_record(new_records[i].type, new_records[i].size);
		small_finish();
		small_expect(TB_ERR_DUPLICATE, second);
	}
}

static void test_new_records_min_size(void **state)
{
	void *rec;

	(void)state;
	for (size_t i = 0; i < NEW_RECORDS; i++) {
		small_begin();
		rec = small_add(new_records[i].type, 1, new_records[i].size - 8);
		small_finish();
		small_expect(TB_ERR_RECORD_SIZE, rec);
		/* Only the record header: as small as any record can be. */
		small_begin();
		rec = small_add(new_records[i].type, 1, sizeof(struct tb_record));
		small_finish();
		small_expect(TB_ERR_RECORD_SIZE, rec);
		/* A newer version of the record must still hold every field of this one. */
		small_begin();
		rec = small_add(new_records[i].type, 7, new_records[i].size - 8);
		small_finish();
		small_expect(TB_ERR_RECORD_SIZE, rec);
	}
	/* MP and module of version 2 need their version-2 fields. */
	small_begin();
	rec = small_add(TB_REC_MP, 2, sizeof(struct tb_rec_mp) - 8);
	small_finish();
	small_expect(TB_ERR_RECORD_SIZE, rec);
	small_begin();
	rec = small_add(TB_REC_MODULE, 2, TB_MODULE_V1_SIZE);
	small_finish();
	small_expect(TB_ERR_RECORD_SIZE, rec);
}

/* A version-1 MP record of 48 bytes, as 1.0 writers wrote it, is still valid and found. */
static void test_mp_v1_48_bytes(void **state)
{
	struct tb_rec_mp *mp;

	(void)state;
	small_begin();
	mp = small_add(TB_REC_MP, 1, TB_MP_V1_SIZE);
	mp->mailbox_address = 0x9e000;
	mp->flags = TB_MP_F_MAILBOX;
	small_finish();
	expect(TB_OK, 12345);
	assert_int_equal(mp->hdr.size, 48);
	assert_ptr_equal(tb_find_record(blob, TB_REC_MP, TB_MP_V1_SIZE), mp);
	/* A reader that asks for the v2 fields does not get it. */
	assert_null(tb_find_record(blob, TB_REC_MP, sizeof(struct tb_rec_mp)));
	/* With one AP ID right after the 48 bytes. */
	small_begin();
	mp = small_add(TB_REC_MP, 1, TB_MP_V1_SIZE + 8);
	mp->ap_count = 2;
	mp->ap_ids_offset = TB_MP_V1_SIZE;
	small_finish();
	expect(TB_OK, 12345);
	mp->ap_count = 3;
	small_expect(TB_ERR_DATA_PAST_END, mp);
}

/* Every blob a 1.0 loader wrote (tests/fixtures/handoff-1.0, from real boots and the 1.0
 * sample) is still valid for the 1.1 reader. */
static void test_fixtures_1_0_still_valid(void **state)
{
	static const char *const names[] = { "ap-park-smp4.bin", "pc-smp1-256m.bin",
		                             "pc-smp4-2g.bin",   "q35-smp2-6g.bin",
		                             "q35-smp4-2g.bin",  "sample-tdx.bin" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[256];
		FILE *f;
		size_t size, where = 0;
		const struct tb_rec_mp *mp;
		const struct tb_rec_module *mod;

		snprintf(path, sizeof(path), "tests/fixtures/handoff-1.0/%s", names[i]);
		f = fopen(path, "rb");
		if (f == NULL)
			fail_msg("cannot open %s (run from the repository root)", path);
		memset(storage, 0, sizeof(storage));
		size = fread(storage, 1, sizeof(storage), f);
		assert_true(feof(f));
		fclose(f);
		assert_true(size > sizeof(struct tb_header));
		if (tb_validate(blob, size, &where) != TB_OK)
			fail_msg("%s: %s at %zu", path, tb_status_str(tb_validate(blob, size, NULL)),
			         where);
		assert_int_equal(header()->minor, 0);
		mp = (const void *)tb_find_record(blob, TB_REC_MP, TB_MP_V1_SIZE);
		assert_non_null(mp);
		assert_int_equal(mp->hdr.version, 1);
		assert_null(tb_mp_cpu_entry(mp, 0));
		mod = (const void *)tb_find_record(blob, TB_REC_MODULE, TB_MODULE_V1_SIZE);
		if (mod != NULL)
			assert_string_equal(tb_module_string(mod), "");
		assert_non_null(tb_memmap(blob));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_blob_is_valid),
		cmocka_unit_test(test_header_corruptions),
		cmocka_unit_test(test_record_corruptions),
		cmocka_unit_test(test_mp_and_efi_data_checks),
		cmocka_unit_test(test_map_corruptions),
		cmocka_unit_test(test_variable_records_valid),
		cmocka_unit_test(test_offsets_into_fixed_fields),
		cmocka_unit_test(test_zero_counts_ignore_offsets),
		cmocka_unit_test(test_usable_entry_reason_and_after_type),
		cmocka_unit_test(test_mp_v2_cpu_list),
		cmocka_unit_test(test_module_v2_string),
		cmocka_unit_test(test_new_records_unique),
		cmocka_unit_test(test_new_records_min_size),
		cmocka_unit_test(test_mp_v1_48_bytes),
		cmocka_unit_test(test_fixtures_1_0_still_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
