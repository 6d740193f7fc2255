/* test_acpi.c: acpi_parse over fake physical memory: XSDT and RSDT walks, MADT CPUs, MP wakeup, bad tables; acpi_publish_wakeup read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acpi.h"
#include "acpi_publish.h"

/* Fake physical memory: FAKE_BASE..FAKE_BASE+FAKE_SIZE is readable, anything else is not. The
 * accessor only hands out ranges that fit, so a read past a table it did not ask for is a bug
 * ASan would see only if it ran off the buffer; we also record the highest byte mapped. */
#define FAKE_BASE 0x7f000000ull
#define FAKE_SIZE 0x2000u

struct fake_mem {
	uint8_t bytes[FAKE_SIZE];
	unsigned maps;
};

static const void *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct fake_mem *m = ctx;
	m->maps++;
	if (phys < FAKE_BASE || phys - FAKE_BASE > FAKE_SIZE || len > FAKE_SIZE - (phys - FAKE_BASE))
		return NULL;
	return m->bytes + (phys - FAKE_BASE);
}

#define RSDP_AT 0x000u
#define XSDT_AT 0x100u
#define RSDT_AT 0x200u
#define FACP_AT 0x300u
#define MADT_AT 0x400u

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	uint8_t s = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[at] = (uint8_t)(0x100 - s);
}

static void sdt_header(uint8_t *p, const char *sig, uint32_t len)
{
	memcpy(p, sig, 4);
	put32(p + 4, len);
	p[8] = 1;
	memcpy(p + 10, "TAGBT ", 6);
}

/* The MADT body is built by appending entries; len tracks the table length. */
struct madt_builder {
	uint8_t *t;
	uint32_t len;
};

static void madt_add(struct madt_builder *b, const uint8_t *entry, uint8_t len)
{
	memcpy(b->t + b->len, entry, len);
	b->len += len;
}

static void madt_lapic(struct madt_builder *b, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	uint8_t e[8] = {0, 8, uid, apic_id};
	put32(e + 4, flags);
	madt_add(b, e, 8);
}

static void madt_x2apic(struct madt_builder *b, uint32_t apic_id, uint32_t flags, uint32_t uid)
{
	uint8_t e[16] = {9, 16};
	put32(e + 4, apic_id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	madt_add(b, e, 16);
}

static void madt_wakeup(struct madt_builder *b, uint16_t version, uint64_t mailbox, uint64_t reset,
                        uint8_t len)
{
	uint8_t e[24] = {0x10, len, (uint8_t)version, (uint8_t)(version >> 8)};
	put64(e + 8, mailbox);
	put64(e + 16, reset);
	madt_add(b, e, len);
}

static void finish_madt(struct fake_mem *m, struct madt_builder *b)
{
	sdt_header(b->t, "APIC", b->len);
	fix_checksum(b->t, b->len, 9);
	(void)m;
}

/* RSDP revision 2 -> XSDT {FACP, MADT}; RSDT {FACP, MADT} too, for the revision 0 case. The
 * MADT has an MP wakeup structure unless without_wakeup. */
static void build_tables_ex(struct fake_mem *m, uint8_t revision, bool without_wakeup)
{
	memset(m, 0, sizeof *m);
	uint8_t *r = m->bytes + RSDP_AT;
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "TAGBT ", 6);
	r[15] = revision;
	put32(r + 16, (uint32_t)(FAKE_BASE + RSDT_AT));
	fix_checksum(r, 20, 8);
	if (revision >= 2) {
		put32(r + 20, 36);
		put64(r + 24, FAKE_BASE + XSDT_AT);
		fix_checksum(r, 36, 32);
	}
	uint8_t *x = m->bytes + XSDT_AT;
	sdt_header(x, "XSDT", 36 + 16);
	put64(x + 36, FAKE_BASE + FACP_AT);
	put64(x + 44, FAKE_BASE + MADT_AT);
	fix_checksum(x, 52, 9);
	uint8_t *rs = m->bytes + RSDT_AT;
	sdt_header(rs, "RSDT", 36 + 8);
	put32(rs + 36, (uint32_t)(FAKE_BASE + FACP_AT));
	put32(rs + 40, (uint32_t)(FAKE_BASE + MADT_AT));
	fix_checksum(rs, 44, 9);
	uint8_t *f = m->bytes + FACP_AT;
	sdt_header(f, "FACP", 36);
	fix_checksum(f, 36, 9);

	/* MADT like TDVF's with 4 vCPUs: BSP 0, APs 1 and 2 enabled, 3 disabled but online
	 * capable, 0xff disabled; x2APIC 0x100 enabled; APIC 2 repeated as x2APIC. */
	struct madt_builder b = {m->bytes + MADT_AT, 44};
	put32(b.t + 36, 0xfee00000u);
	put32(b.t + 40, 1);
	madt_lapic(&b, 0, 0, 1);
	madt_lapic(&b, 1, 1, 1);
	madt_lapic(&b, 2, 2, 1);
	madt_lapic(&b, 3, 3, 2);
	madt_lapic(&b, 4, 0xff, 0);
	madt_x2apic(&b, 0x100, 1, 5);
	madt_x2apic(&b, 2, 1, 2);
	if (!without_wakeup)
		madt_wakeup(&b, 0, 0x7e9f3000ull, 0, 16);
	finish_madt(m, &b);
}

