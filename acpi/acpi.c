/* acpi.c: RSDP -> XSDT/RSDT -> MADT walk (CPUs, MP wakeup mailbox), checked at every step. */
#include "acpi.h"

#include "acpi_bytes.h"

/*
 * Freestanding: the loader, the sample kernel and the host tools link this directory (acpi/)
 * as it is, so it uses nothing of loader/core.
 * Layouts: ACPI 6.5 section 5.2.5.3 (RSDP), 5.2.6 (system description table header),
 * 5.2.7 (RSDT), 5.2.8 (XSDT), 5.2.12 (MADT); MP wakeup: ACPI 6.4 5.2.12.19 (version 1 with
 * the reset vector: ACPI 6.6).
 */
#define RSDP_V1_SIZE 20u
#define RSDP_V2_SIZE 36u
#define SDT_HEADER_SIZE 36u
#define MADT_ENTRIES_OFFSET 44u
/* No real RSDT/XSDT/MADT comes near this; a larger length is corruption, and checksumming it
 * through an identity map would walk through memory for nothing. */
#define ACPI_TABLE_MAX (1u << 20)

#define MADT_LOCAL_APIC 0u
#define MADT_LAPIC_OVERRIDE 5u
#define MADT_LOCAL_X2APIC 9u
#define MADT_MP_WAKEUP 0x10u

static bool sig_is(const uint8_t *p, const char *sig, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (p[i] != (uint8_t)sig[i])
			return false;
	}
	return true;
}

/* Error text builder: "TABLE: what (0xVALUE)". */
struct acpi_msg {
	char *buf;
	size_t len;
};

static void msg_str(struct acpi_msg *m, const char *s)
{
	while (*s != '\0' && m->len + 1 < ACPI_ERROR_MAX)
		m->buf[m->len++] = *s++;
	m->buf[m->len] = '\0';
}

static void msg_hex(struct acpi_msg *m, uint64_t v)
{
	static const char hex[] = "0123456789abcdef";
	char digits[17];
	int n = 0;
	do {
		digits[n++] = hex[v & 0xf];
		v >>= 4;
	} while (v != 0);
	char text[20];
	int t = 0;
	text[t++] = '0';
	text[t++] = 'x';
	while (n > 0)
		text[t++] = digits[--n];
	text[t] = '\0';
	msg_str(m, text);
}

static bool fail(struct acpi_info *out, const char *table, const char *what, uint64_t value)
{
	struct acpi_msg m = {out->error, 0};
	msg_str(&m, table);
	msg_str(&m, ": ");
	msg_str(&m, what);
	msg_str(&m, " (");
	msg_hex(&m, value);
	msg_str(&m, ")");
	return false;
}

static const uint8_t *map(const struct acpi_mem *mem, uint64_t phys, uint64_t len)
{
	if (len > UINT64_MAX - phys)
		return NULL;
	return mem->map(mem->ctx, phys, len);
}

/* Map a whole table at phys with the expected signature: header first (for the length), then
 * the full length, checksum over it. name is used in messages. */
static const uint8_t *map_table(const struct acpi_mem *mem, uint64_t phys, const char *sig,
                                const char *name, uint32_t *length, struct acpi_info *out)
{
	const uint8_t *h = map(mem, phys, SDT_HEADER_SIZE);
	if (h == NULL) {
		fail(out, name, "header is not readable at", phys);
		return NULL;
	}
	if (!sig_is(h, sig, 4)) {
		fail(out, name, "wrong signature at", phys);
		return NULL;
	}
	uint32_t len = acpi_le32(h + 4);
	if (len < SDT_HEADER_SIZE) {
		fail(out, name, "length is smaller than the 36-byte header", len);
		return NULL;
	}
	if (len > ACPI_TABLE_MAX) {
		fail(out, name, "length is larger than 1 MiB", len);
		return NULL;
	}
	const uint8_t *t = map(mem, phys, len);
	if (t == NULL) {
		fail(out, name, "length runs into unreadable memory", len);
		return NULL;
	}
	if (acpi_sum8(t, len) != 0) {
		fail(out, name, "checksum is wrong: the bytes sum to", acpi_sum8(t, len));
		return NULL;
	}
	*length = len;
	return t;
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
                    uint8_t x2apic)
{
	if ((flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE)) == 0)
		return;
	/* Firmware may list a CPU both as Local APIC and x2APIC; count it once. */
	if (acpi_find_cpu(out, apic_id) >= 0)
		return;
	if (out->cpu_count == ACPI_MAX_CPUS) {
		out->cpus_truncated = true;
		return;
	}
	struct acpi_cpu *c = &out->cpus[out->cpu_count++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->flags = flags;
	c->x2apic = x2apic;
}

