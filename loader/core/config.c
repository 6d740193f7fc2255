/* config.c: Boot Loader Specification parser (loader.conf, Type #1 entries, tagboot keys) and BLS sort order. */
#include "config.h"

#include "bootcount.h"
#include "util.h"
#include "version.h"

/* The limits appear as numbers in messages; keep them in step with config.h. */
_Static_assert(CONFIG_LINE_MAX == 4095u, "update the line-length message");
_Static_assert(CONFIG_INITRD_MAX == 8u && CONFIG_MODULE_MAX == 8u, "update the count messages");
_Static_assert(CONFIG_RESERVE_MAX == 16u && CONFIG_REASON_MAX == 32u, "update the reserve messages");
_Static_assert(CONFIG_OPTIONS_MAX == 4096u && CONFIG_ID_MAX == 128u, "update the length messages");
_Static_assert(CONFIG_TIMEOUT_MAX == 3600u, "update the timeout message");

/* One logical line of a config file after trimming: key and value as byte ranges. */
struct config_line {
	const char *file;
	unsigned number;
	const char *key;
	size_t key_len;
	const char *value;
	size_t value_len;
};

void config_diag_init(struct config_diag *diag, void (*emit)(void *ctx, int level, const char *msg),
                      void *ctx)
{
	if (diag == NULL)
		return;
	diag->errors = 0;
	diag->warnings = 0;
	diag->shown = 0;
	diag->hidden_errors = 0;
	diag->hidden_warnings = 0;
	diag->first_error[0] = '\0';
	diag->emit = emit;
	diag->ctx = ctx;
}

/* Copy text into out with every byte that is not printable ASCII as \xNN: a config file of
 * random bytes must not send control sequences to the console. */
static void config_escape(const char *text, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	struct util_sb sb;
	util_sb_init(&sb, out, cap);
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c >= 0x20 && c < 0x7f) {
			util_sb_char(&sb, (char)c);
			continue;
		}
		util_sb_str(&sb, "\\x");
		util_sb_char(&sb, hex[c >> 4]);
		util_sb_char(&sb, hex[c & 15]);
	}
}

/* Build "FILE:LINE: key 'X': reason" (LINE left out when 0, key part when key is NULL) and
 * hand it to the callback (the first CONFIG_DIAG_SHOWN_MAX per file); the first error is also
 * kept in diag->first_error. */
static void config_report(struct config_diag *diag, int level, const char *file, unsigned line,
                          const char *key, size_t key_len, const char *reason, const char *detail)
{
	if (diag == NULL)
		return;
	char raw[CONFIG_MESSAGE_MAX];
	struct util_sb sb;
	util_sb_init(&sb, raw, sizeof raw);
	util_sb_str(&sb, file);
	if (line != 0) {
		util_sb_char(&sb, ':');
		util_sb_u64(&sb, line);
	}
	util_sb_str(&sb, ": ");
	if (key != NULL) {
		util_sb_str(&sb, "key '");
		util_sb_strn(&sb, key, key_len);
		util_sb_str(&sb, "': ");
	}
	util_sb_str(&sb, reason);
	if (detail != NULL)
		util_sb_str(&sb, detail);
	char msg[CONFIG_MESSAGE_MAX];
	config_escape(raw, msg, sizeof msg);
	if (level == CONFIG_LEVEL_ERROR) {
		if (diag->errors == 0)
			util_strlcpy(diag->first_error, msg, sizeof diag->first_error);
		diag->errors++;
	} else {
		diag->warnings++;
	}
	if (diag->shown >= CONFIG_DIAG_SHOWN_MAX) {
		if (level == CONFIG_LEVEL_ERROR)
			diag->hidden_errors++;
		else
			diag->hidden_warnings++;
		return;
	}
	diag->shown++;
	if (diag->emit != NULL)
		diag->emit(diag->ctx, level, msg);
}

