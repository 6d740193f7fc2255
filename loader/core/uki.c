/* uki.c: a UKI's PE sections and os-release as a Type #2 boot entry (uki.h). */
#include "uki.h"

#include "util.h"

struct uki_section {
	const char *data; /* inside the head, or NULL when it lies beyond */
	size_t size;
	bool found;
};

/* The section named name (up to 8 bytes) of the PE image in head. */
static bool uki_section(const uint8_t *f, size_t size, size_t file_size, const char *name,
                        struct uki_section *out)
{
	out->data = NULL;
	out->size = 0;
	out->found = false;
	if (size < 0x40 || f[0] != 'M' || f[1] != 'Z')
		return false;
	uint32_t pe = util_le32(f + 0x3c);
	if (pe > size - 24 || util_le32(f + pe) != 0x00004550u)
		return false;
	uint16_t count = util_le16(f + pe + 6);
	uint16_t opt = util_le16(f + pe + 20);
	size_t table = (size_t)pe + 24 + opt;
	size_t n = util_strlen(name);
	for (uint16_t i = 0; i < count; i++) {
		size_t s = table + (size_t)i * 40;
		if (s > size || size - s < 40)
			return true; /* the table runs past the head: what was seen is all */
		if (util_memcmp(f + s, name, n) != 0 || (n < 8 && f[s + n] != 0))
			continue;
		uint32_t vsize = util_le32(f + s + 8), raw = util_le32(f + s + 16);
		uint32_t at = util_le32(f + s + 20);
		size_t len = vsize && vsize < raw ? vsize : raw;
		out->found = at <= file_size && len <= file_size - at;
		if (out->found && at <= size && len <= size - at) {
			out->data = (const char *)f + at;
			out->size = len;
		}
		return true;
	}
	return true;
}

bool uki_os_release(const char *t, size_t len, const char *key, char *out, size_t cap)
{
	size_t k = util_strlen(key);
	for (size_t pos = 0; pos < len;) {
		size_t end = pos;
		while (end < len && t[end] != '\n' && t[end] != '\0')
			end++;
		if (end - pos > k && util_memcmp(t + pos, key, k) == 0 && t[pos + k] == '=') {
			size_t i = pos + k + 1, n = 0;
			char quote = (i < end && (t[i] == '"' || t[i] == '\'')) ? t[i++] : 0;
			for (; i < end && n + 1 < cap; i++) {
				if (quote && t[i] == quote)
					break;
				if (quote == '"' && t[i] == '\\' && i + 1 < end)
					i++;
				out[n++] = t[i];
			}
			out[n] = '\0';
			return true;
		}
		pos = end + 1;
	}
	return false;
}

/* The first key of keys os-release has into out. */
static bool uki_first(const struct uki_section *osrel, const char *const *keys, char *out,
                      size_t cap)
{
	for (; *keys; keys++)
		if (uki_os_release(osrel->data, osrel->size, *keys, out, cap) && out[0])
			return true;
	return false;
}

bool uki_entry(const char *path, const void *head, size_t size, size_t file_size,
               struct config_entry *out, const char **why)
{
	const uint8_t *f = head;
	struct uki_section osrel, linux_sec, uname;
	util_memset(out, 0, sizeof(*out));
	if (!uki_section(f, size, file_size, ".osrel", &osrel)) {
		*why = "not a PE image";
		return false;
	}
	uki_section(f, size, file_size, ".linux", &linux_sec);
	uki_section(f, size, file_size, ".uname", &uname);
	if (!osrel.found || !osrel.data || !linux_sec.found) {
		*why = "no .osrel or no .linux section: not a unified kernel image";
		return false;
	}
	size_t len = util_strlen(path), start = 0;
	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			start = i + 1;
	if (len - start <= 4 || !util_strncpy_n(out->id, sizeof(out->id), path + start, len - start - 4)) {
		*why = "file name too long for an entry id";
		return false;
	}
	util_strlcpy(out->path, path, sizeof(out->path));
	util_strlcpy(out->file, path, sizeof(out->file));
	out->kind = CONFIG_KIND_EFI;
	out->type2 = true;
	static const char *const title[] = {"PRETTY_NAME", "NAME", "ID", NULL};
	static const char *const key[] = {"IMAGE_ID", "ID", NULL};
	static const char *const version[] = {"IMAGE_VERSION", "VERSION", "VERSION_ID", "BUILD_ID",
	                                      NULL};
	if (!uki_first(&osrel, title, out->title, sizeof(out->title)))
		util_strlcpy(out->title, out->id, sizeof(out->title));
	uki_first(&osrel, key, out->sort_key, sizeof(out->sort_key));
	uki_first(&osrel, version, out->version, sizeof(out->version));
	if (uname.data && uname.size) {
		struct util_sb sb;
		util_sb_init(&sb, out->version + util_strlen(out->version),
		             sizeof(out->version) - util_strlen(out->version));
		if (out->version[0])
			util_sb_char(&sb, ' ');
		size_t n = 0;
		while (n < uname.size && uname.data[n] && uname.data[n] != '\n')
			n++;
		util_sb_strn(&sb, uname.data, n);
	}
	return true;
}