/* The smallest length each entry type we read must have. */
static bool madt_entry(struct acpi_info *out, const uint8_t *e, uint8_t len, uint32_t offset)
{
	uint8_t type = e[0];
	switch (type) {
	case MADT_LOCAL_APIC:
		if (len < 8)
			return fail(out, "MADT", "Local APIC entry shorter than 8 bytes at offset", offset);
		add_cpu(out, e[3], e[2], acpi_le32(e + 4), 0);
		break;
	case MADT_LAPIC_OVERRIDE:
		if (len < 12)
			return fail(out, "MADT", "Local APIC address override shorter than 12 bytes at offset",
			            offset);
		out->local_apic_address = acpi_le64(e + 4);
		break;
	case MADT_LOCAL_X2APIC:
		if (len < 16)
			return fail(out, "MADT", "Local x2APIC entry shorter than 16 bytes at offset", offset);
		add_cpu(out, acpi_le32(e + 4), acpi_le32(e + 12), acpi_le32(e + 8), 1);
		break;
	case MADT_MP_WAKEUP:
		if (len < 16)
			return fail(out, "MADT", "MP wakeup entry shorter than 16 bytes at offset", offset);
		if (out->mp_wakeup_found)
			return fail(out, "MADT", "second MP wakeup entry at offset", offset);
		out->mp_wakeup_found = true;
		out->mailbox_version = (uint16_t)(e[2] | e[3] << 8);
		out->mailbox_address = acpi_le64(e + 8);
		/* Version 1 (ACPI 6.6) appends the reset vector: entry length 24. */
		if (len >= 24) {
			out->has_reset_vector = true;
			out->reset_vector = acpi_le64(e + 16);
		}
		break;
	default:
		break;
	}
	return true;
}

static bool parse_madt(const struct acpi_mem *mem, uint64_t phys, struct acpi_info *out)
{
	uint32_t len = 0;
	const uint8_t *t = map_table(mem, phys, "APIC", "MADT", &len, out);
	if (t == NULL)
		return false;
	if (len < MADT_ENTRIES_OFFSET)
		return fail(out, "MADT", "length is smaller than the 44-byte fixed part", len);
	out->madt_found = true;
	out->madt_address = phys;
	out->madt_length = len;
	out->local_apic_address = acpi_le32(t + 36);
	uint32_t off = MADT_ENTRIES_OFFSET;
	while (off < len) {
		if (len - off < 2)
			return fail(out, "MADT", "entry header runs past the table at offset", off);
		uint8_t elen = t[off + 1];
		if (elen < 2)
			return fail(out, "MADT", "entry length is smaller than 2 at offset", off);
		if (elen > len - off)
			return fail(out, "MADT", "entry runs past the end of the table at offset", off);
		if (!madt_entry(out, t + off, elen, off))
			return false;
		off += elen;
	}
	return true;
}

static void clear(struct acpi_info *out)
{
	uint8_t *p = (uint8_t *)out;
	for (size_t i = 0; i < sizeof *out; i++)
		p[i] = 0;
}

bool acpi_parse(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_info *out)
{
	if (out == NULL)
		return false;
	clear(out);
	if (mem == NULL || mem->map == NULL)
		return fail(out, "RSDP", "no memory accessor", 0);
	const uint8_t *r = map(mem, rsdp_phys, RSDP_V1_SIZE);
	if (r == NULL)
		return fail(out, "RSDP", "not readable at", rsdp_phys);
	if (!sig_is(r, "RSD PTR ", 8))
		return fail(out, "RSDP", "wrong signature at", rsdp_phys);
	if (acpi_sum8(r, RSDP_V1_SIZE) != 0)
		return fail(out, "RSDP", "checksum is wrong: the first 20 bytes sum to",
		            acpi_sum8(r, RSDP_V1_SIZE));
	out->rsdp_revision = r[15];
	uint64_t root = acpi_le32(r + 16);
	bool xsdt = false;
	if (out->rsdp_revision >= 2) {
		r = map(mem, rsdp_phys, RSDP_V2_SIZE);
		if (r == NULL)
			return fail(out, "RSDP", "revision 2 structure not readable at", rsdp_phys);
		uint32_t length = acpi_le32(r + 20);
		if (length < RSDP_V2_SIZE || length > 4096)
			return fail(out, "RSDP", "length is not a revision 2 size", length);
		r = map(mem, rsdp_phys, length);
		if (r == NULL)
			return fail(out, "RSDP", "length runs into unreadable memory", length);
		if (acpi_sum8(r, length) != 0)
			return fail(out, "RSDP", "extended checksum is wrong: the bytes sum to",
			            acpi_sum8(r, length));
		/* Prefer the XSDT; fall back on the RSDT when firmware leaves the XSDT address 0. */
		if (acpi_le64(r + 24) != 0) {
			root = acpi_le64(r + 24);
			xsdt = true;
		}
	}
	if (root == 0)
		return fail(out, "RSDP", "no RSDT or XSDT address", 0);
	out->used_xsdt = xsdt;
	out->root_table = root;

	uint32_t len = 0;
	const char *name = xsdt ? "XSDT" : "RSDT";
	const uint8_t *t = map_table(mem, root, xsdt ? "XSDT" : "RSDT", name, &len, out);
	if (t == NULL)
		return false;
	out->root_length = len;
	uint32_t stride = xsdt ? 8u : 4u;
	uint32_t count = (len - SDT_HEADER_SIZE) / stride;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *p = t + SDT_HEADER_SIZE + i * stride;
		uint64_t phys = xsdt ? acpi_le64(p) : acpi_le32(p);
		if (phys == 0)
			continue;
		const uint8_t *h = map(mem, phys, SDT_HEADER_SIZE);
		if (h == NULL)
			return fail(out, name, "points at an unreadable table at", phys);
		if (sig_is(h, "APIC", 4))
			return parse_madt(mem, phys, out);
	}
	return true;
}

int acpi_find_cpu(const struct acpi_info *info, uint32_t apic_id)
{
	for (size_t i = 0; i < info->cpu_count; i++) {
		if (info->cpus[i].apic_id == apic_id)
			return (int)i;
	}
	return -1;
}