/* One line for what config_report did not show of this file; resets the per-file count. */
static void config_report_hidden(struct config_diag *diag, const char *file)
{
	if (diag->hidden_errors + diag->hidden_warnings > 0 && diag->emit != NULL) {
		char raw[CONFIG_MESSAGE_MAX], msg[CONFIG_MESSAGE_MAX];
		struct util_sb sb;
		util_sb_init(&sb, raw, sizeof raw);
		util_sb_str(&sb, file);
		util_sb_str(&sb, ": ");
		util_sb_u64(&sb, diag->hidden_errors);
		util_sb_str(&sb, diag->hidden_errors == 1 ? " more error and " : " more errors and ");
		util_sb_u64(&sb, diag->hidden_warnings);
		util_sb_str(&sb, diag->hidden_warnings == 1 ? " more warning not shown"
		                                            : " more warnings not shown");
		config_escape(raw, msg, sizeof msg);
		diag->emit(diag->ctx, diag->hidden_errors ? CONFIG_LEVEL_ERROR : CONFIG_LEVEL_WARNING,
		           msg);
	}
	diag->shown = 0;
	diag->hidden_errors = 0;
	diag->hidden_warnings = 0;
}

static void config_line_error(struct config_diag *diag, const struct config_line *l,
                              const char *reason, const char *detail)
{
	config_report(diag, CONFIG_LEVEL_ERROR, l->file, l->number, l->key, l->key_len, reason, detail);
}

static void config_line_warning(struct config_diag *diag, const struct config_line *l,
                                const char *reason)
{
	config_report(diag, CONFIG_LEVEL_WARNING, l->file, l->number, l->key, l->key_len, reason,
	              NULL);
}

/* Walks the text line by line. Handles the UTF-8 BOM, CRLF, comments, blank lines, overlong
 * lines and NUL bytes, so that the key handlers only ever see "key value". */
struct config_reader {
	const char *file;
	const char *text;
	size_t len;
	size_t pos;
	unsigned number;
};

static void config_reader_init(struct config_reader *r, const char *file, const char *text,
                               size_t len)
{
	r->file = file;
	r->text = text;
	r->len = text == NULL ? 0 : len;
	r->pos = 0;
	r->number = 0;
	/* A BOM is common in files written by Windows editors; it is not part of the first key. */
	if (r->len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
	    (unsigned char)text[2] == 0xBF)
		r->pos = 3;
}

/* Next line with a key; false at the end of the text. Bad lines are reported and skipped. */
static bool config_reader_next(struct config_reader *r, struct config_line *out,
                               struct config_diag *diag)
{
	while (r->pos < r->len) {
		size_t start = r->pos, end = start;
		while (end < r->len && r->text[end] != '\n')
			end++;
		r->pos = end < r->len ? end + 1 : end;
		r->number++;
		if (end > start && r->text[end - 1] == '\r')
			end--;
		out->file = r->file;
		out->number = r->number;
		out->key = NULL;
		out->key_len = 0;
		if (end - start > CONFIG_LINE_MAX) {
			config_report(diag, CONFIG_LEVEL_ERROR, r->file, r->number, NULL, 0,
			              "line longer than 4095 bytes", NULL);
			continue;
		}
		bool has_nul = false;
		for (size_t i = start; i < end; i++)
			if (r->text[i] == '\0')
				has_nul = true;
		if (has_nul) {
			config_report(diag, CONFIG_LEVEL_ERROR, r->file, r->number, NULL, 0,
			              "NUL byte in line (binary file?)", NULL);
			continue;
		}
		while (start < end && util_is_blank(r->text[start]))
			start++;
		while (end > start && util_is_blank(r->text[end - 1]))
			end--;
		if (start == end || r->text[start] == '#')
			continue;
		size_t k = start;
		while (k < end && !util_is_blank(r->text[k]))
			k++;
		out->key = r->text + start;
		out->key_len = k - start;
		while (k < end && util_is_blank(r->text[k]))
			k++;
		out->value = r->text + k;
		out->value_len = end - k;
		return true;
	}
	return false;
}

static bool config_key_is(const struct config_line *l, const char *word)
{
	return util_token_eq(l->key, l->key_len, word);
}

/* Copy the value into a fixed field; an empty or too long value is an error. */
static bool config_copy_value(const struct config_line *l, char *dst, size_t cap,
                              struct config_diag *diag)
{
	if (l->value_len + 1 > cap) {
		char limit[24];
		struct util_sb sb;
		util_sb_init(&sb, limit, sizeof limit);
		util_sb_u64(&sb, cap - 1);
		util_sb_str(&sb, " bytes");
		config_line_error(diag, l, "value longer than ", limit);
		return false;
	}
	util_strncpy_n(dst, cap, l->value, l->value_len);
	return true;
}

