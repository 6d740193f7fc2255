/* secure.c: Secure Boot checks of the EFI loader: enrolled config hash and entry pins. */
#include "secure.h"

#include "efi_glue.h"

#include "boot_log.h"
#include "config_hash.h"
#include "secure_policy.h"
#include "util.h"

/*
 * The block tools/secure/tagboot-enroll.py patches before signing (docs/security.md). It
 * lives in .data because the marker makes it non-zero; `used` keeps it in the image and
 * volatile keeps the compiler from folding the unpatched values into the code.
 */
__attribute__((used, aligned(16))) volatile struct config_hash_block secure_enrolled_config = {
	.marker = CONFIG_HASH_MARKER,
	.version = CONFIG_HASH_BLOCK_VERSION,
	.enrolled = 0,
	.sha256 = {0},
};

/* The config files seen so far: about 74 KiB, so allocated at first use rather than stored as
 * zeros in the image. NULL after an allocation failure (the config check then fails). */
static struct config_hash_set *secure_files;
static bool secure_files_tried;

static struct config_hash_set *secure_files_get(void)
{
	if (!secure_files_tried) {
		secure_files_tried = true;
		secure_files = AllocatePool(sizeof(*secure_files));
		if (secure_files)
			config_hash_init(secure_files);
	}
	return secure_files;
}

void secure_note_file(const char *path, uint64_t addr, uint64_t size)
{
	struct config_hash_set *set = secure_files_get();
	if (set)
		config_hash_add(set, path, (const void *)(uintptr_t)addr, (size_t)size);
}

bool secure_check_config(struct fw *fw, bool secure_boot)
{
	struct config_hash_set *set = secure_files_get();
	if (!set) {
		boot_log_error(fw, NULL, "/loader", "out of memory for the config hash");
		return false;
	}
	struct config_hash_block block;
	util_memcpy(&block, (const void *)&secure_enrolled_config, sizeof(block));
	char text[BOOT_LOG_LINE_MAX];
	struct util_sb why;
	util_sb_init(&why, text, sizeof(text));
	bool ok = secure_policy_config(secure_boot, &block, set, &why);
	if (!ok) {
		boot_log_error(fw, NULL, "/loader", text);
		return false;
	}
	struct boot_log_line line;
	boot_log_begin(&line, false);
	if (text[0]) {
		util_sb_str(&line.sb, "warning: Secure Boot off, not enforced: ");
		util_sb_str(&line.sb, text);
	} else if (config_hash_block_state(&block) == CONFIG_HASH_ENROLLED) {
		util_sb_str(&line.sb, "config matches the enrolled hash");
	} else {
		return true; /* Secure Boot off and nothing enrolled: nothing to say */
	}
	boot_log_end(fw, &line);
	return true;
}

bool secure_check_entry(struct fw *fw, bool secure_boot, const struct config_loader *conf,
                        const struct config_entry *e)
{
	char text[BOOT_LOG_LINE_MAX];
	struct util_sb why;
	util_sb_init(&why, text, sizeof(text));
	if (secure_policy_entry(secure_boot, conf, e, &why))
		return true;
	boot_log_error(fw, e->id, e->path, text);
	return false;
}
