/* secure.h: Secure Boot checks of the EFI loader: enrolled config hash and entry pins. */
#ifndef TAGBOOT_SECURE_H
#define TAGBOOT_SECURE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "fw.h"

/* Record a config file the loader read (before it is freed): path as read, its bytes. */
void secure_note_file(const char *path, uint64_t addr, uint64_t size);

/* After every config file was read: compare with the enrolled hash. Logs the outcome; false
 * means the boot must stop (Secure Boot on and the config is not the enrolled one). */
bool secure_check_config(struct fw *fw, bool secure_boot);

/* Before booting e: the Secure Boot pin rule (secure_policy_entry). Logs and returns false
 * when e must not boot. */
bool secure_check_entry(struct fw *fw, bool secure_boot, const struct config_loader *conf,
                        const struct config_entry *e);

#endif /* TAGBOOT_SECURE_H */
