/* bli_vars.h: the Boot Loader Interface variables through the fw seam: what tagboot tells the OS, what the OS asked for, boot counting's rename. */
#ifndef TAGBOOT_BLI_VARS_H
#define TAGBOOT_BLI_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bli.h"
#include "config.h"
#include "fw.h"

#define BLI_NAME_MAX (CONFIG_ID_MAX + 8u)

/* What the EFI glue knows about the loader and the firmware. */
struct bli_loader_info {
	const char *firmware_vendor;   /* ASCII */
	uint32_t firmware_revision;
	uint32_t uefi_revision;        /* EFI_SYSTEM_TABLE.Hdr.Revision */
	const char *image_path;        /* "/EFI/BOOT/BOOTX64.EFI", NULL if unknown */
	const char *part_uuid;         /* the ESP's GPT partition GUID, NULL if not GPT */
};

/* What the OS asked for (read once at start; the one-shot variables are deleted then). */
struct bli_requests {
	bool has_oneshot, has_default, has_last_booted;
	char oneshot[BLI_NAME_MAX];      /* LoaderEntryOneShot */
	char efi_default[BLI_NAME_MAX];  /* LoaderEntryDefault */
	char last_booted[BLI_NAME_MAX];  /* LoaderEntryLastBooted */
};

/* LoaderInfo, LoaderFirmwareInfo, LoaderFirmwareType, LoaderFeatures, LoaderImageIdentifier,
 * LoaderDevicePartUUID (volatile, as systemd-boot sets them). */
void bli_announce(struct fw *fw, const struct bli_loader_info *info);

/* Read LoaderEntryOneShot (deleted), LoaderEntryDefault, LoaderEntryLastBooted, and apply
 * LoaderConfigTimeout and LoaderConfigTimeoutOneShot (deleted) to conf. */
void bli_read_requests(struct fw *fw, struct bli_requests *req, struct config_loader *conf);

/* How the entry was chosen, for what bli_booting remembers. */
struct bli_choice {
	bool saved;              /* `@saved` is in use (LoaderEntryDefault, or loader.conf without it) */
	bool oneshot;            /* LoaderEntryOneShot chose it */
	const char *last_booted; /* LoaderEntryLastBooted as it was, or NULL (points into req) */
};

/*
 * The entry to boot, in systemd-boot's order of precedence: the one-shot entry, then
 * LoaderEntryDefault (`@saved` there means LoaderEntryLastBooted), then loader.conf's
 * `default` (`@saved` the same, unless LoaderEntryDefault is set), then the first entry (bad
 * entries sort last). A name that matches no entry falls through to the next rule.
 */
size_t bli_select(const struct config_loader *conf, const struct bli_requests *req,
                  const struct config_entry *entries, size_t n, struct bli_choice *choice);

/* LoaderEntries (volatile). */
void bli_publish_entries(struct fw *fw, const struct config_entry *entries, size_t n);

/* Right before an entry starts: LoaderEntrySelected; LoaderEntryLastBooted set when `@saved`
 * is in use (and the entry changed), deleted when not, untouched by a one-shot boot; for a
 * boot-counted entry the rename to its next name plus
 * LoaderBootCountPath (e->file and e->count follow the rename). Returns false only
 * when a rename was needed and failed (the caller warns; the boot goes on). */
bool bli_booting(struct fw *fw, struct config_entry *e, const struct bli_choice *choice);

#endif /* TAGBOOT_BLI_VARS_H */
