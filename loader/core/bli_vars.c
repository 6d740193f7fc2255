/* bli_vars.c: Boot Loader Interface variables through the fw seam (bli_vars.h). */
#include "bli_vars.h"

#include "boot_handoff.h"
#include "bootcount.h"
#include "util.h"

/* UTF-16 of a string of up to 256 ASCII bytes. */
#define BLI_VALUE_MAX 520u

static void bli_set_string(struct fw *fw, const char *name, bool volatile_only, const char *s)
{
	uint8_t buf[BLI_VALUE_MAX];
	size_t n = bli_utf16(s, buf, sizeof(buf));
	if (n && fw->set_variable)
		fw->set_variable(fw, FW_VAR_LOADER, name, volatile_only, buf, n);
}

/* A string variable as ASCII; false when absent or not ASCII UTF-16. */
static bool bli_get_string(struct fw *fw, const char *name, char *out, size_t cap)
{
	uint8_t buf[BLI_VALUE_MAX];
	size_t size = sizeof(buf);
	if (!fw->get_variable ||
	    fw->get_variable(fw, FW_VAR_LOADER, name, buf, &size) != FW_OK)
		return false;
	return bli_ascii(buf, size, out, cap);
}

static void bli_delete(struct fw *fw, const char *name)
{
	if (fw->set_variable)
		fw->set_variable(fw, FW_VAR_LOADER, name, false, NULL, 0);
}

/* "%s %u.%02u": systemd-boot's form of a revision as major.minor. */
static void bli_revision(struct util_sb *sb, uint32_t rev)
{
	util_sb_u64(sb, rev >> 16);
	util_sb_char(sb, '.');
	uint32_t minor = rev & 0xffffu;
	if (minor < 10)
		util_sb_char(sb, '0');
	util_sb_u64(sb, minor);
}

void bli_announce(struct fw *fw, const struct bli_loader_info *info)
{
	char text[BLI_VALUE_MAX / 2];
	struct util_sb sb;
	bli_set_string(fw, "LoaderInfo", true, "tagboot " TAGBOOT_VERSION_STRING);
	util_sb_init(&sb, text, sizeof(text));
	util_sb_str(&sb, info->firmware_vendor ? info->firmware_vendor : "unknown");
	util_sb_char(&sb, ' ');
	bli_revision(&sb, info->firmware_revision);
	bli_set_string(fw, "LoaderFirmwareInfo", true, text);
	util_sb_init(&sb, text, sizeof(text));
	util_sb_str(&sb, "UEFI ");
	bli_revision(&sb, info->uefi_revision);
	bli_set_string(fw, "LoaderFirmwareType", true, text);
	uint8_t features[8];
	uint64_t f = BLI_FEATURES_TAGBOOT;
	for (int i = 0; i < 8; i++)
		features[i] = (uint8_t)(f >> (8 * i));
	if (fw->set_variable)
		fw->set_variable(fw, FW_VAR_LOADER, "LoaderFeatures", true, features, 8);
	if (info->image_path) {
		/* The firmware's form of the path: backslashes. */
		util_strlcpy(text, info->image_path, sizeof(text));
		for (char *p = text; *p; p++)
			if (*p == '/')
				*p = '\\';
		bli_set_string(fw, "LoaderImageIdentifier", true, text);
	}
	if (info->part_uuid)
		bli_set_string(fw, "LoaderDevicePartUUID", true, info->part_uuid);
}

void bli_read_requests(struct fw *fw, struct bli_requests *req, struct config_loader *conf)
{
	util_memset(req, 0, sizeof(*req));
	req->has_oneshot = bli_get_string(fw, "LoaderEntryOneShot", req->oneshot,
	                                  sizeof(req->oneshot));
	/* One shot: gone once read, whatever happens next. */
	if (req->has_oneshot)
		bli_delete(fw, "LoaderEntryOneShot");
	req->has_default = bli_get_string(fw, "LoaderEntryDefault", req->efi_default,
	                                  sizeof(req->efi_default));
	req->has_last_booted = bli_get_string(fw, "LoaderEntryLastBooted", req->last_booted,
	                                      sizeof(req->last_booted));
	char t[32];
	if (bli_get_string(fw, "LoaderConfigTimeout", t, sizeof(t)))
		bli_apply_timeout(t, false, conf);
	if (bli_get_string(fw, "LoaderConfigTimeoutOneShot", t, sizeof(t))) {
		bli_delete(fw, "LoaderConfigTimeoutOneShot");
		/* A request for the menu this once: with a countdown of that many seconds, or (0)
		 * waiting for the user. */
		if (bli_apply_timeout(t, true, conf)) {
			conf->menu_hidden = conf->menu_disabled = false;
			conf->menu_force = conf->timeout == 0;
		}
	}
}

