/* measure.c: measured boot of native entries through EFI_TCG2_PROTOCOL and EFI_CC_MEASUREMENT_PROTOCOL. */
#include "measure.h"

#include "boot_log.h"
#include "sha256.h"
#include "util.h"

/* TCG EFI Protocol Specification (TCG2) and UEFI 2.10 section 38.2 (CC measurement); gnu-efi
 * 3.0.15 declares neither. Only the members tagboot calls are typed. */
static EFI_GUID measure_tcg2_guid = {
	0x607f766c, 0x7455, 0x42be, {0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f}};
static EFI_GUID measure_cc_guid = {
	0x96751a3d, 0x72f4, 0x41a6, {0xa7, 0x94, 0xed, 0x5d, 0x0e, 0x67, 0xae, 0x6b}};

/* EFI_TCG2_EVENT and EFI_CC_EVENT share this layout: Size, then a 14-byte header (HeaderSize,
 * HeaderVersion, PCRIndex or MrIndex, EventType), then the event data. */
struct measure_event_header {
	UINT32 header_size;
	UINT16 header_version;
	UINT32 index;
	UINT32 event_type;
} __attribute__((packed));

#define MEASURE_EVENT_DATA_MAX 1100u
struct measure_event {
	UINT32 size;
	struct measure_event_header header;
	UINT8 data[MEASURE_EVENT_DATA_MAX];
} __attribute__((packed));

struct measure_tcg2 {
	void *get_capability;
	void *get_event_log;
	EFI_STATUS(EFIAPI *hash_log_extend_event)(struct measure_tcg2 *self, UINT64 flags,
	                                          EFI_PHYSICAL_ADDRESS data, UINT64 len,
	                                          struct measure_event *event);
	EFI_STATUS(EFIAPI *submit_command)(struct measure_tcg2 *self, UINT32 in_size, UINT8 *in,
	                                   UINT32 out_size, UINT8 *out);
};

struct measure_cc {
	void *get_capability;
	void *get_event_log;
	EFI_STATUS(EFIAPI *hash_log_extend_event)(struct measure_cc *self, UINT64 flags,
	                                          EFI_PHYSICAL_ADDRESS data, UINT64 len,
	                                          struct measure_event *event);
	EFI_STATUS(EFIAPI *map_pcr_to_mr_index)(struct measure_cc *self, UINT32 pcr, UINT32 *mr);
};

static struct measure_tcg2 *measure_tcg2;
static struct measure_cc *measure_cc;
static struct measure_event measure_ev; /* large: static */

/* "warning: measured boot: WHAT failed: LABEL 0xVALUE" (an EFI status, a TPM response code). */
static void measure_warn(struct fw *fw, const char *what, const char *label, uint64_t value)
{
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "warning: measured boot: ");
	util_sb_str(&line.sb, what);
	util_sb_str(&line.sb, " failed: ");
	util_sb_str(&line.sb, label);
	util_sb_char(&line.sb, ' ');
	util_sb_hex(&line.sb, value);
	boot_log_end(fw, &line);
}

static void measure_log_status(struct fw *fw, const char *what, EFI_STATUS s)
{
	measure_warn(fw, what, "EFI status", (uint64_t)s);
}

/* Extend pcr with SHA-256(data) (every bank the firmware keeps) and log the event with
 * event_text as its data. Logs the digest the host can recompute. */
