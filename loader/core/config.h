/* config.h: Boot Loader Specification config (loader.conf and Type #1 entries) plus tagboot keys. */
#ifndef TAGBOOT_CONFIG_H
#define TAGBOOT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootcount.h"

#define CONFIG_LINE_MAX 4095u    /* longest accepted line, in bytes, without the line ending */
#define CONFIG_ID_MAX 128u       /* entry id (file name without .conf) and default pattern */
#define CONFIG_TITLE_MAX 128u
#define CONFIG_SHORT_MAX 64u     /* version, sort-key, machine-id, console-mode */
#define CONFIG_PATH_MAX 256u
#define CONFIG_OPTIONS_MAX 4096u
#define CONFIG_REASON_MAX 32u
#define CONFIG_INITRD_MAX 8u
#define CONFIG_MODULE_MAX 8u
#define CONFIG_MODULE_STRING_MAX 256u /* the text after a module's path, NUL included */
#define CONFIG_RESERVE_MAX 16u
#define CONFIG_MESSAGE_MAX 256u
/* Messages shown per file; the rest are counted into one summary line (a 10 MB file of bad
 * lines must not take hours to report). */
#define CONFIG_DIAG_SHOWN_MAX 8u
/* Longest `timeout`; a larger value is clamped to it with a warning (the firmware watchdog is
 * off while the menu waits, so nothing else bounds the wait). */
#define CONFIG_TIMEOUT_MAX 3600u

/* Diagnostic levels passed to emit. */
#define CONFIG_LEVEL_WARNING 1
#define CONFIG_LEVEL_ERROR 2

/* Diagnostics: the caller sets emit/ctx (both may be NULL) and zeroes the rest with
 * config_diag_init. Every message reads "FILE:LINE: key 'X': reason" (or "FILE: reason"); bytes
 * that are not printable ASCII appear as \xNN. At most CONFIG_DIAG_SHOWN_MAX messages per file
 * reach emit, then one "FILE: N more errors and M more warnings not shown" line. */
struct config_diag {
	unsigned errors;
	unsigned warnings;
	unsigned shown;          /* messages passed to emit for the current file */
	unsigned hidden_errors;  /* past CONFIG_DIAG_SHOWN_MAX, counted only */
	unsigned hidden_warnings;
	char first_error[CONFIG_MESSAGE_MAX]; /* "" until the first error */
	void (*emit)(void *ctx, int level, const char *msg);
	void *ctx;
};

/* /loader/loader.conf */
struct config_loader {
	bool has_default;
	char default_pattern[CONFIG_ID_MAX]; /* entry id or glob (* and ?) */
	bool has_timeout;
	uint64_t timeout;                    /* seconds; 0 = no menu */
	bool menu_force;                     /* `timeout menu-force`: always show the menu */
	bool menu_hidden;                    /* `timeout menu-hidden`: no menu unless a key is down */
	bool menu_disabled;                  /* `timeout menu-disabled`: never a menu */
	bool default_saved;                  /* `default @saved`: the entry booted last time */
	bool has_console_mode;
	char console_mode[CONFIG_SHORT_MAX]; /* stored as written ("auto", "max", "keep", "0") */
	bool has_editor;
	bool editor;                         /* default yes, as in systemd-boot */
	bool auto_entries;                   /* `auto-entries`: the EFI shell entry (default yes) */
	bool auto_firmware;                  /* `auto-firmware`: reboot into setup (default yes) */
	bool has_secure_boot_unpinned;
	bool secure_boot_unpinned;           /* `secure-boot-unpinned allow`: see docs/security.md */
};

enum config_kind {
	CONFIG_KIND_NONE = 0,
	CONFIG_KIND_LINUX = 1,   /* `linux`: an EFI-stub Linux kernel */
	CONFIG_KIND_EFI = 2,     /* `efi`: any EFI program */
	CONFIG_KIND_HANDOFF = 3, /* `handoff-kernel`: a native ELF kernel receiving the handoff */
	CONFIG_KIND_FIRMWARE_SETUP = 4, /* auto-reboot-to-firmware-setup: OsIndications + reset */
};

enum config_ap_park {
	CONFIG_AP_PARK_NONE = 0,
	CONFIG_AP_PARK_MAILBOX = 1,
	/* Parked as with MAILBOX, but the parking memory is reported usable: the firmware bug of
	 * TDVF before edk2-stable202411, emulated on purpose (docs/linux.md). */
	CONFIG_AP_PARK_MAILBOX_UNREPORTED = 2,
};