static void build_tables(struct fake_mem *m, uint8_t revision)
{
	build_tables_ex(m, revision, false);
}

static struct fake_mem mem_store;

static bool parse(struct acpi_info *info)
{
	struct acpi_mem mem = {fake_map, &mem_store};
	return acpi_parse(&mem, FAKE_BASE + RSDP_AT, info);
}

static struct acpi_info info_store;

static void test_xsdt_walk(void **state)
{
	(void)state;
	struct acpi_info *info = &info_store;
	build_tables(&mem_store, 2);
	assert_true(parse(info));
	assert_string_equal(info->error, "");
	assert_int_equal(info->rsdp_revision, 2);
	assert_true(info->used_xsdt);
	assert_true(info->root_table == FAKE_BASE + XSDT_AT);
	assert_true(info->madt_found);
	assert_true(info->madt_address == FAKE_BASE + MADT_AT);
	assert_true(info->local_apic_address == 0xfee00000u);
	/* 0, 1, 2, 3 (online capable), 0x100; not 0xff; 2 only once. */
	assert_int_equal(info->cpu_count, 5);
	assert_int_equal(info->cpus[3].apic_id, 3);
	assert_int_equal(info->cpus[3].flags, ACPI_CPU_ONLINE_CAPABLE);
	assert_int_equal(info->cpus[4].apic_id, 0x100);
	assert_int_equal(info->cpus[4].x2apic, 1);
	assert_int_equal(info->cpus[4].uid, 5);
	assert_int_equal(acpi_find_cpu(info, 0xff), -1);
	assert_int_equal(acpi_find_cpu(info, 2), 2);
	assert_true(info->mp_wakeup_found);
	assert_int_equal(info->mailbox_version, 0);
	assert_true(info->mailbox_address == 0x7e9f3000ull);
	assert_false(info->has_reset_vector);
}

static void test_rsdt_walk(void **state)
{
	(void)state;
	struct acpi_info *info = &info_store;
	build_tables(&mem_store, 0);
	/* Break the XSDT: revision 0 must not look at it. */
	mem_store.bytes[XSDT_AT] = 'Q';
	assert_true(parse(info));
	assert_false(info->used_xsdt);
	assert_true(info->root_table == FAKE_BASE + RSDT_AT);
	assert_int_equal(info->cpu_count, 5);

	/* Revision 2 with XSDT address 0 falls back on the RSDT. */
	build_tables(&mem_store, 2);
	put64(mem_store.bytes + RSDP_AT + 24, 0);
	fix_checksum(mem_store.bytes + RSDP_AT, 36, 32);
	assert_true(parse(info));
	assert_false(info->used_xsdt);
}

