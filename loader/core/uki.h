/* uki.h: Type #2 entries: a unified kernel image's .osrel, .cmdline and .uname sections as a boot entry, as systemd-boot lists the .efi files of /EFI/Linux. */
#ifndef TAGBOOT_UKI_H
#define TAGBOOT_UKI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * A UKI is a PE image (the systemd-stub) with the kernel, initrd and text sections. From the
 * file's first bytes (the PE headers and the small text sections; UKI_HEAD_MAX is enough for
 * every UKI systemd builds, whose text sections come before .linux), uki_entry fills an `efi`
 * entry: id = file name without ".efi", title = PRETTY_NAME (else NAME, else ID, else the id),
 * sort-key = IMAGE_ID or ID, version = IMAGE_VERSION, else VERSION, else VERSION_ID, else
 * BUILD_ID (with .uname appended when there is one), options empty (the stub uses its own
 * .cmdline), path = the file. false (with *why) when the file is not a UKI: no PE header, no
 * .osrel or no .linux section.
 */
#define UKI_HEAD_MAX (64u * 1024u)

bool uki_entry(const char *path, const void *head, size_t size, size_t file_size,
               struct config_entry *out, const char **why);

/* One value of an os-release text (unquoted, with the shell escapes os-release allows) into
 * out; false when the key is not there. */
bool uki_os_release(const char *text, size_t len, const char *key, char *out, size_t cap);

#endif /* TAGBOOT_UKI_H */