/* How a `linux` entry boots (`linux-protocol`). */
enum config_linux_protocol {
	CONFIG_LINUX_EFI_STUB = 0, /* LoadImage + StartImage: the kernel's EFI stub exits boot services */
	CONFIG_LINUX_NATIVE = 1,   /* tagboot loads the bzImage, fills boot_params, exits, jumps */
};

struct config_module {
	char path[CONFIG_PATH_MAX];
	char string[CONFIG_MODULE_STRING_MAX]; /* `module PATH STRING`: the rest of the line, or "" */
	bool has_sha256;    /* a `module-sha256` line followed this module */
	uint8_t sha256[32];
};

struct config_reserve {
	uint64_t base;
	uint64_t size;
	char reason[CONFIG_REASON_MAX]; /* one word */
};

/* One /loader/entries/ID.conf. */
struct config_entry {
	char id[CONFIG_ID_MAX];                 /* file name without directory, boot counters
	                                         * and ".conf" */
	char file[CONFIG_PATH_MAX];             /* the file name as given to the parser */
	struct bootcount count;                 /* "+LEFT-DONE" in the file name (bootcount.h) */
	bool type2;                             /* a Type #2 entry: a UKI in /EFI/Linux (uki.c) */
	bool is_auto;                           /* found by tagboot itself (auto-efi-shell, ...) */
	bool on_xbootldr;                       /* read from the XBOOTLDR partition: its paths
	                                         * are on that volume (fw->use_volume) */
	char title[CONFIG_TITLE_MAX];
	char version[CONFIG_SHORT_MAX];
	char sort_key[CONFIG_SHORT_MAX];
	char machine_id[CONFIG_SHORT_MAX];
	char options[CONFIG_OPTIONS_MAX];       /* every `options` line joined with one space */
	enum config_kind kind;
	char path[CONFIG_PATH_MAX];             /* the `linux`, `efi` or `handoff-kernel` path */
	unsigned initrd_count;
	char initrd[CONFIG_INITRD_MAX][CONFIG_PATH_MAX];
	unsigned module_count;
	struct config_module modules[CONFIG_MODULE_MAX];
	bool has_kernel_sha256;
	uint8_t kernel_sha256[32];
	unsigned reserve_count;
	struct config_reserve reserves[CONFIG_RESERVE_MAX];
	enum config_ap_park ap_park;
	bool has_ap_park;                       /* an `ap-park` line was given (it overrides the
	                                         * kernel's request note, docs/handoff.md) */
	enum config_linux_protocol linux_protocol;
};

/* True for the entries tagboot itself boots (exits boot services, builds the tagged map):
 * `handoff-kernel`, and `linux` with `linux-protocol native`. */
static inline bool config_entry_is_native(const struct config_entry *e)
{
	return e->kind == CONFIG_KIND_HANDOFF ||
	       (e->kind == CONFIG_KIND_LINUX && e->linux_protocol == CONFIG_LINUX_NATIVE);
}

/* Zero the counters and message of diag and set its callback (emit may be NULL). */
void config_diag_init(struct config_diag *diag, void (*emit)(void *ctx, int level, const char *msg),
                      void *ctx);

/* Parse loader.conf text of len bytes; file_name is used in messages. Unknown keys are warnings.
 * Returns true when no error was found (out is filled either way, as far as it got). */
bool config_parse_loader(const char *file_name, const char *text, size_t len,
                         struct config_loader *out, struct config_diag *diag);

/* Does name end in ".conf" (any case) with something before it? */
bool config_is_entry_file_name(const char *name);

/* Parse one entry file of len bytes. file_name may carry a directory ('/' or '\\') and must
 * end in ".conf" (any case); the id is the name without both. Returns true when no error was found. */
bool config_parse_entry(const char *file_name, const char *text, size_t len,
                        struct config_entry *out, struct config_diag *diag);

/* BLS order: entries with a sort-key first (by sort-key, then machine-id, then version
 * newest first, then id), then entries without a sort-key by id. Ids compare in reverse
 * version order (newest first), as in systemd-boot. <0 if a goes first. */
int config_entry_compare(const struct config_entry *a, const struct config_entry *b);

/* Sort entries in place into BLS order (stable, no allocation). */
void config_sort_entries(struct config_entry *entries, size_t n);

/* Does the `default` pattern of conf match this id (false without a `default` line)? */
bool config_default_matches(const struct config_loader *conf, const char *id);

/* Index of the entry to boot in sorted entries: the first whose id matches the `default`
 * glob, else 0 (the first after sorting). Returns 0 also when n == 0 (caller checks n). */
size_t config_select_default(const struct config_loader *conf, const struct config_entry *entries,
                             size_t n);

#endif /* TAGBOOT_CONFIG_H */