static void test_mp_wakeup_v1(void **state)
{
	(void)state;
	struct acpi_info *info = &info_store;
	build_tables(&mem_store, 2);
	struct madt_builder b = {mem_store.bytes + MADT_AT, 44};
	madt_lapic(&b, 0, 0, 1);
	madt_wakeup(&b, 1, 0x7e9f3000ull, 0x7e9f4000ull, 24);
	finish_madt(&mem_store, &b);
	assert_true(parse(info));
	assert_int_equal(info->mailbox_version, 1);
	assert_true(info->has_reset_vector);
	assert_true(info->reset_vector == 0x7e9f4000ull);
	assert_int_equal(info->cpu_count, 1);
}

static void test_no_madt(void **state)
{
	(void)state;
	struct acpi_info *info = &info_store;
	build_tables(&mem_store, 2);
	uint8_t *x = mem_store.bytes + XSDT_AT;
	put32(x + 4, 44); /* only FACP */
	fix_checksum(x, 44, 9);
	assert_true(parse(info));
	assert_false(info->madt_found);
	assert_int_equal(info->cpu_count, 0);
}

static void expect_error(const char *want)
{
	struct acpi_info *info = &info_store;
	assert_false(parse(info));
	assert_string_equal(info->error, want);
}

static void test_bad_tables(void **state)
{
	(void)state;
	build_tables(&mem_store, 2);
	mem_store.bytes[RSDP_AT + 0] = 'X';
	expect_error("RSDP: wrong signature at (0x7f000000)");

	build_tables(&mem_store, 2);
	mem_store.bytes[RSDP_AT + 9] ^= 1; /* OEM id: inside the first 20 bytes */
	expect_error("RSDP: checksum is wrong: the first 20 bytes sum to (0x1)");

	build_tables(&mem_store, 2);
	mem_store.bytes[RSDP_AT + 33] = 1; /* reserved byte: only the extended checksum sees it */
	expect_error("RSDP: extended checksum is wrong: the bytes sum to (0x1)");

	build_tables(&mem_store, 2);
	mem_store.bytes[XSDT_AT + 20] ^= 0x40;
	expect_error("XSDT: checksum is wrong: the bytes sum to (0x40)");

	build_tables(&mem_store, 2);
	put64(mem_store.bytes + RSDP_AT + 24, 0x1000);
	fix_checksum(mem_store.bytes + RSDP_AT, 36, 32);
	expect_error("XSDT: header is not readable at (0x1000)");

	build_tables(&mem_store, 2);
	put64(mem_store.bytes + XSDT_AT + 44, FAKE_BASE + FAKE_SIZE - 8);
	fix_checksum(mem_store.bytes + XSDT_AT, 52, 9);
	expect_error("XSDT: points at an unreadable table at (0x7f001ff8)");

	/* MADT length running past readable memory. */
	build_tables(&mem_store, 2);
	put32(mem_store.bytes + MADT_AT + 4, FAKE_SIZE);
	expect_error("MADT: length runs into unreadable memory (0x2000)");

	build_tables(&mem_store, 2);
	put32(mem_store.bytes + MADT_AT + 4, 20);
	expect_error("MADT: length is smaller than the 36-byte header (0x14)");

	build_tables(&mem_store, 2);
	mem_store.bytes[MADT_AT + 40] ^= 2;
	expect_error("MADT: checksum is wrong: the bytes sum to (0x2)");
}

