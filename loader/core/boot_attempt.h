/* boot_attempt.h: the record of a boot in flight (an EFI variable), so that a boot that dies after ExitBootServices is not repeated blindly. */
#ifndef TAGBOOT_BOOT_ATTEMPT_H
#define TAGBOOT_BOOT_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "fw.h"

/*
 * Written (non-volatile) just before ExitBootServices, deleted once the handoff is built and
 * the jump is next, rewritten with the failing step when tagboot fails after the exit and
 * resets. A record found at the next start therefore means: that entry's last boot never
 * reached its kernel. The text format is public (docs/loader.md):
 *   "tagboot-attempt 1\nentry ID\nstep TEXT\n"
 */
#define BOOT_ATTEMPT_VARIABLE "TagbootBootAttempt"
/* Volatile, set while tagboot runs a chainloaded program: a tagboot that finds it was started
 * by tagboot (it would read the same ESP and boot the same entry again). */
#define BOOT_ATTEMPT_NESTED_VARIABLE "TagbootChainloading"
#define BOOT_ATTEMPT_STEP_MAX 160u
#define BOOT_ATTEMPT_TEXT_MAX (32u + CONFIG_ID_MAX + BOOT_ATTEMPT_STEP_MAX)
/* What the record says before the exit, until a failure after it says more. */
#define BOOT_ATTEMPT_STEP_EXIT "ExitBootServices or the handoff after it"

struct boot_attempt {
	char entry[CONFIG_ID_MAX];
	char step[BOOT_ATTEMPT_STEP_MAX];
};

/* The text form into buf (no NUL); returns its length, 0 if cap is too small. */
size_t boot_attempt_encode(const struct boot_attempt *a, char *buf, size_t cap);
/* Parse a record of size bytes; false for anything not in the format (a foreign or damaged
 * variable is ignored, never trusted). */
bool boot_attempt_decode(const void *buf, size_t size, struct boot_attempt *out);

/* Best effort: a firmware that cannot store the variable only loses the fallback. */
void boot_attempt_record(struct fw *fw, const char *entry, const char *step);
void boot_attempt_clear(struct fw *fw);
/* Read the record of the previous boot and delete it. */
bool boot_attempt_take(struct fw *fw, struct boot_attempt *out);

/* The entry to boot after `failed` did not reach its kernel: pick itself when it names
 * another entry, else the next configured (not automatic) entry in menu order; with no other
 * entry *show_menu is set
 * (the user decides; tagboot does not repeat the boot on its own). */
size_t boot_attempt_fallback(const struct config_entry *entries, size_t n, size_t pick,
                             const char *failed, bool *show_menu);

#endif /* TAGBOOT_BOOT_ATTEMPT_H */
