/* The 1.0 reader kept for the compatibility test: handoff/src/names.c at 6369646, unchanged. */
/* names.c: short lowercase names of memory types, owners, reasons, reclaim rules, sources
 * and platforms, for logs and tools (tb_*_name). */
#include "tagboot_handoff.h"

/* Tables are indexed by the enum values of tagboot_handoff.h; gaps stay NULL. */
static const char *const mem_type_names[TB_MEM_TYPE_MAX + 1] = {
	[TB_MEM_USABLE] = "usable",
	[TB_MEM_RESERVED] = "reserved",
	[TB_MEM_ACPI_RECLAIMABLE] = "acpi-reclaimable",
	[TB_MEM_ACPI_NVS] = "acpi-nvs",
	[TB_MEM_MMIO] = "mmio",
	[TB_MEM_BAD] = "bad",
	[TB_MEM_PERSISTENT] = "persistent",
	[TB_MEM_UNACCEPTED] = "unaccepted",
	[TB_MEM_FIRMWARE_RUNTIME] = "firmware-runtime",
	[TB_MEM_LOADER_RECLAIMABLE] = "loader-reclaimable",
	[TB_MEM_KERNEL] = "kernel",
	[TB_MEM_MODULE] = "module",
	[TB_MEM_FRAMEBUFFER] = "framebuffer",
	[TB_MEM_AP_HELD] = "ap-held",
};

static const char *const owner_names[] = {
	[TB_OWNER_NONE] = "none",
	[TB_OWNER_FIRMWARE] = "firmware",
	[TB_OWNER_LOADER] = "loader",
};

static const char *const reason_names[] = {
	[TB_REASON_NONE] = "none",
	[TB_REASON_PAGE_TABLES] = "page-tables",
	[TB_REASON_MAILBOX] = "mailbox",
	[TB_REASON_AP_LOOP_CODE] = "ap-loop-code",
	[TB_REASON_AP_STACK] = "ap-stack",
	[TB_REASON_STACK] = "stack",
	[TB_REASON_WORK_AREA] = "work-area",
	[TB_REASON_TD_HOB] = "td-hob",
	[TB_REASON_INITIAL_MAILBOX] = "initial-mailbox",
	[TB_REASON_HANDOFF] = "handoff",
	[TB_REASON_GDT] = "gdt",
	[TB_REASON_KERNEL_IMAGE] = "kernel-image",
	[TB_REASON_MODULE] = "module",
	[TB_REASON_FRAMEBUFFER] = "framebuffer",
	[TB_REASON_CONFIG] = "config",
	[TB_REASON_SNP_SECRETS] = "snp-secrets",
	[TB_REASON_SNP_CPUID] = "snp-cpuid",
	[TB_REASON_XEN_SHARED] = "xen-shared",
	[TB_REASON_HANDOFF_DATA] = "handoff-data",
};

static const char *const reclaim_names[] = {
	[TB_RECLAIM_NEVER] = "never",
	[TB_RECLAIM_AFTER_AP_WAKEUP] = "after-ap-wakeup",
	[TB_RECLAIM_AFTER_AP_WAKEUP_NO_RESET] = "after-ap-wakeup-no-reset",
	[TB_RECLAIM_AFTER_HANDOFF] = "after-handoff",
};

static const char *const source_names[] = {
	[TB_SOURCE_EFI_MAP] = "efi-map",
	[TB_SOURCE_ACPI] = "acpi",
	[TB_SOURCE_TDVF_METADATA] = "tdvf-metadata",
	[TB_SOURCE_QUIRK] = "quirk",
	[TB_SOURCE_CONFIG] = "config",
	[TB_SOURCE_LOADER] = "loader",
};

static const char *const platform_names[] = {
	[TB_PLATFORM_NONE] = "none",
	[TB_PLATFORM_TDX] = "tdx",
	[TB_PLATFORM_SEV_SNP] = "sev-snp",
	[TB_PLATFORM_XEN_HVM] = "xen-hvm",
	[TB_PLATFORM_KVM] = "kvm",
	[TB_PLATFORM_OTHER_HV] = "other-hypervisor",
};

/* One lookup for every table: out of range or a gap gives "unknown", never NULL. */
static const char *names_lookup(const char *const *table, size_t count, uint32_t value)
{
	if (value >= count || table[value] == NULL)
		return "unknown";
	return table[value];
}

#define NAMES_COUNT(table) (sizeof(table) / sizeof((table)[0]))

const char *tb_mem_type_name(uint32_t type)
{
	return names_lookup(mem_type_names, NAMES_COUNT(mem_type_names), type);
}

const char *tb_owner_name(uint32_t owner)
{
	return names_lookup(owner_names, NAMES_COUNT(owner_names), owner);
}

const char *tb_reason_name(uint32_t reason)
{
	return names_lookup(reason_names, NAMES_COUNT(reason_names), reason);
}

const char *tb_reclaim_name(uint32_t reclaim)
{
	return names_lookup(reclaim_names, NAMES_COUNT(reclaim_names), reclaim);
}

const char *tb_source_name(uint32_t source)
{
	return names_lookup(source_names, NAMES_COUNT(source_names), source);
}

const char *tb_platform_name(uint32_t kind)
{
	return names_lookup(platform_names, NAMES_COUNT(platform_names), kind);
}