static void test_bad_madt_entries(void **state)
{
	(void)state;
	struct madt_builder b;
	/* Entry length 1. */
	build_tables(&mem_store, 2);
	b = (struct madt_builder){mem_store.bytes + MADT_AT, 44};
	madt_lapic(&b, 0, 0, 1);
	madt_add(&b, (const uint8_t[]){0, 1, 0, 0}, 4);
	finish_madt(&mem_store, &b);
	expect_error("MADT: entry length is smaller than 2 at offset (0x34)");

	/* Entry running past the table. */
	build_tables(&mem_store, 2);
	b = (struct madt_builder){mem_store.bytes + MADT_AT, 44};
	madt_lapic(&b, 0, 0, 1);
	madt_add(&b, (const uint8_t[]){9, 16, 0, 0, 1, 0, 0, 0}, 8);
	finish_madt(&mem_store, &b);
	expect_error("MADT: entry runs past the end of the table at offset (0x34)");

	/* One stray byte at the end. */
	build_tables(&mem_store, 2);
	b = (struct madt_builder){mem_store.bytes + MADT_AT, 44};
	madt_lapic(&b, 0, 0, 1);
	madt_add(&b, (const uint8_t[]){0}, 1);
	finish_madt(&mem_store, &b);
	expect_error("MADT: entry header runs past the table at offset (0x34)");

	/* Short MP wakeup. */
	build_tables(&mem_store, 2);
	b = (struct madt_builder){mem_store.bytes + MADT_AT, 44};
	madt_add(&b, (const uint8_t[]){0x10, 8, 0, 0, 0, 0, 0, 0}, 8);
	finish_madt(&mem_store, &b);
	expect_error("MADT: MP wakeup entry shorter than 16 bytes at offset (0x2c)");
}

static void test_many_cpus(void **state)
{
	(void)state;
	struct acpi_info *info = &info_store;
	build_tables(&mem_store, 2);
	struct madt_builder b = {mem_store.bytes + MADT_AT, 44};
	for (uint32_t i = 0; i < 300; i++)
		madt_x2apic(&b, i, 1, i);
	finish_madt(&mem_store, &b);
	assert_true(parse(info));
	assert_int_equal(info->cpu_count, ACPI_MAX_CPUS);
	assert_true(info->cpus_truncated);
	assert_int_equal(info->cpus[255].apic_id, 255);
}

/* Where the published tables go in the fake memory (free space after the firmware's). */
#define PUB_AT 0x1000u

/* The published RSDP -> XSDT/RSDT -> MADT, read back with the reader: the firmware's CPUs,
 * plus the wakeup structure; the other tables shared; the firmware's own left untouched. */
static void test_publish_wakeup(void **state)
{
	(void)state;
	for (uint8_t revision = 0; revision <= 2; revision += 2) {
		struct acpi_info *info = &info_store;
		build_tables_ex(&mem_store, revision, true);
		assert_true(parse(info));
		assert_false(info->mp_wakeup_found);
		size_t cpus = info->cpu_count;
		uint8_t before[MADT_AT + 0x100];
		memcpy(before, mem_store.bytes, sizeof before);
		uint64_t size = acpi_publish_size(info);
		assert_true(size <= FAKE_SIZE - PUB_AT);
		struct acpi_mem mem = {fake_map, &mem_store};
		uint64_t rsdp = 0;
		char err[ACPI_ERROR_MAX] = "";
		static struct acpi_info firmware;
		firmware = *info;
		assert_true(acpi_publish_wakeup(&mem, FAKE_BASE + RSDP_AT, &firmware, 0x9e000, mem_store.bytes + PUB_AT,
		                                FAKE_BASE + PUB_AT, size, &rsdp, err));
		assert_true(rsdp == FAKE_BASE + PUB_AT);
		assert_memory_equal(before, mem_store.bytes, sizeof before);
		assert_true(acpi_parse(&mem, rsdp, info));
		assert_int_equal(info->rsdp_revision, 2);
		assert_true(info->used_xsdt);
		assert_true(info->madt_address != FAKE_BASE + MADT_AT);
		assert_int_equal(info->cpu_count, cpus);
		assert_true(info->mp_wakeup_found);
		assert_int_equal(info->mailbox_version, 0);
		assert_true(info->mailbox_address == 0x9e000);
		assert_false(info->has_reset_vector);
		assert_int_equal(info->madt_length, firmware.madt_length + ACPI_PUBLISH_WAKEUP_LEN);
		/* The XSDT still names the FACP; the RSDT (all below 4 GiB) names the new MADT. */
		const uint8_t *x = mem_store.bytes + (info->root_table - FAKE_BASE);
		uint64_t first = 0;
		memcpy(&first, x + 36, 8);
		assert_true(first == FAKE_BASE + FACP_AT);
		const uint8_t *r = mem_store.bytes + (rsdp - FAKE_BASE);
		uint32_t rsdt = 0, madt = 0;
		memcpy(&rsdt, r + 16, 4);
		assert_true(rsdt != 0);
		memcpy(&madt, mem_store.bytes + (rsdt - FAKE_BASE) + 40, 4);
		assert_true(madt == info->madt_address);
		/* A revision 0 reader of the new RSDP walks the RSDT to the same MADT. */
		mem_store.bytes[(rsdp - FAKE_BASE) + 15] = 0;
		mem_store.bytes[(rsdp - FAKE_BASE) + 8] = 0;
		uint8_t sum = 0;
		for (int i = 0; i < 20; i++)
			sum = (uint8_t)(sum + mem_store.bytes[(rsdp - FAKE_BASE) + i]);
		mem_store.bytes[(rsdp - FAKE_BASE) + 8] = (uint8_t)(0x100 - sum);
		assert_true(acpi_parse(&mem, rsdp, info));
		assert_false(info->used_xsdt);
		assert_true(info->mp_wakeup_found);
	}
}