static void measure_extend(struct fw *fw, UINT32 pcr, const char *kind, const void *data,
                           uint64_t len, const char *event_text)
{
	size_t text_len = util_strlen(event_text);
	if (text_len > MEASURE_EVENT_DATA_MAX)
		text_len = MEASURE_EVENT_DATA_MAX;
	util_memset(&measure_ev, 0, sizeof(measure_ev));
	measure_ev.size = (UINT32)(sizeof(UINT32) + sizeof(struct measure_event_header) + text_len);
	measure_ev.header.header_size = sizeof(struct measure_event_header);
	measure_ev.header.header_version = 1;
	measure_ev.header.event_type = MEASURE_EV_IPL;
	util_memcpy(measure_ev.data, event_text, text_len);
	EFI_PHYSICAL_ADDRESS addr = (EFI_PHYSICAL_ADDRESS)(uintptr_t)data;
	if (measure_tcg2) {
		measure_ev.header.index = pcr;
		EFI_STATUS s = measure_tcg2->hash_log_extend_event(measure_tcg2, 0, addr, len,
		                                                   &measure_ev);
		if (EFI_ERROR(s))
			measure_log_status(fw, "TCG2 HashLogExtendEvent", s);
	}
	if (measure_cc) {
		UINT32 mr = 0;
		EFI_STATUS s = measure_cc->map_pcr_to_mr_index(measure_cc, pcr, &mr);
		if (!EFI_ERROR(s)) {
			measure_ev.header.index = mr;
			s = measure_cc->hash_log_extend_event(measure_cc, 0, addr, len, &measure_ev);
		}
		if (EFI_ERROR(s))
			measure_log_status(fw, "CC HashLogExtendEvent", s);
	}
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE + 1];
	sha256_digest(data, (size_t)len, digest);
	sha256_format_hex(digest, hex);
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "measured: pcr ");
	util_sb_u64(&line.sb, pcr);
	util_sb_str(&line.sb, " EV_IPL ");
	util_sb_str(&line.sb, kind);
	util_sb_str(&line.sb, " sha256 ");
	util_sb_str(&line.sb, hex);
	util_sb_str(&line.sb, " event '");
	util_sb_strn(&line.sb, event_text, text_len);
	util_sb_char(&line.sb, '\'');
	boot_log_end(fw, &line);
}

static void measure_file(void *ctx, bool is_kernel, const char *path, const void *data,
                         uint64_t size)
{
	char text[CONFIG_PATH_MAX + 32];
	struct util_sb sb;
	util_sb_init(&sb, text, sizeof(text));
	util_sb_str(&sb, is_kernel ? "tagboot kernel " : "tagboot module ");
	util_sb_str(&sb, path);
	measure_extend(ctx, MEASURE_PCR_FILES, is_kernel ? "kernel" : "module", data, size, text);
}

void measure_init(struct fw *fw, struct boot_facts *facts)
{
	void *p = NULL;
	if (!EFI_ERROR(BS->LocateProtocol(&measure_tcg2_guid, NULL, &p)))
		measure_tcg2 = p;
	p = NULL;
	if (!EFI_ERROR(BS->LocateProtocol(&measure_cc_guid, NULL, &p)))
		measure_cc = p;
	if (!measure_tcg2 && !measure_cc)
		return;
	facts->measure_file = measure_file;
	facts->measure_ctx = fw;
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "measured boot:");
	if (measure_tcg2)
		util_sb_str(&line.sb, " TCG2 (TPM 2.0)");
	if (measure_cc)
		util_sb_str(&line.sb, " CC measurement (RTMRs)");
	boot_log_end(fw, &line);
}

static void measure_put_be(UINT8 *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (UINT8)(v >> (8 * (bytes - 1 - i)));
}

static uint64_t measure_get_be(const UINT8 *p, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v = (v << 8) | p[i];
	return v;
}

/* TPM2_PCR_Read of PCR 9 and 12 in the SHA-256 bank (TPM 2.0 Part 3, 22.4), logged. */
static void measure_log_pcrs(struct fw *fw)
{
	static const UINT32 pcrs[2] = {MEASURE_PCR_FILES, MEASURE_PCR_PARAMS};
	UINT8 cmd[20], rsp[256];
	measure_put_be(cmd, 0x8001, 2);     /* TPM_ST_NO_SESSIONS */
	measure_put_be(cmd + 2, 20, 4);     /* commandSize */
	measure_put_be(cmd + 6, 0x17e, 4);  /* TPM_CC_PCR_Read */
	measure_put_be(cmd + 10, 1, 4);     /* TPML_PCR_SELECTION.count */
	measure_put_be(cmd + 14, 0x000b, 2); /* TPM_ALG_SHA256 */
	cmd[16] = 3;                         /* sizeofSelect */
	cmd[17] = 0;
	cmd[18] = (UINT8)((1u << (MEASURE_PCR_FILES - 8)) | (1u << (MEASURE_PCR_PARAMS - 8)));
	cmd[19] = 0;
	util_memset(rsp, 0, sizeof(rsp));
	EFI_STATUS s = measure_tcg2->submit_command(measure_tcg2, sizeof(cmd), cmd, sizeof(rsp), rsp);
	/* Response: header (10), pcrUpdateCounter (4), selection (4 + 6), digest count (4), then
	 * TPM2B_DIGESTs in PCR order. */
	size_t at = 10 + 4 + 10;
	if (EFI_ERROR(s)) {
		measure_log_status(fw, "TCG2 SubmitCommand(TPM2_PCR_Read)", s);
		return;
	}
	if (measure_get_be(rsp + 6, 4) != 0) {
		measure_warn(fw, "TPM2_PCR_Read", "TPM response code", measure_get_be(rsp + 6, 4));
		return;
	}
	if (measure_get_be(rsp + at, 4) != 2) {
		measure_warn(fw, "TPM2_PCR_Read", "digest count (expected 2)",
		             measure_get_be(rsp + at, 4));
		return;
	}
	at += 4;
	for (unsigned i = 0; i < 2; i++) {
		uint64_t n = measure_get_be(rsp + at, 2);
		if (n != SHA256_DIGEST_SIZE || at + 2 + n > sizeof(rsp)) {
			measure_warn(fw, "TPM2_PCR_Read", "digest size (expected 0x20)", n);
			return;
		}
		char hex[SHA256_HEX_SIZE + 1];
		sha256_format_hex(rsp + at + 2, hex);
		struct boot_log_line line;
		boot_log_begin(&line, false);
		util_sb_str(&line.sb, "tpm: pcr ");
		util_sb_u64(&line.sb, pcrs[i]);
		util_sb_str(&line.sb, " sha256 ");
		util_sb_str(&line.sb, hex);
		boot_log_end(fw, &line);
		at += 2 + n;
	}
}

