/* boot_attempt.c: the boot-in-flight record (boot_attempt.h): its text form, the variable, the fallback entry. */
#include "boot_attempt.h"

#include "util.h"

static const char boot_attempt_magic[] = "tagboot-attempt 1\n";

size_t boot_attempt_encode(const struct boot_attempt *a, char *buf, size_t cap)
{
	struct util_sb sb;
	util_sb_init(&sb, buf, cap);
	util_sb_str(&sb, boot_attempt_magic);
	util_sb_str(&sb, "entry ");
	util_sb_str(&sb, a->entry);
	util_sb_str(&sb, "\nstep ");
	util_sb_str(&sb, a->step);
	util_sb_char(&sb, '\n');
	size_t len = util_strlen(buf);
	/* A full builder truncated the text: refuse rather than store half a record. */
	return len + 1 < cap ? len : 0;
}

/* One "KEY VALUE\n" line at *pos into out (printable ASCII only). */
static bool boot_attempt_line(const char *t, size_t size, size_t *pos, const char *key,
                              char *out, size_t cap)
{
	size_t k = util_strlen(key);
	if (size - *pos < k + 1 || !util_token_eq(t + *pos, k, key) || t[*pos + k] != ' ')
		return false;
	size_t i = *pos + k + 1, n = 0;
	for (; i < size && t[i] != '\n'; i++, n++) {
		unsigned char c = (unsigned char)t[i];
		if (c < 0x20 || c >= 0x7f || n + 1 >= cap)
			return false;
		out[n] = (char)c;
	}
	if (i >= size || n == 0)
		return false;
	out[n] = '\0';
	*pos = i + 1;
	return true;
}

bool boot_attempt_decode(const void *buf, size_t size, struct boot_attempt *out)
{
	const char *t = buf;
	size_t m = sizeof(boot_attempt_magic) - 1, pos = m;
	util_memset(out, 0, sizeof(*out));
	if (!buf || size < m || !util_token_eq(t, m, boot_attempt_magic))
		return false;
	return boot_attempt_line(t, size, &pos, "entry", out->entry, sizeof(out->entry)) &&
	       boot_attempt_line(t, size, &pos, "step", out->step, sizeof(out->step)) &&
	       pos == size;
}

void boot_attempt_record(struct fw *fw, const char *entry, const char *step)
{
	if (!fw->set_variable)
		return;
	struct boot_attempt a;
	util_memset(&a, 0, sizeof(a));
	util_strlcpy(a.entry, entry, sizeof(a.entry));
	util_strlcpy(a.step, step, sizeof(a.step));
	/* Bytes a record cannot hold (the step comes from messages) become '?'. */
	for (char *p = a.step; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	char text[BOOT_ATTEMPT_TEXT_MAX];
	size_t len = boot_attempt_encode(&a, text, sizeof(text));
	if (len)
		fw->set_variable(fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_VARIABLE, false, text, len);
}

void boot_attempt_clear(struct fw *fw)
{
	if (fw->set_variable)
		fw->set_variable(fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_VARIABLE, false, NULL, 0);
}

bool boot_attempt_take(struct fw *fw, struct boot_attempt *out)
{
	util_memset(out, 0, sizeof(*out));
	if (!fw->get_variable)
		return false;
	char text[BOOT_ATTEMPT_TEXT_MAX];
	size_t size = sizeof(text);
	enum fw_status st = fw->get_variable(fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_VARIABLE, text, &size);
	if (st == FW_NOT_FOUND)
		return false;
	/* Whatever it held (even a damaged record): it must not outlive this boot. */
	boot_attempt_clear(fw);
	return st == FW_OK && boot_attempt_decode(text, size, out);
}

size_t boot_attempt_fallback(const struct config_entry *entries, size_t n, size_t pick,
                             const char *failed, bool *show_menu)
{
	*show_menu = false;
	size_t f = n;
	for (size_t i = 0; i < n; i++)
		if (util_strcmp(entries[i].id, failed) == 0)
			f = i;
	if (f == n || pick != f)
		return pick;
	/* The next entry in menu order, wrapping; never an automatic one (a reboot into the
	 * firmware setup is no fallback). */
	for (size_t k = 1; k < n; k++) {
		size_t i = (f + k) % n;
		if (!entries[i].is_auto)
			return i;
	}
	*show_menu = true;
	return f;
}