static void test_publish_refusals(void **state)
{
	(void)state;
	struct acpi_info *info = &info_store;
	struct acpi_mem mem = {fake_map, &mem_store};
	uint64_t rsdp = 1;
	char err[ACPI_ERROR_MAX];
	static uint8_t buf[4096];
	build_tables(&mem_store, 2);
	assert_true(parse(info));
	/* The firmware parks the APs itself: nothing to publish. */
	assert_false(acpi_publish_wakeup(&mem, FAKE_BASE + RSDP_AT, info, 0x9e000, buf, 0x100000,
	                                 sizeof buf, &rsdp, err));
	assert_true(rsdp == 0);
	assert_non_null(strstr(err, "already has an MP wakeup structure"));
	build_tables_ex(&mem_store, 2, true);
	assert_true(parse(info));
	assert_false(acpi_publish_wakeup(&mem, FAKE_BASE + RSDP_AT, info, 0x9e800, buf, 0x100000,
	                                 sizeof buf, &rsdp, err));
	assert_non_null(strstr(err, "not a 4 KiB aligned page"));
	assert_false(acpi_publish_wakeup(&mem, FAKE_BASE + RSDP_AT, info, 0x9e000, buf, 0x100000,
	                                 acpi_publish_size(info) - 1, &rsdp, err));
	assert_non_null(strstr(err, "too small"));
	/* Above 4 GiB: XSDT only, the RSDP's RSDT address stays 0. */
	assert_true(acpi_publish_wakeup(&mem, FAKE_BASE + RSDP_AT, info, 0x9e000, buf,
	                                0x100000000ull, sizeof buf, &rsdp, err));
	uint32_t rsdt = 1;
	memcpy(&rsdt, buf + 16, 4);
	assert_int_equal(rsdt, 0);
	info->madt_found = false;
	assert_false(acpi_publish_wakeup(&mem, FAKE_BASE + RSDP_AT, info, 0x9e000, buf, 0x100000,
	                                 sizeof buf, &rsdp, err));
	assert_non_null(strstr(err, "none found"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xsdt_walk),
		cmocka_unit_test(test_rsdt_walk),
		cmocka_unit_test(test_mp_wakeup_v1),
		cmocka_unit_test(test_no_madt),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_bad_madt_entries),
		cmocka_unit_test(test_many_cpus),
		cmocka_unit_test(test_publish_wakeup),
		cmocka_unit_test(test_publish_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
