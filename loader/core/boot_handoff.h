/* boot_handoff.h: the handoff blob from the final EFI map and what the loader collected. */
#ifndef TAGBOOT_BOOT_HANDOFF_H
#define TAGBOOT_BOOT_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "tagboot_handoff.h"
#include "tagging.h"

#define BOOT_HANDOFF_MAX_MODULES 8u

/* Loader identity for TB_REC_LOADER. */
#define TAGBOOT_VERSION_MAJOR 0
#define TAGBOOT_VERSION_MINOR 1
#define TAGBOOT_VERSION_PATCH 0
#define TAGBOOT_VERSION_STRING "0.1.0"

struct boot_handoff_module {
	uint64_t base;
	uint64_t size;
	const char *name;
	const char *string; /* the entry's text after the path; NULL or "" for none */
};

/* Longest kernel path the boot-device record carries (the config's path limit). */
#define BOOT_HANDOFF_PATH_MAX 256u

/* Everything the blob is made of. All pointers are read during boot_handoff_build only. */
struct boot_handoff_in {
	/* the final EFI map (raw descriptors) */
	const void *efi_map;
	size_t map_size;
	size_t desc_size;
	uint32_t desc_version;
	/* working memory, allocated before the final map */
	struct tb_mem_entry *entries;
	size_t entries_cap;
	void *scratch;
	size_t scratch_size;
	/* the blob */
	void *blob;
	size_t blob_cap;
	uint32_t flags;                        /* TB_FLAG_* */
	/* tags */
	const struct tagging_input *tagging;
	/* records */
	const struct tb_rec_platform *platform; /* kind, flags, firmware vendor/revision filled */
	uint64_t rsdp_address;                  /* 0: no ACPI record body */
	const struct acpi_info *acpi;           /* NULL: no MP record */
	uint64_t parked_mailbox;                /* != 0: the loader parks the APs on this
	                                         * version 0 mailbox (ap-park mailbox) */
	uint32_t bsp_apic_id;
	const struct tb_rec_framebuffer *framebuffer; /* NULL: none */
	const char *cmdline;                    /* NULL or "": empty command line */
	const struct boot_handoff_module *modules;
	size_t module_count;
	uint64_t system_table;
	uint64_t tsc_loader_entry;
	uint64_t tsc_before_exit;
	/* new in 1.1 (each record is left out when its input is absent) */
	const struct tb_rec_kernel *kernel;      /* NULL: no kernel record (Linux) */
	uint64_t direct_map_offset, direct_map_size; /* size 0: no direct map */
	bool full_efi_map;                       /* write TB_REC_EFI_MAP from efi_map */
	uint64_t smbios_entry32, smbios_entry64; /* both 0: no SMBIOS record */
	const struct tb_rec_boot_device *boot_device; /* fixed fields; path below */
	const char *boot_path;
	const struct tb_rec_tsc *tsc;            /* NULL: no TSC record */
	const struct tb_rec_time *time;          /* NULL: no time record */
	const struct tb_rec_request *request;    /* NULL: no request record */
	bool x2apic_mode;                        /* TB_MP_F_X2APIC_MODE */
};

struct boot_handoff_out {
	size_t blob_size;
	size_t map_entries;
	struct tb_rec_timestamps *timestamps; /* inside the blob, for boot_handoff_stamp_jump */
	struct tagging_report report;
	const char *failed_step;              /* "efimap_build", "tagging_apply", ... on failure */
};

/* Blob bytes needed in the worst case for a map of at most max_descs descriptors. */
size_t boot_handoff_blob_size(size_t max_descs, size_t desc_size, size_t cpu_count,
                              size_t cmdline_len, const struct boot_handoff_module *modules,
                              size_t module_count);
/* Map entries needed for max_descs descriptors: every descriptor may be split by tags. */
size_t boot_handoff_entries_cap(size_t max_descs);

/* Build the blob. Pure: no firmware calls (it runs after ExitBootServices). */
enum tb_status boot_handoff_build(const struct boot_handoff_in *in, struct boot_handoff_out *out);

/* Write the jump timestamp and reseal the CRC. */
void boot_handoff_stamp_jump(void *blob, struct tb_rec_timestamps *ts, uint64_t tsc);

#endif /* TAGBOOT_BOOT_HANDOFF_H */
