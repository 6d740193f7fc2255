/* bli.h: the Boot Loader Interface (systemd's bootctl, systemd-bless-boot): variable values tagboot writes and reads, as pure functions. */
#ifndef TAGBOOT_BLI_H
#define TAGBOOT_BLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/*
 * Variables of vendor 4a67b082-0a4c-41cf-b6c7-440b29bb8c4f (FW_VAR_LOADER). Strings are
 * UTF-16LE with a terminating NUL; LoaderFeatures is a little-endian u64. Entry identifiers
 * are the entry's file name without boot counters: "ID.conf" for Type #1 entries, as
 * systemd-boot and bootctl name them.
 */

/* LoaderFeatures bits (systemd src/boot/efi/boot.c, as bootctl 252 reads them). tagboot sets
 * only those it implements (docs/config.md). */
#define BLI_FEATURE_CONFIG_TIMEOUT (1ull << 0)
#define BLI_FEATURE_CONFIG_TIMEOUT_ONE_SHOT (1ull << 1)
#define BLI_FEATURE_ENTRY_DEFAULT (1ull << 2)
#define BLI_FEATURE_ENTRY_ONESHOT (1ull << 3)
#define BLI_FEATURE_BOOT_COUNTING (1ull << 4)
#define BLI_FEATURE_XBOOTLDR (1ull << 5)
#define BLI_FEATURE_RANDOM_SEED (1ull << 6)
#define BLI_FEATURE_LOAD_DRIVER (1ull << 7)
#define BLI_FEATURE_SORT_KEY (1ull << 8)
#define BLI_FEATURE_SAVED_ENTRY (1ull << 9)
#define BLI_FEATURE_DEVICETREE (1ull << 10)
#define BLI_FEATURES_TAGBOOT                                                                  \
	(BLI_FEATURE_CONFIG_TIMEOUT | BLI_FEATURE_CONFIG_TIMEOUT_ONE_SHOT |                     \
	 BLI_FEATURE_ENTRY_DEFAULT | BLI_FEATURE_ENTRY_ONESHOT | BLI_FEATURE_BOOT_COUNTING |    \
	 BLI_FEATURE_XBOOTLDR | BLI_FEATURE_SORT_KEY | BLI_FEATURE_SAVED_ENTRY)

/* ASCII s as UTF-16LE with its NUL into out; returns the bytes, 0 when cap is too small. */
size_t bli_utf16(const char *s, uint8_t *out, size_t cap);

/* A UTF-16LE value (NUL-terminated or not) as ASCII into out; false for anything else
 * (non-ASCII, an odd size, too long, embedded NULs before the end). */
bool bli_ascii(const void *data, size_t size, char *out, size_t cap);

/* The identifier bootctl knows the entry by: "ID.conf" (Type #1) or "ID.efi" (Type #2). */
void bli_entry_name(const struct config_entry *e, char *out, size_t cap);

/* Does a LoaderEntryDefault / LoaderEntryOneShot / LoaderEntryLastBooted value (an
 * identifier or a glob of one, with or without ".conf"/".efi") name this entry? */
bool bli_entry_matches(const struct config_entry *e, const char *want);

/* LoaderEntries: every identifier, NUL-terminated UTF-16, in menu order. Returns the bytes
 * (0 when cap is too small). */
size_t bli_entry_list(const struct config_entry *entries, size_t n, uint8_t *out, size_t cap);

/* LoaderConfigTimeout / LoaderConfigTimeoutOneShot text into conf (the keys `timeout`
 * takes: seconds, menu-force, menu-hidden, menu-disabled); false leaves conf alone. For the
 * one-shot variable 0 means "show the menu and wait" (menu-force). */
bool bli_apply_timeout(const char *text, bool one_shot, struct config_loader *conf);

/* A GPT partition GUID (the 16 bytes of the HD device path node, mixed endian as EFI_GUID) as
 * "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (out: 37 bytes). */
void bli_guid_string(const uint8_t guid[16], char out[37]);

#endif /* TAGBOOT_BLI_H */
