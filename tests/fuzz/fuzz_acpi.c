/* fuzz_acpi.c: libFuzzer harness for acpi_parse, with the input as fake physical memory behind acpi_mem. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "fuzz.h"

/* The input is physical memory starting at ACPI_FUZZ_BASE, with the RSDP at its first byte.
 * The seeds (seedgen.c) place their tables at this same base. */
#define ACPI_FUZZ_BASE 0xE0000ull
#define ACPI_FUZZ_MAX_MAPS 4096u

struct acpi_fuzz_mem {
	const uint8_t *bytes;
	size_t size;
	bool fix_checksums;
	void *maps[ACPI_FUZZ_MAX_MAPS];
	unsigned map_count;
};

static uint32_t acpi_fuzz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void acpi_fuzz_set_sum_zero(uint8_t *p, size_t len, size_t at)
{
	uint8_t sum = 0;
	p[at] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[at] = (uint8_t)(0u - sum);
}

/* Mutated tables almost never keep a right checksum. In the second pass over each input the
 * accessor repairs it in the copy it hands out, whenever the range asked for is exactly a
 * whole structure: the RSDP's first 20 bytes (byte 8), an extended RSDP of its own length
 * (byte 32), or a table whose length field equals the range (byte 9). The parser then gets
 * past the checksum to the entries. */
static void acpi_fuzz_fix_checksum(uint8_t *p, uint64_t len)
{
	static const char rsdp_sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
	if (len >= 8 && memcmp(p, rsdp_sig, 8) == 0) {
		if (len == 20)
			acpi_fuzz_set_sum_zero(p, 20, 8);
		else if (len >= 36 && acpi_fuzz_le32(p + 20) == len)
			acpi_fuzz_set_sum_zero(p, (size_t)len, 32);
		return;
	}
	/* Also tables too short for their header (byte 9 is all the repair needs). */
	if (len >= 10 && acpi_fuzz_le32(p + 4) == len)
		acpi_fuzz_set_sum_zero(p, (size_t)len, 9);
}

/* Each map hands out a fresh heap copy of exactly len bytes, so ASan reports any read past
 * the range the parser asked for, not just past the whole input. */
static const void *acpi_fuzz_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct acpi_fuzz_mem *m = ctx;
	if (phys < ACPI_FUZZ_BASE || phys - ACPI_FUZZ_BASE > m->size ||
	    len > m->size - (phys - ACPI_FUZZ_BASE))
		return NULL;
	FUZZ_CHECK(m->map_count < ACPI_FUZZ_MAX_MAPS, "more than %u maps for one input",
	           ACPI_FUZZ_MAX_MAPS);
	void *copy = malloc(len ? len : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, m->bytes + (phys - ACPI_FUZZ_BASE), len);
	m->maps[m->map_count++] = copy;
	if (m->fix_checksums)
		acpi_fuzz_fix_checksum(copy, len);
	return copy;
}

static void acpi_fuzz_one(const struct acpi_mem *accessor, struct acpi_fuzz_mem *mem)
{
	static struct acpi_info info;
	mem->map_count = 0;
	bool ok = acpi_parse(accessor, ACPI_FUZZ_BASE, &info);
	size_t err_len = fuzz_bounded_len(info.error, sizeof info.error);
	FUZZ_CHECK(err_len < sizeof info.error, "error unterminated");
	FUZZ_CHECK(ok == (err_len == 0), "result %d with error '%s'", ok, info.error);
	FUZZ_CHECK(info.cpu_count <= ACPI_MAX_CPUS, "cpu_count %zu", info.cpu_count);
	if (ok) {
		FUZZ_CHECK(!info.cpus_truncated || info.cpu_count == ACPI_MAX_CPUS,
		           "truncated with %zu CPUs", info.cpu_count);
		FUZZ_CHECK(info.madt_found || (info.cpu_count == 0 && !info.mp_wakeup_found),
		           "CPUs or a mailbox without a MADT");
		for (size_t i = 0; i < info.cpu_count; i++) {
			const struct acpi_cpu *c = &info.cpus[i];
			FUZZ_CHECK((c->flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE)) != 0,
			           "cpu %zu is neither enabled nor online-capable", i);
			FUZZ_CHECK(acpi_find_cpu(&info, c->apic_id) == (int)i,
			           "APIC ID %u listed twice", c->apic_id);
		}
	}
	for (unsigned i = 0; i < mem->map_count; i++)
		free(mem->maps[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_fuzz_mem mem;
	static struct acpi_info info;
	mem.bytes = data;
	mem.size = size;
	struct acpi_mem accessor = { acpi_fuzz_map, &mem };

	/* As given (checksum failures included), then with checksums repaired. */
	for (int pass = 0; pass < 2; pass++) {
		mem.fix_checksums = pass == 1;
		acpi_fuzz_one(&accessor, &mem);
	}
	/* A NULL accessor is an error, never a crash. */
	FUZZ_CHECK(!acpi_parse(NULL, ACPI_FUZZ_BASE, &info) && info.error[0] != '\0',
	           "NULL accessor accepted");
	return 0;
}
