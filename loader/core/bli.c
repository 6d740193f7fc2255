/* bli.c: Boot Loader Interface values (bli.h): UTF-16 strings, entry identifiers and lists, timeouts, GUID text. */
#include "bli.h"

#include "util.h"

size_t bli_utf16(const char *s, uint8_t *out, size_t cap)
{
	size_t n = util_strlen(s);
	if ((n + 1) * 2 > cap)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		out[2 * i] = (uint8_t)s[i];
		out[2 * i + 1] = 0;
	}
	return (n + 1) * 2;
}

bool bli_ascii(const void *data, size_t size, char *out, size_t cap)
{
	const uint8_t *p = data;
	if (!data || size % 2 != 0 || cap == 0)
		return false;
	size_t n = size / 2;
	/* One trailing NUL is the format; a value without it is accepted too. */
	if (n > 0 && p[2 * (n - 1)] == 0 && p[2 * (n - 1) + 1] == 0)
		n--;
	if (n + 1 > cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint16_t c = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
		if (c == 0 || c >= 0x80)
			return false;
		out[i] = (char)c;
	}
	out[n] = '\0';
	return true;
}

void bli_entry_name(const struct config_entry *e, char *out, size_t cap)
{
	struct util_sb sb;
	util_sb_init(&sb, out, cap);
	util_sb_str(&sb, e->id);
	/* Automatic entries have no file: their identifier is the bare id ("auto-efi-shell"). */
	if (!e->is_auto)
		util_sb_str(&sb, e->type2 ? ".efi" : ".conf");
}

static bool bli_ends_with(const char *s, const char *suffix)
{
	size_t n = util_strlen(s), k = util_strlen(suffix);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (util_ascii_lower(s[n - k + i]) != suffix[i])
			return false;
	return true;
}

bool bli_entry_matches(const struct config_entry *e, const char *want)
{
	char pattern[CONFIG_ID_MAX + 8];
	util_strlcpy(pattern, want, sizeof(pattern));
	size_t n = util_strlen(pattern);
	if (bli_ends_with(pattern, ".conf"))
		pattern[n - 5] = '\0';
	else if (bli_ends_with(pattern, ".efi"))
		pattern[n - 4] = '\0';
	return pattern[0] != '\0' && util_glob_match(pattern, e->id);
}

size_t bli_entry_list(const struct config_entry *entries, size_t n, uint8_t *out, size_t cap)
{
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		char name[CONFIG_ID_MAX + 8];
		bli_entry_name(&entries[i], name, sizeof(name));
		size_t k = bli_utf16(name, out + used, cap - used);
		if (k == 0)
			return 0;
		used += k;
	}
	return used;
}

bool bli_apply_timeout(const char *text, bool one_shot, struct config_loader *conf)
{
	bool force = util_token_eq(text, util_strlen(text), "menu-force");
	bool hidden = util_token_eq(text, util_strlen(text), "menu-hidden");
	bool disabled = util_token_eq(text, util_strlen(text), "menu-disabled");
	uint64_t v = 0;
	if (!force && !hidden && !disabled &&
	    util_parse_u64(text, util_strlen(text), &v) != UTIL_PARSE_OK)
		return false;
	if (one_shot && !hidden && !disabled && v == 0)
		force = true;
	if (v > CONFIG_TIMEOUT_MAX)
		v = CONFIG_TIMEOUT_MAX;
	conf->has_timeout = true;
	conf->timeout = force ? 0 : v;
	conf->menu_force = force;
	conf->menu_hidden = hidden;
	conf->menu_disabled = disabled;
	return true;
}

void bli_guid_string(const uint8_t g[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	/* Data1..Data3 little endian, Data4 as bytes (EFI_GUID). */
	static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	size_t o = 0;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[g[order[i]] >> 4];
		out[o++] = hex[g[order[i]] & 15];
	}
	out[o] = '\0';
}
