/* secure_policy.c: what Secure Boot demands of the config and of an entry before it boots. */
#include "secure_policy.h"

#include "sha256.h"

bool secure_policy_config(bool secure_boot, const struct config_hash_block *block,
                          struct config_hash_set *set, struct util_sb *why)
{
	enum config_hash_state state = config_hash_block_state(block);
	if (state == CONFIG_HASH_BAD_BLOCK) {
		util_sb_str(why, "the enrolled config hash block in BOOTX64.EFI is damaged");
		return !secure_boot;
	}
	if (state == CONFIG_HASH_NOT_ENROLLED) {
		if (secure_boot)
			util_sb_str(why, "Secure Boot is on but this loader has no enrolled config "
			                 "hash (sign it with `make sign`, which enrolls one)");
		return !secure_boot;
	}
	uint8_t got[SHA256_DIGEST_SIZE];
	if (!config_hash_final(set, got)) {
		util_sb_str(why, "too many config files to hash (at most 80)");
		return !secure_boot;
	}
	if (sha256_equal(got, block->sha256))
		return true;
	char hex[SHA256_HEX_SIZE + 1];
	util_sb_str(why, "config hash mismatch: enrolled ");
	sha256_format_hex(block->sha256, hex);
	util_sb_str(why, hex);
	util_sb_str(why, ", /loader/loader.conf + /loader/entries/*.conf hash to ");
	sha256_format_hex(got, hex);
	util_sb_str(why, hex);
	return !secure_boot;
}

bool secure_policy_entry(bool secure_boot, const struct config_loader *conf,
                         const struct config_entry *e, struct util_sb *why)
{
	if (!secure_boot)
		return true;
	/* The firmware bug emulator lies to the kernel about memory: never under Secure Boot,
	 * whatever loader.conf allows. */
	if (config_entry_is_native(e) && e->ap_park == CONFIG_AP_PARK_MAILBOX_UNREPORTED) {
		util_sb_str(why, "Secure Boot: `ap-park mailbox-unreported` reports the parking memory "
		                 "as usable on purpose (a firmware-bug emulator); refused");
		return false;
	}
	/* A native boot (handoff kernel, or Linux without its EFI stub) bypasses the firmware's
	 * image verification: the pin is what vouches for the kernel. */
	if (!config_entry_is_native(e) || conf->secure_boot_unpinned)
		return true;
	if (!e->has_kernel_sha256) {
		util_sb_str(why, "Secure Boot: no kernel-sha256 pin for ");
		util_sb_str(why, e->path);
		util_sb_str(why, " (pin it, or set `secure-boot-unpinned allow` in loader.conf)");
		return false;
	}
	for (unsigned i = 0; i < e->module_count; i++) {
		if (e->modules[i].has_sha256)
			continue;
		util_sb_str(why, "Secure Boot: no module-sha256 pin for module ");
		util_sb_str(why, e->modules[i].path);
		util_sb_str(why, " (pin it, or set `secure-boot-unpinned allow` in loader.conf)");
		return false;
	}
	return true;
}