/* `module PATH [STRING]`: the path is the first word, the string (Multiboot2's module string,
 * handed to the kernel in the module record) is the rest of the line. */
static bool config_module_value(const struct config_line *l, struct config_module *m,
                                struct config_diag *diag)
{
	size_t n = 0;
	while (n < l->value_len && l->value[n] != ' ' && l->value[n] != '\t')
		n++;
	size_t rest = n;
	while (rest < l->value_len && (l->value[rest] == ' ' || l->value[rest] == '\t'))
		rest++;
	if (n + 1 > sizeof m->path) {
		config_line_error(diag, l, "module path longer than 255 bytes", NULL);
		return false;
	}
	if (l->value_len - rest + 1 > sizeof m->string) {
		config_line_error(diag, l, "module string longer than 255 bytes", NULL);
		return false;
	}
	util_strncpy_n(m->path, sizeof m->path, l->value, n);
	util_strncpy_n(m->string, sizeof m->string, l->value + rest, l->value_len - rest);
	return true;
}

/* 64 hex digits into 32 bytes. */
static bool config_parse_sha256(const struct config_line *l, uint8_t out[32],
                                struct config_diag *diag)
{
	if (l->value_len != 64) {
		config_line_error(diag, l, "expected 64 hex digits (a SHA-256)", NULL);
		return false;
	}
	for (size_t i = 0; i < 32; i++) {
		int hi = util_hex_value(l->value[2 * i]), lo = util_hex_value(l->value[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			config_line_error(diag, l, "not a hex digit in the SHA-256", NULL);
			return false;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* systemd-boot keys in loader.conf that tagboot accepts but ignores. */
static bool config_is_sdboot_key(const struct config_line *l)
{
	static const char *const keys[] = {
		"auto-reboot", "auto-poweroff", "beep",
		"reboot-for-bitlocker", "secure-boot-enroll", "random-seed-mode",
		"reboot-on-error", "preserve-efivars", "log-level", "password",
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (config_key_is(l, keys[i]))
			return true;
	return false;
}

static bool config_parse_bool(const struct config_line *l, bool *out)
{
	static const char *const yes[] = { "yes", "1", "true", "on" };
	static const char *const no[] = { "no", "0", "false", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (util_token_eq(l->value, l->value_len, yes[i])) {
			*out = true;
			return true;
		}
		if (util_token_eq(l->value, l->value_len, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* A value-taking key seen twice: systemd-boot keeps the last one; say so. */
static void config_duplicate(const struct config_line *l, bool seen, struct config_diag *diag)
{
	if (seen)
		config_line_warning(diag, l, "given again, the last value wins");
}

static void config_loader_line(const struct config_line *l, struct config_loader *out,
                               struct config_diag *diag)
{
	if (config_key_is(l, "default")) {
		config_duplicate(l, out->has_default, diag);
		out->has_default = config_copy_value(l, out->default_pattern,
		                                     sizeof out->default_pattern, diag);
		/* `@saved`: the entry booted last (LoaderEntryLastBooted), not a glob. */
		out->default_saved = out->has_default &&
		                     util_token_eq(l->value, l->value_len, "@saved");
	} else if (config_key_is(l, "timeout")) {
		config_duplicate(l, out->has_timeout, diag);
		bool force = util_token_eq(l->value, l->value_len, "menu-force");
		bool hidden = util_token_eq(l->value, l->value_len, "menu-hidden");
		bool disabled = util_token_eq(l->value, l->value_len, "menu-disabled");
		if (force || hidden || disabled) {
			out->has_timeout = true;
			out->menu_force = force;
			out->menu_hidden = hidden;
			out->menu_disabled = disabled;
			out->timeout = 0;
			return;
		}
		uint64_t v;
		enum util_parse_status st = util_parse_u64(l->value, l->value_len, &v);
		if (st != UTIL_PARSE_OK) {
			config_line_error(diag, l,
			                  "expected seconds, menu-force, menu-hidden or menu-disabled: ",
			                  util_parse_status_str(st));
			return;
		}
		if (v > CONFIG_TIMEOUT_MAX) {
			config_line_warning(diag, l, "longer than the maximum of 3600 seconds: waiting "
			                             "3600");
			v = CONFIG_TIMEOUT_MAX;
		}
		out->has_timeout = true;
		out->menu_force = false;
		out->menu_hidden = false;
		out->menu_disabled = false;
		out->timeout = v;
	} else if (config_key_is(l, "console-mode")) {
		config_duplicate(l, out->has_console_mode, diag);
		uint64_t v;
		bool ok = util_token_eq(l->value, l->value_len, "auto") ||
		          util_token_eq(l->value, l->value_len, "max") ||
		          util_token_eq(l->value, l->value_len, "keep") ||
		          util_parse_u64(l->value, l->value_len, &v) == UTIL_PARSE_OK;
		if (!ok) {
			config_line_error(diag, l, "expected a mode number, auto, max or keep", NULL);
			return;
		}
		out->has_console_mode = config_copy_value(l, out->console_mode,
		                                          sizeof out->console_mode, diag);
	} else if (config_key_is(l, "auto-entries") || config_key_is(l, "auto-firmware")) {
		bool v;
		if (!config_parse_bool(l, &v)) {
			config_line_error(diag, l, "expected yes, no, true, false, 1 or 0", NULL);
			return;
		}
		if (config_key_is(l, "auto-entries"))
			out->auto_entries = v;
		else
			out->auto_firmware = v;
	} else if (config_key_is(l, "editor")) {
		config_duplicate(l, out->has_editor, diag);
		if (!config_parse_bool(l, &out->editor)) {
			config_line_error(diag, l, "expected yes, no, true, false, 1 or 0", NULL);
			return;
		}
		out->has_editor = true;
	} else if (config_key_is(l, "secure-boot-unpinned")) {
		/* Opt-out of the Secure Boot pin rule (docs/security.md); only `allow` enables it. */
		config_duplicate(l, out->has_secure_boot_unpinned, diag);
		if (util_token_eq(l->value, l->value_len, "allow"))
			out->secure_boot_unpinned = true;
		else if (util_token_eq(l->value, l->value_len, "deny"))
			out->secure_boot_unpinned = false;
		else {
			config_line_error(diag, l, "expected allow or deny", NULL);
			return;
		}
		out->has_secure_boot_unpinned = true;
	} else if (config_is_sdboot_key(l)) {
		config_line_warning(diag, l, "not used by tagboot");
	} else {
		config_line_warning(diag, l, "unknown key, ignored");
	}
}

bool config_parse_loader(const char *file_name, const char *text, size_t len,
                         struct config_loader *out, struct config_diag *diag)
{
	util_memset(out, 0, sizeof *out);
	/* systemd-boot's defaults: the editor and both kinds of automatic entries on. */
	out->editor = true;
	out->auto_entries = true;
	out->auto_firmware = true;
	if (file_name == NULL)
		file_name = "loader.conf";
	/* Without a diag the return value still has to reflect errors: count them here. */
	struct config_diag local;
	if (diag == NULL) {
		config_diag_init(&local, NULL, NULL);
		diag = &local;
	}
	unsigned errors_before = diag->errors;
	struct config_reader r;
	config_reader_init(&r, file_name, text, len);
	struct config_line l;
	while (config_reader_next(&r, &l, diag)) {
		if (l.value_len == 0) {
			/* systemd-boot skips such a line and boots the entry: so does tagboot. */
			config_line_warning(diag, &l, "missing value, line ignored");
			continue;
		}
		config_loader_line(&l, out, diag);
	}
	config_report_hidden(diag, file_name);
	return diag->errors == errors_before;
}

/* Line numbers of the keys whose validity depends on the entry kind, checked at the end. */
struct config_entry_state {
	unsigned kind_line;
	unsigned initrd_line;
	unsigned module_line;
	unsigned kernel_sha_line;
	unsigned reserve_line;
	unsigned ap_park_line;
	unsigned protocol_line;
	bool seen_title, seen_version, seen_sort_key, seen_machine_id;
};

/* Split the value into up to max words; returns the number of words, or max + 1 if more. */
static size_t config_split(const struct config_line *l, const char **word, size_t *word_len,
                           size_t max)
{
	size_t n = 0, i = 0;
	while (i < l->value_len) {
		while (i < l->value_len && util_is_blank(l->value[i]))
			i++;
		if (i == l->value_len)
			break;
		size_t s = i;
		while (i < l->value_len && !util_is_blank(l->value[i]))
			i++;
		if (n == max)
			return max + 1;
		word[n] = l->value + s;
		word_len[n] = i - s;
		n++;
	}
	return n;
}

static void config_reserve_line(const struct config_line *l, struct config_entry *out,
                                struct config_diag *diag)
{
	const char *w[3];
	size_t wl[3];
	if (config_split(l, w, wl, 3) != 3) {
		config_line_error(diag, l, "expected BASE SIZE REASON", NULL);
		return;
	}
	if (out->reserve_count == CONFIG_RESERVE_MAX) {
		config_line_error(diag, l, "too many reserve lines (at most 16)", NULL);
		return;
	}
	uint64_t base, size;
	enum util_parse_status st = util_parse_u64(w[0], wl[0], &base);
	if (st != UTIL_PARSE_OK) {
		config_line_error(diag, l, "BASE: ", util_parse_status_str(st));
		return;
	}
	st = util_parse_u64(w[1], wl[1], &size);
	if (st != UTIL_PARSE_OK) {
		config_line_error(diag, l, "SIZE: ", util_parse_status_str(st));
		return;
	}
	if (size == 0) {
		config_line_error(diag, l, "SIZE is 0", NULL);
		return;
	}
	/* base + size may reach 2^64 exactly but not pass it. */
	if (size - 1 > UINT64_MAX - base) {
		config_line_error(diag, l, "BASE + SIZE runs past the end of the address space", NULL);
		return;
	}
	/* Rounded out to whole pages (as tagging does), a range from the first to the last page
	 * is all of memory: no kernel could boot, and finding out after ExitBootServices would
	 * leave only a reset. */
	if ((base & ~0xfffull) == 0 && ((base + (size - 1)) | 0xfffull) == UINT64_MAX) {
		config_line_error(diag, l, "the range covers all of memory (page-rounded)", NULL);
		return;
	}
	struct config_reserve *res = &out->reserves[out->reserve_count];
	if (!util_strncpy_n(res->reason, sizeof res->reason, w[2], wl[2])) {
		config_line_error(diag, l, "REASON longer than 31 bytes", NULL);
		return;
	}
	res->base = base;
	res->size = size;
	out->reserve_count++;
}

static void config_set_kind(const struct config_line *l, enum config_kind kind,
                            struct config_entry *out, struct config_entry_state *s,
                            struct config_diag *diag)
{
	if (out->kind != CONFIG_KIND_NONE) {
		config_line_error(diag, l, "an entry has exactly one of linux, efi, handoff-kernel", NULL);
		return;
	}
	if (config_copy_value(l, out->path, sizeof out->path, diag)) {
		out->kind = kind;
		s->kind_line = l->number;
	}
}

static void config_entry_line(const struct config_line *l, struct config_entry *out,
                              struct config_entry_state *s, struct config_diag *diag)
{
	if (config_key_is(l, "title")) {
		config_duplicate(l, s->seen_title, diag);
		s->seen_title = config_copy_value(l, out->title, sizeof out->title, diag);
	} else if (config_key_is(l, "version")) {
		config_duplicate(l, s->seen_version, diag);
		s->seen_version = config_copy_value(l, out->version, sizeof out->version, diag);
	} else if (config_key_is(l, "sort-key")) {
		config_duplicate(l, s->seen_sort_key, diag);
		s->seen_sort_key = config_copy_value(l, out->sort_key, sizeof out->sort_key, diag);
	} else if (config_key_is(l, "machine-id")) {
		config_duplicate(l, s->seen_machine_id, diag);
		s->seen_machine_id =
			config_copy_value(l, out->machine_id, sizeof out->machine_id, diag);
	} else if (config_key_is(l, "options")) {
		size_t have = util_strlen(out->options);
		size_t need = have + (have > 0 ? 1 : 0) + l->value_len;
		if (need + 1 > sizeof out->options) {
			config_line_error(diag, l, "options longer than 4095 bytes in total", NULL);
			return;
		}
		if (have > 0)
			out->options[have++] = ' ';
		util_strncpy_n(out->options + have, sizeof out->options - have, l->value,
		               l->value_len);
	} else if (config_key_is(l, "linux")) {
		config_set_kind(l, CONFIG_KIND_LINUX, out, s, diag);
	} else if (config_key_is(l, "efi")) {
		config_set_kind(l, CONFIG_KIND_EFI, out, s, diag);
	} else if (config_key_is(l, "handoff-kernel")) {
		config_set_kind(l, CONFIG_KIND_HANDOFF, out, s, diag);
	} else if (config_key_is(l, "initrd")) {
		if (out->initrd_count == CONFIG_INITRD_MAX) {
			config_line_error(diag, l, "too many initrd lines (at most 8)", NULL);
			return;
		}
		if (config_copy_value(l, out->initrd[out->initrd_count], CONFIG_PATH_MAX, diag)) {
			out->initrd_count++;
			if (s->initrd_line == 0)
				s->initrd_line = l->number;
		}
	} else if (config_key_is(l, "module")) {
		if (out->module_count == CONFIG_MODULE_MAX) {
			config_line_error(diag, l, "too many module lines (at most 8)", NULL);
			return;
		}
		struct config_module *m = &out->modules[out->module_count];
		if (config_module_value(l, m, diag)) {
			m->has_sha256 = false;
			out->module_count++;
			if (s->module_line == 0)
				s->module_line = l->number;
		}
	} else if (config_key_is(l, "module-sha256")) {
		if (out->module_count == 0) {
			config_line_error(diag, l, "must follow a module line", NULL);
			return;
		}
		struct config_module *m = &out->modules[out->module_count - 1];
		if (m->has_sha256) {
			config_line_error(diag, l, "this module already has a module-sha256", NULL);
			return;
		}
		m->has_sha256 = config_parse_sha256(l, m->sha256, diag);
	} else if (config_key_is(l, "kernel-sha256")) {
		if (out->has_kernel_sha256) {
			config_line_error(diag, l, "given twice", NULL);
			return;
		}
		out->has_kernel_sha256 = config_parse_sha256(l, out->kernel_sha256, diag);
		s->kernel_sha_line = l->number;
	} else if (config_key_is(l, "reserve")) {
		config_reserve_line(l, out, diag);
		if (s->reserve_line == 0)
			s->reserve_line = l->number;
	} else if (config_key_is(l, "ap-park")) {
		if (util_token_eq(l->value, l->value_len, "none"))
			out->ap_park = CONFIG_AP_PARK_NONE;
		else if (util_token_eq(l->value, l->value_len, "mailbox"))
			out->ap_park = CONFIG_AP_PARK_MAILBOX;
		else if (util_token_eq(l->value, l->value_len, "mailbox-unreported"))
			out->ap_park = CONFIG_AP_PARK_MAILBOX_UNREPORTED;
		else
			config_line_error(diag, l, "expected none, mailbox or mailbox-unreported", NULL);
		s->ap_park_line = l->number;
		out->has_ap_park = true;
	} else if (config_key_is(l, "linux-protocol")) {
		if (util_token_eq(l->value, l->value_len, "efi-stub"))
			out->linux_protocol = CONFIG_LINUX_EFI_STUB;
		else if (util_token_eq(l->value, l->value_len, "native"))
			out->linux_protocol = CONFIG_LINUX_NATIVE;
		else
			config_line_error(diag, l, "expected efi-stub or native", NULL);
		s->protocol_line = l->number;
	} else if (config_key_is(l, "architecture")) {
		/* BLS architecture names are case-insensitive; this loader only runs x64 code. */
		bool x64 = l->value_len == 3 && util_ascii_lower(l->value[0]) == 'x' &&
		           l->value[1] == '6' && l->value[2] == '4';
		if (!x64)
			config_line_error(diag, l, "tagboot boots only x64 entries", NULL);
	} else if (config_key_is(l, "devicetree") || config_key_is(l, "devicetree-overlay")) {
		config_line_warning(diag, l, "not used by tagboot (x86-64 has no device tree)");
	} else {
		config_line_warning(diag, l, "unknown key, ignored");
	}
}

/* Rules that need the whole file: one kind, and keys that only make sense with it. */
static void config_entry_finish(const char *file, struct config_entry *out,
                                const struct config_entry_state *s, struct config_diag *diag)
{
	if (out->kind == CONFIG_KIND_NONE) {
		config_report(diag, CONFIG_LEVEL_ERROR, file, 0, NULL, 0,
		              "no linux, efi or handoff-kernel line", NULL);
		return;
	}
	if (out->initrd_count > 0 && out->kind != CONFIG_KIND_LINUX)
		config_report(diag, CONFIG_LEVEL_ERROR, file, s->initrd_line, "initrd", 6,
		              "only allowed with linux", NULL);
	if (s->protocol_line != 0 && out->kind != CONFIG_KIND_LINUX)
		config_report(diag, CONFIG_LEVEL_ERROR, file, s->protocol_line, "linux-protocol", 14,
		              "only allowed with linux", NULL);
	if (out->kind == CONFIG_KIND_HANDOFF)
		return;
	if (s->module_line != 0)
		config_report(diag, CONFIG_LEVEL_ERROR, file, s->module_line, "module", 6,
		              "only allowed with handoff-kernel", NULL);
	/* A native Linux boot is tagboot's own boot too: pins and parking apply. `reserve` is
	 * valid everywhere: chainloaded entries get it through the shield (shield.c). */
	if (config_entry_is_native(out))
		return;
	const char *native_only = "only allowed with handoff-kernel or linux-protocol native";
	if (s->kernel_sha_line != 0)
		config_report(diag, CONFIG_LEVEL_ERROR, file, s->kernel_sha_line, "kernel-sha256", 13,
		              native_only, NULL);
	if (s->ap_park_line != 0)
		config_report(diag, CONFIG_LEVEL_ERROR, file, s->ap_park_line, "ap-park", 7,
		              native_only, NULL);
}

/* FAT compares names without case, and so does systemd-boot's ".conf" check: X.CONF is an
 * entry too. */
static bool config_ends_with_conf(const char *name, size_t n)
{
	static const char ext[] = ".conf";
	if (n < 5)
		return false;
	for (size_t i = 0; i < 5; i++)
		if (util_ascii_lower(name[n - 5 + i]) != ext[i])
			return false;
	return true;
}

bool config_is_entry_file_name(const char *name)
{
	return config_ends_with_conf(name, util_strlen(name)) && util_strlen(name) > 5;
}

/* The id: file name without directory and ".conf". */
static bool config_entry_id(const char *file_name, struct config_entry *e,
                            struct config_diag *diag)
{
	char *id = e->id;
	util_strlcpy(e->file, file_name, sizeof e->file);
	size_t len = util_strlen(file_name), start = 0;
	for (size_t i = 0; i < len; i++)
		if (file_name[i] == '/' || file_name[i] == '\\')
			start = i + 1;
	size_t n = len - start;
	if (n <= 5 || !config_ends_with_conf(file_name + start, n)) {
		config_report(diag, CONFIG_LEVEL_ERROR, file_name, 0, NULL, 0,
		              "entry file name must be ID.conf", NULL);
		return false;
	}
	/* "ID+LEFT-DONE.conf": the counters are not part of the id (bootcount.h). */
	size_t id_len = bootcount_parse(file_name + start, n - 5, &e->count);
	if (id_len == 0) {
		config_report(diag, CONFIG_LEVEL_ERROR, file_name, 0, NULL, 0,
		              "entry file name must be ID.conf", NULL);
		return false;
	}
	if (!util_strncpy_n(id, CONFIG_ID_MAX, file_name + start, id_len)) {
		config_report(diag, CONFIG_LEVEL_ERROR, file_name, 0, NULL, 0,
		              "entry id longer than 127 bytes", NULL);
		return false;
	}
	return true;
}

bool config_parse_entry(const char *file_name, const char *text, size_t len,
                        struct config_entry *out, struct config_diag *diag)
{
	util_memset(out, 0, sizeof *out);
	if (file_name == NULL)
		file_name = "";
	struct config_diag local;
	if (diag == NULL) {
		config_diag_init(&local, NULL, NULL);
		diag = &local;
	}
	unsigned errors_before = diag->errors;
	config_entry_id(file_name, out, diag);
	struct config_entry_state s;
	util_memset(&s, 0, sizeof s);
	struct config_reader r;
	config_reader_init(&r, file_name, text, len);
	struct config_line l;
	while (config_reader_next(&r, &l, diag)) {
		if (l.value_len == 0) {
			/* systemd-boot skips such a line and boots the entry: so does tagboot. */
			config_line_warning(diag, &l, "missing value, line ignored");
			continue;
		}
		config_entry_line(&l, out, &s, diag);
	}
	config_entry_finish(file_name, out, &s, diag);
	config_report_hidden(diag, file_name);
	return diag->errors == errors_before;
}

/* Boot counting: no tries left means the entry failed to boot every time it was tried. */
static bool config_entry_bad(const struct config_entry *e)
{
	return e->count.counted && e->count.left == 0;
}

int config_entry_compare(const struct config_entry *a, const struct config_entry *b)
{
	/* Bad entries go last, whatever else they say: the entry that still works boots. */
	if (config_entry_bad(a) != config_entry_bad(b))
		return config_entry_bad(a) ? 1 : -1;
	bool ka = a->sort_key[0] != '\0', kb = b->sort_key[0] != '\0';
	if (ka != kb)
		return ka ? -1 : 1;
	if (ka) {
		int c = util_strcmp(a->sort_key, b->sort_key);
		if (c != 0)
			return c;
		c = util_strcmp(a->machine_id, b->machine_id);
		if (c != 0)
			return c;
		/* Newest version first: the highest version is the likeliest to be wanted. */
		c = version_compare(b->version, a->version);
		if (c != 0)
			return c;
	}
	/* Ids in reverse version order, as systemd-boot does: "linux-6.10" before "linux-6.9",
	 * so the newest kernel of an OS without sort-keys comes first. */
	int c = version_compare(b->id, a->id);
	if (c != 0 || !a->count.counted || !b->count.counted)
		return c;
	/* The same entry twice under boot counting: more tries left first, then fewer done. */
	if (a->count.left != b->count.left)
		return a->count.left > b->count.left ? -1 : 1;
	if (a->count.done != b->count.done)
		return a->count.done < b->count.done ? -1 : 1;
	return 0;
}

/* Exchange two entries in place through a small buffer (entries are several KiB). */
static void config_swap(struct config_entry *a, struct config_entry *b)
{
	uint8_t tmp[256];
	uint8_t *x = (uint8_t *)a, *y = (uint8_t *)b;
	for (size_t off = 0; off < sizeof *a; off += sizeof tmp) {
		size_t n = sizeof *a - off < sizeof tmp ? sizeof *a - off : sizeof tmp;
		util_memcpy(tmp, x + off, n);
		util_memcpy(x + off, y + off, n);
		util_memcpy(y + off, tmp, n);
	}
}

void config_sort_entries(struct config_entry *entries, size_t n)
{
	/* Insertion sort by adjacent swaps: stable, no allocation, and entry lists are short. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && config_entry_compare(&entries[j - 1], &entries[j]) > 0; j--)
			config_swap(&entries[j - 1], &entries[j]);
}

/* The `default` pattern as ids are written ("x.conf" means the entry x). */
static void config_default_pattern(const struct config_loader *conf, char *pattern, size_t cap)
{
	util_strlcpy(pattern, conf->default_pattern, cap);
	size_t len = util_strlen(pattern);
	/* systemd-boot users often write the file name; ids carry no ".conf", so drop it. */
	if (len > 5 && util_token_eq(pattern + len - 5, 5, ".conf"))
		pattern[len - 5] = '\0';
}

bool config_default_matches(const struct config_loader *conf, const char *id)
{
	if (conf == NULL || !conf->has_default || conf->default_saved)
		return false;
	char pattern[CONFIG_ID_MAX];
	config_default_pattern(conf, pattern, sizeof pattern);
	return util_glob_match(pattern, id);
}

size_t config_select_default(const struct config_loader *conf, const struct config_entry *entries,
                             size_t n)
{
	if (conf == NULL || entries == NULL || !conf->has_default)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (config_default_matches(conf, entries[i].id))
			return i;
	return 0;
}