void measure_native_final(struct fw *fw, const struct boot_native *bn)
{
	if (!measure_tcg2 && !measure_cc)
		return;
	const char *cmdline = bn->entry->options;
	measure_extend(fw, MEASURE_PCR_PARAMS, "cmdline", cmdline, util_strlen(cmdline), cmdline);
	/* The handoff itself is written after ExitBootServices, when the protocols are gone; what
	 * is measured is everything the loader decided before it (docs/security.md). */
	static char plan[512];
	struct util_sb sb;
	util_sb_init(&sb, plan, sizeof(plan));
	util_sb_str(&sb, "tagboot handoff v1 entry=");
	util_sb_str(&sb, bn->entry->id);
	util_sb_str(&sb, " kernel-entry=");
	util_sb_hex(&sb, bn->entry_point);
	util_sb_str(&sb, " handoff=");
	util_sb_hex(&sb, bn->handoff_addr);
	util_sb_str(&sb, "+");
	util_sb_hex(&sb, bn->handoff_cap);
	util_sb_str(&sb, " cr3=");
	util_sb_hex(&sb, bn->cr3);
	util_sb_str(&sb, " stack-top=");
	util_sb_hex(&sb, bn->stack_top);
	util_sb_str(&sb, " gdtr=");
	util_sb_hex(&sb, bn->gdtr_addr);
	util_sb_str(&sb, " modules=");
	util_sb_u64(&sb, bn->module_count);
	util_sb_str(&sb, " secure-boot=");
	util_sb_str(&sb, bn->facts->secure_boot ? "1" : "0");
	measure_extend(fw, MEASURE_PCR_PARAMS, "handoff", plan, util_strlen(plan), plan);
	if (measure_tcg2)
		measure_log_pcrs(fw);
}

void measure_shield(struct fw *fw, const struct shield_plan *plan, const struct tagging_input *in)
{
	if ((!measure_tcg2 && !measure_cc) || !plan)
		return;
	char text[1024]; /* on the stack: a static would be 1 KiB of zeros in the image */
	struct util_sb sb;
	util_sb_init(&sb, text, sizeof(text));
	util_sb_str(&sb, "tagboot shield");
	unsigned shielded = 0;
	size_t n = plan->piece_count < SHIELD_MAX_PIECES ? plan->piece_count : SHIELD_MAX_PIECES;
	for (size_t k = 0; k < n; k++) {
		const struct shield_piece *p = &plan->pieces[k];
		if (!p->done)
			continue;
		util_sb_str(&sb, shielded++ ? "; " : ": ");
		util_sb_hex(&sb, p->base);
		util_sb_char(&sb, '-');
		util_sb_hex(&sb, p->base + p->length - 1);
		util_sb_char(&sb, ' ');
		shield_describe(&sb, plan, p->hazard, in);
		util_sb_str(&sb, " type ");
		util_sb_u64(&sb, p->efi_type);
	}
	if (!shielded)
		return;
	measure_extend(fw, MEASURE_PCR_PARAMS, "shield", text, util_strlen(text), text);
	if (measure_tcg2)
		measure_log_pcrs(fw);
}
