/* secure_policy.h: what Secure Boot demands of the config and of an entry before it boots. */
#ifndef TAGBOOT_SECURE_POLICY_H
#define TAGBOOT_SECURE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "config_hash.h"
#include "util.h"

/*
 * Config check: with Secure Boot on, the config must hash to the value enrolled in the signed
 * loader; a loader without an enrolled hash refuses every entry (it cannot tell a planted
 * config from the user's). With Secure Boot off nothing is refused; a mismatch is only a
 * warning. Returns true when the boot may go on; *why gets the reason either way (may be
 * empty).
 */
bool secure_policy_config(bool secure_boot, const struct config_hash_block *block,
                          struct config_hash_set *set, struct util_sb *why);

/*
 * Entry check: with Secure Boot on, a native entry (`handoff-kernel`, or `linux` with
 * `linux-protocol native`) needs `kernel-sha256` and a `module-sha256` for every module,
 * unless loader.conf says `secure-boot-unpinned allow`; `ap-park mailbox-unreported` is
 * refused outright. `efi` and `linux` (EFI stub) entries are verified by the firmware in
 * LoadImage. Returns false with the
 * reason in *why when the entry must not boot.
 */
bool secure_policy_entry(bool secure_boot, const struct config_loader *conf,
                         const struct config_entry *e, struct util_sb *why);

#endif /* TAGBOOT_SECURE_POLICY_H */