static size_t bli_find(const struct config_entry *entries, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++)
		if (bli_entry_matches(&entries[i], want))
			return i;
	return n;
}

size_t bli_select(const struct config_loader *conf, const struct bli_requests *req,
                  const struct config_entry *entries, size_t n, struct bli_choice *choice)
{
	size_t i;
	bool efivar_saved = req->has_default && util_strcmp(req->efi_default, "@saved") == 0;
	/* loader.conf's @saved only counts while the OS has not set a default of its own. */
	choice->saved = efivar_saved || (!req->has_default && conf->default_saved);
	choice->oneshot = false;
	choice->last_booted = req->has_last_booted ? req->last_booted : NULL;
	if (req->has_oneshot && (i = bli_find(entries, n, req->oneshot)) < n) {
		choice->oneshot = true;
		return i;
	}
	if (req->has_default) {
		bool at_saved = util_strcmp(req->efi_default, "@saved") == 0;
		const char *want = at_saved ? (req->has_last_booted ? req->last_booted : NULL)
		                            : req->efi_default;
		if (want && (i = bli_find(entries, n, want)) < n)
			return i;
	}
	if (conf->default_saved && req->has_last_booted &&
	    (i = bli_find(entries, n, req->last_booted)) < n)
		return i;
	return config_select_default(conf, entries, n);
}

void bli_publish_entries(struct fw *fw, const struct config_entry *entries, size_t n)
{
	if (!fw->set_variable || n == 0)
		return;
	/* Up to CONFIG_ID_MAX + 5 characters per entry, in UTF-16 with its NUL. */
	size_t cap = n * (CONFIG_ID_MAX + 8) * 2;
	uint64_t addr = 0;
	if (fw->allocate_pages(fw, FW_ALLOC_ANY, FW_MEM_LOADER_DATA, fw_pages_for(cap), &addr) !=
	    FW_OK)
		return;
	size_t used = bli_entry_list(entries, n, (uint8_t *)(uintptr_t)addr, cap);
	if (used)
		fw->set_variable(fw, FW_VAR_LOADER, "LoaderEntries", true,
		                 (const void *)(uintptr_t)addr, used);
	fw->free_pages(fw, addr, fw_pages_for(cap));
}

bool bli_booting(struct fw *fw, struct config_entry *e, const struct bli_choice *choice)
{
	char name[BLI_NAME_MAX];
	bli_entry_name(e, name, sizeof(name));
	bli_set_string(fw, "LoaderEntrySelected", true, name);
	/* As systemd-boot: a one-shot boot changes nothing; with @saved the entry is remembered
	 * (written only when it changed: flash wears), without it the variable goes. */
	if (!choice->oneshot) {
		if (choice->saved && !(choice->last_booted && util_strcmp(choice->last_booted, name) == 0))
			bli_set_string(fw, "LoaderEntryLastBooted", false, name);
		else if (!choice->saved && choice->last_booted)
			bli_delete(fw, "LoaderEntryLastBooted");
	}
	if (!e->count.counted || e->count.left == 0 || !fw->rename_file)
		return true;
	/* The counters come off the file name: dir + stem + "+LEFT-DONE" + ".conf". */
	size_t len = util_strlen(e->file), base = 0;
	for (size_t i = 0; i < len; i++)
		if (e->file[i] == '/')
			base = i + 1;
	const char *stem = e->file + base;
	char next[CONFIG_PATH_MAX];
	if (!bootcount_next_name(stem, util_strlen(e->id), &e->count, e->file + len - 5, next,
	                         sizeof(next)))
		return false;
	if (fw->rename_file(fw, e->file, next) != FW_OK)
		return false;
	char path[CONFIG_PATH_MAX];
	struct util_sb sb;
	util_sb_init(&sb, path, sizeof(path));
	util_sb_strn(&sb, e->file, base);
	util_sb_str(&sb, next);
	util_strlcpy(e->file, path, sizeof(e->file));
	e->count.left--;
	e->count.done++;
	for (char *p = path; *p; p++)
		if (*p == '/')
			*p = '\\';
	bli_set_string(fw, "LoaderBootCountPath", true, path);
	return true;
}
