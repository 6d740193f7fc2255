/* acpi_publish.c: tagboot's own ACPI root (RSDP, XSDT, RSDT) and a MADT that carries an MP wakeup structure. */
#include "acpi_publish.h"

#include "acpi_bytes.h"

/* ACPI 6.5 5.2.5.3 (RSDP), 5.2.6 (header: length @4, revision @8, checksum @9), 5.2.7/5.2.8
 * (RSDT/XSDT entries after the 36-byte header), ACPI 6.4 5.2.12.19 (MP wakeup structure). */
#define PUB_HDR 36u
#define PUB_ALIGN 16u
#define PUB_MADT_WAKEUP 0x10u
#define PUB_4G 0x100000000ull

static uint64_t pub_round(uint64_t n)
{
	return (n + PUB_ALIGN - 1) & ~(uint64_t)(PUB_ALIGN - 1);
}

static bool pub_fail(char *err, const char *text)
{
	size_t i = 0;
	for (; text[i] != '\0' && i + 1 < ACPI_ERROR_MAX; i++)
		err[i] = text[i];
	err[i] = '\0';
	return false;
}

static void pub_copy(uint8_t *dst, const uint8_t *src, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		dst[i] = src[i];
}

static uint32_t pub_root_entries(const struct acpi_info *info)
{
	return (info->root_length - PUB_HDR) / (info->used_xsdt ? 8u : 4u);
}

uint64_t acpi_publish_size(const struct acpi_info *info)
{
	uint64_t n = pub_root_entries(info);
	return pub_round(ACPI_PUBLISH_RSDP_LEN) + pub_round(PUB_HDR + 8 * n) +
	       pub_round(PUB_HDR + 4 * n) + pub_round((uint64_t)info->madt_length + ACPI_PUBLISH_WAKEUP_LEN);
}

/* A root table header copied from the firmware's, with our signature, length and revision. */
static void pub_root_header(uint8_t *t, const uint8_t *fw_root, const char *sig, uint32_t len,
                            uint8_t revision)
{
	pub_copy(t, fw_root, PUB_HDR);
	for (int i = 0; i < 4; i++)
		t[i] = (uint8_t)sig[i];
	acpi_put_le(t + 4, len, 4);
	t[8] = revision;
}

static void pub_seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)(0x100u - acpi_sum8(t, len));
}

bool acpi_publish_wakeup(const struct acpi_mem *mem, uint64_t rsdp_phys,
                         const struct acpi_info *info, uint64_t mailbox, void *buf,
                         uint64_t buf_phys, uint64_t buf_size, uint64_t *rsdp_out, char *err)
{
	*rsdp_out = 0;
	if (!info->madt_found || info->root_length < PUB_HDR)
		return pub_fail(err, "MADT: none found, nowhere to publish the MP wakeup mailbox");
	if (info->mp_wakeup_found)
		return pub_fail(err, "MADT: already has an MP wakeup structure (the firmware parks the APs)");
	if (mailbox == 0 || (mailbox & 0xfffu) != 0)
		return pub_fail(err, "MP wakeup: the mailbox is not a 4 KiB aligned page");
	if ((buf_phys & (PUB_ALIGN - 1)) != 0 || buf_size < acpi_publish_size(info))
		return pub_fail(err, "ACPI: the buffer for the published tables is too small or unaligned");
	const uint8_t *fw_rsdp = mem->map(mem->ctx, rsdp_phys, 20);
	const uint8_t *fw_root = mem->map(mem->ctx, info->root_table, info->root_length);
	const uint8_t *fw_madt = mem->map(mem->ctx, info->madt_address, info->madt_length);
	if (!fw_rsdp || !fw_root || !fw_madt)
		return pub_fail(err, "ACPI: the firmware tables are no longer readable");

	uint8_t *base = buf;
	uint64_t rsdp_off = 0;
	uint64_t xsdt_off = pub_round(ACPI_PUBLISH_RSDP_LEN);
	uint32_t n = pub_root_entries(info);
	uint32_t xsdt_len = PUB_HDR + 8u * n, rsdt_len = PUB_HDR + 4u * n;
	uint64_t rsdt_off = xsdt_off + pub_round(xsdt_len);
	uint64_t madt_off = rsdt_off + pub_round(rsdt_len);
	uint32_t madt_len = info->madt_length + ACPI_PUBLISH_WAKEUP_LEN;
	uint64_t madt_phys = buf_phys + madt_off;

	/* MADT: the firmware's entries unchanged, then the wakeup structure. */
	uint8_t *madt = base + madt_off;
	pub_copy(madt, fw_madt, info->madt_length);
	uint8_t *w = madt + info->madt_length;
	w[0] = PUB_MADT_WAKEUP;
	w[1] = ACPI_PUBLISH_WAKEUP_LEN;
	acpi_put_le(w + 2, 0, 2); /* mailbox version 0 */
	acpi_put_le(w + 4, 0, 4); /* reserved */
	acpi_put_le(w + 8, mailbox, 8);
	acpi_put_le(madt + 4, madt_len, 4);
	pub_seal(madt, madt_len);

	/* XSDT (and RSDT when every entry fits 32 bits): the firmware's list, MADT replaced. */
	uint8_t *xsdt = base + xsdt_off;
	uint8_t *rsdt = base + rsdt_off;
	bool rsdt_ok = buf_phys + buf_size <= PUB_4G;
	pub_root_header(xsdt, fw_root, "XSDT", xsdt_len, 1);
	pub_root_header(rsdt, fw_root, "RSDT", rsdt_len, 1);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = fw_root + PUB_HDR + i * (info->used_xsdt ? 8u : 4u);
		uint64_t phys = info->used_xsdt ? acpi_le64(p) : acpi_le32(p);
		if (phys == info->madt_address)
			phys = madt_phys;
		if (phys >= PUB_4G)
			rsdt_ok = false;
		acpi_put_le(xsdt + PUB_HDR + 8u * i, phys, 8);
		acpi_put_le(rsdt + PUB_HDR + 4u * i, phys, 4);
	}
	pub_seal(xsdt, xsdt_len);
	pub_seal(rsdt, rsdt_len);

	/* RSDP revision 2: OEM ID from the firmware's, both roots. */
	uint8_t *rsdp = base + rsdp_off;
	for (uint64_t i = 0; i < ACPI_PUBLISH_RSDP_LEN; i++)
		rsdp[i] = 0;
	pub_copy(rsdp, (const uint8_t *)"RSD PTR ", 8);
	pub_copy(rsdp + 9, fw_rsdp + 9, 6);
	rsdp[15] = 2;
	acpi_put_le(rsdp + 16, rsdt_ok ? buf_phys + rsdt_off : 0, 4);
	acpi_put_le(rsdp + 20, ACPI_PUBLISH_RSDP_LEN, 4);
	acpi_put_le(rsdp + 24, buf_phys + xsdt_off, 8);
	rsdp[8] = (uint8_t)(0x100u - acpi_sum8(rsdp, 20));
	rsdp[32] = (uint8_t)(0x100u - acpi_sum8(rsdp, ACPI_PUBLISH_RSDP_LEN));
	*rsdp_out = buf_phys + rsdp_off;
	return true;
}
