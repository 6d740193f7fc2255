/* acpi.h: RSDP -> XSDT/RSDT -> MADT walk (CPUs, MP wakeup mailbox), checked at every step; shared by loader, kernel and tools. */
#ifndef TAGBOOT_ACPI_H
#define TAGBOOT_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 256u
#define ACPI_ERROR_MAX 160u

/* Physical memory access. map returns a pointer to len readable bytes at phys, or NULL when
 * the range is not readable. In the loader and kernel it is an identity cast; tests feed fake
 * memory and catch reads past a table. */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void *ctx;
};

/* MADT Local APIC / x2APIC flags (ACPI 6.5 5.2.12.2, table 5.23). */
#define ACPI_CPU_ENABLED 1u
#define ACPI_CPU_ONLINE_CAPABLE 2u

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;     /* ACPI processor UID */
	uint32_t flags;   /* ACPI_CPU_* */
	uint8_t x2apic;   /* 1 if it came from a type 9 entry */
};

struct acpi_info {
	uint8_t rsdp_revision;      /* 0 = ACPI 1.0 (RSDT), >= 2 has an XSDT address */
	bool used_xsdt;             /* the walk went through the XSDT (else the RSDT) */
	uint64_t root_table;        /* physical address of the XSDT or RSDT walked */
	uint32_t root_length;       /* its length field (checked, header included) */
	bool madt_found;
	uint64_t madt_address;
	uint32_t madt_length;       /* its length field (checked) */
	uint64_t local_apic_address;/* MADT field, replaced by a type 5 override if present */
	size_t cpu_count;           /* enabled or online-capable CPUs (type 0 and 9), deduplicated */
	bool cpus_truncated;        /* more than ACPI_MAX_CPUS were listed */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	bool mp_wakeup_found;       /* MADT type 0x10 present */
	uint16_t mailbox_version;   /* 0, or 1 (ACPI 6.6: adds the reset vector) */
	uint64_t mailbox_address;
	bool has_reset_vector;      /* entry length 24 */
	uint64_t reset_vector;
	char error[ACPI_ERROR_MAX]; /* "" on success */
};

/* Walk the tables from the RSDP at rsdp_phys. Returns true on success (a missing MADT is not
 * an error: madt_found stays false); on a bad checksum, length, signature or an unreadable
 * range returns false with out->error naming the table, the field and the reason.
 * Freestanding and self-contained (the sample kernel links this file alone). */
bool acpi_parse(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_info *out);

/* Index of the CPU with this APIC ID in info->cpus, or -1. */
int acpi_find_cpu(const struct acpi_info *info, uint32_t apic_id);

#endif /* TAGBOOT_ACPI_H */
